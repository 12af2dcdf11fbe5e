//! `headline`: a title line "SOURCE: CONTENT" on a line of its own.

use std::ops::Range;

use super::registry::RuleName;
use super::words::WORDS;
use super::{Candidate, Found};
use crate::document::ClaimKind;

/// "ISW: Putin aims to ..." on a line of its own.
pub(super) fn find(found: &mut Found, sentence: Range<usize>, _next: Option<&Range<usize>>) {
    let g = found.grammar;
    let colon = (sentence.start + 1..sentence.end.min(sentence.start + 6)).find(|&i| g.tokens[i].text == ":");
    let Some(colon) = colon else { return };
    let source = sentence.start..colon;
    let starts_line = sentence.start == 0 || g.tokens[sentence.start].newline_before;
    let looks_like_name = source.clone().all(|i| {
        let t = &g.tokens[i];
        t.is_capitalised() || matches!(t.lower.as_str(), "of" | "the" | "for" | "and")
    });
    let labelled = WORDS.label_words.contains(g.lower(sentence.start));
    let content_end = g.content_end(&sentence);
    if !starts_line || !looks_like_name || labelled || g.entity_in(source.clone()).is_none() || content_end < colon + 4
    {
        return;
    }
    found.push(Candidate {
        kind: Some(ClaimKind::Headline),
        source: Some(source),
        cue: colon..colon + 1,
        lemma: ":".to_string(),
        content: vec![colon + 1..content_end],
        ..Candidate::of(RuleName::Headline)
    });
}
