//! sha256 of streams: bytes are hashed as they pass, in fixed-size buffers, so an evidence file of
//! any size is unpacked, checked, copied into the case and listed in the manifest in constant memory
//! (a 200 MB file read whole was once most of the process's peak memory).

use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{self, BufReader, Read, Write};
use std::path::Path;

/// How much of a file is read at once when hashing or copying it.
const CHUNK: usize = 64 * 1024;

/// A writer that hashes every byte it passes on.
pub struct HashingWriter<W> {
    inner: W,
    hasher: Sha256,
    size: u64,
}

impl<W: Write> HashingWriter<W> {
    pub fn new(inner: W) -> HashingWriter<W> {
        HashingWriter {
            inner,
            hasher: Sha256::new(),
            size: 0,
        }
    }

    /// The inner writer (flushed), the sha256 (lowercase hex) and the size of what was written.
    pub fn finish(mut self) -> io::Result<(W, String, u64)> {
        self.inner.flush()?;
        Ok((self.inner, hex::encode(self.hasher.finalize()), self.size))
    }
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        // Only what the inner writer took is hashed, so the digest is that of the bytes written.
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.size += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Copies `reader` to `writer`, returning the sha256 and size of what was copied.
pub fn copy(reader: impl Read, writer: impl Write) -> io::Result<(String, u64)> {
    let mut reader = BufReader::with_capacity(CHUNK, reader);
    let mut out = HashingWriter::new(writer);
    io::copy(&mut reader, &mut out)?;
    let (_, sha256, size) = out.finish()?;
    Ok((sha256, size))
}

/// The sha256 of `bytes` in lowercase hex: the one spelling of it in the client.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// A sha256 as a name: 64 hex digits, nothing else. A value from the network or a case file that
/// becomes part of a path must be exactly that (`../../victim` would name any file).
pub fn is_sha256(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The sha256 (lowercase hex) and size of the file at `path`.
pub fn hash_file(path: &Path) -> Result<(String, u64), String> {
    File::open(path)
        .and_then(|f| copy(f, io::sink()))
        .map_err(|e| format!("cannot read `{}`: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_digest_is_that_of_the_bytes_passed_on() {
        // The NIST test vector for "abc".
        let abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        let mut out = Vec::new();
        assert_eq!(copy(&b"abc"[..], &mut out).unwrap(), (abc.to_string(), 3));
        assert_eq!(out, b"abc");
        let big = vec![7u8; 3 * CHUNK + 5];
        let (sha, size) = copy(&big[..], io::sink()).unwrap();
        assert_eq!(size, big.len() as u64);
        assert_eq!(sha, hex::encode(Sha256::digest(&big)));
    }
}
