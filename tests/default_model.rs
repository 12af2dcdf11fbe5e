//! The shipped default model (models/claimtag-ner-en) on real sentences.

use claimtag::ner::{resolve_model_dir, NerConfig};
use claimtag::pipeline::Tagger;
use claimtag::Document;

fn tagged(text: &str) -> Vec<(String, String)> {
    let model_dir = resolve_model_dir(None).expect("the default model ships in models/");
    let tagger = Tagger::load(&NerConfig::new(model_dir)).expect("the default model loads");
    let mut docs = vec![Document::new("t", text)];
    tagger.tag(&mut docs).unwrap();
    docs[0].entities.iter().map(|e| (e.text.clone(), e.label.clone())).collect()
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected.iter().map(|(text, label)| (text.to_string(), label.to_string())).collect()
}

#[test]
fn tags_people_places_and_organisations_in_news_sentences() {
    assert_eq!(
        tagged("Vladimir Putin met Volodymyr Zelensky in Kyiv on Tuesday."),
        pairs(&[("Vladimir Putin", "PER"), ("Volodymyr Zelensky", "PER"), ("Kyiv", "LOC")])
    );
    assert_eq!(
        tagged("The Institute for the Study of War said Russia is preparing a new offensive."),
        pairs(&[("Institute for the Study of War", "ORG"), ("Russia", "LOC")])
    );
    assert_eq!(
        tagged("German Chancellor Olaf Scholz told reporters in Berlin that NATO would respond."),
        pairs(&[("German", "MISC"), ("Olaf Scholz", "PER"), ("Berlin", "LOC"), ("NATO", "ORG")])
    );
}

#[test]
fn finds_the_example_articles_key_entities() {
    let entities = tagged(include_str!("../examples/euromaidan-isw-negotiations.txt"));
    for expected in [
        ("ISW", "ORG"),
        ("NYT", "ORG"),
        ("Economist", "ORG"),
        ("Vladimir Putin", "PER"),
        ("Putin", "PER"),
        ("Volodymyr Zelensky", "PER"),
        ("Ukraine", "LOC"),
        ("Russia", "LOC"),
        ("Finland", "LOC"),
        ("Moldova", "LOC"),
    ] {
        let expected = (expected.0.to_string(), expected.1.to_string());
        assert!(entities.contains(&expected), "{expected:?} not among {entities:?}");
    }
}
