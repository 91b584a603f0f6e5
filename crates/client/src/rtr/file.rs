//! Bringing a file `get` extracted back to the output directory: wait for it among the session's
//! files, download it through the generic caller, unpack Falcon's 7z (password `infected`) and save it
//! under a safe name: one folder per host, no path from the host, never overwriting.

use crate::engine::Context;
use crate::engine::hashing;
use crate::helpers::caller::{self, Error, Result, str_of};
use crate::ops::OpId;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{BufReader, BufWriter, Read};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

const PASSWORD: &str = "infected";
const SEVEN_Z_MAGIC: &[u8] = b"7z\xBC\xAF\x27\x1C";
/// The buffer of each end of the unpacking.
const CHUNK: usize = 64 * 1024;

/// A file `get` left in a session, as `list_files_v2` (or `batch_get_command_status`) shows it.
#[derive(Clone, Debug)]
pub struct Extracted {
    pub session_id: String,
    pub sha256: String,
    pub remote_path: String,
}

/// Waits until the session lists the file of the `get` with `request_id` as complete.
pub fn wait_listed(
    ctx: &Context,
    session_id: &str,
    request_id: &str,
    remote_path: &str,
    timeout: Duration,
) -> Result<Extracted> {
    super::poll::wait(
        ctx,
        timeout,
        || {
            let resp = caller::send(
                ctx,
                OpId::RtrListFilesV2,
                json!({ "session_id": session_id }),
            )?;
            Ok(caller::resources(&resp)
                .into_iter()
                .filter(|f| {
                    str_of(f, "cloud_request_id") == request_id
                        || (str_of(f, "cloud_request_id").is_empty()
                            && str_of(f, "name") == remote_path)
                })
                .find(|f| f.get("complete").and_then(Value::as_bool).unwrap_or(true))
                .filter(|f| !str_of(f, "sha256").is_empty())
                .map(|f| Extracted {
                    session_id: session_id.to_string(),
                    sha256: str_of(&f, "sha256").to_ascii_lowercase(),
                    remote_path: str_of(&f, "name").to_string(),
                }))
        },
        || {
            Error::new(format!(
                "`get {remote_path}` finished but its file did not appear among the session's files within {}s",
                timeout.as_secs()
            ))
        },
    )
}

/// Downloads and unpacks `file` into `<out_dir>/<host>/`, returning `#{path, sha256, size, remote_path}`.
/// Fails closed: the file gets its name only once it is whole and its sha256 is the one Falcon
/// reported; a broken archive, a wrong password or another file's bytes leave nothing behind.
pub fn fetch(ctx: &Context, host_folder: &str, file: &Extracted) -> Result<Value> {
    // The archive is named by the sha256 the API answered: a value from the network that becomes
    // part of a path must be exactly what it claims to be (`../../victim` would name any file).
    if !hashing::is_sha256(&file.sha256) {
        return Err(Error::new(format!(
            "Falcon answered {:?} as the sha256 of `{}`, which is not 64 hex digits; the file was not downloaded",
            file.sha256.chars().take(80).collect::<String>(),
            file.remote_path
        )));
    }
    // Two hosts may hold the same file: its archive name (the sha256) must not be written twice at once.
    let lock = sha_lock(&file.sha256);
    let _guard = lock
        .lock()
        .map_err(|_| Error::new("a download lock was poisoned"))?;
    let archive = ctx.out_dir.join(format!("{}.7z", file.sha256));
    let downloaded = caller::send(
        ctx,
        OpId::RtrGetExtractedFileContents,
        json!({ "session_id": file.session_id, "sha256": file.sha256 }),
    )
    .map_err(|e| e.context(format!("cannot download `{}`", file.remote_path)));
    let saved = downloaded.and_then(|_| save(ctx, host_folder, file, &archive));
    let _ = std::fs::remove_file(&archive);
    let (dest, size) = saved?;
    let collected = json!({
        "path": dest.display().to_string(),
        "sha256": file.sha256,
        "size": size,
        "remote_path": file.remote_path,
    });
    crate::engine::case::record_evidence(ctx, host_folder, &collected);
    Ok(collected)
}

