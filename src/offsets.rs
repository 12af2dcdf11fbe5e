//! The one place that converts between offset conventions.
//!
//! claimtag speaks Unicode code point offsets (what Python's `str` indexes), end-exclusive, in
//! every output. Rust strings are indexed by bytes, so any stage that slices text by a code point
//! span goes through [`CharIndex`]; nothing else in the crate counts characters itself
//! (`scripts/test` fails on `.chars().count()` or `.chars().skip(` anywhere else).
//!
//! A [`Document`](crate::Document) carries the index of its text
//! ([`Document::char_index`](crate::Document::char_index)), built once on first use, so the
//! stages share one instead of each building its own.

use std::borrow::Cow;
use std::ops::Range;
use std::sync::OnceLock;

/// Maps code point offsets of one text to byte offsets and back.
///
/// Building the index is linear in the text; lookups are O(1) from code points and O(log n)
/// from bytes.
#[derive(Debug, Clone)]
pub struct CharIndex<'a> {
    text: &'a str,
    /// Byte offset of every code point, followed by `text.len()`, so `byte_of(len_chars())` works.
    byte_offsets: Cow<'a, [usize]>,
}

impl<'a> CharIndex<'a> {
    pub fn new(text: &'a str) -> Self {
        CharIndex { text, byte_offsets: Cow::Owned(byte_offsets_of(text)) }
    }

    pub fn text(&self) -> &'a str {
        self.text
    }

    /// Number of code points in the text.
    pub fn len_chars(&self) -> usize {
        self.byte_offsets.len() - 1
    }

    /// Byte offset of the code point at `char_offset`; offsets past the end clamp to the end.
    pub fn byte_of(&self, char_offset: usize) -> usize {
        self.byte_offsets[char_offset.min(self.len_chars())]
    }

    /// Code point offset of the character that contains byte `byte_offset`.
    pub fn char_of_byte(&self, byte_offset: usize) -> usize {
        match self.byte_offsets.binary_search(&byte_offset) {
            Ok(char_offset) => char_offset,
            // Inside a multi-byte character: report the character that holds the byte.
            Err(next) => next - 1,
        }
    }

    /// Byte range of a code point range.
    pub fn byte_range(&self, chars: Range<usize>) -> Range<usize> {
        self.byte_of(chars.start)..self.byte_of(chars.end)
    }

    /// The text of a code point range.
    pub fn slice(&self, chars: Range<usize>) -> &'a str {
        &self.text[self.byte_range(chars)]
    }

    /// `chars` without the characters matching `edge` at either end, or `None` when nothing is
    /// left.
    pub fn trim_matches(&self, chars: Range<usize>, edge: impl Fn(char) -> bool) -> Option<Range<usize>> {
        let start = chars.start.min(self.len_chars());
        // A reversed range is an empty one at its start, as a fragment that ends before it begins is.
        let end = chars.end.min(self.len_chars()).max(start);
        let text = self.slice(start..end);
        let leading = text.chars().take_while(|&c| edge(c)).count();
        if leading == end - start {
            return None;
        }
        let trailing = text.chars().rev().take_while(|&c| edge(c)).count();
        Some(start + leading..end - trailing)
    }

    /// `chars` without surrounding whitespace, or `None` when it is blank.
    pub fn trim(&self, chars: Range<usize>) -> Option<Range<usize>> {
        self.trim_matches(chars, char::is_whitespace)
    }

    /// The pieces of `chars` between the characters matching `separator`, empty ones left out:
    /// `"a\n\nb"` split at line breaks is `a` and `b`.
    pub fn split_matches(&self, chars: Range<usize>, separator: impl Fn(char) -> bool) -> Vec<Range<usize>> {
        let start = chars.start.min(self.len_chars());
        let end = chars.end.min(self.len_chars()).max(start);
        let mut pieces = Vec::new();
        let mut piece_start = start;
        for (offset, c) in (start..).zip(self.slice(start..end).chars()) {
            if separator(c) {
                if piece_start < offset {
                    pieces.push(piece_start..offset);
                }
                piece_start = offset + 1;
            }
        }
        if piece_start < end {
            pieces.push(piece_start..end);
        }
        pieces
    }
}

