//! The attribution rules, over the word tokens of one document.
//!
//! Each rule anchors on a cue and looks for the source and the content around it. The rules
//! are rows of one table, [`RULES`] in `registry.rs`: its name (what a claim's `rule` says), its
//! confidence, one line saying what it matches, and its family. The rows are in the order the
//! rules run, and a cue serves one claim: the first rule to take a cue's words marks them used
//! and later rules skip them, so a row's place is its priority.
//!
//! A family is the rules one scan finds ("“X,” he said" and "“X,” said Y" are told apart only
//! once the attribution is read), one file each: `according_to.rs`, `quote_attribution.rs`,
//! `headline.rs`, `speaker_label.rs`, `fronted_question.rs`, `content_comma.rs`,
//! `participle.rs`, `raising.rs`, `source_cue_content.rs`. What they share (subjects, noun
//! phrases, where a content ends, an attribution after a quotation) is in `grammar.rs`, and the
//! closed word lists it reads are data, in `words.tsv`.
//!
//! To add a rule: write its family's `find` (or extend one), add a row to the table at the
//! place of its priority, and check it with `claimtag eval-claims --rules`, which prints each
//! rule's precision on a PolNeAR split. The rules were tuned on PolNeAR train.

// A content is a list of parts, and most have one: `vec![start..end]` says that.
#![allow(clippy::single_range_in_vec_init)]

mod according_to;
mod content_comma;
mod fronted_question;
mod grammar;
mod headline;
mod participle;
mod quote_attribution;
mod raising;
mod registry;
mod source_cue_content;
mod speaker_label;
mod words;

use std::ops::Range;

use super::entities::Entities;
use super::lexicon::Lexicon;
use super::quotes::Quotes;
use super::tokens::Token;
use crate::document::ClaimKind;
use grammar::Grammar;
pub use registry::{Family, Reach, RuleName, RULES};

/// A claim in token indices, before offsets, ids and sources are settled.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub rule: &'static str,
    pub kind: Option<ClaimKind>,
    pub source: Option<Range<usize>>,
    pub cue: Range<usize>,
    pub lemma: String,
    pub content: Vec<Range<usize>>,
    pub confidence: f32,
}

impl Candidate {
    /// A candidate of `rule` with its name and confidence and nothing found yet, for a rule to
    /// fill in: `Candidate { cue, content, ..Candidate::of(rule) }`.
    fn of(rule: RuleName) -> Self {
        Candidate {
            rule: rule.as_str(),
            kind: None,
            source: None,
            cue: 0..0,
            lemma: String::new(),
            content: Vec::new(),
            confidence: rule.confidence(),
        }
    }
}

/// Runs the rules of [`RULES`] over one document.
pub struct RuleRunner<'a> {
    grammar: Grammar<'a>,
}

impl<'a> RuleRunner<'a> {
    pub fn new(tokens: &'a [Token], quotes: &'a Quotes, entities: &'a Entities<'a>, lexicon: &'a Lexicon) -> Self {
        RuleRunner { grammar: Grammar::new(tokens, quotes, entities, lexicon) }
    }

    /// The candidates every rule finds in `sentences` (token ranges), in the order found.
    pub fn run(&self, sentences: &[Range<usize>]) -> Vec<Candidate> {
        self.run_families(&Family::in_order(), sentences)
    }

    /// The candidates `rule` finds on its own, with no other rule taking a cue first.
    #[cfg(test)]
    pub fn run_rule(&self, rule: RuleName, sentences: &[Range<usize>]) -> Vec<Candidate> {
        let found = self.run_families(&[rule.rule().family()], sentences);
        found.into_iter().filter(|candidate| candidate.rule == rule.as_str()).collect()
    }

    /// Runs `families` in order, each over every sentence, except that families next to each
    /// other that reach one sentence ([`Reach::Sentence`]) take each sentence in turn.
    fn run_families(&self, families: &[Family], sentences: &[Range<usize>]) -> Vec<Candidate> {
        let mut found =
            Found { grammar: &self.grammar, used: vec![false; self.grammar.tokens.len()], found: Vec::new() };
        let together = |a: &Family, b: &Family| a.reach() == Reach::Sentence && b.reach() == Reach::Sentence;
        for group in families.chunk_by(together) {
            // A sentence span holding no token start (inside a word, or past the text) has no claim.
            for (i, sentence) in sentences.iter().enumerate().filter(|(_, s)| !s.is_empty()) {
                for family in group {
                    family.find(&mut found, sentence.clone(), sentences.get(i + 1));
                }
            }
        }
        found.found
    }
}

/// What the rules have found in one document so far, and which cue tokens they took.
pub struct Found<'g, 'a> {
    grammar: &'g Grammar<'a>,
    /// Tokens of a cue some claim took: later rules leave them alone.
    used: Vec<bool>,
    found: Vec<Candidate>,
}

impl Found<'_, '_> {
    /// Keeps a candidate and marks its cue used, the cue extended by the words PolNeAR counts
    /// as part of it ("has said", "said:"), except for a colon or "according to", which are
    /// whole.
    fn push(&mut self, mut candidate: Candidate) {
        if candidate.lemma != ":" && candidate.lemma != "according to" {
            candidate.cue = self.grammar.extended_cue(candidate.cue.clone(), candidate.source.as_ref());
        }
        for i in candidate.cue.clone() {
            self.used[i] = true;
        }
        self.found.push(candidate);
    }
}

#[cfg(test)]
mod tests;
