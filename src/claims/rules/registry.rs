//! The rule table: every rule's name, family, confidence and description, in the order the
//! rules run. It is the one place a rule is declared: [`RuleName::as_str`] is what a claim's
//! `rule` says, [`Rule::confidence`] is the confidence its claims start from (`ClaimBuilder`
//! scales it by how sure the source is), and the order of the rows is the rules' priority.

use std::ops::Range;

use super::Found;
use super::{according_to, content_comma, fronted_question, headline, participle, quote_attribution};
use super::{raising, source_cue_content, speaker_label};

/// One row of [`RULES`].
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    name: RuleName,
    family: Family,
    confidence: f32,
    /// The doc comment of the row, as written (with its leading space).
    doc: &'static str,
}

impl Rule {
    pub fn name(&self) -> RuleName {
        self.name
    }

    pub fn family(&self) -> Family {
        self.family
    }

    pub fn confidence(&self) -> f32 {
        self.confidence
    }

    /// What the rule matches, in one line.
    pub fn doc(&self) -> &'static str {
        self.doc.trim()
    }
}

/// Declares [`RuleName`] and [`RULES`] from one list of rows, so that the name a claim carries,
/// the confidence, the description and the order can never disagree. A row is
/// `/// one doc line` then `Variant = "claim-rule-name", Family, confidence;`.
macro_rules! rule_table {
    ($(#[doc = $doc:literal] $name:ident = $id:literal, $family:ident, $confidence:literal;)*) => {
        /// A rule, as [`RULES`] lists it.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum RuleName {
            $(#[doc = $doc] $name,)*
        }

        impl RuleName {
            /// The name a claim found by this rule carries in `rule` (part of the output schema).
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(RuleName::$name => $id,)*
                }
            }
        }

        /// Every rule, in the order they run: where two rules want the same cue, the one listed
        /// first takes it.
        pub const RULES: &[Rule] = &[
            $(Rule { name: RuleName::$name, family: Family::$family, confidence: $confidence, doc: $doc },)*
        ];
    };
}

rule_table! {
    /// "according to SOURCE, CONTENT" and "CONTENT, according to SOURCE".
    AccordingTo = "according-to", AccordingTo, 0.85;
    /// "“CONTENT,” SOURCE CUE": a quotation followed by its attribution.
    QuoteSourceCue = "quote-source-cue", QuoteAttribution, 0.9;
    /// "“CONTENT,” CUE SOURCE": a quotation followed by its inverted attribution.
    QuoteCueSource = "quote-cue-source", QuoteAttribution, 0.9;
    /// "“CONTENT,” he said, “CONTENT.”": a quotation split by its attribution, one claim in two parts.
    SplitQuote = "split-quote", QuoteAttribution, 0.9;
    /// "“CONTENT” ― SOURCE": a quotation signed with a dash and a name.
    QuoteDashSource = "quote-dash-source", QuoteAttribution, 0.75;
    /// "SOURCE: CONTENT" on a title line, the source an entity ("ISW: Putin aims to ...").
    Headline = "headline", Headline, 0.6;
    /// "WALLACE: CONTENT": a transcript speaker in capitals opening a line.
    SpeakerLabel = "speaker-label", SpeakerLabel, 0.7;
    /// "Asked whether CONTENT, Ryan said ...": the question, with no source (or the "by" agent).
    FrontedQuestion = "fronted-question", FrontedQuestion, 0.6;
    /// "CONTENT, SOURCE CUE (in its report)." without quotation marks.
    ContentCommaSourceCue = "content-comma-source-cue", ContentComma, 0.8;
    /// "CONTENT, said SOURCE." without quotation marks, with "say" only.
    ContentCommaCueSource = "content-comma-cue-source", ContentComma, 0.8;
    /// "SOURCE published an article stating that CONTENT": a nominal cue with a participle.
    NominalParticiple = "nominal-participle", Participle, 0.75;
    /// "..., saying that CONTENT": the source is the sentence's subject.
    Participle = "participle", Participle, 0.7;
    /// "the deal seems to be off", "X is expected to win": no source; subject and infinitive as content.
    Raising = "raising", Raising, 0.6;
    /// "SOURCE CUE (that) CONTENT" and "SOURCE CUE: CONTENT" (0.65 without "that" or a colon).
    SourceCueContent = "source-cue-content", SourceCueContent, 0.8;
}

