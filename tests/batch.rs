//! Batch runs: error records, pipe mode, resume after `kill -9`, sharding, article inputs.

mod common;

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{claimtag, slice_chars, stderr, tiny_model, Head};
use serde_json::{json, Value};

fn parse_lines(text: &str) -> Vec<Value> {
    text.lines().map(|line| serde_json::from_str(line).unwrap_or_else(|err| panic!("{err}: {line:?}"))).collect()
}

fn stdout_records(output: &std::process::Output) -> Vec<Value> {
    parse_lines(std::str::from_utf8(&output.stdout).unwrap())
}

/// `n` JSONL records with ids `d0`, `d1`, ... and texts of a few sentences each.
fn corpus(n: usize) -> String {
    (0..n)
        .map(|i| {
            let text = format!(
                "ISW said that Putin met Zelensky in Kyiv on day {i}. “The war goes on,” the minister said. Russia denied it."
            );
            json!({"id": format!("d{i}"), "text": text}).to_string() + "\n"
        })
        .collect()
}

#[test]
fn bad_records_get_error_records_in_place_and_the_run_goes_on() {
    let model = tiny_model(Head::Random);
    let input = "{\"id\": \"a\", \"text\": \"Kyiv\"}\nnot json\n{\"id\": \"c\"}\n\n{\"id\": \"d\", \"text\": \"\"}\n";
    let output = claimtag(
        &["tag", "--model", model.path.to_str().unwrap(), "--input-format", "jsonl", "--format", "jsonl"],
        input.as_bytes(),
    );
    assert_eq!(output.status.code(), Some(3), "some failed: {}", stderr(&output));
    let records = stdout_records(&output);
    let ids: Vec<&str> = records.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["a", "line:2", "c", "d"], "in input order; the blank line is skipped");
    assert_eq!(records[1]["error"]["kind"], "invalid_json");
    assert!(records[1]["error"]["message"].as_str().unwrap().starts_with("stdin, line 2: invalid JSON"));
    assert_eq!(records[2]["error"], json!({"kind": "missing_text", "message": "stdin, line 3: no \"text\" field"}));
    assert_eq!(records[3]["entities"], json!([]), "empty text is not an error");
    assert!(stderr(&output).contains("done: 2 documents (2 errors)"), "{}", stderr(&output));

    let all_good = claimtag(
        &["tag", "--model", model.path.to_str().unwrap(), "--input-format", "jsonl"],
        b"{\"text\": \"Kyiv\"}\n",
    );
    assert_eq!(all_good.status.code(), Some(0));
}

#[test]
fn pipe_mode_answers_every_input_line_with_one_output_line_in_order() {
    let model = tiny_model(Head::Random);
    let mut input = corpus(150);
    input.insert_str(0, "\n{\"text\": 1}\n");
    input.push_str("{\"id\": \"last\", \"text\": \"Moscow “said” — so 🙂\"}\n");
    let output = claimtag(&["tag", "--model", model.path.to_str().unwrap(), "--pipe"], input.as_bytes());
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    let records = stdout_records(&output);
    assert_eq!(records.len(), input.lines().count());
    assert_eq!(records[0]["error"]["kind"], "blank_line");
    assert_eq!(records[1]["error"]["kind"], "text_not_string");
    for (i, record) in records[2..152].iter().enumerate() {
        assert_eq!(record["id"], format!("d{i}"));
    }
    assert_eq!(records[152]["id"], "last");
}

