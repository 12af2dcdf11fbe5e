//! `raising`: "the deal seems to be off", "Trump is expected to win".

use std::ops::Range;

use super::super::lexicon::CueKind;
use super::registry::RuleName;
use super::{Candidate, Found};

/// "The deal seems to be off", "Trump is expected to win": an impression or expectation
/// nobody is named as holding. PolNeAR gives these no source and a content of two parts, the
/// subject and the infinitive.
pub(super) fn find(found: &mut Found, sentence: Range<usize>, _next: Option<&Range<usize>>) {
    let g = found.grammar;
    let content_end = g.content_end(&sentence);
    for i in sentence.start + 1..content_end {
        let Some(entry) = g.cue_at(i, content_end) else { continue };
        let after = i + entry.words.len();
        if entry.kind != CueKind::Verb || found.used[i] || after >= content_end {
            continue;
        }
        // "seems to be off", "seems stable"; "is expected to win".
        let passive_before_to = g.lower(after) == "to" && g.passive_participle(i, sentence.start);
        if !entry.is_impression() && !passive_before_to {
            continue;
        }
        let clause = g.content_after(after, &sentence);
        if clause.len() < 2 {
            continue;
        }
        let mut content = vec![clause];
        if let Some(subject) = g.subject_before(i, sentence.start) {
            content.insert(0, subject);
        }
        found.push(Candidate {
            kind: None,
            source: None,
            cue: i..after,
            lemma: entry.lemma.clone(),
            content,
            ..Candidate::of(RuleName::Raising)
        });
    }
}
