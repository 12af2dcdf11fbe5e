//! The stages wired together for one batch of documents: segment, tag entities, find claims.

use crate::claims::ClaimRules;
use crate::document::Document;
use crate::ner::{EncodedBatch, NerConfig, NerEncoder, NerError, NerModel};
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

    /// The claims stage to run, or `None` to switch it off.
    pub fn with_claims(mut self, claims: Option<ClaimRules>) -> Self {
        self.claims = claims;
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

    /// Segments `docs` and tags their entities; returns the sub-tokens tagged.
    pub fn tag_entities(&self, docs: &mut [Document]) -> Result<usize, NerError> {
        let encoded = self.preparer().prepare(docs);
        self.tag_prepared(docs, encoded)
    }

    /// The stages before the model (segmenting, tokenizing), which may run on another thread
    /// while this one runs the model: the model stays on the thread that loaded it.
    pub fn preparer(&self) -> Preparer<'_> {
        Preparer { segmenter: &self.segmenter, encoder: self.ner.encoder() }
    }

    /// Tags the entities of documents a [`Preparer`] has prepared; returns the sub-tokens tagged.
    pub fn tag_prepared(&self, docs: &mut [Document], encoded: EncodedBatch) -> Result<usize, NerError> {
        self.ner.predict_encoded(docs, encoded)
    }

    /// The claim rules, unless claims are switched off; they may run on any thread.
    pub fn claim_rules(&self) -> Option<&ClaimRules> {
        self.claims.as_ref()
    }
}

/// Segments and tokenizes documents for [`Tagger::tag_prepared`]; safe to use from any thread.
#[derive(Clone, Copy)]
pub struct Preparer<'a> {
    segmenter: &'a Segmenter,
    encoder: NerEncoder<'a>,
}

impl Preparer<'_> {
    /// Fills the sentences of `docs` and returns their sub-tokens.
    pub fn prepare(&self, docs: &mut [Document]) -> EncodedBatch {
        for doc in docs.iter_mut() {
            self.segment(doc);
        }
        self.encoder.encode(docs)
    }

    /// Fills the sentences of one document.
    pub fn segment(&self, doc: &mut Document) {
        self.segmenter.apply(doc);
    }

    /// The sub-tokens of one segmented document, as a batch of one; batches of single documents
    /// join into one with `collect`.
    pub fn encode(&self, doc: &Document) -> EncodedBatch {
        self.encoder.encode(std::slice::from_ref(doc))
    }
}
