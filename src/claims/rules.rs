//! The attribution patterns, over the word tokens of one document.
//!
//! Each rule anchors on a cue and looks for the source and the content around it:
//! - `according-to`: "according to SOURCE, CONTENT" and "CONTENT, according to SOURCE".
//! - `quote-*`: a quotation followed by its attribution ("“...,” SOURCE CUE" or "“...,” CUE
//!   SOURCE"), a second quotation after it making a split quote.
//! - `content-comma-*`: "CONTENT, SOURCE CUE (in its report)." and "CONTENT, CUE SOURCE."
//! - `headline`: a title line "SOURCE: CONTENT".
//! - `participle`: "..., saying that CONTENT", the source being the subject of the sentence;
//!   with a nominal head, "SOURCE published an article stating that ...".
//! - `fronted-question`: "Asked whether ..., Ryan said ...": the question, with no source (or
//!   the "by" agent).
//! - `raising`: "the deal seems to be off", "Trump is expected to win": no source; the subject
//!   and the complement as a two-part content.
//! - `source-cue-content`: "SOURCE CUE (that) CONTENT", "SOURCE CUE: CONTENT".
//!
//! Rules run in that order and a cue serves one claim. They were tuned on PolNeAR train; see
//! `claimtag eval-claims`.

// A content is a list of parts, and most have one: `vec![start..end]` says that.
#![allow(clippy::single_range_in_vec_init)]

use std::cell::RefCell;
use std::ops::Range;

use super::entities::Entities;
use super::lexicon::{CueEntry, CueKind, Lexicon};
use super::quotes::{Quote, Quotes};
use super::runs::Runs;
use super::tokens::Token;
use crate::document::{ClaimKind, Entity};

/// "SOURCE CUE" or "CUE SOURCE" found after a content: the spans, the cue's entry, and the
/// token where the attribution ends.
pub struct AttributionSpan<'e> {
    source: Range<usize>,
    cue: Range<usize>,
    entry: &'e CueEntry,
    end: usize,
}

/// A claim in token indices, before offsets, ids and sources are settled.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub rule: &'static str,
    pub kind: Option<ClaimKind>,
    pub source: Option<Range<usize>>,
    pub cue: Range<usize>,
    pub lemma: String,
    pub content: Vec<Range<usize>>,
    pub confidence: f32,
}

/// Words between a subject and its verb that belong to neither: "ISW also said", "he has warned".
const AUXILIARIES: &[&str] = &[
    "has",
    "have",
    "had",
    "also",
    "will",
    "would",
    "could",
    "may",
    "might",
    "did",
    "does",
    "do",
    "is",
    "was",
    "were",
    "are",
    "later",
    "previously",
    "recently",
    "further",
    "again",
    "then",
    "repeatedly",
    "reportedly",
    "earlier",
    "separately",
    "once",
    "often",
    "publicly",
    "privately",
    "never",
    "not",
    "just",
    "even",
    "still",
    "already",
    "been",
    "don’t",
    "don't",
    "doesn’t",
    "doesn't",
    "didn’t",
    "didn't",
    "won’t",
    "won't",
    "wouldn’t",
    "wouldn't",
    "can’t",
    "can't",
    "couldn’t",
    "couldn't",
    "hasn’t",
    "hasn't",
    "haven’t",
    "haven't",
    "hadn’t",
    "hadn't",
    "isn’t",
    "isn't",
    "wasn’t",
    "wasn't",
];

/// Words that end a subject noun phrase when scanning left from a verb.
const CLAUSE_BOUNDARIES: &[&str] = &[
    "that",
    "and",
    "but",
    "or",
    "however",
    "while",
    "because",
    "as",
    "when",
    "if",
    "though",
    "although",
    "so",
    "where",
    "after",
    "before",
    "since",
    "than",
    "then",
    "whether",
    "meanwhile",
    "what",
    "why",
    "how",
    "yet",
    "nor",
    "said",
    "says",
];

const PRONOUNS: &[&str] = &["he", "she", "they", "it", "we", "i", "you", "who", "which"];

/// Words that start a prepositional or time phrase after a cue ("said in its report", "said on Monday").
const PHRASE_STARTS: &[&str] = &[
    "in",
    "on",
    "at",
    "during",
    "after",
    "before",
    "to",
    "with",
    "from",
    "last",
    "this",
    "late",
    "early",
    "earlier",
    "yesterday",
    "today",
    "tonight",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "recently",
    "again",
    "also",
    "later",
    "via",
    "while",
    "when",
    "as",
    "through",
    "under",
    "over",
    "about",
];

/// Forms of "be": a verb inside a source means it runs into a clause; before a participle,
/// they make a progressive ("is calling") or a passive ("is expected").
const BE_FORMS: &[&str] = &["is", "are", "was", "were", "’s", "'s", "isn’t", "isn't", "wasn’t", "wasn't", "been"];

