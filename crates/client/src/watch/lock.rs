//! One watcher per inbox: a lock file holding the watcher's pid, taken over only from a process that
//! is gone. Two watchers would each claim playbooks and file the other's live run as interrupted.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

const NAME: &str = ".falconry-watch.lock";

/// Held while watching; the file is removed when dropped.
#[derive(Debug)]
pub struct Lock {
    path: PathBuf,
}

impl Lock {
    pub fn take(dir: &Path) -> Result<Lock, String> {
        let path = dir.join(NAME);
        for _ in 0..3 {
            match OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(mut f) => {
                    f.write_all(std::process::id().to_string().as_bytes())
                        .and_then(|()| f.sync_all())
                        .map_err(|e| format!("cannot write `{}`: {e}", path.display()))?;
                    return Ok(Lock { path });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    if let Some(holder) = holder(&path) {
                        return Err(format!(
                            "the inbox `{}` is already watched by falconry (pid {holder}); one watcher per \
                             inbox (stop that one first, or remove `{}` if that process is not falconry)",
                            dir.display(),
                            path.display()
                        ));
                    }
                    // Left by a watcher that is gone (killed, or stopped with a second Ctrl-C).
                    let _ = std::fs::remove_file(&path);
                }
                Err(e) => return Err(format!("cannot create `{}`: {e}", path.display())),
            }
        }
        Err(format!("cannot take the inbox lock `{}`", path.display()))
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        if std::fs::read_to_string(&self.path).ok().as_deref()
            == Some(std::process::id().to_string().as_str())
        {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// The pid of a live watcher holding the lock, or `None` when the lock is stale.
fn holder(path: &Path) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    let Ok(pid) = text.trim().parse::<u32>() else {
        // Being written right now by a watcher starting at the same moment: count it as held.
        let fresh = std::fs::metadata(path)
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| SystemTime::now().duration_since(t).ok())
            .is_some_and(|age| age < Duration::from_secs(5));
        return fresh.then(|| "starting".to_string());
    };
    alive(pid).then(|| pid.to_string())
}

/// Whether `pid` is a running falconry. Where that cannot be told, it is assumed alive (fail closed).
fn alive(pid: u32) -> bool {
    if pid == std::process::id() {
        return true;
    }
    let proc = Path::new("/proc");
    if !proc.join("self").exists() {
        return true;
    }
    match std::fs::read_to_string(proc.join(pid.to_string()).join("comm")) {
        Ok(comm) => comm.trim().starts_with("falconry"),
        Err(_) => false,
    }
}
