//! spaCy: the JSON training format (`[{"id", "paragraphs": [{"raw", "sentences": [{"tokens":
//! [{"id", "orth", "ner"}]}]}]}]`, BILUO entity tags) that `python -m spacy convert FILE.json
//! OUT_DIR` turns into a `.spacy` DocBin for `spacy train`. Entities only: the format has no
//! place for spans beyond `ents`. `scripts/check-exports` runs spaCy's own converter on it.

use serde_json::{json, Value};

use super::{spans_from_tags, word_tags, words_of, LabeledSpan};
use crate::corpus::tags::TagScheme;
use crate::document::{Document, Span};

/// The training-format document of `doc`, numbered `number`.
///
/// spaCy rebuilds the text from the tokens, each followed by at most one space, so any other
/// whitespace (a paragraph break, a double space) becomes a token of its own, as spaCy's own
/// tokenizer makes it; otherwise its character offsets would drift from claimtag's. Such a token
/// inside an entity ("Vladimir  Putin") belongs to the entity.
pub fn document(doc: &Document, number: usize) -> Value {
    let index = doc.char_index();
    let words = words_of(doc);
    let word_tags = word_tags(doc, &words);
    // (sentence, start, end, IOB2 tag) of every token, whitespace tokens included.
    let mut tokens: Vec<(usize, usize, usize, String)> = Vec::new();
    let mut at = 0;
    for (i, (word, tag)) in words.iter().zip(&word_tags).enumerate() {
        let gap = index.slice(at..word.span.start);
        let start = if i > 0 && gap.starts_with(' ') { at + 1 } else { at };
        if start < word.span.start {
            let inside = match tag.split_once('-') {
                Some(("I", kind)) => format!("I-{kind}"),
                _ => "O".to_string(),
            };
            tokens.push((word.sentence, start, word.span.start, inside));
        }
        tokens.push((word.sentence, word.span.start, word.span.end, tag.clone()));
        at = word.span.end;
    }
    let len = index.len_chars();
    let tail = if index.slice(at..len).starts_with(' ') { at + 1 } else { at };
    if let Some(&(sentence, ..)) = tokens.last().filter(|_| tail < len) {
        tokens.push((sentence, tail, len, "O".to_string()));
    }
    let tags: Vec<String> = tokens.iter().map(|(.., tag)| tag.clone()).collect();
    let mut sentences: Vec<Vec<Value>> = Vec::new();
    let biluo = TagScheme::Iob2.convert(&tags, TagScheme::Biluo);
    for (id, ((sentence, start, end, _), ner)) in tokens.iter().zip(biluo).enumerate() {
        if id == 0 || tokens[id - 1].0 != *sentence {
            sentences.push(Vec::new());
        }
        // The one space a token may carry is the gap to the next token (or to the end); without
        // it spaCy guesses, and puts a space after every token.
        let next = tokens.get(id + 1).map_or(len, |token| token.1);
        let space = if next > *end { " " } else { "" };
        let token = json!({"id": id, "orth": index.slice(*start..*end), "space": space, "ner": ner});
        sentences.last_mut().expect("a sentence is open").push(token);
    }
    let sentences: Vec<Value> = sentences.into_iter().map(|tokens| json!({"tokens": tokens, "brackets": []})).collect();
    json!({"id": number, "paragraphs": [{"raw": doc.text, "sentences": sentences, "cats": []}]})
}

