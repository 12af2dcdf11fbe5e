//! `claimtag tag --format TOOL` end to end, and the HTML view in a real headless browser.

mod common;

use std::path::Path;
use std::process::Command;

use common::{claimtag, stderr, tiny_model, Head};
use serde_json::Value;

/// Two documents with curly quotes, a dash, Cyrillic and emoji, and a claim each.
const INPUT: &str = concat!(
    r#"{"id": "a/1", "text": "🙂 “Путін — liar,” said Zelensky. ISW reported that Russia lies."}"#,
    "\n",
    r#"{"id": "b", "text": "The minister said that Kyiv will hold."}"#,
    "\n"
);

fn tag(model: &Path, format: &str, output: &Path) -> std::process::Output {
    let out = output.to_str().unwrap();
    let output = claimtag(
        &["tag", "--model", model.to_str().unwrap(), "--input-format", "jsonl", "--format", format, "--output", out],
        INPUT.as_bytes(),
    );
    assert!(output.status.success(), "{format}: {}", stderr(&output));
    output
}

#[test]
fn every_export_format_is_written_and_parses() {
    let model = tiny_model(Head::Always(1));
    let dir = tempfile::tempdir().unwrap();

    let conll = dir.path().join("out.conll");
    tag(&model.path, "conll", &conll);
    let text = std::fs::read_to_string(&conll).unwrap();
    assert_eq!(text.matches("-DOCSTART-").count(), 2);
    assert!(text.contains("\nПутін B-PER\n"), "{text}");

    let tasks = dir.path().join("tasks.json");
    tag(&model.path, "label-studio", &tasks);
    let parsed: Value = serde_json::from_str(&std::fs::read_to_string(&tasks).unwrap()).unwrap();
    assert_eq!(parsed.as_array().unwrap().len(), 2);
    assert!(std::fs::read_to_string(dir.path().join("tasks.label-config.xml")).unwrap().contains("<Relations>"));

    for format in ["prodigy", "doccano"] {
        let path = dir.path().join(format!("{format}.jsonl"));
        tag(&model.path, format, &path);
        let lines: Vec<Value> =
            std::fs::read_to_string(&path).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(lines.len(), 2, "{format}");
        assert!(!lines[0]["relations"].as_array().unwrap().is_empty(), "{format}: claims come as relations");
    }

    let brat = dir.path().join("brat");
    tag(&model.path, "brat", &brat);
    let mut names: Vec<String> =
        std::fs::read_dir(&brat).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    assert_eq!(names, ["00001-a_1.ann", "00001-a_1.txt", "00002-b.ann", "00002-b.txt", "annotation.conf"]);

    let webanno = dir.path().join("webanno");
    tag(&model.path, "webanno-tsv", &webanno);
    let tsv = std::fs::read_to_string(webanno.join("00001-a_1.tsv")).unwrap();
    assert!(tsv.contains("\t4-9\tПутін\t"), "UTF-16 offsets: {tsv}");

    let spacy = dir.path().join("spacy.json");
    tag(&model.path, "spacy", &spacy);
    let docs: Value = serde_json::from_str(&std::fs::read_to_string(&spacy).unwrap()).unwrap();
    assert_eq!(docs[1]["paragraphs"][0]["raw"], "The minister said that Kyiv will hold.");
}

#[test]
fn directory_formats_need_an_output_that_is_new_or_empty() {
    let model = tiny_model(Head::Random);
    let output = claimtag(&["tag", "--model", model.path.to_str().unwrap(), "--format", "brat"], b"text");
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("--format brat needs --output"), "{}", stderr(&output));

    let dir = tempfile::tempdir().unwrap();
    let run = || {
        claimtag(
            &[
                "tag",
                "--model",
                model.path.to_str().unwrap(),
                "--format",
                "brat",
                "--output",
                dir.path().to_str().unwrap(),
            ],
            b"Kyiv",
        )
    };
    assert!(run().status.success(), "an empty directory is fine");
    let again = run();
    assert_eq!(again.status.code(), Some(1));
    assert!(stderr(&again).contains("not empty; give --output a new or empty directory"), "{}", stderr(&again));
}

/// Opens the HTML view in headless Chromium (Debian's `chromium`, which `scripts/test`
/// installs): the rendered DOM holds every mark, and a screenshot is taken.
#[test]
fn the_html_view_renders_in_a_headless_browser() {
    let model = tiny_model(Head::Always(1));
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("view.html");
    tag(&model.path, "html", &page);
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(!html.contains("http://") && !html.contains("https://"), "no network assets");

    let chromium = ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|name| Command::new(name).arg("--version").output().is_ok_and(|o| o.status.success()))
        .expect("a headless browser: install Debian's chromium (scripts/test does)");
    let url = format!("file://{}", page.display());
    let browser = |extra: &[&str]| {
        let output = Command::new(chromium)
            .args(["--headless", "--no-sandbox", "--disable-gpu", "--window-size=1200,900"])
            .args(extra)
            .arg(&url)
            .output()
            .unwrap();
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        output
    };
    let dom = String::from_utf8(browser(&["--dump-dom"]).stdout).unwrap();
    let rendered = dom_query::Document::from(dom.as_str());
    assert_eq!(rendered.select("section.doc").length(), 2);
    assert!(rendered.select(".ent.PER").length() >= 5, "every word is a PER with this model: {dom}");
    assert_eq!(rendered.select(".text .cue").first().text().to_string(), "said");
    assert!(rendered.select("aside h3.group").length() >= 2, "claims grouped by source");
    assert!(rendered.select("[title*='score']").length() > 0, "hover details");

    let screenshot = dir.path().join("view.png");
    browser(&[&format!("--screenshot={}", screenshot.display())]);
    let png = std::fs::read(&screenshot).unwrap();
    assert!(png.starts_with(b"\x89PNG") && png.len() > 10_000, "a rendered page, {} bytes", png.len());
    // Keep a copy for people to look at.
    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).join("html-view.png");
    std::fs::copy(&screenshot, target).unwrap();
}
