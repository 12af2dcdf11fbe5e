//! The grammar the rules share, over the word tokens of one document: where a cue is used as a
//! verb, the subject before it, the noun phrase after it, where its content ends, and whether
//! an attribution follows a quotation or a comma.
//!
//! Nothing here claims anything: [`Grammar`] only reads the tokens, so a rule family asks it
//! questions and decides itself (see `registry.rs` for the families).

use std::cell::RefCell;
use std::ops::Range;

use super::super::entities::Entities;
use super::super::lexicon::{CueEntry, CueKind, Lexicon};
use super::super::quotes::{Quote, Quotes};
use super::super::runs::Runs;
use super::super::tokens::Token;
use super::words::WORDS;
use crate::document::Entity;

/// The longest source a rule takes, in tokens.
pub(super) const MAX_SOURCE_TOKENS: usize = 9;

/// Appositives skipped between a subject and its verb ("Trump, speaking to a veterans group,
/// said"); past this many, a run of commas is not a subject.
const MAX_APPOSITIVES: usize = 8;

/// "SOURCE CUE" or "CUE SOURCE" found after a content: the spans, the cue's entry, and the
/// token where the attribution ends.
pub(super) struct RuleMatch<'e> {
    pub(super) source: Range<usize>,
    pub(super) cue: Range<usize>,
    pub(super) entry: &'e CueEntry,
    pub(super) end: usize,
}

/// Where the tokens the rules search for lie, so that a search from a cue to the next one costs
/// a binary search, not the distance (see `runs`).
#[derive(Default)]
pub(super) struct Marks {
    pub(super) line_starts: Runs,
    pub(super) punct: Runs,
    /// "." "!" "?": where an attribution after a quotation ends.
    pub(super) stops: Runs,
    /// What a content leaves out at a sentence's end.
    sentence_ends: Runs,
    pub(super) commas: Runs,
    /// Pronouns that can stand for the agent of a coordinated verb.
    agent_pronouns: Runs,
    /// Closing marks and commas between a quotation and its attribution.
    closing_marks: Runs,
    /// Object ends (`words.tsv`) outside quotations.
    pub(super) object_ends: Runs,
    /// Nominal cues ending a content, as `Grammar::phrase_cue_at` reads them with nothing cut off.
    phrase_cues: Runs,
    /// Second cues starting an attribution of their own, as `Grammar::join_at` reads them with
    /// nothing cut off.
    joins: Runs,
}

/// One document's tokens, quotations, entities and cues, with the questions the rules ask of them.
pub struct Grammar<'a> {
    pub(super) tokens: &'a [Token],
    quotes: &'a Quotes,
    entities: &'a Entities<'a>,
    lexicon: &'a Lexicon,
    pub(super) marks: Marks,
    /// For the sentence `content_after` last worked in: the commas followed by an attribution
    /// that closes the sentence.
    closing_commas: RefCell<Option<(Range<usize>, Runs)>>,
}

impl<'a> Grammar<'a> {
    pub fn new(tokens: &'a [Token], quotes: &'a Quotes, entities: &'a Entities<'a>, lexicon: &'a Lexicon) -> Self {
        let mut grammar =
            Grammar { tokens, quotes, entities, lexicon, marks: Marks::default(), closing_commas: RefCell::new(None) };
        let all = 0..tokens.len();
        let text = |i: usize| tokens[i].text.as_str();
        grammar.marks = Marks {
            line_starts: Runs::new(all.clone(), |i| tokens[i].newline_before),
            punct: Runs::new(all.clone(), |i| tokens[i].is_punct()),
            stops: Runs::new(all.clone(), |i| matches!(text(i), "." | "!" | "?")),
            sentence_ends: Runs::new(all.clone(), |i| matches!(text(i), "." | "!" | "?" | "…" | ";")),
            commas: Runs::new(all.clone(), |i| grammar.lower(i) == ","),
            agent_pronouns: Runs::new(all.clone(), |i| matches!(grammar.lower(i), "he" | "she" | "they" | "it")),
            closing_marks: Runs::new(all.clone(), |i| matches!(text(i), "," | "”" | "\"" | "’" | "»" | "''")),
            object_ends: Runs::new(all.clone(), |i| {
                WORDS.object_ends.contains(grammar.lower(i)) && !grammar.inside_quote(i)
            }),
            phrase_cues: Runs::new(all.clone(), |i| grammar.phrase_cue_at(i, tokens.len())),
            joins: Runs::new(all, |i| grammar.join_at(i, tokens.len())),
        };
        grammar
    }

