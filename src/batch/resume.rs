//! Claiming the output of a run, and continuing a run that was interrupted.
//!
//! [`prepare_output`] first takes an exclusive lock on the output (the file, or the directory of
//! a brat or WebAnno export), before reading or changing anything: a second run on the same
//! output (a requeued Slurm task while the old one still lives) is refused instead of
//! interleaving its records with the first one's. The lock lives in the returned stream, so it
//! is held until the run ends, and the kernel drops it when the process dies, `kill -9` included.
//!
//! Records are written one line each and flushed per batch, so a run killed at any moment leaves
//! whole lines and, at worst, one torn last line. Resuming cuts that torn line off and counts the
//! ids of the whole lines; the run then skips, for each id, as many of its first occurrences in
//! the input as the output holds, and appends the rest: a resumed run ends with exactly the
//! records of an uninterrupted one, ids repeated in the input included.
//!
//! Only a file of claimtag records is resumed: anything else (an article given as `--output` by
//! mistake, another tool's JSONL) is refused with the file left as it was. Without `--resume`, an
//! output that already holds something is refused, so that no earlier run's records are
//! overwritten by accident.

use std::collections::HashMap;
use std::fs::{File, OpenOptions, TryLockError};
use std::io::{BufRead, BufReader, Seek, SeekFrom};
use std::path::Path;

use serde_json::Value;

use crate::output::{Compression, OutputError, OutputStream};

#[derive(Debug, thiserror::Error)]
pub enum ResumeError {
    #[error("{path}: cannot read the output to resume it: {error}")]
    Read { path: String, error: std::io::Error },
    #[error("{path}: cannot open the output: {error}")]
    Open { path: String, error: std::io::Error },
    #[error("{path}: another claimtag run is writing this output (it holds the lock on it); wait for that run to end or stop it, then continue with --resume. Nothing was changed")]
    Locked { path: String },
    #[error("{path}: --resume needs an uncompressed output file (a .gz or .zst stream cannot be cut back to its last whole record); write plain JSONL and compress when the job is done")]
    Compressed { path: String },
    #[error("{path}: already exists; pass --resume to continue that run, or remove the file")]
    Exists { path: String },
    #[error("{path}: is a directory, and this --format writes one file: give --output a file name (only --format brat and webanno-tsv write a directory)")]
    IsADirectory { path: String },
    #[error("{path}: not a directory; --format brat and webanno-tsv write one file per document into a directory: give --output a new or empty directory")]
    NotADirectory { path: String },
    #[error("{path}: not empty; give --output a new or empty directory")]
    DirectoryNotEmpty { path: String },
    #[error("--resume needs --format jsonl")]
    NotJsonl,
    #[error(
        "{path}, line {line}: not a claimtag record ({problem}); is this the right output file? Nothing was changed"
    )]
    NotARecord { path: String, line: usize, problem: String },
    #[error(transparent)]
    Output(#[from] OutputError),
}

/// Where a run writes: one file of records (JSONL, or another format), or a directory of
/// files (brat, WebAnno TSV).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputKind {
    Jsonl,
    OtherFile,
    Directory,
}

/// The whole records an output already holds (`--resume`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Completed {
    /// How many records each id has.
    pub ids: HashMap<String, usize>,
    /// Records in all.
    pub records: usize,
    /// Error records among them.
    pub errors: usize,
}

impl Completed {
    fn add(&mut self, id: String, is_error: bool) {
        *self.ids.entry(id).or_default() += 1;
        self.records += 1;
        self.errors += usize::from(is_error);
    }
}

