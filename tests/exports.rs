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
    assert_eq!(
        names,
        ["00001-a_1.ann", "00001-a_1.txt", "00002-b.ann", "00002-b.txt", "annotation.conf", "visual.conf"]
    );

    let flat = dir.path().join("flat.jsonl");
    tag(&model.path, "doccano-flat", &flat);
    let first: Value = serde_json::from_str(std::fs::read_to_string(&flat).unwrap().lines().next().unwrap()).unwrap();
    assert_eq!(first.get("relations"), None, "a default doccano project takes no relations");
    assert!(first["label"][0][2].is_string(), "spans in doccano's default JSONL column: {first}");

    let webanno = dir.path().join("webanno");
    tag(&model.path, "webanno-tsv", &webanno);
    let tsv = std::fs::read_to_string(webanno.join("00001-a_1.tsv")).unwrap();
    assert!(tsv.contains("\t4-9\tПутін\t"), "UTF-16 offsets: {tsv}");

    let spacy = dir.path().join("spacy.json");
    tag(&model.path, "spacy", &spacy);
    let docs: Value = serde_json::from_str(&std::fs::read_to_string(&spacy).unwrap()).unwrap();
    assert_eq!(docs[1]["paragraphs"][0]["raw"], "The minister said that Kyiv will hold.");
}

/// `eval --data FILE --json` with `model`: the scores, or the failed output.
fn eval(model: &Path, data: &Path) -> std::process::Output {
    claimtag(&["eval", "--model", model.to_str().unwrap(), "--data", data.to_str().unwrap(), "--json"], b"")
}

#[test]
fn eval_scores_a_tool_export_as_it_scores_the_conll_export_of_the_same_documents() {
    // Documents of many sentences, far past the tiny model's 62 sub-tokens: read back as one
    // sentence each, the tool files were scored (and trained) on the cut-off document.
    let model = tiny_model(Head::Random);
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.jsonl");
    let sentence = "Putin said that Russia will win in Kyiv. The minister reported it from Moscow.\n";
    let records: Vec<String> = (0..3)
        .map(|i| serde_json::json!({"id": format!("d{i}"), "text": sentence.repeat(8 + i)}).to_string())
        .collect();
    std::fs::write(&input, records.join("\n") + "\n").unwrap();
    let mut scores = Vec::new();
    for (format, name) in
        [("conll", "out.conll"), ("label-studio", "tasks.json"), ("doccano", "d.jsonl"), ("brat", "brat")]
    {
        let path = dir.path().join(name);
        let args =
            ["tag", "--model", model.path.to_str().unwrap(), "--format", format, "--output", path.to_str().unwrap()];
        let output = claimtag(&[&args[..], &[input.to_str().unwrap()]].concat(), b"");
        assert!(output.status.success(), "{format}: {}", stderr(&output));
        let output = eval(&model.path, &path);
        assert!(output.status.success(), "{format}: {}", stderr(&output));
        let json: Value = serde_json::from_slice(&output.stdout).unwrap();
        scores.push((format, json));
    }
    assert!(scores[0].1["overall"]["gold"].as_u64() > Some(0), "{:?}", scores[0]);
    for (format, json) in &scores[1..] {
        assert_eq!(json, &scores[0].1, "{format} against conll");
    }
}

#[test]
fn a_label_studio_export_with_no_annotated_task_is_an_error_and_unannotated_tasks_are_counted() {
    let model = tiny_model(Head::Random);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("export.json");
    // Label Studio's own export: predictions by id only.
    let unannotated =
        serde_json::json!({"id": 1, "data": {"text": "Putin spoke in Kyiv."}, "annotations": [], "predictions": [7]});
    std::fs::write(&path, serde_json::json!([unannotated]).to_string()).unwrap();
    let output = eval(&model.path, &path);
    assert!(!output.status.success(), "nothing to score is not a score of 0");
    assert!(stderr(&output).contains(&format!("{}: none of its 1 tasks", path.display())), "{}", stderr(&output));

    let annotated = serde_json::json!({"id": 2, "data": {"text": "Kyiv held."}, "annotations": [
        {"result": [{"id": "a", "type": "labels", "value": {"start": 0, "end": 4, "labels": ["LOC"]}}]}
    ]});
    std::fs::write(&path, serde_json::json!([unannotated, annotated]).to_string()).unwrap();
    let output = eval(&model.path, &path);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stderr(&output).contains("skipped 1 of 2 tasks"), "{}", stderr(&output));
    let json: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["overall"]["gold"], 1);
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
    let browser = |extra: &[&str], page: &Path| {
        let output = Command::new(chromium)
            .args(["--headless", "--no-sandbox", "--disable-gpu", "--window-size=1200,900"])
            .args(extra)
            .arg(format!("file://{}", page.display()))
            .output()
            .unwrap();
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        output
    };
    // The DOM is dumped from a copy of the page with a probe script that reports what the
    // browser computed (styles, boxes); the page itself runs no script.
    let probed = dir.path().join("probed.html");
    std::fs::write(&probed, html.replace("</body>", &format!("<script>{PROBE}</script></body>"))).unwrap();
    let dom = String::from_utf8(browser(&["--dump-dom"], &probed).stdout).unwrap();
    let rendered = dom_query::Document::from(dom.as_str());
    assert_eq!(rendered.select("section.doc").length(), 2);
    assert!(rendered.select(".ent.PER").length() >= 5, "every word is a PER with this model: {dom}");
    assert_eq!(rendered.select(".text .cue").first().text().to_string(), "said");
    assert!(rendered.select("aside h3.group").length() >= 2, "claims grouped by source");
    assert!(rendered.select("[title*='score']").length() > 0, "hover details");
    let probe: Value = serde_json::from_str(&rendered.select("#probe").text()).expect("the probe ran");
    assert_claim_underlines_are_continuous(&probe);
    assert_side_list_links_land_on_their_claims(&probe);

    let screenshot = dir.path().join("view.png");
    browser(&[&format!("--screenshot={}", screenshot.display())], &page);
    let png = std::fs::read(&screenshot).unwrap();
    assert!(png.starts_with(b"\x89PNG") && png.len() > 10_000, "a rendered page, {} bytes", png.len());
    // Keep a copy for people to look at.
    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).join("html-view.png");
    std::fs::copy(&screenshot, target).unwrap();
}