fn byte_offsets_of(text: &str) -> Vec<usize> {
    let mut byte_offsets: Vec<usize> = text.char_indices().map(|(byte, _)| byte).collect();
    byte_offsets.push(text.len());
    byte_offsets
}

/// A text's [`CharIndex`], built on first use and kept: what a [`Document`](crate::Document)
/// holds. Clones share nothing, and two caches always compare equal, so a document's equality
/// does not depend on whether its index has been built yet.
#[derive(Debug, Clone, Default)]
pub struct CharIndexCache(OnceLock<Vec<usize>>);

impl CharIndexCache {
    /// The index of `text`, which must be the text the cache was first asked about. A text that
    /// changed length since gets a fresh index (not kept), so a stale one is never returned for it.
    pub fn index<'a>(&'a self, text: &'a str) -> CharIndex<'a> {
        let byte_offsets = self.0.get_or_init(|| byte_offsets_of(text));
        if byte_offsets.last() != Some(&text.len()) {
            return CharIndex::new(text);
        }
        CharIndex { text, byte_offsets: Cow::Borrowed(byte_offsets) }
    }
}

impl PartialEq for CharIndexCache {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

/// Number of code points in `text`.
pub fn char_len(text: &str) -> usize {
    text.chars().count()
}

/// Code point ranges of the whitespace-separated words of `text` (what `str::split_whitespace`
/// yields).
pub fn whitespace_words(text: &str) -> Vec<Range<usize>> {
    let mut words = Vec::new();
    let mut start = None;
    let mut len = 0;
    for (i, c) in text.chars().enumerate() {
        len = i + 1;
        match (c.is_whitespace(), start) {
            (false, None) => start = Some(i),
            (true, Some(s)) => {
                words.push(s..i);
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        words.push(s..len);
    }
    words
}

/// Maps code point offsets of one text to UTF-16 code unit offsets (what Java and JavaScript
/// strings index, and so what WebAnno TSV counts) and back.
#[derive(Debug, Clone)]
pub struct Utf16Index {
    /// UTF-16 offset of every code point, followed by the text's UTF-16 length.
    units: Vec<usize>,
}

impl Utf16Index {
    pub fn new(text: &str) -> Self {
        let mut units = Vec::with_capacity(text.len() + 1);
        let mut at = 0;
        for c in text.chars() {
            units.push(at);
            at += c.len_utf16();
        }
        units.push(at);
        Utf16Index { units }
    }

    /// UTF-16 offset of code point offset `char_offset` (clamped to the end).
    pub fn utf16_of(&self, char_offset: usize) -> usize {
        self.units[char_offset.min(self.units.len() - 1)]
    }

    /// Code point offset of UTF-16 offset `utf16_offset`, or `None` when it falls inside a
    /// surrogate pair or past the end.
    pub fn char_of_utf16(&self, utf16_offset: usize) -> Option<usize> {
        self.units.binary_search(&utf16_offset).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIXED: &str = "“Мир” — 🙂 ok";

    #[test]
    fn code_point_offsets_match_python_indexing() {
        let index = CharIndex::new(MIXED);
        // In Python: s = "“Мир” — 🙂 ok"; s[1:4] == "Мир"; s[8:9] == "🙂"; len(s) == 12
        assert_eq!(index.len_chars(), 12);
        assert_eq!(index.slice(1..4), "Мир");
        assert_eq!(index.slice(8..9), "🙂");
        assert_eq!(index.slice(10..12), "ok");
    }

    #[test]
    fn bytes_map_back_to_the_character_that_holds_them() {
        let index = CharIndex::new(MIXED);
        let emoji_byte = MIXED.find('🙂').unwrap();
        assert_eq!(index.char_of_byte(emoji_byte), 8);
        assert_eq!(index.char_of_byte(emoji_byte + 2), 8);
        assert_eq!(index.char_of_byte(MIXED.len()), 12);
    }

    #[test]
    fn offsets_past_the_end_clamp() {
        let index = CharIndex::new("abc");
        assert_eq!(index.slice(1..99), "bc");
        assert_eq!(CharIndex::new("").slice(0..0), "");
    }

    #[test]
    fn utf16_offsets_count_astral_characters_twice() {
        // In JavaScript: "“Мир” — 🙂 ok".indexOf("ok") == 11, one more than in code points.
        let index = Utf16Index::new(MIXED);
        assert_eq!(index.utf16_of(8), 8);
        assert_eq!(index.utf16_of(9), 10);
        assert_eq!(index.utf16_of(10), 11);
        assert_eq!(index.char_of_utf16(11), Some(10));
        assert_eq!(index.char_of_utf16(9), None, "inside the emoji's surrogate pair");
        assert_eq!(index.utf16_of(12), 13);
    }

    #[test]
    fn trimming_counts_code_points_and_a_blank_range_trims_to_nothing() {
        let index = CharIndex::new("  “Мир” 🙂  ");
        assert_eq!(index.len_chars(), 11);
        assert_eq!(index.trim(0..11), Some(2..9));
        assert_eq!(index.trim(0..99), Some(2..9), "a range past the end is clamped first");
        assert_eq!(index.slice(2..9), "“Мир” 🙂");
        assert_eq!(index.trim_matches(2..9, |c| "“” 🙂".contains(c)), Some(3..6));
        assert_eq!(index.slice(3..6), "Мир");
        assert_eq!(index.trim(0..2), None);
        assert_eq!(index.trim(4..4), None);
        let (start, end) = (5, 3);
        assert_eq!(index.trim(start..end), None, "a reversed range is empty");
        assert_eq!(CharIndex::new("\u{a0} Мир 🙂 \n").trim(0..9), Some(2..7), "Unicode whitespace on each side");
        assert_eq!(CharIndex::new("ok").trim(0..2), Some(0..2));
        assert_eq!(CharIndex::new(" \t").trim(0..2), None);
        assert_eq!(CharIndex::new("").trim(0..0), None);
    }

    #[test]
    fn splitting_leaves_out_the_separators_and_empty_pieces_and_counts_code_points() {
        let index = CharIndex::new("🙂 Мир\r\n\nок\n");
        let line_break = |c: char| c == '\n' || c == '\r';
        assert_eq!(index.split_matches(0..10, line_break), [0..5, 8..10]);
        assert_eq!(index.slice(0..5), "🙂 Мир");
        assert_eq!(index.slice(8..10), "ок");
        assert_eq!(index.split_matches(2..4, line_break), vec![2..4], "nothing to split");
        assert_eq!(index.split_matches(5..8, line_break), [] as [Range<usize>; 0], "only separators");
        assert_eq!(index.split_matches(9..99, line_break), vec![9..10], "a range past the end is clamped first");
    }

    #[test]
    fn a_cached_index_is_built_once_and_never_serves_a_changed_text() {
        let cache = CharIndexCache::default();
        assert_eq!(cache.index("Мир").slice(1..3), "ир");
        assert!(matches!(cache.index("Мир").byte_offsets, Cow::Borrowed(_)), "the second call reuses the first index");
        assert_eq!(cache.index("Мир 🙂").slice(4..5), "🙂", "a longer text gets its own index");
    }

    #[test]
    fn char_len_counts_code_points_not_bytes() {
        assert_eq!(char_len("Зеленський 🙂"), 12);
    }

    #[test]
    fn whitespace_words_are_code_point_ranges() {
        assert_eq!(whitespace_words("  Мир  🙂ok\tx\n"), [2..5, 7..10, 11..12]);
        assert!(whitespace_words(" \n ").is_empty());
    }
}
