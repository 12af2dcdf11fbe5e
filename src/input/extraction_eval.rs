//! Scoring article extraction against hand-marked article bodies, the way the scrapinghub
//! article-extraction benchmark scores it, so that figures compare with published ones.
//!
//! Both texts are cut into `\w+` tokens (Unicode, case kept); every run of 4 consecutive tokens is
//! a shingle; per page, true and false positives and false negatives are the multiset overlap of
//! predicted and true shingles, giving the page's precision and recall; precision and recall are
//! each averaged over the pages, and F1 is taken from the two averages. The headline is not part
//! of a marked body, so the record's headline span is left out of what is scored.

use std::collections::HashMap;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::offsets::CharIndex;

use super::html::extract_page;

/// Tokens a shingle holds, as the benchmark counts.
const SHINGLE: usize = 4;

#[derive(Debug, thiserror::Error)]
pub enum ExtractionEvalError {
    #[error("{path}: cannot read: {error}")]
    Read { path: PathBuf, error: std::io::Error },
    #[error(
        "{path}: not the ground truth of an article-extraction directory ({error}); expected a JSON object \
         {{\"<id>\": {{\"articleBody\": \"...\"}}, ...}}"
    )]
    GroundTruth { path: PathBuf, error: String },
    #[error(
        "{path}: missing, yet ground-truth.json lists the page {id:?}; expected html/<id>.html.gz or html/<id>.html"
    )]
    MissingPage { path: PathBuf, id: String },
}

/// How one page's extraction scored.
#[derive(Debug, Clone, PartialEq)]
pub struct PageScore {
    pub id: String,
    pub precision: f64,
    pub recall: f64,
    /// Words of the extracted body (headline left out); 0 when nothing was extracted.
    pub body_words: usize,
    /// The record's warnings for the page.
    pub warnings: Vec<String>,
}

impl PageScore {
    pub fn f1(&self) -> f64 {
        f1(self.precision, self.recall)
    }
}

/// The scores of a directory of pages.
#[derive(Debug, Clone)]
pub struct ExtractionScores {
    /// Every page, in the ground truth's id order.
    pub pages: Vec<PageScore>,
    /// Time spent extracting, one page after another on one thread (reading and scoring left out).
    pub extraction_time: Duration,
}

impl ExtractionScores {
    pub fn precision(&self) -> f64 {
        mean(self.pages.iter().map(|page| page.precision))
    }

    pub fn recall(&self) -> f64 {
        mean(self.pages.iter().map(|page| page.recall))
    }

    /// F1 of the mean precision and the mean recall, as the benchmark reports it.
    pub fn f1(&self) -> f64 {
        f1(self.precision(), self.recall())
    }

    pub fn pages_per_second(&self) -> f64 {
        self.pages.len() as f64 / self.extraction_time.as_secs_f64().max(1e-9)
    }

    /// A plain-text report: the totals, then the `worst` pages by F1 with their figures.
    pub fn report(&self, worst: usize) -> String {
        let mut out = format!(
            "pages {}  precision {:.4}  recall {:.4}  F1 {:.4}  extraction {:.1} pages/s (one thread)\n",
            self.pages.len(),
            self.precision(),
            self.recall(),
            self.f1(),
            self.pages_per_second()
        );
        let warned = self.pages.iter().filter(|page| !page.warnings.is_empty()).count();
        out += &format!("pages with warnings {warned}\n");
        let mut pages: Vec<&PageScore> = self.pages.iter().collect();
        pages.sort_by(|a, b| a.f1().total_cmp(&b.f1()).then_with(|| a.id.cmp(&b.id)));
        if worst > 0 && !pages.is_empty() {
            out += "worst pages:\n    F1   prec recall  words  id  warnings\n";
        }
        for page in pages.into_iter().take(worst) {
            out += &format!(
                "{:.3}  {:.3}  {:.3}  {:5}  {}  {}\n",
                page.f1(),
                page.precision,
                page.recall,
                page.body_words,
                page.id,
                page.warnings.join("; ")
            );
        }
        out
    }
}

