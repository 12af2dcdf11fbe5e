//! Finding input files under directories, and opening them (decompressing `.gz` and `.zst`).

use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::ffi::OsStr;
use std::fmt;
use std::fs::{File, Metadata};
use std::io::{self, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use walkdir::WalkDir;

use super::{InputError, InputSource, Stream};

/// File names a directory walk picks up; anything else under a directory is skipped.
const INPUT_SUFFIXES: &[&str] = &[".txt", ".html", ".htm", ".jsonl", ".ndjson", ".jsonl.gz", ".jsonl.zst"];

/// What the command-line inputs stand for: the sources to read, in order, and the entries
/// found under directories that are not read, with the reason.
#[derive(Debug, Default)]
pub struct Inputs {
    pub sources: Vec<InputSource>,
    pub skipped: Vec<Skipped>,
}

/// An entry under a directory given as input that the walk passed over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub path: PathBuf,
    pub reason: SkipReason,
}

impl fmt::Display for Skipped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", lossless_path(&self.path), self.reason)
    }
}

/// Why a directory walk passed over an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SkipReason {
    /// A symbolic link back into a directory that contains it: following it would never end.
    LinkLoop,
    /// A symbolic link that leads to nothing readable; the error says why.
    BrokenLink(String),
    /// A named pipe, socket or device. Opening a pipe blocks until someone writes to it and a
    /// device may never end, so only files are read from directories (named explicitly, such
    /// inputs are read: that is how `<(...)` works).
    NotAFile(&'static str),
    /// A file or directory the walk already found under another path, through a symbolic link:
    /// each is read once, under the first path in path order.
    AlreadyFound(PathBuf),
}

impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SkipReason::LinkLoop => write!(f, "a symbolic link loop"),
            SkipReason::BrokenLink(error) => write!(f, "a symbolic link that leads nowhere ({error})"),
            SkipReason::NotAFile(what) => write!(f, "{what}, not a regular file"),
            SkipReason::AlreadyFound(first) => write!(f, "already read as {}", lossless_path(first)),
        }
    }
}

/// Turns command-line inputs into sources: `-` is standard input, a file (or a pipe, or a
/// device) named explicitly is itself, a directory is every input file below it in path order,
/// named in ids by its path relative to the directory. Inputs that do not exist stop the run
/// here, before any work is done.
pub fn expand_inputs(args: &[PathBuf]) -> Result<Inputs, InputError> {
    let mut inputs = Inputs::default();
    if args.is_empty() {
        inputs.sources.push(InputSource::Stdin);
        return Ok(inputs);
    }
    for arg in args {
        if arg == Path::new("-") {
            inputs.sources.push(InputSource::Stdin);
            continue;
        }
        let meta = std::fs::metadata(arg).map_err(|error| InputError::Read { path: lossless_path(arg), error })?;
        if !meta.is_dir() {
            inputs.sources.push(InputSource::file(arg));
            continue;
        }
        let found = walk(arg, &mut inputs.skipped)?;
        if found.is_empty() {
            return Err(InputError::EmptyDirectory { path: lossless_path(arg) });
        }
        inputs.sources.extend(found.into_iter().map(|path| {
            let id = path
                .strip_prefix(arg)
                .unwrap_or(&path)
                .components()
                .map(|c| lossless_name(c.as_os_str()))
                .collect::<Vec<_>>()
                .join("/");
            InputSource::File { path, id }
        }));
    }
    Ok(inputs)
}

