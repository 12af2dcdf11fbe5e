//! CoNLL column files: a token in the first column and its entity tag in the last.

use std::path::Path;

use super::tags::TagScheme;
use super::{DataError, LabeledSentence};

/// Token in the first column, tag in the last; blank lines end sentences, `-DOCSTART-` lines
/// end documents. IOB1 tags are converted to IOB2.
pub fn parse_conll(path: &Path, text: &str) -> Result<Vec<LabeledSentence>, DataError> {
    let mut sentences = Vec::new();
    let mut document = 0;
    let mut current = LabeledSentence { tokens: Vec::new(), tags: Vec::new(), document };
    let flush = |current: &mut LabeledSentence, sentences: &mut Vec<LabeledSentence>, document: usize| {
        if !current.tokens.is_empty() {
            current.tags = TagScheme::Iob1.convert(&current.tags, TagScheme::Iob2);
            sentences
                .push(std::mem::replace(current, LabeledSentence { tokens: Vec::new(), tags: Vec::new(), document }));
        }
        current.document = document;
    };
    for (index, line) in text.lines().enumerate() {
        let columns: Vec<&str> = line.split_whitespace().collect();
        match columns.as_slice() {
            [] => flush(&mut current, &mut sentences, document),
            [first, ..] if *first == "-DOCSTART-" => {
                document += 1;
                flush(&mut current, &mut sentences, document);
            }
            [_] => {
                return Err(DataError::Bad {
                    path: path.into(),
                    line: index + 1,
                    problem: format!("expected a token and a tag, found {line:?}"),
                })
            }
            [token, .., tag] => {
                current.tokens.push(token.to_string());
                current.tags.push(tag.to_string());
            }
        }
    }
    flush(&mut current, &mut sentences, document);
    Ok(sentences)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conll_files_split_into_sentences_and_documents() {
        let text = "-DOCSTART- -X- -X- O\n\nEU NNP B-NP B-ORG\nrejects VBZ B-VP O\n\nPeter NNP B-NP B-PER\n\n-DOCSTART- -X- O O\n\nKyiv NNP I-NP B-LOC\n";
        let sentences = parse_conll(Path::new("x"), text).unwrap();
        assert_eq!(sentences.len(), 3);
        assert_eq!(sentences[0].tokens, ["EU", "rejects"]);
        assert_eq!(sentences[0].tags, ["B-ORG", "O"]);
        assert_eq!(sentences[0].document, sentences[1].document);
        assert_ne!(sentences[1].document, sentences[2].document);
    }

    #[test]
    fn a_conll_line_without_a_tag_is_named() {
        let err = parse_conll(Path::new("train.txt"), "EU B-ORG\nrejects\n").unwrap_err();
        assert_eq!(err.to_string(), "train.txt, line 2: expected a token and a tag, found \"rejects\"");
    }
}