impl RuleName {
    /// The rule's row in [`RULES`].
    pub fn rule(self) -> &'static Rule {
        // `rule_table!` lists the variants and the rows in the same order.
        &RULES[self as usize]
    }

    pub fn confidence(self) -> f32 {
        self.rule().confidence()
    }
}

/// The rules one scan finds, one file under `rules/`: the scan decides, for each match, which of
/// its rules it is ("“X,” he said" or "“X,” said Y").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    AccordingTo,
    QuoteAttribution,
    Headline,
    SpeakerLabel,
    FrontedQuestion,
    ContentComma,
    Participle,
    Raising,
    SourceCueContent,
}

/// How a family's scan is ordered against its neighbours'.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// Over every sentence before the next family starts: its claims come first wherever they
    /// are, even where they reach into the next sentence ("“...?” Clinton said.").
    Document,
    /// Sentence by sentence, in turn with the sentence families next to it in the table: on
    /// each sentence all of them run, in table order, before the next sentence.
    Sentence,
}

impl Family {
    pub fn reach(self) -> Reach {
        match self {
            Family::AccordingTo | Family::QuoteAttribution => Reach::Document,
            _ => Reach::Sentence,
        }
    }

    /// Runs the family's scan on `sentence` (token ranges), given the sentence after it.
    pub fn find(self, found: &mut Found, sentence: Range<usize>, next: Option<&Range<usize>>) {
        let find = match self {
            Family::AccordingTo => according_to::find,
            Family::QuoteAttribution => quote_attribution::find,
            Family::Headline => headline::find,
            Family::SpeakerLabel => speaker_label::find,
            Family::FrontedQuestion => fronted_question::find,
            Family::ContentComma => content_comma::find,
            Family::Participle => participle::find,
            Family::Raising => raising::find,
            Family::SourceCueContent => source_cue_content::find,
        };
        find(found, sentence, next);
    }

    /// The families in the order they run: that of their first rule in [`RULES`].
    pub fn in_order() -> Vec<Family> {
        let mut families: Vec<Family> = Vec::new();
        for rule in RULES {
            if !families.contains(&rule.family()) {
                families.push(rule.family());
            }
        }
        families
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_is_its_own_row_and_names_the_claim_as_before() {
        let names: Vec<&str> = RULES.iter().map(|rule| rule.name().as_str()).collect();
        assert_eq!(
            names,
            [
                "according-to",
                "quote-source-cue",
                "quote-cue-source",
                "split-quote",
                "quote-dash-source",
                "headline",
                "speaker-label",
                "fronted-question",
                "content-comma-source-cue",
                "content-comma-cue-source",
                "nominal-participle",
                "participle",
                "raising",
                "source-cue-content",
            ]
        );
        for rule in RULES {
            assert_eq!(rule.name().rule().name(), rule.name(), "{}", rule.name().as_str());
            assert!(!rule.doc().is_empty() && !rule.doc().contains('\n'), "{}", rule.name().as_str());
            assert!(rule.confidence() > 0.0 && rule.confidence() <= 1.0);
        }
    }

    #[test]
    fn the_rules_of_a_family_are_listed_together() {
        // A family runs once, at the place of its first rule: a rule listed apart from its
        // family would seem to run at a place it does not.
        let mut seen: Vec<Family> = Vec::new();
        for pair in RULES.windows(2) {
            if pair[0].family() != pair[1].family() {
                seen.push(pair[0].family());
                assert!(!seen.contains(&pair[1].family()), "{:?} is split", pair[1].family());
            }
        }
    }

    #[test]
    fn the_families_run_in_the_order_they_always_have() {
        use Family::*;
        assert_eq!(
            Family::in_order(),
            [
                AccordingTo,
                QuoteAttribution,
                Headline,
                SpeakerLabel,
                FrontedQuestion,
                ContentComma,
                Participle,
                Raising,
                SourceCueContent
            ]
        );
        let reaches: Vec<Reach> = Family::in_order().into_iter().map(Family::reach).collect();
        assert_eq!(reaches[..2], [Reach::Document, Reach::Document]);
        assert!(reaches[2..].iter().all(|&reach| reach == Reach::Sentence));
    }
}
