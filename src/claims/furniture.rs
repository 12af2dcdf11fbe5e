//! The site speaking to its readers. A page saved as plain text keeps its ad-blocker and
//! support appeals ("we kindly ask for your support by disabling your ad blocker", "we believe
//! in the power of free information ... readers like you"), and their "we ask", "we believe"
//! read like attributions. An HTML page's extraction drops such blocks before this stage; for
//! text, a claim whose source is the publisher's "we" (or missing) in a paragraph that appeals
//! to its readers is no claim.

use std::ops::Range;

use super::tokens::Token;

/// Phrases, as lower-case words, that mark a paragraph as the publisher appealing to its
/// readers. None occurs in PolNeAR's 840 training articles of political news ("our newsletter"
/// and "make a donation" do, and are not listed), so no attribution there is lost.
const APPEALS: &[&[&str]] = &[
    &["ad", "blocker"],
    &["ad", "blockers"],
    &["adblocker"],
    &["disable", "your"],
    &["disabling", "your"],
    &["whitelist"],
    &["readers", "like", "you"],
    &["join", "our", "community"],
    &["support", "our", "journalism"],
    &["support", "our", "work"],
    &["support", "independent", "journalism"],
    &["subscribe", "to", "our"],
    &["cookie", "policy"],
    &["become", "a", "member"],
];

/// Sources that are the publisher itself.
const PUBLISHER: &[&str] = &["we", "us"];

/// The claim with this source and cue is the publisher appealing to its readers: its source is
/// "we" or missing, and the paragraph (line) its cue is on holds one of the [`APPEALS`].
pub fn is_appeal(tokens: &[Token], source: Option<&Range<usize>>, cue: &Range<usize>) -> bool {
    // Candidates are checked before `ClaimBuilder` drops those with ranges outside the tokens.
    let publisher_voice = source.is_none_or(|source| match tokens.get(source.clone()) {
        Some([word]) => PUBLISHER.contains(&word.lower.as_str()),
        _ => false,
    });
    if !publisher_voice || cue.start >= tokens.len() {
        return false;
    }
    let start = (0..=cue.start).rev().find(|&i| i == 0 || tokens[i].newline_before).unwrap_or(0);
    let end = (cue.start + 1..tokens.len()).find(|&i| tokens[i].newline_before).unwrap_or(tokens.len());
    let words: Vec<&str> = tokens[start..end].iter().map(|t| t.lower.as_str()).collect();
    APPEALS.iter().any(|phrase| words.windows(phrase.len()).any(|w| w == *phrase))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claims::tokens::tokenize;
    use crate::offsets::CharIndex;

    /// Whether the claim of `source` (a word, or none) and `cue` (a word) in `text` is an appeal.
    fn appeal(text: &str, source: Option<&str>, cue: &str) -> bool {
        let tokens = tokenize(&CharIndex::new(text));
        let at = |word: &str| tokens.iter().position(|t| t.text == word).expect("the word is in the text");
        let source = source.map(|word| at(word)..at(word) + 1);
        let cue = at(cue)..at(cue) + 1;
        is_appeal(&tokens, source.as_ref(), &cue)
    }

    #[test]
    fn the_publisher_asking_its_readers_is_no_claim() {
        let text = "Putin said talks were over.\n\nWe rely on ads. Therefore, we kindly ask for your support by disabling your ad blocker.";
        assert!(appeal(text, Some("we"), "ask"));
        assert!(!appeal(text, Some("Putin"), "said"), "another paragraph");
    }

    #[test]
    fn a_named_source_or_a_paragraph_without_an_appeal_keeps_its_claim() {
        let appeal_paragraph = "The ministry said ad blockers were legal, and readers like you agreed.";
        assert!(!appeal(appeal_paragraph, Some("ministry"), "said"), "the source is not the publisher");
        let column = "In our last column we mocked the hopefuls, as you may recall.";
        assert!(!appeal(column, Some("we"), "mocked"), "a columnist's we, no appeal");
    }

    #[test]
    fn ranges_outside_the_tokens_are_no_appeal_and_no_panic() {
        let tokens = tokenize(&CharIndex::new("We ask you to disable your ad blocker."));
        assert!(is_appeal(&tokens, Some(&(0..1)), &(1..2)));
        assert!(!is_appeal(&tokens, Some(&(5..99)), &(1..2)));
        let (start, end) = (3, 2);
        assert!(!is_appeal(&tokens, Some(&(start..end)), &(1..2)), "reversed");
        assert!(!is_appeal(&tokens, None, &(99..100)));
    }
}
