//! Where output bytes go: standard output, or a file compressed by its extension.

use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Stdout, Write};
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
}

impl OutputStream {
    pub fn stdout() -> Self {
        OutputStream { inner: Inner::Stdout(BufWriter::new(io::stdout())) }
    }

    /// Creates (or truncates) `path`, compressing by its extension.
    pub fn create(path: &Path) -> io::Result<Self> {
        let file = BufWriter::new(File::create(path)?);
        let inner = match Compression::of_path(path) {
            Compression::None => Inner::Plain(file),
            Compression::Gzip => Inner::Gzip(flate2::write::GzEncoder::new(file, flate2::Compression::default())),
            Compression::Zstd => Inner::Zstd(zstd::stream::write::Encoder::new(file, 3)?),
        };
        Ok(OutputStream { inner })
    }

    /// Opens an uncompressed `path` to write after what it holds.
    pub fn append(path: &Path) -> io::Result<Self> {
        let file = OpenOptions::new().append(true).open(path)?;
        Ok(OutputStream { inner: Inner::Plain(BufWriter::new(file)) })
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
        }
    }

    fn writer(&mut self) -> &mut dyn Write {
        match &mut self.inner {
            Inner::Stdout(out) => out,
            Inner::Plain(out) => out,
            Inner::Gzip(out) => out,
            Inner::Zstd(out) => out,
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

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    #[test]
    fn compressed_outputs_decompress_to_what_was_written() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["out.jsonl", "out.jsonl.gz", "out.jsonl.zst"] {
            let path = dir.path().join(name);
            let mut out = OutputStream::create(&path).unwrap();
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
