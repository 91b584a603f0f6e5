//! Bringing a file `get` extracted back to the output directory: wait for it among the session's
//! files, download it through the generic caller, unpack Falcon's 7z (password `infected`) and save it
//! under a safe name: one folder per host, no path from the host, never overwriting.

use super::caller::{self, Error, Result, str_of};
use crate::engine::Context;
use crate::ops::OpId;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

const PASSWORD: &str = "infected";
const SEVEN_Z_MAGIC: &[u8] = b"7z\xBC\xAF\x27\x1C";

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
pub fn fetch(ctx: &Context, host_folder: &str, file: &Extracted) -> Result<Value> {
    // The archive is named by the sha256 the API answered: a value from the network that becomes
    // part of a path must be exactly what it claims to be (`../../victim` would name any file).
    if !is_sha256(&file.sha256) {
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
    caller::send(
        ctx,
        OpId::RtrGetExtractedFileContents,
        json!({ "session_id": file.session_id, "sha256": file.sha256 }),
    )
    .map_err(|e| e.context(format!("cannot download `{}`", file.remote_path)))?;
    let folder = ctx.out_dir.join(safe_component(host_folder, "host"));
    std::fs::create_dir_all(&folder)
        .map_err(|e| Error::new(format!("cannot create `{}`: {e}", folder.display())))?;
    let dest = unpack(&archive, &folder, &remote_name(&file.remote_path));
    let _ = std::fs::remove_file(&archive);
    let dest = dest?;
    let (sha256, size) = hash_file(&dest)?;
    if sha256 != file.sha256 {
        return Err(Error::new(format!(
            "`{}` was saved to `{}` but its sha256 is {sha256}, not {} as Falcon reported",
            file.remote_path,
            dest.display(),
            file.sha256
        ))
        .with("path", dest.display().to_string()));
    }
    let collected = json!({
        "path": dest.display().to_string(),
        "sha256": sha256,
        "size": size,
        "remote_path": file.remote_path,
    });
    crate::engine::case::record_evidence(ctx, host_folder, &collected);
    Ok(collected)
}

/// A sha256 as Falcon writes it: 64 hex digits, nothing else.
pub fn is_sha256(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

fn sha_lock(sha256: &str) -> Arc<Mutex<()>> {
    static LOCKS: OnceLock<Mutex<HashMap<String, Arc<Mutex<()>>>>> = OnceLock::new();
    let mut map = LOCKS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    map.entry(sha256.to_string()).or_default().clone()
}

/// Writes the archive's first file (or the download itself, when it is not a 7z) to a new file in
/// `folder` named after the remote file.
fn unpack(archive: &Path, folder: &Path, name: &str) -> Result<PathBuf> {
    let mut head = [0u8; 6];
    let is_7z = File::open(archive)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok()
        && head == SEVEN_Z_MAGIC;
    let (dest, mut out) = create_unique(folder, name)?;
    let written = if is_7z {
        let mut reader =
            sevenz_rust2::ArchiveReader::open(archive, sevenz_rust2::Password::from(PASSWORD))
                .map_err(|e| {
                    Error::new(format!(
                        "cannot open the 7z archive `{}`: {e}",
                        archive.display()
                    ))
                })?;
        let mut done = false;
        reader
            .for_each_entries(|entry, data| {
                if entry.is_directory() || done {
                    return Ok(true);
                }
                std::io::copy(data, &mut out)?;
                done = true;
                Ok(false)
            })
            .map_err(|e| Error::new(format!("cannot unpack `{}`: {e}", archive.display())))
            .and_then(|_| {
                done.then_some(()).ok_or_else(|| {
                    Error::new(format!("the archive `{}` holds no file", archive.display()))
                })
            })
    } else {
        File::open(archive)
            .and_then(|mut f| std::io::copy(&mut f, &mut out))
            .map(|_| ())
            .map_err(|e| Error::new(format!("cannot copy `{}`: {e}", archive.display())))
    };
    let flushed = out
        .flush()
        .map_err(|e| Error::new(format!("cannot write `{}`: {e}", dest.display())));
    if let Err(e) = written.and(flushed) {
        let _ = std::fs::remove_file(&dest);
        return Err(e);
    }
    Ok(dest)
}

/// Creates `name` in `folder`, or `stem-1.ext`, `stem-2.ext`, ... when taken: never overwrites.
fn create_unique(folder: &Path, name: &str) -> Result<(PathBuf, File)> {
    let (stem, ext) = match name.rfind('.') {
        Some(i) if i > 0 => (&name[..i], &name[i..]),
        _ => (name, ""),
    };
    for n in 0..10_000 {
        let candidate = if n == 0 {
            folder.join(name)
        } else {
            folder.join(format!("{stem}-{n}{ext}"))
        };
        match OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&candidate)
        {
            Ok(f) => return Ok((candidate, f)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => {
                return Err(Error::new(format!(
                    "cannot create `{}`: {e}",
                    candidate.display()
                )));
            }
        }
    }
    Err(Error::new(format!(
        "too many files named `{name}` in `{}`",
        folder.display()
    )))
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

pub fn hash_file(path: &Path) -> Result<(String, u64)> {
    let mut f = File::open(path)
        .map_err(|e| Error::new(format!("cannot read `{}`: {e}", path.display())))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut size = 0u64;
    loop {
        let n = f
            .read(&mut buf)
            .map_err(|e| Error::new(format!("cannot read `{}`: {e}", path.display())))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        size += n as u64;
    }
    Ok((hex::encode(hasher.finalize()), size))
}

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

    #[test]
    fn unique_names_never_overwrite() {
        let dir = tempfile::tempdir().unwrap();
        let (a, _) = create_unique(dir.path(), "evil.exe").unwrap();
        let (b, _) = create_unique(dir.path(), "evil.exe").unwrap();
        assert_eq!(a.file_name().unwrap(), "evil.exe");
        assert_eq!(b.file_name().unwrap(), "evil-1.exe");
    }
}
