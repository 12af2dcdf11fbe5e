//! Where output bytes go: standard output, or a file compressed by its extension.

use std::fs::File;
use std::io::{self, BufWriter, Stdout, Write};
use std::os::fd::AsFd;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::Path;

/// How output files are compressed, by extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    None,
    /// `.gz`
    Gzip,
    /// `.zst`
    Zstd,
}

impl Compression {
    pub fn of_path(path: &Path) -> Self {
        match path.extension().and_then(|ext| ext.to_str()) {
            Some("gz") => Compression::Gzip,
            Some("zst") => Compression::Zstd,
            _ => Compression::None,
        }
    }
}

/// Why the output cannot be opened.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error(
        "standard output is closed, so every record would be lost: redirect it (> out.json) or pass --output FILE"
    )]
    StdoutClosed,
    #[error("{path}: cannot open the output: {error}")]
    Open { path: String, error: io::Error },
}

/// A byte sink for records. [`OutputStream::finish`] must be called once at the end: it writes
/// the compressor's trailer and flushes.
pub struct OutputStream {
    inner: Inner,
}

enum Inner {
    Stdout(BufWriter<Stdout>),
    Plain(BufWriter<File>),
    Gzip(flate2::write::GzEncoder<BufWriter<File>>),
    Zstd(zstd::stream::write::Encoder<'static, BufWriter<File>>),
    /// Writes go nowhere; the file (a directory output's lock) is held until the stream drops.
    Nowhere {
        _lock: File,
        sink: io::Sink,
    },
}

impl OutputStream {
    /// Standard output, refused when it is closed: writes to it would vanish without an error.
    pub fn stdout() -> Result<Self, OutputError> {
        if stdout_is_closed() {
            return Err(OutputError::StdoutClosed);
        }
        Ok(OutputStream { inner: Inner::Stdout(BufWriter::new(io::stdout())) })
    }

    /// Writes into `file` from its current position on, compressing by the extension of
    /// `path` (the name `file` was opened under). Any lock on `file` is held until the stream drops.
    pub fn from_file(file: File, path: &Path) -> Result<Self, OutputError> {
        let file = BufWriter::new(file);
        let inner = match Compression::of_path(path) {
            Compression::None => Inner::Plain(file),
            Compression::Gzip => Inner::Gzip(flate2::write::GzEncoder::new(file, flate2::Compression::default())),
            Compression::Zstd => Inner::Zstd(
                zstd::stream::write::Encoder::new(file, 3)
                    .map_err(|error| OutputError::Open { path: path.display().to_string(), error })?,
            ),
        };
        Ok(OutputStream { inner })
    }

    /// A stream that writes nothing, for outputs that are directories of files the sink writes
    /// itself; it holds `lock` (the directory's) until it drops.
    pub fn nowhere(lock: File) -> Self {
        OutputStream { inner: Inner::Nowhere { _lock: lock, sink: io::sink() } }
    }

    /// Ends the stream: compressors write their trailer, and everything is flushed (and for
    /// files, synced to disk).
    pub fn finish(&mut self) -> io::Result<()> {
        match &mut self.inner {
            Inner::Stdout(out) => out.flush(),
            Inner::Plain(out) => {
                out.flush()?;
                out.get_ref().sync_all()
            }
            Inner::Gzip(out) => {
                out.try_finish()?;
                out.get_mut().flush()?;
                out.get_ref().get_ref().sync_all()
            }
            Inner::Zstd(out) => {
                out.do_finish()?;
                out.get_mut().flush()?;
                out.get_ref().get_ref().sync_all()
            }
            Inner::Nowhere { .. } => Ok(()),
        }
    }

    fn writer(&mut self) -> &mut dyn Write {
        match &mut self.inner {
            Inner::Stdout(out) => out,
            Inner::Plain(out) => out,
            Inner::Gzip(out) => out,
            Inner::Zstd(out) => out,
            Inner::Nowhere { sink, .. } => sink,
        }
    }
}

impl Write for OutputStream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.writer().write(buf)
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.writer().write_all(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.writer().flush()
    }
}

/// Whether this process was started with standard output closed (`claimtag tag in.txt >&-`).
///
/// Rust's runtime reopens a closed descriptor 0-2 on `/dev/null` before `main`, read-write, and
/// Rust's stdout would swallow `EBADF` anyway, so a closed stdout reads as success with
/// nothing written. A shell's `> /dev/null` opens it write-only, so standard output that is
/// `/dev/null` open for reading and writing is taken for a closed one (a supervisor that
/// deliberately hands a process read-write `/dev/null` as its stdout is refused too: the
/// records would be lost there as well).
fn stdout_is_closed() -> bool {
    // SAFETY: F_GETFL on a descriptor number only reads the kernel's state of it.
    let flags = unsafe { libc::fcntl(libc::STDOUT_FILENO, libc::F_GETFL) };
    if flags == -1 {
        return true;
    }
    if flags & libc::O_ACCMODE != libc::O_RDWR {
        return false;
    }
    let is_dev_null = || -> io::Result<bool> {
        let stdout = File::from(io::stdout().as_fd().try_clone_to_owned()?).metadata()?;
        let null = std::fs::metadata("/dev/null")?;
        Ok(stdout.file_type().is_char_device() && stdout.rdev() == null.rdev())
    };
    is_dev_null().unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    #[test]
    fn compressed_outputs_decompress_to_what_was_written() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["out.jsonl", "out.jsonl.gz", "out.jsonl.zst"] {
            let path = dir.path().join(name);
            let mut out = OutputStream::from_file(File::create(&path).unwrap(), &path).unwrap();
            out.write_all("{\"id\": \"Київ 🙂\"}\n".as_bytes()).unwrap();
            out.flush().unwrap();
            out.write_all(b"{\"id\": \"b\"}\n").unwrap();
            out.finish().unwrap();
            let raw = std::fs::read(&path).unwrap();
            let mut text = String::new();
            match Compression::of_path(&path) {
                Compression::None => text = String::from_utf8(raw).unwrap(),
                Compression::Gzip => {
                    flate2::read::MultiGzDecoder::new(&raw[..]).read_to_string(&mut text).unwrap();
                }
                Compression::Zstd => text = String::from_utf8(zstd::decode_all(&raw[..]).unwrap()).unwrap(),
            };
            assert_eq!(text, "{\"id\": \"Київ 🙂\"}\n{\"id\": \"b\"}\n", "{name}");
        }
    }
}
