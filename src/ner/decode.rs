//! From per-word labels to entity spans: tag schemes and their repair.

use crate::offsets::CharIndex;

/// What one label of the model says about a word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tag {
    Outside,
    /// `B-X`: begins an entity of type X.
    Begin(String),
    /// `I-X` (or a bare `X`): inside an entity of type X.
    Inside(String),
    /// `E-X`: ends an entity of type X (BIOES).
    End(String),
    /// `S-X` (or `U-X`): a one-word entity of type X (BIOES / BILOU).
    Single(String),
}

impl Tag {
    /// Reads `O`, `B-PER`, `I-ORG`, `E-LOC`, `S-MISC`, `L-`/`U-` (BILOU) or a bare type.
    pub fn parse(label: &str) -> Tag {
        if label == "O" || label.is_empty() {
            return Tag::Outside;
        }
        let split = label.split_once('-').or_else(|| label.split_once('_'));
        match split {
            Some(("B", kind)) => Tag::Begin(kind.to_string()),
            Some(("I", kind)) => Tag::Inside(kind.to_string()),
            Some(("E" | "L", kind)) => Tag::End(kind.to_string()),
            Some(("S" | "U", kind)) => Tag::Single(kind.to_string()),
            _ => Tag::Inside(label.to_string()),
        }
    }

    fn kind(&self) -> Option<&str> {
        match self {
            Tag::Outside => None,
            Tag::Begin(kind) | Tag::Inside(kind) | Tag::End(kind) | Tag::Single(kind) => Some(kind),
        }
    }
}

/// How a sentence's word labels are chosen from the model's distributions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Decoding {
    /// Each word's most likely label on its own; broken sequences are repaired afterwards.
    #[default]
    Greedy,
    /// The most likely sequence of labels in which every `I-X` follows a `B-X` or `I-X`
    /// (Viterbi over the sentence). For IOB2 models; IOB1 models, where `I-X` may begin an
    /// entity, and BIOES models keep greedy decoding.
    Constrained,
}

impl Decoding {
    pub const ALL: [Decoding; 2] = [Decoding::Greedy, Decoding::Constrained];

    /// The name `--decoding` and `claimtag_decoding` give it.
    pub fn name(self) -> &'static str {
        match self {
            Decoding::Greedy => "greedy",
            Decoding::Constrained => "constrained",
        }
    }

    /// Parses `greedy` or `constrained`.
    pub fn parse(spec: &str) -> Option<Self> {
        Decoding::ALL.into_iter().find(|decoding| decoding.name() == spec)
    }
}

/// Label transition scores of a CRF: `transitions[i * labels + j]` for `j` after `i`, and
/// `start[j]` for `j` first.
#[derive(Debug, Clone, PartialEq)]
pub struct Transitions {
    pub transitions: Vec<f32>,
    pub start: Vec<f32>,
}

/// The label (index into `tags`) and its probability for each word, from each word's label
/// distribution. A CRF's `transitions` join constrained decoding, and each word's probability is
/// then its marginal under the CRF.
pub fn best_labels(
    distributions: &[&[f32]],
    tags: &[Tag],
    decoding: Decoding,
    transitions: Option<&Transitions>,
) -> Vec<(usize, f32)> {
    let greedy = || {
        distributions
            .iter()
            .map(|distribution| {
                let (label, probability) = distribution
                    .iter()
                    .copied()
                    .enumerate()
                    .fold((0, f32::MIN), |best, (i, p)| if p > best.1 { (i, p) } else { best });
                (label, probability)
            })
            .collect()
    };
    let bioes = tags.iter().any(|tag| matches!(tag, Tag::End(_) | Tag::Single(_)));
    if decoding == Decoding::Greedy || bioes || distributions.is_empty() {
        return greedy();
    }
    // Viterbi in log space.
    let labels = tags.len();
    let log = |p: f32| (p.max(1e-12)).ln();
    let moved = |i: usize, j: usize| transitions.map_or(0.0, |t| t.transitions[i * labels + j]);
    let started = |j: usize| transitions.map_or(0.0, |t| t.start[j]);
    let mut scores: Vec<f32> = (0..labels)
        .map(|j| if may_follow(None, &tags[j]) { log(distributions[0][j]) + started(j) } else { f32::NEG_INFINITY })
        .collect();
    let mut back: Vec<Vec<usize>> = Vec::with_capacity(distributions.len());
    for distribution in &distributions[1..] {
        let mut next = vec![f32::NEG_INFINITY; labels];
        let mut from = vec![0; labels];
        for j in 0..labels {
            for i in 0..labels {
                let score = scores[i] + moved(i, j);
                if scores[i] > f32::NEG_INFINITY && may_follow(Some(&tags[i]), &tags[j]) && score > next[j] {
                    next[j] = score;
                    from[j] = i;
                }
            }
            next[j] += log(distribution[j]);
        }
        back.push(from);
        scores = next;
    }
    let mut label = (0..labels).fold(0, |best, j| if scores[j] > scores[best] { j } else { best });
    let mut path = vec![label];
    for from in back.iter().rev() {
        label = from[label];
        path.push(label);
    }
    path.reverse();
    match transitions {
        // A CRF's per-word distributions are not its beliefs; each word's marginal is.
        Some(transitions) => {
            let marginals = marginals(distributions, tags, transitions);
            path.iter().zip(marginals).map(|(&label, marginal)| (label, marginal[label])).collect()
        }
        None => path.iter().zip(distributions).map(|(&label, distribution)| (label, distribution[label])).collect(),
    }
}

