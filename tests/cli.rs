//! `claimtag tag` as users and scripts call it.

mod common;

use std::process::Output;

use common::{claimtag, slice_chars, stderr, tiny_model, Head};
use serde_json::Value;

const EXAMPLE_ARTICLE: &str = include_str!("../examples/euromaidan-isw-negotiations.txt");

fn jsonl_records(output: &Output) -> Vec<Value> {
    assert!(output.status.success(), "claimtag failed: {}", stderr(output));
    String::from_utf8(output.stdout.clone()).unwrap().lines().map(|line| serde_json::from_str(line).unwrap()).collect()
}

fn assert_entity_offsets(record: &Value) {
    let text = record["text"].as_str().unwrap();
    for entity in record["entities"].as_array().unwrap() {
        let (start, end) = (entity["start"].as_u64().unwrap() as usize, entity["end"].as_u64().unwrap() as usize);
        assert_eq!(slice_chars(text, start, end), entity["text"].as_str().unwrap(), "{entity}");
    }
}

#[test]
fn jsonl_in_jsonl_out_keeps_order_ids_meta_and_valid_offsets() {
    let model = tiny_model(Head::Random);
    let big = EXAMPLE_ARTICLE.repeat(200_000 / EXAMPLE_ARTICLE.len() + 1);
    let input = [
        serde_json::json!({"id": "article", "text": EXAMPLE_ARTICLE, "source": "Euromaidan Press"}),
        serde_json::json!({"text": "Putin said so."}),
        serde_json::json!({"id": "big", "text": big}),
        serde_json::json!({"id": "empty", "text": ""}),
    ]
    .iter()
    .map(Value::to_string)
    .collect::<Vec<_>>()
    .join("\n");
    let output = claimtag(
        &["tag", "--model", model.path.to_str().unwrap(), "--format", "jsonl", "--input-format", "jsonl"],
        input.as_bytes(),
    );
    let records = jsonl_records(&output);
    let ids: Vec<&str> = records.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["article", "line:2", "big", "empty"]);
    assert_eq!(records[0]["meta"]["source"], "Euromaidan Press");
    assert!(records[2]["text"].as_str().unwrap().len() > 200_000);
    assert!(!records[2]["entities"].as_array().unwrap().is_empty());
    for record in &records {
        assert_entity_offsets(record);
    }
}

#[test]
fn a_text_file_becomes_one_document_named_after_the_file() {
    let model = tiny_model(Head::Always(1));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("note.txt");
    std::fs::write(&file, "Zelensky met Macron.").unwrap();
    let output = claimtag(&["tag", "--model", model.path.to_str().unwrap(), file.to_str().unwrap()], b"");
    assert!(output.status.success(), "{}", stderr(&output));
    let record: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(record["id"], "note.txt");
    let texts: Vec<&str> = record["entities"].as_array().unwrap().iter().map(|e| e["text"].as_str().unwrap()).collect();
    assert_eq!(texts, ["Zelensky", "met", "Macron"]);
    assert_eq!(record["entities"][2]["start"], 13);
}

#[test]
fn several_files_give_a_json_array_in_argument_order() {
    let model = tiny_model(Head::Random);
    let dir = tempfile::tempdir().unwrap();
    for name in ["b.txt", "a.txt"] {
        std::fs::write(dir.path().join(name), format!("Text of {name}.")).unwrap();
    }
    let b = dir.path().join("b.txt");
    let a = dir.path().join("a.txt");
    let output =
        claimtag(&["tag", "--model", model.path.to_str().unwrap(), b.to_str().unwrap(), a.to_str().unwrap()], b"");
    assert!(output.status.success(), "{}", stderr(&output));
    let records: Value = serde_json::from_slice(&output.stdout).unwrap();
    let ids: Vec<&str> = records.as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["b.txt", "a.txt"]);
}

