//! Reading documents: plain text files, JSONL records, or standard input.

use std::io::Read;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::document::Document;

/// How to read each input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputFormat {
    /// The whole input is one document.
    Text,
    /// One JSON object a line with `"text"` and optionally `"id"`; other fields become `meta`.
    Jsonl,
}

/// Where a document comes from: a file, or standard input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Stdin,
    File(PathBuf),
}

impl Source {
    /// `-` means standard input.
    pub fn from_arg(arg: &Path) -> Self {
        if arg == Path::new("-") {
            Source::Stdin
        } else {
            Source::File(arg.to_path_buf())
        }
    }

    /// How errors and default ids name this source.
    pub fn name(&self) -> String {
        match self {
            Source::Stdin => "stdin".to_string(),
            Source::File(path) => path.display().to_string(),
        }
    }

    /// The id of a text document from this source: the file name, or `stdin`.
    fn default_id(&self) -> String {
        match self {
            Source::Stdin => "stdin".to_string(),
            Source::File(path) => {
                path.file_name().map_or_else(|| self.name(), |name| name.to_string_lossy().into_owned())
            }
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("{source_name}: cannot read: {error}")]
    Read { source_name: String, error: std::io::Error },

    #[error("{source_name}: not valid UTF-8 (first invalid byte at offset {byte_offset}); convert it to UTF-8 first")]
    NotUtf8 { source_name: String, byte_offset: usize },

    #[error("{source_name}, line {line}: {problem}")]
    BadRecord { source_name: String, line: usize, problem: String },
}

/// Reads every document from `sources` in order.
pub fn read_documents(sources: &[Source], format: InputFormat) -> Result<Vec<Document>, InputError> {
    let mut documents = Vec::new();
    for source in sources {
        let text = read_text(source)?;
        match format {
            InputFormat::Text => documents.push(Document::new(source.default_id(), text)),
            InputFormat::Jsonl => documents.extend(parse_jsonl(source, &text)?),
        }
    }
    Ok(documents)
}

fn read_text(source: &Source) -> Result<String, InputError> {
    let mut bytes = Vec::new();
    let result = match source {
        Source::Stdin => std::io::stdin().lock().read_to_end(&mut bytes),
        Source::File(path) => std::fs::File::open(path).and_then(|mut file| file.read_to_end(&mut bytes)),
    };
    result.map_err(|error| InputError::Read { source_name: source.name(), error })?;
    let mut text = String::from_utf8(bytes).map_err(|err| InputError::NotUtf8 {
        source_name: source.name(),
        byte_offset: err.utf8_error().valid_up_to(),
    })?;
    // A byte order mark is an encoding artefact, not text: offsets count from after it.
    if text.starts_with('\u{feff}') {
        text.remove(0);
    }
    Ok(text)
}

/// Parses JSONL text; blank lines are skipped, line numbers count from 1.
pub fn parse_jsonl(source: &Source, text: &str) -> Result<Vec<Document>, InputError> {
    let mut documents = Vec::new();
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let line_number = index + 1;
        let bad = |problem: String| InputError::BadRecord { source_name: source.name(), line: line_number, problem };
        let record: Value = serde_json::from_str(line).map_err(|err| bad(format!("invalid JSON: {err}")))?;
        let Value::Object(mut fields) = record else {
            return Err(bad("expected a JSON object with a \"text\" field".to_string()));
        };
        let text = match fields.remove("text") {
            Some(Value::String(text)) => text,
            Some(_) => return Err(bad("\"text\" is not a string".to_string())),
            None => return Err(bad("no \"text\" field".to_string())),
        };
        let id = match fields.remove("id") {
            None | Some(Value::Null) => line_number.to_string(),
            Some(Value::String(id)) => id,
            Some(Value::Number(id)) => id.to_string(),
            Some(_) => return Err(bad("\"id\" is neither a string nor a number".to_string())),
        };
        let mut document = Document::new(id, text);
        document.meta = (!fields.is_empty()).then_some(Map::from_iter(fields));
        documents.push(document);
    }
    Ok(documents)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stdin_jsonl(text: &str) -> Result<Vec<Document>, InputError> {
        parse_jsonl(&Source::Stdin, text)
    }

    #[test]
    fn jsonl_records_keep_ids_and_extra_fields() {
        let docs = stdin_jsonl("{\"id\": \"a1\", \"text\": \"Kyiv\", \"source\": \"ISW\"}\n\n{\"text\": \"Lviv\"}\n{\"id\": 7, \"text\": \"\"}").unwrap();
        assert_eq!(docs.len(), 3);
        assert_eq!(docs[0].id, "a1");
        assert_eq!(docs[0].meta.as_ref().unwrap()["source"], "ISW");
        assert_eq!(docs[1].id, "3", "a record without id is named by its line number");
        assert_eq!(docs[1].meta, None);
        assert_eq!(docs[2].id, "7");
        assert_eq!(docs[2].text, "");
    }

    #[test]
    fn a_bad_jsonl_line_is_named_in_the_error() {
        let err = stdin_jsonl("{\"text\": \"ok\"}\n{\"text\": oops}\n").unwrap_err();
        assert!(err.to_string().starts_with("stdin, line 2: invalid JSON"), "{err}");
        let err = stdin_jsonl("{\"id\": \"x\"}").unwrap_err();
        assert_eq!(err.to_string(), "stdin, line 1: no \"text\" field");
        let err = stdin_jsonl("{\"text\": 5}").unwrap_err();
        assert_eq!(err.to_string(), "stdin, line 1: \"text\" is not a string");
    }

    #[test]
    fn invalid_utf8_files_are_rejected_with_the_offset() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("latin1.txt");
        std::fs::write(&path, b"Caf\xe9 in Kyiv").unwrap();
        let err = read_documents(&[Source::File(path.clone())], InputFormat::Text).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("{}: not valid UTF-8 (first invalid byte at offset 3); convert it to UTF-8 first", path.display())
        );
    }

    #[test]
    fn text_files_are_named_by_file_name_and_lose_their_bom() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("article.txt");
        std::fs::write(&path, "\u{feff}ISW said so.").unwrap();
        let docs = read_documents(&[Source::File(path)], InputFormat::Text).unwrap();
        assert_eq!(docs[0].id, "article.txt");
        assert_eq!(docs[0].text, "ISW said so.");
    }

    #[test]
    fn a_missing_file_is_named() {
        let err = read_documents(&[Source::File("no/such.txt".into())], InputFormat::Text).unwrap_err();
        assert!(err.to_string().starts_with("no/such.txt: cannot read:"), "{err}");
    }
}
