//! `speaker-label`: "WALLACE: Let’s start with ..." in a transcript.

use std::ops::Range;

use super::registry::RuleName;
use super::words::WORDS;
use super::{Candidate, Found};

/// "WALLACE: Let’s start with ..." in a transcript: a speaker in capitals opening a line.
pub(super) fn find(found: &mut Found, sentence: Range<usize>, _next: Option<&Range<usize>>) {
    let g = found.grammar;
    let start = if g.quote_opening_at(sentence.start).is_some() { sentence.start + 1 } else { sentence.start };
    let Some(colon) = (start + 1..sentence.end.min(start + 4)).find(|&i| g.tokens[i].text == ":") else {
        return;
    };
    let starts_line = sentence.start == 0 || g.tokens[sentence.start].newline_before;
    let shouted = (start..colon).all(|i| {
        let t = &g.tokens[i];
        t.text.chars().filter(|c| c.is_alphabetic()).count() >= 2 && !t.text.chars().any(char::is_lowercase)
    });
    if !starts_line || !shouted || found.used[colon] || WORDS.label_words.contains(g.lower(start)) {
        return;
    }
    let line_end = g.marks.line_starts.next_from(colon + 1).unwrap_or(g.tokens.len());
    let mut content_end = line_end;
    while content_end > colon + 1
        && g.tokens[content_end - 1].is_punct()
        && g.quote_closing_at(content_end - 1).is_none()
    {
        content_end -= 1;
    }
    if content_end <= colon + 1 {
        return;
    }
    found.push(Candidate {
        kind: None,
        source: Some(start..colon),
        cue: colon..colon + 1,
        lemma: ":".to_string(),
        content: vec![colon + 1..content_end],
        ..Candidate::of(RuleName::SpeakerLabel)
    });
}
