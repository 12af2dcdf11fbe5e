//! Prodigy: JSONL, one document a line, with `tokens` (`text`, `start`, `end`, `id`, `ws`),
//! `spans` (`start`, `end`, `token_start`, `token_end` inclusive, `label`) and `relations`
//! (`head` and `child` token indices, `head_span`, `child_span`, `label`), as the `rel.manual`
//! recipe reads and writes them. Offsets are code points (Prodigy is Python). Spans are
//! continuous, so a split quote's `CLAIM` spans both pieces. Tokens are spaCy's: whitespace
//! other than one space after a word is a token of its own, so the tokens rebuild the text.

use serde_json::{json, Value};

use super::{joined_parts, Annotations, LabeledSpan};
use crate::document::{Document, Span};

use crate::segment::words;

/// A token of a Prodigy task: its span, and whether one space follows it.
struct Token {
    span: Span,
    ws: bool,
}

/// Tokens that cover the text the way spaCy's do, so that `text` + (`" "` if `ws`) over the
/// tokens rebuilds it: the words, one space after a word as its `ws`, and every other run of
/// whitespace (a paragraph break, a tab, a second space) as a token of its own.
fn tokens(doc: &Document) -> Vec<Token> {
    let index = doc.char_index();
    let mut tokens: Vec<Token> = Vec::new();
    let gap = |tokens: &mut Vec<Token>, mut start: usize, end: usize| {
        if let Some(last) = tokens.last_mut() {
            if start < end && index.slice(start..start + 1) == " " {
                last.ws = true;
                start += 1;
            }
        }
        if start < end {
            tokens.push(Token { span: Span::new(start, end), ws: false });
        }
    };
    let mut at = 0;
    for word in words(&doc.text) {
        gap(&mut tokens, at, word.start);
        tokens.push(Token { span: word, ws: false });
        at = word.end;
    }
    gap(&mut tokens, at, index.len_chars());
    tokens
}

/// The Prodigy task of one document.
pub fn task(doc: &Document, _position: usize) -> Value {
    let index = doc.char_index();
    let words = tokens(doc);
    let tokens: Vec<Value> = words
        .iter()
        .enumerate()
        .map(|(i, w)| {
            json!({"text": index.slice(w.span.start..w.span.end), "start": w.span.start, "end": w.span.end, "id": i, "ws": w.ws})
        })
        .collect();
    // The tokens a span covers: from the one it starts in to the last one starting before its end.
    let token_range = |span: &LabeledSpan| {
        let first = words.iter().position(|w| w.span.end > span.start).unwrap_or(0);
        let last = words.iter().rposition(|w| w.span.start < span.end).unwrap_or(first).max(first);
        (first, last)
    };
    let annotations = joined_parts(Annotations::of(doc));
    let span_json = |span: &LabeledSpan| {
        let (token_start, token_end) = token_range(span);
        json!({"start": span.start, "end": span.end, "token_start": token_start, "token_end": token_end, "label": span.label})
    };
    let spans: Vec<Value> = annotations.spans.iter().map(span_json).collect();
    let relations: Vec<Value> = annotations
        .relations
        .iter()
        .map(|r| {
            let (head, child) = (&annotations.spans[r.from], &annotations.spans[r.to]);
            json!({"head": token_range(head).1, "child": token_range(child).1, "head_span": span_json(head),
                   "child_span": span_json(child), "label": r.label})
        })
        .collect();
    json!({"text": doc.text, "tokens": tokens, "spans": spans, "relations": relations, "meta": {"id": doc.id}})
}

/// Spans and relations of a Prodigy task.
pub fn read_task(task: &Value) -> Annotations {
    let mut annotations = Annotations::default();
    let span_of = |span: &Value| {
        LabeledSpan::new(
            span["label"].as_str().unwrap_or_default(),
            span["start"].as_u64().unwrap_or_default() as usize,
            span["end"].as_u64().unwrap_or_default() as usize,
        )
    };
    for span in task["spans"].as_array().into_iter().flatten() {
        annotations.add_span(span_of(span));
    }
    for relation in task["relations"].as_array().into_iter().flatten() {
        let from = annotations.add_span(span_of(&relation["head_span"]));
        let to = annotations.add_span(span_of(&relation["child_span"]));
        annotations.add_relation(relation["label"].as_str().unwrap_or_default(), from, to);
    }
    annotations
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::export::fixtures::tagged_document;

    #[test]
    fn tasks_read_back_to_the_same_spans_and_relations_with_consistent_tokens() {
        let doc = tagged_document();
        let task: Value = serde_json::from_value(task(&doc, 0)).unwrap();
        assert_eq!(read_task(&task).canonical(), joined_parts(Annotations::of(&doc)).canonical());
        let tokens = task["tokens"].as_array().unwrap();
        let chars: Vec<char> = doc.text.chars().collect();
        for span in task["spans"].as_array().unwrap() {
            let first = &tokens[span["token_start"].as_u64().unwrap() as usize];
            let last = &tokens[span["token_end"].as_u64().unwrap() as usize];
            assert_eq!(
                (first["start"].clone(), last["end"].clone()),
                (span["start"].clone(), span["end"].clone()),
                "{span}"
            );
        }
        for token in tokens {
            let (start, end) = (token["start"].as_u64().unwrap() as usize, token["end"].as_u64().unwrap() as usize);
            assert_eq!(chars[start..end].iter().collect::<String>(), token["text"].as_str().unwrap());
        }
    }

    /// The text spaCy rebuilds from Prodigy tokens.
    pub(crate) fn rebuilt(task: &Value) -> String {
        let tokens = task["tokens"].as_array().into_iter().flatten();
        tokens
            .map(|t| format!("{}{}", t["text"].as_str().unwrap_or_default(), if t["ws"] == true { " " } else { "" }))
            .collect()
    }

    #[test]
    fn whitespace_runs_are_tokens_so_the_tokens_rebuild_the_text() {
        let doc = Document::new("d", "\n“Путін — liar,” said Zelensky.  \n\nSecond\tparagraph. ");
        let task = task(&doc, 0);
        assert_eq!(rebuilt(&task), doc.text);
        let texts: Vec<&str> = task["tokens"].as_array().unwrap().iter().map(|t| t["text"].as_str().unwrap()).collect();
        assert_eq!(texts[0], "\n");
        assert!(texts.ends_with(&[" \n\n", "Second", "\t", "paragraph", "."]), "{texts:?}");
    }
}
