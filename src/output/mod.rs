//! Writing tagged documents. Every format is a [`DocumentSink`]; the pipeline pushes finished
//! documents into one and never knows which format it feeds. [`OutputStream`] is where the
//! bytes go: standard output or a file, compressed by its extension.

mod format;
mod stream;

use std::io::{self, Write};

use serde::Serialize;
use serde_json::{Map, Value};

use crate::document::{Claim, Document, Entity, Span};
use crate::input::{RecordError, RecordErrorKind};

pub use format::{Format, SinkError};
pub use stream::{Compression, OutputError, OutputStream};

/// The JSON record of one document, as the CLI contract fixes it.
#[derive(Debug, Serialize)]
pub struct DocumentRecord<'a> {
    pub id: &'a str,
    pub text: &'a str,
    pub entities: &'a [Entity],
    pub claims: &'a [Claim],
    /// Where a web page's headline is in `text`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub headline: Option<Span>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    pub warnings: &'a [String],
    /// Sentence spans, only when asked for (`--sentences`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sentences: Option<&'a [Span]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meta: Option<&'a Map<String, Value>>,
}

impl<'a> DocumentRecord<'a> {
    pub fn new(doc: &'a Document, with_sentences: bool) -> Self {
        DocumentRecord {
            id: &doc.id,
            text: &doc.text,
            entities: &doc.entities,
            claims: &doc.claims,
            headline: doc.headline,
            warnings: &doc.warnings,
            sentences: with_sentences.then_some(doc.sentences.as_slice()),
            meta: doc.meta.as_ref(),
        }
    }
}

impl<'a> From<&'a Document> for DocumentRecord<'a> {
    fn from(doc: &'a Document) -> Self {
        DocumentRecord::new(doc, false)
    }
}

/// The record standing in for a document that could not be read:
/// `{"id": ..., "error": {"kind": ..., "message": ...}}`.
#[derive(Debug, Serialize)]
pub struct ErrorRecord<'a> {
    pub id: &'a str,
    pub error: ErrorDetail<'a>,
}

#[derive(Debug, Serialize)]
pub struct ErrorDetail<'a> {
    pub kind: RecordErrorKind,
    pub message: &'a str,
}

impl<'a> From<&'a RecordError> for ErrorRecord<'a> {
    fn from(error: &'a RecordError) -> Self {
        ErrorRecord { id: &error.id, error: ErrorDetail { kind: error.kind, message: &error.message } }
    }
}

/// Receives finished documents, and error records in place of unreadable ones, in input order.
pub trait DocumentSink {
    /// Called once per document, in input order. An error ends the run.
    ///
    /// A panic here (a bug) costs only this document, which then gets an error record through
    /// [`DocumentSink::write_error`], and the run goes on with the sink as it is. So an
    /// implementation builds the whole record before writing any byte of it: a panic must
    /// leave nothing of the document in the output.
    fn write(&mut self, doc: &Document) -> io::Result<()>;
    /// Called in place of [`DocumentSink::write`] for an input that could not be read. An error
    /// ends the run.
    fn write_error(&mut self, error: &RecordError) -> io::Result<()>;
    /// Called after each batch of documents: a sink that streams flushes here, so that readers
    /// of a pipe, and a resumed run, see whole batches. An error ends the run.
    fn end_batch(&mut self) -> io::Result<()> {
        Ok(())
    }
    /// Called once after the last document (also when there were none) to close the output and flush it.
    fn finish(&mut self) -> io::Result<()>;
}

/// One compact JSON object a line.
pub struct JsonlSink<W: Write> {
    out: W,
    with_sentences: bool,
    line: Vec<u8>,
}

impl<W: Write> JsonlSink<W> {
    pub fn new(out: W) -> Self {
        JsonlSink { out, with_sentences: false, line: Vec::new() }
    }

    /// Adds each document's sentence spans to its record.
    pub fn with_sentences(mut self, enabled: bool) -> Self {
        self.with_sentences = enabled;
        self
    }