    /// The cue starting at token `i`, reading no further than `end`.
    pub(super) fn cue_at(&self, i: usize, end: usize) -> Option<&'a CueEntry> {
        let end = end.min(self.tokens.len()).min(i + 4);
        if i >= end {
            return None;
        }
        let words: Vec<&str> = self.tokens[i..end].iter().map(|t| t.lower.as_str()).collect();
        self.lexicon.match_at(&words)
    }

    /// A nominal cue ("in an interview") at `j` outside quotations, which ends a content.
    fn phrase_cue_at(&self, j: usize, end: usize) -> bool {
        self.cue_at(j, end).is_some_and(|entry| entry.kind == CueKind::Phrase && entry.lemma != "according to")
            && !self.inside_quote(j)
    }

    /// "and warned", ", adding": at `j`, a second cue that starts an attribution of its own.
    fn join_at(&self, j: usize, to: usize) -> bool {
        let coordinated = matches!(self.lower(j), "and" | "but")
            && j + 1 < to
            && self.cue_at(j + 1, to).is_some_and(|e| e.kind == CueKind::Verb && !e.is_participle());
        let participle =
            self.lower(j) == "," && j + 1 < to && self.cue_at(j + 1, to).is_some_and(CueEntry::is_participle);
        (coordinated || participle) && !self.inside_quote(j)
    }

    /// Punctuation that belongs inside a name or noun phrase: the period of "Mr." or "U.S.", a
    /// hyphen, an apostrophe, an ampersand.
    fn inside_name(&self, i: usize) -> bool {
        let token = &self.tokens[i];
        match token.text.as_str() {
            "." => self.abbreviation_period(i),
            "-" | "’" | "'" | "&" => true,
            _ => !token.is_punct(),
        }
    }

    /// The period of an abbreviation: right after a capitalised word of at most three
    /// characters ("Mr.", "U.S.", "Св."), code points counted, not bytes.
    fn abbreviation_period(&self, i: usize) -> bool {
        self.tokens[i].text == "."
            && i > 0
            && self.tokens[i - 1].end == self.tokens[i].start
            && self.tokens[i - 1].len_chars() <= 3
            && self.tokens[i - 1].is_capitalised()
    }

    /// The index of the "(" that opens the group closing at `close`, when the group is short.
    fn parenthesis_open(&self, close: usize, start: usize) -> Option<usize> {
        if self.tokens[close].text != ")" {
            return None;
        }
        (start..close).rev().take(8).find(|&j| self.tokens[j].text == "(")
    }

    /// Whether the cue word at `i` is used as a verb: not capitalised inside a sentence (a name
    /// such as "The New York Post"), not after a determiner, preposition or possessive (a noun
    /// such as "the claims", "his remarks", "to say").
    pub(super) fn used_as_verb(&self, i: usize, sentence_start: usize) -> bool {
        if i > sentence_start && self.tokens[i].is_capitalised() {
            return false;
        }
        if i == sentence_start {
            return true;
        }
        let before = self.lower(i - 1);
        if WORDS.determiners.contains(before) && before != "that" {
            return false;
        }
        if matches!(before, "to" | "of" | "in" | "for" | "with" | "by" | "on" | "at" | "from" | "about" | "whose") {
            return false;
        }
        !(before.ends_with("’s") || before.ends_with("'s"))
    }

    pub(super) fn lower(&self, i: usize) -> &str {
        &self.tokens[i].lower
    }

    /// The cue with the words PolNeAR counts as part of it: auxiliaries and adverbs between the
    /// source and the verb ("has said", "also said"), a colon right after it ("said:"), and a
    /// weekday right after it ("said Friday").
    pub(super) fn extended_cue(&self, cue: Range<usize>, source: Option<&Range<usize>>) -> Range<usize> {
        let floor = source.filter(|s| s.end <= cue.start).map_or(0, |s| s.end);
        let mut start = cue.start;
        while start > floor && WORDS.auxiliaries.contains(self.lower(start - 1)) {
            start -= 1;
        }
        let mut end = cue.end;
        if end < self.tokens.len() && matches!(self.lower(end), "about" | "against" | "as" | "of") && end == cue.end {
            end += 1;
        }
        let colon = end < self.tokens.len()
            && self.tokens[end].text == ":"
            && self.tokens[end].start == self.tokens[end - 1].end;
        if colon || (end < self.tokens.len() && WORDS.weekdays.contains(self.lower(end))) {
            end += 1;
        }
        start..end
    }

    /// End of a sentence's content: before a final period, but keeping a closing quote after it.
    pub(super) fn content_end(&self, sentence: &Range<usize>) -> usize {
        if sentence.is_empty() {
            return sentence.end;
        }
        self.marks.sentence_ends.run_ending_at(sentence.end).map_or(sentence.end, |start| start.max(sentence.start))
    }

    /// The quotation that closes at token `i`, if any.
    pub(super) fn quote_closing_at(&self, i: usize) -> Option<&'a Quote> {
        self.quotes.closing_at(i)
    }

    pub(super) fn quote_opening_at(&self, i: usize) -> Option<&'a Quote> {
        self.quotes.opening_at(i)
    }

    /// A content that starts at `start` but holds the end of a quotation opened before it starts
    /// at that quotation's opening mark.
    pub(super) fn extend_to_quote_start(&self, start: usize, end: usize) -> usize {
        // Quotations do not overlap, so only the last one opening before `start` can hold it.
        self.quotes.opening_before(start).filter(|q| q.close >= start && q.close < end).map_or(start, |q| q.open)
    }

    /// Paragraphs that are nothing but a quotation, right after the paragraph that attributes
    /// one: the news convention (and PolNeAR's) gives them to the same speaker. `from` is where
    /// the attribution ends; what is left of its paragraph must be punctuation.
    pub(super) fn continued_quotes(&self, from: usize) -> Vec<Range<usize>> {
        let mut parts = Vec::new();
        let mut at = from;
        while parts.len() < 3 {
            let Some(next) = self.marks.line_starts.next_from(at) else { break };
            if self.marks.punct.next_without_from(at) < next {
                break;
            }
            let Some(quote) = self.quote_opening_at(next).copied() else { break };
            let whole_paragraph = quote.close + 1 == self.tokens.len() || self.tokens[quote.close + 1].newline_before;
            if !whole_paragraph || quote.close <= quote.open + 1 {
                break;
            }
            parts.push(quote.open..quote.close + 1);
            at = quote.close + 1;
        }
        parts
    }

    /// After a quotation or a comma: "SOURCE CUE" or "CUE SOURCE" running to the end of the
    /// clause (the sentence end, a comma, or a phrase like "in its daily report"). Returns the
    /// source, the cue, its entry, and where the attribution ends.
    pub(super) fn attribution_after(&self, start: usize, end: usize) -> Option<RuleMatch<'a>> {
        let at = self.marks.closing_marks.next_without_from(start).min(end);
        if at >= end {
            return None;
        }
        // CUE SOURCE: "said Zelensky", "said the spokesman for the Kremlin".
        if let Some(entry) =
            self.cue_at(at, end).filter(|e| e.has_holder() && !e.is_participle() && !self.tokens[at].is_capitalised())
        {
            let cue = at..at + entry.words.len();
            let source_end = self.noun_phrase_end(cue.end, end);
            // "said a spokesman", "said Zelensky"; "says he didn't know" is a content, not a source.
            let named = source_end > cue.end && !WORDS.pronouns.contains(self.lower(cue.end));
            if named && self.clause_ends(source_end, end) && self.is_noun_phrase(cue.end..source_end) {
                return Some(RuleMatch { source: cue.end..source_end, cue: cue.clone(), entry, end: source_end });
            }
        }
        // SOURCE CUE: "ISW said", "the ministry said in a statement".
        let mut cue_at = at;
        let mut in_parenthesis = false;
        while cue_at + 1 < end.min(at + MAX_SOURCE_TOKENS + 4) {
            cue_at += 1;
            match self.tokens[cue_at].text.as_str() {
                "(" => in_parenthesis = true,
                ")" => in_parenthesis = false,
                _ => {}
            }
            if in_parenthesis || self.tokens[cue_at].text == ")" {
                continue;
            }
            if !self.inside_name(cue_at) {
                break;
            }
            // The first cue word decides: "ISW said in its daily report" ends at "said".
            let Some(entry) = self.cue_at(cue_at, end).filter(|e| e.has_holder()) else {
                continue;
            };
            if !self.used_as_verb(cue_at, at) {
                break;
            }
            let mut source_end = cue_at;
            while source_end > at && WORDS.auxiliaries.contains(self.lower(source_end - 1)) {
                source_end -= 1;
            }
            let cue = cue_at..cue_at + entry.words.len();
            // "Carson tells Breitbart News", "he told reporters": the addressee closes the attribution.
            let addressee_end = if entry.lemma == "tell" { self.noun_phrase_end(cue.end, end) } else { cue.end };
            if source_end > at && self.clause_ends(addressee_end, end) && self.is_noun_phrase(at..source_end) {
                return Some(RuleMatch { source: at..source_end, cue, entry, end: addressee_end });
            }
            break;
        }
        None
    }

    /// ", SOURCE CUE." or ", CUE SOURCE." from `at` to the end of the sentence.
    fn attribution_closes_sentence(&self, at: usize, end: usize) -> bool {
        self.attribution_after(at, end)
            .is_some_and(|found| found.end >= end || WORDS.phrase_starts.contains(self.lower(found.end)))
    }

    /// Whether what follows `at` up to `end` closes the attribution: nothing, a comma, or a
    /// prepositional or time phrase.
    fn clause_ends(&self, at: usize, end: usize) -> bool {
        at >= end
            || matches!(self.tokens[at].text.as_str(), "," | "." | ";" | ":" | "!" | "?" | "”" | "\"" | "''")
            || WORDS.phrase_starts.contains(self.lower(at))
            || self.lower(at) == "of"
    }

    /// End of a noun phrase starting at `start`: up to punctuation, a phrase start such as
    /// "in" or "on", or a cue.
    pub(super) fn noun_phrase_end(&self, start: usize, end: usize) -> usize {
        let mut at = start;
        while at < end && at < start + MAX_SOURCE_TOKENS {
            let token = &self.tokens[at];
            let abbreviation_period = at > start && self.abbreviation_period(at);
            if (token.is_punct() && !abbreviation_period && token.text != "-" && token.text != "’" && token.text != "'")
                || (at > start && WORDS.phrase_starts.contains(token.lower.as_str()) && token.lower != "to")
                || WORDS.clause_boundaries.contains(token.lower.as_str())
            {
                break;
            }
            at += 1;
        }
        at
    }

    /// A word ending in "-ing" outside any entity opens a participle phrase ("Speaking at a rally,
    /// ...", "Having ..."), not a name ("Xi Jinping", "Manning").
    pub(super) fn opens_participle_phrase(&self, i: usize) -> bool {
        let token = &self.tokens[i];
        token.has_ing_form() && !self.entities.covering(token.start, token.end)
    }

    /// A plausible source: not starting with a clause word, and either an entity, a pronoun,
    /// a capitalised name, or a determiner-led phrase ("a senior official", "the ministry").
    pub(super) fn is_noun_phrase(&self, span: Range<usize>) -> bool {
        if span.is_empty() || span.len() > MAX_SOURCE_TOKENS + 4 {
            return false;
        }
        let first = self.lower(span.start);
        if WORDS.clause_boundaries.contains(first)
            || WORDS.phrase_starts.contains(first)
            || self.opens_participle_phrase(span.start)
        {
            return false;
        }
        if span.clone().any(|i| {
            self.tokens[i].is_punct()
                && !matches!(self.tokens[i].text.as_str(), "." | "-" | "’" | "'" | "(" | ")" | "&")
        }) {
            return false;
        }
        // A verb inside means the span runs into a clause: "it is a (show)".
        if span.clone().skip(1).any(|i| WORDS.be_forms.contains(self.lower(i))) {
            return false;
        }
        WORDS.pronouns.contains(first)
            || WORDS.determiners.contains(first)
            || self.tokens[span.start].is_capitalised()
            || self.entity_in(span.clone()).is_some()
            || span.len() <= 3
    }

    pub(super) fn entity_in(&self, span: Range<usize>) -> Option<&'a Entity> {
        if span.is_empty() || span.end > self.tokens.len() {
            return None;
        }
        self.entities.within(self.tokens[span.start].start, self.tokens[span.end - 1].end)
    }

    /// The tokens that start inside an entity; empty when it holds no token start (an entity
    /// inside a word token such as "U.S", or of no length).
    fn entity_tokens(&self, entity: &Entity) -> Range<usize> {
        let first = self.tokens.partition_point(|t| t.start < entity.start);
        let last = self.tokens.partition_point(|t| t.start < entity.end);
        first..last.max(first)
    }

    /// Start of a fronted content: the sentence start, past a leading conjunction.
    pub(super) fn clause_start(&self, start: usize, end: usize) -> usize {
        let start = self.extend_to_quote_start(start, end);
        if start + 1 < end && matches!(self.lower(start), "but" | "and" | "so") {
            start + 1
        } else {
            start
        }
    }

    pub(super) fn inside_quote(&self, i: usize) -> bool {
        self.quotes.strictly_inside(i)
    }

    /// The subject of a sentence: past a fronted phrase that ends in a comma, the first entity,
    /// pronoun or determiner-led phrase before `limit`.
    pub(super) fn sentence_subject(&self, start: usize, limit: usize) -> Option<Range<usize>> {
        let mut at = start;
        if let Some(comma) = self.marks.commas.first_in(start..limit) {
            let fronted = !self.tokens[start].is_capitalised()
                || WORDS.phrase_starts.contains(self.lower(start))
                || self.opens_participle_phrase(start)
                || matches!(self.lower(start), "however" | "recently" | "meanwhile" | "still" | "instead" | "moreover");
            if fronted && comma + 1 < limit {
                at = comma + 1;
            }
        }
        // An entity or pronoun opening the clause is the subject, whatever follows it.
        let entity_start = if WORDS.determiners.contains(self.lower(at)) { at + 1 } else { at };
        // An entity of no length names nobody.
        if let Some(entity) = self.entities.starting_at(self.tokens[entity_start].start, |e| e.end > e.start) {
            let end = self.tokens.partition_point(|t| t.start < entity.end);
            return Some(at..end.min(limit));
        }
        if WORDS.pronouns.contains(self.lower(at)) {
            return Some(at..at + 1);
        }
        let end = self.noun_phrase_end(at, limit);
        (end > at && self.is_noun_phrase(at..end)).then_some(at..end)
    }

    /// Content after a cue: from "that" when it comes within a few words (past "told reporters",
    /// "said in a statement"), past a colon, else straight after the cue; to the end of the
    /// sentence or a trailing nominal cue ("in an interview with ...").
    pub(super) fn content_after(&self, start: usize, sentence: &Range<usize>) -> Range<usize> {
        let end = self.content_end(sentence);
        if start >= end {
            return start..start;
        }
        let mut from = start;
        if matches!(self.tokens[start].text.as_str(), ":" | ",") {
            from = start + 1;
        } else if let Some(that) = (start..end.min(start + 7)).find(|&j| self.lower(j) == "that") {
            if self.leads_to_that(start..that) {
                from = that;
            }
        }
        // The marks hold what a cue reads with nothing cut off, which is what it reads here
        // unless it starts within a few tokens of the limit; those few are read again.
        let cut = (from + 3).max(end.saturating_sub(3));
        let phrase =
            self.marks.phrase_cues.first_in(from + 3..cut).or_else(|| (cut..end).find(|&j| self.phrase_cue_at(j, end)));
        let mut to = phrase.unwrap_or(end);
        // "said A and warned B", "said A, adding B": the second cue starts an attribution of its own.
        let cut = (from + 2).max(to.saturating_sub(4));
        if let Some(join) =
            self.marks.joins.first_in(from + 2..cut).or_else(|| (cut..to).find(|&j| self.join_at(j, to)))
        {
            to = if join > from && self.lower(join - 1) == "," { join - 1 } else { join };
        }
        // A trailing ", SOURCE CUE" belongs to another attribution.
        if let Some(comma) = self.closing_comma(sentence, from + 1..to) {
            // "...statehood,” ISW reported": the comma and the closing quote stay with the content.
            to = if self.quote_closing_at(comma + 1).is_some() { comma + 2 } else { comma };
        }
        // "said that “ethanol people” “do a fantastic job. And it’s so important.”": a quotation
        // opened in the content runs to its closing mark, past the sentence end.
        if to == end {
            // Quotations do not overlap and `to` is inside the sentence, so only the last one
            // opening before `to` can run past the sentence's end.
            if let Some(quote) = self.quotes.opening_before(to).filter(|q| from <= q.open && q.close >= sentence.end) {
                to = quote.close + 1;
            }
        }
        from..to
    }

    /// The first comma in `range` that an attribution closing `sentence` follows: "...,
    /// SOURCE CUE." Worked out once per sentence, for all the cues in it.
    fn closing_comma(&self, sentence: &Range<usize>, range: Range<usize>) -> Option<usize> {
        let end = self.content_end(sentence);
        let mut cache = self.closing_commas.borrow_mut();
        if cache.as_ref().is_none_or(|(cached, _)| cached != sentence) {
            let commas = Runs::new(sentence.start..end, |j| {
                self.lower(j) == "," && self.attribution_closes_sentence(j + 1, end)
            });
            *cache = Some((sentence.clone(), commas));
        }
        let (_, commas) = cache.as_ref()?;
        // Contents start after their cue, inside the sentence.
        debug_assert!(range.start >= sentence.start && range.end <= end);
        commas.first_in(range)
    }

    /// Whether the words between a cue and a "that" belong to the cue's frame, so the content
    /// starts at "that": an addressee ("told reporters that") or a setting ("said in a
    /// statement Tuesday that"). A clause between ("think Obama won, but that ...", "wants
    /// voters to know that ...") means the content starts at the cue.
    fn leads_to_that(&self, between: Range<usize>) -> bool {
        let clause_word = between.clone().any(|j| {
            matches!(self.lower(j), "to" | "," | "and" | "but" | "." | ";" | ":" | "“" | "\"")
                || self.cue_at(j, between.end).is_some_and(|e| e.kind == CueKind::Verb)
        });
        let setting = !between.is_empty() && WORDS.phrase_starts.contains(self.lower(between.start));
        !clause_word && (between.len() <= 3 || setting)
    }

    /// The noun phrase that ends right before `verb` (past auxiliaries): "ISW also said".
    pub(super) fn subject_before(&self, verb: usize, start: usize) -> Option<Range<usize>> {
        self.subject_before_appositives(verb, start, 0)
    }

    /// `subject_before`, `skipped` appositives away from the verb.
    fn subject_before_appositives(&self, verb: usize, start: usize, skipped: usize) -> Option<Range<usize>> {
        let mut end = verb;
        while end > start && WORDS.auxiliaries.contains(self.lower(end - 1)) {
            end -= 1;
        }
        // "Trump, speaking to a veterans group, said": skip the appositive between commas.
        if end > start + 1 && self.lower(end - 1) == "," {
            if skipped >= MAX_APPOSITIVES {
                return None;
            }
            if let Some(comma) = (start..end - 1).rev().take(16).find(|&j| self.lower(j) == ",") {
                let subject = self.subject_before_appositives(comma, start, skipped + 1);
                if subject.as_ref().is_some_and(|s| {
                    self.entity_in(s.clone()).is_some() || WORDS.pronouns.contains(self.lower(s.start))
                }) {
                    return subject;
                }
            }
            return None;
        }
        let mut begin = end;
        while begin > start && end - begin < MAX_SOURCE_TOKENS + 4 {
            if let Some(open) = self.parenthesis_open(begin - 1, start) {
                begin = open;
                continue;
            }
            let token = &self.tokens[begin - 1];
            if !self.inside_name(begin - 1) || WORDS.clause_boundaries.contains(token.lower.as_str()) {
                break;
            }
            begin -= 1;
        }
        // A fronted phrase glued to the subject ("In a meeting with troops Putin said") is rare;
        // a leading preposition means the scan went too far, so keep from the last capital.
        while begin < end && WORDS.phrase_starts.contains(self.lower(begin)) {
            begin = (begin + 1..end)
                .find(|&i| self.tokens[i].is_capitalised() || WORDS.determiners.contains(self.lower(i)))
                .unwrap_or(end);
        }
        if begin < end && self.is_noun_phrase(begin..end) {
            return Some(begin..end);
        }
        // Coordinated verbs ("Putin identified ... and implied that"): the nearest person,
        // organisation or pronoun before the verb in the sentence.
        if begin == end && end > start && matches!(self.lower(end - 1), "and" | "but") {
            return self.nearest_agent_before(end - 1, start);
        }
        None
    }

    fn nearest_agent_before(&self, before: usize, start: usize) -> Option<Range<usize>> {
        let (from, to) = (self.tokens[start].start, self.tokens[before].start);
        // An entity that holds no token start cannot be a source span.
        let named = |e: &Entity| !self.entity_tokens(e).is_empty();
        if let Some(entity) = self.entities.last_labelled_within(from, to, &["PER", "ORG"], named) {
            return Some(self.entity_tokens(entity));
        }
        self.marks.agent_pronouns.last_before(before).filter(|&i| i >= start).map(|i| i..i + 1)
    }

    /// A past participle after a form of "be", adverbs allowed between: "is expected", "was
    /// widely believed", "are said".
    pub(super) fn passive_participle(&self, i: usize, sentence_start: usize) -> bool {
        let word = self.lower(i);
        let participle = word.ends_with("ed") || matches!(word, "said" | "thought" | "known" | "seen" | "told");
        let mut before = (sentence_start.max(i.saturating_sub(3))..i).rev().take_while(|&j| {
            WORDS.be_forms.contains(self.lower(j))
                || WORDS.auxiliaries.contains(self.lower(j))
                || self.lower(j).ends_with("ly")
        });
        participle && before.any(|j| WORDS.be_forms.contains(self.lower(j)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claims::quotes::find_quotes;
    use crate::claims::tokens::tokenize;
    use crate::offsets::CharIndex;

    /// A text's tokens and quotations, to ask its grammar questions (no entities).
    struct Sample {
        text: &'static str,
        tokens: Vec<Token>,
        quotes: Quotes,
        lexicon: Lexicon,
    }

    impl Sample {
        fn new(text: &'static str) -> Self {
            let tokens = tokenize(&CharIndex::new(text));
            let quotes = find_quotes(&tokens);
            Sample { text, tokens, quotes, lexicon: Lexicon::default() }
        }

        fn grammar<'s>(&'s self, entities: &'s Entities<'s>) -> Grammar<'s> {
            Grammar::new(&self.tokens, &self.quotes, entities, &self.lexicon)
        }

        /// The token of the first `word`.
        fn at(&self, word: &str) -> usize {
            self.tokens.iter().position(|t| t.text == word).unwrap_or_else(|| panic!("no {word:?}"))
        }

        fn all(&self) -> Range<usize> {
            0..self.tokens.len()
        }

        fn words(&self, range: Range<usize>) -> String {
            if range.is_empty() {
                return String::new();
            }
            CharIndex::new(self.text).slice(self.tokens[range.start].start..self.tokens[range.end - 1].end).to_string()
        }
    }

    #[test]
    fn a_noun_phrase_ends_at_punctuation_a_phrase_or_a_clause_word() {
        let s = Sample::new("said a senior official in Kyiv, and Mr. Smith that day.");
        let (entities, after) = (Entities::new(&[]), |word| s.at(word) + 1);
        let g = s.grammar(&entities);
        assert_eq!(s.words(after("said")..g.noun_phrase_end(after("said"), s.tokens.len())), "a senior official");
        // The period of "Mr." belongs to the name.
        assert_eq!(s.words(after("and")..g.noun_phrase_end(after("and"), s.tokens.len())), "Mr. Smith");
    }

    #[test]
    fn an_abbreviation_period_counts_characters_not_bytes() {
        // "Дж." is three characters but five bytes: it abbreviates like "Mr." does.
        let s = Sample::new("said Mr. Smith and Дж. Байден and Jones. Then");
        let (entities, after) = (Entities::new(&[]), |word| s.at(word) + 1);
        let g = s.grammar(&entities);
        assert_eq!(s.words(after("and")..g.noun_phrase_end(after("and"), s.tokens.len())), "Дж. Байден");
        assert_eq!(s.words(after("said")..g.noun_phrase_end(after("said"), s.tokens.len())), "Mr. Smith");
        let jones = s.at("Jones");
        assert!(!g.inside_name(jones + 1), "\"Jones\" is longer than an abbreviation");
        assert!(g.inside_name(s.at("Дж") + 1));
    }

    #[test]
    fn the_subject_before_a_verb_skips_auxiliaries_a_leading_phrase_and_an_appositive() {
        let s = Sample::new("Yesterday ISW also said that it rained.");
        let entities = Entities::new(&[]);
        let g = s.grammar(&entities);
        // A leading time word is a phrase of its own, not part of the subject.
        assert_eq!(g.subject_before(s.at("said"), 0).map(|r| s.words(r)), Some("ISW".into()));

        let s = Sample::new("He, speaking to a veterans group, said it rained.");
        let g = s.grammar(&entities);
        assert_eq!(g.subject_before(s.at("said"), 0).map(|r| s.words(r)), Some("He".into()));
    }

    #[test]
    fn a_content_starts_at_a_near_that_and_ends_before_a_nominal_cue_or_the_period() {
        let s = Sample::new("He told reporters that the war would end.");
        let entities = Entities::new(&[]);
        let g = s.grammar(&entities);
        assert_eq!(s.words(g.content_after(s.at("told") + 1, &s.all())), "that the war would end");

        let s = Sample::new("He said the talks were over in an interview with CNN.");
        let g = s.grammar(&entities);
        assert_eq!(s.words(g.content_after(s.at("said") + 1, &s.all())), "the talks were over");
    }

    #[test]
    fn an_attribution_after_a_quotation_reads_either_way_round() {
        for (text, source) in
            [("“We will win,” said Zelensky.", "Zelensky"), ("“We will win,” the minister said.", "the minister")]
        {
            let s = Sample::new(text);
            let entities = Entities::new(&[]);
            let g = s.grammar(&entities);
            let after = s.at("”") + 1;
            let found = g.attribution_after(after, s.tokens.len() - 1).expect(text);
            assert_eq!(
                (s.words(found.source), s.words(found.cue), found.entry.lemma.as_str()),
                (source.into(), "said".into(), "say")
            );
        }
    }

    #[test]
    fn a_cue_word_after_a_determiner_or_a_preposition_is_a_noun() {
        let s = Sample::new("ISW claims that the claims of a report to say so are wrong.");
        let entities = Entities::new(&[]);
        let g = s.grammar(&entities);
        assert!(g.used_as_verb(s.at("claims"), 0));
        assert!(!g.used_as_verb(s.at("claims") + 3, 0), "the claims");
        assert!(!g.used_as_verb(s.at("say"), 0), "to say");
    }

    #[test]
    fn a_cue_takes_its_auxiliaries_and_a_weekday_after_it() {
        let s = Sample::new("ISW has also said Friday that it rained.");
        let entities = Entities::new(&[]);
        let g = s.grammar(&entities);
        let said = s.at("said");
        assert_eq!(s.words(g.extended_cue(said..said + 1, Some(&(0..1)))), "has also said Friday");
    }

    #[test]
    fn a_passive_participle_follows_a_form_of_be() {
        let entities = Entities::new(&[]);
        let s = Sample::new("Trump is widely expected to win.");
        assert!(s.grammar(&entities).passive_participle(s.at("expected"), 0));
        let s = Sample::new("Trump expected to win.");
        assert!(!s.grammar(&entities).passive_participle(s.at("expected"), 0));
    }
}