/// Unpacks `archive` to a part file in the host's folder, hashing on the way, and names it after
/// the remote file only when the hash is Falcon's. Returns the path and size.
fn save(
    ctx: &Context,
    host_folder: &str,
    file: &Extracted,
    archive: &Path,
) -> Result<(PathBuf, u64)> {
    let folder = ctx.out_dir.join(safe_component(host_folder, "host"));
    std::fs::create_dir_all(&folder)
        .map_err(|e| Error::new(format!("cannot create `{}`: {e}", folder.display())))?;
    // Hidden and named by the sha256 (whose lock is held), so no two downloads share it.
    let part = folder.join(format!(".{}.part", file.sha256));
    let named = unpack(archive, &part)
        .and_then(|(sha256, size)| {
            if sha256 == file.sha256 {
                Ok(size)
            } else {
                Err(Error::new(format!(
                    "the unpacked bytes' sha256 is {sha256}, not {} as Falcon reported",
                    file.sha256
                )))
            }
        })
        .and_then(|size| {
            persist_unique(&part, &folder, &remote_name(&file.remote_path)).map(|dest| (dest, size))
        })
        .map_err(|e| e.context(format!("`{}` was not saved", file.remote_path)));
    if named.is_err() {
        let _ = std::fs::remove_file(&part);
    }
    named
}

fn sha_lock(sha256: &str) -> Arc<Mutex<()>> {
    static LOCKS: OnceLock<Mutex<HashMap<String, Arc<Mutex<()>>>>> = OnceLock::new();
    let mut map = LOCKS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    map.entry(sha256.to_string()).or_default().clone()
}

/// Writes the archive's first file (or the download itself, when it is not a 7z) to `part`,
/// streaming: returns the sha256 and size of what was written.
fn unpack(archive: &Path, part: &Path) -> Result<(String, u64)> {
    let mut head = [0u8; 6];
    let is_7z = File::open(archive)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok()
        && head == SEVEN_Z_MAGIC;
    let out = File::create(part)
        .map_err(|e| Error::new(format!("cannot create `{}`: {e}", part.display())))?;
    // Decoders read in small pieces (AES: 512 bytes); both ends are buffered so each piece is not
    // a system call.
    let out = BufWriter::with_capacity(CHUNK, out);
    if !is_7z {
        return File::open(archive)
            .and_then(|f| hashing::copy(f, out))
            .map_err(|e| Error::new(format!("cannot copy `{}`: {e}", archive.display())));
    }
    let source = File::open(archive)
        .map(|f| BufReader::with_capacity(CHUNK, f))
        .map_err(|e| Error::new(format!("cannot read `{}`: {e}", archive.display())))?;
    let mut reader =
        sevenz_rust2::ArchiveReader::new(source, sevenz_rust2::Password::from(PASSWORD)).map_err(
            |e| {
                Error::new(format!(
                    "cannot open the 7z archive `{}`: {}",
                    archive.display(),
                    seven_zip_error(&e)
                ))
            },
        )?;
    let mut out = Some(out);
    let mut written = None;
    reader
        .for_each_entries(|entry, data| {
            if entry.is_directory() {
                return Ok(true);
            }
            let Some(out) = out.take() else {
                return Ok(false);
            };
            written = Some(hashing::copy(data, out)?);
            Ok(false)
        })
        .map_err(|e| {
            Error::new(format!(
                "cannot unpack `{}`: {}",
                archive.display(),
                seven_zip_error(&e)
            ))
        })?;
    written.ok_or_else(|| Error::new(format!("the archive `{}` holds no file", archive.display())))
}

/// What went wrong with an archive, in words (the crate's errors print as their debug form).
fn seven_zip_error(e: &sevenz_rust2::Error) -> String {
    use sevenz_rust2::Error as E;
    match e {
        // Without compression a wrong key may show only as a checksum that does not match.
        E::MaybeBadPassword(io) => {
            format!("the password `{PASSWORD}` does not open it, or it is damaged ({io})")
        }
        E::ChecksumVerificationFailed | E::NextHeaderCrcMismatch => {
            "its checksum does not match: it is damaged".to_string()
        }
        E::BadSignature(_) => "it is not a 7z archive".to_string(),
        E::Io(io, context) if context.is_empty() => format!("it is cut short or unreadable ({io})"),
        E::Io(io, context) => format!("it is cut short or unreadable ({context}: {io})"),
        E::Other(message) => message.to_string(),
        other => format!("{other}"),
    }
}

