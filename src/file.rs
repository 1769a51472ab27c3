//! Reading files a repository ships (templates): only regular files, and
//! never more than a bound, so a committed symlink to `/dev/zero` or a FIFO
//! cannot exhaust memory or hang a command.

use std::io::Read;
use std::path::Path;

/// Why a repository file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// A directory, FIFO, socket or device (after following symlinks).
    #[error("it is not a regular file ({0})")]
    NotRegular(&'static str),
    /// Larger than the bound.
    #[error("it is over {} KiB", .0 >> 10)]
    TooBig(u64),
    /// Not UTF-8 text.
    #[error("it is not UTF-8 text")]
    NotUtf8,
    /// The file system refused.
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// What kind of file `meta` describes, for an error message.
fn kind(meta: &std::fs::Metadata) -> &'static str {
    let t = meta.file_type();
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a FIFO";
        }
        if t.is_char_device() || t.is_block_device() {
            return "a device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    if t.is_dir() { "a directory" } else { "not a file" }
}

/// Reads `path` as UTF-8 text if it is (or links to) a regular file of at
/// most `max` bytes. The type is checked before opening (opening a FIFO
/// blocks) and again on the opened file, and the read itself is bounded,
/// so a file swapped or growing meanwhile cannot get past either bound.
pub fn read_bounded(path: &Path, max: u64) -> Result<String, ReadError> {
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Err(ReadError::NotRegular(kind(&meta)));
    }
    if meta.len() > max {
        return Err(ReadError::TooBig(max));
    }
    let file = std::fs::File::open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(ReadError::NotRegular(kind(&meta)));
    }
    let mut bytes = Vec::with_capacity(meta.len().min(max) as usize);
    file.take(max + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max {
        return Err(ReadError::TooBig(max));
    }
    String::from_utf8(bytes).map_err(|_| ReadError::NotUtf8)
}
