//! [`CommitId`]: a commit's object id, of our own (as jj's `CommitId`), so
//! that nothing outside the store names gix's types. It holds up to 32
//! bytes with their length: a SHA-1 id (20 bytes) today, a SHA-256 id (32)
//! when a repository uses one.

use std::fmt;
use std::str::FromStr;

/// A commit's object id: hex when shown, parsed from hex.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CommitId {
    len: u8,
    bytes: [u8; CommitId::MAX_LEN],
}

/// A text that is not a commit id (see [`CommitId::from_str`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a commit id (40 or 64 hexadecimal digits)")]
pub struct InvalidCommitId(pub String);

impl CommitId {
    /// The longest id held, in bytes (SHA-256).
    const MAX_LEN: usize = 32;

    /// The id of these bytes: 20 (SHA-1) or 32 (SHA-256) of them.
    pub fn from_bytes(bytes: &[u8]) -> Option<CommitId> {
        if bytes.len() != 20 && bytes.len() != CommitId::MAX_LEN {
            return None;
        }
        let mut out = [0u8; CommitId::MAX_LEN];
        out[..bytes.len()].copy_from_slice(bytes);
        Some(CommitId { len: bytes.len() as u8, bytes: out })
    }

    /// The id's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }

    /// The id in hex, cut to its first `len` digits (git's abbreviation,
    /// without its check for uniqueness).
    pub fn short(&self, len: usize) -> String {
        let mut hex = self.to_string();
        hex.truncate(len);
        hex
    }

    /// Whether every byte is zero (git's id for "no object").
    pub fn is_null(&self) -> bool {
        self.as_bytes().iter().all(|b| *b == 0)
    }
}

impl fmt::Display for CommitId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Written in one piece: a `{:02x}` per byte cost `log` a tenth of
        // its instructions (every entry shows its commit and parents).
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        let mut hex = [0u8; 2 * CommitId::MAX_LEN];
        for (pair, b) in hex.chunks_exact_mut(2).zip(self.as_bytes()) {
            pair[0] = DIGITS[usize::from(b >> 4)];
            pair[1] = DIGITS[usize::from(b & 0xf)];
        }
        let len = 2 * self.as_bytes().len();
        // Only ASCII digits were written, so this never takes the `Err` arm.
        f.pad(std::str::from_utf8(&hex[..len]).unwrap_or_default())
    }
}

impl fmt::Debug for CommitId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CommitId({self})")
    }
}

impl FromStr for CommitId {
    type Err = InvalidCommitId;

    /// 40 or 64 hexadecimal digits, either case.
    fn from_str(s: &str) -> Result<CommitId, InvalidCommitId> {
        let invalid = || InvalidCommitId(s.chars().take(80).collect());
        if s.len() != 40 && s.len() != 64 {
            return Err(invalid());
        }
        let digit = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
        let mut bytes = Vec::with_capacity(s.len() / 2);
        for pair in s.as_bytes().chunks(2) {
            match (digit(pair[0]), digit(pair[1])) {
                (Some(hi), Some(lo)) => bytes.push(hi << 4 | lo),
                _ => return Err(invalid()),
            }
        }
        CommitId::from_bytes(&bytes).ok_or_else(invalid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trips_for_both_lengths() {
        let sha1 = "0123456789abcdef0123456789abcdef01234567";
        let id: CommitId = sha1.parse().unwrap();
        assert_eq!(id.to_string(), sha1);
        assert_eq!(id.as_bytes().len(), 20);
        assert_eq!(id.short(12), "0123456789ab");
        assert_eq!(format!("{id:.7}|{id:>42}"), format!("0123456|  {sha1}"));
        assert_eq!(sha1.to_uppercase().parse::<CommitId>().unwrap(), id);
        let sha256 = "ab".repeat(32);
        let id: CommitId = sha256.parse().unwrap();
        assert_eq!(id.to_string(), sha256);
        assert_eq!(id.as_bytes().len(), 32);
        assert_eq!(format!("{id:?}"), format!("CommitId({sha256})"));
        assert!(CommitId::from_bytes(&[0; 20]).unwrap().is_null());
    }

    #[test]
    fn anything_else_is_refused() {
        for bad in
            ["", "abc", &"g".repeat(40), &"a".repeat(41), &"a".repeat(63), "é".repeat(20).as_str()]
        {
            assert!(bad.parse::<CommitId>().is_err(), "{bad}");
        }
        assert!(CommitId::from_bytes(&[1; 21]).is_none());
    }
}
