//! Claims: groups tagged text into attributions with their sources.
//!
//! [`ClaimRules::apply`] reads a document's text, sentences and entities and fills its claims:
//! the rules in `rules` (one table of them, `rules::RULES`, in the order they run) find cue,
//! source and content spans in word tokens; this module turns them into offsets, decides
//! direct / indirect / mixed from the quotation marks, links each claim to the entities inside
//! it and to the claim whose content holds it, and resolves pronoun, acronym and surname sources
//! to the entity they stand for.

mod contract;
mod entities;
mod furniture;
mod learned;
mod lexicon;
mod parents;
mod quotes;
mod rule_scores;
mod rules;
mod runs;
mod tokens;

use std::collections::BTreeSet;
use std::ops::Range;

pub use contract::contract_violations;
pub use lexicon::{CueEntry, CueKind, Lexicon};
pub use rule_scores::{RuleCounts, RuleScores};

use crate::document::{Claim, ClaimContent, ClaimCue, ClaimKind, ClaimSource, Document, Entity, ResolvedSource};
use crate::offsets::CharIndex;
use entities::Entities;
use parents::link_parents;
use quotes::{find_quotes, Quotes};
use rules::{Candidate, RuleRunner};
use tokens::{sentence_ranges, tokenize, Token};

/// Where claims come from when the model has a role head (`doc.roles`); without one, the rules
/// alone find them whatever this says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Grouping {
    /// The hand-written rules alone; the role tags are ignored.
    Rules,
    /// The role tags alone, grouped by nearness.
    Learned,
    /// The role tags, plus the rules' claims nested inside a tagged content, those of the
    /// high-precision rules where nothing was tagged, and those whose tagged source no learned
    /// claim took.
    #[default]
    Combined,
}

/// What a claim's confidence is multiplied by when it names no source (an entity source weighs
/// 1, other words 0.9): a claim nobody is named for is the least sure.
const WITHOUT_SOURCE_WEIGHT: f32 = 0.6;

/// The cue class of a rule's claim whose cue the lexicon does not know: the rules' cues outside
/// it are punctuation (headline colon, speaker label, signed quote), which marks a statement.
const PUNCTUATION_CUE_CLASS: &str = "say";

/// A cue class asked for that the lexicon does not have.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown cue class {class:?}; the cue table's classes are {}", known.join(", "))]
pub struct UnknownCueClass {
    pub class: String,
    pub known: Vec<String>,
}

/// The claims stage.
#[derive(Debug, Clone, Default)]
pub struct ClaimRules {
    lexicon: Lexicon,
    grouping: Grouping,
    /// Only claims whose cue is of these classes are kept; `None` keeps every claim.
    cue_classes: Option<BTreeSet<String>>,
}

impl ClaimRules {
    pub fn new(lexicon: Lexicon) -> Self {
        ClaimRules { lexicon, grouping: Grouping::default(), cue_classes: None }
    }

    pub fn with_grouping(mut self, grouping: Grouping) -> Self {
        self.grouping = grouping;
        self
    }

    /// Keeps only claims whose cue is of one of `classes` (the class column of `cues.tsv`:
    /// statements are say, report, claim and warn; internal states believe and intend; seem an
    /// impression). A learned cue the lexicon does not know ("aims", "continues to reckon
    /// with") has no class and goes. No classes keeps every claim.
    pub fn with_cue_classes(mut self, classes: &[String]) -> Result<Self, UnknownCueClass> {
        let known = self.lexicon.classes();
        if let Some(class) = classes.iter().find(|class| !known.contains(class.as_str())) {
            return Err(UnknownCueClass { class: class.clone(), known: known.iter().map(|k| k.to_string()).collect() });
        }
        self.cue_classes = (!classes.is_empty()).then(|| classes.iter().cloned().collect());
        Ok(self)
    }

    /// The class of a candidate's cue: the lexicon's for the first of its words it knows, else
    /// a statement for a rule's (punctuation) cue and none for a learned one.
    fn cue_class(&self, tokens: &[Token], candidate: &Candidate) -> Option<&str> {
        let words: Vec<&str> = tokens.get(candidate.cue.clone())?.iter().map(|t| t.lower.as_str()).collect();
        match self.lexicon.find_in(&words) {
            Some(entry) => Some(entry.class.as_str()),
            None if candidate.rule != learned::RULE => Some(PUNCTUATION_CUE_CLASS),
            None => None,
        }
    }

    /// Fills `doc.claims` from its text, sentences and entities. Sentence and entity spans may
    /// come in any order, overlap, be empty or run past the text: the claims' spans still lie
    /// inside the text.
    pub fn apply(&self, doc: &mut Document) {
        let index = doc.char_index();
        let tokens = tokenize(&index);
        let quotes = find_quotes(&tokens);
        let sentences = sentence_ranges(&tokens, &doc.sentences);
        let entities = Entities::new(&doc.entities);
        let rule_candidates = || RuleRunner::new(&tokens, &quotes, &entities, &self.lexicon).run(&sentences);
        let mut candidates = match (&doc.roles, self.grouping) {
            (None, _) | (Some(_), Grouping::Rules) => rule_candidates(),
            (Some(roles), Grouping::Learned) => learned::group(&tokens, &sentences, roles, &self.lexicon),
            (Some(roles), Grouping::Combined) => {
                let learned = learned::group(&tokens, &sentences, roles, &self.lexicon);
                learned::combine(&tokens, roles, learned, rule_candidates())
            }
        };
        candidates.retain(|c| !furniture::is_appeal(&tokens, c.source.as_ref(), &c.cue));
        if let Some(classes) = &self.cue_classes {
            candidates.retain(|c| self.cue_class(&tokens, c).is_some_and(|class| classes.contains(class)));
        }
        candidates.sort_by_key(|c| c.cue.start);
        let builder = ClaimBuilder { tokens: &tokens, quotes: &quotes, entities: &entities, index: &index };
        let mut claims: Vec<Claim> = candidates
            .iter()
            .filter_map(|candidate| builder.build(candidate))
            .filter(|claim| claim.rule != learned::RULE || claim.confidence >= learned::min_confidence(claim))
            .collect();
        for (i, claim) in claims.iter_mut().enumerate() {
            claim.id = format!("c{i}");
        }
        link_parents(&mut claims);
        doc.claims = claims;
    }
}

