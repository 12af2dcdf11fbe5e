//! Scoring claims against PolNeAR (`claimtag eval-claims`, the articles read by
//! [`crate::corpus::polnear`]). Only top-level claims are compared, since PolNeAR gives each
//! token to one attribution.

use std::collections::HashMap;
use std::fmt;
use std::io::{self, BufRead};
use std::path::Path;
use std::time::Instant;

use serde::{Deserialize, Serialize};

use super::score::Counts;
use crate::claims::{ClaimRules, RuleScores};
use crate::corpus::polnear::{Article, Attribution, Fragment, PolnearError};
use crate::document::{Claim, Document, Entity, Role};
use crate::input::open_file;
use crate::ner::NerError;
use crate::offsets::{whitespace_words, CharIndex};
use crate::pipeline::Tagger;
use crate::segment::Segmenter;

/// Where the entities the claim rules read come from.
pub enum EntitySource<'a> {
    /// The NER model tags each article.
    Model(&'a Tagger),
    /// Documents tagged before, by id (`claimtag tag` JSONL output over the same texts), so that
    /// the rules can be scored, and tuned, without running the model again.
    Tagged(HashMap<String, TaggedDocument>),
}

/// A document as `claimtag tag` wrote it; only what the claim rules read.
#[derive(Debug, Clone, Deserialize)]
pub struct TaggedDocument {
    pub text: String,
    pub entities: Vec<Entity>,
}

