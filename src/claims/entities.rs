//! The questions the rules and the claim builder ask about a document's entities.
//!
//! The rules ask for every candidate source "which entity lies inside this span", and the claim
//! builder asks for every claim which entities its content holds. A scan of all entities per
//! question made a long article with many entities and claims quadratic. The model's entities
//! come in order (starts and ends never decrease), and then every question is a binary search;
//! entities in any other order (given by hand, overlapping) get the same answers from a scan.

use std::cell::OnceCell;
use std::collections::HashMap;

use crate::document::Entity;
use crate::offsets::char_len;

pub struct Entities<'a> {
    all: &'a [Entity],
    /// Starts and ends never decrease along `all`.
    ordered: bool,
    /// For ordered entities: the indices of each label's entities, in order.
    by_label: HashMap<&'a str, Vec<usize>>,
    /// Built on the first [`Entities::fuller_mention`].
    mentions: OnceCell<Mentions<'a>>,
}

/// Longer mentions by what a shorter mention of the same entity would match in them.
struct Mentions<'a> {
    /// Entity indices by the text after their last space (all of it when there is none): a
    /// surname "Putin" can only be the end of "Vladimir Putin" if that ends in the same word.
    by_last_word: HashMap<&'a str, Vec<usize>>,
    /// Entity indices by their initials ("ISW" for "Institute for the Study of War").
    by_initials: HashMap<String, Vec<usize>>,
}

impl<'a> Entities<'a> {
    pub fn new(all: &'a [Entity]) -> Self {
        let ordered = all.windows(2).all(|pair| pair[0].start <= pair[1].start && pair[0].end <= pair[1].end);
        let mut by_label: HashMap<&str, Vec<usize>> = HashMap::new();
        if ordered {
            for (i, entity) in all.iter().enumerate() {
                by_label.entry(entity.label.as_str()).or_default().push(i);
            }
        }
        Entities { all, ordered, by_label, mentions: OnceCell::new() }
    }

    /// The index of the first ordered entity whose start is at least `start`.
    fn first_starting_from(&self, start: usize) -> usize {
        self.all.partition_point(|e| e.start < start)
    }

    /// The number of ordered entities that end by `end`: they come first.
    fn ending_by(&self, end: usize) -> usize {
        self.all.partition_point(|e| e.end <= end)
    }

    /// The last entity lying wholly inside the code point range `[start, end)`.
    pub fn within(&self, start: usize, end: usize) -> Option<&'a Entity> {
        if !self.ordered {
            return self.all.iter().rev().find(|e| e.start >= start && e.end <= end);
        }
        let (first, past) = (self.first_starting_from(start), self.ending_by(end));
        (first < past).then(|| &self.all[past - 1])
    }

    /// Whether an entity covers all of `[start, end)`.
    pub fn covering(&self, start: usize, end: usize) -> bool {
        if !self.ordered {
            return self.all.iter().any(|e| e.start <= start && end <= e.end);
        }
        let starting_by = self.all.partition_point(|e| e.start <= start);
        let ending_before = self.all.partition_point(|e| e.end < end);
        ending_before < starting_by
    }

    /// The first entity starting at `start` that `accept` takes.
    pub fn starting_at(&self, start: usize, accept: impl Fn(&Entity) -> bool) -> Option<&'a Entity> {
        if !self.ordered {
            return self.all.iter().find(|e| e.start == start && accept(e));
        }
        self.all[self.first_starting_from(start)..].iter().take_while(|e| e.start == start).find(|e| accept(e))
    }

    /// The last entity with one of `labels` that lies inside `[from, to)` and that `accept` takes.
    pub fn last_labelled_within(
        &self,
        from: usize,
        to: usize,
        labels: &[&str],
        accept: impl Fn(&Entity) -> bool,
    ) -> Option<&'a Entity> {
        let fits = |e: &Entity| e.start >= from && e.end <= to && labels.contains(&e.label.as_str()) && accept(e);
        if !self.ordered {
            return self.all.iter().rev().find(|e| fits(e));
        }
        labels
            .iter()
            .filter_map(|label| {
                let indices = self.by_label.get(label)?;
                let past = indices.partition_point(|&i| self.all[i].end <= to);
                // Starts never decrease either, so the walk back stops at the first that starts too early.
                indices[..past].iter().rev().take_while(|&&i| self.all[i].start >= from).find(|&&i| fits(&self.all[i]))
            })
            .max()
            .map(|&i| &self.all[i])
    }

    /// The last entity with one of `labels` that ends by `end`.
    pub fn last_labelled_ending_by(&self, end: usize, labels: &[&str]) -> Option<&'a Entity> {
        self.last_labelled_within(0, end, labels, |_| true)
    }

    /// The entities lying wholly inside one of the code point ranges `parts`, in order.
    pub fn inside_any(&self, parts: &[[usize; 2]]) -> Vec<&'a Entity> {
        if !self.ordered {
            return self.all.iter().filter(|e| parts.iter().any(|[s, t]| *s <= e.start && e.end <= *t)).collect();
        }
        let mut indices: Vec<usize> =
            parts.iter().flat_map(|&[start, end]| self.first_starting_from(start)..self.ending_by(end)).collect();
        indices.sort_unstable();
        indices.dedup();
        indices.into_iter().map(|i| &self.all[i]).collect()
    }

    /// A longer mention of the same entity: "Vladimir Putin" for "Putin", "Institute for the
    /// Study of War" for "ISW"; the first such entity in the document.
    pub fn fuller_mention(&self, entity: &Entity) -> Option<&'a Entity> {
        let mentions = self.mentions.get_or_init(|| Mentions::new(self.all));
        let length = char_len(&entity.text);
        let longer = |other: &Entity| char_len(&other.text) > length;
        let suffix = format!(" {}", entity.text);
        let surname = mentions.by_last_word.get(last_word(&entity.text)).and_then(|indices| {
            indices.iter().copied().find(|&i| {
                let other = &self.all[i];
                longer(other) && other.label == entity.label && other.text.ends_with(&suffix)
            })
        });
        let acronym = (length >= 2)
            .then(|| mentions.by_initials.get(&entity.text))
            .flatten()
            .and_then(|indices| indices.iter().copied().find(|&i| longer(&self.all[i])));
        surname.into_iter().chain(acronym).min().map(|i| &self.all[i])
    }
}