/// Entity spans of one training-format document, by aligning its tokens to its raw text.
pub fn read_entities(document: &Value) -> Option<(String, Vec<LabeledSpan>)> {
    let paragraph = &document["paragraphs"][0];
    let raw = paragraph["raw"].as_str()?;
    let chars: Vec<char> = raw.chars().collect();
    let (mut spans, mut tags, mut at) = (Vec::new(), Vec::new(), 0);
    for sentence in paragraph["sentences"].as_array()? {
        for token in sentence["tokens"].as_array()? {
            let orth: Vec<char> = token["orth"].as_str()?.chars().collect();
            let start = (at..chars.len()).find(|&i| chars[i..].starts_with(&orth))?;
            at = start + orth.len();
            spans.push(Span::new(start, at));
            tags.push(token["ner"].as_str()?.to_string());
        }
    }
    Some((raw.to_string(), spans_from_tags(TagScheme::Biluo, &spans, &tags)))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::export::fixtures::tagged_document;
    use crate::export::{JsonLayout, ToolJsonSink};
    use crate::output::DocumentSink;

    #[test]
    fn documents_read_back_to_the_same_entities_with_biluo_tags() {
        let doc = tagged_document();
        let mut out = Vec::new();
        let mut sink = ToolJsonSink::new(&mut out, JsonLayout::Array, document);
        sink.write(&doc).unwrap();
        sink.finish().unwrap();
        let documents: Value = serde_json::from_slice(&out).unwrap();
        let (raw, entities) = read_entities(&documents[0]).unwrap();
        assert_eq!(raw, doc.text);
        let expected: Vec<LabeledSpan> =
            doc.entities.iter().map(|e| LabeledSpan::new(&e.label, e.start, e.end)).collect();
        assert_eq!(entities, expected);
        let tags: Vec<&str> = documents[0]["paragraphs"][0]["sentences"][0]["tokens"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["ner"].as_str().unwrap())
            .collect();
        assert_eq!(&tags[..4], ["O", "O", "U-PER", "O"]);
    }

    /// The text spaCy builds from a training-format document: each token's `orth` and `space`.
    pub(crate) fn text_from_tokens(document: &Value) -> String {
        let sentences = document["paragraphs"][0]["sentences"].as_array().into_iter().flatten();
        let tokens = sentences.flat_map(|s| s["tokens"].as_array().into_iter().flatten());
        tokens
            .map(|t| format!("{}{}", t["orth"].as_str().unwrap_or_default(), t["space"].as_str().unwrap_or("?")))
            .collect()
    }

    #[test]
    fn every_token_carries_its_space_so_spacy_rebuilds_the_text_exactly() {
        // spaCy 3.8 put a space after every token that had no "space": "Vladimir   Putin" came back.
        let text = "Vladimir  Putin met Emmanuel\tMacron in  New   York.\n\nThe United  Nations agreed. ";
        let mut doc = Document::new("d", text);
        doc.sentences = crate::segment::Segmenter::default().split(text);
        assert_eq!(text_from_tokens(&document(&doc, 0)), text);
    }

    #[test]
    fn whitespace_other_than_one_space_becomes_tokens() {
        let mut doc = Document::new("d", "Kyiv.\n\nLviv  and Odesa ");
        doc.sentences = vec![Span::new(0, 5), Span::new(7, 22)];
        let value = document(&doc, 0);
        let orths: Vec<&str> = value["paragraphs"][0]["sentences"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|s| s["tokens"].as_array().unwrap().iter().map(|t| t["orth"].as_str().unwrap()))
            .collect();
        assert_eq!(orths, ["Kyiv", ".", "\n\n", "Lviv", " ", "and", "Odesa"]);
    }

    #[test]
    fn whitespace_inside_an_entity_belongs_to_the_entity() {
        let mut doc = Document::new("d", "Vladimir  Putin\tMedvedev spoke");
        doc.sentences = vec![Span::new(0, 31)];
        doc.entities = [("PER", 0, 15), ("PER", 16, 24)]
            .map(|(label, start, end)| crate::document::Entity {
                id: format!("e{start}"),
                text: doc.slice(Span::new(start, end)).to_string(),
                label: label.into(),
                start,
                end,
                score: 1.0,
            })
            .to_vec();
        let value = document(&doc, 0);
        let tokens: Vec<(&str, &str)> = value["paragraphs"][0]["sentences"][0]["tokens"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| (t["orth"].as_str().unwrap(), t["ner"].as_str().unwrap()))
            .collect();
        assert_eq!(
            tokens,
            [
                ("Vladimir", "B-PER"),
                (" ", "I-PER"),
                ("Putin", "L-PER"),
                ("\t", "O"),
                ("Medvedev", "U-PER"),
                ("spoke", "O")
            ]
        );
    }
}
