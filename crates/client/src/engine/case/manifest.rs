//! `manifest.json`: every file of the case with its sha256 and size, written last; `case verify`
//! recomputes them and names each file changed, added or missing since.

use super::folder::MANIFEST_FILE;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::Path;

/// Relative path (with `/`) -> (sha256, size) of every file under `dir` but the manifest itself.
fn hashes(dir: &Path) -> Result<BTreeMap<String, (String, u64)>, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries =
            std::fs::read_dir(&d).map_err(|e| format!("cannot list `{}`: {e}", d.display()))?;
        for entry in entries {
            let entry = entry.map_err(|e| format!("cannot list `{}`: {e}", d.display()))?;
            let path = entry.path();
            let kind = entry
                .file_type()
                .map_err(|e| format!("cannot list `{}`: {e}", d.display()))?;
            // A case is written with files and folders only. A link planted in one is refused, not
            // followed: one to `/` would have `case verify` hash the whole machine.
            if kind.is_symlink() {
                return Err(format!(
                    "`{}` is a symbolic link: a case holds only files and folders",
                    path.display()
                ));
            }
            if kind.is_dir() {
                stack.push(path);
                continue;
            }
            let rel = path
                .strip_prefix(dir)
                .map_err(|e| e.to_string())?
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            if rel == MANIFEST_FILE {
                continue;
            }
            // Opened as every case file is: no link, no FIFO (which would block), one name.
            let hashed = super::files::open(&path)
                .and_then(|f| crate::engine::hashing::copy(f, std::io::sink()))
                .map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
            out.insert(rel, hashed);
        }
    }
    Ok(out)
}

/// Writes `manifest.json`; returns its sha256.
pub fn write(dir: &Path) -> Result<String, String> {
    let files: Vec<Value> = hashes(dir)?
        .into_iter()
        .map(|(path, (sha256, size))| json!({ "path": path, "sha256": sha256, "size": size }))
        .collect();
    let path = dir.join(MANIFEST_FILE);
    super::files::write_json(&path, &json!({ "algorithm": "sha256", "files": files }))?;
    // The manifest's own hash: printed and audited, so the case can be anchored elsewhere.
    let bytes =
        super::files::read(&path).map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
    Ok(crate::engine::hashing::sha256_hex(&bytes))
}

/// What `case verify` found.
#[derive(Debug, Default, PartialEq)]
pub struct Verification {
    pub checked: usize,
    pub changed: Vec<String>,
    pub added: Vec<String>,
    pub missing: Vec<String>,
}

impl Verification {
    pub fn intact(&self) -> bool {
        self.changed.is_empty() && self.added.is_empty() && self.missing.is_empty()
    }
}

pub fn verify(dir: &Path) -> Result<Verification, String> {
    let path = dir.join(MANIFEST_FILE);
    let text = super::files::read_to_string(&path).map_err(|e| {
        format!(
            "`{}` has no manifest ({e}): the run did not finish; resume it with `falconry run --resume {}`",
            dir.display(),
            dir.display()
        )
    })?;
    let manifest: Value = serde_json::from_str(&text)
        .map_err(|e| format!("`{}` is not a manifest: {e}", path.display()))?;
    let mut listed = BTreeMap::new();
    for f in manifest["files"].as_array().into_iter().flatten() {
        let (Some(p), Some(sha)) = (f["path"].as_str(), f["sha256"].as_str()) else {
            return Err(format!(
                "`{}` has an entry without path or sha256",
                path.display()
            ));
        };
        listed.insert(p.to_string(), sha.to_string());
    }
    let now = hashes(dir)?;
    let mut v = Verification {
        checked: listed.len(),
        ..Verification::default()
    };
    for (p, sha) in &listed {
        match now.get(p) {
            None => v.missing.push(p.clone()),
            Some((got, _)) if got != sha => v.changed.push(p.clone()),
            Some(_) => {}
        }
    }
    v.added = now
        .keys()
        .filter(|p| !listed.contains_key(*p))
        .cloned()
        .collect();
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verify_names_changed_added_and_missing_files() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir_all(d.join("files")).unwrap();
        for f in ["a.json", "files/b", "c.jsonl"] {
            std::fs::write(d.join(f), f).unwrap();
        }
        write(d).unwrap();
        let v = verify(d).unwrap();
        assert!(v.intact() && v.checked == 3, "{v:?}");
        std::fs::write(d.join("a.json"), "edited").unwrap();
        std::fs::remove_file(d.join("files/b")).unwrap();
        std::fs::write(d.join("new"), "").unwrap();
        let v = verify(d).unwrap();
        assert_eq!(v.changed, ["a.json"]);
        assert_eq!(v.missing, ["files/b"]);
        assert_eq!(v.added, ["new"]);
    }

    #[cfg(unix)]
    #[test]
    fn a_link_in_a_case_is_refused_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(d.join("a.json"), "a").unwrap();
        write(d).unwrap();
        std::os::unix::fs::symlink("/", d.join("root")).unwrap();
        let e = verify(d).unwrap_err();
        assert!(e.contains("root") && e.contains("symbolic link"), "{e}");
    }
}
