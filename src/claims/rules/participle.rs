//! `participle` ("..., saying that CONTENT") and `nominal-participle` ("SOURCE published an
//! article stating that CONTENT").

use std::ops::Range;

use super::registry::RuleName;
use super::words::WORDS;
use super::{Candidate, Found};

/// "..., saying that CONTENT" (the source is the sentence's subject) and "SOURCE published
/// an article stating that CONTENT".
pub(super) fn find(found: &mut Found, sentence: Range<usize>, _next: Option<&Range<usize>>) {
    let g = found.grammar;
    for i in sentence.start + 1..sentence.end {
        let Some(entry) = g.cue_at(i, sentence.end) else { continue };
        if !entry.is_participle() || found.used[i] || g.inside_quote(i) {
            continue;
        }
        let content = g.content_after(i + 1, &sentence);
        if content.is_empty() {
            continue;
        }
        // "published an article stating": the cue runs from the verb to the participle.
        if i >= sentence.start + 3
            && WORDS.document_nouns.contains(g.lower(i - 1))
            && WORDS.determiners.contains(g.lower(i - 2))
        {
            let verb = i - 3;
            let source = g.subject_before(verb, sentence.start);
            if let Some(source) = source {
                found.push(Candidate {
                    kind: None,
                    source: Some(source),
                    cue: verb..i + 1,
                    lemma: entry.lemma.clone(),
                    content: vec![content],
                    ..Candidate::of(RuleName::NominalParticiple)
                });
                continue;
            }
        }
        if g.lower(i - 1) != "," {
            continue;
        }
        let Some(source) = g.sentence_subject(sentence.start, i) else { continue };
        found.push(Candidate {
            kind: None,
            source: Some(source),
            cue: i..i + 1,
            lemma: entry.lemma.clone(),
            content: vec![content],
            ..Candidate::of(RuleName::Participle)
        });
    }
}
