//! The one way the case code opens and writes its files. A case folder may sit where others can
//! write: a blob replaced by a link to `/etc/passwd` would be embedded in the report as a host's
//! output, a `journal.jsonl` linked (or hard-linked) elsewhere would have `--resume` append outside
//! the case, and a FIFO would hang `case verify`. So every file is opened without following a link
//! (`O_NOFOLLOW`) and without waiting (`O_NONBLOCK`), then refused unless it is a regular file with
//! one name. And every whole file written passes through the redactor: no registered secret (the
//! client secret given as an `--arg` value, a token) reaches `case.json`, `summary.json` or the
//! manifest, whatever spelling the value came in (it is the evaluated value that is written).

use serde_json::Value;
use std::fs::{File, OpenOptions};
use std::io::{self, Read};
use std::path::Path;

/// `O_NOFOLLOW | O_NONBLOCK` where the platform has them.
fn careful(o: &mut OpenOptions) -> &mut OpenOptions {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    o
}

/// Refuses what is not a regular file with exactly one name.
fn checked(file: File, path: &Path) -> io::Result<File> {
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(io::Error::other(format!(
            "`{}` is not a regular file (a FIFO, device or folder has no place in a case); refused",
            path.display()
        )));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if meta.nlink() != 1 {
            return Err(io::Error::other(format!(
                "`{}` has {} names (a hard link): it may be a file outside the case; refused",
                path.display(),
                meta.nlink()
            )));
        }
    }
    Ok(file)
}

/// Says what a link's refusal means rather than the system's "too many levels of symbolic links".
fn opened(result: io::Result<File>, path: &Path) -> io::Result<File> {
    match result {
        Err(e) if e.raw_os_error() == Some(libc_eloop()) => Err(io::Error::other(format!(
            "`{}` is a symbolic link: a case holds only files and folders; refused",
            path.display()
        ))),
        Err(e) => Err(e),
        Ok(f) => checked(f, path),
    }
}

fn libc_eloop() -> i32 {
    #[cfg(unix)]
    {
        libc::ELOOP
    }
    #[cfg(not(unix))]
    {
        -1
    }
}

/// Opens a case file for reading (see the module's rules).
pub fn open(path: &Path) -> io::Result<File> {
    opened(careful(OpenOptions::new().read(true)).open(path), path)
}

/// Opens (creating) a case file to append to (see the module's rules).
pub fn open_append(path: &Path) -> io::Result<File> {
    opened(
        careful(OpenOptions::new().create(true).append(true)).open(path),
        path,
    )
}

/// Creates `path` anew for writing (removing what was there, never writing through a link).
pub fn create(path: &Path) -> io::Result<File> {
    let _ = std::fs::remove_file(path);
    careful(OpenOptions::new().write(true).create_new(true)).open(path)
}

/// The bytes of a case file.
pub fn read(path: &Path) -> io::Result<Vec<u8>> {
    let mut out = Vec::new();
    open(path)?.read_to_end(&mut out)?;
    Ok(out)
}

/// The text of a case file.
pub fn read_to_string(path: &Path) -> io::Result<String> {
    let mut out = String::new();
    open(path)?.read_to_string(&mut out)?;
    Ok(out)
}

/// Writes `text` (redacted) as the whole of `path`: aside in a new file, then renamed over it, so a
/// stop at any moment leaves the old file or the new one, and a link planted at the temporary name
/// is never written through.
pub fn write_whole(path: &Path, text: &str) -> Result<(), String> {
    use std::io::Write;
    let fail = |e: io::Error| format!("cannot write `{}`: {e}", path.display());
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let tmp = path.with_file_name(format!(".{name}.part"));
    let text = crate::ops::redact::clean(text);
    create(&tmp)
        .and_then(|mut f| f.write_all(text.as_bytes()))
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(fail)
}

/// Writes `value` as pretty JSON, the whole of `path` (see [`write_whole`]).
pub fn write_json(path: &Path, value: &Value) -> Result<(), String> {
    let text = serde_json::to_string_pretty(value).map_err(|e| e.to_string())?;
    write_whole(path, &(text + "\n"))
}
