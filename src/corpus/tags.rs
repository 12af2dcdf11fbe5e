//! Tag schemes: how one tag per word spells labelled spans, and the one place that converts
//! between schemes and between spans and tags.
//!
//! Corpora come in IOB1 (CoNLL-2003: `I-X` begins an entity unless it follows an `X` word;
//! `B-X` only separates two adjacent entities) or IOB2 (every entity begins with `B-X`).
//! claimtag trains and scores in IOB2, and spaCy's training format wants BILUO (`L-X` ends an
//! entity, `U-X` is a one-word one). The model's own labels are read by `ner::decode`, which
//! also takes BIOES and bare types and repairs what the model got half right.

use crate::document::Span;

/// A tag scheme: the meaning of the `B-`, `I-`, `L-` and `U-` prefixes of `PREFIX-KIND` tags
/// (`O` is outside every span in all of them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TagScheme {
    /// `I-X` begins a span unless the word before is in an `X` span; `B-X` begins one right
    /// after another `X` span.
    Iob1,
    /// `B-X` begins a span, `I-X` continues it.
    Iob2,
    /// `B-X` begins a span of several words, `I-X` continues it, `L-X` is its last word, `U-X`
    /// a span of one word.
    Biluo,
}

/// A labelled run of words: positions `start..end` in a tag sequence.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Chunk {
    pub start: usize,
    pub end: usize,
    pub kind: String,
}

impl Chunk {
    pub fn new(start: usize, end: usize, kind: &str) -> Self {
        Chunk { start, end, kind: kind.to_string() }
    }
}

impl TagScheme {
    /// Tags of `words` (code point spans in text order) from labelled spans `(start, end,
    /// label)` over the same text.
    ///
    /// A word takes the first span that overlaps it, and begins it unless the word before
    /// overlaps that span too. Overlap rather than "the span the word starts in", so that a span
    /// starting inside a word still tags that word instead of vanishing: `eval` maps entities
    /// found on the model's words back to corpus tokens, and the model may find one in part of a
    /// token (`S.` of CoNLL's `U.S.`); an annotator may mark one in part of a word. "Begins
    /// unless the word before overlaps it" rather than "begins in the word where the span
    /// starts", so that a span starting on the whitespace before a word (PolNeAR fragments do)
    /// begins at that word. Where every span starts at a word's start, as model entities do on
    /// [`crate::segment::words`], the two rules agree. Spans of no text tag nothing.
    pub fn tags(self, words: &[Span], spans: &[(usize, usize, &str)]) -> Vec<String> {
        let overlaps =
            |word: &Span, &(start, end, _): &(usize, usize, &str)| start < end && start < word.end && word.start < end;
        let mut previous: Option<&Span> = None;
        let iob2 = words
            .iter()
            .map(|word| {
                let tag = match spans.iter().find(|span| overlaps(word, span)) {
                    None => "O".to_string(),
                    Some(span) if previous.is_some_and(|previous| overlaps(previous, span)) => format!("I-{}", span.2),
                    Some(span) => format!("B-{}", span.2),
                };
                previous = Some(word);
                tag
            })
            .collect::<Vec<_>>();
        TagScheme::Iob2.convert(&iob2, self)
    }

    /// The chunks a tag sequence in this scheme spells, read leniently: IOB1 and IOB2 alike
    /// (an `I-X` that cannot continue an `X` chunk begins one), a change of kind always begins
    /// a new chunk, any prefix other than `I-` (and, in BILUO, `L-`) begins one, and a tag
    /// without a prefix is outside. This is conlleval's reading.
    pub fn chunks(self, tags: &[String]) -> Vec<Chunk> {
        let tags = match self {
            TagScheme::Iob1 | TagScheme::Iob2 => TagScheme::Iob1.convert(tags, TagScheme::Iob2),
            // Only `B-` and `U-` begin a span; what follows continues one, as spaCy reads it.
            TagScheme::Biluo => tags
                .iter()
                .map(|tag| match tag.split_once('-') {
                    Some(("B" | "U", kind)) => format!("B-{kind}"),
                    Some((_, kind)) => format!("I-{kind}"),
                    None => "O".to_string(),
                })
                .collect(),
        };
        let mut chunks = Vec::new();
        let mut open: Option<(usize, String)> = None;
        for (i, tag) in tags.iter().enumerate() {
            let continues =
                matches!((tag.split_once('-'), &open), (Some(("I", kind)), Some((_, open_kind))) if kind == open_kind);
            if continues {
                continue;
            }
            if let Some((start, kind)) = open.take() {
                chunks.push(Chunk { start, end: i, kind });
            }
            if let Some((_, kind)) = tag.split_once('-') {
                open = Some((i, kind.to_string()));
            }
        }
        if let Some((start, kind)) = open {
            chunks.push(Chunk { start, end: tags.len(), kind });
        }
        chunks
    }