/// Gives the finished `part` the name `name` in `folder`, or `stem-1.ext`, `stem-2.ext`, ... when
/// taken: never overwrites. A hard link claims a free name and fills it in one step; where the file
/// system has none, the name is reserved empty and the part moved over it.
fn persist_unique(part: &Path, folder: &Path, name: &str) -> Result<PathBuf> {
    let taken = |e: &std::io::Error| e.kind() == std::io::ErrorKind::AlreadyExists;
    let failed =
        |p: &Path, e: std::io::Error| Error::new(format!("cannot create `{}`: {e}", p.display()));
    for candidate in candidates(folder, name) {
        match std::fs::hard_link(part, &candidate) {
            Ok(()) => {
                let _ = std::fs::remove_file(part);
                return Ok(candidate);
            }
            Err(e) if taken(&e) => continue,
            Err(_) => {}
        }
        match OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&candidate)
        {
            Ok(_) => {
                return std::fs::rename(part, &candidate)
                    .map(|()| candidate.clone())
                    .map_err(|e| {
                        let _ = std::fs::remove_file(&candidate);
                        failed(&candidate, e)
                    });
            }
            Err(e) if taken(&e) => continue,
            Err(e) => return Err(failed(&candidate, e)),
        }
    }
    Err(Error::new(format!(
        "too many files named `{name}` in `{}`",
        folder.display()
    )))
}

/// `name`, then `stem-1.ext`, `stem-2.ext`, ... in `folder`.
fn candidates<'a>(folder: &'a Path, name: &'a str) -> impl Iterator<Item = PathBuf> + 'a {
    let (stem, ext) = match name.rfind('.') {
        Some(i) if i > 0 => (&name[..i], &name[i..]),
        _ => (name, ""),
    };
    (0..10_000).map(move |n| {
        if n == 0 {
            folder.join(name)
        } else {
            folder.join(format!("{stem}-{n}{ext}"))
        }
    })
}

/// The file name of a remote path (either slash), made safe.
pub fn remote_name(remote_path: &str) -> String {
    let last = remote_path
        .trim_end_matches(['/', '\\'])
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or("");
    safe_component(last, "file")
}

pub use crate::engine::safe_component;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remote_names_cannot_escape() {
        assert_eq!(remote_name("C:\\Users\\bob\\evil.exe"), "evil.exe");
        assert_eq!(remote_name("/tmp/.x/kworkerd"), "kworkerd");
        assert_eq!(remote_name("/etc/.."), "file");
        assert_eq!(remote_name("/home/u/.bashrc"), "_bashrc");
        assert_eq!(remote_name("C:\\a\\b c:d.txt"), "b_c_d.txt");
        assert_eq!(safe_component("../../x", "f"), "__.._x");
        assert_eq!(safe_component("..", "f"), "f");
    }

    /// The client's streaming unpack reads what 7-Zip itself writes (`7z a -pinfected -mhe=on`).
    #[test]
    fn archives_made_by_7zip_unpack_with_their_hash() {
        let dir = tempfile::tempdir().unwrap();
        let archive =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/rtr/made_by_7z.7z");
        let part = dir.path().join(".part");
        let text = b"collected by 7-Zip for falconry interop\n";
        let (sha, size) = unpack(&archive, &part).unwrap();
        assert_eq!(size, text.len() as u64);
        assert_eq!(std::fs::read(&part).unwrap(), text);
        let (expected, _) = hashing::copy(&text[..], std::io::sink()).unwrap();
        assert_eq!(sha, expected);
    }

    #[test]
    fn unique_names_never_overwrite() {
        let dir = tempfile::tempdir().unwrap();
        let part = |bytes: &[u8]| {
            let p = dir.path().join(".x.part");
            std::fs::write(&p, bytes).unwrap();
            p
        };
        let a = persist_unique(&part(b"first"), dir.path(), "evil.exe").unwrap();
        let b = persist_unique(&part(b"second"), dir.path(), "evil.exe").unwrap();
        assert_eq!(a.file_name().unwrap(), "evil.exe");
        assert_eq!(b.file_name().unwrap(), "evil-1.exe");
        assert_eq!(std::fs::read(&a).unwrap(), b"first");
        assert_eq!(std::fs::read(&b).unwrap(), b"second");
        assert!(!dir.path().join(".x.part").exists());
    }
}