/// Run in the HTML view by the browser test: writes into `<pre id="probe">` what the browser
/// rendered of each piece of claim content (its claims, whether it is inside an entity mark, its
/// computed underline, its line boxes and corners, and the same of the piece right before it)
/// and where each side-list link lands.
const PROBE: &str = r#"
const drawn = (el) => {
  const style = getComputedStyle(el);
  // The underline is an inset shadow: it sits on the bottom of the padding box, above any border.
  const border = parseFloat(style.borderBottomWidth) || 0;
  return {
    claims: (el.dataset.claim || '').split(' '),
    content: el.classList.contains('content'),
    rects: [...el.getClientRects()].map((r) => ({ left: r.left, right: r.right, top: r.top, line: r.bottom - border })),
    radius_left: style.borderBottomLeftRadius,
    radius_right: style.borderBottomRightRadius,
  };
};
const pieces = [...document.querySelectorAll('.text .content')].map((el) => {
  const style = getComputedStyle(el);
  let before = el.previousSibling;
  while (before && before.nodeName === 'A' && before.textContent === '') before = before.previousSibling;
  return Object.assign(drawn(el), {
    text: el.textContent,
    in_entity: el.classList.contains('ent'),
    box_shadow: style.boxShadow,
    text_decoration: style.textDecorationLine,
    before: before && before.nodeType === 1 ? drawn(before) : null,
  });
});
const links = [...document.querySelectorAll('aside a[href]')].map((a) => {
  const target = document.getElementById(decodeURIComponent(a.getAttribute('href').slice(1)));
  let following = null;
  if (target) {
    const range = document.createRange();
    range.setStartAfter(target);
    range.setEndAfter(target.closest('.text') || target);
    following = range.toString();
  }
  return { href: a.getAttribute('href'), text: a.textContent, in_text: !!(target && target.closest('.text')), following };
});
const probe = document.createElement('pre');
probe.id = 'probe';
probe.textContent = JSON.stringify({ pieces, links });
document.body.appendChild(probe);
"#;

/// Every rendered piece of a claim's content, inside entity marks too, draws the underline, and
/// where a piece continues the same claim on the same line, its line starts where the one before
/// ends, at the same height, with square corners where they meet: the line runs on unbroken
/// across entity edges.
fn assert_claim_underlines_are_continuous(probe: &Value) {
    let pieces = probe["pieces"].as_array().unwrap();
    assert!(pieces.iter().any(|p| p["in_entity"] == true), "an entity inside a claim's content: {probe}");
    let mut joins = 0;
    for piece in pieces {
        let underlined =
            piece["box_shadow"] != "none" || piece["text_decoration"].as_str().unwrap().contains("underline");
        assert!(underlined, "claim content drawn without its underline: {piece}");
        let before = &piece["before"];
        if before.is_null() || before["content"] != true {
            continue;
        }
        let claims = |p: &Value| p["claims"].as_array().unwrap().clone();
        let shared = claims(piece).iter().any(|c| claims(before).contains(c));
        let (left, right) = (before["rects"].as_array().unwrap().last(), piece["rects"].as_array().unwrap().first());
        let (Some(left), Some(right)) = (left, right) else { continue };
        let at = |rect: &Value, side: &str| rect[side].as_f64().unwrap();
        if !shared || (at(left, "top") - at(right, "top")).abs() > 0.5 {
            continue; // another claim, or the line wraps here
        }
        joins += 1;
        assert!((at(right, "left") - at(left, "right")).abs() < 0.5, "a gap in the underline before {piece}");
        assert!((at(right, "line") - at(left, "line")).abs() < 0.5, "the underline steps before {piece}");
        let square = before["radius_right"] == "0px" && piece["radius_left"] == "0px";
        assert!(square, "rounded corners notch the underline before {piece}");
    }
    assert!(joins > 0, "no two pieces of one claim met on a line: {probe}");
}

/// Each side-list link points at an anchor in the text, right before its claim's content.
fn assert_side_list_links_land_on_their_claims(probe: &Value) {
    let links = probe["links"].as_array().unwrap();
    assert!(!links.is_empty(), "{probe}");
    for link in links {
        assert_eq!(link["in_text"], true, "the link's anchor is missing from the text: {link}");
        let (text, following) = (link["text"].as_str().unwrap(), link["following"].as_str().unwrap());
        assert!(following.starts_with(text), "the anchor is not right before the claim: {link}");
    }
}
