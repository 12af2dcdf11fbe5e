//! Property: every export reads back to what was written, for any document the pipeline can
//! produce: non-ASCII text (curly quotes, dashes, Cyrillic, emoji, combining marks), whitespace
//! runs and line breaks inside and between spans, overlapping claim roles, split contents.

use proptest::prelude::*;

use super::*;
use crate::document::{Claim, ClaimContent, ClaimCue, ClaimKind, ClaimSource, Entity};
use crate::export::{brat, doccano, label_studio, prodigy, spacy, webanno};
use crate::output::DocumentSink;
use crate::segment::Segmenter;

/// Pieces texts are made of: words of several scripts and separators of every kind.
const PIECES: &[&str] = &[
    "Putin",
    "ISW",
    "said",
    "Київ",
    "Путін",
    "🙂",
    "e\u{301}té",
    "U.S.",
    "2024",
    "O'Neil",
    " ",
    " ",
    " ",
    "  ",
    "\t",
    "\n",
    "\n\n",
    "\r\n",
    " — ",
    ", ",
    ". ",
    "“",
    "” ",
    "\"",
    "'",
    "(",
    ")",
    ":",
    "…",
    "\u{a0}",
];

/// A segmented document with entities on word boundaries (never overlapping each other) and
/// claims whose roles are runs of words, some contents in two pieces.
fn documents() -> impl Strategy<Value = Document> {
    let text = prop::collection::vec(prop::sample::select(PIECES), 0..40).prop_map(|pieces| pieces.concat());
    (text, prop::collection::vec(any::<u16>(), 12)).prop_map(|(text, choices)| {
        let mut doc = Document::new("doc", text);
        doc.sentences = Segmenter::default().split(&doc.text);
        let words: Vec<Span> = words_of(&doc).iter().map(|word| word.span).collect();
        let mut choice = choices.into_iter().map(usize::from).cycle();
        let mut pick = |n: usize| if n == 0 { 0 } else { choice.next().unwrap_or(0) % n };
        let labels = ["PER", "ORG", "LOC", "MISC"];
        let mut at = 0;
        while at < words.len() && doc.entities.len() < 4 {
            let start = at + pick(3);
            let end = (start + 1 + pick(3)).min(words.len());
            if start >= end {
                break;
            }
            let span = Span::new(words[start].start, words[end - 1].end);
            doc.entities.push(entity(&doc.text, doc.entities.len(), labels[pick(4)], span));
            at = end + 1;
        }
        for n in 0..pick(3) {
            if words.len() < 3 {
                break;
            }
            let cue = words[pick(words.len())];
            let first = pick(words.len());
            let last = (first + pick(4)).min(words.len() - 1);
            let mut parts = vec![[words[first].start, words[last].end]];
            if pick(2) == 1 && last + 2 < words.len() {
                let second = last + 2 + pick(words.len() - last - 2);
                parts.push([words[second].start, words[second].end]);
            }
            let source = (pick(2) == 1).then(|| words[pick(words.len())]);
            doc.claims.push(claim(&doc.text, n, cue, parts, source));
        }
        doc
    })
}

fn slice(text: &str, span: Span) -> String {
    crate::offsets::CharIndex::new(text).slice(span.start..span.end).to_string()
}

fn entity(text: &str, n: usize, label: &str, span: Span) -> Entity {
    Entity {
        id: format!("e{n}"),
        text: slice(text, span),
        label: label.to_string(),
        start: span.start,
        end: span.end,
        score: 0.5,
    }
}

fn claim(text: &str, n: usize, cue: Span, parts: Vec<[usize; 2]>, source: Option<Span>) -> Claim {
    let content = Span::new(parts[0][0], parts[parts.len() - 1][1]);
    Claim {
        id: format!("c{n}"),
        kind: ClaimKind::Indirect,
        source: source.map(|span| ClaimSource {
            text: slice(text, span),
            start: span.start,
            end: span.end,
            entity: None,
            resolved: None,
        }),
        cue: ClaimCue { text: slice(text, cue), start: cue.start, end: cue.end, lemma: "say".to_string() },
        content: ClaimContent {
            text: slice(text, content),
            start: content.start,
            end: content.end,
            parts: (parts.len() > 1).then_some(parts),
        },
        entities: Vec::new(),
        parent: None,
        confidence: 0.5,
        rule: "generated".to_string(),
    }
}

