//! The closed word lists the rules read (`words.tsv`): auxiliaries, clause words, pronouns, ...

use std::sync::LazyLock;

const WORDS_TSV: &str = include_str!("words.tsv");

/// The lists of `words.tsv`, read once.
pub static WORDS: LazyLock<Words> =
    LazyLock::new(|| Words::parse(WORDS_TSV).unwrap_or_else(|problem| panic!("words.tsv: {problem}")));

/// One list of lower-case words.
#[derive(Debug, Default)]
pub struct WordList(Vec<&'static str>);

impl WordList {
    pub fn contains(&self, word: &str) -> bool {
        self.0.contains(&word)
    }
}

/// Every list of `words.tsv`; its header says what each is for.
#[derive(Debug, Default)]
pub struct Words {
    pub auxiliaries: WordList,
    pub clause_boundaries: WordList,
    pub pronouns: WordList,
    pub phrase_starts: WordList,
    pub be_forms: WordList,
    pub weekdays: WordList,
    pub object_ends: WordList,
    pub document_nouns: WordList,
    pub determiners: WordList,
    pub label_words: WordList,
}

impl Words {
    /// The lists of a `word<TAB>list` table; `#` lines and blank lines are comments. A line
    /// naming no known list is an error, so a typo in the table cannot silently drop a word.
    fn parse(table: &'static str) -> Result<Words, String> {
        let mut words = Words::default();
        for line in table.lines().filter(|line| !line.starts_with('#') && !line.trim().is_empty()) {
            let Some((word, list)) = line.split_once('\t') else {
                return Err(format!("{line:?}: not word<TAB>list"));
            };
            let list = match list {
                "auxiliary" => &mut words.auxiliaries,
                "clause-boundary" => &mut words.clause_boundaries,
                "pronoun" => &mut words.pronouns,
                "phrase-start" => &mut words.phrase_starts,
                "be" => &mut words.be_forms,
                "weekday" => &mut words.weekdays,
                "object-end" => &mut words.object_ends,
                "document-noun" => &mut words.document_nouns,
                "determiner" => &mut words.determiners,
                "label" => &mut words.label_words,
                _ => return Err(format!("{line:?}: no list named {list:?}")),
            };
            list.0.push(word);
        }
        Ok(words)
    }

    #[cfg(test)]
    fn lists(&self) -> [&WordList; 10] {
        [
            &self.auxiliaries,
            &self.clause_boundaries,
            &self.pronouns,
            &self.phrase_starts,
            &self.be_forms,
            &self.weekdays,
            &self.object_ends,
            &self.document_nouns,
            &self.determiners,
            &self.label_words,
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_well_formed_and_fills_every_list() {
        let words = Words::parse(WORDS_TSV).unwrap();
        assert!(words.lists().iter().all(|list| !list.0.is_empty()), "{words:?}");
        assert_eq!(words.lists().iter().map(|list| list.0.len()).sum::<usize>(), 203);
    }

    #[test]
    fn words_are_found_in_their_lists_only() {
        assert!(WORDS.auxiliaries.contains("also"));
        assert!(WORDS.auxiliaries.contains("didn’t"));
        assert!(WORDS.object_ends.contains("—"));
        assert!(WORDS.phrase_starts.contains("after") && WORDS.clause_boundaries.contains("after"));
        assert!(!WORDS.pronouns.contains("the"));
    }

    #[test]
    fn a_line_naming_no_list_is_an_error() {
        assert!(Words::parse("said\tverb\n").unwrap_err().contains("no list named \"verb\""));
        assert!(Words::parse("said\n").is_err());
        assert!(Words::parse("# a comment\n\nalso\tauxiliary\n").is_ok());
    }
}
