//! Claims: groups tagged text into attributions with their sources.
//!
//! [`ClaimRules::apply`] reads a document's text, sentences and entities and fills its claims:
//! the rules in `rules` find cue, source and content spans in word tokens; this module turns
//! them into offsets, decides direct / indirect / mixed from the quotation marks, links each
//! claim to the entities inside it and to the claim whose content holds it, and resolves
//! pronoun, acronym and surname sources to the entity they stand for.

mod learned;
mod lexicon;
mod quotes;
mod rules;
mod tokens;

use std::ops::Range;

pub use lexicon::{CueEntry, CueKind, Lexicon};

use crate::document::{Claim, ClaimContent, ClaimCue, ClaimKind, ClaimSource, Document, Entity, ResolvedSource};
use crate::offsets::CharIndex;
use quotes::{find_quotes, Quote};
use rules::{Candidate, Finder};
use tokens::{sentence_ranges, tokenize, Token};

/// The claims stage.
#[derive(Debug, Clone, Default)]
pub struct ClaimRules {
    lexicon: Lexicon,
}

impl ClaimRules {
    pub fn new(lexicon: Lexicon) -> Self {
        ClaimRules { lexicon }
    }

    /// Fills `doc.claims` from its text, sentences and entities.
    pub fn apply(&self, doc: &mut Document) {
        let tokens = tokenize(&doc.text);
        let quotes = find_quotes(&tokens);
        let sentences = sentence_ranges(&tokens, &doc.sentences);
        let mut finder = Finder::new(&tokens, &quotes, &doc.entities, &self.lexicon);
        finder.run(&sentences);
        let mut candidates = finder.found;
        candidates.sort_by_key(|c| c.cue.start);
        let index = CharIndex::new(&doc.text);
        let builder = ClaimBuilder { tokens: &tokens, quotes: &quotes, entities: &doc.entities, index: &index };
        let mut claims: Vec<Claim> =
            candidates.iter().enumerate().map(|(i, candidate)| builder.build(format!("c{i}"), candidate)).collect();
        link_parents(&mut claims);
        doc.claims = claims;
    }
}

struct ClaimBuilder<'a> {
    tokens: &'a [Token],
    quotes: &'a [Quote],
    entities: &'a [Entity],
    index: &'a CharIndex<'a>,
}

impl ClaimBuilder<'_> {
    fn chars(&self, tokens: &Range<usize>) -> (usize, usize) {
        (self.tokens[tokens.start].start, self.tokens[tokens.end - 1].end)
    }

    fn build(&self, id: String, candidate: &Candidate) -> Claim {
        let parts: Vec<[usize; 2]> = candidate
            .content
            .iter()
            .map(|range| {
                let (start, end) = self.chars(range);
                [start, end]
            })
            .collect();
        let (start, end) = (parts[0][0], parts[parts.len() - 1][1]);
        let kind = candidate.kind.unwrap_or_else(|| self.kind_of(&candidate.content));
        let (cue_start, cue_end) = self.chars(&candidate.cue);
        let entities = self
            .entities
            .iter()
            .filter(|e| parts.iter().any(|[s, t]| *s <= e.start && e.end <= *t))
            .map(|e| e.id.clone())
            .collect();
        Claim {
            id,
            kind,
            source: candidate.source.as_ref().map(|range| self.source(range)),
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
        }
    }

    /// Direct when the content is quotations only (after an optional "that"), mixed when it
    /// holds some, indirect otherwise.
    fn kind_of(&self, content: &[Range<usize>]) -> ClaimKind {
        let quoted = |i: usize| self.quotes.iter().any(|q| q.contains(i));
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
            None => 0.6,
            Some(range) if self.entity_in(range).is_some() => 1.0,
            Some(_) => 0.9,
        }
    }

    fn entity_in(&self, range: &Range<usize>) -> Option<&Entity> {
        let (start, end) = self.chars(range);
        entity_within(self.entities, start, end)
    }

    fn source(&self, range: &Range<usize>) -> ClaimSource {
        let (start, end) = self.chars(range);
        let entity = self.entity_in(range);
        let resolved = match entity {
            Some(entity) => self.fuller_mention(entity),
            None if range.len() == 1 => self.antecedent(&self.tokens[range.start].lower, start),
            None => None,
        };
        ClaimSource {
            text: self.index.slice(start..end).to_string(),
            start,
            end,
            entity: entity.map(|e| e.id.clone()),
            resolved: resolved.map(|e| ResolvedSource {
                entity: e.id.clone(),
                text: e.text.clone(),
                label: e.label.clone(),
            }),
        }
    }

    /// A longer mention of the same entity: "Vladimir Putin" for "Putin", "Institute for the
    /// Study of War" for "ISW".
    fn fuller_mention(&self, entity: &Entity) -> Option<&Entity> {
        self.entities.iter().filter(|other| other.text.chars().count() > entity.text.chars().count()).find(|other| {
            let surname = other.label == entity.label && other.text.ends_with(&format!(" {}", entity.text));
            surname || (entity.text.chars().count() >= 2 && initials(&other.text) == entity.text)
        })
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
        let nearest = self.entities.iter().rev().find(|e| e.end <= before && labels.contains(&e.label.as_str()))?;
        self.fuller_mention(nearest).or(Some(nearest))
    }
}

/// The last entity lying wholly inside the code point range `[start, end)`.
fn entity_within(entities: &[Entity], start: usize, end: usize) -> Option<&Entity> {
    entities.iter().rev().find(|e| e.start >= start && e.end <= end)
}

/// Upper-case initials of the content words: "Institute for the Study of War" -> "ISW".
fn initials(text: &str) -> String {
    text.split_whitespace()
        .filter(|word| !matches!(*word, "of" | "the" | "for" | "and" | "on" | "in"))
        .filter_map(|word| word.chars().next())
        .filter(|c| c.is_uppercase())
        .collect()
}

/// Each claim whose cue lies inside another claim's content gets that claim as its parent (the
/// innermost one when several hold it).
fn link_parents(claims: &mut [Claim]) {
    // A claim's extent: its cue and content together.
    let extents: Vec<(usize, usize)> =
        claims.iter().map(|c| (c.cue.start.min(c.content.start), c.cue.end.max(c.content.end))).collect();
    let contents: Vec<(usize, usize)> = claims.iter().map(|c| (c.content.start, c.content.end)).collect();
    for (i, claim) in claims.iter_mut().enumerate() {
        let (start, end) = extents[i];
        // The parent's content holds the whole child, so two claims never parent each other.
        claim.parent = contents
            .iter()
            .enumerate()
            .filter(|&(j, &(outer_start, outer_end))| {
                j != i && outer_start <= start && end <= outer_end && (outer_start, outer_end) != contents[i]
            })
            .min_by_key(|&(_, &(outer_start, outer_end))| outer_end - outer_start)
            .map(|(j, _)| format!("c{j}"));
    }
}

#[cfg(test)]
mod tests;