/// Claims `path` for this run: locks it, checks that the run may write there, and returns the
/// stream to write to (which holds the lock) and the records the output already holds.
///
/// With `resume`, a JSONL output is prepared for appending (see [`completed_ids`]); without, an
/// output that already holds something is refused. A directory output (`OutputKind::Directory`)
/// must be new or empty and cannot be resumed record by record; the stream returned for it
/// writes nothing (the sink writes the files) and only holds the directory's lock. A missing file
/// or directory is created. Whatever is refused is left as it was.
pub fn prepare_output(path: &Path, kind: OutputKind, resume: bool) -> Result<(OutputStream, Completed), ResumeError> {
    let name = || path.display().to_string();
    let open_error = |error| ResumeError::Open { path: name(), error };
    let is_dir = std::fs::metadata(path).is_ok_and(|meta| meta.is_dir());
    match kind {
        OutputKind::Directory => {
            if std::fs::symlink_metadata(path).is_ok() && !is_dir {
                return Err(ResumeError::NotADirectory { path: name() });
            }
            std::fs::create_dir_all(path).map_err(open_error)?;
            let lock = File::open(path).map_err(open_error)?;
            lock_exclusively(&lock, path)?;
            let holds_files = std::fs::read_dir(path).map_err(open_error)?.next().is_some();
            if holds_files {
                return Err(ResumeError::DirectoryNotEmpty { path: name() });
            }
            Ok((OutputStream::nowhere(lock), Completed::default()))
        }
        _ if is_dir => Err(ResumeError::IsADirectory { path: name() }),
        OutputKind::OtherFile if resume => Err(ResumeError::NotJsonl),
        OutputKind::Jsonl if resume => {
            if Compression::of_path(path) != Compression::None {
                return Err(ResumeError::Compressed { path: name() });
            }
            let mut file = OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(path)
                .map_err(open_error)?;
            lock_exclusively(&file, path)?;
            let completed = completed_ids(&mut file, path)?;
            file.seek(SeekFrom::End(0)).map_err(open_error)?;
            Ok((OutputStream::from_file(file, path)?, completed))
        }
        OutputKind::Jsonl | OutputKind::OtherFile => {
            let file = OpenOptions::new().write(true).create(true).truncate(false).open(path).map_err(open_error)?;
            lock_exclusively(&file, path)?;
            if file.metadata().map_err(open_error)?.len() > 0 {
                return Err(ResumeError::Exists { path: name() });
            }
            Ok((OutputStream::from_file(file, path)?, Completed::default()))
        }
    }
}

fn lock_exclusively(file: &File, path: &Path) -> Result<(), ResumeError> {
    file.try_lock().map_err(|error| match error {
        TryLockError::WouldBlock => ResumeError::Locked { path: path.display().to_string() },
        TryLockError::Error(error) => ResumeError::Open { path: path.display().to_string(), error },
    })
}

/// What every claimtag JSONL record starts with: `id` is serialised first, compactly.
const RECORD_START: &[u8] = b"{\"id\":";

/// Reads the records of `file` (opened for reading and writing, named `path` in errors) from its
/// start, and cuts off a torn last line: one without its newline that is the beginning of a
/// claimtag record, left by an interrupted write. Every whole line must be a claimtag record (a
/// JSON object with a string `"id"` and `"entities"` or `"error"`); otherwise, or when the
/// unfinished last line is not the start of one, the file is refused and left as it was.
pub fn completed_ids(file: &mut File, path: &Path) -> Result<Completed, ResumeError> {
    let name = || path.display().to_string();
    let read_error = |error| ResumeError::Read { path: name(), error };
    file.seek(SeekFrom::Start(0)).map_err(read_error)?;
    let mut reader = BufReader::new(&*file);
    let mut completed = Completed::default();
    let mut whole_bytes = 0u64;
    let mut torn = false;
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
            let start = &line[..line.len().min(RECORD_START.len())];
            if start != &RECORD_START[..start.len()] {
                let problem = "an unfinished last line that is not the start of a record".to_string();
                return Err(ResumeError::NotARecord { path: name(), line: number, problem });
            }
            torn = true;
            break;
        }
        let (id, is_error) =
            record_id(&line).map_err(|problem| ResumeError::NotARecord { path: name(), line: number, problem })?;
        completed.add(id, is_error);
        whole_bytes += read as u64;
    }
    drop(reader);
    if torn {
        file.set_len(whole_bytes).map_err(read_error)?;
    }
    Ok(completed)
}

