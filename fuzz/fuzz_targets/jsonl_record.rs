//! One JSONL line, whatever its bytes: parse_record gives a document or an error record, never a
//! panic; a document goes through segmentation and the claim rules with their contracts kept.
#![no_main]

use claimtag::claims::{contract_violations, ClaimRules};
use claimtag::input::parse_record;
use claimtag::segment::{span_violations, Segmenter};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|line: &str| {
    let Ok(mut doc) = parse_record(line, "line:1") else { return };
    Segmenter::default().apply(&mut doc);
    let violations = span_violations(&doc.text, &doc.sentences);
    assert!(violations.is_empty(), "{violations:?} in {line:?}");
    ClaimRules::default().apply(&mut doc);
    let violations = contract_violations(&doc);
    assert!(violations.is_empty(), "{violations:?} in {line:?}");
});