struct ClaimBuilder<'a> {
    tokens: &'a [Token],
    quotes: &'a Quotes,
    entities: &'a Entities<'a>,
    index: &'a CharIndex<'a>,
}

impl ClaimBuilder<'_> {
    /// The code points a token range covers, or `None` when the range is empty or reversed or
    /// runs past the last token.
    fn chars(&self, tokens: &Range<usize>) -> Option<(usize, usize)> {
        if tokens.start >= tokens.end || tokens.end > self.tokens.len() {
            return None;
        }
        Some((self.tokens[tokens.start].start, self.tokens[tokens.end - 1].end))
    }

    /// The claim a candidate makes, or `None` for a candidate that a rule got wrong: an empty,
    /// reversed or out-of-range span, or content parts out of order. Such a candidate is dropped
    /// rather than written with offsets that do not fit the text.
    fn build(&self, candidate: &Candidate) -> Option<Claim> {
        let parts: Vec<[usize; 2]> = candidate
            .content
            .iter()
            .map(|range| self.chars(range).map(|(start, end)| [start, end]))
            .collect::<Option<_>>()?;
        if parts.is_empty() || parts.windows(2).any(|pair| pair[0][1] > pair[1][0]) {
            return None;
        }
        let (start, end) = (parts[0][0], parts[parts.len() - 1][1]);
        let (cue_start, cue_end) = self.chars(&candidate.cue)?;
        let source = match &candidate.source {
            Some(range) => Some(self.source(range)?),
            None => None,
        };
        let kind = candidate.kind.unwrap_or_else(|| self.kind_of(&candidate.content));
        let entities = self.entities.inside_any(&parts).into_iter().map(|e| e.id.clone()).collect();
        Some(Claim {
            id: String::new(),
            kind,
            source,
            cue: ClaimCue {
                text: self.index.slice(cue_start..cue_end).to_string(),
                start: cue_start,
                end: cue_end,
                lemma: candidate.lemma.clone(),
            },
            content: ClaimContent {
                text: self.index.slice(start..end).to_string(),
                start,
                end,
                parts: (parts.len() > 1).then_some(parts),
            },
            entities,
            parent: None,
            confidence: candidate.confidence * self.source_confidence(candidate),
            rule: candidate.rule.to_string(),
        })
    }

    /// Direct when the content is quotations only (after an optional "that"), mixed when it
    /// holds some, indirect otherwise.
    fn kind_of(&self, content: &[Range<usize>]) -> ClaimKind {
        let quoted = |i: usize| self.quotes.holding(i).is_some();
        let tokens: Vec<usize> =
            content.iter().flat_map(|r| r.clone()).filter(|&i| self.tokens[i].lower != "that").collect();
        let inside = tokens.iter().filter(|&&i| quoted(i)).count();
        let words_outside = tokens.iter().filter(|&&i| !quoted(i) && !self.tokens[i].is_punct()).count();
        if inside > 0 && words_outside == 0 {
            ClaimKind::Direct
        } else if inside > 0 {
            ClaimKind::Mixed
        } else {
            ClaimKind::Indirect
        }
    }

    fn source_confidence(&self, candidate: &Candidate) -> f32 {
        match &candidate.source {
            None => WITHOUT_SOURCE_WEIGHT,
            Some(range) if self.entity_in(range).is_some() => 1.0,
            Some(_) => 0.9,
        }
    }

    fn entity_in(&self, range: &Range<usize>) -> Option<&Entity> {
        let (start, end) = self.chars(range)?;
        self.entities.within(start, end)
    }

    fn source(&self, range: &Range<usize>) -> Option<ClaimSource> {
        let (start, end) = self.chars(range)?;
        let entity = self.entity_in(range);
        let resolved = match entity {
            Some(entity) => self.fuller_mention(entity),
            None if range.len() == 1 => self.antecedent(&self.tokens[range.start].lower, start),
            None => None,
        };
        Some(ClaimSource {
            text: self.index.slice(start..end).to_string(),
            start,
            end,
            entity: entity.map(|e| e.id.clone()),
            resolved: resolved.map(|e| ResolvedSource {
                entity: e.id.clone(),
                text: e.text.clone(),
                label: e.label.clone(),
            }),
        })
    }

    /// A longer mention of the same entity: "Vladimir Putin" for "Putin", "Institute for the
    /// Study of War" for "ISW".
    fn fuller_mention(&self, entity: &Entity) -> Option<&Entity> {
        self.entities.fuller_mention(entity)
    }

    /// The entity a pronoun refers to: the nearest earlier compatible mention.
    fn antecedent(&self, pronoun: &str, before: usize) -> Option<&Entity> {
        let labels: &[&str] = match pronoun {
            "he" | "she" | "him" | "her" | "his" => &["PER"],
            "it" | "its" => &["ORG"],
            "they" | "them" | "their" => &["ORG", "MISC"],
            "who" => &["PER", "ORG"],
            "which" => &["ORG"],
            _ => return None,
        };
        let nearest = self.entities.last_labelled_ending_by(before, labels)?;
        self.fuller_mention(nearest).or(Some(nearest))
    }
}

#[cfg(test)]
mod properties;
#[cfg(test)]
mod tests;