/// The input files under `dir` in path order. Links are followed, but each real file and
/// directory (device and inode) is visited once, so link loops and links across the tree cannot
/// make the walk endless or exponential; what is passed over goes to `skipped`.
fn walk(dir: &Path, skipped: &mut Vec<Skipped>) -> Result<Vec<PathBuf>, InputError> {
    let fatal =
        |path: Option<&Path>, error: io::Error| InputError::Read { path: lossless_path(path.unwrap_or(dir)), error };
    let mut found = Vec::new();
    let mut seen: HashMap<FileIdentity, PathBuf> = HashMap::new();
    // Sorting each directory's entries by name makes the depth-first walk visit paths in path
    // order, so the first path of a file reached twice is the first in path order.
    let mut walker = WalkDir::new(dir).follow_links(true).sort_by_file_name().into_iter();
    while let Some(entry) = walker.next() {
        let entry = match entry {
            Ok(entry) => entry,
            Err(error) => {
                let Some(path) = error.path().map(Path::to_path_buf) else {
                    return Err(fatal(None, error.into()));
                };
                if error.loop_ancestor().is_some() {
                    skipped.push(Skipped { path, reason: SkipReason::LinkLoop });
                    continue;
                }
                let is_link = path.symlink_metadata().is_ok_and(|meta| meta.file_type().is_symlink());
                let at_top = error.depth() == 0;
                let error = error.into_io_error().unwrap_or_else(|| io::Error::other("cannot walk"));
                if !is_link || at_top {
                    // An unreadable directory: its files would be silently missing from the run.
                    return Err(fatal(Some(&path), error));
                }
                if is_link_loop(&error) {
                    skipped.push(Skipped { path, reason: SkipReason::LinkLoop });
                } else if is_input_name(&path) {
                    skipped.push(Skipped { path, reason: SkipReason::BrokenLink(error.to_string()) });
                }
                continue;
            }
        };
        let file_type = entry.file_type();
        if file_type.is_dir() {
            let meta = entry.metadata().map_err(|error| fatal(Some(entry.path()), error.into()))?;
            if let Some(first) = first_visit(&mut seen, &meta, entry.path()) {
                walker.skip_current_dir();
                skipped.push(Skipped { path: entry.into_path(), reason: SkipReason::AlreadyFound(first) });
            }
            continue;
        }
        if !is_input_name(entry.path()) {
            continue;
        }
        if !file_type.is_file() {
            skipped.push(Skipped { path: entry.into_path(), reason: SkipReason::NotAFile(describe(file_type)) });
            continue;
        }
        let meta = entry.metadata().map_err(|error| fatal(Some(entry.path()), error.into()))?;
        match first_visit(&mut seen, &meta, entry.path()) {
            Some(first) => skipped.push(Skipped { path: entry.into_path(), reason: SkipReason::AlreadyFound(first) }),
            None => found.push(entry.into_path()),
        }
    }
    Ok(found)
}

/// A file's identity on this machine, whatever path leads to it.
type FileIdentity = (u64, u64);

/// Records that `path` leads to the file `meta` describes; the path it was first found under if
/// it was found before.
fn first_visit(seen: &mut HashMap<FileIdentity, PathBuf>, meta: &Metadata, path: &Path) -> Option<PathBuf> {
    let identity = identity(meta)?;
    match seen.entry(identity) {
        Entry::Occupied(first) => Some(first.get().clone()),
        Entry::Vacant(slot) => {
            slot.insert(path.to_path_buf());
            None
        }
    }
}

#[cfg(unix)]
fn identity(meta: &Metadata) -> Option<FileIdentity> {
    use std::os::unix::fs::MetadataExt;
    Some((meta.dev(), meta.ino()))
}

#[cfg(not(unix))]
fn identity(_: &Metadata) -> Option<FileIdentity> {
    None
}

/// `ELOOP`: a chain of links that comes back to itself before reaching a file.
fn is_link_loop(error: &io::Error) -> bool {
    #[cfg(unix)]
    let eloop = Some(libc::ELOOP);
    #[cfg(not(unix))]
    let eloop = None;
    eloop.is_some() && error.raw_os_error() == eloop
}

/// What kind of thing a non-file, non-directory entry is, for the skipped list.
fn describe(file_type: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "a named pipe (FIFO)";
        } else if file_type.is_socket() {
            return "a socket";
        } else if file_type.is_char_device() || file_type.is_block_device() {
            return "a device";
        }
    }
    let _ = file_type;
    "a special file"
}

/// Whether a walk reads an entry of this name: not hidden, and with an input suffix.
fn is_input_name(path: &Path) -> bool {
    let name = path.file_name().map(|name| name.to_string_lossy().to_lowercase()).unwrap_or_default();
    !name.starts_with('.') && INPUT_SUFFIXES.iter().any(|suffix| name.ends_with(suffix))
}

/// A file name as text, without losing anything: a name that is valid UTF-8 is itself; in one
/// that is not, each byte that is not part of valid UTF-8 is written `\xNN` (two lowercase hex
/// digits) and each backslash `\\`, so names that differ only in such bytes, which
/// `to_string_lossy` turns alike into `\u{fffd}`, keep different ids. (A valid name spelled like
/// an escaped one, `a\xe9.txt`, could still meet its twin; the reader's duplicate-id check turns
/// the later one into an error record.)
pub(super) fn lossless_name(name: &OsStr) -> String {
    #[cfg(unix)]
    {
        use std::fmt::Write;
        use std::os::unix::ffi::OsStrExt;
        let bytes = name.as_bytes();
        if let Ok(text) = std::str::from_utf8(bytes) {
            return text.to_string();
        }
        let mut text = String::with_capacity(bytes.len() * 2);
        for chunk in bytes.utf8_chunks() {
            text.push_str(&chunk.valid().replace('\\', "\\\\"));
            for byte in chunk.invalid() {
                let _ = write!(text, "\\x{byte:02x}");
            }
        }
        text
    }
    #[cfg(not(unix))]
    name.to_string_lossy().into_owned()
}