/// Whether `next` may follow `previous` (`None` at the sentence start) in IOB2: every `I-X`
/// continues a `B-X` or `I-X`.
fn may_follow(previous: Option<&Tag>, next: &Tag) -> bool {
    match next {
        Tag::Inside(kind) => matches!(previous, Some(Tag::Begin(k) | Tag::Inside(k)) if k == kind),
        _ => true,
    }
}

/// Each word's label marginals under the CRF (forward-backward over the valid IOB2 sequences).
fn marginals(distributions: &[&[f32]], tags: &[Tag], transitions: &Transitions) -> Vec<Vec<f32>> {
    let (labels, words) = (tags.len(), distributions.len());
    let valid = |previous: Option<usize>, next: usize| may_follow(previous.map(|i| &tags[i]), &tags[next]);
    let moved = |i: usize, j: usize| {
        if valid(Some(i), j) {
            f64::from(transitions.transitions[i * labels + j])
        } else {
            f64::NEG_INFINITY
        }
    };
    let emitted = |t: usize, j: usize| f64::from(distributions[t][j].max(1e-12)).ln();
    let mut forward = vec![vec![f64::NEG_INFINITY; labels]; words];
    for j in (0..labels).filter(|&j| valid(None, j)) {
        forward[0][j] = f64::from(transitions.start[j]) + emitted(0, j);
    }
    for t in 1..words {
        for j in 0..labels {
            forward[t][j] = log_sum_exp((0..labels).map(|i| forward[t - 1][i] + moved(i, j))) + emitted(t, j);
        }
    }
    let mut backward = vec![vec![0.0; labels]; words];
    for t in (0..words.saturating_sub(1)).rev() {
        for i in 0..labels {
            backward[t][i] = log_sum_exp((0..labels).map(|j| moved(i, j) + emitted(t + 1, j) + backward[t + 1][j]));
        }
    }
    let total = log_sum_exp(forward[words - 1].iter().copied());
    (0..words).map(|t| (0..labels).map(|j| (forward[t][j] + backward[t][j] - total).exp() as f32).collect()).collect()
}

/// `ln(sum(exp(value)))` without overflow; minus infinity for no values or all minus infinity.
fn log_sum_exp(values: impl Iterator<Item = f64> + Clone) -> f64 {
    let max = values.clone().fold(f64::NEG_INFINITY, f64::max);
    if max == f64::NEG_INFINITY {
        return max;
    }
    max + values.map(|value| (value - max).exp()).sum::<f64>().ln()
}

/// A word with the label the model gave its first sub-token.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WordPrediction {
    pub start: usize,
    pub end: usize,
    /// Index into the model's labels.
    pub label: usize,
    /// Probability of that label.
    pub probability: f32,
}

/// An entity before it is given an id and its text.
#[derive(Debug, Clone, PartialEq)]
pub struct EntitySpan {
    pub start: usize,
    pub end: usize,
    pub kind: String,
    /// Mean of its words' label probabilities (a product would make long names look unsure).
    pub score: f32,
}

/// Groups consecutive words into entities, repairing tag sequences the model got half right:
/// an `I-X` with no open `X` entity starts one (IOB1 models and orphans alike), and a change of
/// type always closes the open entity.
pub fn words_to_entities(words: &[WordPrediction], tags: &[Tag]) -> Vec<EntitySpan> {
    struct Open {
        start: usize,
        end: usize,
        kind: String,
        probabilities: f32,
        count: usize,
    }
    fn close(open: Option<Open>, entities: &mut Vec<EntitySpan>) {
        if let Some(open) = open {
            entities.push(EntitySpan {
                start: open.start,
                end: open.end,
                kind: open.kind,
                score: open.probabilities / open.count as f32,
            });
        }
    }

    let mut entities = Vec::new();
    let mut open: Option<Open> = None;
    for word in words {
        let tag = tags.get(word.label).unwrap_or(&Tag::Outside);
        let continues = match (tag, &open) {
            (Tag::Inside(kind) | Tag::End(kind), Some(current)) => current.kind == *kind,
            _ => false,
        };
        if continues {
            if let Some(current) = open.as_mut() {
                current.end = word.end;
                current.probabilities += word.probability;
                current.count += 1;
            }
        } else {
            close(open.take(), &mut entities);
            if let Some(kind) = tag.kind() {
                open = Some(Open {
                    start: word.start,
                    end: word.end,
                    kind: kind.to_string(),
                    probabilities: word.probability,
                    count: 1,
                });
            }
        }
        if matches!(tag, Tag::End(_) | Tag::Single(_)) {
            close(open.take(), &mut entities);
        }
    }
    close(open, &mut entities);
    entities
}

