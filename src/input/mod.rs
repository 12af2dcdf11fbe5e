//! Reading documents: plain text, HTML articles and JSONL records, from files, directories
//! (recursively), compressed JSONL (`.gz`, `.zst`) or standard input.
//!
//! Reading streams: [`Reader`] yields one [`Record`] at a time and never holds more than one
//! document, so a gigabyte of JSONL reads in flat memory. A record that cannot be read (invalid
//! JSON, no `"text"`, invalid UTF-8, over the size limit) is an `Err(RecordError)` in its place,
//! and reading goes on: one bad line never costs the rest of the input.

mod extraction_eval;
mod files;
mod html;
mod jsonl;

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

use serde::Serialize;

use crate::document::Document;

pub use extraction_eval::{evaluate_extraction, shingle_scores, ExtractionEvalError, ExtractionScores, PageScore};
pub use files::{expand_inputs, Inputs, SkipReason, Skipped};
pub use html::{extract_article, extract_page, parse_page, small_body_warning, Page, MAX_ELEMENT_DEPTH};
pub use jsonl::parse_record;

/// Documents over this many bytes become `too_large` error records unless `--max-doc-bytes` says otherwise.
pub const DEFAULT_MAX_DOC_BYTES: usize = 10_000_000;

/// How to read an input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputFormat {
    /// By file extension (see [`InputFormat::of_path`]); standard input is text.
    Auto,
    /// The whole input is one document.
    Text,
    /// The whole input is one web page; its main content is the document.
    Html,
    /// One JSON object a line with `"text"` and optionally `"id"`; other fields become `meta`.
    Jsonl,
}

impl InputFormat {
    /// The format a file name implies: `.html`/`.htm` is HTML, `.jsonl` (also `.jsonl.gz`,
    /// `.jsonl.zst`) is JSONL, anything else text.
    pub fn of_path(path: &Path) -> InputFormat {
        let name = path.file_name().map(|name| name.to_string_lossy().to_lowercase()).unwrap_or_default();
        let name = name.strip_suffix(".gz").or_else(|| name.strip_suffix(".zst")).unwrap_or(&name);
        if name.ends_with(".html") || name.ends_with(".htm") {
            InputFormat::Html
        } else if name.ends_with(".jsonl") || name.ends_with(".ndjson") {
            InputFormat::Jsonl
        } else {
            InputFormat::Text
        }
    }
}

/// Where documents come from: a file, or standard input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputSource {
    Stdin,
    /// `id` names the file in document ids: its file name, or its path below a directory given
    /// as input, as text by the rule of [`files::lossless_name`] (names that are not UTF-8 keep
    /// their bytes as `\xNN`).
    File {
        path: PathBuf,
        id: String,
    },
}

impl InputSource {
    /// `-` means standard input.
    pub fn from_arg(arg: &Path) -> Self {
        if arg == Path::new("-") {
            InputSource::Stdin
        } else {
            InputSource::file(arg)
        }
    }

    /// A file named in document ids by its file name.
    pub fn file(path: &Path) -> Self {
        let id = path.file_name().map_or_else(|| files::lossless_path(path), files::lossless_name);
        InputSource::File { path: path.to_path_buf(), id }
    }

    /// How errors name this source.
    pub fn name(&self) -> String {
        match self {
            InputSource::Stdin => "stdin".to_string(),
            InputSource::File { path, .. } => files::lossless_path(path),
        }
    }

    /// The id of the one document of a text or HTML source.
    fn document_id(&self) -> String {
        self.id().to_string()
    }

    fn id(&self) -> &str {
        match self {
            InputSource::Stdin => "stdin",
            InputSource::File { id, .. } => id,
        }
    }

    /// The id of a JSONL record that has none: `line:N` on standard input, `FILE:line:N` in a file,
    /// so that records of different files never share an id.
    fn line_id(&self, line: usize) -> String {
        match self {
            InputSource::Stdin => format!("line:{line}"),
            InputSource::File { id, .. } => format!("{id}:line:{line}"),
        }
    }

