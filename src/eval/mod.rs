//! Scoring against labelled data: the NER model on entity corpora ([`ner`]), the claims stage on
//! PolNeAR ([`claims`]), and the conlleval-style counts both report ([`score`]).

pub mod claims;
pub mod ner;
pub mod score;
