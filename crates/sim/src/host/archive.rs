//! Archives: the password-protected 7z in which Falcon delivers extracted files (both sides:
//! the emulator packs, the client unpacks), and the zip and tar files `zip`/`tar` write on hosts.

use std::io::{Cursor, Write};
use std::path::{Component, Path, PathBuf};

use bytes::Bytes;
use sevenz_rust2::encoder_options::AesEncoderOptions;
use sevenz_rust2::{ArchiveEntry, ArchiveReader, ArchiveWriter, EncoderMethod, Password};

use super::digest::crc32;
use serde::Deserialize;

/// The password Falcon uses for extracted-file archives.
pub const PASSWORD: &str = "infected";

/// A spoiled extracted-file archive, to prove that clients refuse what they cannot vouch for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ArchiveFault {
    #[default]
    None,
    /// The archive's second half never arrives.
    Truncated,
    /// One byte of the encrypted data is flipped.
    Corrupt,
    /// Encrypted with another password than `infected`.
    WrongPassword,
    /// A whole, valid archive, but of bytes other than those of the file whose sha256 was listed.
    OtherBytes,
}

/// Packs one file into a 7z archive, AES-256 encrypted with the password `infected`, stored
/// without compression (7-Zip's `-mx0`: Copy then 7zAES). Falcon compresses, but LZMA2 ran at
/// under 2 MiB/s here, so a 200 MB evidence file took longer than a client waits; stored, it packs
/// at AES speed and real clients (7-Zip, py7zr, FalconPy users) read it the same way. Writing to
/// memory cannot fail in practice; should the encoder fail, the archive is empty, which every
/// reader rejects.
pub fn pack_7z(filename: &str, bytes: &[u8]) -> Vec<u8> {
    try_pack_7z(filename, bytes).unwrap_or_default()
}

/// [`pack_7z`] with the encoder's error.
pub fn try_pack_7z(filename: &str, bytes: &[u8]) -> Result<Vec<u8>, sevenz_rust2::Error> {
    pack_with_password(filename, bytes, PASSWORD)
}

/// [`pack_7z`], spoiled as the scenario's `[faults] extracted_archive` asks.
pub fn pack_7z_spoiled(filename: &str, bytes: &[u8], fault: ArchiveFault) -> Vec<u8> {
    let packed = match fault {
        ArchiveFault::WrongPassword => pack_with_password(filename, bytes, "not-infected"),
        ArchiveFault::OtherBytes => {
            let mut other = bytes.to_vec();
            match other.last_mut() {
                Some(last) => *last ^= 0xFF,
                None => other.push(0),
            }
            try_pack_7z(filename, &other)
        }
        _ => try_pack_7z(filename, bytes),
    };
    let mut packed = packed.unwrap_or_default();
    match fault {
        ArchiveFault::Truncated => packed.truncate(packed.len() / 2),
        // The packed streams start right after the 32-byte signature header.
        ArchiveFault::Corrupt if packed.len() > SIGNATURE_HEADER => {
            packed[SIGNATURE_HEADER] ^= 0xFF
        }
        _ => {}
    }
    packed
}

/// The size of a 7z archive's signature header, before the packed streams.
const SIGNATURE_HEADER: usize = 32;

fn pack_with_password(
    filename: &str,
    bytes: &[u8],
    password: &str,
) -> Result<Vec<u8>, sevenz_rust2::Error> {
    let mut w = ArchiveWriter::new(Cursor::new(Vec::new()))?;
    w.set_content_methods(vec![
        AesEncoderOptions::new(Password::from(password)).into(),
        EncoderMethod::COPY.into(),
    ]);
    w.push_archive_entry(ArchiveEntry::new_file(filename), Some(bytes))?;
    Ok(w.finish()?.into_inner())
}

/// Unpacks every file of a 7z archive held in memory.
pub fn unpack_7z(archive: &[u8], password: &str) -> Result<Vec<(String, Vec<u8>)>, String> {
    let mut reader = ArchiveReader::new(Cursor::new(archive), Password::from(password))
        .map_err(|e| format!("cannot open 7z archive: {e}"))?;
    let mut out = Vec::new();
    reader
        .for_each_entries(|entry, data| {
            if !entry.is_directory() {
                let mut buf = Vec::with_capacity(entry.size() as usize);
                data.read_to_end(&mut buf)?;
                out.push((entry.name().to_string(), buf));
            }
            Ok(true)
        })
        .map_err(|e| format!("cannot unpack 7z archive: {e}"))?;
    Ok(out)
}

