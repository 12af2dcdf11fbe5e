//! `fronted-question`: "Asked whether he would run, Ryan said no".

use std::ops::Range;

use super::registry::RuleName;
use super::{Candidate, Found};

/// "Asked whether he would run, Ryan said no": the question, put by someone unnamed (or
/// "by" someone), is an attribution of its own; the answer is the main clause's.
pub(super) fn find(found: &mut Found, sentence: Range<usize>, _next: Option<&Range<usize>>) {
    let g = found.grammar;
    let asked = match g.lower(sentence.start) {
        "asked" => sentence.start,
        "when" if sentence.start + 1 < sentence.end && g.lower(sentence.start + 1) == "asked" => sentence.start + 1,
        _ => return,
    };
    let Some(comma) = g.marks.commas.first_in(asked + 1..sentence.end) else { return };
    if found.used[asked] || comma < asked + 3 {
        return;
    }
    let mut from = asked + 1;
    let mut source = None;
    if g.lower(from) == "by" {
        let end = g.noun_phrase_end(from + 1, comma);
        source = (end > from + 1).then_some(from + 1..end);
        from = end;
    }
    if from + 1 >= comma {
        return;
    }
    found.push(Candidate {
        kind: None,
        source,
        cue: asked..asked + 1,
        lemma: "ask".to_string(),
        content: vec![from..comma],
        ..Candidate::of(RuleName::FrontedQuestion)
    });
}
