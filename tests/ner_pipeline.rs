//! The NER pipeline end to end on tiny generated models.

mod common;

use claimtag::ner::{NerConfig, NerModel};
use claimtag::pipeline::Tagger;
use claimtag::Document;
use common::{convert_weights_to_fp16, slice_chars, tiny_model, tiny_model_of, Family, Head, CONLL_LABELS};

const B_PER: usize = 1;
const I_PER: usize = 2;

fn tagger(model: &common::TinyModel, batch_tokens: usize) -> Tagger {
    Tagger::load(&NerConfig { batch_tokens, ..NerConfig::new(&model.path) }).expect("tiny model loads")
}

fn tag(tagger: &Tagger, texts: &[&str]) -> Vec<Document> {
    let mut docs: Vec<Document> =
        texts.iter().enumerate().map(|(i, text)| Document::new(i.to_string(), *text)).collect();
    tagger.tag(&mut docs).expect("tagging succeeds");
    docs
}

fn assert_offsets_valid(doc: &Document) {
    for entity in &doc.entities {
        assert!(entity.start < entity.end && entity.end <= doc.text.chars().count(), "{entity:?}");
        assert_eq!(slice_chars(&doc.text, entity.start, entity.end), entity.text, "{entity:?}");
    }
    for pair in doc.entities.windows(2) {
        assert!(pair[0].end <= pair[1].start, "entities overlap or are out of order: {pair:?}");
    }
}

/// A sentence with no sentence break in it, `words` words long.
fn long_sentence(words: usize) -> String {
    let vocabulary = ["putin", "said", "the", "war", "in", "ukraine", "was", "reported", "by", "isw"];
    (0..words).map(|i| vocabulary[i % vocabulary.len()]).collect::<Vec<_>>().join(" ")
}

#[test]
fn loads_labels_from_a_hugging_face_config() {
    let model = tiny_model(Head::Random);
    let ner = NerModel::load(&NerConfig::new(&model.path)).unwrap();
    assert_eq!(ner.labels(), CONLL_LABELS);
    assert_eq!(ner.window_len(), 62);
}

#[test]
fn text_four_times_longer_than_the_model_maximum_is_tagged_to_its_last_word() {
    let model = tiny_model(Head::Always(I_PER));
    let text = long_sentence(4 * 62 + 7);
    let docs = tag(&tagger(&model, 8192), &[&text]);
    // Every word is inside one person, so a single entity must span the whole sentence.
    assert_eq!(docs[0].entities.len(), 1, "{:?}", docs[0].entities);
    assert_eq!((docs[0].entities[0].start, docs[0].entities[0].end), (0, text.chars().count()));
    assert_offsets_valid(&docs[0]);
}

#[test]
fn every_word_of_a_long_text_gets_a_prediction() {
    let model = tiny_model(Head::Always(B_PER));
    let text = long_sentence(300);
    let docs = tag(&tagger(&model, 8192), &[&text]);
    let words: Vec<&str> = text.split(' ').collect();
    let entities: Vec<&str> = docs[0].entities.iter().map(|e| e.text.as_str()).collect();
    assert_eq!(entities, words);
}

#[test]
fn packed_sentences_give_every_word_of_every_sentence_a_prediction() {
    let model = tiny_model(Head::Always(B_PER));
    // Short sentences pack together; the 150-word one is longer than a window and goes alone.
    let sentences =
        ["Putin said so.", "Kyiv was quiet.", &(long_sentence(150) + "."), "Ukraine reported war.", "Isw said."];
    let text = sentences.join(" ");
    for pack_tokens in [0, 12, 40] {
        let tagger =
            Tagger::load(&NerConfig { pack_tokens: Some(pack_tokens), ..NerConfig::new(&model.path) }).unwrap();
        let docs = tag(&tagger, &[&text]);
        let words: Vec<&str> = text.split([' ', '.']).filter(|w| !w.is_empty()).collect();
        let entities: Vec<&str> = docs[0].entities.iter().map(|e| e.text.as_str()).collect();
        assert_eq!(entities, words, "packing {pack_tokens}");
        assert_offsets_valid(&docs[0]);
    }
}