/// Punctuation that never begins or ends a name: quotes, brackets, dashes, separators. Periods
/// stay ("U.S."), as do apostrophes inside words ("O'Brien").
const EDGE_PUNCTUATION: &[char] =
    &['"', '\'', '“', '”', '‘', '’', '«', '»', '„', '(', ')', '[', ']', '{', '}', '-', '–', '—', ',', ';', ':', '•'];

/// The part of an entity's text worth keeping, as `(chars trimmed at the start, chars kept)`:
/// edge punctuation and spaces go, and an entity without a letter or digit goes entirely.
pub fn trim_entity(text: &str) -> Option<(usize, usize)> {
    let index = CharIndex::new(text);
    let kept = index.trim_matches(0..index.len_chars(), |c| c.is_whitespace() || EDGE_PUNCTUATION.contains(&c))?;
    let has_word = index.slice(kept.clone()).chars().any(char::is_alphanumeric);
    has_word.then_some((kept.start, kept.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const LABELS: [&str; 5] = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC"];

    fn decode(labels: &[usize]) -> Vec<(usize, usize, String)> {
        let tags: Vec<Tag> = LABELS.iter().map(|label| Tag::parse(label)).collect();
        let words: Vec<WordPrediction> = labels
            .iter()
            .enumerate()
            .map(|(i, &label)| WordPrediction { start: i * 2, end: i * 2 + 1, label, probability: 0.5 })
            .collect();
        words_to_entities(&words, &tags).into_iter().map(|e| (e.start, e.end, e.kind)).collect()
    }

    #[test]
    fn entities_lose_edge_punctuation_and_punctuation_only_entities_go() {
        assert_eq!(trim_entity("“Putin"), Some((1, 5)));
        assert_eq!(trim_entity("Kyiv ”"), Some((0, 4)));
        assert_eq!(trim_entity("U.S."), Some((0, 4)));
        assert_eq!(trim_entity("–"), None);
        assert_eq!(trim_entity("« »"), None);
    }

    #[test]
    fn tags_parse_in_all_common_schemes() {
        assert_eq!(Tag::parse("O"), Tag::Outside);
        assert_eq!(Tag::parse("B-PER"), Tag::Begin("PER".into()));
        assert_eq!(Tag::parse("I_ORG"), Tag::Inside("ORG".into()));
        assert_eq!(Tag::parse("S-LOC"), Tag::Single("LOC".into()));
        assert_eq!(Tag::parse("L-LOC"), Tag::End("LOC".into()));
        assert_eq!(Tag::parse("MISC"), Tag::Inside("MISC".into()));
    }

    #[test]
    fn begin_inside_makes_one_entity() {
        assert_eq!(decode(&[0, 1, 2, 0]), [(2, 5, "PER".to_string())]);
    }

    #[test]
    fn an_orphan_inside_starts_an_entity() {
        assert_eq!(decode(&[0, 2, 2]), [(2, 5, "PER".to_string())]);
    }

    #[test]
    fn a_type_change_closes_the_open_entity() {
        assert_eq!(decode(&[1, 4, 4]), [(0, 1, "PER".to_string()), (2, 5, "LOC".to_string())]);
    }

    #[test]
    fn a_new_begin_splits_adjacent_entities() {
        assert_eq!(decode(&[1, 1, 2]), [(0, 1, "PER".to_string()), (2, 5, "PER".to_string())]);
    }

    #[test]
    fn entity_score_is_the_mean_of_word_probabilities() {
        let tags: Vec<Tag> = LABELS.iter().map(|label| Tag::parse(label)).collect();
        let words = [
            WordPrediction { start: 0, end: 3, label: 1, probability: 0.9 },
            WordPrediction { start: 4, end: 8, label: 2, probability: 0.7 },
        ];
        let entities = words_to_entities(&words, &tags);
        assert!((entities[0].score - 0.8).abs() < 1e-6);
    }

    #[test]
    fn constrained_decoding_never_starts_an_entity_with_inside() {
        let tags: Vec<Tag> = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG"].iter().map(|t| Tag::parse(t)).collect();
        // Greedy reads O, I-PER: an orphan; the best valid sequence is B-PER, I-PER.
        let words: [&[f32]; 2] = [&[0.5, 0.45, 0.0, 0.05, 0.0], &[0.1, 0.0, 0.9, 0.0, 0.0]];
        assert_eq!(best_labels(&words, &tags, Decoding::Greedy, None).iter().map(|l| l.0).collect::<Vec<_>>(), [0, 2]);
        assert_eq!(
            best_labels(&words, &tags, Decoding::Constrained, None).iter().map(|l| l.0).collect::<Vec<_>>(),
            [1, 2]
        );
        // A type switch inside is not allowed either: B-ORG, I-PER becomes B-ORG, I-ORG or similar.
        let words: [&[f32]; 2] = [&[0.0, 0.1, 0.0, 0.9, 0.0], &[0.05, 0.0, 0.6, 0.0, 0.35]];
        assert_eq!(
            best_labels(&words, &tags, Decoding::Constrained, None).iter().map(|l| l.0).collect::<Vec<_>>(),
            [3, 4]
        );
    }

    proptest::proptest! {
        /// With CRF transitions, constrained decoding returns a valid sequence whose score
        /// (log-probabilities plus start and transition scores) no valid sequence beats.
        #[test]
        fn decoding_with_transitions_finds_the_best_valid_sequence(
            raw in proptest::collection::vec(proptest::collection::vec(0.01f32..1.0, 5), 1..5),
            moves in proptest::collection::vec(-3.0f32..3.0, 25),
            start in proptest::collection::vec(-3.0f32..3.0, 5),
        ) {
            let tags: Vec<Tag> = LABELS.iter().map(|label| Tag::parse(label)).collect();
            let rows: Vec<Vec<f32>> =
                raw.iter().map(|row| row.iter().map(|p| p / row.iter().sum::<f32>()).collect()).collect();
            let distributions: Vec<&[f32]> = rows.iter().map(Vec::as_slice).collect();
            let transitions = Transitions { transitions: moves, start };
            let valid = |labels: &[usize]| {
                labels.iter().enumerate().all(|(t, &j)| match &tags[j] {
                    Tag::Inside(kind) => t > 0 && matches!(&tags[labels[t - 1]], Tag::Begin(k) | Tag::Inside(k) if k == kind),
                    _ => true,
                })
            };
            let score = |labels: &[usize]| -> f32 {
                labels.iter().enumerate().map(|(t, &j)| {
                    rows[t][j].ln() + if t == 0 { transitions.start[j] } else { transitions.transitions[labels[t - 1] * 5 + j] }
                }).sum()
            };
            let decoded: Vec<usize> = best_labels(&distributions, &tags, Decoding::Constrained, Some(&transitions))
                .iter()
                .map(|label| label.0)
                .collect();
            proptest::prop_assert!(valid(&decoded));
            let words = rows.len() as u32;
            // Each word's probability is the share of all valid sequences' weight (exp of the
            // score) held by those giving it its decoded label.
            let (mut total, mut agreeing) = (0.0f64, vec![0.0f64; rows.len()]);
            for code in 0..5usize.pow(words) {
                let labels: Vec<usize> = (0..words).map(|t| code / 5usize.pow(t) % 5).collect();
                if valid(&labels) {
                    proptest::prop_assert!(score(&labels) <= score(&decoded) + 1e-4, "{labels:?} beats {decoded:?}");
                    let weight = f64::from(score(&labels)).exp();
                    total += weight;
                    for (t, agreed) in agreeing.iter_mut().enumerate() {
                        if labels[t] == decoded[t] {
                            *agreed += weight;
                        }
                    }
                }
            }
            let probabilities = best_labels(&distributions, &tags, Decoding::Constrained, Some(&transitions));
            for (t, (_, probability)) in probabilities.iter().enumerate() {
                proptest::prop_assert!((f64::from(*probability) - agreeing[t] / total).abs() < 1e-4);
            }
        }
    }

    #[test]
    fn bioes_end_and_single_close_entities() {
        let tags: Vec<Tag> = ["O", "S-PER", "B-ORG", "E-ORG", "I-ORG"].iter().map(|l| Tag::parse(l)).collect();
        let word = |i: usize, label| WordPrediction { start: i, end: i + 1, label, probability: 1.0 };
        let entities = words_to_entities(&[word(0, 1), word(1, 1), word(2, 2), word(3, 3), word(4, 4)], &tags);
        let spans: Vec<(usize, usize)> = entities.iter().map(|e| (e.start, e.end)).collect();
        assert_eq!(spans, [(0, 1), (1, 2), (2, 4), (4, 5)]);
    }
}