const WEEKDAYS: &[&str] = &["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];

/// Words that end a verb's object or infinitive when it is the content ("charged Corey
/// Lewandowski | after determining ..."); a reported clause runs past them.
const OBJECT_ENDS: &[&str] =
    &[",", ";", "—", "but", "after", "before", "while", "because", "though", "although", "despite", "when", "whereas"];

/// Nouns that make a nominal cue with a participle: "published an article stating".
const DOCUMENT_NOUNS: &[&str] = &[
    "article",
    "report",
    "statement",
    "post",
    "op-ed",
    "letter",
    "tweet",
    "video",
    "study",
    "paper",
    "analysis",
    "memo",
    "message",
];

const DETERMINERS: &[&str] = &["a", "an", "the", "its", "his", "her", "their", "our", "this", "that"];

/// Title-line prefixes that are labels, not sources: "Credit: ...", "Photo: ...".
const LABEL_WORDS: &[&str] = &[
    "credit",
    "photo",
    "note",
    "update",
    "source",
    "editor",
    "read",
    "related",
    "watch",
    "image",
    "copyright",
    "tags",
    "by",
    "see",
    "video",
];

const MAX_SOURCE_TOKENS: usize = 9;

/// Appositives skipped between a subject and its verb ("Trump, speaking to a veterans group,
/// said"); past this many, a run of commas is not a subject.
const MAX_APPOSITIVES: usize = 8;

/// Where the tokens the rules search for lie, so that a search from a cue to the next one costs
/// a binary search, not the distance (see `runs`).
#[derive(Default)]
struct Marks {
    line_starts: Runs,
    punct: Runs,
    /// "." "!" "?": where an attribution after a quotation ends.
    stops: Runs,
    /// What a content leaves out at a sentence's end.
    sentence_ends: Runs,
    commas: Runs,
    /// Pronouns that can stand for the agent of a coordinated verb.
    agent_pronouns: Runs,
    /// Closing marks and commas between a quotation and its attribution.
    closing_marks: Runs,
    /// `OBJECT_ENDS` outside quotations.
    object_ends: Runs,
    /// Nominal cues ending a content, as `Finder::phrase_cue_at` reads them with nothing cut off.
    phrase_cues: Runs,
    /// Second cues starting an attribution of their own, as `Finder::join_at` reads them with
    /// nothing cut off.
    joins: Runs,
}

pub struct Finder<'a> {
    pub tokens: &'a [Token],
    pub quotes: &'a Quotes,
    pub entities: &'a Entities<'a>,
    pub lexicon: &'a Lexicon,
    used: Vec<bool>,
    pub found: Vec<Candidate>,
    marks: Marks,
    /// For the sentence `content_after` last worked in: the commas followed by an attribution
    /// that closes the sentence.
    closing_commas: RefCell<Option<(Range<usize>, Runs)>>,
}

impl<'a> Finder<'a> {
    pub fn new(tokens: &'a [Token], quotes: &'a Quotes, entities: &'a Entities<'a>, lexicon: &'a Lexicon) -> Self {
        let mut finder = Finder {
            tokens,
            quotes,
            entities,
            lexicon,
            used: vec![false; tokens.len()],
            found: Vec::new(),
            marks: Marks::default(),
            closing_commas: RefCell::new(None),
        };
        let all = 0..tokens.len();
        let text = |i: usize| tokens[i].text.as_str();
        finder.marks = Marks {
            line_starts: Runs::new(all.clone(), |i| tokens[i].newline_before),
            punct: Runs::new(all.clone(), |i| tokens[i].is_punct()),
            stops: Runs::new(all.clone(), |i| matches!(text(i), "." | "!" | "?")),
            sentence_ends: Runs::new(all.clone(), |i| matches!(text(i), "." | "!" | "?" | "…" | ";")),
            commas: Runs::new(all.clone(), |i| finder.lower(i) == ","),
            agent_pronouns: Runs::new(all.clone(), |i| matches!(finder.lower(i), "he" | "she" | "they" | "it")),
            closing_marks: Runs::new(all.clone(), |i| matches!(text(i), "," | "”" | "\"" | "’" | "»" | "''")),
            object_ends: Runs::new(all.clone(), |i| OBJECT_ENDS.contains(&finder.lower(i)) && !finder.inside_quote(i)),
            phrase_cues: Runs::new(all.clone(), |i| finder.phrase_cue_at(i, tokens.len())),
            joins: Runs::new(all, |i| finder.join_at(i, tokens.len())),
        };
        finder
    }

    /// Runs every rule on every sentence (token ranges).
    pub fn run(&mut self, sentences: &[Range<usize>]) {
        // A sentence span holding no token start (inside a word, or past the text) has no claim.
        for sentence in sentences.iter().filter(|s| !s.is_empty()) {
            self.according_to(sentence.clone());
        }
        for (i, sentence) in sentences.iter().enumerate().filter(|(_, s)| !s.is_empty()) {
            // "“...?” Clinton said." : the attribution may open the next sentence.
            let next_end = sentences.get(i + 1).map_or(sentence.end, |next| next.end);
            self.quote_attribution(sentence.clone(), next_end);
        }
        for (i, sentence) in sentences.iter().enumerate().filter(|(_, s)| !s.is_empty()) {
            self.headline(sentence.clone());
            self.speaker_label(sentence.clone());
            self.fronted_question(sentence.clone());
            self.content_comma(sentence.clone());
            self.participle(sentence.clone());
            self.raising(sentence.clone());
            self.source_cue_content(sentence.clone(), sentences.get(i + 1).cloned());
        }
    }

