//! The cue lexicon (`cues.tsv`): which words mark an attribution, with their lemmas.

use std::collections::{BTreeSet, HashMap};

const CUES: &str = include_str!("cues.tsv");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CueKind {
    /// A verb form: "said", "warns", "saying".
    Verb,
    /// A fixed phrase: "according to", or a nominal cue such as "in a statement".
    Phrase,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CueEntry {
    /// The cue's words, lower case.
    pub words: Vec<String>,
    pub lemma: String,
    pub kind: CueKind,
    /// say, report, claim, warn, believe, intend, or seem (an impression without a holder).
    pub class: String,
}

impl CueEntry {
    /// A verb whose subject holds the attribution: "ISW said", not "the deal seems".
    pub fn has_holder(&self) -> bool {
        self.kind == CueKind::Verb && !self.is_impression()
    }

    /// An impression nobody is named as holding: "seems", "appears".
    pub fn is_impression(&self) -> bool {
        self.class == "seem"
    }

    /// A present participle ("saying", "adding"), which attaches to the clause before it.
    pub fn is_participle(&self) -> bool {
        self.kind == CueKind::Verb && self.words.len() == 1 && self.words[0].ends_with("ing")
    }
}

/// Cues indexed by their first word, longest first, so "pointed out" wins over a lone "pointed".
#[derive(Debug, Clone)]
pub struct Lexicon {
    by_first_word: HashMap<String, Vec<CueEntry>>,
}

impl Default for Lexicon {
    fn default() -> Self {
        Lexicon::parse(CUES)
    }
}

impl Lexicon {
    pub fn parse(table: &str) -> Self {
        let mut by_first_word: HashMap<String, Vec<CueEntry>> = HashMap::new();
        for line in table.lines().filter(|line| !line.starts_with('#') && !line.trim().is_empty()) {
            let fields: Vec<&str> = line.split('\t').collect();
            let [form, lemma, kind, class] = fields[..] else { continue };
            let words: Vec<String> = form.split_whitespace().map(str::to_lowercase).collect();
            let Some(first) = words.first().cloned() else { continue };
            let kind = if kind == "phrase" { CueKind::Phrase } else { CueKind::Verb };
            by_first_word.entry(first).or_default().push(CueEntry {
                words,
                lemma: lemma.to_string(),
                kind,
                class: class.to_string(),
            });
        }
        for entries in by_first_word.values_mut() {
            entries.sort_by_key(|entry| std::cmp::Reverse(entry.words.len()));
        }
        Lexicon { by_first_word }
    }

    /// Every entry, in no particular order.
    pub fn entries(&self) -> impl Iterator<Item = &CueEntry> {
        self.by_first_word.values().flatten()
    }

    /// Number of entries in the table.
    pub fn len(&self) -> usize {
        self.by_first_word.values().map(Vec::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The cue classes of the table (its class column), each once, in name order.
    pub fn classes(&self) -> BTreeSet<&str> {
        self.entries().map(|entry| entry.class.as_str()).collect()
    }

    /// The first cue in `words` (lower case), trying each word in turn as its start: "has
    /// said" finds "said".
    pub fn find_in(&self, words: &[&str]) -> Option<&CueEntry> {
        (0..words.len()).find_map(|i| self.match_at(&words[i..]))
    }

    /// The longest cue starting at `words[0]`, given lower-case words.
    pub fn match_at(&self, words: &[&str]) -> Option<&CueEntry> {
        let first = words.first()?;
        self.by_first_word
            .get(*first)?
            .iter()
            .find(|entry| entry.words.len() <= words.len() && entry.words.iter().zip(words).all(|(a, b)| a == b))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_large_and_finds_inflections_with_lemmas() {
        let lexicon = Lexicon::default();
        assert!(lexicon.len() >= 150, "{} entries", lexicon.len());
        assert_eq!(lexicon.match_at(&["warned", "that"]).unwrap().lemma, "warn");
        assert_eq!(lexicon.match_at(&["says"]).unwrap().lemma, "say");
        assert_eq!(lexicon.match_at(&["believes"]).unwrap().class, "believe");
        assert!(lexicon.match_at(&["saying"]).unwrap().is_participle());
        assert!(lexicon.match_at(&["table"]).is_none());
    }

    #[test]
    fn multi_word_cues_win_over_their_first_word() {
        let lexicon = Lexicon::default();
        let entry = lexicon.match_at(&["according", "to", "officials"]).unwrap();
        assert_eq!(entry.words, ["according", "to"]);
        assert_eq!(entry.kind, CueKind::Phrase);
        assert_eq!(lexicon.match_at(&["pointed", "out", "that"]).unwrap().lemma, "point out");
        assert!(lexicon.match_at(&["according"]).is_none());
    }
}
