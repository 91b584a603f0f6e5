//! Where uploads may come from: the playbook's folder and the output folder, nothing else. Paths are
//! resolved (symlinks followed) before they are compared, so neither `..` nor a symlink leads out; a
//! file with more than one hard link is refused (a hard link names a file that may live anywhere).

use crate::ops::{Body, FileSource, PartContent, Request};
use std::path::{Path, PathBuf};

/// Checks every file an upload names and pins it to its resolved path (so the file sent is the file
/// checked). `roots` are the allowed folders; ones that do not exist are skipped. Errors name the part.
pub fn check_uploads(req: &mut Request, roots: &[&Path]) -> Result<(), (String, String)> {
    let Body::Multipart(parts) = &mut req.body else {
        return Ok(());
    };
    for part in parts {
        if let PartContent::File {
            source: FileSource::Path(path),
            ..
        } = &mut part.content
        {
            let real = confine(path, roots).map_err(|m| (part.name.clone(), m))?;
            if !real.is_file() {
                return Err((
                    part.name.clone(),
                    format!("`{}` is not a file", path.display()),
                ));
            }
            *path = real;
        }
    }
    Ok(())
}

/// `path` (a file or a folder), resolved, when it lies inside one of `roots`: the one check behind
/// uploads and the playbooks' `fs::` functions.
pub fn confine(path: &Path, roots: &[&Path]) -> Result<PathBuf, String> {
    let real = path
        .canonicalize()
        .map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
    let allowed: Vec<PathBuf> = roots.iter().filter_map(|r| r.canonicalize().ok()).collect();
    if allowed.iter().any(|r| real.starts_with(r)) {
        if let Some(n) = extra_links(&real) {
            return Err(format!(
                "`{}` has {n} hard links: another name may be a file outside the allowed folders, \
                 so only files with one link are read; copy the file instead of linking it",
                path.display()
            ));
        }
        return Ok(real);
    }
    let shown: Vec<String> = roots.iter().map(|r| format!("`{}`", r.display())).collect();
    let via_link = if lexically_inside(path, roots) {
        " (through a symlink)"
    } else {
        ""
    };
    Err(format!(
        "`{}` is outside the folders uploads may come from{via_link}: {}; copy the file into the playbook's folder",
        path.display(),
        shown.join(" and ")
    ))
}

/// The link count of a regular file that has more than one (hard links), else `None`.
pub fn extra_links(real: &Path) -> Option<u64> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let meta = std::fs::metadata(real).ok()?;
        (meta.is_file() && meta.nlink() > 1).then(|| meta.nlink())
    }
    #[cfg(not(unix))]
    {
        let _ = real;
        None
    }
}

/// Whether `path`, taken literally (no `..`, links unresolved), lies inside a root.
fn lexically_inside(path: &Path, roots: &[&Path]) -> bool {
    let has_parent = path
        .components()
        .any(|c| matches!(c, std::path::Component::ParentDir));
    !has_parent && roots.iter().any(|r| path.starts_with(r))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traversal_and_symlinks_out_are_refused() {
        let outside = tempfile::tempdir().unwrap();
        let secret = outside.path().join("secret.txt");
        std::fs::write(&secret, "x").unwrap();
        let base = tempfile::tempdir().unwrap();
        let inside = base.path().join("ok.ps1");
        std::fs::write(&inside, "y").unwrap();
        let roots = [base.path()];
        assert!(confine(&inside, &roots).is_ok());
        let up = base
            .path()
            .join("..")
            .join(outside.path().file_name().unwrap())
            .join("secret.txt");
        let e = confine(&up, &roots).unwrap_err();
        assert!(e.contains("outside the folders"), "{e}");
        assert!(confine(&secret, &roots).is_err());
        #[cfg(unix)]
        {
            let link = base.path().join("link.txt");
            std::os::unix::fs::symlink(&secret, &link).unwrap();
            let e = confine(&link, &roots).unwrap_err();
            assert!(e.contains("through a symlink"), "{e}");
        }
    }
}