/// Unpacks a 7z archive file (password `infected`) into `dir_out`, streaming each entry to
/// disk. Entry names are reduced to safe relative paths (no `..`, no roots), so an archive
/// cannot write outside `dir_out`. Returns each written file and its size.
pub fn unpack_7z_to(path_in: &Path, dir_out: &Path) -> Result<Vec<(PathBuf, u64)>, String> {
    let mut reader = ArchiveReader::open(path_in, Password::from(PASSWORD))
        .map_err(|e| format!("cannot open 7z archive `{}`: {e}", path_in.display()))?;
    let mut out = Vec::new();
    reader
        .for_each_entries(|entry, data| {
            let rel = safe_relative(entry.name());
            if rel.as_os_str().is_empty() {
                return Ok(true);
            }
            let dest = dir_out.join(&rel);
            if entry.is_directory() {
                std::fs::create_dir_all(&dest)?;
                return Ok(true);
            }
            if let Some(parent) = dest.parent() {
                std::fs::create_dir_all(parent)?;
            }
            let mut file = std::fs::File::create(&dest)?;
            let n = std::io::copy(data, &mut file)?;
            file.flush()?;
            out.push((dest, n));
            Ok(true)
        })
        .map_err(|e| format!("cannot unpack 7z archive `{}`: {e}", path_in.display()))?;
    Ok(out)
}

/// The normal components of an entry name (either slash), dropping roots, drives and `..`.
fn safe_relative(name: &str) -> PathBuf {
    let mut p = PathBuf::new();
    for part in name.split(['/', '\\']) {
        let c = Path::new(part).components().next();
        if let Some(Component::Normal(s)) = c
            && !part.contains(':')
        {
            p.push(s);
        }
    }
    p
}