    /// Writes one record as one line with a single `write_all`, so that a crash leaves at most
    /// the last line torn.
    fn write_line(&mut self, record: &impl Serialize) -> io::Result<()> {
        self.line.clear();
        serde_json::to_writer(&mut self.line, record)?;
        self.line.push(b'\n');
        self.out.write_all(&self.line)
    }
}

impl<W: Write> DocumentSink for JsonlSink<W> {
    fn write(&mut self, doc: &Document) -> io::Result<()> {
        self.write_line(&DocumentRecord::new(doc, self.with_sentences))
    }

    fn write_error(&mut self, error: &RecordError) -> io::Result<()> {
        self.write_line(&ErrorRecord::from(error))
    }

    fn end_batch(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    fn finish(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// One pretty-printed object for a single document, a JSON array for several (or none).
pub struct JsonSink<W: Write> {
    out: W,
    with_sentences: bool,
    /// The first document, held back until we know whether an array is needed.
    first: Option<String>,
    written: usize,
}

impl<W: Write> JsonSink<W> {
    pub fn new(out: W) -> Self {
        JsonSink { out, with_sentences: false, first: None, written: 0 }
    }

    /// Adds each document's sentence spans to its record.
    pub fn with_sentences(mut self, enabled: bool) -> Self {
        self.with_sentences = enabled;
        self
    }

    fn write_record(&mut self, record: &impl Serialize) -> io::Result<()> {
        let json = serde_json::to_string_pretty(record)?;
        match self.written {
            0 => self.first = Some(json),
            1 => {
                let first = self.first.take().unwrap_or_default();
                write!(self.out, "[\n{first},\n{json}")?;
            }
            _ => write!(self.out, ",\n{json}")?,
        }
        self.written += 1;
        Ok(())
    }
}

impl<W: Write> DocumentSink for JsonSink<W> {
    fn write(&mut self, doc: &Document) -> io::Result<()> {
        self.write_record(&DocumentRecord::new(doc, self.with_sentences))
    }

    fn write_error(&mut self, error: &RecordError) -> io::Result<()> {
        self.write_record(&ErrorRecord::from(error))
    }

    fn finish(&mut self) -> io::Result<()> {
        match self.written {
            0 => writeln!(self.out, "[]")?,
            1 => writeln!(self.out, "{}", self.first.take().unwrap_or_default())?,
            _ => writeln!(self.out, "\n]")?,
        }
        self.out.flush()
    }
}

/// The text with entities marked, for reading in a terminal: coloured when `color` is set,
/// otherwise bracketed as `[Putin](PER)`.
pub struct PrettySink<W: Write> {
    out: W,
    color: bool,
    /// One document's rendering, written only once it is whole.
    page: String,
}

impl<W: Write> PrettySink<W> {
    pub fn new(out: W, color: bool) -> Self {
        PrettySink { out, color, page: String::new() }
    }

    fn mark(&self, entity: &Entity) -> String {
        if self.color {
            format!("\x1b[1;{}m{}\x1b[0m\x1b[2m[{}]\x1b[0m", ansi_color(&entity.label), entity.text, entity.label)
        } else {
            format!("[{}]({})", entity.text, entity.label)
        }
    }
}

/// ANSI foreground colour per entity type: one fixed colour for the CoNLL types, a stable pick for others.
fn ansi_color(label: &str) -> u8 {
    match label {
        "PER" => 32,
        "ORG" => 34,
        "LOC" => 33,
        "MISC" => 35,
        other => 31 + (other.bytes().map(u32::from).sum::<u32>() % 6) as u8,
    }
}

impl<W: Write> DocumentSink for PrettySink<W> {
    fn write(&mut self, doc: &Document) -> io::Result<()> {
        let index = doc.char_index();
        let mut page = std::mem::take(&mut self.page);
        page.clear();
        let header = format!("── {} ({} entities) ", doc.id, doc.entities.len());
        page += &header;
        page += &"─".repeat(60usize.saturating_sub(crate::offsets::char_len(&header)));
        page.push('\n');
        let mut at = 0;
        for entity in &doc.entities {
            page += index.slice(at..entity.start);
            page += &self.mark(entity);
            at = entity.end;
        }
        page += index.slice(at..index.len_chars());
        page += "\n\n";
        let written = self.out.write_all(page.as_bytes());
        self.page = page;
        written
    }

    fn write_error(&mut self, error: &RecordError) -> io::Result<()> {
        writeln!(self.out, "── {} (not read) ──\n{}\n", error.id, error.message)
    }

    fn end_batch(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    fn finish(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tagged(id: &str) -> Document {
        let mut doc = Document::new(id, "“Путін” met ISW 🙂");
        doc.entities.push(Entity {
            id: "e0".into(),
            text: "Путін".into(),
            label: "PER".into(),
            start: 1,
            end: 6,
            score: 0.9,
        });
        doc
    }

    #[test]
    fn jsonl_writes_one_record_a_line_in_the_contract_shape() {
        let mut out = Vec::new();
        let mut sink = JsonlSink::new(&mut out);
        sink.write(&tagged("a")).unwrap();
        sink.write(&Document::new("b", "")).unwrap();
        sink.finish().unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(
            lines[0],
            serde_json::json!({"id": "a", "text": "“Путін” met ISW 🙂", "claims": [],
                "entities": [{"id": "e0", "text": "Путін", "label": "PER", "start": 1, "end": 6, "score": 0.9}]})
        );
        assert_eq!(lines[1]["entities"], serde_json::json!([]));
    }

    #[test]
    fn a_web_pages_headline_span_warnings_and_meta_are_in_its_record() {
        let mut page = Document::new("p.html", "Talks stall\n\nISW said so.");
        page.headline = Some(Span::new(0, 11));
        page.warnings.push("small_body: ...".into());
        page.meta = Some(serde_json::json!({"author": "Jane Reporter"}).as_object().cloned().unwrap());
        let record = serde_json::to_value(DocumentRecord::from(&page)).unwrap();
        assert_eq!(record["headline"], serde_json::json!({"start": 0, "end": 11}));
        assert_eq!(record["warnings"], serde_json::json!(["small_body: ..."]));
        assert_eq!(record["meta"]["author"], "Jane Reporter");
        let plain = serde_json::to_value(DocumentRecord::from(&tagged("a"))).unwrap();
        assert!(plain.get("headline").is_none() && plain.get("warnings").is_none(), "{plain}");
    }

    #[test]
    fn json_is_an_object_for_one_document_and_an_array_for_several() {
        let render = |docs: &[Document]| {
            let mut out = Vec::new();
            let mut sink = JsonSink::new(&mut out);
            docs.iter().for_each(|doc| sink.write(doc).unwrap());
            sink.finish().unwrap();
            serde_json::from_slice::<Value>(&out).unwrap()
        };
        assert!(render(&[tagged("a")]).is_object());
        assert_eq!(render(&[tagged("a"), tagged("b"), tagged("c")]).as_array().unwrap().len(), 3);
        assert_eq!(render(&[]), serde_json::json!([]));
    }

    #[test]
    fn a_pretty_document_whose_rendering_panics_writes_nothing_of_itself() {
        let mut broken = tagged("broken");
        // Overlapping entities: the text between them runs backwards, which panics.
        let mut inner = broken.entities[0].clone();
        (inner.start, inner.end, inner.text) = (2, 3, "у".into());
        broken.entities.push(inner);
        let mut out = Vec::new();
        let mut sink = PrettySink::new(&mut out, false);
        sink.write(&tagged("a")).unwrap();
        let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| sink.write(&broken)));
        assert!(panicked.is_err(), "the overlap must panic for this test to mean anything");
        sink.write(&tagged("b")).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(!text.contains("broken"), "{text}");
        assert_eq!(text.matches("── ").count(), 2, "{text}");
    }

    #[test]
    fn pretty_marks_entities_at_their_code_point_offsets() {
        let mut out = Vec::new();
        PrettySink::new(&mut out, false).write(&tagged("a")).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("“[Путін](PER)” met ISW 🙂"), "{text}");
    }
}