    /// Labelled spans `(span, label)` spelled by the tags of `words` (`words[i]` tagged
    /// `tags[i]`): each chunk from its first word's start to its last word's end.
    pub fn spans(self, words: &[Span], tags: &[String]) -> Vec<(Span, String)> {
        let tags = &tags[..tags.len().min(words.len())];
        self.chunks(tags)
            .into_iter()
            .map(|chunk| (Span::new(words[chunk.start].start, words[chunk.end - 1].end), chunk.kind))
            .collect()
    }

    /// Tags of `len` words holding `chunks` (in order, not overlapping) in this scheme.
    pub fn encode(self, chunks: &[Chunk], len: usize) -> Vec<String> {
        let mut tags = vec!["O".to_string(); len];
        let mut previous: Option<&Chunk> = None;
        for chunk in chunks {
            let after_same_kind = previous.is_some_and(|p| p.end == chunk.start && p.kind == chunk.kind);
            let end = chunk.end.min(len);
            for (i, tag) in tags[chunk.start.min(end)..end].iter_mut().enumerate() {
                let (first, last) = (i == 0, chunk.start + i + 1 == chunk.end);
                let prefix = match self {
                    TagScheme::Iob1 if first && after_same_kind => "B",
                    TagScheme::Iob1 => "I",
                    TagScheme::Iob2 if first => "B",
                    TagScheme::Iob2 => "I",
                    TagScheme::Biluo => match (first, last) {
                        (true, true) => "U",
                        (true, false) => "B",
                        (false, false) => "I",
                        (false, true) => "L",
                    },
                };
                *tag = format!("{prefix}-{}", chunk.kind);
            }
            previous = Some(chunk);
        }
        tags
    }