/// `claimtag tag --pipe` on `model`, its three standard streams piped to the test.
fn spawn_pipe(model: &Path) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_claimtag"))
        .args(["tag", "--model", model.to_str().unwrap(), "--pipe", "--progress", "none"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

#[test]
fn pipe_mode_answers_each_batch_before_the_input_ends() {
    let model = tiny_model(Head::Random);
    let mut child = spawn_pipe(&model.path);
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(b"{\"id\": \"first\", \"text\": \"Putin spoke.\"}\n").unwrap();
    stdin.flush().unwrap();
    // With stdin still open, the answer to the first line must arrive.
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    std::io::BufRead::read_line(&mut stdout, &mut line).unwrap();
    assert_eq!(serde_json::from_str::<Value>(&line).unwrap()["id"], "first");
    drop(stdin);
    assert!(child.wait().unwrap().success());
}

/// Records of a JSONL output file by id, failing on any id written twice. Scores are rounded to
/// 4 decimals: documents batched with different neighbours are padded differently, which moves
/// scores in the 7th decimal, and only that.
fn records_by_id(path: &Path) -> BTreeMap<String, Value> {
    let mut by_id = BTreeMap::new();
    for mut record in parse_lines(&std::fs::read_to_string(path).unwrap()) {
        round_floats(&mut record);
        let id = record["id"].as_str().unwrap().to_string();
        assert!(by_id.insert(id.clone(), record).is_none(), "{id} written twice");
    }
    by_id
}

fn round_floats(value: &mut Value) {
    match value {
        Value::Number(n) if n.is_f64() => *value = json!((n.as_f64().unwrap() * 1e4).round() / 1e4),
        Value::Array(items) => items.iter_mut().for_each(round_floats),
        Value::Object(fields) => fields.values_mut().for_each(round_floats),
        _ => {}
    }
}

#[test]
fn resume_after_kill_9_finishes_with_every_id_exactly_once() {
    // A decisive head: a random one has near-ties that float noise from batching could flip.
    let model = tiny_model(Head::Always(1));
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.jsonl");
    let documents = 6000;
    let mut text = corpus(documents);
    text.push_str("broken line\n");
    std::fs::write(&input, text).unwrap();
    let output = dir.path().join("out.jsonl");
    let args = [
        "tag",
        "--model",
        model.path.to_str().unwrap(),
        input.to_str().unwrap(),
        "--output",
        output.to_str().unwrap(),
        "--resume",
        "--threads",
        "1",
    ];
    let mut kills = 0;
    for _ in 0..3 {
        let mut child = Command::new(env!("CARGO_BIN_EXE_claimtag")).args(args).stderr(Stdio::null()).spawn().unwrap();
        // Kill as soon as some output exists, and mid-batch where possible.
        let started = Instant::now();
        let before = std::fs::metadata(&output).map_or(0, |m| m.len());
        while std::fs::metadata(&output).map_or(0, |m| m.len()) <= before && started.elapsed() < Duration::from_secs(60)
        {
            std::thread::sleep(Duration::from_millis(5));
        }
        std::thread::sleep(Duration::from_millis(30));
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap(); // SIGKILL: no chance to flush or clean up.
            kills += 1;
        }
        child.wait().unwrap();
    }
    assert!(kills >= 2, "the runs must really be killed mid-way ({kills} kills)");
    let partial = std::fs::read_to_string(&output).unwrap().lines().count();
    assert!(partial < documents, "the killed runs left work to do ({partial} lines)");

    let finish = Command::new(env!("CARGO_BIN_EXE_claimtag")).args(args).output().unwrap();
    assert_eq!(finish.status.code(), Some(3), "the broken line is an error record: {}", stderr(&finish));
    assert!(stderr(&finish).contains("already in the output"), "{}", stderr(&finish));
    let by_id = records_by_id(&output);
    assert_eq!(by_id.len(), documents + 1);
    for i in 0..documents {
        let record = &by_id[&format!("d{i}")];
        assert!(record["entities"].is_array(), "{record}");
    }
    assert_eq!(by_id["in.jsonl:line:6001"]["error"]["kind"], "invalid_json");

    // A fresh run gives the same records: resuming changed nothing but the timing.
    let fresh = dir.path().join("fresh.jsonl");
    let mut fresh_args = args.to_vec();
    fresh_args[5] = fresh.to_str().unwrap();
    Command::new(env!("CARGO_BIN_EXE_claimtag")).args(&fresh_args).output().unwrap();
    assert_eq!(records_by_id(&fresh), by_id);
}

#[test]
fn an_existing_output_is_not_overwritten_without_resume() {
    let model = tiny_model(Head::Random);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.jsonl");
    std::fs::write(&out, "{\"id\": \"x\"}\n").unwrap();
    let output =
        claimtag(&["tag", "--model", model.path.to_str().unwrap(), "--output", out.to_str().unwrap()], b"text");
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("already exists; pass --resume"), "{}", stderr(&output));
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "{\"id\": \"x\"}\n");
}