fn entity_spans(doc: &Document) -> Vec<LabeledSpan> {
    doc.entities.iter().map(|e| LabeledSpan::new(&e.label, e.start, e.end)).collect()
}

/// Writes `doc` through a JSON array sink, as `tag --format` does.
fn json_array(doc: &Document, make: RecordMaker) -> Vec<u8> {
    let mut out = Vec::new();
    let mut sink = ToolJsonSink::new(&mut out, JsonLayout::Array, make);
    sink.write(doc).expect("writes to memory");
    sink.finish().expect("writes to memory");
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn brat_reads_back_every_span_fragment_and_relation(doc in documents()) {
        let dir = tempfile::tempdir().unwrap();
        let mut sink = brat::BratSink::new(dir.path()).unwrap();
        sink.write(&doc).unwrap();
        sink.finish().unwrap();
        let texts = brat::read(dir.path()).unwrap();
        prop_assert_eq!(&texts[0].text, &doc.text);
        prop_assert_eq!(texts[0].annotations.canonical(), Annotations::of(&doc).canonical());
    }

    #[test]
    fn webanno_reads_back_every_span_and_relation(doc in documents()) {
        let read = webanno::read_tsv(&webanno::tsv(&doc), &doc.text).unwrap();
        prop_assert_eq!(read.canonical(), joined_parts(Annotations::of(&doc)).canonical());
    }

    #[test]
    fn label_studio_reads_back_every_span_and_relation(doc in documents()) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tasks.json");
        std::fs::write(&path, json_array(&doc, label_studio::task)).unwrap();
        let texts = label_studio::read(&path).unwrap().texts;
        prop_assert_eq!(&texts[0].text, &doc.text);
        prop_assert_eq!(texts[0].annotations.canonical(), joined_parts(Annotations::of(&doc)).canonical());
    }

    #[test]
    fn doccano_reads_back_every_span_and_relation(doc in documents()) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("doccano.jsonl");
        std::fs::write(&path, format!("{}\n", doccano::record(&doc, 0))).unwrap();
        let texts = doccano::read(&path).unwrap();
        prop_assert_eq!(&texts[0].text, &doc.text);
        prop_assert_eq!(texts[0].annotations.canonical(), joined_parts(Annotations::of(&doc)).canonical());
    }

    #[test]
    fn prodigy_reads_back_every_span_and_relation(doc in documents()) {
        let task = prodigy::task(&doc, 0);
        prop_assert_eq!(prodigy::read_task(&task).canonical(), joined_parts(Annotations::of(&doc)).canonical());
        prop_assert_eq!(prodigy::tests::rebuilt(&task), doc.text.clone());
        let tokens = task["tokens"].as_array().unwrap();
        for span in task["spans"].as_array().unwrap() {
            // A spaCy-style reader places a span by its tokens: they must start and end with it.
            let token = |key: &str| &tokens[span[key].as_u64().unwrap() as usize];
            prop_assert_eq!(&token("token_start")["start"], &span["start"]);
            prop_assert_eq!(&token("token_end")["end"], &span["end"]);
        }
    }

    #[test]
    fn spacy_reads_back_the_text_and_every_entity(doc in documents()) {
        let documents: serde_json::Value = serde_json::from_slice(&json_array(&doc, spacy::document)).unwrap();
        let (raw, entities) = spacy::read_entities(&documents[0]).unwrap();
        if doc.text.chars().any(|c| !c.is_whitespace()) {
            // A text of whitespace alone has no token to carry it.
            prop_assert_eq!(spacy::tests::text_from_tokens(&documents[0]), doc.text.clone(), "as spaCy rebuilds it");
        }
        prop_assert_eq!(raw, doc.text.clone());
        prop_assert_eq!(entities, entity_spans(&doc));
    }
}
