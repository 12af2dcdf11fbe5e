//! The rules on real-looking news sentences.

use super::*;
use crate::document::{Role, RoleSpan};
use crate::offsets::char_len;
use crate::segment::Segmenter;

/// Claims of `text` whose entities are every occurrence of the given strings.
fn claims_of(text: &str, entities: &[(&str, &str)]) -> (Document, Vec<Claim>) {
    let mut doc = Document::new("t", text);
    Segmenter::default().apply(&mut doc);
    let index = CharIndex::new(text);
    let mut found: Vec<Entity> = Vec::new();
    for (name, label) in entities {
        for (byte, _) in text.match_indices(name) {
            let start = index.char_of_byte(byte);
            found.push(Entity {
                id: String::new(),
                text: name.to_string(),
                label: label.to_string(),
                start,
                end: start + char_len(name),
                score: 1.0,
            });
        }
    }
    found.sort_by_key(|e| e.start);
    for (i, entity) in found.iter_mut().enumerate() {
        entity.id = format!("e{i}");
    }
    doc.entities = found;
    ClaimRules::default().apply(&mut doc);
    let claims = doc.claims.clone();
    (doc, claims)
}

fn summary(claim: &Claim) -> (String, String, String) {
    (
        claim.source.as_ref().map_or(String::new(), |s| s.text.clone()),
        claim.cue.text.clone(),
        claim.content.text.clone(),
    )
}

fn triple(source: &str, cue: &str, content: &str) -> (String, String, String) {
    (source.into(), cue.into(), content.into())
}

#[test]
fn source_cue_that_content() {
    let (_, claims) =
        claims_of("ISW said that Putin is preparing a new offensive.", &[("ISW", "ORG"), ("Putin", "PER")]);
    assert_eq!(
        claims.iter().map(summary).collect::<Vec<_>>(),
        [triple("ISW", "said", "that Putin is preparing a new offensive")]
    );
    assert_eq!(claims[0].kind, ClaimKind::Indirect);
    assert_eq!(claims[0].source.as_ref().unwrap().entity.as_deref(), Some("e0"));
    assert_eq!(claims[0].entities, ["e1"]);
    assert_eq!(claims[0].cue.lemma, "say");
}

#[test]
fn content_comma_source_cue_with_a_trailing_phrase() {
    let (_, claims) = claims_of(
        "Putin is framing the war as a struggle with the West, ISW said in its daily report.",
        &[("ISW", "ORG"), ("Putin", "PER"), ("West", "LOC")],
    );
    assert_eq!(
        claims.iter().map(summary).collect::<Vec<_>>(),
        [triple("ISW", "said", "Putin is framing the war as a struggle with the West")]
    );
}

#[test]
fn quote_comma_cue_source() {
    let (_, claims) = claims_of("“We will not give up,” said Zelensky.", &[("Zelensky", "PER")]);
    assert_eq!(claims.iter().map(summary).collect::<Vec<_>>(), [triple("Zelensky", "said", "“We will not give up,”")]);
    assert_eq!(claims[0].kind, ClaimKind::Direct);
}

#[test]
fn a_quote_split_by_its_cue_is_one_claim_in_two_parts() {
    let text = "Zelensky spoke in Kyiv. “We will win,” he said, “and we will rebuild.”";
    let (_, claims) = claims_of(text, &[("Zelensky", "PER"), ("Kyiv", "LOC")]);
    assert_eq!(claims.len(), 1, "{claims:?}");
    let claim = &claims[0];
    assert_eq!(claim.source.as_ref().unwrap().text, "he");
    assert_eq!(claim.source.as_ref().unwrap().resolved.as_ref().unwrap().text, "Zelensky");
    let parts = claim.content.parts.as_ref().unwrap();
    let slice = |[s, e]: [usize; 2]| CharIndex::new(text).slice(s..e).to_string();
    assert_eq!(slice(parts[0]), "“We will win,”");
    assert_eq!(slice(parts[1]), "“and we will rebuild.”");
    assert_eq!(claim.kind, ClaimKind::Direct);
}