#[test]
fn the_union_of_shards_is_the_single_run() {
    // A decisive head: a random one has near-ties that float noise from batching could flip.
    let model = tiny_model(Head::Always(1));
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.jsonl");
    std::fs::write(&input, corpus(300)).unwrap();
    let run = |out: &Path, extra: &[&str], env: &[(&str, &str)]| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_claimtag"));
        command.args([
            "tag",
            "--model",
            model.path.to_str().unwrap(),
            input.to_str().unwrap(),
            "--output",
            out.to_str().unwrap(),
        ]);
        command.args(extra).envs(env.iter().copied());
        let output = command.output().unwrap();
        assert!(output.status.success(), "{}", stderr(&output));
        records_by_id(out)
    };
    let single = run(&dir.path().join("all.jsonl"), &[], &[]);
    let mut union = BTreeMap::new();
    let mut sizes = Vec::new();
    for index in 0..3 {
        let out = dir.path().join(format!("part-{index}.jsonl"));
        // Shard 0 by option, 1 as a Slurm array task, 2 as a Kubernetes Indexed Job.
        let part = match index {
            0 => run(&out, &["--shard-index", "0", "--num-shards", "3"], &[]),
            1 => run(&out, &[], &[("SLURM_ARRAY_TASK_ID", "1"), ("SLURM_ARRAY_TASK_COUNT", "3")]),
            _ => run(&out, &[], &[("JOB_COMPLETION_INDEX", "2"), ("CLAIMTAG_NUM_SHARDS", "3")]),
        };
        sizes.push(part.len());
        for (id, record) in part {
            assert!(union.insert(id.clone(), record).is_none(), "{id} in two shards");
        }
    }
    assert!(sizes.iter().all(|&n| n > 50), "shards are balanced: {sizes:?}");
    assert_eq!(union, single);
}

#[test]
fn directories_html_pages_and_compressed_jsonl_are_read_and_output_compressed() {
    let model = tiny_model(Head::Random);
    let dir = tempfile::tempdir().unwrap();
    let articles = dir.path().join("articles");
    std::fs::create_dir_all(articles.join("web")).unwrap();
    let page = format!(
        "<html><head><title>ISW: Putin stalls</title></head><body><nav>Home | Donate | Log in</nav>\
         <div class=\"cookie-notice\">We use cookies. Accept?</div><article>{}</article>\
         <footer>Support independent journalism: donate today.</footer></body></html>",
        "<p>The Institute for the Study of War said on Monday that Vladimir Putin — again — is stalling talks with Ukraine, \
         while “Київ” insists on a ceasefire 🙂 before any meeting in Istanbul can take place this spring.</p>"
            .repeat(4)
    );
    std::fs::write(articles.join("web/page.html"), page).unwrap();
    std::fs::write(articles.join("note.txt"), "Zelensky spoke in Kyiv.").unwrap();
    let gz = std::fs::File::create(articles.join("batch.jsonl.gz")).unwrap();
    let mut encoder = flate2::write::GzEncoder::new(gz, flate2::Compression::fast());
    encoder.write_all(corpus(3).as_bytes()).unwrap();
    encoder.finish().unwrap();

    let out = dir.path().join("out.jsonl.zst");
    let output = claimtag(
        &[
            "tag",
            "--model",
            model.path.to_str().unwrap(),
            articles.to_str().unwrap(),
            "--output",
            out.to_str().unwrap(),
        ],
        b"",
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let text = String::from_utf8(zstd::decode_all(std::fs::File::open(&out).unwrap()).unwrap()).unwrap();
    let records = parse_lines(&text);
    let ids: Vec<&str> = records.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["d0", "d1", "d2", "note.txt", "web/page.html"], "path order, JSONL ids as given");
    let page = &records[4];
    let page_text = page["text"].as_str().unwrap();
    assert!(page_text.starts_with("ISW: Putin stalls\n\nThe Institute for the Study of War said"), "{page_text}");
    for furniture in ["cookies", "Donate", "donate today"] {
        assert!(!page_text.contains(furniture), "{furniture}: {page_text}");
    }
    for entity in page["entities"].as_array().unwrap() {
        let (start, end) = (entity["start"].as_u64().unwrap() as usize, entity["end"].as_u64().unwrap() as usize);
        assert_eq!(slice_chars(page_text, start, end), entity["text"].as_str().unwrap());
    }
    assert!(!page["claims"].as_array().unwrap().is_empty(), "the extracted article's claims are found");
}

