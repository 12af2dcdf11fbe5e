//! Which sink each `--format` writes through, and what each needs of the output.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use clap::ValueEnum;

use super::{DocumentSink, JsonSink, JsonlSink, OutputStream, PrettySink};
use crate::batch::OutputKind;
use crate::export::brat::BratSink;
use crate::export::conll::ConllSink;
use crate::export::html::HtmlSink;
use crate::export::label_studio::{self, LabelingConfigError};
use crate::export::webanno::WebAnnoSink;
use crate::export::{doccano, prodigy, spacy, JsonLayout, ToolJsonSink};

/// The formats `claimtag tag` writes. The doc comments are `--format`'s help.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Json,
    Jsonl,
    Pretty,
    /// CoNLL columns: word and IOB2 tag, -DOCSTART- between documents (entities only).
    Conll,
    /// Label Studio tasks with predictions; the labeling config goes beside --output.
    LabelStudio,
    /// Prodigy JSONL with tokens, spans and relations.
    Prodigy,
    /// Doccano JSONL with entities and relations (UTF-16 offsets), for a project that allows
    /// overlapping spans and uses relation labeling.
    Doccano,
    /// Doccano JSONL for a project with default settings: entities and the claim roles that
    /// overlap none, no relations.
    DoccanoFlat,
    /// brat standoff: .txt and .ann per document, and annotation.conf, in the --output directory.
    Brat,
    /// WebAnno TSV 3.3 for INCEpTION: one .tsv per document in the --output directory.
    WebannoTsv,
    /// spaCy's JSON training format, for `spacy convert` (entities only).
    Spacy,
    /// One self-contained HTML page to read the run in a browser.
    Html,
}

/// A sink that could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum SinkError {
    #[error("--format {0} needs --output")]
    NeedsOutput(String),
    #[error(transparent)]
    LabelingConfig(#[from] LabelingConfigError),
    #[error("cannot create {}", path.display())]
    Directory {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl Format {
    /// The format when none is asked for: JSONL into a file or a pipe, pretty JSON for a person.
    pub fn default_for(to_file: bool, pipe: bool) -> Self {
        if to_file || pipe {
            Format::Jsonl
        } else {
            Format::Json
        }
    }

    /// The name `--format` takes.
    pub fn name(self) -> String {
        self.to_possible_value().map_or_else(String::new, |value| value.get_name().to_string())
    }

    /// Whether the format writes a directory of files rather than one stream.
    pub fn writes_directory(self) -> bool {
        matches!(self, Format::Brat | Format::WebannoTsv)
    }

    /// What `--output` is for this format, for claiming it (and for `--resume`).
    pub fn output_kind(self) -> OutputKind {
        match self {
            _ if self.writes_directory() => OutputKind::Directory,
            Format::Jsonl => OutputKind::Jsonl,
            _ => OutputKind::OtherFile,
        }
    }

    /// Fails when the format cannot write to standard output: it writes a directory, or a
    /// side file beside `--output`.
    pub fn check_output(self, output: Option<&Path>) -> Result<(), SinkError> {
        let needs_output = self.writes_directory() || self == Format::LabelStudio;
        if needs_output && output.is_none() {
            return Err(SinkError::NeedsOutput(self.name()));
        }
        Ok(())
    }

    /// The sink writing this format into `out`, or into the directory `output` for the formats
    /// that write one; a Label Studio run writes its labeling config beside `output` now.
    /// `sentences` adds sentence spans to JSON records.
    pub fn sink<'a>(
        self,
        out: &'a mut OutputStream,
        output: Option<&Path>,
        sentences: bool,
    ) -> Result<Box<dyn DocumentSink + Send + 'a>, SinkError> {
        let output_dir = output.map(Path::to_path_buf).unwrap_or_default();
        let directory = |source| SinkError::Directory { path: output_dir.clone(), source };
        Ok(match self {
            Format::Json => Box::new(JsonSink::new(out).with_sentences(sentences)),
            Format::Jsonl => Box::new(JsonlSink::new(out).with_sentences(sentences)),
            Format::Pretty => Box::new(PrettySink::new(out, colour_wanted(output))),
            Format::Conll => Box::new(ConllSink::new(out)),
            Format::LabelStudio => {
                label_studio::write_labeling_config(&output_dir)?;
                Box::new(ToolJsonSink::new(out, JsonLayout::Array, label_studio::task))
            }
            Format::Prodigy => Box::new(ToolJsonSink::new(out, JsonLayout::Lines, prodigy::task)),
            Format::Doccano => Box::new(ToolJsonSink::new(out, JsonLayout::Lines, doccano::record).ascii_only()),
            Format::DoccanoFlat => {
                Box::new(ToolJsonSink::new(out, JsonLayout::Lines, doccano::record_without_overlaps).ascii_only())
            }
            Format::Brat => Box::new(BratSink::new(&output_dir).map_err(directory)?),
            Format::WebannoTsv => Box::new(WebAnnoSink::new(&output_dir).map_err(directory)?),
            Format::Spacy => Box::new(ToolJsonSink::new(out, JsonLayout::Array, spacy::document)),
            Format::Html => Box::new(HtmlSink::new(out)),
        })
    }
}

/// Pretty output is coloured on a terminal, unless `NO_COLOR` is set (no-color.org).
fn colour_wanted(output: Option<&Path>) -> bool {
    output.is_none() && std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_and_pipes_default_to_jsonl_and_people_to_json() {
        assert_eq!(Format::default_for(true, false), Format::Jsonl);
        assert_eq!(Format::default_for(false, true), Format::Jsonl);
        assert_eq!(Format::default_for(false, false), Format::Json);
    }

    #[test]
    fn directory_formats_and_label_studio_need_an_output() {
        for format in Format::value_variants() {
            let needs = matches!(format, Format::Brat | Format::WebannoTsv | Format::LabelStudio);
            let checked = format.check_output(None);
            assert_eq!(checked.is_err(), needs, "{format:?}");
            if let Err(err) = checked {
                assert_eq!(err.to_string(), format!("--format {} needs --output", format.name()));
            }
            assert!(format.check_output(Some(Path::new("out"))).is_ok());
        }
    }

    #[test]
    fn each_format_claims_its_kind_of_output() {
        assert_eq!(Format::Jsonl.output_kind(), OutputKind::Jsonl);
        assert_eq!(Format::Brat.output_kind(), OutputKind::Directory);
        assert_eq!(Format::WebannoTsv.output_kind(), OutputKind::Directory);
        assert_eq!(Format::Json.output_kind(), OutputKind::OtherFile);
        assert_eq!(Format::LabelStudio.output_kind(), OutputKind::OtherFile);
        assert_eq!(Format::WebannoTsv.name(), "webanno-tsv");
    }
}
