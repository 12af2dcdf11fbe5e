//! What every claim promises a reader of the output, checked: the property tests and the fuzz
//! targets hold [`ClaimRules::apply`](super::ClaimRules::apply) to it on arbitrary input.

use std::collections::HashSet;

use crate::document::{Claim, Document};

/// Every way `doc.claims` breaks its contract, described; empty when none does. The contract:
/// each span (source, cue, content and its parts) is non-empty, lies inside the text and its
/// `text` is that slice of the document's text; content parts come in order without overlapping
/// and run from the content's start to its end; claim ids are unique, a `parent` names another
/// claim, and `entities`, `source.entity` and `source.resolved` name entities of the document.
pub fn contract_violations(doc: &Document) -> Vec<String> {
    let index = doc.char_index();
    let len = index.len_chars();
    let entity_ids: HashSet<&str> = doc.entities.iter().map(|e| e.id.as_str()).collect();
    let claim_ids: HashSet<&str> = doc.claims.iter().map(|c| c.id.as_str()).collect();
    let mut violations = Vec::new();
    if claim_ids.len() != doc.claims.len() {
        violations.push("claim ids are not unique".to_string());
    }
    let mut span = |claim: &Claim, role: &str, start: usize, end: usize, text: Option<&str>| {
        if start >= end || end > len {
            violations.push(format!("{}: {role} span {start}..{end} is empty or outside the text of {len}", claim.id));
        } else if let Some(text) = text.filter(|&text| text != index.slice(start..end)) {
            violations.push(format!("{}: {role} text {text:?} is not the text at {start}..{end}", claim.id));
        }
    };
    for claim in &doc.claims {
        if let Some(source) = &claim.source {
            span(claim, "source", source.start, source.end, Some(&source.text));
        }
        span(claim, "cue", claim.cue.start, claim.cue.end, Some(&claim.cue.text));
        let content = &claim.content;
        span(claim, "content", content.start, content.end, Some(&content.text));
        if let Some(parts) = &content.parts {
            for &[start, end] in parts {
                span(claim, "content part", start, end, None);
            }
        }
    }
    for claim in &doc.claims {
        if let Some(parts) = &claim.content.parts {
            let ordered = parts.windows(2).all(|pair| pair[0][1] <= pair[1][0]);
            let ends = parts.first().map(|p| p[0]) == Some(claim.content.start)
                && parts.last().map(|p| p[1]) == Some(claim.content.end);
            if !ordered || !ends {
                violations.push(format!("{}: content parts {parts:?} do not run in order over the content", claim.id));
            }
        }
        match claim.parent.as_deref() {
            Some(parent) if parent == claim.id => violations.push(format!("{}: is its own parent", claim.id)),
            Some(parent) if !claim_ids.contains(parent) => {
                violations.push(format!("{}: parent {parent} is no claim", claim.id))
            }
            _ => {}
        }
        let source_entities = claim.source.iter().flat_map(|source| {
            source.entity.as_deref().into_iter().chain(source.resolved.as_ref().map(|r| r.entity.as_str()))
        });
        for entity in claim.entities.iter().map(String::as_str).chain(source_entities) {
            if !entity_ids.contains(entity) {
                violations.push(format!("{}: names entity {entity}, which the document lacks", claim.id));
            }
        }
    }
    violations
}
