//! Reading files a repository ships (templates): only regular files, and
//! never more than a bound, so a committed symlink to `/dev/zero` or a FIFO
//! cannot exhaust memory or hang a command. And making directories so that
//! a write that fails can take back the ones it made.

use std::io::Read;
use std::path::{Path, PathBuf};

/// Why a repository file could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
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

/// Opens `path` for reading if it is (or links to) a regular file of at
/// most `max` bytes, as a reader that stops after `max` + 1 bytes. The type
/// is checked before opening (opening a FIFO blocks) and again on the
/// opened file, so a file swapped meanwhile cannot get past either check.
pub(crate) fn open_bounded(
    path: &Path,
    max: u64,
) -> Result<std::io::Take<std::fs::File>, ReadError> {
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
    if meta.len() > max {
        return Err(ReadError::TooBig(max));
    }
    Ok(file.take(max + 1))
}

/// Reads `path` as UTF-8 text if it is (or links to) a regular file of at
/// most `max` bytes (`open_bounded`); a file growing meanwhile cannot get
/// past the bound either.
pub fn read_bounded(path: &Path, max: u64) -> Result<String, ReadError> {
    let mut reader = open_bounded(path, max)?;
    let len = reader.get_ref().metadata().map_or(0, |m| m.len());
    let mut bytes = Vec::with_capacity(len.min(max) as usize);
    reader.read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max {
        return Err(ReadError::TooBig(max));
    }
    String::from_utf8(bytes).map_err(|_| ReadError::NotUtf8)
}

/// Makes `dir` and its missing parents, recording each one made in `made`
/// (outermost first), so that [`remove_dirs`] can take them back.
pub fn make_dirs(dir: &Path, made: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let missing: Vec<&Path> = dir
        .ancestors()
        .take_while(|d| !d.as_os_str().is_empty() && std::fs::symlink_metadata(d).is_err())
        .collect();
    for d in missing.into_iter().rev() {
        std::fs::create_dir(d)?;
        made.push(d.to_path_buf());
    }
    Ok(())
}

/// Removes the directories [`make_dirs`] made, innermost first, each only
/// if it is empty: nothing anyone else put there goes.
pub fn remove_dirs(made: &[PathBuf]) {
    for d in made.iter().rev() {
        let _ = std::fs::remove_dir(d);
    }
}

/// How old a temporary file must be before a later writer takes it as left
/// behind by a killed process: a live writer holds one for far less.
pub const STALE_TEMP_AGE: std::time::Duration = std::time::Duration::from_secs(10 * 60);

/// Removes the regular files directly in `dir` whose names start with
/// `prefix` and that were last modified more than [`STALE_TEMP_AGE`] ago:
/// the temporary files of writers killed mid-write. Best effort (a file
/// another sweeper removed first, or one that cannot be removed, is left to
/// the next one).
pub(crate) fn remove_stale_temps(dir: &Path, prefix: &str) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let now = std::time::SystemTime::now();
    for e in entries.flatten() {
        if !e.file_name().to_string_lossy().starts_with(prefix) {
            continue;
        }
        let Ok(meta) = e.metadata() else { continue };
        let old = meta
            .modified()
            .ok()
            .and_then(|m| now.duration_since(m).ok())
            .is_some_and(|age| age > STALE_TEMP_AGE);
        if meta.is_file() && old {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

/// Calls `create` until it succeeds, fails with anything but
/// `AlreadyExists` (another writer holds the lock file), or `wait` has
/// passed; the pause between tries doubles from `pause` up to `most`.
pub(crate) fn retry_while_held<T>(
    wait: std::time::Duration,
    mut pause: std::time::Duration,
    most: std::time::Duration,
    mut create: impl FnMut() -> std::io::Result<T>,
) -> std::io::Result<T> {
    let started = std::time::Instant::now();
    loop {
        match create() {
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                let left = wait.saturating_sub(started.elapsed());
                if left.is_zero() {
                    return Err(e);
                }
                std::thread::sleep(pause.min(left));
                pause = (pause * 2).min(most);
            }
            other => return other,
        }
    }
}
