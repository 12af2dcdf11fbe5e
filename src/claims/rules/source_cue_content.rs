//! `source-cue-content`: "SOURCE CUE (that) CONTENT" and "SOURCE CUE: CONTENT".

use std::ops::Range;

use super::registry::RuleName;
use super::words::WORDS;
use super::{Candidate, Found};

/// The confidence of a content that neither "that" nor a colon introduces ("he said Putin is
/// preparing ..."), which is more often a plain verb and its object than with them.
const WITHOUT_THAT_CONFIDENCE: f32 = 0.65;

/// "SOURCE CUE (that) CONTENT" and "SOURCE CUE: CONTENT".
pub(super) fn find(found: &mut Found, sentence: Range<usize>, next_sentence: Option<&Range<usize>>) {
    let g = found.grammar;
    for i in sentence.clone() {
        let Some(entry) = g.cue_at(i, sentence.end) else { continue };
        // "is calling", "isn’t saying": a participle after a form of "be" is the verb.
        let progressive = entry.is_participle() && i > sentence.start && WORDS.be_forms.contains(g.lower(i - 1));
        if !entry.has_holder()
            || (entry.is_participle() && !progressive)
            || found.used[i]
            || !g.used_as_verb(i, sentence.start)
        {
            continue;
        }
        let cue = i..i + entry.words.len();
        let mut content = g.content_after(cue.end, &sentence);
        // "He said: “...”", "He added, “...”": the quotation is the content, however many
        // sentences it runs over.
        let opening =
            if cue.end < g.tokens.len() && matches!(g.lower(cue.end), "," | ":") { cue.end + 1 } else { cue.end };
        let mut continued = Vec::new();
        if let Some(quote) = g.quote_opening_at(opening).filter(|q| q.close > q.open + 1) {
            content = quote.open..quote.close + 1;
            continued = g.continued_quotes(quote.close + 1);
        }
        // "He said:" closing a line: the content is what follows.
        let colon_after = g.tokens.get(cue.end).is_some_and(|t| t.text == ":");
        if content.is_empty() && cue.end < sentence.end && colon_after {
            if let Some(next) = next_sentence.cloned() {
                let quoted = g.quote_opening_at(next.start).map(|q| q.open..q.close + 1);
                content = quoted.unwrap_or(next.start..g.content_end(&next));
            }
        }
        // A content is a clause, a quotation or an object; "published on 1 January" (a time
        // alone) and "is supported by the Foundation" (a passive's agent) have none.
        // An empty content may start past the last token ("The minister said:" ending the text).
        if content.len() < 2 {
            continue;
        }
        let time_only =
            content.len() <= 4 && matches!(g.lower(content.start), "on" | "at" | "during" | "last" | "this");
        if g.lower(content.start) == "by" || time_only {
            continue;
        }
        // Verbs of belief and intention without "that" are too often plain verbs ("want a
        // car"); keep them when a clause or an infinitive follows.
        let next = g.lower(content.start);
        if matches!(entry.class.as_str(), "believe" | "intend") && !matches!(next, "that" | "to") && !colon_after {
            continue;
        }
        // "charged Corey Lewandowski after determining ...", "pledged to work together despite
        // ...": a verb's object or infinitive ends at the first clause word; a reported
        // clause ("said Putin is preparing ...") runs on.
        if !matches!(next, "that" | "“" | "\"" | "«") && !matches!(entry.lemma.as_str(), "say" | "tell") {
            if let Some(stop) = g.marks.object_ends.first_in(content.start + 1..content.end) {
                content.end = stop;
            }
        }
        let Some(source) = g.subject_before(i, sentence.start) else { continue };
        // "I think", "you know": the speaker's own words, inside a quotation that is the
        // attribution; PolNeAR does not mark them.
        if matches!(g.lower(source.start), "i" | "you" | "we") && source.len() == 1 && g.inside_quote(i) {
            continue;
        }
        let rule = RuleName::SourceCueContent;
        let confidence = if next == "that" || colon_after { rule.confidence() } else { WITHOUT_THAT_CONFIDENCE };
        // "It was announced that ...", "Trump has been criticized": a passive's subject is
        // not who speaks, and the speaker goes unnamed.
        let source = (!g.passive_participle(i, sentence.start)).then_some(source);
        found.push(Candidate {
            kind: None,
            source,
            cue,
            lemma: entry.lemma.clone(),
            content: [vec![content], continued].concat(),
            confidence,
            ..Candidate::of(rule)
        });
    }
}