    fn format(&self, requested: InputFormat) -> InputFormat {
        match (requested, self) {
            (InputFormat::Auto, InputSource::Stdin) => InputFormat::Text,
            (InputFormat::Auto, InputSource::File { path, .. }) => InputFormat::of_path(path),
            (format, _) => format,
        }
    }

    /// Bytes on disk, when known: what progress counts against. A pipe or device has no size
    /// (its metadata says 0, whatever flows through it).
    pub fn size(&self) -> Option<u64> {
        match self {
            InputSource::Stdin => None,
            InputSource::File { path, .. } => {
                std::fs::metadata(path).ok().filter(|meta| meta.is_file()).map(|meta| meta.len())
            }
        }
    }
}

/// Errors that stop a run before it starts: inputs that do not exist or cannot be listed.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("{path}: cannot read: {error}")]
    Read { path: String, error: std::io::Error },
    #[error("{path}: a directory with no .txt, .html, .htm, .jsonl, .jsonl.gz or .jsonl.zst files")]
    EmptyDirectory { path: String },
}

/// Why one document could not be read. Serialized as the `"kind"` of an error record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordErrorKind {
    /// The file or stream failed while being read.
    Read,
    InvalidUtf8,
    InvalidJson,
    /// A JSONL line that is JSON but not an object.
    NotAnObject,
    MissingText,
    TextNotString,
    /// An `"id"` that is neither a string nor a number.
    BadId,
    /// Over `--max-doc-bytes`.
    TooLarge,
    /// An HTML page with no main content to extract.
    NoContent,
    /// A blank line in pipe mode, where every line gets an output line.
    BlankLine,
    /// A text or HTML input whose id an earlier one of the run already has (the same file given
    /// twice, or two files of the same name in different places). It is not read; its record's
    /// id is the id with `#2` (`#3`, ...) appended, so every id of a run stays unique.
    DuplicateId,
    /// A bug in claimtag hit while processing the document (see `batch::isolate`).
    Internal,
}

/// A document that could not be read, in the place it would have taken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{id}: {message}")]
pub struct RecordError {
    /// The record's own id when it could be read, else the id it would have had by default.
    pub id: String,
    pub kind: RecordErrorKind,
    /// Names the input (file and line) and the problem.
    pub message: String,
}

/// One input document, or why it could not be read.
pub type Record = Result<Document, RecordError>;

/// How to read inputs.
#[derive(Debug, Clone, Copy)]
pub struct ReaderConfig {
    pub format: InputFormat,
    pub max_doc_bytes: usize,
    /// Gives blank JSONL lines an error record instead of skipping them (pipe mode: one output
    /// line per input line).
    pub keep_blank_lines: bool,
}

impl Default for ReaderConfig {
    fn default() -> Self {
        ReaderConfig { format: InputFormat::Auto, max_doc_bytes: DEFAULT_MAX_DOC_BYTES, keep_blank_lines: false }
    }
}

/// Streams the records of `sources` in order.
pub struct Reader {
    /// Each source with the error record that replaces it when its id is taken.
    sources: std::vec::IntoIter<(InputSource, Option<RecordError>)>,
    config: ReaderConfig,
    /// The JSONL source being read, if any.
    lines: Option<jsonl::LineReader>,
    /// Raw bytes consumed so far, compressed bytes for compressed files; shared with whoever
    /// reports progress.
    bytes_read: Arc<AtomicU64>,
}

impl Reader {
    pub fn new(sources: Vec<InputSource>, config: ReaderConfig) -> Self {
        let duplicates = duplicate_ids(&sources, config.format);
        let sources: Vec<_> = sources.into_iter().zip(duplicates).collect();
        Reader { sources: sources.into_iter(), config, lines: None, bytes_read: Arc::new(AtomicU64::new(0)) }
    }

