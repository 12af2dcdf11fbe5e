//! JSONL records: one `{"id": ..., "text": ..., ...}` object a line.

use std::io::{self, BufRead};

use serde_json::{Map, Value};

use super::{ErrorKind, ReaderConfig, Record, RecordError, Source, Stream};
use crate::document::Document;

/// Reads a JSONL stream line by line; a line is never held beyond `max_doc_bytes`.
pub(super) struct LineReader {
    source: Source,
    stream: Stream,
    /// Lines read so far; the number of the line last read.
    line: usize,
    buffer: Vec<u8>,
    failed: bool,
}

impl LineReader {
    pub(super) fn new(source: Source, stream: Stream) -> Self {
        LineReader { source, stream, line: 0, buffer: Vec::new(), failed: false }
    }

    /// The next record, or `None` at the end of the stream (or after a read error, which is
    /// returned once as a record).
    pub(super) fn next_record(&mut self, config: &ReaderConfig) -> Option<Record> {
        loop {
            if self.failed {
                return None;
            }
            self.line += 1;
            let line_id = self.source.line_id(self.line);
            let fail = |kind, message: String| Some(Err(RecordError { id: line_id.clone(), kind, message }));
            let where_ = format!("{}, line {}", self.source.name(), self.line);
            match read_bounded_line(&mut self.stream, &mut self.buffer, config.max_doc_bytes) {
                Err(error) => {
                    self.failed = true;
                    return fail(ErrorKind::Read, format!("{where_}: cannot read: {error}"));
                }
                Ok(LineRead::End) => return None,
                Ok(LineRead::TooLong) => {
                    return fail(
                        ErrorKind::TooLarge,
                        format!("{where_}: line longer than --max-doc-bytes ({} bytes)", config.max_doc_bytes),
                    )
                }
                Ok(LineRead::Line) => {}
            }
            let Ok(line) = std::str::from_utf8(&self.buffer) else {
                let offset = std::str::from_utf8(&self.buffer).map_or_else(|err| err.valid_up_to(), |_| 0);
                return fail(
                    ErrorKind::InvalidUtf8,
                    format!("{where_}: not valid UTF-8 (first invalid byte at column {offset})"),
                );
            };
            if line.trim().is_empty() {
                if config.keep_blank_lines {
                    return fail(ErrorKind::BlankLine, format!("{where_}: blank line"));
                }
                continue;
            }
            return Some(
                parse_record(line, &line_id)
                    .map_err(|error| RecordError { message: format!("{where_}: {}", error.message), ..error }),
            );
        }
    }
}

enum LineRead {
    Line,
    TooLong,
    End,
}

/// Reads one line without its line ending into `buffer`. A line over `max` bytes is skipped to
/// its end without being kept, so one huge line cannot exhaust memory.
fn read_bounded_line(stream: &mut Stream, buffer: &mut Vec<u8>, max: usize) -> io::Result<LineRead> {
    buffer.clear();
    let mut too_long = false;
    let mut saw_any = false;
    loop {
        let available = match stream.fill_buf() {
            Ok(available) => available,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
            Err(error) => return Err(error),
        };
        if available.is_empty() {
            break;
        }
        saw_any = true;
        let (chunk, found_newline) = match available.iter().position(|&b| b == b'\n') {
            Some(at) => (&available[..at], true),
            None => (available, false),
        };
        if !too_long {
            if buffer.len() + chunk.len() > max {
                too_long = true;
                buffer.clear();
            } else {
                buffer.extend_from_slice(chunk);
            }
        }
        let used = chunk.len() + usize::from(found_newline);
        stream.consume(used);
        if found_newline {
            break;
        }
    }
    if !saw_any {
        return Ok(LineRead::End);
    }
    if buffer.last() == Some(&b'\r') {
        buffer.pop();
    }
    Ok(if too_long { LineRead::TooLong } else { LineRead::Line })
}