#[test]
fn colon_form_with_a_noun_phrase_source() {
    let (_, claims) = claims_of("The ministry said: “The attack was repelled.”", &[]);
    assert_eq!(
        claims.iter().map(summary).collect::<Vec<_>>(),
        [triple("The ministry", "said:", "“The attack was repelled.”")]
    );
    assert_eq!(claims[0].kind, ClaimKind::Direct);
    assert_eq!(claims[0].source.as_ref().unwrap().entity, None);
}

#[test]
fn according_to_before_and_after_the_content() {
    let (_, claims) =
        claims_of("According to the Pentagon, Russia has lost 100 tanks.", &[("Pentagon", "ORG"), ("Russia", "LOC")]);
    assert_eq!(
        claims.iter().map(summary).collect::<Vec<_>>(),
        [triple("the Pentagon", "According to", "Russia has lost 100 tanks")]
    );
    assert_eq!(claims[0].kind, ClaimKind::AccordingTo);
    let (_, claims) = claims_of("Russia has lost 100 tanks, according to British intelligence.", &[("Russia", "LOC")]);
    assert_eq!(
        claims.iter().map(summary).collect::<Vec<_>>(),
        [triple("British intelligence", "according to", "Russia has lost 100 tanks")]
    );
}

#[test]
fn headline_attribution() {
    let (_, claims) = claims_of(
        "ISW: Putin aims to convince West to betray Ukraine\n\nBody text.",
        &[("ISW", "ORG"), ("Putin", "PER")],
    );
    assert_eq!(
        claims.iter().map(summary).collect::<Vec<_>>(),
        [triple("ISW", ":", "Putin aims to convince West to betray Ukraine")]
    );
    assert_eq!(claims[0].kind, ClaimKind::Headline);
    let (_, claims) = claims_of("Credit: Depositphotos\n", &[("Depositphotos", "ORG")]);
    assert!(claims.is_empty(), "{claims:?}");
}

#[test]
fn participle_cue_takes_the_sentence_subject_as_source() {
    let (_, claims) = claims_of(
        "ISW analyzed the NYT article, saying that Putin may demand a temporary ceasefire.",
        &[("ISW", "ORG"), ("NYT", "ORG"), ("Putin", "PER")],
    );
    assert_eq!(
        claims.iter().map(summary).collect::<Vec<_>>(),
        [triple("ISW", "saying", "that Putin may demand a temporary ceasefire")]
    );
}

#[test]
fn nominal_participle_cue() {
    let (_, claims) = claims_of(
        "Recently, the NYT published an article stating that “Putin signals he is open to a cease-fire.”",
        &[("NYT", "ORG"), ("Putin", "PER")],
    );
    assert_eq!(
        claims.iter().map(summary).collect::<Vec<_>>(),
        [triple("the NYT", "published an article stating", "that “Putin signals he is open to a cease-fire.”")]
    );
    assert_eq!(claims[0].kind, ClaimKind::Direct);
}

#[test]
fn nested_attribution_points_to_its_parent() {
    let (_, claims) = claims_of(
        "ISW reported that Putin claimed the West wants war.",
        &[("ISW", "ORG"), ("Putin", "PER"), ("West", "LOC")],
    );
    assert_eq!(
        claims.iter().map(summary).collect::<Vec<_>>(),
        [
            triple("ISW", "reported", "that Putin claimed the West wants war"),
            triple("Putin", "claimed", "the West wants war")
        ]
    );
    assert_eq!(claims[0].parent, None);
    assert_eq!(claims[1].parent.as_deref(), Some("c0"));
}

#[test]
fn pronouns_resolve_to_the_nearest_compatible_mention() {
    let text = "Vladimir Putin met the ISW team. Later Putin left. He said that the war would go on. It said that it disagreed.";
    let (_, claims) = claims_of(text, &[("Vladimir Putin", "PER"), ("ISW", "ORG")]);
    let he = claims.iter().find(|c| c.source.as_ref().unwrap().text == "He").unwrap();
    assert_eq!(he.source.as_ref().unwrap().resolved.as_ref().unwrap().text, "Vladimir Putin");
    let it = claims.iter().find(|c| c.source.as_ref().unwrap().text == "It").unwrap();
    assert_eq!(it.source.as_ref().unwrap().resolved.as_ref().unwrap().label, "ORG");
}

