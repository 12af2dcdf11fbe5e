//! Finding input files under directories, and opening them (decompressing `.gz` and `.zst`).

use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use super::{InputError, Source, Stream};

/// File names a directory walk picks up; anything else under a directory is skipped.
const INPUT_SUFFIXES: &[&str] = &[".txt", ".html", ".htm", ".jsonl", ".ndjson", ".jsonl.gz", ".jsonl.zst"];

/// Turns command-line inputs into sources: `-` is standard input, a file is itself, a
/// directory is every input file below it in path order, named in ids by its path relative to
/// the directory. Inputs that do not exist stop the run here, before any work is done.
pub fn expand_inputs(args: &[PathBuf]) -> Result<Vec<Source>, InputError> {
    if args.is_empty() {
        return Ok(vec![Source::Stdin]);
    }
    let mut sources = Vec::new();
    for arg in args {
        if arg == Path::new("-") {
            sources.push(Source::Stdin);
            continue;
        }
        let meta =
            std::fs::metadata(arg).map_err(|error| InputError::Read { path: arg.display().to_string(), error })?;
        if !meta.is_dir() {
            sources.push(Source::file(arg));
            continue;
        }
        let mut found = Vec::new();
        walk(arg, &mut found)?;
        if found.is_empty() {
            return Err(InputError::EmptyDirectory { path: arg.display().to_string() });
        }
        found.sort();
        sources.extend(found.into_iter().map(|path| {
            let id = path
                .strip_prefix(arg)
                .unwrap_or(&path)
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            Source::File { path, id }
        }));
    }
    Ok(sources)
}

fn walk(dir: &Path, found: &mut Vec<PathBuf>) -> Result<(), InputError> {
    let error = |error| InputError::Read { path: dir.display().to_string(), error };
    for entry in std::fs::read_dir(dir).map_err(error)? {
        let path = entry.map_err(error)?.path();
        if path.is_dir() {
            walk(&path, found)?;
        } else if is_input_file(&path) {
            found.push(path);
        }
    }
    Ok(())
}

fn is_input_file(path: &Path) -> bool {
    let name = path.file_name().map(|name| name.to_string_lossy().to_lowercase()).unwrap_or_default();
    !name.starts_with('.') && INPUT_SUFFIXES.iter().any(|suffix| name.ends_with(suffix))
}

/// Opens `source` for reading, decompressing by extension, and counts the raw bytes read into
/// `counter`.
pub(super) fn open(source: &Source, counter: &Arc<AtomicU64>) -> io::Result<Stream> {
    let (raw, name): (Box<dyn Read + Send>, String) = match source {
        Source::Stdin => (Box::new(io::stdin()), String::new()),
        Source::File { path, .. } => (Box::new(File::open(path)?), path.to_string_lossy().to_lowercase()),
    };
    let counted = CountingReader { inner: raw, counter: Arc::clone(counter) };
    Ok(if name.ends_with(".gz") {
        Box::new(BufReader::new(flate2::read::MultiGzDecoder::new(BufReader::new(counted))))
    } else if name.ends_with(".zst") {
        Box::new(BufReader::new(zstd::stream::read::Decoder::new(counted)?))
    } else {
        Box::new(BufReader::with_capacity(1 << 16, counted))
    })
}

/// Passes reads through and adds the bytes to a shared counter.
struct CountingReader {
    inner: Box<dyn Read + Send>,
    counter: Arc<AtomicU64>,
}

impl Read for CountingReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let read = self.inner.read(buf)?;
        self.counter.fetch_add(read as u64, Ordering::Relaxed);
        Ok(read)
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;
    use crate::input::{read_documents, InputFormat};

    #[test]
    fn directories_are_walked_in_path_order_and_named_by_relative_path() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("b/c")).unwrap();
        for name in ["z.txt", "b/c/a.html", "b/notes.md", "b/.hidden.txt", "a.jsonl.gz"] {
            std::fs::write(dir.path().join(name), "x").unwrap();
        }
        let sources = expand_inputs(&[dir.path().to_path_buf()]).unwrap();
        let ids: Vec<String> = sources
            .iter()
            .map(|source| match source {
                Source::File { id, .. } => id.clone(),
                Source::Stdin => "stdin".into(),
            })
            .collect();
        assert_eq!(ids, ["a.jsonl.gz", "b/c/a.html", "z.txt"]);
    }

    #[test]
    fn missing_inputs_and_empty_directories_stop_the_run_with_their_name() {
        let err = expand_inputs(&["no/such.txt".into()]).unwrap_err();
        assert!(err.to_string().starts_with("no/such.txt: cannot read:"), "{err}");
        let dir = tempfile::tempdir().unwrap();
        let err = expand_inputs(&[dir.path().to_path_buf()]).unwrap_err();
        assert!(err.to_string().contains("a directory with no .txt"), "{err}");
    }

    #[test]
    fn gzip_and_zstd_jsonl_read_like_plain_jsonl() {
        let dir = tempfile::tempdir().unwrap();
        let lines = "{\"id\": \"a\", \"text\": \"Kyiv\"}\n{\"id\": \"b\", \"text\": \"Lviv\"}\n";
        let gz = dir.path().join("docs.jsonl.gz");
        let mut encoder = flate2::write::GzEncoder::new(File::create(&gz).unwrap(), flate2::Compression::fast());
        encoder.write_all(lines.as_bytes()).unwrap();
        encoder.finish().unwrap();
        let zst = dir.path().join("docs.jsonl.zst");
        std::fs::write(&zst, zstd::encode_all(lines.as_bytes(), 3).unwrap()).unwrap();
        for path in [gz, zst] {
            let records = read_documents(&[Source::file(&path)], InputFormat::Auto);
            let texts: Vec<&str> = records.iter().map(|r| r.as_ref().unwrap().text.as_str()).collect();
            assert_eq!(texts, ["Kyiv", "Lviv"], "{}", path.display());
        }
    }

    #[test]
    fn a_truncated_compressed_file_ends_in_a_read_error_record() {
        let dir = tempfile::tempdir().unwrap();
        let lines: String = (0..2000).map(|i| format!("{{\"id\": \"{i}\", \"text\": \"Kyiv {i}\"}}\n")).collect();
        let compressed = zstd::encode_all(lines.as_bytes(), 3).unwrap();
        let path = dir.path().join("cut.jsonl.zst");
        std::fs::write(&path, &compressed[..compressed.len() / 2]).unwrap();
        let records = read_documents(&[Source::file(&path)], InputFormat::Auto);
        let (last, read) = records.split_last().unwrap();
        assert!(read.iter().all(|record| record.is_ok()), "records before the cut are read");
        assert_eq!(last.as_ref().unwrap_err().kind, crate::input::ErrorKind::Read);
    }
}
