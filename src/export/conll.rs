//! CoNLL: one word a line with its IOB2 tag (`word TAG`), a blank line between sentences and a
//! `-DOCSTART- -X- O O` line before each document, so `claimtag train` and most NER toolkits
//! read it back. Entities only: the format has no place for claims. The line is the one spaCy's
//! `spacy convert --converter ner` splits documents at; CoNLL-2003's own `-DOCSTART- -X- -X- O`
//! would reach spaCy as a document of one token.

use std::io::{self, Write};

use super::{word_tags, words_of};
use crate::document::Document;
use crate::input::RecordError;
use crate::output::DocumentSink;

pub struct ConllSink<W: Write> {
    out: W,
}

impl<W: Write> ConllSink<W> {
    pub fn new(out: W) -> Self {
        ConllSink { out }
    }
}

impl<W: Write> DocumentSink for ConllSink<W> {
    /// The document is built whole before any of it is written, so a panic writes nothing.
    fn write(&mut self, doc: &Document) -> io::Result<()> {
        let index = doc.char_index();
        let words = words_of(doc);
        let tags = word_tags(doc, &words);
        let mut block = String::from("-DOCSTART- -X- O O\n\n");
        for (i, (word, tag)) in words.iter().zip(&tags).enumerate() {
            if i > 0 && words[i - 1].sentence != word.sentence {
                block.push('\n');
            }
            block += &format!("{} {tag}\n", index.slice(word.span.start..word.span.end));
        }
        if !words.is_empty() {
            block.push('\n');
        }
        self.out.write_all(block.as_bytes())
    }

    /// A document that could not be read has no words; CoNLL has no place for the error.
    fn write_error(&mut self, _error: &RecordError) -> io::Result<()> {
        Ok(())
    }

    fn end_batch(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    fn finish(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::parse_conll;
    use crate::corpus::tags::TagScheme;
    use crate::document::Span;
    use crate::export::fixtures::tagged_document;
    use crate::export::{spans_from_tags, LabeledSpan};

    #[test]
    fn conll_reads_back_through_the_training_reader_to_the_same_entities() {
        let doc = tagged_document();
        let mut out = Vec::new();
        let mut sink = ConllSink::new(&mut out);
        sink.write(&doc).unwrap();
        sink.write(&doc).unwrap();
        sink.finish().unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("-DOCSTART- -X- O O\n\n🙂 O\n“ O\nПутін B-PER\n— O\n"), "{text}");
        let sentences = parse_conll(std::path::Path::new("x"), &text).unwrap();
        assert_eq!(sentences.len(), 2 * doc.sentences.len());
        assert_ne!(sentences[0].document, sentences[doc.sentences.len()].document, "-DOCSTART- splits documents");

        // Put the words back on the text in order: their offsets, and the tags' spans, are the entities'.
        let chars: Vec<char> = doc.text.chars().collect();
        let mut at = 0;
        let mut spans = Vec::new();
        let mut tags = Vec::new();
        for sentence in &sentences[..doc.sentences.len()] {
            for (token, tag) in sentence.tokens.iter().zip(&sentence.tags) {
                let token: Vec<char> = token.chars().collect();
                let start = (at..chars.len()).find(|&i| chars[i..].starts_with(&token)).unwrap();
                at = start + token.len();
                spans.push(Span::new(start, at));
                tags.push(tag.clone());
            }
        }
        let entities: Vec<LabeledSpan> =
            doc.entities.iter().map(|e| LabeledSpan::new(&e.label, e.start, e.end)).collect();
        assert_eq!(spans_from_tags(TagScheme::Iob2, &spans, &tags), entities);
    }
}
