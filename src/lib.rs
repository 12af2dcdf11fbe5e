//! claimtag: tags people, places and organisations in news text and groups them into claims.
//!
//! Stages, in the order data flows through a [`Document`]:
//! [`input`] reads texts, [`segment`] finds sentences, [`ner`] tags entities, [`claims`] finds
//! who said what, [`output`] writes. [`batch`] runs them over collections; [`export`] speaks the
//! annotation tools' formats. [`corpus`] reads labelled data, which [`train`] learns from and
//! [`eval`] scores against.

pub mod batch;
pub mod claims;
pub mod corpus;
pub mod document;
pub mod eval;
pub mod export;
pub mod input;
pub mod ner;
pub mod offsets;
pub mod output;
pub mod pipeline;
pub mod segment;
pub mod train;

pub use document::{Document, Entity, Span};
