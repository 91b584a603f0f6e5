//! `transcript.jsonl`: what happened in the order it happened — for a run its start, what it printed
//! and how it ended; for the REPL every statement with its output — each line timestamped.

use super::folder::TRANSCRIPT_FILE;
use super::lines::{Lines, now};
use serde_json::{Value, json};
use std::path::Path;

pub struct Transcript(Lines);

impl Transcript {
    pub fn open(dir: &Path) -> Result<Transcript, String> {
        super::lines::repair(&dir.join(TRANSCRIPT_FILE))?;
        Ok(Transcript(Lines::open(&dir.join(TRANSCRIPT_FILE))?))
    }

    fn write(&self, mut v: Value) {
        v["time"] = json!(now());
        if let Err(e) = self.0.append(&v, false) {
            eprintln!("falconry: case: {e}");
        }
    }

    pub fn event(&self, kind: &str, detail: Value) {
        self.write(json!({ "kind": kind, "detail": detail }));
    }

    /// A line the playbook printed.
    pub fn print(&self, text: &str) {
        self.write(json!({ "kind": "print", "text": text }));
    }

    /// A REPL statement and what it showed (or the error it raised).
    pub fn statement(&self, text: &str, output: Result<&str, &str>) {
        match output {
            Ok(out) => self.write(json!({ "kind": "statement", "text": text, "output": out })),
            Err(e) => self.write(json!({ "kind": "statement", "text": text, "error": e })),
        }
    }
}
