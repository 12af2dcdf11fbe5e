//! The document model every stage reads and extends.
//!
//! A [`Document`] enters with its id and text; `segment` adds sentences, `ner` adds entities. All
//! spans are Unicode code point offsets into `text`, end-exclusive (see [`crate::offsets`]).

use serde::Serialize;

/// A half-open code point range `[start, end)` into a document's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }

    pub fn len(&self) -> usize {
        self.end - self.start
    }

    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }
}

/// A named entity found by the NER stage.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entity {
    /// `e0`, `e1`, ... in text order; later stages refer to entities by this id.
    pub id: String,
    /// Exactly the document's text between `start` and `end`.
    pub text: String,
    /// The entity type without its BIO prefix: `PER`, `ORG`, `LOC`, `MISC`, or whatever the model's labels name.
    pub label: String,
    pub start: usize,
    pub end: usize,
    /// Mean probability of the entity's word labels.
    pub score: f32,
}

/// One article or text, and everything the stages found in it.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub id: String,
    pub text: String,
    /// Fields of a JSONL input record other than `id` and `text`, returned untouched.
    pub meta: Option<serde_json::Map<String, serde_json::Value>>,
    /// Sentence spans in text order, trimmed of surrounding whitespace.
    pub sentences: Vec<Span>,
    /// Entities in text order, never overlapping.
    pub entities: Vec<Entity>,
}

impl Document {
    pub fn new(id: impl Into<String>, text: impl Into<String>) -> Self {
        Document { id: id.into(), text: text.into(), meta: None, sentences: Vec::new(), entities: Vec::new() }
    }
}
