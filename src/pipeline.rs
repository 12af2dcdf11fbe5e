//! The stages wired together for one batch of documents: segment, tag entities, find claims.

use crate::claims::ClaimRules;
use crate::document::Document;
use crate::ner::{NerConfig, NerError, NerModel};
use crate::segment::Segmenter;

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
        self.tag_entities(docs)?;
        if let Some(claims) = &self.claims {
            docs.iter_mut().for_each(|doc| claims.apply(doc));
        }
        Ok(())
    }

    /// Segments `docs` and tags their entities; returns the sub-tokens tagged. The model stays
    /// on the calling thread, which is why claims are a separate step ([`Tagger::claim_rules`]).
    pub fn tag_entities(&self, docs: &mut [Document]) -> Result<usize, NerError> {
        for doc in docs.iter_mut() {
            self.segmenter.apply(doc);
        }
        self.ner.predict(docs)
    }

    /// The claim rules, unless claims are switched off; they may run on any thread.
    pub fn claim_rules(&self) -> Option<&ClaimRules> {
        self.claims.as_ref()
    }
}
