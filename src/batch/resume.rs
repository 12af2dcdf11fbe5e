//! Continuing a run that was interrupted: which ids the output already holds.
//!
//! Records are written one line each and flushed per batch, so a run killed at any moment
//! leaves whole lines and, at worst, one torn last line. Resuming cuts that torn line off,
//! collects the ids of the whole lines, and the run then skips those ids and appends the rest:
//! every input id ends up in the output exactly once.
//!
//! Without `--resume`, [`prepare_output`] refuses an output that already holds something, so
//! that no earlier run's records are overwritten by accident.

use std::collections::HashSet;
use std::fs::OpenOptions;
use std::io::{BufRead, BufReader};
use std::path::Path;

use serde_json::Value;

use crate::output::Compression;

#[derive(Debug, thiserror::Error)]
pub enum ResumeError {
    #[error("{path}: cannot read the output to resume it: {error}")]
    Read { path: String, error: std::io::Error },
    #[error("{path}: --resume needs an uncompressed output file (a .gz or .zst stream cannot be cut back to its last whole record); write plain JSONL and compress when the job is done")]
    Compressed { path: String },
    #[error("{path}: already exists; pass --resume to continue that run, or remove the file")]
    Exists { path: String },
    #[error("{path}: not empty; give --output a new or empty directory")]
    DirectoryNotEmpty { path: String },
    #[error("--resume needs --format jsonl")]
    NotJsonl,
    #[error(
        "{path}, line {line}: not a claimtag record ({problem}); is this the right output file? Nothing was changed"
    )]
    NotARecord { path: String, line: usize, problem: String },
}

/// Where a run writes: one file of records (JSONL, or another format), or a directory of
/// files (brat, WebAnno TSV).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputKind {
    Jsonl,
    OtherFile,
    Directory,
}

/// Checks that a run may write to `path` and returns the ids it already holds: with `resume`,
/// those of a JSONL output (see [`completed_ids`]); without, none, and an output that already
/// holds something is refused. A directory output must be new or empty, and cannot be resumed
/// record by record.
pub fn prepare_output(path: &Path, kind: OutputKind, resume: bool) -> Result<HashSet<String>, ResumeError> {
    let name = || path.display().to_string();
    match kind {
        OutputKind::Directory => {
            let holds_files = std::fs::read_dir(path).is_ok_and(|mut entries| entries.next().is_some());
            if holds_files {
                return Err(ResumeError::DirectoryNotEmpty { path: name() });
            }
            Ok(HashSet::new())
        }
        OutputKind::Jsonl if resume => completed_ids(path),
        OutputKind::OtherFile if resume => Err(ResumeError::NotJsonl),
        OutputKind::Jsonl | OutputKind::OtherFile => {
            if std::fs::metadata(path).is_ok_and(|meta| meta.len() > 0) {
                return Err(ResumeError::Exists { path: name() });
            }
            Ok(HashSet::new())
        }
    }
}

/// Prepares `path` for appending: cuts off a torn last line and returns the ids of the records
/// it holds. A missing file holds none.
pub fn completed_ids(path: &Path) -> Result<HashSet<String>, ResumeError> {
    let name = path.display().to_string();
    if Compression::of_path(path) != Compression::None {
        return Err(ResumeError::Compressed { path: name });
    }
    let read_error = |error| ResumeError::Read { path: name.clone(), error };
    let file = match OpenOptions::new().read(true).write(true).open(path) {
        Ok(file) => file,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(HashSet::new()),
        Err(error) => return Err(read_error(error)),
    };
    let mut reader = BufReader::new(&file);
    let mut ids = HashSet::new();
    let mut whole_bytes = 0u64;
    let mut line = Vec::new();
    let mut number = 0;
    loop {
        line.clear();
        let read = reader.read_until(b'\n', &mut line).map_err(read_error)?;
        if read == 0 {
            break;
        }
        number += 1;
        if line.last() != Some(&b'\n') {
            // Torn by the interruption: the record is rewritten on this run.
            break;
        }
        match record_id(&line) {
            Ok(id) => {
                ids.insert(id);
                whole_bytes += read as u64;
            }
            Err(problem) => {
                // Only the last line can be torn; damage earlier means this is not our output.
                let at_end = reader.fill_buf().map_err(read_error)?.is_empty();
                if !at_end {
                    return Err(ResumeError::NotARecord { path: name, line: number, problem });
                }
                break;
            }
        }
    }
    file.set_len(whole_bytes).map_err(read_error)?;
    Ok(ids)
}