#[test]
fn documents_over_the_size_limit_become_error_records() {
    let model = tiny_model(Head::Random);
    let input =
        format!("{}\n{}\n", json!({"id": "small", "text": "Kyiv"}), json!({"id": "huge", "text": "a ".repeat(600)}));
    let output = claimtag(
        &[
            "tag",
            "--model",
            model.path.to_str().unwrap(),
            "--input-format",
            "jsonl",
            "--format",
            "jsonl",
            "--max-doc-bytes",
            "1000",
        ],
        input.as_bytes(),
    );
    assert_eq!(output.status.code(), Some(3));
    let records = stdout_records(&output);
    assert_eq!(records[0]["id"], "small");
    assert_eq!(records[1]["id"], "line:2", "the id of a line never parsed is its line number");
    assert_eq!(records[1]["error"]["kind"], "too_large");
}

#[test]
fn sentences_are_added_on_request() {
    let model = tiny_model(Head::Random);
    let output = claimtag(
        &["tag", "--model", model.path.to_str().unwrap(), "--format", "jsonl", "--sentences"],
        "Путін спить. ISW said so 🙂.".as_bytes(),
    );
    let record = &stdout_records(&output)[0];
    assert_eq!(record["sentences"], json!([{"start": 0, "end": 12}, {"start": 13, "end": 27}]));
    let without = claimtag(&["tag", "--model", model.path.to_str().unwrap(), "--format", "jsonl"], b"Kyiv.");
    assert!(stdout_records(&without)[0].get("sentences").is_none());
}

#[test]
fn half_precisions_run_on_the_cpu() {
    let model = tiny_model(Head::Always(5));
    let mut texts = HashMap::new();
    for precision in ["fp32", "bf16"] {
        let output = claimtag(
            &["tag", "--model", model.path.to_str().unwrap(), "--format", "jsonl", "--precision", precision],
            "Kyiv and Lviv".as_bytes(),
        );
        assert!(output.status.success(), "{precision}: {}", stderr(&output));
        texts.insert(precision, stdout_records(&output)[0]["entities"].clone());
    }
    assert_eq!(texts["fp32"].as_array().unwrap().len(), 3);
    assert_eq!(texts["bf16"].as_array().unwrap().len(), 3);
    let bad = claimtag(&["tag", "--model", model.path.to_str().unwrap(), "--precision", "fp8"], b"x");
    assert_eq!(bad.status.code(), Some(2), "a bad precision is a usage error: {}", stderr(&bad));
    assert!(stderr(&bad).contains("invalid value 'fp8' for '--precision"), "{}", stderr(&bad));
}