#[derive(Debug, thiserror::Error)]
pub enum ClaimEvalError {
    #[error(transparent)]
    Polnear(#[from] PolnearError),
    #[error("the NER model failed on article {article}: {error}")]
    Ner { article: String, error: NerError },
    #[error("the tagged documents hold no record with id {article:?} (one per PolNeAR article is needed)")]
    NotTagged { article: String },
    #[error("the tagged document {article:?} has a different text from the PolNeAR article of that name")]
    TextDiffers { article: String },
    #[error("cannot write the predicted documents")]
    Write(#[from] io::Error),
}

/// Reads `claimtag tag` JSONL output (`.gz` and `.zst` too): one document a line, keyed by `id`.
pub fn read_tagged(path: &Path) -> Result<HashMap<String, TaggedDocument>, PolnearError> {
    #[derive(Deserialize)]
    struct Record {
        id: String,
        #[serde(flatten)]
        document: TaggedDocument,
    }
    let file = open_file(path).map_err(|error| PolnearError::Read { path: path.into(), error })?;
    let mut documents = HashMap::new();
    for (index, line) in file.lines().enumerate() {
        let line = line.map_err(|error| PolnearError::Read { path: path.into(), error })?;
        if line.trim().is_empty() {
            continue;
        }
        let record: Record = serde_json::from_str(&line).map_err(|error| PolnearError::Bad {
            path: path.into(),
            line: index + 1,
            problem: format!("not a tagged document: {error}"),
        })?;
        documents.insert(record.id, record.document);
    }
    Ok(documents)
}

/// The scores of one run of the claim rules over a PolNeAR split, and what each stage cost.
#[derive(Debug, Clone, Serialize)]
pub struct ClaimEvaluation {
    pub articles: usize,
    pub scores: ClaimScores,
    /// Seconds spent segmenting and tagging entities; `None` when they were read from a file.
    pub ner_seconds: Option<f64>,
    /// Seconds spent in the claims stage.
    pub claims_seconds: f64,
    /// Each rule's claims and how many match a gold attribution (`--rules`; not in the JSON).
    #[serde(skip)]
    pub rules: RuleScores,
}

/// Tags every article, runs the claim rules, scores them against the gold attributions, and
/// hands each finished document to `each` (to keep the predictions).
pub fn evaluate_claims(
    articles: &[Article],
    entities: &EntitySource,
    rules: &ClaimRules,
    mut each: impl FnMut(&Document) -> io::Result<()>,
) -> Result<ClaimEvaluation, ClaimEvalError> {
    let segmenter = Segmenter::default();
    let mut evaluation = ClaimEvaluation {
        articles: articles.len(),
        scores: ClaimScores::default(),
        ner_seconds: None,
        claims_seconds: 0.0,
        rules: RuleScores::default(),
    };
    for article in articles {
        let mut doc = Document::new(article.name.clone(), article.text.clone());
        match entities {
            EntitySource::Model(tagger) => {
                let started = Instant::now();
                tagger
                    .tag_entities(std::slice::from_mut(&mut doc))
                    .map_err(|error| ClaimEvalError::Ner { article: article.name.clone(), error })?;
                *evaluation.ner_seconds.get_or_insert(0.0) += started.elapsed().as_secs_f64();
            }
            EntitySource::Tagged(tagged) => {
                let article_name = || article.name.clone();
                let found =
                    tagged.get(&article.name).ok_or_else(|| ClaimEvalError::NotTagged { article: article_name() })?;
                if found.text != article.text {
                    return Err(ClaimEvalError::TextDiffers { article: article_name() });
                }
                segmenter.apply(&mut doc);
                doc.entities = found.entities.clone();
            }
        }
        let started = Instant::now();
        rules.apply(&mut doc);
        evaluation.claims_seconds += started.elapsed().as_secs_f64();
        let predicted = predicted(&doc);
        evaluation.scores.add(&article.text, &article.gold, &predicted);
        let rules: Vec<&str> = doc.claims.iter().filter(|c| c.parent.is_none()).map(|c| c.rule.as_str()).collect();
        let words = word_fragments(&article.text);
        evaluation.rules.add(&rules, &article.gold, &predicted, |gold, claim| attributions_match(gold, claim, &words));
        each(&doc)?;
    }
    Ok(evaluation)
}

impl fmt::Display for ClaimEvaluation {
    /// The table `claimtag eval-claims` prints.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{} articles", self.articles)?;
        writeln!(
            f,
            "{:<12} {:>9} {:>9} {:>7}   {:>9} {:>9} {:>7}",
            "role", "exact P", "exact R", "F1", "token P", "token R", "F1"
        )?;
        let scores = &self.scores;
        for role in Role::ALL {
            let (exact, token) = (scores.exact.role(role), scores.token.role(role));
            let role = role.kind().to_lowercase();
            writeln!(
                f,
                "{role:<12} {:>9.3} {:>9.3} {:>7.3}   {:>9.3} {:>9.3} {:>7.3}",
                exact.precision(),
                exact.recall(),
                exact.f1(),
                token.precision(),
                token.recall(),
                token.f1()
            )?;
        }
        let a = &scores.attribution;
        writeln!(
            f,
            "attribution  P {:.3} R {:.3} F1 {:.3} (gold {}, predicted {}, matched {})",
            a.precision(),
            a.recall(),
            a.f1(),
            a.gold,
            a.predicted,
            a.correct
        )?;
        match self.ner_seconds {
            Some(ner) => write!(
                f,
                "time         NER {ner:.1} s, claims {:.2} s ({:.2}% of NER)",
                self.claims_seconds,
                100.0 * self.claims_seconds / ner.max(f64::EPSILON)
            ),
            None => write!(f, "time         claims {:.2} s (entities read from a file)", self.claims_seconds),
        }
    }
}

/// The top-level claims of a tagged document as attributions.
pub fn predicted(doc: &Document) -> Vec<Attribution> {
    doc.claims.iter().filter(|c| c.parent.is_none()).map(attribution_of).collect()
}

fn attribution_of(claim: &Claim) -> Attribution {
    let content = match &claim.content.parts {
        Some(parts) => parts.iter().map(|[s, e]| (*s, *e)).collect(),
        None => vec![(claim.content.start, claim.content.end)],
    };
    Attribution {
        source: claim.source.iter().map(|s| (s.start, s.end)).collect(),
        cue: vec![(claim.cue.start, claim.cue.end)],
        content,
    }
}

/// Per-role scores and the attribution-level score.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ClaimScores {
    pub exact: RoleCounts,
    pub token: RoleCounts,
    pub attribution: Counts,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct RoleCounts {
    pub source: Counts,
    pub cue: Counts,
    pub content: Counts,
}

impl ClaimScores {
    /// Adds one article's comparison.
    pub fn add(&mut self, text: &str, gold: &[Attribution], predicted: &[Attribution]) {
        let index = CharIndex::new(text);
        let words = word_fragments(text);
        for role in Role::ALL {
            let fragments = |attributions: &[Attribution]| -> Vec<Fragment> {
                attributions.iter().flat_map(|a| a.role(role)).filter_map(|f| trim(&index, *f)).collect()
            };
            let (gold_fragments, predicted_fragments) = (fragments(gold), fragments(predicted));
            let exact = self.exact.role_mut(role);
            exact.gold += gold_fragments.len();
            exact.predicted += predicted_fragments.len();
            exact.correct += predicted_fragments.iter().filter(|f| gold_fragments.contains(f)).count();
            let covered = |fragments: &[(usize, usize)]| -> Vec<bool> {
                words.iter().map(|&(s, e)| fragments.iter().any(|&(fs, fe)| fs < e && s < fe)).collect()
            };
            let (gold_words, predicted_words) = (covered(&gold_fragments), covered(&predicted_fragments));
            let token = self.token.role_mut(role);
            token.gold += gold_words.iter().filter(|&&c| c).count();
            token.predicted += predicted_words.iter().filter(|&&c| c).count();
            token.correct += gold_words.iter().zip(&predicted_words).filter(|(g, p)| **g && **p).count();
        }
        self.attribution.gold += gold.len();
        self.attribution.predicted += predicted.len();
        let mut taken = vec![false; gold.len()];
        for p in predicted {
            let matched = gold.iter().enumerate().find(|(i, g)| !taken[*i] && attributions_match(g, p, &words));
            if let Some((i, _)) = matched {
                taken[i] = true;
                self.attribution.correct += 1;
            }
        }
    }
}

impl RoleCounts {
    pub fn role(&self, role: Role) -> &Counts {
        match role {
            Role::Source => &self.source,
            Role::Cue => &self.cue,
            Role::Content => &self.content,
        }
    }

