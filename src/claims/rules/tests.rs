//! Each rule on its own, on one sentence of the shape it matches.

use super::super::entities::Entities;
use super::super::lexicon::Lexicon;
use super::super::quotes::find_quotes;
use super::super::tokens::{sentence_ranges, tokenize};
use super::*;
use crate::document::{Document, Entity};
use crate::offsets::CharIndex;
use crate::segment::Segmenter;

/// (source, cue, content parts) of a candidate, as text.
type Texts = (String, String, Vec<String>);

/// Entities as (text, label): every occurrence of the text is one.
type Mentions = &'static [(&'static str, &'static str)];

/// What `rule` alone finds in `text`, whose entities are every occurrence of the given strings;
/// with `rule` `None`, what all the rules find, with the rule of each.
fn find(rule: Option<RuleName>, text: &str, entities: &[(&str, &str)]) -> Vec<(&'static str, Texts)> {
    let mut doc = Document::new("t", text);
    Segmenter::default().apply(&mut doc);
    let index = CharIndex::new(text);
    let mut mentions: Vec<Entity> = entities
        .iter()
        .flat_map(|(name, label)| {
            text.match_indices(name).map(|(byte, _)| {
                let start = index.char_of_byte(byte);
                let end = start + crate::offsets::char_len(name);
                Entity { id: String::new(), text: name.to_string(), label: label.to_string(), start, end, score: 1.0 }
            })
        })
        .collect();
    mentions.sort_by_key(|e| e.start);
    let tokens = tokenize(&CharIndex::new(text));
    let quotes = find_quotes(&tokens);
    let entities = Entities::new(&mentions);
    let lexicon = Lexicon::default();
    let sentences = sentence_ranges(&tokens, &doc.sentences);
    let runner = RuleRunner::new(&tokens, &quotes, &entities, &lexicon);
    let candidates = match rule {
        Some(rule) => runner.run_rule(rule, &sentences),
        None => runner.run(&sentences),
    };
    let words = |range: &Range<usize>| index.slice(tokens[range.start].start..tokens[range.end - 1].end).to_string();
    candidates
        .iter()
        .map(|c| {
            let source = c.source.as_ref().map_or(String::new(), words);
            (c.rule, (source, words(&c.cue), c.content.iter().map(words).collect()))
        })
        .collect()
}

fn found(source: &str, cue: &str, content: &[&str]) -> Texts {
    (source.into(), cue.into(), content.iter().map(|part| part.to_string()).collect())
}

/// One sentence per rule, what the rule finds in it alone, and the entities it needs.
fn examples() -> Vec<(RuleName, &'static str, Mentions, Texts)> {
    use RuleName::*;
    vec![
        (
            AccordingTo,
            "According to ISW, Putin is preparing an offensive.",
            &[],
            found("ISW", "According to", &["Putin is preparing an offensive"]),
        ),
        (QuoteSourceCue, "“We will win,” Zelensky said.", &[], found("Zelensky", "said", &["“We will win,”"])),
        (QuoteCueSource, "“We will win,” said Zelensky.", &[], found("Zelensky", "said", &["“We will win,”"])),
        (
            SplitQuote,
            "“We will win,” Zelensky said, “and soon.”",
            &[],
            found("Zelensky", "said", &["“We will win,”", "“and soon.”"]),
        ),
        (
            QuoteDashSource,
            "“We will win.” — Volodymyr Zelensky",
            &[],
            found("Volodymyr Zelensky", "—", &["“We will win.”"]),
        ),
        (
            Headline,
            "ISW: Putin aims to seize more land\n",
            &[("ISW", "ORG")],
            found("ISW", ":", &["Putin aims to seize more land"]),
        ),
        (
            SpeakerLabel,
            "WALLACE: Let’s start with the economy.",
            &[],
            found("WALLACE", ":", &["Let’s start with the economy"]),
        ),
        (
            FrontedQuestion,
            "Asked whether he would run, Ryan said no.",
            &[],
            found("", "Asked", &["whether he would run"]),
        ),
        (
            ContentCommaSourceCue,
            "Putin is preparing an offensive, ISW said.",
            &[],
            found("ISW", "said", &["Putin is preparing an offensive"]),
        ),
        (
            ContentCommaCueSource,
            "Putin is preparing an offensive, said a spokesman.",
            &[],
            found("a spokesman", "said", &["Putin is preparing an offensive"]),
        ),
        (
            NominalParticiple,
            "ISW published an article stating that Putin is preparing an offensive.",
            &[],
            found("ISW", "published an article stating", &["that Putin is preparing an offensive"]),
        ),
        (
            Participle,
            "Putin spoke on Monday, saying that the talks were over.",
            &[("Putin", "PER")],
            found("Putin", "saying", &["that the talks were over"]),
        ),
        (Raising, "The deal seems to be off.", &[], found("", "seems", &["The deal", "to be off"])),
        (
            SourceCueContent,
            "ISW also said that Putin is preparing an offensive.",
            &[],
            found("ISW", "also said", &["that Putin is preparing an offensive"]),
        ),
    ]
}

#[test]
fn every_rule_has_an_example() {
    let examples = examples();
    for rule in RULES {
        assert!(examples.iter().any(|(name, ..)| *name == rule.name()), "no example for {}", rule.name().as_str());
    }
}

#[test]
fn each_rule_alone_finds_the_claim_of_its_example() {
    for (rule, text, entities, expected) in examples() {
        assert_eq!(find(Some(rule), text, entities), [(rule.as_str(), expected)], "{text}");
    }
}

#[test]
fn with_every_rule_running_each_example_is_still_its_rule_s() {
    for (rule, text, entities, _) in examples() {
        let rules: Vec<&str> = find(None, text, entities).into_iter().map(|(rule, _)| rule).collect();
        assert!(rules.contains(&rule.as_str()), "{text}: {rules:?}");
    }
}

#[test]
fn a_rule_alone_finds_nothing_in_another_rule_s_shape() {
    assert!(find(Some(RuleName::Headline), "ISW said that Putin is preparing an offensive.", &[]).is_empty());
    assert!(
        find(Some(RuleName::SourceCueContent), "According to ISW, Putin is preparing an offensive.", &[]).is_empty()
    );
}

#[test]
fn a_cue_taken_by_an_earlier_rule_is_not_taken_again() {
    // The quotation rules run before "SOURCE CUE CONTENT": "said" is the quote's cue only.
    let all = find(None, "“We will win,” Zelensky said.", &[]);
    assert_eq!(all.len(), 1, "{all:?}");
    assert_eq!(all[0].0, "quote-source-cue");
}
