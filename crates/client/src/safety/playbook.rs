//! The playbook a run serves, as the audit log and `comments_for_audit_log` name it.

use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// A playbook file (hashed once, when the run starts), or a named source without a file (the REPL).
#[derive(Clone, Debug, PartialEq)]
pub struct Playbook {
    pub name: String,
    pub path: Option<PathBuf>,
    pub sha256: Option<String>,
}

impl Playbook {
    /// Names and hashes the playbook file (the hash is left out when it cannot be read).
    pub fn from_file(path: &Path) -> Playbook {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.display().to_string());
        let path = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
        let sha256 = std::fs::read(&path)
            .ok()
            .map(|b| hex::encode(Sha256::digest(&b)));
        Playbook {
            name,
            path: Some(path),
            sha256,
        }
    }

    /// A playbook with no file (the REPL).
    pub fn named(name: &str) -> Playbook {
        Playbook {
            name: name.to_string(),
            path: None,
            sha256: None,
        }
    }
}