/// Runs claimtag with `env` set, `stdin` as its input (only the failpoint tests, debug builds).
#[cfg(debug_assertions)]
fn claimtag_env(args: &[&str], env: &[(&str, &str)], stdin: &[u8]) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_claimtag"))
        .args(args)
        .env_remove("CLAIMTAG_MODEL")
        .env_remove("RUST_BACKTRACE")
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

fn ids_of(records: &[Value]) -> Vec<String> {
    records.iter().map(|r| r["id"].as_str().unwrap().to_string()).collect()
}

/// A sink that panics when asked to write one document, and otherwise writes JSONL.
struct PanicsOn<'a> {
    id: &'static str,
    jsonl: claimtag::output::JsonlSink<&'a mut Vec<u8>>,
}

impl claimtag::output::DocumentSink for PanicsOn<'_> {
    fn write(&mut self, doc: &claimtag::Document) -> std::io::Result<()> {
        assert!(doc.id != self.id, "the sink chokes on {}", doc.id);
        self.jsonl.write(doc)
    }
    fn write_error(&mut self, error: &claimtag::input::RecordError) -> std::io::Result<()> {
        self.jsonl.write_error(error)
    }
    fn finish(&mut self) -> std::io::Result<()> {
        self.jsonl.finish()
    }
}

#[test]
fn a_sink_that_panics_on_one_document_costs_only_that_document() {
    use claimtag::batch::{run, Progress, ProgressMode, Selection};
    use claimtag::input::{InputSource, Reader, ReaderConfig};

    let model = tiny_model(Head::Random);
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.jsonl");
    std::fs::write(&input, corpus(200)).unwrap();
    let tagger =
        claimtag::pipeline::Tagger::load(&claimtag::ner::NerConfig::new(model.path.clone())).expect("the tiny model");
    let reader = Reader::new(vec![InputSource::file(&input)], ReaderConfig::default());
    let mut progress = Progress::new(ProgressMode::Silent, None, reader.bytes_read());
    let mut written = Vec::new();
    let mut sink = PanicsOn { id: "d101", jsonl: claimtag::output::JsonlSink::new(&mut written) };
    let totals = run(&tagger, reader, Selection::default(), &mut sink, &mut progress).expect("the run goes on");
    assert_eq!((totals.documents, totals.errors, totals.internal_errors), (199, 1, 1));
    assert!(!totals.all_tagged(), "the exit status says some failed");
    drop(sink);

    let records = parse_lines(std::str::from_utf8(&written).unwrap());
    let expected: Vec<String> = (0..200).map(|i| format!("d{i}")).collect();
    assert_eq!(ids_of(&records), expected, "every document, in input order, each once");
    let error = &records[101]["error"];
    assert_eq!(error["kind"], "internal");
    let message = error["message"].as_str().unwrap();
    assert!(message.starts_with("internal error while writing the record: the sink chokes on d101 (at tests/batch.rs:"));
    assert!(message.ends_with("please report this with the input"), "{message}");
    assert!(records[100]["entities"].is_array() && records[102]["entities"].is_array());
}

