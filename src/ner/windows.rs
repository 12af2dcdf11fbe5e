//! Fitting sentences to the model: runs of short neighbouring sentences that share one sequence,
//! overlapping windows for sentences longer than the model's maximum, and batches of windows
//! under a token budget.

use std::ops::Range;

/// A stretch of one sentence's sub-tokens that goes through the model in one sequence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window {
    /// Sub-tokens `[tokens.start, tokens.end)` of the sentence are fed to the model.
    pub tokens: Range<usize>,
    /// The sub-tokens whose predictions this window supplies: those nearer its middle than any
    /// other window's, so every sub-token is predicted once, with as much context as there is.
    pub owns: Range<usize>,
}

/// Windows of at most `max_len` sub-tokens covering `num_tokens`, neighbours overlapping by half.
pub fn plan_windows(num_tokens: usize, max_len: usize) -> Vec<Window> {
    let max_len = max_len.max(1);
    if num_tokens <= max_len {
        return vec![Window { tokens: 0..num_tokens, owns: 0..num_tokens }];
    }
    let stride = (max_len / 2).max(1);
    let mut starts: Vec<usize> = (0..).map(|i| i * stride).take_while(|&start| start + max_len < num_tokens).collect();
    starts.push(num_tokens - max_len);
    starts.dedup();
    let mut windows: Vec<Window> = Vec::with_capacity(starts.len());
    for (i, &start) in starts.iter().enumerate() {
        let end = start + max_len;
        // The seam between this window and the next sits in the middle of their overlap.
        let owns_end = match starts.get(i + 1) {
            Some(&next_start) => (next_start + end).div_ceil(2),
            None => num_tokens,
        };
        let owns_start = windows.last().map_or(0, |previous| previous.owns.end);
        windows.push(Window { tokens: start..end, owns: owns_start..owns_end });
    }
    windows
}

/// Groups consecutive sentences (sub-token ranges, in order) into runs of at most `budget`
/// sub-tokens, so that neighbours go through the model together and share the surrounding
/// context instead of each carrying its own. Returns ranges of indices into `sentences`. Only
/// sentences that touch (one ends where the next starts) are packed together; a sentence
/// longer than `budget` is a run of its own, and `budget` 0 keeps every sentence alone.
pub fn pack_sentences(sentences: &[Range<usize>], budget: usize) -> Vec<Range<usize>> {
    let mut runs: Vec<Range<usize>> = Vec::with_capacity(sentences.len());
    for (i, sentence) in sentences.iter().enumerate() {
        match runs.last_mut() {
            Some(run)
                if sentences[run.end - 1].end == sentence.start
                    && sentence.end - sentences[run.start].start <= budget
                    && budget > 0 =>
            {
                run.end = i + 1
            }
            _ => runs.push(i..i + 1),
        }
    }
    runs
}

/// Groups sequences into batches whose padded size (`count * (longest + extra)`) stays within
/// `budget` tokens; each batch holds sequences of similar length, longest first. A sequence
/// longer than the budget still gets a batch of its own.
pub fn plan_batches(lengths: &[usize], extra: usize, budget: usize) -> Vec<Vec<usize>> {
    let mut order: Vec<usize> = (0..lengths.len()).collect();
    order.sort_by(|&a, &b| lengths[b].cmp(&lengths[a]).then(a.cmp(&b)));
    cut_into_batches(&order, |i| lengths[i] + extra, budget)
}

/// Cuts `order` into consecutive batches whose padded size (`count * longest`) stays within
/// `budget`; a sequence longer than the budget gets a batch of its own.
pub(crate) fn cut_into_batches(order: &[usize], padded_len: impl Fn(usize) -> usize, budget: usize) -> Vec<Vec<usize>> {
    let mut batches: Vec<Vec<usize>> = Vec::new();
    let mut current: Vec<usize> = Vec::new();
    let mut longest = 0;
    for &index in order {
        let padded = padded_len(index);
        if !current.is_empty() && longest.max(padded) * (current.len() + 1) > budget {
            batches.push(std::mem::take(&mut current));
            longest = 0;
        }
        longest = longest.max(padded);
        current.push(index);
    }
    if !current.is_empty() {
        batches.push(current);
    }
    batches
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_sentence_is_one_window() {
        assert_eq!(plan_windows(5, 10), [Window { tokens: 0..5, owns: 0..5 }]);
        assert_eq!(plan_windows(0, 10), [Window { tokens: 0..0, owns: 0..0 }]);
    }

    #[test]
    fn long_sentences_get_overlapping_windows_that_own_every_token_once() {
        for (num_tokens, max_len) in [(11, 10), (25, 10), (100, 7), (62 * 4 + 3, 62), (9, 1)] {
            let windows = plan_windows(num_tokens, max_len);
            let mut next = 0;
            for window in &windows {
                assert!(window.tokens.len() <= max_len);
                assert!(window.tokens.start <= window.owns.start && window.owns.end <= window.tokens.end);
                assert_eq!(window.owns.start, next, "{num_tokens} tokens, max {max_len}: {windows:?}");
                next = window.owns.end;
            }
            assert_eq!(next, num_tokens);
        }
    }

    #[test]
    fn seams_fall_in_the_middle_of_the_overlap() {
        let windows = plan_windows(20, 10);
        assert_eq!(windows[0], Window { tokens: 0..10, owns: 0..8 });
        assert_eq!(windows[1], Window { tokens: 5..15, owns: 8..13 });
        assert_eq!(windows[2], Window { tokens: 10..20, owns: 13..20 });
    }

    #[test]
    fn neighbouring_sentences_are_packed_under_the_budget_in_order() {
        let sentences = [0..4, 4..10, 10..30, 30..31, 31..33, 33..33, 33..40];
        assert_eq!(pack_sentences(&sentences, 10), [0..2, 2..3, 3..7]);
        assert_eq!(pack_sentences(&sentences, 12), [0..2, 2..3, 3..7]);
        let everything = pack_sentences(&sentences, 100);
        assert_eq!((everything.len(), everything[0].clone()), (1, 0..7));
        assert_eq!(pack_sentences(&sentences, 0), (0..7).map(|i| i..i + 1).collect::<Vec<_>>());
        assert!(pack_sentences(&[], 10).is_empty());
        // Sentences of different documents do not touch, and are never packed together.
        assert_eq!(pack_sentences(&[0..4, 5..9, 9..12], 100), [0..1, 1..3]);
    }

    #[test]
    fn batches_respect_the_token_budget_and_keep_every_sequence() {
        let lengths = [3, 50, 7, 48, 20, 2, 100];
        let batches = plan_batches(&lengths, 2, 110);
        let mut seen: Vec<usize> = batches.concat();
        seen.sort();
        assert_eq!(seen, (0..lengths.len()).collect::<Vec<_>>());
        for batch in &batches {
            let longest = batch.iter().map(|&i| lengths[i] + 2).max().unwrap();
            assert!(batch.len() == 1 || longest * batch.len() <= 110, "{batch:?}");
        }
        assert_eq!(batches[0], [6]);
        assert_eq!(batches[1], [1, 3]);
    }
}