#[test]
fn an_invalid_utf8_file_gets_an_error_record_and_exit_status_3() {
    let model = tiny_model(Head::Random);
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("latin1.txt");
    std::fs::write(&bad, b"Caf\xe9").unwrap();
    let good = dir.path().join("good.txt");
    std::fs::write(&good, "Kyiv").unwrap();
    let output = claimtag(
        &[
            "tag",
            "--model",
            model.path.to_str().unwrap(),
            "--format",
            "jsonl",
            bad.to_str().unwrap(),
            good.to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    let lines: Vec<Value> =
        String::from_utf8(output.stdout.clone()).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines[0]["id"], "latin1.txt");
    assert_eq!(lines[0]["error"]["kind"], "invalid_utf8");
    let message = lines[0]["error"]["message"].as_str().unwrap();
    assert!(message.contains(&format!("{}: not valid UTF-8", bad.display())), "{message}");
    assert_eq!(lines[1]["text"], "Kyiv", "the next file is still tagged");
    assert!(stderr(&output).contains("done: 1 documents (1 errors)"), "the summary counts both: {}", stderr(&output));
}

#[test]
fn a_model_directory_without_files_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let output = claimtag(&["tag", "--model", dir.path().to_str().unwrap()], b"text");
    assert!(!output.status.success());
    let message = stderr(&output);
    assert_eq!(message.lines().count(), 1, "{message}");
    assert!(message.contains(&format!("{}: missing", dir.path().join("config.json").display())), "{message}");
}

#[test]
fn pretty_format_marks_entities_in_the_text() {
    let model = tiny_model(Head::Always(5));
    let output = claimtag(&["tag", "--model", model.path.to_str().unwrap(), "--format", "pretty"], "Kyiv".as_bytes());
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(String::from_utf8_lossy(&output.stdout).contains("[Kyiv](LOC)"));
}

#[test]
fn claims_come_by_default_and_no_claims_skips_them() {
    let model = tiny_model(Head::Random);
    let text = "ISW said that Putin wants a ceasefire.";
    let with = claimtag(&["tag", "--model", model.path.to_str().unwrap(), "--format", "jsonl"], text.as_bytes());
    let record = &jsonl_records(&with)[0];
    assert_eq!(record["claims"][0]["cue"]["text"], "said");
    assert_eq!(record["claims"][0]["content"]["text"], "that Putin wants a ceasefire");
    let without = claimtag(
        &["tag", "--model", model.path.to_str().unwrap(), "--format", "jsonl", "--no-claims"],
        text.as_bytes(),
    );
    assert_eq!(jsonl_records(&without)[0]["claims"], serde_json::json!([]));
}

#[test]
fn an_unknown_device_is_refused_as_bad_usage() {
    let model = tiny_model(Head::Random);
    let output = claimtag(&["tag", "--model", model.path.to_str().unwrap(), "--device", "tpu"], b"x");
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains("unknown device \"tpu\""), "{}", stderr(&output));
}

#[test]
fn misspelt_or_out_of_range_options_are_usage_errors_before_any_work() {
    let cases: [&[&str]; 10] = [
        &["tag", "--precision", "fp8"],
        &["tag", "--cue-classes", "say,speech"],
        &["eval-claims", "--polnear", "dir", "--cue-classes", "Say"],
        &["tag", "--decoding", "viterbi"],
        &["tag", "--threads", "0"],
        &["tag", "--threads", "3000000000"],
        &["tag", "--threads", "100000"],
        &["tag", "--num-shards", "0", "--shard-index", "0"],
        &["eval", "--data", "x.txt", "--device", "gpu"],
        &["train", "--base", "b", "--train", "t", "--out", "o", "--threads", "0"],
    ];
    for args in cases {
        // No model is given: a usage error must come before the model would be looked for.
        let output = claimtag(args, b"x");
        assert_eq!(output.status.code(), Some(2), "{args:?}: {}", stderr(&output));
        let message = stderr(&output);
        assert!(message.starts_with("error: invalid value"), "{args:?}: {message}");
    }
}