#[test]
fn acronyms_and_surnames_resolve_to_their_full_mention() {
    let text = "The Institute for the Study of War tracks the war. ISW said that Vladimir Putin wants talks. Putin said that talks are possible.";
    let (_, claims) = claims_of(
        text,
        &[("Institute for the Study of War", "ORG"), ("ISW", "ORG"), ("Vladimir Putin", "PER"), ("Putin said", "PER")],
    );
    let isw = claims.iter().find(|c| c.source.as_ref().unwrap().text == "ISW").unwrap();
    assert_eq!(isw.source.as_ref().unwrap().resolved.as_ref().unwrap().text, "Institute for the Study of War");
}

#[test]
fn noun_phrase_sources_without_entities() {
    for (text, source) in [
        ("A senior official said the talks had failed.", "A senior official"),
        ("Sources said the talks had failed.", "Sources"),
        ("A spokesman for the Kremlin said the talks had failed.", "A spokesman for the Kremlin"),
    ] {
        let (_, claims) = claims_of(text, &[]);
        assert_eq!(
            claims.iter().map(summary).collect::<Vec<_>>(),
            [triple(source, "said", "the talks had failed")],
            "{text}"
        );
    }
}

#[test]
fn a_nominal_cue_ends_the_content() {
    let (_, claims) = claims_of(
        "Ukrainian President Volodymyr Zelensky stressed Ukraine’s need for urgent support in an interview with the Economist.",
        &[("Volodymyr Zelensky", "PER"), ("Ukraine", "LOC"), ("Economist", "ORG")],
    );
    assert_eq!(
        claims.iter().map(summary).collect::<Vec<_>>(),
        [triple("Ukrainian President Volodymyr Zelensky", "stressed", "Ukraine’s need for urgent support")]
    );
}

#[test]
fn mixed_quotes_and_quotes_over_paragraphs() {
    let text = "Putin wants the West to “betray Ukraine through negotiations,” ISW said.";
    let (_, claims) = claims_of(text, &[("Putin", "PER"), ("ISW", "ORG")]);
    assert_eq!(
        claims.iter().map(summary).collect::<Vec<_>>(),
        [triple("ISW", "said", "Putin wants the West to “betray Ukraine through negotiations,”")]
    );
    assert_eq!(claims[0].kind, ClaimKind::Mixed);

    let text = "“The first paragraph of the statement.\n\n“The second paragraph,” the ministry said.";
    let (_, claims) = claims_of(text, &[]);
    assert_eq!(claims.len(), 1);
    assert_eq!(claims[0].content.text, "“The first paragraph of the statement.\n\n“The second paragraph,”");
}

#[test]
fn an_unbalanced_quote_never_swallows_the_article() {
    let text = "He said “this never closes.\n\nThe talks failed, the ministry said.\n\nMore text follows here.";
    let (_, claims) = claims_of(text, &[]);
    let ministry = claims
        .iter()
        .find(|c| c.source.as_ref().unwrap().text == "the ministry")
        .expect("the later claim is still found");
    assert_eq!(ministry.content.text, "The talks failed");
    assert!(claims.iter().all(|c| !c.content.text.contains("More text")), "{claims:?}");
}

#[test]
fn offsets_are_code_points_on_non_ascii_text() {
    let text = "🙂 «Мир» — ISW said that Путін wants talks.";
    let (_, claims) = claims_of(text, &[("ISW", "ORG"), ("Путін", "PER")]);
    let claim = &claims[0];
    let slice = |s: usize, e: usize| CharIndex::new(text).slice(s..e).to_string();
    assert_eq!(slice(claim.cue.start, claim.cue.end), "said");
    assert_eq!(slice(claim.content.start, claim.content.end), claim.content.text);
    let source = claim.source.as_ref().unwrap();
    assert_eq!(slice(source.start, source.end), "ISW");
    assert_eq!(source.start, 10);
}

