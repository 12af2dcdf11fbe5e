//! Precision per rule (`claimtag eval-claims --rules`): how many of each rule's claims match a
//! gold attribution, so that a rule can be judged, tuned or dropped on its own.
//!
//! The matching is the attribution score's, given by the caller: claims are taken in order and
//! each takes the first gold attribution it matches that no earlier claim took. A claim that
//! loses its gold attribution to an earlier one counts as wrong here too.

use std::collections::BTreeMap;
use std::fmt;

use super::rules::RULES;

/// Claims and matched claims per rule name, over the articles added.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RuleScores {
    by_rule: BTreeMap<String, RuleCounts>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RuleCounts {
    pub claims: usize,
    pub correct: usize,
}

impl RuleCounts {
    pub fn precision(&self) -> f64 {
        if self.claims == 0 {
            0.0
        } else {
            self.correct as f64 / self.claims as f64
        }
    }
}

impl RuleScores {
    /// Adds one article: `predicted[i]` is a claim of the rule named `rules[i]`, and `matches`
    /// says whether a gold attribution and a claim are the same attribution.
    pub fn add<G, P>(&mut self, rules: &[&str], gold: &[G], predicted: &[P], matches: impl Fn(&G, &P) -> bool) {
        let mut taken = vec![false; gold.len()];
        for (rule, claim) in rules.iter().zip(predicted) {
            let counts = self.by_rule.entry(rule.to_string()).or_default();
            counts.claims += 1;
            if let Some(i) = (0..gold.len()).find(|&i| !taken[i] && matches(&gold[i], claim)) {
                taken[i] = true;
                counts.correct += 1;
            }
        }
    }

    /// The counts of the rule named `rule` (zero when it made no claim).
    pub fn of(&self, rule: &str) -> RuleCounts {
        self.by_rule.get(rule).copied().unwrap_or_default()
    }
}

impl fmt::Display for RuleScores {
    /// One line per rule, in the order the rules run, then any other claims' names (`learned`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{:<26} {:>7} {:>7} {:>9}   matches", "rule", "claims", "correct", "precision")?;
        let table = RULES.iter().map(|rule| (rule.name().as_str(), rule.doc()));
        let others = self.by_rule.keys().filter(|name| !RULES.iter().any(|rule| rule.name().as_str() == *name));
        for (name, doc) in table.chain(others.map(|name| (name.as_str(), ""))) {
            let counts = self.of(name);
            let precision = if counts.claims == 0 { "-".to_string() } else { format!("{:.3}", counts.precision()) };
            writeln!(f, "{name:<26} {:>7} {:>7} {precision:>9}   {doc}", counts.claims, counts.correct)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_claim_is_correct_when_it_takes_a_gold_attribution_no_earlier_claim_took() {
        let mut scores = RuleScores::default();
        // Gold and claims as numbers; a claim matches a gold attribution with the same number.
        let rules = ["according-to", "quote-source-cue", "quote-source-cue", "learned"];
        scores.add(&rules, &[1, 2, 3], &[1, 2, 2, 9], |gold, claim| gold == claim);
        assert_eq!(scores.of("according-to"), RuleCounts { claims: 1, correct: 1 });
        assert_eq!(scores.of("quote-source-cue"), RuleCounts { claims: 2, correct: 1 }, "the second 2 finds it taken");
        assert_eq!(scores.of("learned"), RuleCounts { claims: 1, correct: 0 });
        assert_eq!(scores.of("headline"), RuleCounts::default());
        assert_eq!(scores.of("quote-source-cue").precision(), 0.5);
    }

    #[test]
    fn the_table_lists_every_rule_in_order_then_the_others() {
        let mut scores = RuleScores::default();
        scores.add(&["learned", "headline"], &[1], &[1, 1], |gold, claim| gold == claim);
        let table = scores.to_string();
        let names: Vec<&str> =
            table.lines().skip(1).map(|line| line.split_whitespace().next().unwrap_or_default()).collect();
        assert_eq!(names.len(), RULES.len() + 1, "{table}");
        assert_eq!(names[0], "according-to");
        assert_eq!(names[RULES.len()], "learned");
        let headline = table.lines().find(|line| line.starts_with("headline ")).unwrap();
        assert!(headline.contains("1       0     0.000"), "{headline}");
        let unused = table.lines().find(|line| line.starts_with("raising ")).unwrap();
        assert!(unused.contains(" - "), "{unused}");
    }
}
