//! JSONL records: one `{"id": ..., "text": ..., ...}` object a line.

use std::io::{self, BufRead};

use serde::de::{Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use super::{InputSource, ReaderConfig, Record, RecordError, RecordErrorKind, Stream};
use crate::document::Document;

/// Reads a JSONL stream line by line; a line is never held beyond `max_doc_bytes`.
pub(super) struct LineReader {
    source: InputSource,
    stream: Stream,
    /// Lines read so far; the number of the line last read.
    line: usize,
    buffer: Vec<u8>,
    failed: bool,
}

impl LineReader {
    pub(super) fn new(source: InputSource, stream: Stream) -> Self {
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
                    return fail(RecordErrorKind::Read, format!("{where_}: cannot read: {error}"));
                }
                Ok(LineRead::End) => return None,
                Ok(LineRead::TooLong) => {
                    return fail(
                        RecordErrorKind::TooLarge,
                        format!("{where_}: line longer than --max-doc-bytes ({} bytes)", config.max_doc_bytes),
                    )
                }
                Ok(LineRead::Line) => {}
            }
            // A byte order mark is an encoding artefact some editors and Windows tools put at the
            // start of a file, not part of the first record.
            if self.line == 1 && self.buffer.starts_with(BOM) {
                self.buffer.drain(..BOM.len());
            }
            let Ok(line) = std::str::from_utf8(&self.buffer) else {
                let offset = std::str::from_utf8(&self.buffer).map_or_else(|err| err.valid_up_to(), |_| 0);
                return fail(
                    RecordErrorKind::InvalidUtf8,
                    format!("{where_}: not valid UTF-8 (first invalid byte at column {offset})"),
                );
            };
            if line.trim().is_empty() {
                if config.keep_blank_lines {
                    return fail(RecordErrorKind::BlankLine, format!("{where_}: blank line"));
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

/// The UTF-8 byte order mark.
const BOM: &[u8] = "\u{feff}".as_bytes();

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
        .map_err(|err| fail(default_id, RecordErrorKind::InvalidJson, &format!("invalid JSON: {err}")))?;
    let Value::Object(mut fields) = record else {
        return Err(fail(default_id, RecordErrorKind::NotAnObject, "expected a JSON object with a \"text\" field"));
    };
    let id = match fields.remove("id") {
        None | Some(Value::Null) => default_id.to_string(),
        Some(Value::String(id)) => id,
        Some(Value::Number(id)) if id.is_u64() => id.to_string(),
        // Beyond 2^64 (and below -2^63) serde_json holds a number as an f64, so that
        // 18446744073709551616 and 18446744073709551617 would both read 1.8446744073709552e19.
        Some(Value::Number(id)) => number_as_written(line).unwrap_or_else(|| id.to_string()),
        Some(_) => return Err(fail(default_id, RecordErrorKind::BadId, "\"id\" is neither a string nor a number")),
    };
    let text = match fields.remove("text") {
        Some(Value::String(text)) => text,
        Some(_) => return Err(fail(&id, RecordErrorKind::TextNotString, "\"text\" is not a string")),
        None => return Err(fail(&id, RecordErrorKind::MissingText, "no \"text\" field")),
    };
    let mut document = Document::new(id, text);
    document.meta = (!fields.is_empty()).then_some(Map::from_iter(fields));
    Ok(document)
}

/// The text of the line's top-level `"id"` (the last one, as `Value` keeps the last of repeated
/// keys) exactly as written: for numbers that are not a `u64`, which `Value` holds as an i64
/// (`-0` would read `0`) or an f64 (digits lost). Read through `RawValue` (the additive
/// `raw_value` feature) rather than serde_json's `arbitrary_precision`, which changes how every
/// number in the build is held and breaks `#[serde(flatten)]` over non-integer numbers
/// (serde-rs/json#721): the entity scores that `eval-claims --tagged` reads in `eval::claims`.
fn number_as_written(line: &str) -> Option<String> {
    struct LastId;
    impl<'de> Visitor<'de> for LastId {
        type Value = Option<&'de RawValue>;

        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a JSON object")
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut id = None;
            while let Some(key) = map.next_key::<String>()? {
                if key == "id" {
                    id = Some(map.next_value::<&RawValue>()?);
                } else {
                    map.next_value::<IgnoredAny>()?;
                }
            }
            Ok(id)
        }
    }
    let mut reader = serde_json::Deserializer::from_str(line);
    let id = reader.deserialize_map(LastId).ok()??;
    Some(id.get().to_string())
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;
    use std::io::Cursor;

    use super::*;

    fn read(text: &[u8], config: ReaderConfig) -> Vec<Record> {
        let mut reader = LineReader::new(InputSource::Stdin, Box::new(Cursor::new(text.to_vec())));
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
        let kinds: Vec<Result<&str, (String, RecordErrorKind)>> =
            records.iter().map(|r| r.as_ref().map(|d| d.text.as_str()).map_err(|e| (e.id.clone(), e.kind))).collect();
        assert_eq!(
            kinds,
            [
                Ok("ok"),
                Err(("line:2".into(), RecordErrorKind::InvalidJson)),
                Err(("x".into(), RecordErrorKind::MissingText)),
                Err(("y".into(), RecordErrorKind::TextNotString)),
                Err(("line:5".into(), RecordErrorKind::NotAnObject)),
                Err(("line:6".into(), RecordErrorKind::BadId)),
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
        assert_eq!(records[0].as_ref().unwrap_err().kind, RecordErrorKind::InvalidUtf8);
        assert_eq!(records[1].as_ref().unwrap_err().kind, RecordErrorKind::TooLarge);
        assert_eq!(records[2].as_ref().unwrap().text, "fine");
    }

    #[test]
    fn numeric_ids_beyond_2_64_keep_their_digits() {
        let records = read_default(concat!(
            "{\"id\": 18446744073709551616, \"text\": \"a\"}\n",
            "{\"id\": 18446744073709551617, \"text\": \"b\"}\n",
            "{\"id\": -9223372036854775809, \"text\": \"c\"}\n",
            "{\"id\": 18446744073709551615, \"text\": \"d\"}\n",
            "{\"id\": 1.50e3, \"text\": \"e\"}\n",
            "{\"id\": -0, \"text\": \"f\"}\n",
            "{\"id\": \"x\", \"id\": 123456789012345678901234567890, \"text\": \"g\"}\n",
        ));
        let ids: Vec<&str> = records.iter().map(|r| r.as_ref().unwrap().id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "18446744073709551616",
                "18446744073709551617",
                "-9223372036854775809",
                "18446744073709551615",
                "1.50e3",
                "-0",
                "123456789012345678901234567890",
            ]
        );
    }

    #[test]
    fn a_bom_at_the_start_of_a_jsonl_stream_is_dropped() {
        let records = read_default("\u{feff}{\"text\": \"Kyiv\"}\n{\"text\": \"Lviv\"}\n");
        let texts: Vec<&str> = records.iter().map(|r| r.as_ref().unwrap().text.as_str()).collect();
        assert_eq!(texts, ["Kyiv", "Lviv"]);
        // Further down it is not an encoding mark but a stray character in a record.
        let records = read_default("{\"text\": \"Kyiv\"}\n\u{feff}{\"text\": \"Lviv\"}\n");
        assert_eq!(records[1].as_ref().unwrap_err().kind, RecordErrorKind::InvalidJson);
    }

    #[test]
    fn blank_lines_get_records_only_when_asked() {
        let config = ReaderConfig { keep_blank_lines: true, ..ReaderConfig::default() };
        let records = read(b"{\"text\": \"a\"}\n\n{\"text\": \"b\"}\n", config);
        assert_eq!(records.len(), 3);
        assert_eq!(records[1].as_ref().unwrap_err().kind, RecordErrorKind::BlankLine);
        assert_eq!(read_default("{\"text\": \"a\"}\n\n").len(), 1);
    }

    mod properties {
        use proptest::prelude::*;

        use super::*;

        /// Lines over this many bytes are `too_large`.
        const MAX: usize = 1024;

        /// A generated line and what reading it must give.
        #[derive(Debug, Clone)]
        enum Line {
            /// A record: its `"id"` as written (if any) with the id it must get, and its text.
            Record { id: Option<(String, String)>, text: String },
            /// Valid JSON that is not a record.
            NotARecord(String),
            /// Any bytes but a newline: valid or invalid UTF-8, JSON or not.
            Bytes(Vec<u8>),
            /// Spaces and tabs.
            Blank(String),
            /// A record on a line over `MAX` bytes.
            Huge(usize),
        }

        impl Line {
            fn bytes(&self) -> Vec<u8> {
                match self {
                    Line::Record { id, text } => {
                        let id = id.as_ref().map_or_else(String::new, |(raw, _)| format!("\"id\": {raw}, "));
                        format!("{{{id}\"text\": {}, \"source\": [1, {{}}]}}", serde_json::to_string(text).unwrap())
                            .into_bytes()
                    }
                    Line::NotARecord(json) => json.clone().into_bytes(),
                    Line::Bytes(bytes) => bytes.clone(),
                    Line::Blank(blank) => blank.clone().into_bytes(),
                    Line::Huge(length) => format!("{{\"text\": \"{}\"}}", "a".repeat(*length)).into_bytes(),
                }
            }
        }

        fn id() -> impl Strategy<Value = (String, String)> {
            prop_oneof![
                "\\PC{0,20}".prop_map(|id| (serde_json::to_string(&id).unwrap(), id)),
                any::<u64>().prop_map(|id| (id.to_string(), id.to_string())),
                any::<i64>().prop_map(|id| (id.to_string(), id.to_string())),
                // Within f64's range: serde_json refuses numbers beyond it (`1e400`) as invalid JSON.
                "-?[1-9][0-9]{19,40}".prop_map(|digits| (digits.clone(), digits)),
                "-?[0-9]\\.[0-9]{1,20}([eE][+-]?[0-9]{1,2})?".prop_map(|digits| (digits.clone(), digits)),
            ]
        }

        /// Any text, and text full of what JSON must escape (controls, quotes, backslashes) or
        /// what looks like line ends and BOMs without being them.
        fn text() -> impl Strategy<Value = String> {
            prop_oneof!["\\PC{0,40}", "[\\x00-\\x1f\"\\\\\u{85}\u{2028}\u{feff}a ]{0,20}"]
        }

        fn line() -> impl Strategy<Value = Line> {
            prop_oneof![
                4 => (proptest::option::of(id()), text()).prop_map(|(id, text)| Line::Record { id, text }),
                1 => prop_oneof![
                    Just("[1, 2]".to_string()),
                    Just("\"text\"".to_string()),
                    Just("3.5e400".to_string()),
                    Just("null".to_string()),
                    Just("{\"text\": 5}".to_string()),
                    Just("{\"id\": {}, \"text\": \"x\"}".to_string()),
                    Just("{\"title\": \"no text\"}".to_string()),
                ]
                .prop_map(Line::NotARecord),
                2 => proptest::collection::vec(any::<u8>(), 0..60)
                    .prop_map(|bytes| Line::Bytes(bytes.into_iter().filter(|&b| b != b'\n').collect())),
                1 => "[ \t]{0,3}".prop_map(Line::Blank),
                1 => (MAX..MAX + 200).prop_map(Line::Huge),
            ]
        }

        /// The stream: lines joined by `\n` or `\r\n`, maybe after a BOM, maybe with a newline
        /// after the last.
        fn stream() -> impl Strategy<Value = (Vec<Line>, Vec<u8>)> {
            (proptest::collection::vec((line(), any::<bool>()), 0..12), any::<bool>(), any::<bool>()).prop_map(
                |(lines, bom, final_newline)| {
                    let mut bytes = if bom { BOM.to_vec() } else { Vec::new() };
                    for (n, (line, crlf)) in lines.iter().enumerate() {
                        bytes.extend(line.bytes());
                        if n + 1 < lines.len() || final_newline {
                            bytes.extend_from_slice(if *crlf { b"\r\n" } else { b"\n" });
                        }
                    }
                    (lines.into_iter().map(|(line, _)| line).collect(), bytes)
                },
            )
        }

        /// Whether the reader takes line `number` (raw bytes, without `\n`) for a blank line.
        fn is_blank(number: usize, raw: &[u8]) -> bool {
            let line = raw.strip_suffix(b"\r").unwrap_or(raw);
            let line = if number == 1 { line.strip_prefix(BOM).unwrap_or(line) } else { line };
            raw.len() <= MAX && std::str::from_utf8(line).is_ok_and(|line| line.trim().is_empty())
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(256))]

            #[test]
            fn every_line_reads_as_one_record_in_order((lines, bytes) in stream(), keep_blank_lines in any::<bool>()) {
                let config = ReaderConfig { max_doc_bytes: MAX, keep_blank_lines, ..ReaderConfig::default() };
                let records = read(&bytes, config);
                // Generated lines hold no `\n`, so the stream's lines are the generated ones,
                // except that an empty last line without a newline is no line at all (unless a
                // BOM stands alone on it).
                let mut raw_lines: Vec<&[u8]> = bytes.split(|&b| b == b'\n').collect();
                if bytes.is_empty() || bytes.ends_with(b"\n") {
                    raw_lines.pop();
                }
                let blank = Line::Blank(String::new());
                let mut records = records.iter();
                let mut ids_without_id = HashSet::new();
                for (index, raw) in raw_lines.iter().enumerate() {
                    let (number, line) = (index + 1, lines.get(index).unwrap_or(&blank));
                    if is_blank(number, raw) && !keep_blank_lines {
                        continue;
                    }
                    let record = records.next();
                    prop_assert!(record.is_some(), "line {} has no record", number);
                    let record = record.unwrap();
                    let line_id = format!("line:{number}");
                    if is_blank(number, raw) {
                        prop_assert_eq!(record.as_ref().map_err(|e| e.kind), Err(RecordErrorKind::BlankLine));
                        continue;
                    }
                    match (line, record) {
                        (Line::Record { id, text }, Ok(doc)) => {
                            prop_assert_eq!(&doc.text, text);
                            prop_assert_eq!(&doc.id, id.as_ref().map_or(&line_id, |(_, id)| id));
                        }
                        (Line::Record { .. }, Err(error)) => prop_assert!(false, "line {}: {}", number, error),
                        (Line::Huge(_), record) => {
                            prop_assert_eq!(record.as_ref().map_err(|e| (e.id.as_str(), e.kind)), Err((line_id.as_str(), RecordErrorKind::TooLarge)));
                        }
                        (Line::NotARecord(_), record) => prop_assert!(record.is_err(), "line {}: {:?}", number, record),
                        (_, Ok(doc)) => {
                            // Random bytes that happen to be a record: its text is the line's.
                            let line = String::from_utf8_lossy(raw);
                            let json: Value = serde_json::from_str(line.trim_start_matches('\u{feff}')).unwrap();
                            prop_assert_eq!(json["text"].as_str(), Some(doc.text.as_str()));
                        }
                        (_, Err(_)) => {}
                    }
                    if !matches!(line, Line::Record { id: Some(_), .. }) {
                        let id = record.as_ref().map_or_else(|error| &error.id, |doc| &doc.id);
                        prop_assert!(ids_without_id.insert(id.clone()), "id {} twice", id);
                    }
                }
                prop_assert!(records.next().is_none(), "more records than lines");
            }
        }
    }
}