#[test]
fn a_quote_signed_with_a_dash_names_its_source() {
    let text = "“He represents our greatest shame.” ― Sonya Herridge\n“Next quote.” ― Pamela Padilla";
    let (_, claims) = claims_of(text, &[("Sonya Herridge", "PER"), ("Pamela Padilla", "PER")]);
    assert_eq!(
        claims.iter().map(summary).collect::<Vec<_>>(),
        [
            triple("Sonya Herridge", "―", "“He represents our greatest shame.”"),
            triple("Pamela Padilla", "―", "“Next quote.”")
        ]
    );
}

#[test]
fn transcript_speakers_in_capitals_are_sources() {
    let text = "Partial transcript as follows:\n\nWALLACE: Let’s start with breaking news on the debate.\nPENCE: Well, look, it is a show.";
    let (_, claims) = claims_of(text, &[]);
    assert_eq!(
        claims.iter().map(summary).collect::<Vec<_>>(),
        [
            triple("WALLACE", ":", "Let’s start with breaking news on the debate"),
            triple("PENCE", ":", "Well, look, it is a show")
        ]
    );
}

/// The content as its parts' texts.
fn parts_of(text: &str, claim: &Claim) -> Vec<String> {
    let slice = |[s, e]: [usize; 2]| CharIndex::new(text).slice(s..e).to_string();
    match &claim.content.parts {
        Some(parts) => parts.iter().map(|&part| slice(part)).collect(),
        None => vec![claim.content.text.clone()],
    }
}

#[test]
fn an_impression_has_no_source_and_the_subject_and_infinitive_as_content() {
    let text = "The ceasefire seems to be holding.";
    let (_, claims) = claims_of(text, &[]);
    assert_eq!(claims.len(), 1, "{claims:?}");
    assert_eq!(claims[0].source, None);
    assert_eq!(claims[0].cue.text, "seems");
    assert_eq!(parts_of(text, &claims[0]), ["The ceasefire", "to be holding"]);

    let text = "Zelensky is also expected to visit Helsinki on Friday.";
    let (_, claims) = claims_of(text, &[("Zelensky", "PER"), ("Helsinki", "LOC")]);
    assert_eq!(claims.len(), 1, "{claims:?}");
    assert_eq!((claims[0].source.as_ref(), claims[0].cue.text.as_str()), (None, "is also expected"));
    assert_eq!(parts_of(text, &claims[0]), ["Zelensky", "to visit Helsinki on Friday"]);
    assert_eq!(claims[0].entities, ["e0", "e1"]);
}

#[test]
fn a_quote_introduced_by_its_cue_is_not_given_to_the_next_sentences_attribution() {
    let text = "Brafman said, “The zeal in this case is uncharacteristic.” He added, “I have never seen it.”";
    let (_, claims) = claims_of(text, &[("Brafman", "PER")]);
    assert_eq!(
        claims.iter().map(summary).collect::<Vec<_>>(),
        [
            triple("Brafman", "said", "“The zeal in this case is uncharacteristic.”"),
            triple("He", "added", "“I have never seen it.”")
        ]
    );
    assert!(claims.iter().all(|c| c.parent.is_none() && c.content.parts.is_none()));
}

#[test]
fn a_quote_after_a_colon_is_the_whole_content_over_several_sentences() {
    let text = "Cruz said: “The questions are unfair. I think the media wants a fight.” The debate went on.";
    let (_, claims) = claims_of(text, &[("Cruz", "PER")]);
    assert_eq!(
        claims.iter().map(summary).collect::<Vec<_>>(),
        [triple("Cruz", "said:", "“The questions are unfair. I think the media wants a fight.”")],
        "the speaker's own “I think” inside the quote is not a claim of its own"
    );
}

#[test]
fn only_said_attributes_a_content_before_it_without_quotation_marks() {
    let (_, claims) = claims_of("Clinton leads among party leaders, called superdelegates.", &[("Clinton", "PER")]);
    assert!(claims.is_empty(), "{claims:?}");
    let (_, claims) = claims_of("“It reflects anger,” McCain said, citing low economic growth.", &[("McCain", "PER")]);
    assert_eq!(claims.iter().map(summary).collect::<Vec<_>>(), [triple("McCain", "said", "“It reflects anger,”")]);
}

