//! `quote-source-cue`, `quote-cue-source`, `split-quote` and `quote-dash-source`: a quotation
//! and the attribution after it.

use std::ops::Range;

use super::super::lexicon::CueKind;
use super::super::quotes::Quote;
use super::grammar::{Grammar, RuleMatch, MAX_SOURCE_TOKENS};
use super::registry::RuleName;
use super::{Candidate, Found};

/// "“...,” SOURCE CUE" / "“...,” CUE SOURCE", the quote possibly continued after the attribution.
pub(super) fn find(found: &mut Found, sentence: Range<usize>, next: Option<&Range<usize>>) {
    let g = found.grammar;
    // "“...?” Clinton said." : the attribution may open the next sentence.
    let next_end = next.map_or(sentence.end, |next| next.end);
    for close in sentence.clone() {
        let Some(quote) = g.quote_closing_at(close).copied() else { continue };
        let after = close + 1;
        let end = if after >= sentence.end { next_end } else { sentence.end };
        let end = g.marks.stops.first_in(after..end).unwrap_or(end);
        // The attribution may open the next sentence, not the next paragraph; a signature
        // ("— Name") may stand on a line of its own.
        let next_paragraph = after >= sentence.end && after < g.tokens.len() && g.tokens[after].newline_before;
        let attribution = if next_paragraph { None } else { g.attribution_after(after, end) };
        let Some(RuleMatch { source, cue, entry: cue_entry, end: attribution_end }) = attribution else {
            dash_attribution(found, quote, end);
            continue;
        };
        if cue.clone().any(|i| found.used[i]) || introduced_by_cue(g, quote.open, sentence.start) {
            continue;
        }
        // "“X.” He added, “Y.”": an attribution opening the next sentence that introduces a
        // quotation of its own belongs to that one.
        let introduces_next = after >= sentence.end
            && attribution_end + 1 < g.tokens.len()
            && matches!(g.lower(attribution_end), "," | ":")
            && g.quote_opening_at(attribution_end + 1).is_some();
        if introduces_next {
            continue;
        }
        // Content: the whole quote; when the quote opens mid-sentence, from the sentence start.
        let content_start =
            if quote.open > sentence.start && quote.open < sentence.end { sentence.start } else { quote.open };
        let mut content = vec![content_start..close + 1];
        let mut rule = RuleName::QuoteSourceCue;
        if cue.start < source.start {
            rule = RuleName::QuoteCueSource;
        }
        // Split quote: "“X,” he said, “Y.”", or "“X,” he said. “Y.”" in the same paragraph
        // when "Y" has no attribution of its own.
        if attribution_end + 1 < g.tokens.len() && matches!(g.lower(attribution_end), "," | ".") {
            if let Some(second) = g.quote_opening_at(attribution_end + 1).copied() {
                let same_paragraph = !g.tokens[second.open].newline_before;
                let own_attribution = second.close + 1 < g.tokens.len()
                    && g.attribution_after(second.close + 1, (second.close + 12).min(g.tokens.len())).is_some();
                if same_paragraph && !own_attribution {
                    content.push(second.open..second.close + 1);
                    rule = RuleName::SplitQuote;
                }
            }
        }
        let last = content[content.len() - 1].end.max(attribution_end);
        content.extend(g.continued_quotes(last));
        found.push(Candidate {
            kind: None,
            source: Some(source),
            cue,
            lemma: cue_entry.lemma.clone(),
            content,
            ..Candidate::of(rule)
        });
    }
}

/// Whether a cue verb right before the quotation opening at `open` introduces it: "Brafman
/// said, “...”", "He added: “...”".
fn introduced_by_cue(g: &Grammar, open: usize, sentence_start: usize) -> bool {
    let mut last = open;
    if last > sentence_start && matches!(g.lower(last - 1), "," | ":") {
        last -= 1;
    }
    (last.saturating_sub(3).max(sentence_start)..last).any(|k| {
        g.cue_at(k, last)
            .is_some_and(|e| e.kind == CueKind::Verb && k + e.words.len() == last && g.used_as_verb(k, sentence_start))
    })
}

/// "“...” ― Sonya Herridge": a quotation signed with a dash and a name.
fn dash_attribution(found: &mut Found, quote: Quote, end: usize) {
    let g = found.grammar;
    let dash = quote.close + 1;
    if dash >= g.tokens.len() || !matches!(g.tokens[dash].text.as_str(), "―" | "—" | "–") || found.used[dash] {
        return;
    }
    let line_end = g.marks.line_starts.next_from(dash + 1).unwrap_or(g.tokens.len());
    let source_end = g.noun_phrase_end(dash + 1, line_end.max(end).min(dash + 1 + MAX_SOURCE_TOKENS));
    // A signature ends its line: "— ISW said that ..." is not one.
    let signed = g.marks.punct.next_without_from(source_end) >= line_end;
    if source_end == dash + 1 || !g.tokens[dash + 1].is_capitalised() || !signed {
        return;
    }
    found.push(Candidate {
        kind: None,
        source: Some(dash + 1..source_end),
        cue: dash..dash + 1,
        lemma: "—".to_string(),
        content: vec![quote.open..quote.close + 1],
        ..Candidate::of(RuleName::QuoteDashSource)
    });
}
