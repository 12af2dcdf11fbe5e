//! The loss of a linear-chain CRF role head (`claimtag train --role-crf`): each row's labelled
//! positions (first sub-tokens of words, context and later sub-tokens left out) form one label
//! sequence, scored by its emissions plus the transitions between consecutive labels.

use tch::{Kind, Tensor};

/// Mean negative log-likelihood per labelled position of the gold label sequences under a
/// linear-chain CRF: `logits` `[rows, width, labels]` are the emission scores, `labels`
/// (`rows * width`, negative where unlabelled) the gold labels, `transitions[i][j]` the score of
/// `j` after `i` and `start[j]` of `j` first.
pub fn crf_nll(logits: &Tensor, labels: &[i64], width: usize, transitions: &Tensor, start: &Tensor) -> Tensor {
    let rows = labels.len() / width.max(1);
    let classes = logits.size()[2];
    let positions: Vec<Vec<usize>> =
        (0..rows).map(|r| (0..width).filter(|&p| labels[r * width + p] >= 0).collect()).collect();
    let steps = positions.iter().map(Vec::len).max().unwrap_or(0);
    if steps == 0 {
        return logits.sum(Kind::Float) * 0.0;
    }
    // Each row's labelled positions gathered to the front: step t of row r is its t-th labelled
    // position; mask is 0 past a row's last.
    let (mut index, mut gold, mut mask) =
        (vec![0i64; rows * steps], vec![0i64; rows * steps], vec![0f32; rows * steps]);
    for (r, row) in positions.iter().enumerate() {
        for (t, &p) in row.iter().enumerate() {
            index[r * steps + t] = p as i64;
            gold[r * steps + t] = labels[r * width + p];
            mask[r * steps + t] = 1.0;
        }
    }
    let device = logits.device();
    let shape = [rows as i64, steps as i64];
    let index = Tensor::from_slice(&index).view(shape).to_device(device);
    let gold = Tensor::from_slice(&gold).view(shape).to_device(device);
    let mask = Tensor::from_slice(&mask).view(shape).to_device(device);
    let transitions = transitions.to_kind(Kind::Float);
    let start = start.to_kind(Kind::Float);
    let emissions =
        logits.to_kind(Kind::Float).gather(1, &index.unsqueeze(-1).expand([shape[0], shape[1], classes], false), false);
    let emitted = emissions.gather(2, &gold.unsqueeze(-1), false).squeeze_dim(-1);
    let mut path = (emitted * &mask).sum_dim_intlist(1, false, Kind::Float) + start.index_select(0, &gold.select(1, 0));
    if steps > 1 {
        let pairs = gold.narrow(1, 0, shape[1] - 1) * classes + gold.narrow(1, 1, shape[1] - 1);
        let moved = transitions.view(-1).index_select(0, &pairs.view(-1)).view([shape[0], shape[1] - 1]);
        path += (moved * mask.narrow(1, 1, shape[1] - 1)).sum_dim_intlist(1, false, Kind::Float);
    }
    // The forward algorithm: alpha[r][j] is the log-sum of the scores of every label sequence of
    // row r so far that ends in j; a row's steps past its end leave it as it was.
    let mut alpha = start.unsqueeze(0) + emissions.select(1, 0);
    for t in 1..shape[1] {
        let next = (alpha.unsqueeze(2) + transitions.unsqueeze(0)).logsumexp(1, false) + emissions.select(1, t);
        let on = mask.select(1, t).unsqueeze(1);
        alpha = &next * &on + &alpha * (on.ones_like() - &on);
    }
    let log_partition = alpha.logsumexp(1, false);
    let has_labels = mask.select(1, 0);
    ((log_partition - path) * has_labels).sum(Kind::Float) / mask.sum(Kind::Float)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Brute force: the log-sum over every label sequence of its score, minus the gold's.
    fn brute(emissions: &[Vec<f32>], gold: &[usize], transitions: &[Vec<f32>], start: &[f32]) -> f64 {
        let k = start.len();
        let n = emissions.len();
        let score = |seq: &[usize]| -> f64 {
            let mut s = (start[seq[0]] + emissions[0][seq[0]]) as f64;
            for t in 1..n {
                s += (transitions[seq[t - 1]][seq[t]] + emissions[t][seq[t]]) as f64;
            }
            s
        };
        let mut all = Vec::new();
        for code in 0..k.pow(n as u32) {
            let seq: Vec<usize> = (0..n).map(|t| (code / k.pow(t as u32)) % k).collect();
            all.push(score(&seq));
        }
        let max = all.iter().cloned().fold(f64::MIN, f64::max);
        let log_z = max + all.iter().map(|s| (s - max).exp()).sum::<f64>().ln();
        log_z - score(gold)
    }

    #[test]
    fn the_loss_is_the_brute_force_negative_log_likelihood_over_labelled_positions() {
        let emissions = vec![vec![0.3f32, -1.0, 2.0], vec![1.5, 0.2, -0.7], vec![-0.4, 0.9, 0.1]];
        let transitions = vec![vec![0.5f32, -2.0, 0.1], vec![0.3, 0.8, -1.2], vec![-0.6, 0.4, 1.1]];
        let start = vec![0.2f32, -0.3, 0.7];
        let gold = [2usize, 0, 1];
        // Row 0, width 5: labelled at 1, 2 and 4; 0 and 3 (context, later sub-tokens) are not.
        // Row 1: the first two emissions, labelled at 0 and 3, then padding.
        let mut logits = vec![9.0f32; 2 * 5 * 3];
        for (t, p) in [1usize, 2, 4].iter().enumerate() {
            logits[p * 3..p * 3 + 3].copy_from_slice(&emissions[t]);
        }
        for (t, p) in [5usize, 8].iter().enumerate() {
            logits[p * 3..p * 3 + 3].copy_from_slice(&emissions[t]);
        }
        let labels = [-100, 2, 0, -100, 1, 1, -100, -100, 1, -100];
        let flat = |v: &[Vec<f32>]| Tensor::from_slice(&v.concat()).view([3, 3]);
        let loss = crf_nll(
            &Tensor::from_slice(&logits).view([2, 5, 3]),
            &labels,
            5,
            &flat(&transitions),
            &Tensor::from_slice(&start),
        );
        let expected = (brute(&emissions, &gold, &transitions, &start)
            + brute(&emissions[..2], &[1, 1], &transitions, &start))
            / 5.0;
        assert!((loss.double_value(&[]) - expected).abs() < 1e-4, "{} vs {expected}", loss.double_value(&[]));
    }
}
