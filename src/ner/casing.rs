//! Word casing classes.
//!
//! Uncased tokenizers lowercase the text before the model sees it, which throws away
//! capitalisation, the strongest single cue for names in English. A model trained with a casing
//! embedding gets one of these classes per sub-token (that of the word it belongs to) added to
//! its word embeddings, and so sees the case again.

/// Number of classes; `config.json` declares it as `claimtag_casing_classes`.
pub const CASING_CLASSES: i64 = 6;

/// The class of special tokens and padding.
pub const CASING_NONE: i64 = 5;

/// lower (0), Title (1), UPPER (2), mIxed (3), has a digit (4), other: no letters (5).
pub fn casing_of(word: &str) -> i64 {
    if word.chars().any(|c| c.is_numeric()) {
        return 4;
    }
    let mut letters = word.chars().filter(|c| c.is_alphabetic());
    let Some(first) = letters.next() else {
        return CASING_NONE;
    };
    let rest: Vec<char> = letters.collect();
    if first.is_lowercase() && rest.iter().all(|c| !c.is_uppercase()) {
        0
    } else if first.is_uppercase() && rest.iter().all(|c| !c.is_uppercase()) {
        1
    } else if rest.iter().all(|c| !c.is_lowercase()) && first.is_uppercase() {
        2
    } else {
        3
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_fall_into_their_casing_class() {
        assert_eq!(casing_of("said"), 0);
        assert_eq!(casing_of("Putin"), 1);
        assert_eq!(casing_of("Зеленський"), 1);
        assert_eq!(casing_of("ISW"), 2);
        assert_eq!(casing_of("U.S."), 2);
        assert_eq!(casing_of("McDonald"), 3);
        assert_eq!(casing_of("iPhone"), 3);
        assert_eq!(casing_of("2024"), 4);
        assert_eq!(casing_of("“"), CASING_NONE);
        assert_eq!(casing_of("I"), 1);
    }
}
