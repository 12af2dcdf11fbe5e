//! Scoring against labelled data: the NER model on entity corpora ([`ner`]), the claims stage on
//! PolNeAR ([`claims`]), and the conlleval-style counts both report ([`score`]), printed as
//! `claimtag eval`'s table ([`EvalTable`]).

pub mod claims;
pub mod ner;
pub mod score;
mod table;

pub use table::EvalTable;
