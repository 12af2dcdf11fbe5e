//! The claim rules on arbitrary text with arbitrary entity spans and sentences: every claim's
//! spans lie inside the text in order and match its text fields, parents and entities exist.
//!
//! Raw bytes rarely spell "said" next to a quotation mark, so half the inputs are read as a list
//! of pieces instead: cue words from the lexicon, quotation marks of every kind, punctuation,
//! line breaks, names and pronouns, and now and then arbitrary text.
#![no_main]

use std::sync::OnceLock;

use claimtag::claims::{contract_violations, ClaimRules, Lexicon};
use claimtag::document::{Document, Entity, Span};
use claimtag::offsets::CharIndex;
use claimtag::segment::Segmenter;
use libfuzzer_sys::arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;

/// Pieces that make the rules fire, besides the lexicon's cues.
const PIECES: &[&str] = &[
    " ", " ", " ", "\n", "\n\n", "\r\n", ".", ",", ":", ";", "?", "!", "…", "(", ")", "-", "—", "―", "–",
    "\"", "''", "``", "“", "”", "«", "»", "„", "‘", "’", "'", "that", "to", "the", "a", "and", "but", "by",
    "in", "on", "of", "is", "was", "has", "also", "not", "Asked", "asked", "when", "who", "it", "he", "she",
    "they", "I", "we", "you", "Putin", "ISW", "Institute for the Study of War", "Vladimir Putin", "Mr.",
    "U.S.", "WALLACE", "Credit", "article", "published", "stating", "expected", "seems", "Monday", "🙂",
    "e\u{301}", "Путін", "\u{0}", "\t",
];

const LABELS: &[&str] = &["PER", "ORG", "LOC", "MISC", "", "per", "X"];

struct Setup {
    rules: ClaimRules,
    segmenter: Segmenter,
    pieces: Vec<String>,
}

fn setup() -> &'static Setup {
    static SETUP: OnceLock<Setup> = OnceLock::new();
    SETUP.get_or_init(|| {
        let lexicon = Lexicon::default();
        let mut cues: Vec<String> = lexicon.entries().map(|entry| entry.words.join(" ")).collect();
        cues.sort();
        let mut pieces: Vec<String> = PIECES.iter().map(|p| p.to_string()).collect();
        pieces.extend(cues);
        Setup { rules: ClaimRules::new(lexicon), segmenter: Segmenter::default(), pieces }
    })
}

fn text(u: &mut Unstructured, pieces: &[String]) -> Result<String> {
    let mut text = String::new();
    let count = u.int_in_range(0..=300)?;
    for _ in 0..count {
        if u.ratio(1, 40)? {
            text.push_str(u.arbitrary::<&str>()?);
        } else {
            text.push_str(u.choose(pieces)?);
            if u.ratio(2, 3)? {
                text.push(' ');
            }
        }
    }
    Ok(text)
}

fn span(u: &mut Unstructured, len: usize) -> Result<(usize, usize)> {
    let start = u.int_in_range(0..=len)?;
    let end = start + u.int_in_range(0..=(len - start).min(40))?;
    Ok((start, end))
}

fn run(data: &[u8]) -> Result<()> {
    let setup = setup();
    let Some((&mode, rest)) = data.split_first() else { return Ok(()) };
    // Raw text is the longest UTF-8 prefix, so a seed article is read as it is; the bytes after
    // the first invalid one choose the entities and sentences.
    let (text, mut u) = if mode & 1 == 0 {
        let mut u = Unstructured::new(rest);
        (text(&mut u, &setup.pieces)?, u)
    } else {
        let valid = match std::str::from_utf8(rest) {
            Ok(_) => rest.len(),
            Err(err) => err.valid_up_to(),
        };
        let text = String::from_utf8_lossy(&rest[..valid]).into_owned();
        (text, Unstructured::new(&rest[(valid + 1).min(rest.len())..]))
    };
    let mut doc = Document::new("fuzz", text);
    let index = CharIndex::new(&doc.text);
    let len = index.len_chars();
    let mut spans = Vec::new();
    for _ in 0..u.int_in_range(0..=40)? {
        spans.push((span(&mut u, len)?, *u.choose(LABELS)?));
    }
    // The model's entities come in order without overlaps; anything else must not break the rules either.
    if mode & 2 == 0 {
        spans.sort();
        let mut last_end = 0;
        spans.retain(|((start, end), _)| {
            let keep = *start >= last_end;
            last_end = last_end.max(*end);
            keep
        });
    }
    doc.entities = spans
        .iter()
        .enumerate()
        .map(|(i, ((start, end), label))| Entity {
            id: format!("e{i}"),
            text: index.slice(*start..*end).to_string(),
            label: label.to_string(),
            start: *start,
            end: *end,
            score: 1.0,
        })
        .collect();
    if mode & 4 == 0 {
        setup.segmenter.apply(&mut doc);
    } else {
        for _ in 0..u.int_in_range(0..=20)? {
            // Any spans at all, reversed and past the end included.
            doc.sentences.push(Span::new(u.int_in_range(0..=len + 2)?, u.int_in_range(0..=len + 2)?));
        }
    }
    setup.rules.apply(&mut doc);
    let violations = contract_violations(&doc);
    assert!(violations.is_empty(), "{violations:?}\ntext: {:?}\nclaims: {:?}", doc.text, doc.claims);
    Ok(())
}

fuzz_target!(|data: &[u8]| {
    let _ = run(data);
});
