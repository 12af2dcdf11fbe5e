//! `content-comma-source-cue` and `content-comma-cue-source`: "CONTENT, SOURCE CUE." and
//! "CONTENT, said SOURCE." without quotation marks.

use std::ops::Range;

use super::grammar::RuleMatch;
use super::registry::RuleName;
use super::words::WORDS;
use super::{Candidate, Found};

/// "CONTENT, SOURCE CUE (PP)." and "CONTENT, CUE SOURCE." without quotation marks.
pub(super) fn find(found: &mut Found, sentence: Range<usize>, _next: Option<&Range<usize>>) {
    let g = found.grammar;
    let content_end = g.content_end(&sentence);
    for comma in (sentence.start + 2..content_end).rev() {
        if g.lower(comma) != "," {
            continue;
        }
        let Some(RuleMatch { source, cue, entry, end: attribution_end }) = g.attribution_after(comma + 1, content_end)
        else {
            continue;
        };
        if cue.clone().any(|i| found.used[i]) || g.inside_quote(cue.start) {
            continue;
        }
        // The attribution must close the sentence, give or take a trailing phrase; "to" after
        // it starts an infinitive ("..., Cruz is seeking to pick off delegates"), not a phrase.
        if attribution_end < content_end {
            let trailing = g.lower(attribution_end);
            let phrase = WORDS.phrase_starts.contains(trailing) && trailing != "to";
            if !phrase && trailing != "," {
                continue;
            }
        }
        // Without quotation marks, "CONTENT, CUE SOURCE" is an attribution only with "said"
        // ("..., said a spokesman"); "..., called superdelegates" is not. A relative
        // pronoun ("..., who said") starts a clause of its own.
        let inverted = cue.start < source.start;
        if (inverted && entry.lemma != "say") || g.lower(source.start) == "who" {
            continue;
        }
        let start = g.clause_start(sentence.start, comma);
        // "Asked if ..., Ryan said, “Sure.”": the fronted phrase is not what Ryan said.
        if found.used[start] || g.opens_participle_phrase(start) {
            continue;
        }
        let rule = if inverted { RuleName::ContentCommaCueSource } else { RuleName::ContentCommaSourceCue };
        let mut content = vec![start..comma];
        // "The test, experts said, was its biggest yet.": the content resumes after the attribution.
        if attribution_end + 1 < content_end && g.lower(attribution_end) == "," {
            content.push(attribution_end + 1..content_end);
        }
        found.push(Candidate {
            kind: None,
            source: Some(source),
            cue,
            lemma: entry.lemma.clone(),
            content,
            ..Candidate::of(rule)
        });
        return;
    }
}
