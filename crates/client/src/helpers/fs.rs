//! `fs::list(dir)` and `fs::read(path)`: read-only access to the playbook's own folder (a script
//! library to sync, a list of IOCs), confined to it: no absolute paths, no `..`, no symlinks out, no
//! hard-linked files.

use super::caller::{Error, Result};
use rhai::{Array, Dynamic, Map};
use std::path::{Component, Path, PathBuf};

/// Files larger than this are refused by `fs::read` (playbooks read scripts and lists, not images).
const MAX_READ: u64 = 16 * 1024 * 1024;

/// Resolves `rel` inside `base`, refusing anything that leaves it.
pub fn confine(base: &Path, rel: &str) -> Result<PathBuf> {
    let p = Path::new(rel);
    if let Some(c) = p
        .components()
        .find(|c| !matches!(c, Component::Normal(_) | Component::CurDir))
    {
        let why = match c {
            Component::ParentDir => "`..` is not allowed",
            _ => "it must be relative to the playbook's folder",
        };
        return Err(Error::new(format!("path `{rel}` refused: {why}")));
    }
    // Symlinks are resolved before the comparison, so none leads out.
    crate::safety::sandbox::confine(&base.join(p), &[base])
        .map_err(|m| Error::new(format!("path `{rel}` refused: {m}")))
}

/// The entries of a folder, sorted by name: `#{name, path, is_dir, size, sha256}` (`sha256` for files).
/// `path` is relative to the playbook folder, ready for `fs::read`. Symlinks leading out are skipped.
pub fn list(base: &Path, rel: &str) -> Result<Array> {
    let dir = confine(base, rel)?;
    let root = base.canonicalize().unwrap_or_else(|_| base.to_path_buf());
    let mut entries: Vec<(String, Map)> = Vec::new();
    let read =
        std::fs::read_dir(&dir).map_err(|e| Error::new(format!("cannot list `{rel}`: {e}")))?;
    for entry in read.flatten() {
        let Ok(real) = entry.path().canonicalize() else {
            continue;
        };
        // Symlinks leading out and hard-linked files (which may be files from anywhere) are skipped.
        if !real.starts_with(&root) || crate::safety::sandbox::extra_links(&real).is_some() {
            continue;
        }
        let name = entry.file_name().to_string_lossy().to_string();
        let Ok(meta) = std::fs::metadata(&real) else {
            continue;
        };
        let relative = real
            .strip_prefix(&root)
            .map(|p| p.to_string_lossy().replace('\\', "/"))
            .unwrap_or_else(|_| name.clone());
        let mut m = Map::new();
        m.insert("name".into(), Dynamic::from(name.clone()));
        m.insert("path".into(), Dynamic::from(relative));
        m.insert("is_dir".into(), Dynamic::from_bool(meta.is_dir()));
        m.insert("size".into(), Dynamic::from_int(meta.len() as i64));
        if meta.is_file() {
            let sha = std::fs::read(&real)
                .map(|b| crate::engine::hashing::sha256_hex(&b))
                .unwrap_or_default();
            m.insert("sha256".into(), Dynamic::from(sha));
        }
        entries.push((name, m));
    }
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(entries
        .into_iter()
        .map(|(_, m)| Dynamic::from_map(m))
        .collect())
}

/// The text of a file in the playbook folder (UTF-8).
pub fn read(base: &Path, rel: &str) -> Result<String> {
    let path = confine(base, rel)?;
    let meta =
        std::fs::metadata(&path).map_err(|e| Error::new(format!("cannot read `{rel}`: {e}")))?;
    if !meta.is_file() {
        return Err(Error::new(format!("cannot read `{rel}`: not a file")));
    }
    if meta.len() > MAX_READ {
        return Err(Error::new(format!(
            "cannot read `{rel}`: {} bytes is more than the {MAX_READ} `fs::read` allows",
            meta.len()
        )));
    }
    let bytes =
        std::fs::read(&path).map_err(|e| Error::new(format!("cannot read `{rel}`: {e}")))?;
    String::from_utf8(bytes).map_err(|_| Error::new(format!("cannot read `{rel}`: not UTF-8 text")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_stay_in_the_folder() {
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path().join("playbooks");
        std::fs::create_dir_all(base.join("scripts")).unwrap();
        std::fs::write(base.join("scripts/a.ps1"), "Get-Process").unwrap();
        std::fs::write(dir.path().join("secret.txt"), "no").unwrap();
        assert_eq!(read(&base, "scripts/a.ps1").unwrap(), "Get-Process");
        assert!(
            read(&base, "../secret.txt")
                .unwrap_err()
                .message
                .contains("`..`")
        );
        assert!(
            read(&base, "/etc/passwd")
                .unwrap_err()
                .message
                .contains("relative")
        );
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(dir.path().join("secret.txt"), base.join("link")).unwrap();
            assert!(read(&base, "link").unwrap_err().message.contains("outside"));
            assert!(
                list(&base, ".")
                    .unwrap()
                    .iter()
                    .all(|e| { e.read_lock::<Map>().unwrap()["name"].to_string() != "link" })
            );
        }
        let listed = list(&base, "scripts").unwrap();
        assert_eq!(listed.len(), 1);
        let first = listed[0].read_lock::<Map>().unwrap().clone();
        assert_eq!(first["path"].to_string(), "scripts/a.ps1");
    }
}