/// A zip archive with stored (uncompressed) entries.
pub fn zip_bytes(entries: &[(String, Bytes)]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, data) in entries {
        let offset = out.len() as u32;
        let crc = crc32(data);
        let size = data.len() as u32;
        let header = |sig: u32, central: bool| {
            let mut h = Vec::new();
            h.extend_from_slice(&sig.to_le_bytes());
            if central {
                h.extend_from_slice(&20u16.to_le_bytes());
            }
            h.extend_from_slice(&20u16.to_le_bytes()); // version needed
            h.extend_from_slice(&0u16.to_le_bytes()); // flags
            h.extend_from_slice(&0u16.to_le_bytes()); // stored
            h.extend_from_slice(&0u32.to_le_bytes()); // DOS time and date
            h.extend_from_slice(&crc.to_le_bytes());
            h.extend_from_slice(&size.to_le_bytes());
            h.extend_from_slice(&size.to_le_bytes());
            h.extend_from_slice(&(name.len() as u16).to_le_bytes());
            h.extend_from_slice(&0u16.to_le_bytes()); // extra
            if central {
                h.extend_from_slice(&[0; 6]); // comment length, disk number, internal attributes
                h.extend_from_slice(&0u32.to_le_bytes()); // external attrs
                h.extend_from_slice(&offset.to_le_bytes());
            }
            h.extend_from_slice(name.as_bytes());
            h
        };
        out.extend(header(0x0403_4b50, false));
        out.extend_from_slice(data);
        central.extend(header(0x0201_4b50, true));
    }
    let cd_offset = out.len() as u32;
    let cd_size = central.len() as u32;
    out.extend(central);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&cd_size.to_le_bytes());
    out.extend_from_slice(&cd_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

/// A POSIX ustar archive, written by the `tar` crate (a name too long for the header gets the GNU
/// long-name entry every reader knows, where the hand-written writer cut it at 100 bytes). Entries
/// are relative paths of the host's own file system, which the crate accepts; should it refuse one,
/// the archive stops short of it rather than holding a renamed file, and writing to memory cannot
/// fail otherwise.
pub fn tar_bytes(entries: &[(String, Bytes)]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for (name, data) in entries {
        let mut header = tar::Header::new_ustar();
        header.set_entry_type(tar::EntryType::Regular);
        header.set_mode(0o644);
        header.set_uid(0);
        header.set_gid(0);
        header.set_size(data.len() as u64);
        header.set_mtime(super::clock::BASE_TIME as u64);
        if builder
            .append_data(&mut header, name, data.as_ref())
            .is_err()
        {
            break;
        }
    }
    builder.into_inner().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seven_zip_round_trips_with_the_password() {
        let data: Vec<u8> = (0..100_000u32).map(|i| (i * 7 % 251) as u8).collect();
        let archive = pack_7z("evil.exe", &data);
        assert!(archive.starts_with(b"7z\xbc\xaf\x27\x1c"));
        let files = unpack_7z(&archive, PASSWORD).unwrap();
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].0, "evil.exe");
        assert_eq!(files[0].1, data);
        assert!(unpack_7z(&archive, "wrong").is_err());
        assert!(unpack_7z(b"not an archive", PASSWORD).is_err());
    }

    #[test]
    fn seven_zip_streams_to_a_directory_without_escaping_it() {
        let dir = tempfile::tempdir().unwrap();
        let archive_path = dir.path().join("a.7z");
        std::fs::write(&archive_path, pack_7z("../../x/evil.exe", b"MZ payload")).unwrap();
        let out_dir = dir.path().join("out");
        let files = unpack_7z_to(&archive_path, &out_dir).unwrap();
        assert_eq!(files, [(out_dir.join("x").join("evil.exe"), 10)]);
        assert_eq!(std::fs::read(&files[0].0).unwrap(), b"MZ payload");
    }

    #[test]
    fn spoiled_archives_do_not_unpack_to_the_file() {
        let data: Vec<u8> = (0..50_000u32).map(|i| (i * 13 % 253) as u8).collect();
        let spoiled = |f| pack_7z_spoiled("evil.exe", &data, f);
        assert_eq!(
            unpack_7z(&spoiled(ArchiveFault::None), PASSWORD).unwrap()[0].1,
            data
        );
        for fault in [
            ArchiveFault::Truncated,
            ArchiveFault::Corrupt,
            ArchiveFault::WrongPassword,
        ] {
            assert!(
                unpack_7z(&spoiled(fault), PASSWORD).is_err(),
                "{fault:?} unpacked"
            );
        }
        let other = unpack_7z(&spoiled(ArchiveFault::OtherBytes), PASSWORD).unwrap();
        assert_eq!(other[0].1.len(), data.len());
        assert_ne!(other[0].1, data);
    }

    /// Made by 7-Zip itself (`7z a -pinfected -mhe=on`): the client side reads what the
    /// reference tool writes. (The other direction was checked by hand: `7z x -pinfected` opens
    /// `pack_7z` output and the bytes match.)
    #[test]
    fn archives_made_by_7zip_unpack() {
        let archive = include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../tests/data/rtr/made_by_7z.7z"
        ));
        let files = unpack_7z(archive, PASSWORD).unwrap();
        assert_eq!(
            files,
            [(
                "sample.txt".to_string(),
                b"collected by 7-Zip for falconry interop\n".to_vec()
            )]
        );
    }

    /// Walks a zip the way unzip does: end record -> central directory -> local headers.
    fn read_zip(z: &[u8]) -> Vec<(String, Vec<u8>)> {
        let u16_at = |i: usize| u16::from_le_bytes([z[i], z[i + 1]]) as usize;
        let u32_at = |i: usize| u32::from_le_bytes([z[i], z[i + 1], z[i + 2], z[i + 3]]) as usize;
        let eocd = z.len() - 22;
        assert_eq!(u32_at(eocd), 0x0605_4b50);
        let (count, mut at) = (u16_at(eocd + 10), u32_at(eocd + 16));
        let mut out = Vec::new();
        for _ in 0..count {
            assert_eq!(u32_at(at), 0x0201_4b50);
            let (size, name_len, extra, comment) = (
                u32_at(at + 24),
                u16_at(at + 28),
                u16_at(at + 30),
                u16_at(at + 32),
            );
            let local = u32_at(at + 42);
            let name = String::from_utf8(z[at + 46..at + 46 + name_len].to_vec()).unwrap();
            assert_eq!(u32_at(local), 0x0403_4b50);
            assert_eq!(&z[local + 30..local + 30 + name_len], name.as_bytes());
            let data_at = local + 30 + name_len + u16_at(local + 28);
            let data = z[data_at..data_at + size].to_vec();
            assert_eq!(crc32(&data) as usize, u32_at(at + 16));
            out.push((name, data));
            at += 46 + name_len + extra + comment;
        }
        out
    }

    #[test]
    fn zip_archives_are_well_formed() {
        let entries = vec![
            ("IR/a.txt".to_string(), Bytes::from_static(b"hello")),
            ("IR/sub/b.bin".to_string(), Bytes::from(vec![7u8; 5000])),
        ];
        let files = read_zip(&zip_bytes(&entries));
        assert_eq!(files.len(), 2);
        assert_eq!(files[0], ("IR/a.txt".to_string(), b"hello".to_vec()));
        assert_eq!(files[1].0, "IR/sub/b.bin");
        assert_eq!(files[1].1, vec![7u8; 5000]);
    }

    #[test]
    fn zip_and_tar_have_their_magic_and_contents() {
        let entries = vec![("d/a.txt".to_string(), Bytes::from_static(b"hello"))];
        let z = zip_bytes(&entries);
        assert!(z.starts_with(b"PK\x03\x04"));
        assert!(z.windows(5).any(|w| w == b"hello"));
        let t = tar_bytes(&entries);
        assert_eq!(&t[257..262], b"ustar");
        assert_eq!(&t[512..517], b"hello");
        assert_eq!(t.len() % 512, 0);
        let long = format!("{}/b.txt", "d".repeat(120));
        let t = tar_bytes(&[(long.clone(), Bytes::from_static(b"x"))]);
        let mut archive = tar::Archive::new(&t[..]);
        let names: Vec<String> = archive
            .entries()
            .unwrap()
            .map(|e| e.unwrap().path().unwrap().display().to_string())
            .collect();
        assert_eq!(names, [long]);
    }
}
