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

pub fn find_quotes(tokens: &[Token]) -> Vec<Quote> {
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
    quotes
}

fn is_opening(tokens: &[Token], i: usize) -> bool {
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
    use super::*;
    use crate::claims::tokens::tokenize;

    fn quoted(text: &str) -> Vec<String> {
        let tokens = tokenize(text);
        find_quotes(&tokens)
            .iter()
            .map(|q| text.chars().skip(tokens[q.open].start).take(tokens[q.close].end - tokens[q.open].start).collect())
            .collect()
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
