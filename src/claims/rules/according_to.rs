//! `according-to`: "according to SOURCE, CONTENT" and "CONTENT, according to SOURCE".

use std::ops::Range;

use super::registry::RuleName;
use super::{Candidate, Found};
use crate::document::ClaimKind;

/// "according to SOURCE, CONTENT" and "CONTENT, according to SOURCE".
pub(super) fn find(found: &mut Found, sentence: Range<usize>, _next: Option<&Range<usize>>) {
    let g = found.grammar;
    for i in sentence.clone() {
        let Some(cue) = g.cue_at(i, sentence.end) else { continue };
        if cue.lemma != "according to" || found.used[i] {
            continue;
        }
        let cue_end = i + cue.words.len();
        let source_end = g.marks.punct.first_in(cue_end..sentence.end).unwrap_or(sentence.end);
        if source_end == cue_end {
            continue;
        }
        let content_end = g.content_end(&sentence);
        let before_comma = g.marks.commas.last_before(i).filter(|&j| j >= sentence.start);
        let content = if i == sentence.start || (i == sentence.start + 1 && g.tokens[sentence.start].is_punct()) {
            // Fronted: the content follows the source's comma.
            let start =
                if source_end < content_end && g.lower(source_end) == "," { source_end + 1 } else { source_end };
            start..content_end
        } else {
            let end = before_comma.filter(|&c| c > sentence.start).unwrap_or(i);
            g.extend_to_quote_start(sentence.start, end)..end
        };
        if content.is_empty() {
            continue;
        }
        found.push(Candidate {
            kind: Some(ClaimKind::AccordingTo),
            source: Some(cue_end..source_end),
            cue: i..cue_end,
            lemma: cue.lemma.clone(),
            content: vec![content],
            ..Candidate::of(RuleName::AccordingTo)
        });
    }
}
