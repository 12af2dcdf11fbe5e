//! Property tests: whatever the text, entities and sentences, the claims keep their contract
//! (`contract_violations`) and nothing panics.
//!
//! Random strings almost never hold "said" beside a quotation mark, so texts are built from
//! pieces that make the rules fire: the lexicon's cues, quotation marks of every kind,
//! punctuation, line breaks (CRLF too), names, pronouns, emoji, combining marks and random
//! Unicode. `generated_documents_reach_the_rules` checks that they do.

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

use super::*;
use crate::document::Span;
use crate::segment::Segmenter;

/// Pieces besides the lexicon's cues.
const PIECES: &[&str] = &[
    " ",
    "\n",
    "\n\n",
    "\r\n",
    "\t",
    ".",
    ",",
    ":",
    ";",
    "?",
    "!",
    "…",
    "(",
    ")",
    "-",
    "—",
    "―",
    "\"",
    "''",
    "``",
    "“",
    "”",
    "«",
    "»",
    "„",
    "‘",
    "’",
    "'",
    "that",
    "to",
    "the",
    "a",
    "and",
    "but",
    "by",
    "in",
    "on",
    "is",
    "was",
    "has",
    "also",
    "Asked",
    "when",
    "who",
    "he",
    "she",
    "they",
    "it",
    "I",
    "Putin",
    "ISW",
    "Vladimir Putin",
    "Institute for the Study of War",
    "Mr.",
    "U.S.",
    "WALLACE",
    "Credit",
    "article",
    "published",
    "Monday",
    "🙂",
    "👍🏽",
    "e\u{301}",
    "Путін",
    "\u{200b}",
    // Stretches that the rules needing a line start, a dash or a participle phrase look for.
    "\nWALLACE:",
    "\nISW:",
    "\n\n“",
    "” ― Sonya Herridge\n",
    ", saying that",
    "Asked whether",
    "published an article stating",
    "“We will win,” he said, “and soon.”",
    "according to officials,",
];

const LABELS: &[&str] = &["PER", "ORG", "LOC", "MISC", "", "per", "X-Y"];

fn cue_forms() -> Vec<String> {
    let mut forms: Vec<String> = Lexicon::default().entries().map(|entry| entry.words.join(" ")).collect();
    forms.sort();
    forms
}

fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => proptest::sample::select(cue_forms()),
        6 => proptest::sample::select(PIECES).prop_map(str::to_string),
        1 => "\\PC{0,4}",
        1 => any::<String>().prop_map(|s| s.chars().take(4).collect()),
    ]
}

/// Texts of up to 80 pieces, most followed by a space.
fn text() -> impl Strategy<Value = String> {
    proptest::collection::vec((piece(), proptest::bool::weighted(0.7)), 0..80)
        .prop_map(|pieces| pieces.into_iter().map(|(piece, space)| if space { piece + " " } else { piece }).collect())
}

/// Raw spans as (start, length) before they are fitted to a text: starts anywhere in it
/// (fitted by remainder), lengths from zero.
fn raw_spans(max: usize) -> impl Strategy<Value = Vec<(usize, usize, &'static str)>> {
    proptest::collection::vec((any::<usize>(), 0usize..30, proptest::sample::select(LABELS)), 0..max)
}

/// A document with entities fitted to its text: in order without overlaps as the model gives
/// them, or as they come (overlapping, nested, empty, in any order).
fn document(text: String, spans: Vec<(usize, usize, &'static str)>, ordered: bool) -> Document {
    let mut doc = Document::new("prop", text);
    let index = doc.char_index();
    let len = index.len_chars();
    let mut spans: Vec<(usize, usize, &str)> = spans
        .into_iter()
        .map(|(start, length, label)| {
            let start = start % (len + 1);
            (start, (start + length).min(len), label)
        })
        .collect();
    if ordered {
        spans.sort();
        let mut last_end = 0;
        spans.retain(|(start, end, _)| {
            let keep = *start >= last_end;
            last_end = last_end.max(*end);
            keep
        });
    }
    doc.entities = spans
        .into_iter()
        .enumerate()
        .map(|(i, (start, end, label))| Entity {
            id: format!("e{i}"),
            text: index.slice(start..end).to_string(),
            label: label.to_string(),
            start,
            end,
            score: 0.5,
        })
        .collect();
    doc
}

fn claims_keep_their_contract(doc: &mut Document) -> Result<(), TestCaseError> {
    ClaimRules::default().apply(doc);
    let violations = contract_violations(doc);
    prop_assert!(violations.is_empty(), "{violations:?}\ntext: {:?}\nclaims: {:#?}", doc.text, doc.claims);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn claims_of_segmented_text_lie_inside_it_whatever_the_entities(
        text in text(),
        spans in raw_spans(30),
        ordered in any::<bool>(),
    ) {
        let mut doc = document(text, spans, ordered);
        Segmenter::default().apply(&mut doc);
        claims_keep_their_contract(&mut doc)?;
    }

    #[test]
    fn claims_lie_inside_the_text_whatever_the_sentence_spans(
        text in text(),
        spans in raw_spans(20),
        sentences in proptest::collection::vec((0usize..400, 0usize..400), 0..12),
        ordered in any::<bool>(),
    ) {
        let mut doc = document(text, spans, ordered);
        // Reversed, empty, overlapping and past the end, as well as plausible.
        doc.sentences = sentences.into_iter().map(|(start, end)| Span::new(start, end)).collect();
        claims_keep_their_contract(&mut doc)?;
    }

    #[test]
    fn claims_of_arbitrary_unicode_lie_inside_it(text in any::<String>(), spans in raw_spans(10)) {
        let mut doc = document(text, spans, true);
        Segmenter::default().apply(&mut doc);
        claims_keep_their_contract(&mut doc)?;
    }
}

/// The generators must make the rules fire, or the properties above say little: of 256
/// generated documents (a fixed seed), at least a third get a claim, from at least ten rules.
#[test]
fn generated_documents_reach_the_rules() {
    let config = Config::default();
    let mut runner = TestRunner::new_with_rng(config, TestRng::deterministic_rng(RngAlgorithm::ChaCha));
    let strategy = (text(), raw_spans(30), any::<bool>());
    let rules = ClaimRules::default();
    let (mut with_claims, mut claims, mut rules_fired) = (0, 0, std::collections::BTreeSet::new());
    for _ in 0..256 {
        let (text, spans, ordered) = strategy.new_tree(&mut runner).unwrap().current();
        let mut doc = document(text, spans, ordered);
        Segmenter::default().apply(&mut doc);
        rules.apply(&mut doc);
        with_claims += usize::from(!doc.claims.is_empty());
        claims += doc.claims.len();
        rules_fired.extend(doc.claims.iter().map(|c| c.rule.clone()));
    }
    println!("{with_claims} of 256 generated documents have claims ({claims} claims; rules: {rules_fired:?})");
    assert!(with_claims >= 256 / 3, "only {with_claims} of 256 generated documents have a claim");
    assert!(rules_fired.len() >= 10, "only these rules fired: {rules_fired:?}");
}