    /// The cue starting at token `i`, reading no further than `end`.
    fn cue_at(&self, i: usize, end: usize) -> Option<&'a CueEntry> {
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
            "." => {
                i > 0
                    && self.tokens[i - 1].end == token.start
                    && self.tokens[i - 1].text.chars().count() <= 3
                    && self.tokens[i - 1].is_capitalised()
            }
            "-" | "’" | "'" | "&" => true,
            _ => !token.is_punct(),
        }
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
    fn used_as_verb(&self, i: usize, sentence_start: usize) -> bool {
        if i > sentence_start && self.tokens[i].is_capitalised() {
            return false;
        }
        if i == sentence_start {
            return true;
        }
        let before = self.lower(i - 1);
        if DETERMINERS.contains(&before) && before != "that" {
            return false;
        }
        if matches!(before, "to" | "of" | "in" | "for" | "with" | "by" | "on" | "at" | "from" | "about" | "whose") {
            return false;
        }
        !(before.ends_with("’s") || before.ends_with("'s"))
    }

    fn lower(&self, i: usize) -> &str {
        &self.tokens[i].lower
    }

    fn push(&mut self, mut candidate: Candidate) {
        if candidate.lemma != ":" && candidate.lemma != "according to" {
            candidate.cue = self.extended_cue(candidate.cue.clone(), candidate.source.as_ref());
        }
        for i in candidate.cue.clone() {
            self.used[i] = true;
        }
        self.found.push(candidate);
    }

    /// The cue with the words PolNeAR counts as part of it: auxiliaries and adverbs between the
    /// source and the verb ("has said", "also said"), a colon right after it ("said:"), and a
    /// weekday right after it ("said Friday").
    fn extended_cue(&self, cue: Range<usize>, source: Option<&Range<usize>>) -> Range<usize> {
        let floor = source.filter(|s| s.end <= cue.start).map_or(0, |s| s.end);
        let mut start = cue.start;
        while start > floor && AUXILIARIES.contains(&self.lower(start - 1)) {
            start -= 1;
        }
        let mut end = cue.end;
        if end < self.tokens.len() && matches!(self.lower(end), "about" | "against" | "as" | "of") && end == cue.end {
            end += 1;
        }
        let colon = end < self.tokens.len()
            && self.tokens[end].text == ":"
            && self.tokens[end].start == self.tokens[end - 1].end;
        if colon || (end < self.tokens.len() && WEEKDAYS.contains(&self.lower(end))) {
            end += 1;
        }
        start..end
    }

    /// End of a sentence's content: before a final period, but keeping a closing quote after it.
    fn content_end(&self, sentence: &Range<usize>) -> usize {
        if sentence.is_empty() {
            return sentence.end;
        }
        self.marks.sentence_ends.run_ending_at(sentence.end).map_or(sentence.end, |start| start.max(sentence.start))
    }

    /// The quotation that closes at token `i`, if any.
    fn quote_closing_at(&self, i: usize) -> Option<&'a Quote> {
        self.quotes.closing_at(i)
    }

    fn quote_opening_at(&self, i: usize) -> Option<&'a Quote> {
        self.quotes.opening_at(i)
    }

    /// "according to SOURCE, CONTENT" and "CONTENT, according to SOURCE".
    fn according_to(&mut self, sentence: Range<usize>) {
        for i in sentence.clone() {
            let Some(cue) = self.cue_at(i, sentence.end) else { continue };
            if cue.lemma != "according to" || self.used[i] {
                continue;
            }
            let cue_end = i + cue.words.len();
            let source_end = self.marks.punct.first_in(cue_end..sentence.end).unwrap_or(sentence.end);
            if source_end == cue_end {
                continue;
            }
            let content_end = self.content_end(&sentence);
            let before_comma = self.marks.commas.last_before(i).filter(|&j| j >= sentence.start);
            let content = if i == sentence.start || (i == sentence.start + 1 && self.tokens[sentence.start].is_punct())
            {
                // Fronted: the content follows the source's comma.
                let start =
                    if source_end < content_end && self.lower(source_end) == "," { source_end + 1 } else { source_end };
                start..content_end
            } else {
                let end = before_comma.filter(|&c| c > sentence.start).unwrap_or(i);
                self.extend_to_quote_start(sentence.start, end)..end
            };
            if content.is_empty() {
                continue;
            }
            self.push(Candidate {
                rule: "according-to",
                kind: Some(ClaimKind::AccordingTo),
                source: Some(cue_end..source_end),
                cue: i..cue_end,
                lemma: cue.lemma.clone(),
                content: vec![content],
                confidence: 0.85,
            });
        }
    }

    /// A content that starts at `start` but holds the end of a quotation opened before it starts
    /// at that quotation's opening mark.
    fn extend_to_quote_start(&self, start: usize, end: usize) -> usize {
        // Quotations do not overlap, so only the last one opening before `start` can hold it.
        self.quotes.opening_before(start).filter(|q| q.close >= start && q.close < end).map_or(start, |q| q.open)
    }

    /// "“...,” SOURCE CUE" / "“...,” CUE SOURCE", the quote possibly continued after the attribution.
    fn quote_attribution(&mut self, sentence: Range<usize>, next_end: usize) {
        for close in sentence.clone() {
            let Some(quote) = self.quote_closing_at(close).copied() else { continue };
            let after = close + 1;
            let end = if after >= sentence.end { next_end } else { sentence.end };
            let end = self.marks.stops.first_in(after..end).unwrap_or(end);
            // The attribution may open the next sentence, not the next paragraph; a signature
            // ("— Name") may stand on a line of its own.
            let next_paragraph =
                after >= sentence.end && after < self.tokens.len() && self.tokens[after].newline_before;
            let found = if next_paragraph { None } else { self.attribution_after(after, end) };
            let Some(AttributionSpan { source, cue, entry: cue_entry, end: attribution_end }) = found else {
                self.dash_attribution(quote, end);
                continue;
            };
            if cue.clone().any(|i| self.used[i]) || self.introduced_by_cue(quote.open, sentence.start) {
                continue;
            }
            // "“X.” He added, “Y.”": an attribution opening the next sentence that introduces a
            // quotation of its own belongs to that one.
            let introduces_next = after >= sentence.end
                && attribution_end + 1 < self.tokens.len()
                && matches!(self.lower(attribution_end), "," | ":")
                && self.quote_opening_at(attribution_end + 1).is_some();
            if introduces_next {
                continue;
            }
            // Content: the whole quote; when the quote opens mid-sentence, from the sentence start.
            let content_start =
                if quote.open > sentence.start && quote.open < sentence.end { sentence.start } else { quote.open };
            let mut content = vec![content_start..close + 1];
            let mut rule = "quote-source-cue";
            if cue.start < source.start {
                rule = "quote-cue-source";
            }
            // Split quote: "“X,” he said, “Y.”", or "“X,” he said. “Y.”" in the same paragraph
            // when "Y" has no attribution of its own.
            if attribution_end + 1 < self.tokens.len() && matches!(self.lower(attribution_end), "," | ".") {
                if let Some(second) = self.quote_opening_at(attribution_end + 1).copied() {
                    let same_paragraph = !self.tokens[second.open].newline_before;
                    let own_attribution = second.close + 1 < self.tokens.len()
                        && self
                            .attribution_after(second.close + 1, (second.close + 12).min(self.tokens.len()))
                            .is_some();
                    if same_paragraph && !own_attribution {
                        content.push(second.open..second.close + 1);
                        rule = "split-quote";
                    }
                }
            }
            let last = content[content.len() - 1].end.max(attribution_end);
            content.extend(self.continued_quotes(last));
            self.push(Candidate {
                rule,
                kind: None,
                source: Some(source),
                cue,
                lemma: cue_entry.lemma.clone(),
                content,
                confidence: 0.9,
            });
        }
    }

    /// Whether a cue verb right before the quotation opening at `open` introduces it: "Brafman
    /// said, “...”", "He added: “...”".
    fn introduced_by_cue(&self, open: usize, sentence_start: usize) -> bool {
        let mut last = open;
        if last > sentence_start && matches!(self.lower(last - 1), "," | ":") {
            last -= 1;
        }
        (last.saturating_sub(3).max(sentence_start)..last).any(|k| {
            self.cue_at(k, last).is_some_and(|e| {
                e.kind == CueKind::Verb && k + e.words.len() == last && self.used_as_verb(k, sentence_start)
            })
        })
    }

    /// Paragraphs that are nothing but a quotation, right after the paragraph that attributes
    /// one: the news convention (and PolNeAR's) gives them to the same speaker. `from` is where
    /// the attribution ends; what is left of its paragraph must be punctuation.
    fn continued_quotes(&self, from: usize) -> Vec<Range<usize>> {
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

    /// "“...” ― Sonya Herridge": a quotation signed with a dash and a name.
    fn dash_attribution(&mut self, quote: Quote, end: usize) {
        let dash = quote.close + 1;
        if dash >= self.tokens.len() || !matches!(self.tokens[dash].text.as_str(), "―" | "—" | "–") || self.used[dash]
        {
            return;
        }
        let line_end = self.marks.line_starts.next_from(dash + 1).unwrap_or(self.tokens.len());
        let source_end = self.noun_phrase_end(dash + 1, line_end.max(end).min(dash + 1 + MAX_SOURCE_TOKENS));
        // A signature ends its line: "— ISW said that ..." is not one.
        let signed = self.marks.punct.next_without_from(source_end) >= line_end;
        if source_end == dash + 1 || !self.tokens[dash + 1].is_capitalised() || !signed {
            return;
        }
        self.push(Candidate {
            rule: "quote-dash-source",
            kind: None,
            source: Some(dash + 1..source_end),
            cue: dash..dash + 1,
            lemma: "—".to_string(),
            content: vec![quote.open..quote.close + 1],
            confidence: 0.75,
        });
    }

    /// "WALLACE: Let’s start with ..." in a transcript: a speaker in capitals opening a line.
    fn speaker_label(&mut self, sentence: Range<usize>) {
        let start = if self.quote_opening_at(sentence.start).is_some() { sentence.start + 1 } else { sentence.start };
        let Some(colon) = (start + 1..sentence.end.min(start + 4)).find(|&i| self.tokens[i].text == ":") else {
            return;
        };
        let starts_line = sentence.start == 0 || self.tokens[sentence.start].newline_before;
        let shouted = (start..colon).all(|i| {
            let t = &self.tokens[i];
            t.text.chars().filter(|c| c.is_alphabetic()).count() >= 2 && !t.text.chars().any(char::is_lowercase)
        });
        if !starts_line || !shouted || self.used[colon] || LABEL_WORDS.contains(&self.lower(start)) {
            return;
        }
        let line_end = self.marks.line_starts.next_from(colon + 1).unwrap_or(self.tokens.len());
        let mut content_end = line_end;
        while content_end > colon + 1
            && self.tokens[content_end - 1].is_punct()
            && self.quote_closing_at(content_end - 1).is_none()
        {
            content_end -= 1;
        }
        if content_end <= colon + 1 {
            return;
        }
        self.push(Candidate {
            rule: "speaker-label",
            kind: None,
            source: Some(start..colon),
            cue: colon..colon + 1,
            lemma: ":".to_string(),
            content: vec![colon + 1..content_end],
            confidence: 0.7,
        });
    }

    /// After a quotation or a comma: "SOURCE CUE" or "CUE SOURCE" running to the end of the
    /// clause (the sentence end, a comma, or a phrase like "in its daily report"). Returns the
    /// source, the cue, its entry, and where the attribution ends.
    fn attribution_after(&self, start: usize, end: usize) -> Option<AttributionSpan<'a>> {
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
            let named = source_end > cue.end && !PRONOUNS.contains(&self.lower(cue.end));
            if named && self.clause_ends(source_end, end) && self.is_noun_phrase(cue.end..source_end) {
                return Some(AttributionSpan { source: cue.end..source_end, cue: cue.clone(), entry, end: source_end });
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
            while source_end > at && AUXILIARIES.contains(&self.lower(source_end - 1)) {
                source_end -= 1;
            }
            let cue = cue_at..cue_at + entry.words.len();
            // "Carson tells Breitbart News", "he told reporters": the addressee closes the attribution.
            let addressee_end = if entry.lemma == "tell" { self.noun_phrase_end(cue.end, end) } else { cue.end };
            if source_end > at && self.clause_ends(addressee_end, end) && self.is_noun_phrase(at..source_end) {
                return Some(AttributionSpan { source: at..source_end, cue, entry, end: addressee_end });
            }
            break;
        }
        None
    }

    /// ", SOURCE CUE." or ", CUE SOURCE." from `at` to the end of the sentence.
    fn attribution_closes_sentence(&self, at: usize, end: usize) -> bool {
        self.attribution_after(at, end)
            .is_some_and(|found| found.end >= end || PHRASE_STARTS.contains(&self.lower(found.end)))
    }

    /// Whether what follows `at` up to `end` closes the attribution: nothing, a comma, or a
    /// prepositional or time phrase.
    fn clause_ends(&self, at: usize, end: usize) -> bool {
        at >= end
            || matches!(self.tokens[at].text.as_str(), "," | "." | ";" | ":" | "!" | "?" | "”" | "\"" | "''")
            || PHRASE_STARTS.contains(&self.lower(at))
            || self.lower(at) == "of"
    }

    /// End of a noun phrase starting at `start`: up to punctuation, a phrase start such as
    /// "in" or "on", or a cue.
    fn noun_phrase_end(&self, start: usize, end: usize) -> usize {
        let mut at = start;
        while at < end && at < start + MAX_SOURCE_TOKENS {
            let token = &self.tokens[at];
            let abbreviation_period = token.text == "."
                && at > start
                && self.tokens[at - 1].end == token.start
                && self.tokens[at - 1].text.len() <= 3
                && self.tokens[at - 1].is_capitalised();
            if (token.is_punct() && !abbreviation_period && token.text != "-" && token.text != "’" && token.text != "'")
                || (at > start && PHRASE_STARTS.contains(&token.lower.as_str()) && token.lower != "to")
                || CLAUSE_BOUNDARIES.contains(&token.lower.as_str())
            {
                break;
            }
            at += 1;
        }
        at
    }

    /// A word ending in "-ing" outside any entity opens a participle phrase ("Speaking at a rally,
    /// ...", "Having ..."), not a name ("Xi Jinping", "Manning").
    fn opens_participle_phrase(&self, i: usize) -> bool {
        let token = &self.tokens[i];
        token.lower.len() > 4 && token.lower.ends_with("ing") && !self.entities.covering(token.start, token.end)
    }

    /// A plausible source: not starting with a clause word, and either an entity, a pronoun,
    /// a capitalised name, or a determiner-led phrase ("a senior official", "the ministry").
    fn is_noun_phrase(&self, span: Range<usize>) -> bool {
        if span.is_empty() || span.len() > MAX_SOURCE_TOKENS + 4 {
            return false;
        }
        let first = self.lower(span.start);
        if CLAUSE_BOUNDARIES.contains(&first)
            || PHRASE_STARTS.contains(&first)
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
        if span.clone().skip(1).any(|i| BE_FORMS.contains(&self.lower(i))) {
            return false;
        }
        PRONOUNS.contains(&first)
            || DETERMINERS.contains(&first)
            || self.tokens[span.start].is_capitalised()
            || self.entity_in(span.clone()).is_some()
            || span.len() <= 3
    }

    pub fn entity_in(&self, span: Range<usize>) -> Option<&'a Entity> {
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

    /// "CONTENT, SOURCE CUE (PP)." and "CONTENT, CUE SOURCE." without quotation marks.
    fn content_comma(&mut self, sentence: Range<usize>) {
        let content_end = self.content_end(&sentence);
        for comma in (sentence.start + 2..content_end).rev() {
            if self.lower(comma) != "," {
                continue;
            }
            let Some(AttributionSpan { source, cue, entry, end: attribution_end }) =
                self.attribution_after(comma + 1, content_end)
            else {
                continue;
            };
            if cue.clone().any(|i| self.used[i]) || self.inside_quote(cue.start) {
                continue;
            }
            // The attribution must close the sentence, give or take a trailing phrase; "to" after
            // it starts an infinitive ("..., Cruz is seeking to pick off delegates"), not a phrase.
            if attribution_end < content_end {
                let trailing = self.lower(attribution_end);
                let phrase = PHRASE_STARTS.contains(&trailing) && trailing != "to";
                if !phrase && trailing != "," {
                    continue;
                }
            }
            // Without quotation marks, "CONTENT, CUE SOURCE" is an attribution only with "said"
            // ("..., said a spokesman"); "..., called superdelegates" is not. A relative
            // pronoun ("..., who said") starts a clause of its own.
            let inverted = cue.start < source.start;
            if (inverted && entry.lemma != "say") || self.lower(source.start) == "who" {
                continue;
            }
            let start = self.clause_start(sentence.start, comma);
            // "Asked if ..., Ryan said, “Sure.”": the fronted phrase is not what Ryan said.
            if self.used[start] || self.opens_participle_phrase(start) {
                continue;
            }
            let rule = if inverted { "content-comma-cue-source" } else { "content-comma-source-cue" };
            let mut content = vec![start..comma];
            // "The test, experts said, was its biggest yet.": the content resumes after the attribution.
            if attribution_end + 1 < content_end && self.lower(attribution_end) == "," {
                content.push(attribution_end + 1..content_end);
            }
            self.push(Candidate {
                rule,
                kind: None,
                source: Some(source),
                cue,
                lemma: entry.lemma.clone(),
                content,
                confidence: 0.8,
            });
            return;
        }
    }

    /// Start of a fronted content: the sentence start, past a leading conjunction.
    fn clause_start(&self, start: usize, end: usize) -> usize {
        let start = self.extend_to_quote_start(start, end);
        if start + 1 < end && matches!(self.lower(start), "but" | "and" | "so") {
            start + 1
        } else {
            start
        }
    }

    fn inside_quote(&self, i: usize) -> bool {
        self.quotes.strictly_inside(i)
    }

    /// "ISW: Putin aims to ..." on a line of its own.
    fn headline(&mut self, sentence: Range<usize>) {
        let colon = (sentence.start + 1..sentence.end.min(sentence.start + 6)).find(|&i| self.tokens[i].text == ":");
        let Some(colon) = colon else { return };
        let source = sentence.start..colon;
        let starts_line = sentence.start == 0 || self.tokens[sentence.start].newline_before;
        let looks_like_name = source.clone().all(|i| {
            let t = &self.tokens[i];
            t.is_capitalised() || matches!(t.lower.as_str(), "of" | "the" | "for" | "and")
        });
        let labelled = LABEL_WORDS.contains(&self.lower(sentence.start));
        let content_end = self.content_end(&sentence);
        if !starts_line
            || !looks_like_name
            || labelled
            || self.entity_in(source.clone()).is_none()
            || content_end < colon + 4
        {
            return;
        }
        self.push(Candidate {
            rule: "headline",
            kind: Some(ClaimKind::Headline),
            source: Some(source),
            cue: colon..colon + 1,
            lemma: ":".to_string(),
            content: vec![colon + 1..content_end],
            confidence: 0.6,
        });
    }

    /// "..., saying that CONTENT" (the source is the sentence's subject) and "SOURCE published
    /// an article stating that CONTENT".
    fn participle(&mut self, sentence: Range<usize>) {
        for i in sentence.start + 1..sentence.end {
            let Some(entry) = self.cue_at(i, sentence.end) else { continue };
            if !entry.is_participle() || self.used[i] || self.inside_quote(i) {
                continue;
            }
            let content = self.content_after(i + 1, &sentence);
            if content.is_empty() {
                continue;
            }
            // "published an article stating": the cue runs from the verb to the participle.
            if i >= sentence.start + 3
                && DOCUMENT_NOUNS.contains(&self.lower(i - 1))
                && DETERMINERS.contains(&self.lower(i - 2))
            {
                let verb = i - 3;
                let source = self.subject_before(verb, sentence.start);
                if let Some(source) = source {
                    self.push(Candidate {
                        rule: "nominal-participle",
                        kind: None,
                        source: Some(source),
                        cue: verb..i + 1,
                        lemma: entry.lemma.clone(),
                        content: vec![content],
                        confidence: 0.75,
                    });
                    continue;
                }
            }
            if self.lower(i - 1) != "," {
                continue;
            }
            let Some(source) = self.sentence_subject(sentence.start, i) else { continue };
            self.push(Candidate {
                rule: "participle",
                kind: None,
                source: Some(source),
                cue: i..i + 1,
                lemma: entry.lemma.clone(),
                content: vec![content],
                confidence: 0.7,
            });
        }
    }

    /// The subject of a sentence: past a fronted phrase that ends in a comma, the first entity,
    /// pronoun or determiner-led phrase before `limit`.
    fn sentence_subject(&self, start: usize, limit: usize) -> Option<Range<usize>> {
        let mut at = start;
        if let Some(comma) = self.marks.commas.first_in(start..limit) {
            let fronted = !self.tokens[start].is_capitalised()
                || PHRASE_STARTS.contains(&self.lower(start))
                || self.opens_participle_phrase(start)
                || matches!(self.lower(start), "however" | "recently" | "meanwhile" | "still" | "instead" | "moreover");
            if fronted && comma + 1 < limit {
                at = comma + 1;
            }
        }
        // An entity or pronoun opening the clause is the subject, whatever follows it.
        let entity_start = if DETERMINERS.contains(&self.lower(at)) { at + 1 } else { at };
        // An entity of no length names nobody.
        if let Some(entity) = self.entities.starting_at(self.tokens[entity_start].start, |e| e.end > e.start) {
            let end = self.tokens.partition_point(|t| t.start < entity.end);
            return Some(at..end.min(limit));
        }
        if PRONOUNS.contains(&self.lower(at)) {
            return Some(at..at + 1);
        }
        let end = self.noun_phrase_end(at, limit);
        (end > at && self.is_noun_phrase(at..end)).then_some(at..end)
    }

    /// Content after a cue: from "that" when it comes within a few words (past "told reporters",
    /// "said in a statement"), past a colon, else straight after the cue; to the end of the
    /// sentence or a trailing nominal cue ("in an interview with ...").
    fn content_after(&self, start: usize, sentence: &Range<usize>) -> Range<usize> {
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
        let setting = !between.is_empty() && PHRASE_STARTS.contains(&self.lower(between.start));
        !clause_word && (between.len() <= 3 || setting)
    }

    /// The noun phrase that ends right before `verb` (past auxiliaries): "ISW also said".
    fn subject_before(&self, verb: usize, start: usize) -> Option<Range<usize>> {
        self.subject_before_appositives(verb, start, 0)
    }

    /// `subject_before`, `skipped` appositives away from the verb.
    fn subject_before_appositives(&self, verb: usize, start: usize, skipped: usize) -> Option<Range<usize>> {
        let mut end = verb;
        while end > start && AUXILIARIES.contains(&self.lower(end - 1)) {
            end -= 1;
        }
        // "Trump, speaking to a veterans group, said": skip the appositive between commas.
        if end > start + 1 && self.lower(end - 1) == "," {
            if skipped >= MAX_APPOSITIVES {
                return None;
            }
            if let Some(comma) = (start..end - 1).rev().take(16).find(|&j| self.lower(j) == ",") {
                let subject = self.subject_before_appositives(comma, start, skipped + 1);
                if subject
                    .as_ref()
                    .is_some_and(|s| self.entity_in(s.clone()).is_some() || PRONOUNS.contains(&self.lower(s.start)))
                {
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
            if !self.inside_name(begin - 1) || CLAUSE_BOUNDARIES.contains(&token.lower.as_str()) {
                break;
            }
            begin -= 1;
        }
        // A fronted phrase glued to the subject ("In a meeting with troops Putin said") is rare;
        // a leading preposition means the scan went too far, so keep from the last capital.
        while begin < end && PHRASE_STARTS.contains(&self.lower(begin)) {
            begin = (begin + 1..end)
                .find(|&i| self.tokens[i].is_capitalised() || DETERMINERS.contains(&self.lower(i)))
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

    /// "Asked whether he would run, Ryan said no": the question, put by someone unnamed (or
    /// "by" someone), is an attribution of its own; the answer is the main clause's.
    fn fronted_question(&mut self, sentence: Range<usize>) {
        let asked = match self.lower(sentence.start) {
            "asked" => sentence.start,
            "when" if sentence.start + 1 < sentence.end && self.lower(sentence.start + 1) == "asked" => {
                sentence.start + 1
            }
            _ => return,
        };
        let Some(comma) = self.marks.commas.first_in(asked + 1..sentence.end) else { return };
        if self.used[asked] || comma < asked + 3 {
            return;
        }
        let mut from = asked + 1;
        let mut source = None;
        if self.lower(from) == "by" {
            let end = self.noun_phrase_end(from + 1, comma);
            source = (end > from + 1).then_some(from + 1..end);
            from = end;
        }
        if from + 1 >= comma {
            return;
        }
        self.push(Candidate {
            rule: "fronted-question",
            kind: None,
            source,
            cue: asked..asked + 1,
            lemma: "ask".to_string(),
            content: vec![from..comma],
            confidence: 0.6,
        });
    }

    /// "The deal seems to be off", "Trump is expected to win": an impression or expectation
    /// nobody is named as holding. PolNeAR gives these no source and a content of two parts, the
    /// subject and the infinitive.
    fn raising(&mut self, sentence: Range<usize>) {
        let content_end = self.content_end(&sentence);
        for i in sentence.start + 1..content_end {
            let Some(entry) = self.cue_at(i, content_end) else { continue };
            let after = i + entry.words.len();
            if entry.kind != CueKind::Verb || self.used[i] || after >= content_end {
                continue;
            }
            // "seems to be off", "seems stable"; "is expected to win".
            let passive_before_to = self.lower(after) == "to" && self.passive_participle(i, sentence.start);
            if !entry.is_impression() && !passive_before_to {
                continue;
            }
            let clause = self.content_after(after, &sentence);
            if clause.len() < 2 {
                continue;
            }
            let mut content = vec![clause];
            if let Some(subject) = self.subject_before(i, sentence.start) {
                content.insert(0, subject);
            }
            self.push(Candidate {
                rule: "raising",
                kind: None,
                source: None,
                cue: i..after,
                lemma: entry.lemma.clone(),
                content,
                confidence: 0.6,
            });
        }
    }

    /// A past participle after a form of "be", adverbs allowed between: "is expected", "was
    /// widely believed", "are said".
    fn passive_participle(&self, i: usize, sentence_start: usize) -> bool {
        let word = self.lower(i);
        let participle = word.ends_with("ed") || matches!(word, "said" | "thought" | "known" | "seen" | "told");
        let mut before = (sentence_start.max(i.saturating_sub(3))..i).rev().take_while(|&j| {
            BE_FORMS.contains(&self.lower(j)) || AUXILIARIES.contains(&self.lower(j)) || self.lower(j).ends_with("ly")
        });
        participle && before.any(|j| BE_FORMS.contains(&self.lower(j)))
    }

    /// "SOURCE CUE (that) CONTENT" and "SOURCE CUE: CONTENT".
    fn source_cue_content(&mut self, sentence: Range<usize>, next: Option<Range<usize>>) {
        for i in sentence.clone() {
            let Some(entry) = self.cue_at(i, sentence.end) else { continue };
            // "is calling", "isn’t saying": a participle after a form of "be" is the verb.
            let progressive = entry.is_participle() && i > sentence.start && BE_FORMS.contains(&self.lower(i - 1));
            if !entry.has_holder()
                || (entry.is_participle() && !progressive)
                || self.used[i]
                || !self.used_as_verb(i, sentence.start)
            {
                continue;
            }
            let cue = i..i + entry.words.len();
            let mut content = self.content_after(cue.end, &sentence);
            // "He said: “...”", "He added, “...”": the quotation is the content, however many
            // sentences it runs over.
            let opening = if cue.end < self.tokens.len() && matches!(self.lower(cue.end), "," | ":") {
                cue.end + 1
            } else {
                cue.end
            };
            let mut continued = Vec::new();
            if let Some(quote) = self.quote_opening_at(opening).filter(|q| q.close > q.open + 1) {
                content = quote.open..quote.close + 1;
                continued = self.continued_quotes(quote.close + 1);
            }
            // "He said:" closing a line: the content is what follows.
            let colon_after = self.tokens.get(cue.end).is_some_and(|t| t.text == ":");
            if content.is_empty() && cue.end < sentence.end && colon_after {
                if let Some(next) = next.clone() {
                    let quoted = self.quote_opening_at(next.start).map(|q| q.open..q.close + 1);
                    content = quoted.unwrap_or(next.start..self.content_end(&next));
                }
            }
            // A content is a clause, a quotation or an object; "published on 1 January" (a time
            // alone) and "is supported by the Foundation" (a passive's agent) have none.
            // An empty content may start past the last token ("The minister said:" ending the text).
            if content.len() < 2 {
                continue;
            }
            let time_only =
                content.len() <= 4 && matches!(self.lower(content.start), "on" | "at" | "during" | "last" | "this");
            if self.lower(content.start) == "by" || time_only {
                continue;
            }
            // Verbs of belief and intention without "that" are too often plain verbs ("want a
            // car"); keep them when a clause or an infinitive follows.
            let next = self.lower(content.start);
            if matches!(entry.class.as_str(), "believe" | "intend") && !matches!(next, "that" | "to") && !colon_after {
                continue;
            }
            // "charged Corey Lewandowski after determining ...", "pledged to work together despite
            // ...": a verb's object or infinitive ends at the first clause word; a reported
            // clause ("said Putin is preparing ...") runs on.
            if !matches!(next, "that" | "“" | "\"" | "«") && !matches!(entry.lemma.as_str(), "say" | "tell") {
                if let Some(stop) = self.marks.object_ends.first_in(content.start + 1..content.end) {
                    content.end = stop;
                }
            }
            let Some(source) = self.subject_before(i, sentence.start) else { continue };
            // "I think", "you know": the speaker's own words, inside a quotation that is the
            // attribution; PolNeAR does not mark them.
            if matches!(self.lower(source.start), "i" | "you" | "we") && source.len() == 1 && self.inside_quote(i) {
                continue;
            }
            let confidence = if next == "that" || colon_after { 0.8 } else { 0.65 };
            // "It was announced that ...", "Trump has been criticized": a passive's subject is
            // not who speaks, and the speaker goes unnamed.
            let source = (!self.passive_participle(i, sentence.start)).then_some(source);
            self.push(Candidate {
                rule: "source-cue-content",
                kind: None,
                source,
                cue,
                lemma: entry.lemma.clone(),
                content: [vec![content], continued].concat(),
                confidence,
            });
        }
    }
}