/// Parses one JSONL line into a document; `default_id` names it when it has no `"id"`.
/// An error carries the record's own id when it has a usable one, and describes the problem.
pub fn parse_record(line: &str, default_id: &str) -> Result<Document, RecordError> {
    let fail = |id: &str, kind, message: &str| RecordError { id: id.to_string(), kind, message: message.to_string() };
    let record: Value = serde_json::from_str(line)
        .map_err(|err| fail(default_id, ErrorKind::InvalidJson, &format!("invalid JSON: {err}")))?;
    let Value::Object(mut fields) = record else {
        return Err(fail(default_id, ErrorKind::NotAnObject, "expected a JSON object with a \"text\" field"));
    };
    let id = match fields.remove("id") {
        None | Some(Value::Null) => default_id.to_string(),
        Some(Value::String(id)) => id,
        Some(Value::Number(id)) => id.to_string(),
        Some(_) => return Err(fail(default_id, ErrorKind::BadId, "\"id\" is neither a string nor a number")),
    };
    let text = match fields.remove("text") {
        Some(Value::String(text)) => text,
        Some(_) => return Err(fail(&id, ErrorKind::TextNotString, "\"text\" is not a string")),
        None => return Err(fail(&id, ErrorKind::MissingText, "no \"text\" field")),
    };
    let mut document = Document::new(id, text);
    document.meta = (!fields.is_empty()).then_some(Map::from_iter(fields));
    Ok(document)
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use super::*;

    fn read(text: &[u8], config: ReaderConfig) -> Vec<Record> {
        let mut reader = LineReader::new(Source::Stdin, Box::new(Cursor::new(text.to_vec())));
        std::iter::from_fn(|| reader.next_record(&config)).collect()
    }

    fn read_default(text: &str) -> Vec<Record> {
        read(text.as_bytes(), ReaderConfig::default())
    }

    #[test]
    fn records_keep_ids_and_extra_fields() {
        let docs = read_default("{\"id\": \"a1\", \"text\": \"Kyiv\", \"source\": \"ISW\"}\n\n{\"text\": \"Lviv\"}\r\n{\"id\": 7, \"text\": \"\"}");
        let docs: Vec<Document> = docs.into_iter().map(Result::unwrap).collect();
        assert_eq!(docs.len(), 3);
        assert_eq!(docs[0].id, "a1");
        assert_eq!(docs[0].meta.as_ref().unwrap()["source"], "ISW");
        assert_eq!(docs[1].id, "line:3", "a record without id is named by its line number");
        assert_eq!(docs[1].meta, None);
        assert_eq!((docs[2].id.as_str(), docs[2].text.as_str()), ("7", ""));
    }

    #[test]
    fn bad_lines_become_error_records_in_place_and_reading_goes_on() {
        let records = read_default(
            "{\"text\": \"ok\"}\n{\"text\": oops}\n{\"id\": \"x\"}\n{\"id\": \"y\", \"text\": 5}\n[1]\n{\"id\": [], \"text\": \"\"}\n{\"text\": \"end\"}\n",
        );
        let kinds: Vec<Result<&str, (String, ErrorKind)>> =
            records.iter().map(|r| r.as_ref().map(|d| d.text.as_str()).map_err(|e| (e.id.clone(), e.kind))).collect();
        assert_eq!(
            kinds,
            [
                Ok("ok"),
                Err(("line:2".into(), ErrorKind::InvalidJson)),
                Err(("x".into(), ErrorKind::MissingText)),
                Err(("y".into(), ErrorKind::TextNotString)),
                Err(("line:5".into(), ErrorKind::NotAnObject)),
                Err(("line:6".into(), ErrorKind::BadId)),
                Ok("end"),
            ]
        );
        let message = &records[2].as_ref().unwrap_err().message;
        assert_eq!(message, "stdin, line 3: no \"text\" field");
    }

    #[test]
    fn invalid_utf8_and_overlong_lines_are_error_records() {
        let mut input = b"{\"text\": \"caf\xe9\"}\n".to_vec();
        input.extend_from_slice(format!("{{\"text\": \"{}\"}}\n", "a".repeat(200)).as_bytes());
        input.extend_from_slice(b"{\"text\": \"fine\"}");
        let config = ReaderConfig { max_doc_bytes: 100, ..ReaderConfig::default() };
        let records = read(&input, config);
        assert_eq!(records[0].as_ref().unwrap_err().kind, ErrorKind::InvalidUtf8);
        assert_eq!(records[1].as_ref().unwrap_err().kind, ErrorKind::TooLarge);
        assert_eq!(records[2].as_ref().unwrap().text, "fine");
    }

    #[test]
    fn blank_lines_get_records_only_when_asked() {
        let config = ReaderConfig { keep_blank_lines: true, ..ReaderConfig::default() };
        let records = read(b"{\"text\": \"a\"}\n\n{\"text\": \"b\"}\n", config);
        assert_eq!(records.len(), 3);
        assert_eq!(records[1].as_ref().unwrap_err().kind, ErrorKind::BlankLine);
        assert_eq!(read_default("{\"text\": \"a\"}\n\n").len(), 1);
    }
}