#[test]
fn the_content_starts_at_the_cue_when_a_clause_comes_before_a_that() {
    let (_, claims) =
        claims_of("Both said Obama advanced this agenda, but that there is still more to do.", &[("Obama", "PER")]);
    assert_eq!(claims.len(), 1, "{claims:?}");
    assert_eq!(claims[0].content.text, "Obama advanced this agenda, but that there is still more to do");
    let (_, claims) =
        claims_of("Sanders told reporters on Monday that he would stay in the race.", &[("Sanders", "PER")]);
    assert_eq!(claims[0].content.text, "that he would stay in the race");
}

#[test]
fn a_negative_contraction_belongs_to_the_cue() {
    let (_, claims) = claims_of("Trump doesn’t think that the deal works.", &[("Trump", "PER")]);
    assert_eq!(
        claims.iter().map(summary).collect::<Vec<_>>(),
        [triple("Trump", "doesn’t think", "that the deal works")]
    );
}

#[test]
fn a_quote_attributed_to_someone_telling_an_addressee() {
    let (_, claims) = claims_of(
        "“There are six voting blocs in the party,” Carson tells Breitbart News.",
        &[("Carson", "PER"), ("Breitbart News", "ORG")],
    );
    assert_eq!(
        claims.iter().map(summary).collect::<Vec<_>>(),
        [triple("Carson", "tells", "“There are six voting blocs in the party,”")]
    );
}

#[test]
fn a_passive_cue_names_no_source() {
    let (_, claims) = claims_of("It was announced that the rally is cancelled.", &[]);
    assert_eq!(claims.len(), 1, "{claims:?}");
    assert_eq!((claims[0].source.as_ref(), claims[0].cue.text.as_str()), (None, "was announced"));
    assert_eq!(claims[0].content.text, "that the rally is cancelled");
}

#[test]
fn a_fronted_participle_phrase_is_not_the_source() {
    let (_, claims) = claims_of(
        "Speaking in Salem, Trump went after Bush, calling him “a total stiff.”",
        &[("Salem", "LOC"), ("Trump", "PER"), ("Bush", "PER")],
    );
    assert_eq!(claims.len(), 1, "{claims:?}");
    assert_eq!(claims[0].source.as_ref().unwrap().text, "Trump");
}

#[test]
fn an_object_content_ends_at_the_first_clause_word_a_reported_clause_runs_on() {
    let (_, claims) = claims_of(
        "Police charged Corey Lewandowski after a video showed the incident.",
        &[("Corey Lewandowski", "PER")],
    );
    assert_eq!(summary(&claims[0]), triple("Police", "charged", "Corey Lewandowski"));
    let (_, claims) =
        claims_of("Clinton acknowledged that she misspoke but noted that experts disagree.", &[("Clinton", "PER")]);
    assert_eq!(
        claims.iter().map(summary).collect::<Vec<_>>(),
        [triple("Clinton", "acknowledged", "that she misspoke"), triple("Clinton", "noted", "that experts disagree")]
    );
}

#[test]
fn a_quotation_opened_in_the_content_runs_to_its_close() {
    let text = "Trump said that ethanol people “do a fantastic job. It’s so important.” Then he left.";
    let (_, claims) = claims_of(text, &[("Trump", "PER")]);
    assert_eq!(claims[0].content.text, "that ethanol people “do a fantastic job. It’s so important.”");
    assert_eq!(claims[0].kind, ClaimKind::Mixed);
}

#[test]
fn a_paragraph_of_quotation_alone_continues_the_previous_speaker() {
    let text = "“We are not sending our best,” Calderon said.\n\n“They are bringing problems. They are bringing crime.”\n\nThe wall was discussed later.";
    let (_, claims) = claims_of(text, &[("Calderon", "PER")]);
    assert_eq!(claims.len(), 1, "{claims:?}");
    assert_eq!(
        parts_of(text, &claims[0]),
        ["“We are not sending our best,”", "“They are bringing problems. They are bringing crime.”"]
    );
}

