//! brat standoff `.ann` files, read once for every corpus in the format: `T` lines (text-bound
//! annotations, a discontinuous one as `start end;start end` fragments), `R` lines (relations)
//! and `E` lines (events: a trigger and role arguments). PolNeAR's attributions and the brat
//! collections annotators correct are both read through [`parse_standoff`]; each then keeps what
//! it needs.

use std::collections::HashMap;

use crate::document::Span;

/// A `T` line: a labelled span in one or more fragments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextBound<'a> {
    pub id: &'a str,
    pub label: &'a str,
    /// Code point spans in the order the line gives them; at least one.
    pub fragments: Vec<Span>,
    /// The line (from 1) that defined it, for messages about its offsets.
    pub line: usize,
}

/// What an `R` or `E` line links.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkKind {
    /// `R`: a typed relation, its arguments `Arg1` and `Arg2`.
    Relation,
    /// `E`: an event, its first argument the trigger (`Type:T<n>`), then its role arguments.
    Event,
}

/// An `R` or `E` line: its type (an event's is its trigger's) and its `ROLE:ID` arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link<'a> {
    pub kind: LinkKind,
    pub id: &'a str,
    pub label: &'a str,
    pub arguments: Vec<(&'a str, &'a str)>,
}

/// What one `.ann` file holds, in file order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Standoff<'a> {
    pub text_bounds: Vec<TextBound<'a>>,
    /// Relations and events, in file order.
    pub links: Vec<Link<'a>>,
}

/// Why a `.ann` line could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {problem}: {text:?}")]
pub struct StandoffError {
    /// From 1.
    pub line: usize,
    pub problem: String,
    /// The line itself.
    pub text: String,
}

impl<'a> Standoff<'a> {
    /// Text-bound annotations by id; a later line with the same id wins.
    pub fn text_bound_ids(&self) -> HashMap<&'a str, usize> {
        self.text_bounds.iter().enumerate().map(|(i, bound)| (bound.id, i)).collect()
    }
}

/// Parses `.ann` content. Annotated text may hold line breaks, and brat writes it as it is, so a
/// line whose first field is not an annotation id (a letter and digits: `T12`, `E3`) continues
/// the previous annotation's text and is skipped, even when it opens with a `T` or holds a tab.
/// Lines of other kinds (`A` attributes, `#` notes) are skipped too.
pub fn parse_standoff(content: &str) -> Result<Standoff<'_>, StandoffError> {
    let mut standoff = Standoff::default();
    for (index, line) in content.lines().enumerate() {
        let bad =
            |problem: &str| StandoffError { line: index + 1, problem: problem.to_string(), text: line.to_string() };
        let mut fields = line.split('\t');
        let (Some(id), Some(body)) = (fields.next(), fields.next()) else { continue };
        let mut id_chars = id.chars();
        let kind = id_chars.next();
        let number = id_chars.as_str();
        if number.is_empty() || !number.chars().all(|c| c.is_ascii_digit()) {
            continue;
        }
        match kind {
            Some('T') => {
                let (label, ranges) = body.split_once(' ').ok_or_else(|| bad("a span needs a type and offsets"))?;
                let mut fragments = Vec::new();
                for range in ranges.split(';') {
                    let offsets: Vec<usize> = range
                        .split_whitespace()
                        .map(str::parse)
                        .collect::<Result<_, _>>()
                        .map_err(|_| bad("bad offsets"))?;
                    let [start, end] = offsets[..] else { return Err(bad("a fragment needs a start and an end")) };
                    fragments.push(Span::new(start, end));
                }
                standoff.text_bounds.push(TextBound { id, label, fragments, line: index + 1 });
            }
            Some('R') => {
                let (label, arguments) = body.split_once(' ').unwrap_or((body, ""));
                standoff.links.push(Link { kind: LinkKind::Relation, id, label, arguments: role_arguments(arguments) });
            }
            Some('E') => {
                let arguments = role_arguments(body);
                let label = arguments.first().map_or("", |(role, _)| *role);
                standoff.links.push(Link { kind: LinkKind::Event, id, label, arguments });
            }
            _ => {}
        }
    }
    Ok(standoff)
}

/// `ROLE:ID` pairs of a space-separated argument list; anything else is skipped.
fn role_arguments(arguments: &str) -> Vec<(&str, &str)> {
    arguments.split_whitespace().filter_map(|argument| argument.split_once(':')).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_relations_and_events_are_read_with_their_fragments() {
        let ann = "T1\tSource 0 3\tISW\nT2\tContent 9 14;20 25\tabcde fghij\nR1\tSOURCE_OF Arg1:T1 Arg2:T2\nE1\tCue:T3 Content:T2\nA1\tNegated T2\n";
        let standoff = parse_standoff(ann).unwrap();
        assert_eq!(standoff.text_bounds[1].fragments, [Span::new(9, 14), Span::new(20, 25)]);
        assert_eq!(standoff.text_bounds[1].line, 2);
        let [relation, event] = &standoff.links[..] else { panic!("{:?}", standoff.links) };
        assert_eq!((relation.kind, relation.label), (LinkKind::Relation, "SOURCE_OF"));
        assert_eq!(relation.arguments, [("Arg1", "T1"), ("Arg2", "T2")]);
        assert_eq!((event.kind, event.label), (LinkKind::Event, "Cue"));
        assert_eq!(event.arguments, [("Cue", "T3"), ("Content", "T2")]);
    }

    #[test]
    fn lines_continuing_an_annotated_text_are_skipped() {
        let ann = "T1\tContent 9 30\t“We\n“will win”\tmore\nThe end\tT2 4 8\nT2\tCue 4 8\tsaid\n";
        let standoff = parse_standoff(ann).unwrap();
        let ids: Vec<&str> = standoff.text_bounds.iter().map(|bound| bound.id).collect();
        assert_eq!(ids, ["T1", "T2"]);
    }

    #[test]
    fn bad_offsets_are_named_with_their_line() {
        let err = parse_standoff("T1\tPER 0 5\tPutin\nT2\tLOC 9 x\tKyiv\n").unwrap_err();
        assert_eq!(err.to_string(), "line 2: bad offsets: \"T2\\tLOC 9 x\\tKyiv\"");
    }
}
