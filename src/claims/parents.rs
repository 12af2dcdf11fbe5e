//! Nested attributions: "ISW reported that Putin claimed X" gives the claim of "claimed" the
//! claim of "reported" as its parent.
//!
//! Comparing every claim with every other made a long article with tens of thousands of claims
//! quadratic (80,000 one-line claims: 11 s), so the parents are found in one sweep: claims in
//! order of where they start, against the contents opened so far, kept by where they end in a
//! Fenwick tree that answers "the two shortest contents reaching past this point".

use crate::document::Claim;

/// A content as a candidate parent: shorter first, then the earlier claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Candidate {
    length: usize,
    claim: usize,
    start: usize,
    end: usize,
}

/// The best two candidates of a set; two, because the best may be the child's own content.
#[derive(Debug, Clone, Copy, Default)]
struct BestTwo([Option<Candidate>; 2]);

impl BestTwo {
    fn add(&mut self, candidate: Candidate) {
        let [first, second] = &mut self.0;
        if first.is_none_or(|best| candidate < best) {
            *second = *first;
            *first = Some(candidate);
        } else if second.is_none_or(|next| candidate < next) && *first != Some(candidate) {
            *second = Some(candidate);
        }
    }

    fn merge(&mut self, other: &BestTwo) {
        for candidate in other.0.into_iter().flatten() {
            self.add(candidate);
        }
    }
}

/// Each claim whose cue lies inside another claim's content gets that claim as its parent (the
/// innermost one when several hold it: the shortest content, then the earliest claim). A claim
/// whose content is the same as the child's is not its parent, so two claims never parent each
/// other.
pub fn link_parents(claims: &mut [Claim]) {
    // A claim's extent: its cue and content together.
    let extents: Vec<(usize, usize)> =
        claims.iter().map(|c| (c.cue.start.min(c.content.start), c.cue.end.max(c.content.end))).collect();
    let contents: Vec<(usize, usize)> = claims.iter().map(|c| (c.content.start, c.content.end)).collect();
    // Each distinct content once, as its first claim: claims sharing a content tie, and the
    // first of them wins.
    let mut candidates: Vec<Candidate> = contents
        .iter()
        .enumerate()
        .map(|(claim, &(start, end))| Candidate { length: end.saturating_sub(start), claim, start, end })
        .collect();
    candidates.sort_by_key(|c| (c.start, c.end, c.claim));
    candidates.dedup_by_key(|c| (c.start, c.end));
    // Fenwick positions: ends from the largest down, so "ends at or past e" is a prefix.
    let mut ends: Vec<usize> = candidates.iter().map(|c| c.end).collect();
    ends.sort_unstable_by(|a, b| b.cmp(a));
    ends.dedup();
    let reaching = |end: usize| ends.partition_point(|&e| e >= end);
    let mut tree = vec![BestTwo::default(); ends.len() + 1];
    let mut order: Vec<usize> = (0..claims.len()).collect();
    order.sort_by_key(|&i| extents[i].0);
    let mut opened = 0;
    let mut parents = vec![None; claims.len()];
    for i in order {
        let (start, end) = extents[i];
        while opened < candidates.len() && candidates[opened].start <= start {
            let candidate = candidates[opened];
            // The position of its own end: the ends before it are larger.
            let mut at = reaching(candidate.end + 1) + 1;
            while at < tree.len() {
                tree[at].add(candidate);
                at += at & at.wrapping_neg();
            }
            opened += 1;
        }
        let mut best = BestTwo::default();
        let mut at = reaching(end);
        while at > 0 {
            best.merge(&tree[at]);
            at -= at & at.wrapping_neg();
        }
        parents[i] = best.0.into_iter().flatten().find(|c| (c.start, c.end) != contents[i]).map(|c| c.claim);
    }
    for (claim, parent) in claims.iter_mut().zip(parents) {
        claim.parent = parent.map(|j| format!("c{j}"));
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::document::{ClaimContent, ClaimCue, ClaimKind};

    fn claim(cue: (usize, usize), content: (usize, usize)) -> Claim {
        Claim {
            id: String::new(),
            kind: ClaimKind::Indirect,
            source: None,
            cue: ClaimCue { text: String::new(), start: cue.0, end: cue.1, lemma: String::new() },
            content: ClaimContent { text: String::new(), start: content.0, end: content.1, parts: None },
            entities: Vec::new(),
            parent: None,
            confidence: 1.0,
            rule: String::new(),
        }
    }

    /// The definition, comparing every pair.
    fn parents_by_definition(claims: &[Claim]) -> Vec<Option<String>> {
        let extent = |c: &Claim| (c.cue.start.min(c.content.start), c.cue.end.max(c.content.end));
        let content = |c: &Claim| (c.content.start, c.content.end);
        claims
            .iter()
            .enumerate()
            .map(|(i, child)| {
                let (start, end) = extent(child);
                claims
                    .iter()
                    .enumerate()
                    .filter(|&(j, outer)| {
                        j != i
                            && outer.content.start <= start
                            && end <= outer.content.end
                            && content(outer) != content(child)
                    })
                    .min_by_key(|(_, outer)| outer.content.end - outer.content.start)
                    .map(|(j, _)| format!("c{j}"))
            })
            .collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn the_sweep_finds_the_parents_the_definition_does(
            raw in proptest::collection::vec((0usize..40, 1usize..6, 0usize..40, 0usize..30), 0..24)
        ) {
            let mut claims: Vec<Claim> = raw
                .into_iter()
                .map(|(cue, cue_length, start, length)| claim((cue, cue + cue_length), (start, start + length)))
                .collect();
            let expected = parents_by_definition(&claims);
            link_parents(&mut claims);
            let found: Vec<Option<String>> = claims.iter().map(|c| c.parent.clone()).collect();
            prop_assert_eq!(found, expected);
        }
    }

    #[test]
    fn the_innermost_content_holding_a_claim_is_its_parent() {
        // "ISW reported that Putin said that officials believe X."
        let mut claims =
            vec![claim((4, 12), (13, 60)), claim((24, 28), (29, 60)), claim((39, 46), (47, 60)), claim((0, 3), (4, 9))];
        link_parents(&mut claims);
        let parents: Vec<Option<&str>> = claims.iter().map(|c| c.parent.as_deref()).collect();
        assert_eq!(parents, [None, Some("c0"), Some("c1"), None]);
    }
}