    /// A counter of the input bytes read so far, updated as reading goes.
    pub fn bytes_read(&self) -> Arc<AtomicU64> {
        Arc::clone(&self.bytes_read)
    }

    /// The single record of a text or HTML source.
    fn read_whole(&self, source: &InputSource, format: InputFormat) -> Record {
        let id = source.document_id();
        let fail = |kind, message: String| RecordError { id: id.clone(), kind, message };
        let max = self.config.max_doc_bytes;
        let mut bytes = Vec::new();
        let read = files::open(source, &self.bytes_read)
            .and_then(|stream| stream.take(max as u64 + 1).read_to_end(&mut bytes));
        if let Err(error) = read {
            return Err(fail(RecordErrorKind::Read, format!("{}: cannot read: {error}", source.name())));
        }
        if bytes.len() > max {
            return Err(fail(
                RecordErrorKind::TooLarge,
                format!("{}: larger than --max-doc-bytes ({max} bytes)", source.name()),
            ));
        }
        let text = decode_utf8(bytes).map_err(|offset| {
            fail(
                RecordErrorKind::InvalidUtf8,
                format!(
                    "{}: not valid UTF-8 (first invalid byte at offset {offset}); convert it to UTF-8 first",
                    source.name()
                ),
            )
        })?;
        if format != InputFormat::Html {
            return Ok(Document::new(id, text));
        }
        let page = extract_page(&text).ok_or_else(|| {
            fail(RecordErrorKind::NoContent, format!("{}: no article text found in the HTML", source.name()))
        })?;
        let mut doc = Document::new(id, page.text);
        doc.headline = page.headline;
        doc.warnings = page.warnings;
        doc.meta = (!page.meta.is_empty()).then_some(page.meta);
        Ok(doc)
    }
}

impl Iterator for Reader {
    type Item = Record;

    fn next(&mut self) -> Option<Record> {
        loop {
            if let Some(lines) = &mut self.lines {
                match lines.next_record(&self.config) {
                    Some(record) => return Some(record),
                    None => self.lines = None,
                }
            }
            let (source, duplicate) = self.sources.next()?;
            if let Some(error) = duplicate {
                return Some(Err(error));
            }
            match source.format(self.config.format) {
                InputFormat::Jsonl => match files::open(&source, &self.bytes_read) {
                    Ok(stream) => self.lines = Some(jsonl::LineReader::new(source, stream)),
                    Err(error) => {
                        return Some(Err(RecordError {
                            id: source.document_id(),
                            kind: RecordErrorKind::Read,
                            message: format!("{}: cannot read: {error}", source.name()),
                        }))
                    }
                },
                format => return Some(self.read_whole(&source, format)),
            }
        }
    }
}

/// For each source, the error record that takes its place when it is a text or HTML source whose
/// id an earlier one already has. A JSONL source is left alone: its records carry their own ids,
/// which may repeat.
fn duplicate_ids(sources: &[InputSource], format: InputFormat) -> Vec<Option<RecordError>> {
    let whole = |source: &InputSource| source.format(format) != InputFormat::Jsonl;
    let taken: HashSet<&str> = sources.iter().filter(|s| whole(s)).map(InputSource::id).collect();
    let mut assigned: HashSet<String> = HashSet::new();
    let mut first: HashMap<&str, &InputSource> = HashMap::new();
    sources
        .iter()
        .map(|source| {
            if !whole(source) {
                return None;
            }
            let id = source.id();
            let Some(earlier) = first.get(id) else {
                first.insert(id, source);
                return None;
            };
            let name = source.name();
            let message = if *earlier == source {
                format!("{name}: given twice; it is read once, where it first appears")
            } else {
                format!(
                    "{name}: has the id {id:?} of {}, read before it, so it is not read; ids of files are their \
                     names: rename one, or give the directory above both so that ids are paths below it",
                    earlier.name()
                )
            };
            let unique = (2..)
                .map(|n| format!("{id}#{n}"))
                .find(|candidate| !taken.contains(candidate.as_str()) && !assigned.contains(candidate))?;
            assigned.insert(unique.clone());
            Some(RecordError { id: unique, kind: RecordErrorKind::DuplicateId, message })
        })
        .collect()
}

