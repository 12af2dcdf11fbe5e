//! The shipped default model (models/claimtag-ner-en) on real sentences.

use claimtag::claims::ClaimRules;
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
        tagged("The Pentagon said Russia is preparing a new offensive."),
        pairs(&[("Pentagon", "ORG"), ("Russia", "LOC")])
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
        // Not yet: "the Economist" is missed in this article (see the model card), a known
        // shortfall of the default model.
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

/// Tags the example article with `rules`, checks that its 13 hand-marked claims are found with
/// their exact source, cue and content and that the site's furniture makes none, and returns
/// how many claims go beyond the hand-marked ones.
fn claims_beyond_the_example_articles_hand_marked_ones(rules: ClaimRules) -> usize {
    let expected: serde_json::Value =
        serde_json::from_str(include_str!("../examples/euromaidan-isw-negotiations.expected.json")).unwrap();
    let model_dir = resolve_model_dir(None).unwrap();
    let tagger = Tagger::load(&NerConfig::new(model_dir)).unwrap().with_claims(Some(rules));
    let mut docs = vec![Document::new("example", include_str!("../examples/euromaidan-isw-negotiations.txt"))];
    tagger.tag(&mut docs).unwrap();
    let claims = &docs[0].claims;
    let span = |v: &serde_json::Value| (v["start"].as_u64().unwrap() as usize, v["end"].as_u64().unwrap() as usize);
    let (mut with_source_and_cue, mut content_exact) = (0, 0);
    for gold in expected["claims"].as_array().unwrap() {
        let Some(found) = claims.iter().find(|c| (c.cue.start, c.cue.end) == span(&gold["cue"])) else {
            panic!("no claim with cue {}", gold["cue"]);
        };
        let source = found.source.as_ref().map(|s| (s.start, s.end));
        assert_eq!(source, Some(span(&gold["source"])), "source of {}", gold["cue"]);
        with_source_and_cue += 1;
        content_exact += ((found.content.start, found.content.end) == span(&gold["content"])) as usize;
    }
    assert_eq!(with_source_and_cue, 13);
    assert_eq!(content_exact, 13, "contents exact");
    // The page's furniture (its ad-blocker and support appeals, in the publisher's "we") makes
    // no claim.
    let furniture: Vec<&str> = claims
        .iter()
        .filter(|c| c.source.as_ref().is_some_and(|s| s.text.eq_ignore_ascii_case("we")))
        .map(|c| c.content.text.as_str())
        .collect();
    assert!(furniture.is_empty(), "claims from the site's furniture: {furniture:?}");
    claims.len() - expected["claims"].as_array().unwrap().len()
}

#[test]
fn finds_the_example_articles_hand_marked_claims() {
    // Few claims go beyond the hand-marked ones: 6 today (nested "aims to convince" under both
    // headlines, "identified", "indicates", and in the takeaway bullets "continues to reckon
    // with" and "are restricting", which the role head tags, as PolNeAR counts states and
    // intentions as attributions).
    let others = claims_beyond_the_example_articles_hand_marked_ones(ClaimRules::default());
    assert!(others <= 6, "{others} claims beyond the 13 hand-marked ones");
}

#[test]
fn statements_alone_keep_the_example_articles_hand_marked_claims_and_little_else() {
    let statements: Vec<String> = ["say", "report", "claim", "warn"].map(String::from).to_vec();
    let rules = ClaimRules::default().with_cue_classes(&statements).unwrap();
    // One today: the sourceless "indicates" (a report cue) inside ISW's first quotation.
    let others = claims_beyond_the_example_articles_hand_marked_ones(rules);
    assert!(others <= 2, "{others} claims beyond the 13 hand-marked ones");
}
