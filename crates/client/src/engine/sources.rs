//! The texts of every script the engine compiled (playbook and imported modules), so errors can quote the line.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

/// A source as shown to users (its path) and its text.
type Entry = (String, Arc<str>);

#[derive(Clone, Default)]
pub struct Sources {
    /// Keyed by the source id Rhai reports (the playbook path, or a module's id).
    texts: Arc<RwLock<HashMap<String, Entry>>>,
}

impl Sources {
    /// Remembers `text` under `id`, shown to users as `display` (a path).
    pub fn add(&self, id: &str, display: &str, text: &str) {
        if let Ok(mut t) = self.texts.write() {
            t.insert(id.to_string(), (display.to_string(), Arc::from(text)));
        }
    }

    /// The name to show for a source id.
    pub fn display(&self, id: &str) -> String {
        self.texts
            .read()
            .ok()
            .and_then(|t| t.get(id).map(|(d, _)| d.clone()))
            .unwrap_or_else(|| id.to_string())
    }

    /// Line `line` (1-based) of a source, if known.
    pub fn line(&self, id: &str, line: usize) -> Option<String> {
        let t = self.texts.read().ok()?;
        let (_, text) = t.get(id)?;
        text.lines().nth(line.checked_sub(1)?).map(str::to_string)
    }
}
