//! Word tokens: what annotation tools and CoNLL files count in.
//!
//! Runs of letters, digits and combining marks are words; every other non-space character is a
//! token of its own. This is BERT's basic tokenization, so model entities always fall on word
//! boundaries, and what CoNLL-style data calls a token.

use crate::document::Span;

/// Code point spans of the words of `text`.
pub fn words(text: &str) -> Vec<Span> {
    let mut spans = Vec::new();
    let mut run_start: Option<usize> = None;
    let mut count = 0;
    for (i, c) in text.chars().enumerate() {
        count = i + 1;
        if c.is_alphanumeric() || (is_mark(c) && run_start.is_some()) {
            run_start.get_or_insert(i);
            continue;
        }
        if let Some(start) = run_start.take() {
            spans.push(Span::new(start, i));
        }
        if !c.is_whitespace() {
            spans.push(Span::new(i, i + 1));
        }
    }
    if let Some(start) = run_start {
        spans.push(Span::new(start, count));
    }
    spans
}

/// Combining marks (accents written as separate code points) belong to the word they follow.
fn is_mark(c: char) -> bool {
    matches!(c, '\u{300}'..='\u{36f}' | '\u{1ab0}'..='\u{1aff}' | '\u{1dc0}'..='\u{1dff}' | '\u{20d0}'..='\u{20ff}' | '\u{fe20}'..='\u{fe2f}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_and_punctuation_are_tokens_with_code_point_spans() {
        let text = "“Зеленський” met Joe 🙂, cafe\u{301}.";
        let index = crate::offsets::CharIndex::new(text);
        let tokens: Vec<&str> = words(text).iter().map(|s| index.slice(s.start..s.end)).collect();
        assert_eq!(tokens, ["“", "Зеленський", "”", "met", "Joe", "🙂", ",", "cafe\u{301}", "."]);
        assert_eq!(words(text)[5], Span::new(21, 22));
    }
}
