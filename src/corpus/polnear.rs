//! PolNeAR: news articles annotated with attributions in brat standoff, `Source`, `Cue` and
//! `Content` spans (discontinuous ones as `start end;start end`) tied together by `E` lines.
//! Gold is the alphabetically first annotator file of each article.

use std::path::{Path, PathBuf};

use super::brat::{parse_standoff, LinkKind};
use super::tags::TagScheme;
use super::LabeledSentence;
use crate::document::{Role, Span};
use crate::offsets::CharIndex;
use crate::segment::{words, Segmenter};

/// A code point span `(start, end)`; a role may have several.
pub type Fragment = (usize, usize);

/// Spans of one attribution, as code point fragments.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Attribution {
    pub source: Vec<Fragment>,
    pub cue: Vec<Fragment>,
    pub content: Vec<Fragment>,
}

impl Attribution {
    pub fn role(&self, role: Role) -> &[Fragment] {
        match role {
            Role::Source => &self.source,
            Role::Cue => &self.cue,
            Role::Content => &self.content,
        }
    }

    fn role_mut(&mut self, role: Role) -> &mut Vec<Fragment> {
        match role {
            Role::Source => &mut self.source,
            Role::Cue => &mut self.cue,
            Role::Content => &mut self.content,
        }
    }
}

/// An article and its gold attributions.
#[derive(Debug, Clone)]
pub struct Article {
    pub name: String,
    pub text: String,
    pub gold: Vec<Attribution>,
}

#[derive(Debug, thiserror::Error)]
pub enum PolnearError {
    #[error("{}: cannot read: {error}", path.display())]
    Read { path: PathBuf, error: std::io::Error },
    #[error("{}, line {line}: {problem}", path.display())]
    Bad { path: PathBuf, line: usize, problem: String },
}

/// Reads `DIR/text/*.txt` with the first `DIR/attributions/NAME_*.ann` of each.
pub fn read_polnear(dir: &Path) -> Result<Vec<Article>, PolnearError> {
    let list = |sub: &str| -> Result<Vec<PathBuf>, PolnearError> {
        let path = dir.join(sub);
        let entries = std::fs::read_dir(&path).map_err(|error| PolnearError::Read { path: path.clone(), error })?;
        let mut files: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        files.sort();
        Ok(files)
    };
    let annotations = list("attributions")?;
    let mut articles = Vec::new();
    for text_path in list("text")?.into_iter().filter(|p| p.extension().is_some_and(|e| e == "txt")) {
        let name = text_path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        let Some(ann) = annotations.iter().find(|p| {
            p.file_name().is_some_and(|f| f.to_string_lossy().starts_with(&format!("{name}_")))
                && p.extension().is_some_and(|e| e == "ann")
        }) else {
            continue;
        };
        let read = |path: &Path| {
            std::fs::read_to_string(path).map_err(|error| PolnearError::Read { path: path.into(), error })
        };
        let text = read(&text_path)?;
        let gold = parse_ann(ann, &read(ann)?)?;
        articles.push(Article { name, text, gold });
    }
    Ok(articles)
}

/// Attributions of a `.ann` file: each `E` line with a cue or a content, its `Source`, `Cue`
/// and `Content` arguments' fragments.
pub fn parse_ann(path: &Path, text: &str) -> Result<Vec<Attribution>, PolnearError> {
    let standoff = parse_standoff(text).map_err(|error| PolnearError::Bad {
        path: path.into(),
        line: error.line,
        problem: error.problem,
    })?;
    let ids = standoff.text_bound_ids();
    let mut attributions = Vec::new();
    for event in standoff.links.iter().filter(|link| link.kind == LinkKind::Event) {
        let mut attribution = Attribution::default();
        for &(role, id) in &event.arguments {
            let Some(&bound) = ids.get(id) else { continue };
            let fragments = standoff.text_bounds[bound].fragments.iter().map(|span| (span.start, span.end));
            // PolNeAR's argument names, exactly.
            let role = match role {
                "Source" => Role::Source,
                "Cue" => Role::Cue,
                "Content" => Role::Content,
                _ => continue,
            };
            attribution.role_mut(role).extend(fragments);
        }
        if !attribution.cue.is_empty() || !attribution.content.is_empty() {
            attributions.push(attribution);
        }
    }
    Ok(attributions)
}

/// PolNeAR articles as sentences of words tagged IOB2 with their claim roles (`B-SOURCE`,
/// `I-CUE`, `B-CONTENT`, ...), segmented as `tag` segments an article, one document each. A
/// content running over sentences continues (`I-CONTENT`) into the next one; each fragment of
/// a discontinuous span is a span of its own.
pub fn role_sentences(articles: &[Article], segmenter: &Segmenter) -> Vec<LabeledSentence> {
    let mut sentences = Vec::new();
    for (document, article) in articles.iter().enumerate() {
        let index = CharIndex::new(&article.text);
        let mut spans: Vec<(usize, usize, &str)> = Vec::new();
        for attribution in &article.gold {
            for role in Role::ALL {
                spans.extend(attribution.role(role).iter().map(|&(start, end)| (start, end, role.kind())));
            }
        }
        // Tagged as one sequence, so a span that runs on into the next sentence continues there.
        let sentence_words: Vec<Vec<Span>> = segmenter
            .split(&article.text)
            .into_iter()
            .map(|sentence| {
                words(index.slice(sentence.start..sentence.end))
                    .into_iter()
                    .map(|word| Span::new(sentence.start + word.start, sentence.start + word.end))
                    .collect::<Vec<Span>>()
            })
            .filter(|words| !words.is_empty())
            .collect();
        let all_words: Vec<Span> = sentence_words.iter().flatten().copied().collect();
        let mut tags = TagScheme::Iob2.tags(&all_words, &spans).into_iter();
        for words in sentence_words {
            sentences.push(LabeledSentence {
                tokens: words.iter().map(|word| index.slice(word.start..word.end).to_string()).collect(),
                tags: tags.by_ref().take(words.len()).collect(),
                document,
            });
        }
    }
    sentences
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brat_attributions_with_discontinuous_spans_are_read() {
        let ann = "T1\tSource 0 3\tISW\nT2\tCue 4 8\tsaid\nT3\tContent 9 14;20 25\tabcde fghij\nT4\tAttribution 4 8\tsaid\nE1\tAttribution:T4 Content:T3 Cue:T2 Source:T1\n";
        let attributions = parse_ann(Path::new("a.ann"), ann).unwrap();
        assert_eq!(
            attributions,
            [Attribution { source: vec![(0, 3)], cue: vec![(4, 8)], content: vec![(9, 14), (20, 25)] }]
        );
    }

    #[test]
    fn annotation_text_running_over_lines_is_not_read_as_annotations() {
        let ann =
            "T1\tCue 4 8\tsaid\nT2\tContent 9 30\t3.\n\nThe number of people\nE1\tAttribution:T1 Content:T2 Cue:T1\n";
        let attributions = parse_ann(Path::new("a.ann"), ann).unwrap();
        assert_eq!(attributions[0].content, [(9, 30)]);
    }

    #[test]
    fn a_continuation_line_opening_with_a_curly_quote_is_text_not_an_annotation() {
        let ann =
            "T1\tCue 4 8\tsaid\nT2\tContent 9 30\t“We\n“will win”\tmore\n”\nE1\tAttribution:T1 Content:T2 Cue:T1\n";
        let attributions = parse_ann(Path::new("a.ann"), ann).unwrap();
        assert_eq!(attributions, [Attribution { source: vec![], cue: vec![(4, 8)], content: vec![(9, 30)] }]);
    }
}
