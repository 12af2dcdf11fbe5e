//! Sentence segmentation for news text.
//!
//! Unicode sentence boundaries (UAX #29, from `unicode-segmentation`) do the heavy lifting: they
//! already keep closing quotes with their sentence (`...end."`) and break at line ends, so
//! headlines, captions and bullet lists without periods become sentences of their own. What UAX
//! #29 cannot know is English abbreviations, so a second pass rejoins sentences that were split
//! after "Mr.", "U.S.", "Jan." or an initial, following the table in `abbreviations.tsv`.

mod words;

use std::collections::HashMap;

use unicode_segmentation::UnicodeSegmentation;

pub use words::words;

use crate::document::{Document, Span};
use crate::offsets::CharIndex;

const ABBREVIATIONS: &str = include_str!("abbreviations.tsv");

/// Words that, capitalised after an ambiguous abbreviation such as "U.S.", signal a new sentence.
/// Anything else after it ("U.S. President", "U.S. officials") continues the sentence.
const SENTENCE_OPENERS: &[&str] = &[
    "a",
    "after",
    "also",
    "an",
    "and",
    "as",
    "at",
    "before",
    "but",
    "during",
    "for",
    "he",
    "her",
    "his",
    "however",
    "i",
    "if",
    "in",
    "it",
    "its",
    "meanwhile",
    "on",
    "one",
    "our",
    "she",
    "since",
    "so",
    "some",
    "that",
    "the",
    "their",
    "there",
    "these",
    "they",
    "this",
    "those",
    "we",
    "when",
    "while",
    "yet",
    "you",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AbbreviationKind {
    /// Precedes a name or date: never ends a sentence.
    Title,
    /// Precedes a number: does not end a sentence before a digit.
    Numeral,
    /// May end a sentence: does so only before a sentence opener.
    Other,
}

/// Splits a document's text into sentences.
#[derive(Debug, Clone)]
pub struct Segmenter {
    abbreviations: HashMap<String, AbbreviationKind>,
}

impl Default for Segmenter {
    fn default() -> Self {
        let abbreviations = ABBREVIATIONS
            .lines()
            .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
            .filter_map(|line| {
                let (word, kind) = line.split_once('\t')?;
                let kind = match kind.trim() {
                    "title" => AbbreviationKind::Title,
                    "numeral" => AbbreviationKind::Numeral,
                    _ => AbbreviationKind::Other,
                };
                Some((word.trim().to_lowercase(), kind))
            })
            .collect();
        Segmenter { abbreviations }
    }
}

impl Segmenter {
    /// Fills `doc.sentences`.
    pub fn apply(&self, doc: &mut Document) {
        doc.sentences = self.split_indexed(&doc.char_index());
    }

    /// Sentence spans of `text` in code points, trimmed of whitespace; blank stretches give none.
    pub fn split(&self, text: &str) -> Vec<Span> {
        self.split_indexed(&CharIndex::new(text))
    }

    /// [`Segmenter::split`] of an indexed text (a document's own index).
    pub fn split_indexed(&self, index: &CharIndex) -> Vec<Span> {
        let text = index.text();
        let mut sentences = Vec::new();
        let mut current: Option<(usize, usize)> = None; // byte range being built
        for (start, piece) in text.split_sentence_bound_indices() {
            let end = start + piece.len();
            current = match current {
                Some((open, close)) if self.continues(&text[open..close], piece) => Some((open, end)),
                Some(done) => {
                    push_trimmed(&mut sentences, index, done);
                    Some((start, end))
                }
                None => Some((start, end)),
            };
        }
        if let Some(done) = current {
            push_trimmed(&mut sentences, index, done);
        }
        sentences
    }

    /// Whether `next` continues the sentence `so_far` that UAX #29 ended.
    fn continues(&self, so_far: &str, next: &str) -> bool {
        // A line break is a hard boundary: headlines, datelines and list items end there.
        if so_far.ends_with(['\n', '\r', '\u{2029}', '\u{85}']) {
            return false;
        }
        let next = next.trim_start();
        // UAX #29 already keeps "U.S. officials" together, but not "“Why?” she asked".
        if next.starts_with(char::is_lowercase) {
            return true;
        }
        let Some(word) = last_word_before_period(so_far) else {
            return false;
        };
        if next.starts_with(|c: char| c.is_ascii_digit()) && self.abbreviations.contains_key(&word.to_lowercase()) {
            return true;
        }
        if is_initial(word) {
            return next.starts_with(char::is_uppercase);
        }
        match self.abbreviations.get(&word.to_lowercase()) {
            Some(AbbreviationKind::Title) => true,
            Some(AbbreviationKind::Numeral) => false,
            Some(AbbreviationKind::Other) => {
                let next_word: String = next.chars().take_while(|c| c.is_alphabetic()).collect();
                !SENTENCE_OPENERS.contains(&next_word.to_lowercase().as_str())
            }
            None => false,
        }
    }
}

/// The word in front of the final period of `sentence` ("U.S" for "... the U.S. "), if it ends in one.
fn last_word_before_period(sentence: &str) -> Option<&str> {
    let before = sentence.trim_end().strip_suffix('.')?;
    let word_start = before
        .char_indices()
        .rfind(|&(_, c)| c.is_whitespace() || "([{\"'“‘«".contains(c))
        .map_or(0, |(i, c)| i + c.len_utf8());
    let word = &before[word_start..];
    (!word.is_empty()).then_some(word)
}

/// A single capital letter: "V" in "Vladimir V. Putin".
fn is_initial(word: &str) -> bool {
    let mut chars = word.chars();
    matches!((chars.next(), chars.next()), (Some(c), None) if c.is_uppercase())
}

/// Every way `spans` fails to be a segmentation of `text`, described; empty when none does. A
/// segmentation's spans are non-empty, lie inside the text in order without overlapping, start
/// and end on a non-whitespace character, and together cover every non-whitespace character.
/// The property tests and the fuzz targets hold [`Segmenter::split`] to it.
pub fn span_violations(text: &str, spans: &[Span]) -> Vec<String> {
    let index = CharIndex::new(text);
    let len = index.len_chars();
    let mut violations = Vec::new();
    let mut covered_to = 0;
    for span in spans {
        if span.start >= span.end || span.end > len {
            violations.push(format!("span {}..{} is empty or outside the text of {len}", span.start, span.end));
            continue;
        }
        if span.start < covered_to {
            violations.push(format!("span {}..{} starts before the previous one ends", span.start, span.end));
        }
        let slice = index.slice(span.start..span.end);
        if slice.trim() != slice {
            violations.push(format!("span {}..{} ({slice:?}) is not trimmed", span.start, span.end));
        }
        let gap = index.slice(covered_to.min(span.start)..span.start);
        if !gap.trim().is_empty() {
            violations.push(format!("{gap:?} before {}..{} is in no sentence", span.start, span.end));
        }
        covered_to = covered_to.max(span.end);
    }
    let rest = index.slice(covered_to..len);
    if !rest.trim().is_empty() {
        violations.push(format!("{rest:?} at the end is in no sentence"));
    }
    violations
}

fn push_trimmed(sentences: &mut Vec<Span>, index: &CharIndex, (start, end): (usize, usize)) {
    let piece = &index.text()[start..end];
    let trimmed_start = start + (piece.len() - piece.trim_start().len());
    let trimmed_end = start + piece.trim_end().len();
    if trimmed_start < trimmed_end {
        sentences.push(Span::new(index.char_of_byte(trimmed_start), index.char_of_byte(trimmed_end)));
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn sentences(text: &str) -> Vec<String> {
        let index = CharIndex::new(text);
        Segmenter::default().split(text).into_iter().map(|span| index.slice(span.start..span.end).to_string()).collect()
    }

    #[test]
    fn titles_and_initials_do_not_end_sentences() {
        assert_eq!(
            sentences("Mr. Smith met Gen. Mark A. Milley. They talked."),
            ["Mr. Smith met Gen. Mark A. Milley.", "They talked."]
        );
    }

    #[test]
    fn country_abbreviations_continue_unless_a_new_sentence_starts() {
        assert_eq!(
            sentences("U.S. officials said the U.S. President would go. He left the U.S. The talks ended."),
            ["U.S. officials said the U.S. President would go.", "He left the U.S.", "The talks ended."]
        );
    }

    #[test]
    fn dates_and_numbers_after_abbreviations_stay_in_the_sentence() {
        assert_eq!(
            sentences("On Jan. 5 the decree No. 12 was signed. It took effect."),
            ["On Jan. 5 the decree No. 12 was signed.", "It took effect."]
        );
    }

    #[test]
    fn closing_quotes_stay_with_their_sentence() {
        assert_eq!(
            sentences("He said, “We will win.” Then he left. “Why?” she asked."),
            ["He said, “We will win.”", "Then he left.", "“Why?” she asked."]
        );
        assert_eq!(sentences("\"It is over.\" The end."), ["\"It is over.\"", "The end."]);
    }

    #[test]
    fn headlines_and_bullets_without_periods_are_their_own_sentences() {
        assert_eq!(
            sentences("ISW: Putin aims to convince West\n\n- first point\n- second point\nBody text here."),
            ["ISW: Putin aims to convince West", "- first point", "- second point", "Body text here."]
        );
    }

    #[test]
    fn an_abbreviation_at_a_line_end_still_breaks() {
        assert_eq!(
            sentences("Founded by Smith Bros.\nThe company grew."),
            ["Founded by Smith Bros.", "The company grew."]
        );
    }

    #[test]
    fn spans_are_code_points_on_non_ascii_text() {
        let text = "«Мир» — це 🙂. Друге речення.";
        let spans = Segmenter::default().split(text);
        let index = CharIndex::new(text);
        assert_eq!(spans.len(), 2);
        assert_eq!(spans[0], Span::new(0, 13));
        assert_eq!(index.slice(spans[1].start..spans[1].end), "Друге речення.");
    }

    #[test]
    fn blank_text_has_no_sentences() {
        assert!(sentences("").is_empty());
        assert!(sentences(" \n\t\n ").is_empty());
    }

    /// News-like pieces (abbreviations, initials, quotation marks, line breaks, CRLF) and random
    /// Unicode, so that the abbreviation pass runs, not only UAX #29.
    fn text() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            3 => proptest::sample::select(&[
                "Mr.", "U.S.", "Jan.", "No.", "A.", "e.g.", "Bros.", "said", "The", "the", "he", "It", "5", "1.5",
                ".", "...", "?", "!", "“", "”", "\"", "'", ",", ":", " ", "  ", "\n", "\n\n", "\r\n", "\r", "\t",
                "\u{85}", "\u{2029}", "\u{a0}", "🙂", "e\u{301}", "Київ.",
            ][..]).prop_map(str::to_string),
            1 => "\\PC{0,4}",
            1 => any::<String>().prop_map(|s| s.chars().take(3).collect()),
        ];
        proptest::collection::vec(piece, 0..60).prop_map(|pieces| pieces.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn sentences_are_trimmed_ordered_and_cover_every_non_space_character(text in text()) {
            let spans = Segmenter::default().split(&text);
            let violations = span_violations(&text, &spans);
            prop_assert!(violations.is_empty(), "{violations:?} in {text:?}: {spans:?}");
        }

        #[test]
        fn sentences_of_arbitrary_unicode_keep_the_same_promises(text in any::<String>()) {
            let spans = Segmenter::default().split(&text);
            let violations = span_violations(&text, &spans);
            prop_assert!(violations.is_empty(), "{violations:?} in {text:?}: {spans:?}");
        }
    }
}
