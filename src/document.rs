//! The document model every stage reads and extends.
//!
//! A [`Document`] enters with its id and text; `segment` adds sentences, `ner` adds entities. All
//! spans are Unicode code point offsets into `text`, end-exclusive (see [`crate::offsets`]).

use serde::{Deserialize, Serialize};

use crate::offsets::{CharIndex, CharIndexCache};

/// A half-open code point range `[start, end)` into a document's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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

/// A part an attribution gives its words: who (source), the attributing words (cue), what
/// (content).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Source,
    Cue,
    Content,
}

impl Role {
    /// Every role, in the order an attribution gives them.
    pub const ALL: [Role; 3] = [Role::Source, Role::Cue, Role::Content];

    /// The tag kind that names the role (`SOURCE`, `CUE`, `CONTENT`), as [`Role::parse`] reads it.
    pub fn kind(self) -> &'static str {
        match self {
            Role::Source => "SOURCE",
            Role::Cue => "CUE",
            Role::Content => "CONTENT",
        }
    }

    /// The role a tag kind names (`SOURCE`, `CUE`, `CONTENT`, any case).
    pub fn parse(kind: &str) -> Option<Role> {
        match kind.to_ascii_uppercase().as_str() {
            "SOURCE" => Some(Role::Source),
            "CUE" => Some(Role::Cue),
            "CONTENT" => Some(Role::Content),
            _ => None,
        }
    }
}

/// A stretch of text the model's role head tagged with a claim role; the claims stage groups
/// these into claims.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RoleSpan {
    pub role: Role,
    pub start: usize,
    pub end: usize,
    /// Mean probability of the span's word labels.
    pub score: f32,
}

/// How a claim's content is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ClaimKind {
    /// Content entirely in quotation marks.
    Direct,
    /// Reported speech without quotation marks.
    Indirect,
    /// Reported speech with quoted parts.
    Mixed,
    /// "according to SOURCE, ...".
    AccordingTo,
    /// A headline of the form "SOURCE: content".
    Headline,
}

/// The entity a source stands for, when the source text alone does not say it (a pronoun, an
/// acronym, a surname).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResolvedSource {
    pub entity: String,
    pub text: String,
    pub label: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClaimSource {
    pub text: String,
    pub start: usize,
    pub end: usize,
    /// The entity inside the source span, if any.
    pub entity: Option<String>,
    pub resolved: Option<ResolvedSource>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClaimCue {
    pub text: String,
    pub start: usize,
    pub end: usize,
    pub lemma: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClaimContent {
    pub text: String,
    pub start: usize,
    pub end: usize,
    /// The pieces of a discontinuous content ("X," he said, "Y."); absent when it is one piece.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parts: Option<Vec<[usize; 2]>>,
}

/// An attribution: who (source) said, reported, claimed, warned or believes (cue) what (content).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Claim {
    /// `c0`, `c1`, ... in order of their cues.
    pub id: String,
    pub kind: ClaimKind,
    pub source: Option<ClaimSource>,
    pub cue: ClaimCue,
    pub content: ClaimContent,
    /// Ids of the entities inside the content.
    pub entities: Vec<String>,
    /// The claim whose content holds this one ("ISW reported that Putin claimed X").
    pub parent: Option<String>,
    pub confidence: f32,
    /// Name of the rule that found it.
    pub rule: String,
}

/// One article or text, and everything the stages found in it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Document {
    pub id: String,
    pub text: String,
    /// Fields of a JSONL input record other than `id` and `text`, returned untouched; for a web
    /// page, what it says of itself (canonical URL, publication date, author, site name).
    pub meta: Option<serde_json::Map<String, serde_json::Value>>,
    /// Where a web page's headline is in `text`: its first paragraph, kept because headlines
    /// make claims, and marked so that consumers can tell it from the body.
    pub headline: Option<Span>,
    /// Doubts about how the text was read (a web page's article suspiciously small).
    pub warnings: Vec<String>,
    /// Sentence spans in text order, trimmed of surrounding whitespace.
    pub sentences: Vec<Span>,
    /// Entities in text order, never overlapping.
    pub entities: Vec<Entity>,
    /// Claim-role spans tagged by the model in text order, or `None` when the model has no
    /// role head (the claims stage then relies on its rules alone).
    pub roles: Option<Vec<RoleSpan>>,
    /// Claims in order of their cues.
    pub claims: Vec<Claim>,
    /// The text's code point index, shared by the stages (see [`Document::char_index`]).
    char_index: CharIndexCache,
}

impl Document {
    pub fn new(id: impl Into<String>, text: impl Into<String>) -> Self {
        Document {
            id: id.into(),
            text: text.into(),
            meta: None,
            headline: None,
            warnings: Vec::new(),
            sentences: Vec::new(),
            entities: Vec::new(),
            roles: None,
            claims: Vec::new(),
            char_index: CharIndexCache::default(),
        }
    }

    /// The index every stage converts this document's offsets with; built on first use and kept,
    /// since the text does not change once the document is read.
    pub fn char_index(&self) -> CharIndex<'_> {
        self.char_index.index(&self.text)
    }

    /// The text of a code point span.
    pub fn slice(&self, span: Span) -> &str {
        self.char_index().slice(span.start..span.end)
    }
}