/// Extracts every page of `dir` (`ground-truth.json` and `html/<id>.html.gz`, the layout of the
/// scrapinghub benchmark) and scores it against its marked article body.
pub fn evaluate_extraction(dir: &Path) -> Result<ExtractionScores, ExtractionEvalError> {
    let truth_path = dir.join("ground-truth.json");
    let truth = fs::read_to_string(&truth_path)
        .map_err(|error| ExtractionEvalError::Read { path: truth_path.clone(), error })?;
    let truth =
        parse_ground_truth(&truth).map_err(|error| ExtractionEvalError::GroundTruth { path: truth_path, error })?;
    let mut pages = Vec::with_capacity(truth.len());
    let mut extraction_time = Duration::ZERO;
    for (id, body) in truth {
        let html = read_page(dir, &id)?;
        let started = Instant::now();
        let page = extract_page(&html);
        extraction_time += started.elapsed();
        let predicted = match &page {
            Some(page) => {
                let chars = CharIndex::new(&page.text);
                let start = page.headline.map_or(0, |headline| headline.end);
                chars.slice(start..chars.len_chars())
            }
            None => "",
        };
        let (precision, recall) = shingle_scores(&body, predicted);
        let warnings = page.as_ref().map(|page| page.warnings.clone()).unwrap_or_default();
        pages.push(PageScore { id, precision, recall, body_words: predicted.split_whitespace().count(), warnings });
    }
    Ok(ExtractionScores { pages, extraction_time })
}

/// The ids and article bodies of a `ground-truth.json`, in id order.
fn parse_ground_truth(json: &str) -> Result<Vec<(String, String)>, String> {
    let value: serde_json::Value = serde_json::from_str(json).map_err(|error| error.to_string())?;
    let object = value.as_object().ok_or("the top level is not an object")?;
    let mut pages = object
        .iter()
        .map(|(id, page)| {
            let body = page.get("articleBody").and_then(|body| body.as_str());
            let body = body.ok_or_else(|| format!("page {id:?} has no string \"articleBody\""))?;
            Ok((id.clone(), body.to_string()))
        })
        .collect::<Result<Vec<_>, String>>()?;
    pages.sort();
    Ok(pages)
}

/// The page `id` of `dir`, gzipped or not; bytes that are not UTF-8 become U+FFFD, as the
/// benchmark's pages are UTF-8 and a stray byte should cost a word, not the page.
fn read_page(dir: &Path, id: &str) -> Result<String, ExtractionEvalError> {
    let gz = dir.join("html").join(format!("{id}.html.gz"));
    let plain = dir.join("html").join(format!("{id}.html"));
    let read = |path: &Path, error| ExtractionEvalError::Read { path: path.to_path_buf(), error };
    let bytes = if gz.is_file() {
        let file = fs::File::open(&gz).map_err(|error| read(&gz, error))?;
        let mut bytes = Vec::new();
        flate2::read::MultiGzDecoder::new(file).read_to_end(&mut bytes).map_err(|error| read(&gz, error))?;
        bytes
    } else if plain.is_file() {
        fs::read(&plain).map_err(|error| read(&plain, error))?
    } else {
        return Err(ExtractionEvalError::MissingPage { path: gz, id: id.to_string() });
    };
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// The benchmark's `\w+` tokens: runs of letters, digits and underscores (Rust's Unicode
/// alphanumerics, which differ from Python's `\w` only on a few rare marks).
fn tokens(text: &str) -> Vec<&str> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_')).filter(|token| !token.is_empty()).collect()
}

/// Each shingle of `text` with how often it occurs. A text of fewer than 4 tokens is one shorter
/// shingle, as the benchmark has it.
fn shingles(text: &str) -> HashMap<Vec<&str>, usize> {
    let tokens = tokens(text);
    let mut counts = HashMap::new();
    if tokens.is_empty() {
        return counts;
    }
    for shingle in tokens.windows(SHINGLE.min(tokens.len())) {
        *counts.entry(shingle.to_vec()).or_insert(0) += 1;
    }
    counts
}

/// The precision and recall of `predicted` against `truth` over their shingles, counted as
/// multisets. An empty prediction has precision 0 (it found nothing of a non-empty body), and an
/// empty body is fully recalled.
pub fn shingle_scores(truth: &str, predicted: &str) -> (f64, f64) {
    let truth = shingles(truth);
    let predicted = shingles(predicted);
    let true_total: usize = truth.values().sum();
    let predicted_total: usize = predicted.values().sum();
    let overlap: usize =
        predicted.iter().map(|(shingle, &count)| count.min(truth.get(shingle).copied().unwrap_or(0))).sum();
    let precision = match (predicted_total, true_total) {
        (0, 0) => 1.0,
        (0, _) => 0.0,
        _ => overlap as f64 / predicted_total as f64,
    };
    let recall = if true_total == 0 { 1.0 } else { overlap as f64 / true_total as f64 };
    (precision, recall)
}