/// Reads every record of `sources` into memory; for small inputs and tests.
pub fn read_documents(sources: &[InputSource], format: InputFormat) -> Vec<Record> {
    Reader::new(sources.to_vec(), ReaderConfig { format, ..ReaderConfig::default() }).collect()
}

/// UTF-8 text without a byte order mark (an encoding artefact, not text: offsets count from
/// after it); on failure, the offset of the first invalid byte.
fn decode_utf8(bytes: Vec<u8>) -> Result<String, usize> {
    let mut text = String::from_utf8(bytes).map_err(|err| err.utf8_error().valid_up_to())?;
    if text.starts_with('\u{feff}') {
        text.remove(0);
    }
    Ok(text)
}

/// A boxed byte stream, so plain and compressed inputs read alike.
type Stream = Box<dyn BufRead + Send>;

/// Opens a file for reading as `tag` reads its inputs: `.gz` and `.zst` are decompressed.
pub fn open_file(path: &Path) -> std::io::Result<Box<dyn BufRead + Send>> {
    files::open(&InputSource::file(path), &Arc::new(AtomicU64::new(0)))
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::Ordering;

    use super::*;

    fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }

    #[test]
    fn invalid_utf8_files_become_an_error_record_naming_the_offset() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(dir.path(), "latin1.txt", b"Caf\xe9 in Kyiv");
        let good = write(dir.path(), "good.txt", b"Kyiv");
        let records = read_documents(&[InputSource::file(&path), InputSource::file(&good)], InputFormat::Auto);
        let err = records[0].as_ref().unwrap_err();
        assert_eq!((err.id.as_str(), err.kind), ("latin1.txt", RecordErrorKind::InvalidUtf8));
        assert_eq!(
            err.message,
            format!("{}: not valid UTF-8 (first invalid byte at offset 3); convert it to UTF-8 first", path.display())
        );
        assert_eq!(records[1].as_ref().unwrap().text, "Kyiv", "reading goes on after a bad file");
    }

    #[test]
    fn text_files_are_named_by_file_name_and_lose_their_bom() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(dir.path(), "article.txt", "\u{feff}ISW said so.".as_bytes());
        let docs = read_documents(&[InputSource::file(&path)], InputFormat::Text);
        let doc = docs[0].as_ref().unwrap();
        assert_eq!((doc.id.as_str(), doc.text.as_str()), ("article.txt", "ISW said so."));
    }

    #[test]
    fn a_file_over_the_size_limit_is_an_error_record() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(dir.path(), "big.txt", &[b'a'; 100]);
        let config = ReaderConfig { max_doc_bytes: 99, ..ReaderConfig::default() };
        let records: Vec<Record> = Reader::new(vec![InputSource::file(&path)], config).collect();
        assert_eq!(records[0].as_ref().unwrap_err().kind, RecordErrorKind::TooLarge);
        let config = ReaderConfig { max_doc_bytes: 100, ..ReaderConfig::default() };
        let records: Vec<Record> = Reader::new(vec![InputSource::file(&path)], config).collect();
        assert_eq!(records[0].as_ref().unwrap().text.len(), 100);
    }

    #[test]
    fn formats_follow_the_extension() {
        assert_eq!(InputFormat::of_path(Path::new("a/Page.HTM")), InputFormat::Html);
        assert_eq!(InputFormat::of_path(Path::new("x.jsonl.zst")), InputFormat::Jsonl);
        assert_eq!(InputFormat::of_path(Path::new("x.jsonl.gz")), InputFormat::Jsonl);
        assert_eq!(InputFormat::of_path(Path::new("notes.txt")), InputFormat::Text);
        assert_eq!(InputFormat::of_path(Path::new("README")), InputFormat::Text);
    }

    #[test]
    fn the_same_file_given_twice_gets_a_duplicate_id_error_in_place_of_the_second() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(dir.path(), "a.txt", b"Kyiv");
        let records = read_documents(&[InputSource::file(&path), InputSource::file(&path)], InputFormat::Auto);
        assert_eq!(records[0].as_ref().unwrap().id, "a.txt");
        let err = records[1].as_ref().unwrap_err();
        assert_eq!((err.id.as_str(), err.kind), ("a.txt#2", RecordErrorKind::DuplicateId));
        assert_eq!(err.message, format!("{}: given twice; it is read once, where it first appears", path.display()));
    }

    #[test]
    fn files_of_the_same_name_in_different_places_keep_every_id_unique() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("a")).unwrap();
        std::fs::create_dir_all(dir.path().join("b")).unwrap();
        let first = write(dir.path(), "a/x.txt", b"Kyiv");
        let second = write(dir.path(), "b/x.txt", b"Lviv");
        // A file literally named `x.txt#2` takes that id, so the duplicate gets the next one.
        let taken = write(dir.path(), "x.txt#2", b"Odesa");
        let sources = [InputSource::file(&first), InputSource::file(&second), InputSource::file(&taken)];
        let records = read_documents(&sources, InputFormat::Auto);
        let ids: Vec<&str> =
            records.iter().map(|r| r.as_ref().map_or_else(|e| e.id.as_str(), |d| d.id.as_str())).collect();
        assert_eq!(ids, ["x.txt", "x.txt#3", "x.txt#2"]);
        let err = records[1].as_ref().unwrap_err();
        assert_eq!(err.kind, RecordErrorKind::DuplicateId);
        assert_eq!(
            err.message,
            format!(
                "{}: has the id \"x.txt\" of {}, read before it, so it is not read; ids of files are their names: \
                 rename one, or give the directory above both so that ids are paths below it",
                second.display(),
                first.display()
            )
        );
    }

    #[test]
    fn jsonl_files_of_the_same_name_are_both_read() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("a")).unwrap();
        std::fs::create_dir_all(dir.path().join("b")).unwrap();
        let first = write(dir.path(), "a/x.jsonl", b"{\"id\": \"1\", \"text\": \"Kyiv\"}\n");
        let second = write(dir.path(), "b/x.jsonl", b"{\"id\": \"2\", \"text\": \"Lviv\"}\n");
        let records = read_documents(&[InputSource::file(&first), InputSource::file(&second)], InputFormat::Auto);
        let ids: Vec<&str> = records.iter().map(|r| r.as_ref().unwrap().id.as_str()).collect();
        assert_eq!(ids, ["1", "2"], "records carry their own ids");
    }

    #[test]
    fn standard_input_given_twice_is_read_once() {
        // Not read here (a test's standard input may be a terminal): only the ids are checked.
        let duplicates = duplicate_ids(&[InputSource::Stdin, InputSource::Stdin], InputFormat::Auto);
        assert_eq!(duplicates[0], None);
        let err = duplicates[1].as_ref().unwrap();
        assert_eq!((err.id.as_str(), err.kind), ("stdin#2", RecordErrorKind::DuplicateId));
        assert_eq!(err.message, "stdin: given twice; it is read once, where it first appears");
    }

    #[test]
    fn bytes_read_counts_the_input_consumed() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(dir.path(), "a.jsonl", b"{\"text\": \"a\"}\n{\"text\": \"b\"}\n");
        let mut reader = Reader::new(vec![InputSource::file(&path)], ReaderConfig::default());
        let counter = reader.bytes_read();
        assert_eq!(reader.by_ref().count(), 2);
        assert_eq!(counter.load(Ordering::Relaxed), 28);
    }
}
