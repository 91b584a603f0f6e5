//! What a run was refused and what it changed: a run in which a destructive step was refused is a failed
//! run (exit code 3), and its summary says what was held back and what had already been done, so a
//! responder knows the state a half-done remediation left behind.

use std::fmt::Write;

#[derive(Debug, Default)]
pub struct Outcome {
    /// Each refusal, as the guard worded it.
    pub refused: Vec<String>,
    /// Each state-changing request that was sent and succeeded: operation or command, hosts, ids.
    pub changed: Vec<String>,
}

impl Outcome {
    /// The summary printed when something was refused.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "falconry: {} destructive step{} refused; the run is not complete",
            self.refused.len(),
            if self.refused.len() == 1 {
                " was"
            } else {
                "s were"
            }
        );
        for r in &self.refused {
            let _ = writeln!(out, "  - {r}");
        }
        if self.changed.is_empty() {
            let _ = writeln!(out, "  changes already made: none");
        } else {
            let _ = writeln!(out, "  changes already made ({}):", self.changed.len());
            for c in &self.changed {
                let _ = writeln!(out, "    {c}");
            }
        }
        out
    }
}
