//! Where the tokens of one kind are, for "the next comma after this cue" in O(log n).
//!
//! The rules search from a cue to the next comma, line break, word or clause word. Scanning
//! token by token costs the distance, and on a long sentence with many cues ("said said said
//! ...", thousands of dots or commas) that made the claims stage quadratic. A [`Runs`] records
//! the maximal runs of consecutive tokens that have a property, so any such question is a binary
//! search, and memory grows with the number of runs, not of tokens.

use std::ops::Range;

/// The maximal runs of consecutive token indices that have one property, in order.
#[derive(Debug, Clone, Default)]
pub struct Runs {
    runs: Vec<Range<usize>>,
}

impl Runs {
    /// The runs of the indices in `indices` for which `has` holds.
    pub fn new(indices: Range<usize>, mut has: impl FnMut(usize) -> bool) -> Self {
        let mut runs: Vec<Range<usize>> = Vec::new();
        for i in indices {
            if !has(i) {
                continue;
            }
            match runs.last_mut() {
                Some(last) if last.end == i => last.end = i + 1,
                _ => runs.push(i..i + 1),
            }
        }
        Runs { runs }
    }

    /// The run holding index `i`.
    fn holding(&self, i: usize) -> Option<&Range<usize>> {
        let after = self.runs.partition_point(|run| run.start <= i);
        after.checked_sub(1).map(|last| &self.runs[last]).filter(|run| i < run.end)
    }

    pub fn contains(&self, i: usize) -> bool {
        self.holding(i).is_some()
    }

    /// The first index at or after `i` that has the property.
    pub fn next_from(&self, i: usize) -> Option<usize> {
        if self.contains(i) {
            return Some(i);
        }
        let next = self.runs.partition_point(|run| run.start <= i);
        self.runs.get(next).map(|run| run.start)
    }

    /// The first index at or after `i` that lacks the property (`i` itself when it lacks it).
    pub fn next_without_from(&self, i: usize) -> usize {
        self.holding(i).map_or(i, |run| run.end)
    }

    /// The last index before `i` that has the property.
    pub fn last_before(&self, i: usize) -> Option<usize> {
        let before = self.runs.partition_point(|run| run.start < i);
        before.checked_sub(1).map(|last| self.runs[last].end.min(i) - 1)
    }

    /// The first index in `range` that has the property.
    pub fn first_in(&self, range: Range<usize>) -> Option<usize> {
        self.next_from(range.start).filter(|&i| i < range.end)
    }

    /// Where the stretch of indices with the property that ends at `end - 1` starts, if any.
    pub fn run_ending_at(&self, end: usize) -> Option<usize> {
        end.checked_sub(1).and_then(|last| self.holding(last)).map(|run| run.start)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Every question, asked at every index, answered by the runs as a plain scan answers it.
        #[test]
        fn runs_answer_as_a_scan_would(has in proptest::collection::vec(any::<bool>(), 0..40)) {
            let runs = Runs::new(0..has.len(), |i| has[i]);
            for i in 0..=has.len() + 1 {
                let scan_next = (i..has.len()).find(|&j| has[j]);
                prop_assert_eq!(runs.next_from(i), scan_next, "next_from({})", i);
                let scan_without = (i..has.len()).find(|&j| !has[j]).unwrap_or(has.len().max(i));
                prop_assert_eq!(runs.next_without_from(i), scan_without, "next_without_from({})", i);
                let scan_before = (0..i.min(has.len())).rev().find(|&j| has[j]);
                prop_assert_eq!(runs.last_before(i), scan_before, "last_before({})", i);
                let scan_run = (0..i.min(has.len())).rev().take_while(|&j| has[j]).last();
                let scan_run = if i > has.len() { None } else { scan_run };
                prop_assert_eq!(runs.run_ending_at(i), scan_run, "run_ending_at({})", i);
                for end in i..=has.len() {
                    prop_assert_eq!(runs.first_in(i..end), (i..end).find(|&j| has[j]), "first_in({}..{})", i, end);
                }
            }
        }
    }

    #[test]
    fn runs_hold_only_the_indices_they_were_built_over() {
        let runs = Runs::new(5..8, |_| true);
        assert_eq!((runs.next_from(0), runs.last_before(20), runs.contains(8)), (Some(5), Some(7), false));
    }
}