fn record_id(line: &[u8]) -> Result<String, String> {
    let record: Value = serde_json::from_slice(line).map_err(|err| format!("invalid JSON: {err}"))?;
    match record.get("id") {
        Some(Value::String(id)) => Ok(id.clone()),
        _ => Err("no string \"id\"".to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_torn_last_line_is_cut_and_whole_lines_are_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.jsonl");
        let whole =
            "{\"id\": \"a\", \"entities\": []}\n{\"id\": \"line:2\", \"error\": {\"kind\": \"invalid_json\"}}\n";
        std::fs::write(&path, format!("{whole}{{\"id\": \"c\", \"ent")).unwrap();
        let ids = completed_ids(&path).unwrap();
        assert_eq!(ids, HashSet::from(["a".to_string(), "line:2".to_string()]));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), whole);
    }

    #[test]
    fn a_last_line_of_broken_json_is_cut_too() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.jsonl");
        std::fs::write(&path, "{\"id\": \"a\"}\n{\"id\": \"b\", \"te\n").unwrap();
        assert_eq!(completed_ids(&path).unwrap().len(), 1);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "{\"id\": \"a\"}\n");
    }

    #[test]
    fn a_missing_output_holds_nothing() {
        let dir = tempfile::tempdir().unwrap();
        assert!(completed_ids(&dir.path().join("new.jsonl")).unwrap().is_empty());
    }

    #[test]
    fn a_file_that_is_not_our_output_is_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notes.jsonl");
        let content = "hello\n{\"id\": \"a\"}\n";
        std::fs::write(&path, content).unwrap();
        let err = completed_ids(&path).unwrap_err();
        assert!(err.to_string().contains("line 1: not a claimtag record"), "{err}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), content);
    }

    #[test]
    fn an_output_holding_records_is_refused_without_resume_and_resumed_with_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.jsonl");
        assert!(prepare_output(&path, OutputKind::Jsonl, false).unwrap().is_empty(), "a new file is fine");
        std::fs::write(&path, "").unwrap();
        assert!(prepare_output(&path, OutputKind::Jsonl, false).unwrap().is_empty(), "so is an empty one");
        std::fs::write(&path, "{\"id\": \"a\"}\n").unwrap();
        let err = prepare_output(&path, OutputKind::Jsonl, false).unwrap_err();
        assert!(matches!(err, ResumeError::Exists { .. }), "{err}");
        assert!(matches!(prepare_output(&path, OutputKind::OtherFile, false), Err(ResumeError::Exists { .. })));
        assert_eq!(prepare_output(&path, OutputKind::Jsonl, true).unwrap(), HashSet::from(["a".to_string()]));
        assert!(matches!(prepare_output(&path, OutputKind::OtherFile, true), Err(ResumeError::NotJsonl)));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "{\"id\": \"a\"}\n", "nothing was changed");
    }

    #[test]
    fn a_directory_output_must_be_new_or_empty() {
        let dir = tempfile::tempdir().unwrap();
        assert!(prepare_output(&dir.path().join("new"), OutputKind::Directory, false).unwrap().is_empty());
        assert!(prepare_output(dir.path(), OutputKind::Directory, false).unwrap().is_empty());
        std::fs::write(dir.path().join("a.ann"), "").unwrap();
        let err = prepare_output(dir.path(), OutputKind::Directory, false).unwrap_err();
        assert!(matches!(err, ResumeError::DirectoryNotEmpty { .. }), "{err}");
    }

    #[test]
    fn compressed_outputs_cannot_be_resumed() {
        let err = completed_ids(Path::new("out.jsonl.zst")).unwrap_err();
        assert!(matches!(err, ResumeError::Compressed { .. }), "{err}");
    }
}