#[test]
fn more_windows_than_fit_in_one_batch_give_the_same_entities_as_one_by_one() {
    let model = tiny_model(Head::Random);
    let texts: Vec<String> = (0..5).map(|i| long_sentence(150 + 37 * i) + ". Kyiv and Moscow said so.").collect();
    let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
    // 64 padded tokens a batch: every window goes alone. 100000: everything in one batch.
    let one_by_one: Vec<Document> = texts.iter().flat_map(|text| tag(&tagger(&model, 64), &[text])).collect();
    let together = tag(&tagger(&model, 100_000), &texts);
    let small_batches = tag(&tagger(&model, 300), &texts);
    let spans = |docs: &[Document]| -> Vec<Vec<(usize, usize, String)>> {
        docs.iter().map(|d| d.entities.iter().map(|e| (e.start, e.end, e.label.clone())).collect()).collect()
    };
    assert!(spans(&one_by_one).iter().map(Vec::len).sum::<usize>() > 0, "the random model should find something");
    assert_eq!(spans(&together), spans(&one_by_one));
    assert_eq!(spans(&small_batches), spans(&one_by_one));
    for (a, b) in together.iter().flat_map(|d| &d.entities).zip(one_by_one.iter().flat_map(|d| &d.entities)) {
        assert!((a.score - b.score).abs() < 1e-4, "{a:?} vs {b:?}");
    }
}

#[test]
fn offsets_are_code_points_on_quotes_dashes_cyrillic_and_emoji() {
    let model = tiny_model(Head::Always(B_PER));
    let text = "“Зеленський” — said 🙂 ISW’s Café.\n\nПутін said: «war» – 👍🏽 ok";
    let docs = tag(&tagger(&model, 8192), &[text]);
    assert_offsets_valid(&docs[0]);
    let entities: Vec<&str> = docs[0].entities.iter().map(|e| e.text.as_str()).collect();
    // Every word is tagged; those without a letter or digit are not names and are dropped.
    assert_eq!(entities, ["Зеленський", "said", "ISW", "s", "Café", "Путін", "said", "war", "ok"]);
    let putin = docs[0].entities.iter().find(|e| e.text == "Путін").unwrap();
    // Python: text.index("Путін") == 35
    assert_eq!((putin.start, putin.end), (35, 40));
}

#[test]
fn empty_and_whitespace_only_documents_have_no_entities() {
    let model = tiny_model(Head::Always(B_PER));
    let docs = tag(&tagger(&model, 8192), &["", "  \n\t \n", "ISW"]);
    assert!(docs[0].entities.is_empty() && docs[0].sentences.is_empty());
    assert!(docs[1].entities.is_empty() && docs[1].sentences.is_empty());
    assert_eq!(docs[2].entities.len(), 1);
}

#[test]
fn fp16_weights_load_and_give_the_fp32_entities() {
    let model = tiny_model(Head::Random);
    let text = long_sentence(90);
    let fp32 = tag(&tagger(&model, 8192), &[&text]);
    convert_weights_to_fp16(&model.path);
    let fp16 = tag(&tagger(&model, 8192), &[&text]);
    let spans =
        |docs: &[Document]| docs[0].entities.iter().map(|e| (e.start, e.end, e.label.clone())).collect::<Vec<_>>();
    assert_eq!(spans(&fp16), spans(&fp32));
}

#[test]
fn distilbert_models_load_through_the_same_path() {
    let model = tiny_model_of(Family::DistilBert, Head::Always(B_PER));
    let docs = tag(&tagger(&model, 8192), &["Putin met ISW in Kyiv."]);
    let entities: Vec<&str> = docs[0].entities.iter().map(|e| e.text.as_str()).collect();
    assert_eq!(entities, ["Putin", "met", "ISW", "in", "Kyiv"]);
}

#[test]
fn a_missing_vocabulary_is_named() {
    let model = tiny_model(Head::Random);
    std::fs::remove_file(model.path.join("vocab.txt")).unwrap();
    let err = NerModel::load(&NerConfig::new(&model.path)).err().expect("loading fails");
    assert_eq!(err.to_string(), format!("{}: missing", model.path.join("vocab.txt").display()));
}

