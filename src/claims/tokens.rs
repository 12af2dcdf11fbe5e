//! Word tokens for the rules: Unicode word boundaries (UAX #29), code point offsets.

use std::ops::Range;

use unicode_segmentation::UnicodeSegmentation;

use crate::document::Span;
use crate::offsets::CharIndex;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub start: usize,
    pub end: usize,
    pub text: String,
    pub lower: String,
    /// A line break separates this token from the one before.
    pub newline_before: bool,
}

impl Token {
    /// Holds no letter or digit.
    pub fn is_punct(&self) -> bool {
        !self.text.chars().any(char::is_alphanumeric)
    }

    /// Length in code points.
    pub fn len_chars(&self) -> usize {
        self.end - self.start
    }

    /// Shaped like an "-ing" form ("saying", "Speaking"), not a short word ("king", "thing").
    pub fn has_ing_form(&self) -> bool {
        self.lower.len() > 4 && self.lower.ends_with("ing")
    }

    pub fn is_capitalised(&self) -> bool {
        self.text.chars().next().is_some_and(char::is_uppercase)
    }
}

/// Every non-space token of the indexed text (a document's own index: see
/// [`Document::char_index`](crate::Document::char_index)).
pub fn tokenize(index: &CharIndex) -> Vec<Token> {
    let text = index.text();
    let mut tokens = Vec::new();
    let mut newline_before = false;
    for (byte, word) in text.split_word_bound_indices() {
        if word.chars().all(char::is_whitespace) {
            newline_before |= word.contains('\n');
            continue;
        }
        let start = index.char_of_byte(byte);
        // `''` and ``` `` ``` are quotation marks in wire and NYT style: one token, not two.
        if let Some(previous) = tokens.last_mut().filter(|t: &&mut Token| {
            (t.text == "'" && word == "'" || t.text == "`" && word == "`") && t.end == start && !newline_before
        }) {
            previous.text.push_str(word);
            previous.lower.push_str(word);
            previous.end += 1;
            continue;
        }
        tokens.push(Token {
            start,
            end: index.char_of_byte(byte + word.len()),
            text: word.to_string(),
            lower: word.to_lowercase(),
            newline_before,
        });
        newline_before = false;
    }
    tokens
}

/// The token range of each sentence span: the tokens starting inside it. A reversed span, or one
/// holding no token start, gives an empty range.
pub fn sentence_ranges(tokens: &[Token], sentences: &[Span]) -> Vec<Range<usize>> {
    sentences
        .iter()
        .map(|span| {
            let start = tokens.partition_point(|t| t.start < span.start);
            let end = tokens.partition_point(|t| t.start < span.end);
            start..end.max(start)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_carry_code_point_offsets_and_line_breaks() {
        let tokens = tokenize(&CharIndex::new("“Путін” said 🙂\nISW’s U.S. office"));
        let texts: Vec<&str> = tokens.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(texts, ["“", "Путін", "”", "said", "🙂", "ISW’s", "U.S", ".", "office"]);
        assert_eq!((tokens[1].start, tokens[1].end), (1, 6));
        assert!(tokens[5].newline_before && !tokens[4].newline_before);
        assert!(tokens[0].is_punct() && tokens[1].is_capitalised());
    }

    #[test]
    fn reversed_and_empty_sentence_spans_give_empty_token_ranges() {
        let tokens = tokenize(&CharIndex::new("He said so. She left."));
        let spans = [Span::new(7, 2), Span::new(1, 2), Span::new(30, 40), Span::new(0, 11)];
        let ranges = sentence_ranges(&tokens, &spans);
        assert!(ranges[..3].iter().all(|r| r.is_empty() && r.end <= tokens.len()), "{ranges:?}");
        assert_eq!(ranges[3], 0..4);
    }
}