    fn role_mut(&mut self, role: Role) -> &mut Counts {
        match role {
            Role::Source => &mut self.source,
            Role::Cue => &mut self.cue,
            Role::Content => &mut self.content,
        }
    }
}

/// The whitespace-separated words of `text`, as fragments: the units token F1 and attribution
/// matching count in.
fn word_fragments(text: &str) -> Vec<Fragment> {
    whitespace_words(text).into_iter().map(|word| (word.start, word.end)).collect()
}

/// Cues overlap, content token F1 >= 0.5, and sources overlap (or both are absent).
fn attributions_match(gold: &Attribution, predicted: &Attribution, words: &[(usize, usize)]) -> bool {
    let overlap =
        |a: &[(usize, usize)], b: &[(usize, usize)]| a.iter().any(|&(s, e)| b.iter().any(|&(t, u)| s < u && t < e));
    let sources = (gold.source.is_empty() && predicted.source.is_empty()) || overlap(&gold.source, &predicted.source);
    sources && overlap(&gold.cue, &predicted.cue) && token_f1(&gold.content, &predicted.content, words) >= 0.5
}

fn token_f1(gold: &[(usize, usize)], predicted: &[(usize, usize)], words: &[(usize, usize)]) -> f64 {
    let inside =
        |fragments: &[(usize, usize)], (s, e): (usize, usize)| fragments.iter().any(|&(fs, fe)| fs < e && s < fe);
    let counts = words.iter().fold(Counts::default(), |mut c, &w| {
        let (g, p) = (inside(gold, w), inside(predicted, w));
        c.gold += g as usize;
        c.predicted += p as usize;
        c.correct += (g && p) as usize;
        c
    });
    counts.f1()
}

/// A fragment without surrounding whitespace; `None` when nothing is left.
fn trim(index: &CharIndex, (start, end): Fragment) -> Option<Fragment> {
    index.trim(start..end).map(|kept| (kept.start, kept.end))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::polnear::read_polnear;

    #[test]
    fn the_rules_are_scored_on_entities_tagged_before_and_a_mismatch_is_named() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("text")).unwrap();
        std::fs::create_dir_all(dir.path().join("attributions")).unwrap();
        let text = "ISW said that Putin lies.";
        std::fs::write(dir.path().join("text/a1.txt"), text).unwrap();
        let ann = "T1\tSource 0 3\tISW\nT2\tCue 4 8\tsaid\nT3\tContent 9 24\tthat Putin lies\nE1\tAttribution:T2 Source:T1 Cue:T2 Content:T3\n";
        std::fs::write(dir.path().join("attributions/a1_annotator.ann"), ann).unwrap();
        let articles = read_polnear(dir.path()).unwrap();
        let tagged = dir.path().join("tagged.jsonl");
        let record = |text: &str| {
            format!(
                "{{\"id\":\"a1\",\"text\":{},\"entities\":[{{\"id\":\"e0\",\"text\":\"ISW\",\"label\":\"ORG\",\"start\":0,\"end\":3,\"score\":0.9}}],\"claims\":[]}}\n",
                serde_json::to_string(text).unwrap()
            )
        };
        std::fs::write(&tagged, record(text)).unwrap();
        let mut written = Vec::new();
        let evaluation = evaluate_claims(
            &articles,
            &EntitySource::Tagged(read_tagged(&tagged).unwrap()),
            &ClaimRules::default(),
            |doc| {
                written.push(doc.claims.len());
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(written, [1]);
        assert_eq!(evaluation.scores.attribution, Counts { gold: 1, predicted: 1, correct: 1 });
        assert_eq!(evaluation.scores.exact.cue.correct, 1);
        assert!(evaluation.ner_seconds.is_none());

        // `tag --output tagged.jsonl.gz` compresses; such output reads back alike.
        let gzipped = dir.path().join("tagged.jsonl.gz");
        let mut encoder =
            flate2::write::GzEncoder::new(std::fs::File::create(&gzipped).unwrap(), flate2::Compression::default());
        io::Write::write_all(&mut encoder, record(text).as_bytes()).unwrap();
        encoder.finish().unwrap();
        assert_eq!(read_tagged(&gzipped).unwrap()["a1"].entities[0].text, "ISW");

        std::fs::write(&tagged, record("ISW said something else.")).unwrap();
        let error = evaluate_claims(
            &articles,
            &EntitySource::Tagged(read_tagged(&tagged).unwrap()),
            &ClaimRules::default(),
            |_| Ok(()),
        )
        .unwrap_err();
        assert!(error.to_string().contains("\"a1\" has a different text"), "{error}");
        std::fs::write(&tagged, "{\"id\": 3}\n").unwrap();
        let error = read_tagged(&tagged).unwrap_err().to_string();
        assert!(error.contains("tagged.jsonl, line 1: not a tagged document"), "{error}");
    }

    #[test]
    fn scores_count_exact_fragments_tokens_and_attributions() {
        let text = "ISW said that Putin lies . He said so";
        let gold = [
            Attribution { source: vec![(0, 3)], cue: vec![(4, 8)], content: vec![(9, 25)] },
            Attribution { source: vec![(27, 29)], cue: vec![(30, 34)], content: vec![(35, 37)] },
        ];
        // Right source and cue, content missing "that"; a wrong second claim.
        let predicted = [
            Attribution { source: vec![(0, 3)], cue: vec![(4, 8)], content: vec![(14, 26)] },
            Attribution { source: vec![(14, 19)], cue: vec![(20, 24)], content: vec![(26, 27)] },
        ];
        let mut scores = ClaimScores::default();
        scores.add(text, &gold, &predicted);
        assert_eq!(scores.exact.source, Counts { gold: 2, predicted: 2, correct: 1 });
        assert_eq!(scores.exact.content.correct, 0, "(14, 26) is not the gold (9, 24)");
        assert_eq!(scores.token.content, Counts { gold: 4, predicted: 3, correct: 2 });
        assert_eq!(scores.attribution, Counts { gold: 2, predicted: 2, correct: 1 });
    }
}