fn mean(values: impl Iterator<Item = f64>) -> f64 {
    let (sum, count) = values.fold((0.0, 0usize), |(sum, count), value| (sum + value, count + 1));
    if count == 0 {
        0.0
    } else {
        sum / count as f64
    }
}

fn f1(precision: f64, recall: f64) -> f64 {
    if precision + recall == 0.0 {
        0.0
    } else {
        2.0 * precision * recall / (precision + recall)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_texts_score_one_and_punctuation_does_not_count() {
        let body = "The minister said, on Monday, that talks would resume in Istanbul.";
        assert_eq!(shingle_scores(body, "The minister said on Monday that talks would resume in Istanbul"), (1.0, 1.0));
    }

    #[test]
    fn extra_navigation_costs_precision_and_a_missing_paragraph_costs_recall() {
        let body = "one two three four five six seven eight";
        let (precision, recall) =
            shingle_scores(body, "home news sport weather one two three four five six seven eight");
        assert_eq!(recall, 1.0);
        assert!((precision - 5.0 / 9.0).abs() < 1e-9, "{precision}");
        let (precision, recall) = shingle_scores(body, "one two three four five");
        assert_eq!(precision, 1.0);
        assert!((recall - 2.0 / 5.0).abs() < 1e-9, "{recall}");
    }

    #[test]
    fn shingles_are_counted_as_multisets_and_case_matters() {
        let (precision, recall) = shingle_scores("a b c d", "a b c d x a b c d");
        assert_eq!(recall, 1.0);
        assert!((precision - 1.0 / 6.0).abs() < 1e-9, "a repeated shingle matches once: {precision}");
        assert_eq!(shingle_scores("Talks stall now here", "talks stall now here"), (0.0, 0.0));
    }

    #[test]
    fn nothing_extracted_scores_zero_and_short_texts_are_one_shingle() {
        assert_eq!(shingle_scores("one two three four", ""), (0.0, 0.0));
        assert_eq!(shingle_scores("Київ said", "Київ said"), (1.0, 1.0));
        assert_eq!(shingle_scores("", ""), (1.0, 1.0));
    }

    #[test]
    fn a_directory_is_scored_without_the_headline_and_its_pages_listed_worst_first() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("html")).unwrap();
        let body = "The Institute for the Study of War said on Tuesday that Russian forces had advanced near \
                    Pokrovsk, and that the Kremlin was stalling the talks.";
        let good = format!("<html><head><title>ISW on Pokrovsk</title></head><body><nav>Home News</nav><article><h1>ISW on Pokrovsk</h1><p>{body}</p></article></body></html>");
        fs::write(dir.path().join("html/good.html"), good).unwrap();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        std::io::Write::write_all(
            &mut gz,
            b"<html><body><p>Something else entirely, written about the weather in May.</p></body></html>",
        )
        .unwrap();
        fs::write(dir.path().join("html/wrong.html.gz"), gz.finish().unwrap()).unwrap();
        let truth = serde_json::json!({"good": {"articleBody": body, "url": "u"}, "wrong": {"articleBody": body}});
        fs::write(dir.path().join("ground-truth.json"), truth.to_string()).unwrap();

        let scores = evaluate_extraction(dir.path()).unwrap();
        assert_eq!(scores.pages.len(), 2);
        assert_eq!((scores.pages[0].precision, scores.pages[0].recall), (1.0, 1.0), "the headline is not scored");
        assert_eq!(scores.pages[1].f1(), 0.0);
        assert!((scores.f1() - 0.5).abs() < 1e-9, "{}", scores.f1());
        let report = scores.report(1);
        assert!(report.contains("0.000  0.000  0.000") && report.contains("wrong"), "{report}");
        assert!(!report.contains("  good"), "only the worst page is listed: {report}");
    }

    #[test]
    fn a_missing_page_or_bad_ground_truth_is_named() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("ground-truth.json"), r#"{"p1": {"articleBody": "x"}}"#).unwrap();
        let error = evaluate_extraction(dir.path()).unwrap_err().to_string();
        assert!(error.contains("p1.html.gz") && error.contains("\"p1\""), "{error}");
        fs::write(dir.path().join("ground-truth.json"), r#"{"p1": {"body": "x"}}"#).unwrap();
        let error = evaluate_extraction(dir.path()).unwrap_err().to_string();
        assert!(error.contains("ground-truth.json") && error.contains("articleBody"), "{error}");
        let error = evaluate_extraction(&dir.path().join("nowhere")).unwrap_err().to_string();
        assert!(error.contains("nowhere") && error.contains("cannot read"), "{error}");
    }
}
