//! One watcher per inbox. Two watchers would each claim playbooks and file the other's live run as
//! interrupted. The lock is the operating system's (`File::try_lock`, flock on Unix), held for as
//! long as the watcher's process holds the file open: a watcher that is killed releases it with its
//! last breath, so there is no stale lock to detect and no pid to check. The file also holds the
//! watcher's pid, for the message that names who holds it.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::Path;

const NAME: &str = ".falconry-watch.lock";

/// Held while watching; dropping it (or the process ending) releases the lock. The file stays:
/// removing it would let a second watcher lock a new file while the first still holds the old one.
#[derive(Debug)]
pub struct Lock {
    _file: File,
}

impl Lock {
    pub fn take(dir: &Path) -> Result<Lock, String> {
        let path = dir.join(NAME);
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|e| format!("cannot open `{}`: {e}", path.display()))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let mut holder = String::new();
                let _ = file.read_to_string(&mut holder);
                let holder = match holder.trim().parse::<u32>() {
                    Ok(pid) => format!(" (pid {pid})"),
                    Err(_) => String::new(),
                };
                return Err(format!(
                    "the inbox `{}` is already watched by falconry{holder}; one watcher per inbox \
                     (stop that one first)",
                    dir.display()
                ));
            }
            Err(TryLockError::Error(e)) => {
                return Err(format!("cannot lock `{}`: {e}", path.display()));
            }
        }
        file.set_len(0)
            .and_then(|()| file.rewind())
            .and_then(|()| file.write_all(std::process::id().to_string().as_bytes()))
            .and_then(|()| file.sync_all())
            .map_err(|e| format!("cannot write `{}`: {e}", path.display()))?;
        Ok(Lock { _file: file })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_is_refused_until_the_first_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let first = Lock::take(dir.path()).unwrap();
        let err = Lock::take(dir.path()).unwrap_err();
        assert!(err.contains("already watched"), "{err}");
        assert!(
            err.contains(&format!("pid {}", std::process::id())),
            "{err}"
        );
        drop(first);
        Lock::take(dir.path()).expect("free again once the holder is gone");
    }
}