impl<'a> Mentions<'a> {
    fn new(all: &'a [Entity]) -> Self {
        let mut by_last_word: HashMap<&str, Vec<usize>> = HashMap::new();
        let mut by_initials: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, entity) in all.iter().enumerate() {
            by_last_word.entry(last_word(&entity.text)).or_default().push(i);
            by_initials.entry(initials(&entity.text)).or_default().push(i);
        }
        Mentions { by_last_word, by_initials }
    }
}

/// The text after the last space.
fn last_word(text: &str) -> &str {
    text.rfind(' ').map_or(text, |space| &text[space + 1..])
}

/// Upper-case initials of the content words: "Institute for the Study of War" -> "ISW".
pub fn initials(text: &str) -> String {
    text.split_whitespace()
        .filter(|word| !matches!(*word, "of" | "the" | "for" | "and" | "on" | "in"))
        .filter_map(|word| word.chars().next())
        .filter(|c| c.is_uppercase())
        .collect()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn entity(i: usize, start: usize, end: usize, label: &str, text: &str) -> Entity {
        Entity { id: format!("e{i}"), text: text.to_string(), label: label.to_string(), start, end, score: 1.0 }
    }

    /// Entities as the model gives them: in order, each after the last, some touching.
    fn ordered_entities() -> impl Strategy<Value = Vec<Entity>> {
        let names = ["Putin", "Vladimir Putin", "ISW", "Institute for the Study of War", "War", "he"];
        proptest::collection::vec((0usize..4, 0usize..4, 0usize..4, 0usize..names.len()), 0..24).prop_map(move |raw| {
            let mut at = 0;
            let labels = ["PER", "ORG", "LOC", "MISC"];
            raw.into_iter()
                .enumerate()
                .map(|(i, (gap, length, label, name))| {
                    at += gap;
                    let e = entity(i, at, at + length, labels[label], names[name]);
                    at += length;
                    e
                })
                .collect()
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// The binary searches over ordered entities answer as the scans do.
        #[test]
        fn lookups_on_ordered_entities_answer_as_a_scan_would(
            all in ordered_entities(),
            queries in proptest::collection::vec((0usize..70, 0usize..12), 1..12),
        ) {
            let fast = Entities::new(&all);
            prop_assert!(fast.ordered);
            let mut scan = Entities::new(&all);
            scan.ordered = false;
            let id = |e: Option<&Entity>| e.map(|e| e.id.clone());
            let not_empty = |e: &Entity| e.end > e.start;
            for &(start, length) in &queries {
                let end = start + length;
                prop_assert_eq!(id(fast.within(start, end)), id(scan.within(start, end)));
                prop_assert_eq!(fast.covering(start, end), scan.covering(start, end));
                prop_assert_eq!(id(fast.starting_at(start, not_empty)), id(scan.starting_at(start, not_empty)));
                for labels in [&["PER", "ORG"][..], &["ORG"], &["LOC", "MISC"]] {
                    prop_assert_eq!(
                        id(fast.last_labelled_within(start, end, labels, not_empty)),
                        id(scan.last_labelled_within(start, end, labels, not_empty))
                    );
                    prop_assert_eq!(
                        id(fast.last_labelled_ending_by(end, labels)),
                        id(scan.last_labelled_ending_by(end, labels))
                    );
                }
            }
            let parts: Vec<[usize; 2]> = queries.iter().map(|&(start, length)| [start, start + length]).collect();
            let ids = |v: Vec<&Entity>| v.into_iter().map(|e| e.id.clone()).collect::<Vec<_>>();
            prop_assert_eq!(ids(fast.inside_any(&parts)), ids(scan.inside_any(&parts)));
        }

        /// The indexed fuller mention is the first entity, in order, that the plain definition takes.
        #[test]
        fn a_fuller_mention_is_the_first_that_ends_in_the_surname_or_spells_the_acronym(all in ordered_entities()) {
            let entities = Entities::new(&all);
            for entity in &all {
                let length = char_len(&entity.text);
                let expected = all.iter().filter(|other| char_len(&other.text) > length).find(|other| {
                    let surname = other.label == entity.label && other.text.ends_with(&format!(" {}", entity.text));
                    surname || (length >= 2 && initials(&other.text) == entity.text)
                });
                prop_assert_eq!(
                    entities.fuller_mention(entity).map(|e| e.id.clone()),
                    expected.map(|e| e.id.clone())
                );
            }
        }
    }

    #[test]
    fn entities_out_of_order_are_scanned() {
        let all = [entity(0, 10, 15, "PER", "Putin"), entity(1, 0, 20, "ORG", "ISW")];
        let entities = Entities::new(&all);
        assert!(!entities.ordered);
        assert_eq!(entities.within(0, 20).map(|e| e.id.as_str()), Some("e1"));
        assert!(entities.covering(11, 12));
    }
}
