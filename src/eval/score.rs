//! Entity-level precision, recall and F1 with conlleval / seqeval semantics: an entity counts
//! only when both its span and its type match exactly.

use std::collections::{BTreeMap, HashSet};

use serde::Serialize;

use crate::corpus::tags::TagScheme;

/// Counts for one entity type, or for all together.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Counts {
    pub gold: usize,
    pub predicted: usize,
    pub correct: usize,
}

impl Counts {
    pub fn precision(&self) -> f64 {
        ratio(self.correct, self.predicted)
    }
    pub fn recall(&self) -> f64 {
        ratio(self.correct, self.gold)
    }
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
}

impl Serialize for Counts {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut fields = serializer.serialize_struct("Counts", 6)?;
        fields.serialize_field("precision", &self.precision())?;
        fields.serialize_field("recall", &self.recall())?;
        fields.serialize_field("f1", &self.f1())?;
        fields.serialize_field("gold", &self.gold)?;
        fields.serialize_field("predicted", &self.predicted)?;
        fields.serialize_field("correct", &self.correct)?;
        fields.end()
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Scores {
    pub overall: Counts,
    pub per_type: BTreeMap<String, Counts>,
}

/// Scores predicted tag sequences against gold ones, sentence by sentence.
pub fn score(gold: &[Vec<String>], predicted: &[Vec<String>]) -> Scores {
    let mut scores = Scores::default();
    for (gold, predicted) in gold.iter().zip(predicted) {
        // IOB1 reads as IOB2 does, so gold in either scheme scores alike.
        let gold_chunks: HashSet<_> = TagScheme::Iob2.chunks(gold).into_iter().collect();
        let predicted_chunks: HashSet<_> = TagScheme::Iob2.chunks(predicted).into_iter().collect();
        for chunk in &gold_chunks {
            scores.overall.gold += 1;
            scores.per_type.entry(chunk.kind.clone()).or_default().gold += 1;
        }
        for chunk in &predicted_chunks {
            scores.overall.predicted += 1;
            let counts = scores.per_type.entry(chunk.kind.clone()).or_default();
            counts.predicted += 1;
            if gold_chunks.contains(chunk) {
                counts.correct += 1;
                scores.overall.correct += 1;
            }
        }
    }
    scores
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(line: &str) -> Vec<String> {
        line.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn hand_worked_iob2_example() {
        // gold: PER(0-2) LOC(3) ORG(5)   predicted: PER(0-2) LOC(3-5) ORG(5) MISC(6)
        let gold = [tags("B-PER I-PER O B-LOC O B-ORG O")];
        let predicted = [tags("B-PER I-PER O B-LOC I-LOC B-ORG B-MISC")];
        let scores = score(&gold, &predicted);
        assert_eq!(scores.overall, Counts { gold: 3, predicted: 4, correct: 2 });
        assert!((scores.overall.precision() - 0.5).abs() < 1e-12);
        assert!((scores.overall.recall() - 2.0 / 3.0).abs() < 1e-12);
        assert!((scores.overall.f1() - 4.0 / 7.0).abs() < 1e-12);
        assert_eq!(scores.per_type["LOC"], Counts { gold: 1, predicted: 1, correct: 0 });
        assert_eq!(scores.per_type["MISC"].f1(), 0.0);
    }

    #[test]
    fn iob1_sequences_score_like_their_iob2_form() {
        let gold = [tags("I-PER I-PER B-PER O I-LOC")];
        let predicted = [tags("B-PER I-PER B-PER O B-LOC")];
        let scores = score(&gold, &predicted);
        assert_eq!(scores.overall, Counts { gold: 3, predicted: 3, correct: 3 });
    }
}
