//! Sentence segmentation of arbitrary text: spans in order, non-overlapping, inside the text,
//! trimmed, non-empty, covering every non-whitespace character.
#![no_main]

use claimtag::segment::{span_violations, Segmenter};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let spans = Segmenter::default().split(text);
    let violations = span_violations(text, &spans);
    assert!(violations.is_empty(), "{violations:?} in {text:?}: {spans:?}");
});