/// A path as text by the rule of [`lossless_name`], for ids and messages.
pub(super) fn lossless_path(path: &Path) -> String {
    lossless_name(path.as_os_str())
}

/// Opens `source` for reading, decompressing by extension, and counts the raw bytes read into
/// `counter`.
pub(super) fn open(source: &InputSource, counter: &Arc<AtomicU64>) -> io::Result<Stream> {
    let (raw, name): (Box<dyn Read + Send>, String) = match source {
        InputSource::Stdin => (Box::new(io::stdin()), String::new()),
        InputSource::File { path, .. } => (Box::new(File::open(path)?), path.to_string_lossy().to_lowercase()),
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
    use std::collections::HashSet;
    use std::io::Write;
    use std::os::unix::ffi::OsStrExt;
    use std::os::unix::fs::symlink;
    use std::sync::mpsc;
    use std::time::Duration;

    use proptest::prelude::*;

    use super::*;
    use crate::input::{read_documents, InputFormat};

    fn ids(inputs: &Inputs) -> Vec<String> {
        inputs.sources.iter().map(InputSource::document_id).collect()
    }

    fn skipped(inputs: &Inputs, root: &Path) -> Vec<(String, SkipReason)> {
        let relative = |path: &Path| path.strip_prefix(root).unwrap_or(path).display().to_string();
        inputs
            .skipped
            .iter()
            .map(|skip| {
                let reason = match &skip.reason {
                    SkipReason::AlreadyFound(first) => SkipReason::AlreadyFound(relative(first).into()),
                    reason => reason.clone(),
                };
                (relative(&skip.path), reason)
            })
            .collect()
    }

    fn mkfifo(path: &Path) {
        let name = std::ffi::CString::new(path.as_os_str().as_bytes()).unwrap();
        // SAFETY: `name` is a NUL-terminated path that outlives the call.
        assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o644) }, 0, "mkfifo {}", path.display());
    }

    /// `expand_inputs`, failing the test (rather than hanging it) if the walk does not finish.
    fn expand_within(args: Vec<PathBuf>, limit: Duration) -> Result<Inputs, InputError> {
        let (send, receive) = mpsc::channel();
        std::thread::spawn(move || send.send(expand_inputs(&args)));
        receive.recv_timeout(limit).expect("the walk did not finish")
    }

    #[test]
    fn a_symlink_loop_in_a_directory_is_skipped_and_said_so_not_walked_forever() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.txt"), "Kyiv").unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::fs::write(dir.path().join("sub/b.txt"), "Lviv").unwrap();
        symlink(".", dir.path().join("self")).unwrap();
        symlink("..", dir.path().join("sub/up")).unwrap();
        let inputs = expand_within(vec![dir.path().to_path_buf()], Duration::from_secs(20)).unwrap();
        assert_eq!(ids(&inputs), ["a.txt", "sub/b.txt"], "each file once");
        assert_eq!(
            skipped(&inputs, dir.path()),
            [("self".into(), SkipReason::LinkLoop), ("sub/up".into(), SkipReason::LinkLoop)]
        );
        let line = inputs.skipped[0].to_string();
        assert_eq!(line, format!("{}: a symbolic link loop", dir.path().join("self").display()));
    }

    #[test]
    fn two_links_to_the_top_do_not_make_the_walk_exponential() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.txt"), "Kyiv").unwrap();
        symlink(".", dir.path().join("x")).unwrap();
        symlink(".", dir.path().join("y")).unwrap();
        let inputs = expand_within(vec![dir.path().to_path_buf()], Duration::from_secs(20)).unwrap();
        assert_eq!(ids(&inputs), ["a.txt"]);
        assert_eq!(inputs.skipped.len(), 2);
    }

    #[test]
    fn a_file_or_directory_reached_through_a_link_is_read_once_under_its_first_path() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("b")).unwrap();
        std::fs::write(dir.path().join("b/x.txt"), "Kyiv").unwrap();
        symlink("b", dir.path().join("c")).unwrap();
        symlink("b/x.txt", dir.path().join("link.txt")).unwrap();
        let inputs = expand_inputs(&[dir.path().to_path_buf()]).unwrap();
        assert_eq!(ids(&inputs), ["b/x.txt"]);
        assert_eq!(
            skipped(&inputs, dir.path()),
            [
                ("c".into(), SkipReason::AlreadyFound("b".into())),
                ("link.txt".into(), SkipReason::AlreadyFound("b/x.txt".into())),
            ]
        );
    }

    #[test]
    fn a_link_to_a_file_outside_is_read_under_the_links_name_and_a_broken_link_is_skipped() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("article.txt"), "Kyiv").unwrap();
        let dir = tempfile::tempdir().unwrap();
        symlink(outside.path().join("article.txt"), dir.path().join("linked.txt")).unwrap();
        symlink("nowhere.txt", dir.path().join("broken.txt")).unwrap();
        let inputs = expand_inputs(&[dir.path().to_path_buf()]).unwrap();
        assert_eq!(ids(&inputs), ["linked.txt"]);
        let skips = skipped(&inputs, dir.path());
        assert!(
            matches!(&skips[..], [(path, SkipReason::BrokenLink(why))] if path == "broken.txt" && why.contains("No such file")),
            "{skips:?}"
        );
    }

    #[test]
    fn a_fifo_inside_a_directory_is_skipped_not_waited_on() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.txt"), "Kyiv").unwrap();
        mkfifo(&dir.path().join("pipe.txt"));
        mkfifo(&dir.path().join("pipe.md"));
        let inputs = expand_inputs(&[dir.path().to_path_buf()]).unwrap();
        assert_eq!(ids(&inputs), ["a.txt"]);
        assert_eq!(skipped(&inputs, dir.path()), [("pipe.txt".into(), SkipReason::NotAFile("a named pipe (FIFO)"))]);
        assert_eq!(
            inputs.skipped[0].to_string(),
            format!("{}: a named pipe (FIFO), not a regular file", dir.path().join("pipe.txt").display())
        );
    }

    #[test]
    fn a_fifo_named_explicitly_is_read_as_process_substitution_needs() {
        let dir = tempfile::tempdir().unwrap();
        let pipe = dir.path().join("pipe");
        mkfifo(&pipe);
        let writer = {
            let pipe = pipe.clone();
            std::thread::spawn(move || std::fs::write(pipe, "Kyiv"))
        };
        let inputs = expand_inputs(std::slice::from_ref(&pipe)).unwrap();
        assert_eq!(inputs.sources, [InputSource::file(&pipe)]);
        assert_eq!(inputs.sources[0].size(), None, "a pipe's size is unknown, not 0");
        let records = read_documents(&inputs.sources, InputFormat::Auto);
        writer.join().unwrap().unwrap();
        assert_eq!(records[0].as_ref().unwrap().text, "Kyiv");
    }

    #[test]
    fn file_names_that_differ_only_in_invalid_utf8_get_different_ids() {
        let dir = tempfile::tempdir().unwrap();
        for name in [&b"caf\xe9.txt"[..], b"caf\xe8.txt", b"a\\\xff.txt"] {
            std::fs::write(dir.path().join(OsStr::from_bytes(name)), "x").unwrap();
        }
        let inputs = expand_inputs(&[dir.path().to_path_buf()]).unwrap();
        assert_eq!(ids(&inputs), [r"a\\\xff.txt", r"caf\xe8.txt", r"caf\xe9.txt"]);
        let file = InputSource::file(&dir.path().join(OsStr::from_bytes(b"caf\xe9.txt")));
        assert_eq!(file.document_id(), r"caf\xe9.txt");
        assert!(file.name().ends_with(r"/caf\xe9.txt"), "messages name it the same way: {}", file.name());
    }

    #[test]
    fn valid_utf8_names_are_their_own_ids_backslashes_and_all() {
        assert_eq!(lossless_name(OsStr::new(r"a\b é.txt")), r"a\b é.txt");
        assert_eq!(lossless_name(OsStr::from_bytes(b"\xff\\")), r"\xff\\");
    }

    /// One entry of a generated tree: its parent (an earlier directory, or the root) and kind.
    #[derive(Debug, Clone)]
    enum Kind {
        Dir,
        File,
        HiddenFile,
        OtherName,
        Fifo,
        /// A symbolic link to an entry of the tree (index; 0 is the root, `n + 1` entry `n`),
        /// or past its end: to nothing.
        Link(usize),
    }

    fn tree() -> impl Strategy<Value = Vec<(usize, Kind)>> {
        let kind = prop_oneof![
            3 => Just(Kind::Dir),
            3 => Just(Kind::File),
            1 => Just(Kind::HiddenFile),
            1 => Just(Kind::OtherName),
            1 => Just(Kind::Fifo),
            4 => (0..16usize).prop_map(Kind::Link),
        ];
        proptest::collection::vec((0..16usize, kind), 1..14)
    }

    /// Builds the tree under `root`; each entry's parent is the directory among the entries
    /// before it that `parent` picks (or the root).
    fn build(root: &Path, entries: &[(usize, Kind)]) {
        let mut dirs = vec![root.to_path_buf()];
        let mut paths = vec![root.to_path_buf()];
        let names: Vec<String> = entries
            .iter()
            .enumerate()
            .map(|(n, (_, kind))| match kind {
                Kind::Dir => format!("d{n}"),
                Kind::HiddenFile => format!(".h{n}.txt"),
                Kind::OtherName => format!("o{n}.md"),
                _ => format!("e{n}.txt"),
            })
            .collect();
        for (n, (parent, _)) in entries.iter().enumerate() {
            let path = dirs[parent % dirs.len()].join(&names[n]);
            if matches!(entries[n].1, Kind::Dir) {
                dirs.push(path.clone());
            }
            paths.push(path);
        }
        for (n, (_, kind)) in entries.iter().enumerate() {
            let path = &paths[n + 1];
            match kind {
                Kind::Dir => std::fs::create_dir(path).unwrap(),
                Kind::File | Kind::HiddenFile | Kind::OtherName => std::fs::write(path, "x").unwrap(),
                Kind::Fifo => mkfifo(path),
                Kind::Link(target) => {
                    let target = paths.get(*target).cloned().unwrap_or_else(|| root.join("missing"));
                    symlink(target, path).unwrap();
                }
            }
        }
    }

    /// The identities of the input files reachable from `root` through directories and links,
    /// found by a plain breadth-first search: what the walk must list, each once.
    fn reachable_files(root: &Path) -> HashSet<FileIdentity> {
        let mut files = HashSet::new();
        let mut seen_dirs = HashSet::from([identity(&std::fs::metadata(root).unwrap()).unwrap()]);
        let mut queue = vec![root.to_path_buf()];
        while let Some(dir) = queue.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                let Ok(meta) = std::fs::metadata(&path) else { continue };
                let id = identity(&meta).unwrap();
                if meta.is_dir() {
                    if seen_dirs.insert(id) {
                        queue.push(path);
                    }
                } else if meta.is_file() && is_input_name(&path) {
                    files.insert(id);
                }
            }
        }
        files
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        #[test]
        fn the_walk_ends_and_lists_each_reachable_input_file_once(entries in tree()) {
            let dir = tempfile::tempdir().unwrap();
            build(dir.path(), &entries);
            let expected = reachable_files(dir.path());
            let listed = match expand_within(vec![dir.path().to_path_buf()], Duration::from_secs(20)) {
                Ok(inputs) => inputs.sources,
                Err(InputError::EmptyDirectory { .. }) => Vec::new(),
                Err(error) => panic!("{error}"),
            };
            let mut identities = HashSet::new();
            for source in &listed {
                let InputSource::File { path, .. } = source else { panic!("{source:?}") };
                let meta = std::fs::metadata(path).unwrap();
                prop_assert!(meta.is_file(), "{} is not a regular file", path.display());
                prop_assert!(identities.insert(identity(&meta).unwrap()), "{} listed twice", path.display());
            }
            prop_assert_eq!(identities, expected);
        }
    }

    #[test]
    fn directories_are_walked_in_path_order_and_named_by_relative_path() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("b/c")).unwrap();
        for name in ["z.txt", "b/c/a.html", "b/notes.md", "b/.hidden.txt", "a.jsonl.gz"] {
            std::fs::write(dir.path().join(name), "x").unwrap();
        }
        let inputs = expand_inputs(&[dir.path().to_path_buf()]).unwrap();
        assert_eq!(ids(&inputs), ["a.jsonl.gz", "b/c/a.html", "z.txt"]);
        assert_eq!(inputs.skipped, [], "names that are not inputs are passed over silently");
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
            let records = read_documents(&[InputSource::file(&path)], InputFormat::Auto);
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
        let records = read_documents(&[InputSource::file(&path)], InputFormat::Auto);
        let (last, read) = records.split_last().unwrap();
        assert!(read.iter().all(|record| record.is_ok()), "records before the cut are read");
        assert_eq!(last.as_ref().unwrap_err().kind, crate::input::RecordErrorKind::Read);
    }
}
