//! File-system events, debounced: an editor's save (write, rename over, several events) arrives as one batch
//! naming the playbooks that now hold new content.

use notify_debouncer_full::notify::event::{EventKind, ModifyKind};
use notify_debouncer_full::notify::{RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, Debouncer, RecommendedCache, new_debouncer};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Long enough to merge the events of one save, short enough to feel immediate.
const QUIET: Duration = Duration::from_millis(300);

pub type Watcher = Debouncer<RecommendedWatcher, RecommendedCache>;

/// Watches `dir` (not its subfolders); `on_change` gets the `.rhai` files written or renamed into it.
/// Keep the returned value alive for as long as events are wanted.
pub fn watch(
    dir: &Path,
    on_change: impl Fn(Vec<PathBuf>) + Send + 'static,
) -> Result<Watcher, String> {
    let mut debouncer = new_debouncer(QUIET, None, move |result: DebounceEventResult| {
        let Ok(events) = result else {
            return;
        };
        let mut paths: Vec<PathBuf> = Vec::new();
        for event in events {
            // Reads (ours included), permission changes and deletions never start a run.
            let wanted = matches!(
                event.kind,
                EventKind::Create(_)
                    | EventKind::Modify(
                        ModifyKind::Data(_) | ModifyKind::Name(_) | ModifyKind::Any
                    )
            );
            if !wanted {
                continue;
            }
            for p in &event.paths {
                if is_playbook(p) && !paths.contains(p) {
                    paths.push(p.clone());
                }
            }
        }
        if !paths.is_empty() {
            on_change(paths);
        }
    })
    .map_err(|e| format!("cannot watch `{}`: {e}", dir.display()))?;
    debouncer
        .watch(dir, RecursiveMode::NonRecursive)
        .map_err(|e| format!("cannot watch `{}`: {e}", dir.display()))?;
    Ok(debouncer)
}

/// A `.rhai` file; editors' temporary and backup files (`p.rhai.swp`, `p.rhai~`, `.#p.rhai`) are not.
pub fn is_playbook(p: &Path) -> bool {
    // A name need not be UTF-8: such a file is still seen (the inbox files it to `failed/`).
    p.extension().is_some_and(|e| e == "rhai")
        && p.file_name()
            .is_some_and(|n| !n.as_encoded_bytes().starts_with(b"."))
}