    /// `tags` of this scheme in scheme `to`. IOB1 to IOB2 rewrites only the `I-` tags that begin
    /// an entity and keeps every other tag as it is written (so IOB2 input comes back
    /// unchanged); other conversions spell [`TagScheme::chunks`] anew.
    pub fn convert(self, tags: &[String], to: TagScheme) -> Vec<String> {
        match (self, to) {
            (from, to) if from == to => tags.to_vec(),
            (TagScheme::Iob1, TagScheme::Iob2) => {
                let mut previous = "O".to_string();
                tags.iter()
                    .map(|tag| {
                        let converted = match tag.split_once('-') {
                            Some(("I", kind))
                                if previous == "O" || previous.split_once('-').map(|(_, k)| k) != Some(kind) =>
                            {
                                format!("B-{kind}")
                            }
                            _ => tag.clone(),
                        };
                        previous = converted.clone();
                        converted
                    })
                    .collect()
            }
            (from, to) => to.encode(&from.chunks(tags), tags.len()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(line: &str) -> Vec<String> {
        line.split_whitespace().map(String::from).collect()
    }

    /// Word spans of `text` split at single spaces.
    fn words(text: &str) -> Vec<Span> {
        let mut at = 0;
        text.split(' ')
            .map(|word| {
                let span = Span::new(at, at + word.len());
                at += word.len() + 1;
                span
            })
            .collect()
    }

    #[test]
    fn iob1_becomes_iob2() {
        assert_eq!(
            TagScheme::Iob1.convert(&tags("I-PER I-PER B-PER O I-LOC I-ORG"), TagScheme::Iob2),
            ["B-PER", "I-PER", "B-PER", "O", "B-LOC", "B-ORG"]
        );
        let iob2 = tags("B-PER I-PER O B-LOC");
        assert_eq!(TagScheme::Iob1.convert(&iob2, TagScheme::Iob2), iob2);
    }

    #[test]
    fn iob1_to_iob2_keeps_tags_of_other_schemes_as_written() {
        assert_eq!(TagScheme::Iob1.convert(&tags("S-PER PER O"), TagScheme::Iob2), ["S-PER", "PER", "O"]);
    }

    #[test]
    fn iob2_becomes_iob1_with_b_only_between_adjacent_entities() {
        assert_eq!(
            TagScheme::Iob2.convert(&tags("B-PER I-PER B-PER O B-LOC B-ORG"), TagScheme::Iob1),
            ["I-PER", "I-PER", "B-PER", "O", "I-LOC", "I-ORG"]
        );
    }

    #[test]
    fn multi_word_entities_get_begin_inside_last() {
        assert_eq!(
            TagScheme::Iob2.convert(&tags("B-ORG I-ORG I-ORG O B-PER"), TagScheme::Biluo),
            ["B-ORG", "I-ORG", "L-ORG", "O", "U-PER"]
        );
    }

    #[test]
    fn biluo_reads_back_to_the_same_chunks() {
        let biluo = tags("U-PER B-ORG L-ORG O B-LOC I-LOC L-LOC");
        let chunks = [Chunk::new(0, 1, "PER"), Chunk::new(1, 3, "ORG"), Chunk::new(4, 7, "LOC")];
        assert_eq!(TagScheme::Biluo.chunks(&biluo), chunks);
        assert_eq!(TagScheme::Biluo.encode(&chunks, 7), biluo);
        assert_eq!(TagScheme::Biluo.convert(&biluo, TagScheme::Iob2), tags("B-PER B-ORG I-ORG O B-LOC I-LOC I-LOC"));
    }

    #[test]
    fn a_type_change_inside_a_chunk_splits_it() {
        assert_eq!(TagScheme::Iob2.chunks(&tags("B-PER I-ORG O")), [Chunk::new(0, 1, "PER"), Chunk::new(1, 2, "ORG")]);
    }

    #[test]
    fn iob1_and_iob2_read_alike() {
        let chunks = [Chunk::new(0, 2, "PER"), Chunk::new(2, 3, "PER"), Chunk::new(4, 5, "LOC")];
        assert_eq!(TagScheme::Iob1.chunks(&tags("I-PER I-PER B-PER O I-LOC")), chunks);
        assert_eq!(TagScheme::Iob2.chunks(&tags("B-PER I-PER B-PER O B-LOC")), chunks);
    }

    #[test]
    fn a_word_takes_the_span_it_overlaps_and_begins_it_where_the_span_begins() {
        // "The U.S. envoy Joe Smith left" with an entity on "U" only, and "Joe Smith".
        let words = words("The U.S. envoy Joe Smith left");
        let tags = TagScheme::Iob2.tags(&words, &[(4, 5, "LOC"), (15, 24, "PER")]);
        assert_eq!(tags, ["O", "B-LOC", "O", "B-PER", "I-PER", "O"]);
    }

    #[test]
    fn a_span_starting_inside_a_word_tags_that_word() {
        let words = words("anti-Kremlin protests");
        assert_eq!(TagScheme::Iob2.tags(&words, &[(5, 12, "ORG")]), ["B-ORG", "O"]);
    }

    #[test]
    fn a_span_starting_on_the_whitespace_before_a_word_begins_at_that_word() {
        let words = words("He said that Putin lies");
        assert_eq!(
            TagScheme::Iob2.tags(&words, &[(7, 23, "CONTENT")]),
            ["O", "O", "B-CONTENT", "I-CONTENT", "I-CONTENT"]
        );
    }

    #[test]
    fn adjacent_spans_of_one_kind_stay_apart() {
        let words = words("Kyiv Lviv Odesa");
        let tags = TagScheme::Iob2.tags(&words, &[(0, 4, "LOC"), (5, 15, "LOC")]);
        assert_eq!(tags, ["B-LOC", "B-LOC", "I-LOC"]);
        assert_eq!(TagScheme::Iob1.tags(&words, &[(0, 4, "LOC"), (5, 15, "LOC")]), ["I-LOC", "B-LOC", "I-LOC"]);
        assert_eq!(TagScheme::Biluo.tags(&words, &[(0, 4, "LOC"), (5, 15, "LOC")]), ["U-LOC", "B-LOC", "L-LOC"]);
    }

    #[test]
    fn empty_spans_tag_nothing() {
        assert_eq!(TagScheme::Iob2.tags(&words("Kyiv"), &[(2, 2, "LOC")]), ["O"]);
    }

    #[test]
    fn tags_and_spans_invert_each_other() {
        let words = words("Joe Biden met Olaf Scholz in Berlin");
        let spans = [(0, 9, "PER"), (14, 25, "PER"), (29, 35, "LOC")];
        for scheme in [TagScheme::Iob1, TagScheme::Iob2, TagScheme::Biluo] {
            let read: Vec<(usize, usize, String)> = scheme
                .spans(&words, &scheme.tags(&words, &spans))
                .into_iter()
                .map(|(span, label)| (span.start, span.end, label))
                .collect();
            let expected: Vec<(usize, usize, String)> = spans.iter().map(|&(s, e, l)| (s, e, l.to_string())).collect();
            assert_eq!(read, expected, "{scheme:?}");
        }
    }
}