#[test]
fn corrupt_weights_and_configs_are_named() {
    let model = tiny_model(Head::Random);
    std::fs::write(model.path.join("model.safetensors"), b"not safetensors").unwrap();
    let err = NerModel::load(&NerConfig::new(&model.path)).err().expect("loading fails");
    assert!(
        err.to_string()
            .starts_with(&format!("{}: cannot load weights", model.path.join("model.safetensors").display())),
        "{err}"
    );

    std::fs::write(model.path.join("config.json"), b"{\"model_type\": \"bert\"").unwrap();
    let err = NerModel::load(&NerConfig::new(&model.path)).err().expect("loading fails");
    assert!(
        err.to_string().starts_with(&format!("{}: invalid JSON", model.path.join("config.json").display())),
        "{err}"
    );

    std::fs::write(model.path.join("config.json"), b"{\"model_type\": \"bert\"}").unwrap();
    let err = NerModel::load(&NerConfig::new(&model.path)).err().expect("loading fails");
    assert!(err.to_string().contains("has no \"id2label\""), "{err}");
}

/// Loads the tiny model after `edit` has changed its `config.json`; returns the error.
fn load_with_config(edit: impl FnOnce(&mut serde_json::Value)) -> String {
    let model = tiny_model(Head::Random);
    let path = model.path.join("config.json");
    let mut config: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    edit(&mut config);
    std::fs::write(&path, config.to_string()).unwrap();
    let err = NerModel::load(&NerConfig::new(&model.path)).err().expect("loading fails").to_string();
    assert!(err.starts_with(&path.display().to_string()), "the error names config.json: {err}");
    err
}

#[test]
fn inconsistent_model_sizes_are_refused_naming_the_field_before_libtorch_sees_them() {
    let cases: [(&str, serde_json::Value, &str); 7] = [
        ("num_attention_heads", 3.into(), "hidden_size 32 is not a multiple of num_attention_heads 3"),
        ("num_attention_heads", 0.into(), "num_attention_heads is 0; it must be at least 1"),
        ("num_hidden_layers", 0.into(), "num_hidden_layers is 0"),
        ("max_position_embeddings", 1.into(), "max_position_embeddings is 1; it must be at least 3"),
        ("vocab_size", 10.into(), "vocab_size is 10 but the vocabulary has token ids up to"),
        ("hidden_dropout_prob", 1.5.into(), "hidden_dropout_prob is 1.5"),
        ("claimtag_decoding", "viterbi".into(), "claimtag_decoding is \"viterbi\"; expected"),
    ];
    for (field, value, expected) in cases {
        let err = load_with_config(|config| config[field] = value);
        assert!(err.contains(expected), "{field}: {err}");
    }
}

#[test]
fn a_bad_id2label_is_named_as_id2label() {
    let err = load_with_config(|config| config["id2label"] = serde_json::json!({"x": "O"}));
    assert!(err.contains("id2label key \"x\""), "{err}");
    let err = load_with_config(|config| config["id2label"] = serde_json::json!({}));
    assert!(err.contains("id2label is empty"), "{err}");
}

#[test]
fn a_vocabulary_longer_than_the_embedding_is_refused_naming_vocab_size() {
    // Lines added to vocab.txt (repeated tokens among them: each line is an id) would index
    // past the embedding's rows and panic inside libtorch on the first sentence that uses them.
    let model = tiny_model(Head::Random);
    let path = model.path.join("vocab.txt");
    let vocab = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, format!("{vocab}said\nputin\n")).unwrap();
    let err = NerModel::load(&NerConfig::new(&model.path)).err().expect("loading fails").to_string();
    assert!(err.contains("config.json: vocab_size is"), "{err}");
    assert!(err.contains("repeated tokens included"), "{err}");
}

#[test]
fn weights_that_do_not_match_the_config_are_one_line_naming_the_tensor() {
    let model = tiny_model(Head::Random);
    let path = model.path.join("config.json");
    let mut config: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    config["id2label"] = serde_json::json!({"0": "O", "1": "B-PER"});
    std::fs::write(&path, config.to_string()).unwrap();
    let err = NerModel::load(&NerConfig::new(&model.path)).err().expect("loading fails").to_string();
    assert!(err.contains("classifier."), "{err}");
    assert_eq!(err.lines().count(), 1, "no C++ stack trace: {err}");
}