#[test]
fn a_fronted_question_is_a_claim_without_a_source_and_the_answer_is_another() {
    let text = "Asked if the comments had rattled allies, Ryan said, “Sure.”";
    let (_, claims) = claims_of(text, &[("Ryan", "PER")]);
    assert_eq!(
        claims.iter().map(summary).collect::<Vec<_>>(),
        [triple("", "Asked", "if the comments had rattled allies"), triple("Ryan", "said", "“Sure.”")]
    );
}

#[test]
fn a_report_verb_takes_a_clause_without_that() {
    let (_, claims) = claims_of("A Fox News poll shows Sanders leading Clinton nationally.", &[("Fox News", "ORG")]);
    assert_eq!(
        claims.iter().map(summary).collect::<Vec<_>>(),
        [triple("A Fox News poll", "shows", "Sanders leading Clinton nationally")]
    );
}

#[test]
fn a_time_or_a_passive_agent_alone_is_no_content() {
    let (_, claims) = claims_of(
        "The project is supported by the International Renaissance Foundation.",
        &[("International Renaissance Foundation", "ORG")],
    );
    assert!(claims.is_empty(), "{claims:?}");
    let (_, claims) = claims_of("The interview was published on 1 January.", &[]);
    assert!(claims.is_empty(), "{claims:?}");
}

/// Claims of `text` with the given entities as code point spans, and the sentences found by the
/// segmenter.
fn claims_with_spans(text: &str, spans: &[(usize, usize, &str)]) -> Document {
    let mut doc = Document::new("t", text);
    Segmenter::default().apply(&mut doc);
    let index = CharIndex::new(text);
    doc.entities = spans
        .iter()
        .enumerate()
        .map(|(i, &(start, end, label))| Entity {
            id: format!("e{i}"),
            text: index.slice(start..end).to_string(),
            label: label.to_string(),
            start,
            end,
            score: 1.0,
        })
        .collect();
    ClaimRules::default().apply(&mut doc);
    let violations = contract_violations(&doc);
    assert!(violations.is_empty(), "{violations:?} in {:?}", doc.claims);
    doc
}

#[test]
fn a_cue_and_a_colon_ending_the_text_make_no_claim() {
    // The CoNLL-2003 test sentence that stopped a run over the corpus (one sentence a record).
    let text = "Arafat 's adviser Nabil Abu Rdainah said :";
    let (_, claims) = claims_of(text, &[("Arafat", "PER"), ("Nabil Abu Rdainah", "PER")]);
    assert!(claims.is_empty(), "{claims:?}");
    for text in ["The minister said:", "He said:", "said:", "said :"] {
        let (_, claims) = claims_of(text, &[]);
        assert!(claims.iter().all(|c| c.cue.text != "said:"), "{text}: {claims:?}");
    }
    // With a next line the colon still introduces it.
    let (_, claims) = claims_of("The minister said:\nThe talks are over.", &[]);
    assert_eq!(claims.iter().map(summary).collect::<Vec<_>>(), [triple("The minister", "said:", "The talks are over")]);
}

#[test]
fn an_entity_holding_no_token_start_is_never_a_source() {
    // "U.S" is one word token; an entity "S" inside it (as a model tagging arbitrary words may
    // give) covers no token start, and the coordinated verb once took it as an empty source.
    let doc = claims_with_spans("The U.S ruled and said that the war is over.", &[(6, 7, "ORG")]);
    assert!(doc.claims.iter().all(|c| c.source.as_ref().is_none_or(|s| s.start < s.end)), "{:?}", doc.claims);
    // Before it, an entity that does hold tokens is the agent.
    let doc =
        claims_with_spans("ISW ruled on the U.S and said that the war is over.", &[(0, 3, "ORG"), (18, 19, "ORG")]);
    assert_eq!(doc.claims.iter().map(summary).collect::<Vec<_>>(), [triple("ISW", "said", "that the war is over")]);
}

