//! Quotations: which stretches of a document are in quotation marks.
//!
//! Curly quotes and guillemets say which way they face; a straight `"` opens after a space or at
//! a line start and closes otherwise. A quotation left open at the end of a paragraph continues
//! when the next paragraph opens with a quotation mark (the news convention for quotes that run
//! over paragraphs) and otherwise ends with its paragraph, so an unbalanced mark never swallows
//! the rest of the article.

use super::tokens::Token;

const OPENING: &[&str] = &["“", "«", "„", "``"];
const CLOSING: &[&str] = &["”", "»"];

/// A quotation, as the token indices of its opening and closing marks (inclusive). When the
/// closing mark is missing, `close` is the last token of the paragraph.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quote {
    pub open: usize,
    pub close: usize,
}

impl Quote {
    pub fn contains(&self, token: usize) -> bool {
        self.open <= token && token <= self.close
    }
}

/// The quotations of a document, in order. Each one closes before the next opens, so the one
/// opening, closing or holding a token is found by binary search: the rules ask about every
/// token, and a scan of all quotations per question made a text of many quotation marks quadratic.
#[derive(Debug, Clone, Default)]
pub struct Quotes {
    quotes: Vec<Quote>,
}

impl Quotes {
    pub fn new(quotes: Vec<Quote>) -> Self {
        debug_assert!(quotes.iter().all(|q| q.open <= q.close));
        debug_assert!(quotes.windows(2).all(|pair| pair[0].close < pair[1].open));
        Quotes { quotes }
    }

    /// The last quotation opening at or before token `i`; the only one that can hold it.
    fn last_opening_by(&self, i: usize) -> Option<&Quote> {
        let after = self.quotes.partition_point(|q| q.open <= i);
        after.checked_sub(1).map(|last| &self.quotes[last])
    }

    /// The last quotation opening before token `i`.
    pub fn opening_before(&self, i: usize) -> Option<&Quote> {
        i.checked_sub(1).and_then(|before| self.last_opening_by(before))
    }

    /// The quotation whose opening mark is token `i`.
    pub fn opening_at(&self, i: usize) -> Option<&Quote> {
        self.last_opening_by(i).filter(|q| q.open == i)
    }

    /// The quotation of more than one mark whose closing mark is token `i`.
    pub fn closing_at(&self, i: usize) -> Option<&Quote> {
        self.last_opening_by(i).filter(|q| q.close == i && q.open != q.close)
    }

    /// The quotation holding token `i`, its marks included.
    pub fn holding(&self, i: usize) -> Option<&Quote> {
        self.last_opening_by(i).filter(|q| q.contains(i))
    }

    /// Whether token `i` lies between a quotation's marks.
    pub fn strictly_inside(&self, i: usize) -> bool {
        self.holding(i).is_some_and(|q| q.open < i && i < q.close)
    }
}

pub fn find_quotes(tokens: &[Token]) -> Quotes {
    let mut quotes = Vec::new();
    let mut open: Option<usize> = None;
    for (i, token) in tokens.iter().enumerate() {
        if token.newline_before {
            if let Some(start) = open {
                if is_opening(tokens, i) {
                    // The quotation runs on into this paragraph.
                    continue;
                }
                quotes.push(Quote { open: start, close: i - 1 });
                open = None;
            }
        }
        match open {
            None if is_opening(tokens, i) => open = Some(i),
            Some(start) if is_closing(tokens, i) => {
                quotes.push(Quote { open: start, close: i });
                open = None;
            }
            _ => {}
        }
    }
    if let Some(start) = open {
        quotes.push(Quote { open: start, close: tokens.len() - 1 });
    }
    Quotes::new(quotes)
}

/// Token `i` opens a quotation: a curly or guillemet opener, or a straight mark after a space.
pub(super) fn is_opening(tokens: &[Token], i: usize) -> bool {
    let text = tokens[i].text.as_str();
    OPENING.contains(&text)
        || (is_straight(text) && (i == 0 || tokens[i].newline_before || tokens[i - 1].end < tokens[i].start))
}

fn is_closing(tokens: &[Token], i: usize) -> bool {
    let text = tokens[i].text.as_str();
    CLOSING.contains(&text) || (is_straight(text) && (!is_opening(tokens, i) || i + 1 == tokens.len()))
}

/// Marks that face neither way: `"`, and `''` of wire text.
fn is_straight(text: &str) -> bool {
    text == "\"" || text == "''"
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::claims::tokens::tokenize;
    use crate::offsets::CharIndex;

    fn quoted(text: &str) -> Vec<String> {
        let tokens = tokenize(&CharIndex::new(text));
        find_quotes(&tokens)
            .quotes
            .iter()
            .map(|q| CharIndex::new(text).slice(tokens[q.open].start..tokens[q.close].end).to_string())
            .collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Quotations never overlap, so the binary searches answer as scans over all of them.
        #[test]
        fn quote_lookups_answer_as_a_scan_would(
            pieces in proptest::collection::vec(
                proptest::sample::select(&["“", "”", "\"", "''", "«", "»", "word", " ", "\n", "\n\n", ","][..]),
                0..40,
            )
        ) {
            let tokens = tokenize(&CharIndex::new(&pieces.concat()));
            let quotes = find_quotes(&tokens);
            let all = &quotes.quotes;
            for i in 0..=tokens.len() + 1 {
                prop_assert_eq!(quotes.opening_at(i), all.iter().find(|q| q.open == i));
                prop_assert_eq!(quotes.closing_at(i), all.iter().find(|q| q.close == i && q.open != q.close));
                prop_assert_eq!(quotes.holding(i), all.iter().find(|q| q.contains(i)));
                prop_assert_eq!(quotes.strictly_inside(i), all.iter().any(|q| q.open < i && i < q.close));
                prop_assert_eq!(quotes.opening_before(i), all.iter().rev().find(|q| q.open < i));
            }
        }
    }

    #[test]
    fn curly_and_straight_quotes_pair_up() {
        assert_eq!(quoted("He said “we win,” and \"they lose\" today."), ["“we win,”", "\"they lose\""]);
    }

    #[test]
    fn a_quote_runs_over_paragraphs_that_reopen_it() {
        let text = "“First part.\n\n“Second part,” he said.";
        assert_eq!(quoted(text), ["“First part.\n\n“Second part,”"]);
    }

    #[test]
    fn an_unbalanced_quote_ends_with_its_paragraph() {
        let text = "He said “this never closes.\n\nThe next paragraph is not quoted. “Real,” she said.";
        assert_eq!(quoted(text), ["“this never closes.", "“Real,”"]);
    }
}