/// The stages that `CLAIMTAG_FAILPOINT` (debug builds) can make panic on one document.
#[cfg(debug_assertions)]
#[test]
fn a_bug_in_any_per_document_stage_costs_only_that_document_and_exits_3() {
    let model = tiny_model(Head::Random);
    let input = corpus(5);
    for (failpoint, stage) in [
        ("segment", "segmenting"),
        ("tokenize", "tokenizing"),
        ("claims", "finding claims"),
        ("write", "writing the record"),
    ] {
        let spec = format!("{failpoint}:d2");
        let output = claimtag_env(
            &["tag", "--model", model.path.to_str().unwrap(), "--input-format", "jsonl", "--format", "jsonl"],
            &[("CLAIMTAG_FAILPOINT", &spec)],
            input.as_bytes(),
        );
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(3), "{failpoint}: {err}");
        let records = stdout_records(&output);
        assert_eq!(ids_of(&records), ["d0", "d1", "d2", "d3", "d4"], "{failpoint}");
        assert_eq!(records[2]["error"]["kind"], "internal", "{failpoint}");
        let message = records[2]["error"]["message"].as_str().unwrap();
        assert!(message.starts_with(&format!("internal error while {stage}: failpoint {spec} (at src/")), "{message}");
        assert!(message.ends_with("; please report this with the input"), "{message}");
        for i in [0, 1, 3, 4] {
            assert!(records[i]["entities"].is_array(), "{failpoint}: {}", records[i]);
        }
        // One line for the user per internal error; no panic report, no backtrace note.
        let lines: Vec<&str> = err.lines().filter(|line| line.contains("internal error")).collect();
        assert_eq!(lines, [format!("claimtag: d2: {message}")], "{err}");
        assert!(!err.contains("panicked") && !err.contains("RUST_BACKTRACE"), "{err}");
        assert!(err.contains("done: 4 documents (1 errors, 1 internal)"), "{err}");
    }
}

#[cfg(debug_assertions)]
#[test]
fn pipe_mode_answers_a_line_that_hits_a_bug_with_its_error_record() {
    let model = tiny_model(Head::Random);
    let output = claimtag_env(
        &["tag", "--model", model.path.to_str().unwrap(), "--pipe", "--progress", "none"],
        &[("CLAIMTAG_FAILPOINT", "claims:d1")],
        corpus(3).as_bytes(),
    );
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    let records = stdout_records(&output);
    assert_eq!(ids_of(&records), ["d0", "d1", "d2"]);
    assert_eq!(records[1]["error"]["kind"], "internal");
}

#[cfg(debug_assertions)]
#[test]
fn a_bug_in_the_model_stops_the_run_with_one_line_after_writing_every_batch_before_it() {
    let model = tiny_model(Head::Random);
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.jsonl");
    std::fs::write(&input, corpus(300)).unwrap();
    let out = dir.path().join("out.jsonl");
    let output = claimtag_env(
        &["tag", "--model", model.path.to_str().unwrap(), input.to_str().unwrap(), "--output", out.to_str().unwrap()],
        &[("CLAIMTAG_FAILPOINT", "model:d250")],
        b"",
    );
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{err}");
    let fatal: Vec<&str> = err.lines().filter(|line| line.contains("internal error")).collect();
    assert_eq!(fatal.len(), 1, "{err}");
    assert!(!err.contains("panicked") && !err.contains("RUST_BACKTRACE"), "{err}");
    // "claimtag: while tagging the batch of documents d192 to d255: internal error while running the model: ..."
    let first: usize = fatal[0]
        .strip_prefix("claimtag: while tagging the batch of documents d")
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{}", fatal[0]));
    assert!(fatal[0].contains("internal error while running the model: failpoint model:d250"), "{}", fatal[0]);
    let records = parse_lines(&std::fs::read_to_string(&out).unwrap());
    let expected: Vec<String> = (0..first).map(|i| format!("d{i}")).collect();
    assert_eq!(ids_of(&records), expected, "every batch before the failing one, in order");
    assert!(first > 0 && first <= 250);
}

#[test]
fn pipe_mode_refuses_formats_that_break_one_line_out_per_line_in() {
    let model = tiny_model(Head::Random);
    for extra in [
        &["--input-format", "text"][..],
        &["--input-format", "html"],
        &["--format", "json"],
        &["--format", "pretty"],
        &["--format", "conll"],
        &["--format", "doccano"],
    ] {
        let mut args = vec!["tag", "--model", model.path.to_str().unwrap(), "--pipe"];
        args.extend_from_slice(extra);
        let output = claimtag(&args, corpus(1).as_bytes());
        assert_eq!(output.status.code(), Some(2), "{extra:?}: bad usage");
        assert!(stderr(&output).contains("error: --pipe "), "{extra:?}: {}", stderr(&output));
        assert!(output.stdout.is_empty(), "{extra:?}");
    }
    let jsonl = claimtag(
        &["tag", "--model", model.path.to_str().unwrap(), "--pipe", "--input-format", "jsonl", "--format", "jsonl"],
        corpus(1).as_bytes(),
    );
    assert_eq!(jsonl.status.code(), Some(0), "{}", stderr(&jsonl));
}