#[test]
fn an_entity_of_no_length_is_never_a_source() {
    let doc = claims_with_spans("Putin spoke, saying that the war is over.", &[(0, 0, "PER")]);
    let sources: Vec<&str> = doc.claims.iter().filter_map(|c| c.source.as_ref()).map(|s| s.text.as_str()).collect();
    assert_eq!(sources, ["Putin spoke"]);
}

#[test]
#[allow(clippy::single_range_in_vec_init, clippy::reversed_empty_ranges)]
fn the_claim_builder_drops_a_candidate_with_an_empty_reversed_or_out_of_range_span() {
    let text = "ISW said that Putin is preparing an offensive.";
    let tokens = tokenize(&CharIndex::new(text));
    let quotes = find_quotes(&tokens);
    let index = CharIndex::new(text);
    let entities = Entities::new(&[]);
    let builder = ClaimBuilder { tokens: &tokens, quotes: &quotes, entities: &entities, index: &index };
    let candidate = |source: Option<Range<usize>>, cue: Range<usize>, content: Vec<Range<usize>>| Candidate {
        rule: "test",
        kind: None,
        source,
        cue,
        lemma: "say".to_string(),
        content,
        confidence: 1.0,
    };
    assert!(builder.build(&candidate(Some(0..1), 1..2, vec![2..8])).is_some(), "a well-formed candidate is built");
    let malformed = [
        candidate(Some(0..0), 1..2, vec![2..8]),
        candidate(Some(0..1), 2..1, vec![2..8]),
        candidate(Some(0..1), 1..2, vec![]),
        candidate(Some(0..1), 1..2, vec![2..8, 4..4]),
        candidate(Some(0..1), 1..2, vec![5..8, 2..4]),
        candidate(Some(0..1), 1..2, vec![2..99]),
        candidate(None, 1..2, vec![8..2]),
    ];
    for candidate in &malformed {
        assert!(builder.build(candidate).is_none(), "{candidate:?}");
    }
}

#[test]
fn a_long_run_of_commas_before_a_cue_is_not_followed_comma_by_comma() {
    // Each comma before "said" was an appositive to skip, one recursion per comma: 200,000
    // commas overflowed the stack. Run on a small stack so that recursion shows.
    let text = format!("{}said that it rained.", ", ".repeat(200_000));
    let run = std::thread::Builder::new().stack_size(256 * 1024).spawn(move || claims_of(&text, &[]).1.len());
    assert_eq!(run.unwrap().join().unwrap(), 0);
}

