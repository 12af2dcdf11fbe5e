//! The stages wired together: read, segment, tag, write.

use crate::claims::ClaimRules;
use crate::document::Document;
use crate::input::{read_documents, InputError, InputFormat, Source};
use crate::ner::{NerConfig, NerError, NerModel};
use crate::output::DocumentSink;
use crate::segment::Segmenter;

/// Documents tagged together: enough to fill batches, few enough to stream output.
const DOCUMENTS_PER_CHUNK: usize = 64;

#[derive(Debug, thiserror::Error)]
pub enum TagError {
    #[error(transparent)]
    Input(#[from] InputError),
    #[error(transparent)]
    Ner(#[from] NerError),
    #[error("cannot write output: {0}")]
    Output(#[from] std::io::Error),
}

/// Everything `claimtag tag` runs, loaded once.
pub struct Tagger {
    segmenter: Segmenter,
    ner: NerModel,
    /// `None` when claims are switched off (`--no-claims`).
    claims: Option<ClaimRules>,
}

impl Tagger {
    pub fn load(config: &NerConfig) -> Result<Self, NerError> {
        Ok(Tagger {
            segmenter: Segmenter::default(),
            ner: NerModel::load(config)?,
            claims: Some(ClaimRules::default()),
        })
    }

    /// Switches the claims stage on or off.
    pub fn with_claims(mut self, enabled: bool) -> Self {
        self.claims = enabled.then(ClaimRules::default);
        self
    }

    /// Runs every stage on `docs`.
    pub fn tag(&self, docs: &mut [Document]) -> Result<(), NerError> {
        for doc in docs.iter_mut() {
            self.segmenter.apply(doc);
        }
        self.ner.predict(docs)?;
        if let Some(claims) = &self.claims {
            docs.iter_mut().for_each(|doc| claims.apply(doc));
        }
        Ok(())
    }

    /// Reads `sources`, tags them, and pushes each document into `sink` in input order.
    pub fn run(&self, sources: &[Source], format: InputFormat, sink: &mut dyn DocumentSink) -> Result<(), TagError> {
        let mut docs = read_documents(sources, format)?;
        for chunk in docs.chunks_mut(DOCUMENTS_PER_CHUNK) {
            self.tag(chunk)?;
            for doc in chunk.iter() {
                sink.write(doc)?;
            }
        }
        sink.finish()?;
        Ok(())
    }
}