#[test]
fn a_closed_standard_output_is_an_error_not_a_silent_success() {
    let model = tiny_model(Head::Random);
    let run = |redirect: &str| {
        let script = format!("exec \"$0\" tag --model \"$1\" {redirect}");
        let mut child = Command::new("sh")
            .args(["-c", &script, env!("CARGO_BIN_EXE_claimtag"), model.path.to_str().unwrap()])
            .stdin(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(b"Putin spoke in Kyiv.").unwrap();
        child.wait_with_output().unwrap()
    };
    let closed = run(">&-");
    assert_eq!(closed.status.code(), Some(1), "{}", stderr(&closed));
    assert!(stderr(&closed).contains("standard output is closed"), "{}", stderr(&closed));
    let discarded = run("> /dev/null");
    assert_eq!(discarded.status.code(), Some(0), "writing to /dev/null on purpose is fine: {}", stderr(&discarded));
}

#[test]
fn a_reader_that_hangs_up_gets_one_broken_pipe_message() {
    let model = tiny_model(Head::Random);
    let mut child = spawn_pipe(&model.path);
    drop(child.stdout.take());
    child.stdin.take().unwrap().write_all(corpus(3).as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{err}");
    assert_eq!(err.trim_end(), "claimtag: stdout: cannot write: Broken pipe (os error 32)");
}

#[test]
fn an_output_that_is_a_directory_is_named_as_one() {
    let model = tiny_model(Head::Random);
    let dir = tempfile::tempdir().unwrap();
    let output =
        claimtag(&["tag", "--model", model.path.to_str().unwrap(), "--output", dir.path().to_str().unwrap()], b"Kyiv");
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("is a directory, and this --format writes one file"), "{}", stderr(&output));
}

/// The records of a JSONL file in order, scores rounded as in [`records_by_id`].
fn records_in_order(path: &Path) -> Vec<Value> {
    let mut records = parse_lines(&std::fs::read_to_string(path).unwrap());
    records.iter_mut().for_each(round_floats);
    records
}

#[test]
fn a_resumed_run_equals_an_uninterrupted_one_with_repeated_ids_and_earlier_errors() {
    let model = tiny_model(Head::Always(1));
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.jsonl");
    let mut text = corpus(4);
    text.push_str("not json\n");
    text.push_str(&json!({"id": "dup", "text": "Kyiv said so."}).to_string());
    text.push('\n');
    text.push_str(&corpus(3));
    text.push_str(&json!({"id": "dup", "text": "Moscow denied it."}).to_string());
    text.push('\n');
    std::fs::write(&input, text).unwrap();
    let run = |out: &Path| {
        claimtag(
            &[
                "tag",
                "--model",
                model.path.to_str().unwrap(),
                input.to_str().unwrap(),
                "--output",
                out.to_str().unwrap(),
                "--resume",
            ],
            b"",
        )
    };
    let whole = dir.path().join("whole.jsonl");
    assert_eq!(run(&whole).status.code(), Some(3), "the bad line is an error record");
    let uninterrupted = std::fs::read_to_string(&whole).unwrap();
    let lines: Vec<&str> = uninterrupted.lines().collect();
    assert_eq!(lines.len(), 10);
    assert_eq!(lines.iter().filter(|line| line.starts_with("{\"id\":\"dup\"")).count(), 2);

    // Interrupted after the error record and the first "dup", in the middle of the next record.
    for kept in [6, 9] {
        let resumed = dir.path().join(format!("resumed-{kept}.jsonl"));
        let torn = &lines[kept][..lines[kept].len() / 2];
        std::fs::write(&resumed, lines[..kept].join("\n") + "\n" + torn).unwrap();
        let output = run(&resumed);
        assert_eq!(output.status.code(), Some(3), "the output holds an error record from before: {}", stderr(&output));
        assert!(
            stderr(&output).contains(&format!("{kept} already in the output (1 of them error records)")),
            "{}",
            stderr(&output)
        );
        assert_eq!(records_in_order(&resumed), records_in_order(&whole), "resumed after {kept} lines");
    }
}

#[test]
fn resume_refuses_an_output_that_is_not_claimtag_records_and_changes_nothing() {
    let model = tiny_model(Head::Random);
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.jsonl");
    std::fs::write(&input, corpus(2)).unwrap();
    // The arguments swapped: the article given as --output.
    let article = dir.path().join("article.txt");
    for content in ["Putin said the talks had stalled.", "{\"id\": \"x\", \"text\": \"a record of the input\"}\n"] {
        std::fs::write(&article, content).unwrap();
        let output = claimtag(
            &[
                "tag",
                "--model",
                model.path.to_str().unwrap(),
                "--resume",
                "--output",
                article.to_str().unwrap(),
                input.to_str().unwrap(),
            ],
            b"",
        );
        assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
        let err = stderr(&output);
        assert!(
            err.contains("article.txt, line 1: not a claimtag record") && err.contains("Nothing was changed"),
            "{err}"
        );
        assert_eq!(std::fs::read_to_string(&article).unwrap(), content);
    }
}

#[test]
fn a_second_run_on_an_output_in_use_is_refused_and_changes_nothing() {
    let model = tiny_model(Head::Always(1));
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.jsonl");
    std::fs::write(&input, corpus(6000)).unwrap();
    let out = dir.path().join("out.jsonl");
    let args = |out: &Path| -> Vec<String> {
        ["tag", "--model", model.path.to_str().unwrap(), input.to_str().unwrap(), "--output", out.to_str().unwrap()]
            .iter()
            .map(ToString::to_string)
            .chain(["--resume".to_string(), "--threads".to_string(), "1".to_string()])
            .collect()
    };
    // A requeued task starting while the first one still writes.
    let mut first =
        Command::new(env!("CARGO_BIN_EXE_claimtag")).args(args(&out)).stderr(Stdio::null()).spawn().unwrap();
    let started = Instant::now();
    while std::fs::metadata(&out).map_or(0, |m| m.len()) == 0 && started.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(5));
    }
    let before = std::fs::read(&out).unwrap();
    let second = Command::new(env!("CARGO_BIN_EXE_claimtag")).args(args(&out)).output().unwrap();
    assert!(first.try_wait().unwrap().is_none(), "the first run must still be writing for this test to mean anything");
    assert_eq!(second.status.code(), Some(1));
    let err = stderr(&second);
    assert!(err.contains(&format!("{}: another claimtag run is writing this output", out.display())), "{err}");
    assert!(std::fs::read(&out).unwrap().starts_with(&before), "the second run cut nothing");
    assert!(first.wait().unwrap().success());
    let by_id = records_by_id(&out);
    assert_eq!(by_id.len(), 6000, "each id exactly once");

    // A directory output (brat) is locked the same way.
    let brat = dir.path().join("brat");
    std::fs::create_dir(&brat).unwrap();
    let lock = std::fs::File::open(&brat).unwrap();
    lock.try_lock().unwrap();
    let output = claimtag(
        &["tag", "--model", model.path.to_str().unwrap(), "--format", "brat", "--output", brat.to_str().unwrap()],
        b"Kyiv",
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("another claimtag run is writing this output"), "{}", stderr(&output));
    assert_eq!(std::fs::read_dir(&brat).unwrap().count(), 0);
}
