//! The table `claimtag eval` prints: precision, recall and F1 of each entity type, then overall.

use std::fmt;

use super::score::{Counts, Scores};

/// [`Scores`] as a fixed-width text table, one line per entity type (in name order) and a last
/// `overall` line; each line ends in a newline.
pub struct EvalTable<'a>(pub &'a Scores);

impl fmt::Display for EvalTable<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{:<8} {:>9} {:>9} {:>9} {:>7} {:>9}", "type", "precision", "recall", "f1", "gold", "predicted")?;
        let scores = self.0;
        let rows =
            scores.per_type.iter().map(|(kind, counts)| (kind.as_str(), counts)).chain([("overall", &scores.overall)]);
        for (kind, c) in rows {
            write_row(f, kind, c)?;
        }
        Ok(())
    }
}

fn write_row(f: &mut fmt::Formatter<'_>, kind: &str, c: &Counts) -> fmt::Result {
    writeln!(f, "{kind:<8} {:>9.4} {:>9.4} {:>9.4} {:>7} {:>9}", c.precision(), c.recall(), c.f1(), c.gold, c.predicted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_lists_each_type_in_name_order_then_overall() {
        let mut scores = Scores { overall: Counts { gold: 4, predicted: 3, correct: 2 }, ..Scores::default() };
        scores.per_type.insert("PER".into(), Counts { gold: 3, predicted: 2, correct: 2 });
        scores.per_type.insert("LOC".into(), Counts { gold: 1, predicted: 1, correct: 0 });
        assert_eq!(
            EvalTable(&scores).to_string(),
            "type     precision    recall        f1    gold predicted\n\
             LOC         0.0000    0.0000    0.0000       1         1\n\
             PER         1.0000    0.6667    0.8000       3         2\n\
             overall     0.6667    0.5000    0.5714       4         3\n"
        );
    }
}