/// Seconds the segmenter and the rules take on `text`, the best of three.
fn seconds(text: &str) -> f64 {
    (0..3)
        .map(|_| {
            let started = std::time::Instant::now();
            claims_of(text, &[]);
            started.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min)
}

#[test]
fn the_rules_take_linear_time_on_degenerate_texts() {
    // Each was quadratic or worse: a search from every cue, comma or quotation mark to the
    // sentence end, or a comparison of every claim with every other.
    let patterns = [
        "said ",
        "said , ",
        ", saying ",
        "and said ",
        "“a” — ",
        "\"a\" said ",
        ", ",
        ". ",
        "“ ",
        "He said that it rained. ",
        "has said ",
    ];
    for pattern in patterns {
        let repeats = 40_000 / pattern.split_whitespace().count().max(1) / 4;
        let small = seconds(&pattern.repeat(repeats));
        let large = seconds(&pattern.repeat(repeats * 4));
        // Four times the text: four times the time when linear, sixteen when quadratic. The
        // floor keeps scheduler noise on a loaded machine (a few milliseconds made 0.006 s into
        // a 16x "slowdown") from failing a linear rule; a quadratic one takes seconds here.
        assert!(large < 10.0 * small.max(0.05), "{pattern:?}: {small:.3} s, four times as long: {large:.3} s");
    }
}

#[test]
fn a_learned_claim_the_tagger_is_unsure_of_is_left_out() {
    let text = "ISW said that Putin wants a ceasefire.";
    let with_role_scores = |score: f32, tagged_source: bool| {
        let (mut doc, _) = claims_of(text, &[("ISW", "ORG"), ("Putin", "PER")]);
        let span = |role: Role, words: &str| {
            let start = CharIndex::new(text).char_of_byte(text.find(words).unwrap());
            RoleSpan { role, start, end: start + char_len(words), score }
        };
        let source = tagged_source.then(|| span(Role::Source, "ISW"));
        doc.roles = Some(
            source
                .into_iter()
                .chain([span(Role::Cue, "said"), span(Role::Content, "that Putin wants a ceasefire")])
                .collect(),
        );
        ClaimRules::default().with_grouping(Grouping::Learned).apply(&mut doc);
        doc.claims.iter().map(|claim| (claim.source.is_some(), summary(claim).2)).collect::<Vec<_>>()
    };
    let content = "that Putin wants a ceasefire".to_string();
    assert_eq!(with_role_scores(learned::MIN_CONFIDENCE, true), [(true, content.clone())], "an entity source weighs 1");
    assert!(with_role_scores(learned::MIN_CONFIDENCE - 0.01, true).is_empty());
    // With no source the confidence is the role probability times WITHOUT_SOURCE_WEIGHT, and a
    // floor of its own holds.
    let unsourced_floor = learned::MIN_CONFIDENCE_WITHOUT_SOURCE / WITHOUT_SOURCE_WEIGHT;
    assert_eq!(with_role_scores(unsourced_floor + 0.01, false), [(false, content)]);
    assert!(with_role_scores(unsourced_floor - 0.01, false).is_empty());
}

#[test]
fn cue_classes_keep_only_the_claims_of_those_classes_and_unnest_what_loses_its_parent() {
    let text = "ISW said that talks failed. Analysts believe that Putin claimed that the West is weak.";
    let entities = [("ISW", "ORG"), ("Putin", "PER")];
    let cues_with = |classes: &[&str]| {
        let (mut doc, _) = claims_of(text, &entities);
        let classes: Vec<String> = classes.iter().map(|c| c.to_string()).collect();
        ClaimRules::default().with_cue_classes(&classes).unwrap().apply(&mut doc);
        doc.claims.iter().map(|claim| (claim.cue.text.clone(), claim.parent.is_some())).collect::<Vec<_>>()
    };
    let cue = |text: &str, nested: bool| (text.to_string(), nested);
    assert_eq!(cues_with(&[]), [cue("said", false), cue("believe", false), cue("claimed", true)]);
    assert_eq!(cues_with(&["say", "claim"]), [cue("said", false), cue("claimed", false)]);
    assert_eq!(cues_with(&["believe"]), [cue("believe", false)]);
}

#[test]
fn a_learned_cue_the_lexicon_does_not_know_has_no_class() {
    let text = "Putin aims to convince the West to betray Ukraine.";
    let (mut doc, _) = claims_of(text, &[("Putin", "PER")]);
    let span = |role: Role, words: &str| {
        let start = CharIndex::new(text).char_of_byte(text.find(words).unwrap());
        RoleSpan { role, start, end: start + char_len(words), score: 0.95 }
    };
    doc.roles = Some(vec![
        span(Role::Source, "Putin"),
        span(Role::Cue, "aims to convince"),
        span(Role::Content, "the West to betray Ukraine"),
    ]);
    let all = ClaimRules::default().with_grouping(Grouping::Learned);
    all.apply(&mut doc);
    assert_eq!(doc.claims.len(), 1, "{:?}", doc.claims);
    let every_class: Vec<String> = Lexicon::default().classes().into_iter().map(String::from).collect();
    all.with_cue_classes(&every_class).unwrap().apply(&mut doc);
    assert!(doc.claims.is_empty(), "{:?}", doc.claims);
}

#[test]
fn an_unknown_cue_class_is_refused_naming_it_and_the_known_ones() {
    let err = ClaimRules::default().with_cue_classes(&["say".into(), "speech".into()]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "unknown cue class \"speech\"; the cue table's classes are believe, claim, intend, report, say, seem, warn"
    );
}
