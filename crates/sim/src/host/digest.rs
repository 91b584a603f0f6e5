//! File digests as hosts report them: MD5 and SHA-256 in lower-case hex, and the CRC-32 that
//! archives carry. RustCrypto's `md-5` (the family `sha2` comes from) and `crc32fast` (already in the
//! tree through the 7z crate) replace hand-written versions.

use sha2::{Digest, Sha256};

/// Lower-case hex SHA-256. The client has its own (`engine/hashing.rs`), since it must not depend on
/// the emulator; should a shared home appear (the model crate, or a digest crate both use), this
/// one moves there too (issue 27).
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

pub fn md5_hex(bytes: &[u8]) -> String {
    hex::encode(md5::Md5::digest(bytes))
}

/// CRC-32 (IEEE), as zip and 7z entries record it.
pub fn crc32(bytes: &[u8]) -> u32 {
    crc32fast::hash(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_match_known_vectors() {
        assert_eq!(md5_hex(b""), "d41d8cd98f00b204e9800998ecf8427e");
        assert_eq!(
            md5_hex(b"The quick brown fox jumps over the lazy dog"),
            "9e107d9d372bb6826bd81d3542a419d6"
        );
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(crc32(b"123456789"), 0xcbf4_3926);
    }
}