/// The id of a claimtag record, and whether it is an error record.
fn record_id(line: &[u8]) -> Result<(String, bool), String> {
    let record: Value = serde_json::from_slice(line).map_err(|err| format!("invalid JSON: {err}"))?;
    let Value::Object(fields) = record else {
        return Err("not a JSON object".to_string());
    };
    let Some(Value::String(id)) = fields.get("id") else {
        return Err("no string \"id\"".to_string());
    };
    let is_error = fields.contains_key("error");
    if !is_error && !fields.contains_key("entities") {
        return Err("neither \"entities\" nor \"error\"".to_string());
    }
    Ok((id.clone(), is_error))
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use proptest::prelude::*;

    use super::*;

    fn resume(path: &Path) -> Result<Completed, ResumeError> {
        prepare_output(path, OutputKind::Jsonl, true).map(|(_stream, completed)| completed)
    }

    fn ids(pairs: &[(&str, usize)]) -> HashMap<String, usize> {
        pairs.iter().map(|(id, n)| (id.to_string(), *n)).collect()
    }

    #[test]
    fn a_torn_last_line_is_cut_and_whole_lines_are_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.jsonl");
        let whole = "{\"id\": \"a\", \"entities\": []}\n{\"id\":\"line:2\",\"error\":{\"kind\":\"invalid_json\"}}\n";
        std::fs::write(&path, format!("{whole}{{\"id\":\"c\",\"ent")).unwrap();
        let completed = resume(&path).unwrap();
        assert_eq!(completed, Completed { ids: ids(&[("a", 1), ("line:2", 1)]), records: 2, errors: 1 });
        assert_eq!(std::fs::read_to_string(&path).unwrap(), whole);
    }

    #[test]
    fn a_torn_line_cut_within_the_first_bytes_of_a_record_is_cut_too() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.jsonl");
        let whole = "{\"id\":\"a\",\"entities\":[]}\n";
        for torn in ["{", "{\"i", "{\"id\":"] {
            std::fs::write(&path, format!("{whole}{torn}")).unwrap();
            assert_eq!(resume(&path).unwrap().records, 1, "{torn}");
            assert_eq!(std::fs::read_to_string(&path).unwrap(), whole, "{torn}");
        }
    }

    #[test]
    fn a_file_of_one_line_without_a_newline_that_is_not_a_record_is_refused_unchanged() {
        // `claimtag tag --resume --output article.txt in.jsonl`: the arguments swapped.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("article.txt");
        std::fs::write(&path, "Putin said the talks had stalled.").unwrap();
        let err = resume(&path).unwrap_err();
        assert!(matches!(err, ResumeError::NotARecord { line: 1, .. }), "{err}");
        assert!(err.to_string().contains("Nothing was changed"), "{err}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "Putin said the talks had stalled.");
    }

    #[test]
    fn a_whole_last_line_that_is_not_a_record_is_refused_not_cut() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.jsonl");
        for (last, problem) in [
            ("{\"name\": \"x\", \"entities\": []}\n", "no string \"id\""),
            ("{\"id\": 7, \"entities\": []}\n", "no string \"id\""),
            ("{\"id\": \"b\", \"text\": \"x\"}\n", "neither \"entities\" nor \"error\""),
            ("[1, 2]\n", "not a JSON object"),
            ("{\"id\": \"b\", \"te\n", "invalid JSON"),
            ("\n", "invalid JSON"),
        ] {
            let content = format!("{{\"id\":\"a\",\"entities\":[]}}\n{last}");
            std::fs::write(&path, &content).unwrap();
            let err = resume(&path).unwrap_err();
            assert!(err.to_string().contains(&format!("line 2: not a claimtag record ({problem}")), "{last:?}: {err}");
            assert_eq!(std::fs::read_to_string(&path).unwrap(), content);
        }
    }

    #[test]
    fn a_missing_output_holds_nothing_and_is_created() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new.jsonl");
        assert_eq!(resume(&path).unwrap(), Completed::default());
        assert!(path.exists());
    }

    #[test]
    fn an_id_written_twice_counts_twice() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.jsonl");
        std::fs::write(&path, "{\"id\":\"dup\",\"entities\":[]}\n{\"id\":\"dup\",\"entities\":[]}\n").unwrap();
        assert_eq!(resume(&path).unwrap().ids, ids(&[("dup", 2)]));
    }

    #[test]
    fn a_file_that_is_not_our_output_is_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notes.jsonl");
        let content = "hello\n{\"id\": \"a\", \"entities\": []}\n";
        std::fs::write(&path, content).unwrap();
        let err = resume(&path).unwrap_err();
        assert!(err.to_string().contains("line 1: not a claimtag record"), "{err}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), content);
    }

    #[test]
    fn an_output_holding_records_is_refused_without_resume_and_resumed_with_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.jsonl");
        let claim = |kind, resume| prepare_output(&path, kind, resume).map(|(_stream, completed)| completed);
        assert_eq!(claim(OutputKind::Jsonl, false).unwrap(), Completed::default(), "a new file is fine");
        std::fs::write(&path, "").unwrap();
        assert_eq!(claim(OutputKind::Jsonl, false).unwrap(), Completed::default(), "so is an empty one");
        std::fs::write(&path, "{\"id\": \"a\", \"entities\": []}\n").unwrap();
        let err = claim(OutputKind::Jsonl, false).unwrap_err();
        assert!(matches!(err, ResumeError::Exists { .. }), "{err}");
        assert!(matches!(claim(OutputKind::OtherFile, false), Err(ResumeError::Exists { .. })));
        assert_eq!(claim(OutputKind::Jsonl, true).unwrap().ids, ids(&[("a", 1)]));
        assert!(matches!(claim(OutputKind::OtherFile, true), Err(ResumeError::NotJsonl)));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "{\"id\": \"a\", \"entities\": []}\n", "nothing changed");
    }

    #[test]
    fn a_resumed_output_is_appended_to_after_its_last_whole_record() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.jsonl");
        std::fs::write(&path, "{\"id\":\"a\",\"entities\":[]}\n{\"id\":\"b\",\"ent").unwrap();
        let (mut stream, _) = prepare_output(&path, OutputKind::Jsonl, true).unwrap();
        stream.write_all(b"{\"id\":\"b\",\"entities\":[]}\n").unwrap();
        stream.finish().unwrap();
        drop(stream);
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "{\"id\":\"a\",\"entities\":[]}\n{\"id\":\"b\",\"entities\":[]}\n"
        );
    }

    #[test]
    fn a_second_run_on_a_locked_output_is_refused_and_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.jsonl");
        let content = "{\"id\":\"a\",\"entities\":[]}\n{\"id\":\"b\",\"ent";
        std::fs::write(&path, content).unwrap();
        let holder = File::open(&path).unwrap();
        holder.try_lock().unwrap();
        for resume in [true, false] {
            let err = prepare_output(&path, OutputKind::Jsonl, resume).map(|_| ()).unwrap_err();
            assert!(matches!(err, ResumeError::Locked { .. }), "{err}");
            assert!(err.to_string().starts_with(&format!("{}: another claimtag run", path.display())), "{err}");
        }
        assert_eq!(std::fs::read_to_string(&path).unwrap(), content, "the torn line is the other run's to finish");
        drop(holder);
        assert_eq!(resume(&path).unwrap().records, 1);
    }

    #[test]
    fn a_locked_output_directory_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("brat");
        let (stream, _) = prepare_output(&out, OutputKind::Directory, false).unwrap();
        let err = prepare_output(&out, OutputKind::Directory, false).map(|_| ()).unwrap_err();
        assert!(matches!(err, ResumeError::Locked { .. }), "{err}");
        drop(stream);
        assert!(prepare_output(&out, OutputKind::Directory, false).is_ok(), "the lock ends with the stream");
    }

    #[test]
    fn a_directory_output_must_be_new_or_empty() {
        let dir = tempfile::tempdir().unwrap();
        let claim = |path: &Path| prepare_output(path, OutputKind::Directory, false).map(|(_stream, done)| done);
        let new = dir.path().join("new");
        assert_eq!(claim(&new).unwrap(), Completed::default());
        assert!(new.is_dir(), "created");
        assert_eq!(claim(&new).unwrap(), Completed::default(), "empty");
        std::fs::write(new.join("a.ann"), "").unwrap();
        let err = claim(&new).unwrap_err();
        assert!(matches!(err, ResumeError::DirectoryNotEmpty { .. }), "{err}");
        let err = claim(&new.join("a.ann")).unwrap_err();
        assert!(matches!(err, ResumeError::NotADirectory { .. }), "{err}");
    }

    #[test]
    fn a_directory_given_for_a_file_output_is_named_as_a_directory() {
        let dir = tempfile::tempdir().unwrap();
        for (kind, resume) in [(OutputKind::Jsonl, false), (OutputKind::Jsonl, true), (OutputKind::OtherFile, false)] {
            let err = prepare_output(dir.path(), kind, resume).map(|_| ()).unwrap_err();
            assert!(matches!(err, ResumeError::IsADirectory { .. }), "{err}");
            assert!(err.to_string().contains("is a directory, and this --format writes one file"), "{err}");
        }
    }

    #[test]
    fn compressed_outputs_cannot_be_resumed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.jsonl.zst");
        let err = prepare_output(&path, OutputKind::Jsonl, true).map(|_| ()).unwrap_err();
        assert!(matches!(err, ResumeError::Compressed { .. }), "{err}");
        assert!(!path.exists());
    }

    /// One line of a file to resume, as the property test builds them.
    #[derive(Debug, Clone)]
    enum Piece {
        Record { id: String, error: bool },
        Garbage(String),
    }

    fn piece() -> impl Strategy<Value = Piece> {
        prop_oneof![
            4 => ("[abc]{1,2}", any::<bool>()).prop_map(|(id, error)| Piece::Record { id, error }),
            1 => prop_oneof![
                "[^\n]{0,12}",
                Just("{\"id\": 3, \"entities\": []}".to_string()),
                Just("{\"id\": \"a\"}".to_string()),
                Just("{\"text\": \"x\", \"entities\": []}".to_string()),
                Just("[\"id\"]".to_string()),
            ]
            .prop_map(Piece::Garbage),
        ]
    }

    /// Records as claimtag writes them: compact, `id` first.
    fn render(piece: &Piece) -> String {
        match piece {
            Piece::Record { id, error: false } => format!("{{\"id\":{},\"entities\":[]}}\n", Value::from(id.as_str())),
            Piece::Record { id, error: true } => {
                format!("{{\"id\":{},\"error\":{{\"kind\":\"read\",\"message\":\"m\"}}}}\n", Value::from(id.as_str()))
            }
            Piece::Garbage(text) => format!("{text}\n"),
        }
    }

    /// The ids of `content`'s whole lines, when every one is a record, judged independently of
    /// `record_id`: serde_json's own view of the line.
    fn expected_ids(whole_lines: &str) -> Option<HashMap<String, usize>> {
        let mut ids = HashMap::new();
        for line in whole_lines.lines() {
            let value: serde_json::Map<String, Value> = serde_json::from_str(line).ok()?;
            let id = value.get("id")?.as_str()?;
            if !value.contains_key("entities") && !value.contains_key("error") {
                return None;
            }
            *ids.entry(id.to_string()).or_default() += 1;
        }
        Some(ids)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Whatever the file holds, resuming never panics, and either refuses with the file
        /// unchanged or cuts at most a torn last line and returns exactly the ids of the whole
        /// records it kept, each as often as it occurs.
        #[test]
        fn resuming_refuses_or_cuts_at_most_a_torn_last_line(
            pieces in prop::collection::vec(piece(), 0..8),
            tail_cut in prop::option::of((0..8usize, 0.0..1.0f64)),
        ) {
            let mut content: String = pieces.iter().map(render).collect();
            // A torn tail: a prefix of some piece, without its newline.
            if let Some((which, fraction)) = tail_cut {
                let extra = render(&pieces.get(which).cloned().unwrap_or(Piece::Record { id: "t".into(), error: false }));
                let bytes = extra.trim_end_matches('\n');
                let mut cut = ((bytes.len() as f64 * fraction) as usize).max(1).min(bytes.len().max(1));
                while !bytes.is_char_boundary(cut) { cut -= 1; }
                content.push_str(&bytes[..cut]);
            }
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("out.jsonl");
            std::fs::write(&path, &content).unwrap();

            let outcome = resume(&path);
            let after = std::fs::read_to_string(&path).unwrap();
            let (whole, tail) = content.split_at(content.rfind('\n').map_or(0, |at| at + 1));
            let tail_is_record_start =
                tail.as_bytes()[..tail.len().min(RECORD_START.len())] == RECORD_START[..tail.len().min(RECORD_START.len())];
            match outcome {
                Ok(completed) => {
                    prop_assert!(content.starts_with(&after));
                    prop_assert!(after == content || after == whole, "only a torn last line is cut");
                    prop_assert!(after == whole || tail.is_empty());
                    prop_assert!(tail.is_empty() || tail_is_record_start, "only the start of a record is cut");
                    let expected = expected_ids(&after);
                    prop_assert_eq!(Some(&completed.ids), expected.as_ref());
                    prop_assert_eq!(completed.records, after.lines().count());
                }
                Err(err) => {
                    prop_assert_eq!(&after, &content, "refused, and unchanged: {}", err);
                    prop_assert!(expected_ids(whole).is_none() || !tail_is_record_start, "refused for a reason: {}", err);
                }
            }
        }
    }
}
