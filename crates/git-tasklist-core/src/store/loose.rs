//! Writing loose objects without compressing them.
//!
//! A commit writes three small objects (the state, the root tree, the
//! commit). gix compresses each with a fresh zlib stream, and setting one up
//! (hundreds of KiB of tables, allocated, zeroed and freed per object) costs
//! more than the rest of the write. A loose object is a zlib stream of the
//! object's header and bytes; a stream of *stored* deflate blocks is just as
//! valid a zlib stream (git and gix read it like any other), costs a copy
//! and a checksum, and takes the same single 4 KiB file-system block for the
//! objects we write. `git gc` packs and compresses them later, as always.

use std::io::Write as _;
use std::path::Path;

use gix::ObjectId;

/// Largest stored deflate block.
const BLOCK: usize = 65_535;
/// Adler-32's modulus, and how many bytes can be summed before reducing.
const ADLER_MOD: u32 = 65_521;
const ADLER_NMAX: usize = 5_552;

/// `data` as a zlib stream of stored blocks.
pub(crate) fn stored_zlib(data: &[u8]) -> Vec<u8> {
    let blocks = data.len().div_ceil(BLOCK).max(1);
    let mut out = Vec::with_capacity(data.len() + 2 + 5 * blocks + 4);
    // CMF: deflate with a 32 KiB window; FLG: no dictionary, lowest level,
    // check bits so that (CMF * 256 + FLG) is a multiple of 31.
    out.extend_from_slice(&[0x78, 0x01]);
    let mut chunks = data.chunks(BLOCK).peekable();
    if chunks.peek().is_none() {
        out.extend_from_slice(&[1, 0, 0, 0xff, 0xff]);
    }
    while let Some(chunk) = chunks.next() {
        let last = chunks.peek().is_none();
        let len = chunk.len() as u16;
        out.push(u8::from(last));
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(chunk);
    }
    out.extend_from_slice(&adler32(data).to_be_bytes());
    out
}

fn adler32(data: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for chunk in data.chunks(ADLER_NMAX) {
        for &byte in chunk {
            a += u32::from(byte);
            b += a;
        }
        a %= ADLER_MOD;
        b %= ADLER_MOD;
    }
    (b << 16) | a
}

/// Writes `data` as a loose object of `kind` into the object directory
/// `objects` and returns its id. The file is written under a temporary name
/// and renamed into place, read-only, as git and gix do, so a reader never
/// sees half an object. There is no look for an existing copy first: the
/// objects of a change are nearly always new, and renaming over an
/// identical object is harmless.
pub(crate) fn write(
    objects: &Path,
    hash: gix::hash::Kind,
    kind: gix::object::Kind,
    data: &[u8],
) -> std::io::Result<ObjectId> {
    let header = gix::objs::encode::loose_header(kind, data.len() as u64);
    let mut hasher = gix::hash::hasher(hash);
    hasher.update(&header);
    hasher.update(data);
    let id = hasher.try_finalize().map_err(std::io::Error::other)?;
    let hex = id.to_hex().to_string();
    let dir = objects.join(&hex[..2]);
    let path = dir.join(&hex[2..]);
    let mut raw = Vec::with_capacity(header.len() + data.len());
    raw.extend_from_slice(&header);
    raw.extend_from_slice(data);
    let stream = stored_zlib(&raw);
    let mut builder = tempfile::Builder::new();
    builder.prefix("tmp_obj_");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o444));
    }
    // The temporary file goes into the fan-out directory itself, as git
    // does, so the rename stays within one directory.
    let mut tmp = match builder.tempfile_in(&dir) {
        Ok(tmp) => tmp,
        // The fan-out directory does not exist yet (or git gc just removed it).
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            match std::fs::create_dir(&dir) {
                Ok(()) => {}
                Err(d) if d.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(d) => return Err(d),
            }
            builder.tempfile_in(&dir)?
        }
        Err(e) => return Err(e),
    };
    tmp.write_all(&stream)?;
    tmp.persist(&path).map(|_| id).map_err(|e| e.error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_streams_inflate_to_the_input() {
        for len in [0usize, 1, 100, BLOCK - 1, BLOCK, BLOCK + 1, 3 * BLOCK + 7] {
            let data: Vec<u8> = (0..len).map(|i| (i * 7 % 251) as u8).collect();
            let stream = stored_zlib(&data);
            assert_eq!(u16::from_be_bytes([stream[0], stream[1]]) % 31, 0);
            let mut inflate = gix::zlib::Inflate::default();
            let mut out = vec![0u8; len + 16];
            let (status, _, written) = inflate.once(&stream, &mut out).unwrap();
            assert_eq!(written, len, "{len} bytes");
            assert_eq!(&out[..len], &data[..], "{len} bytes");
            assert!(matches!(status, gix::zlib::Status::StreamEnd), "{len}: {status:?}");
        }
    }

    #[test]
    fn adler32_matches_known_values() {
        assert_eq!(adler32(b""), 1);
        assert_eq!(adler32(b"Wikipedia"), 0x11E6_0398);
        let big = vec![0xffu8; 100_000];
        // Reference computed byte by byte with reductions at every step.
        let (mut a, mut b) = (1u64, 0u64);
        for &x in &big {
            a = (a + u64::from(x)) % 65_521;
            b = (b + a) % 65_521;
        }
        assert_eq!(adler32(&big), ((b << 16) | a) as u32);
    }
}
