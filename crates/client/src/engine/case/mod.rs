//! The case: one folder per run or REPL session holding what a responder hands over — the playbook
//! as run, a transcript, every RTR command with its output, the audit entries, collected files, a
//! summary, a manifest of hashes — and the journal that lets an interrupted run resume.
//!
//! Layout (`folder.rs` names every path):
//! `case.json` (playbook, sha256, arguments), `playbook/<name>`, `transcript.jsonl`, `commands.jsonl`,
//! `events.jsonl` (refusals, host errors), `evidence.jsonl` + `files/<sha256>`, `audit.jsonl`,
//! `journal.jsonl`, `blobs.jsonl` (large outputs, stored once), `summary.json`, `manifest.json`.

mod blobs;
pub(crate) mod files;
mod folder;
mod hook;
mod html_report;
mod journal;
mod lines;
mod manifest;
mod pack;
mod records;
mod summary;
mod transcript;

pub use folder::{CaseInfo, claim_default_dir};
pub use hook::{
    Before, Fanout, Step, after_send, before_send, record_batch, record_command, record_evidence,
    record_refusal,
};
pub use html_report::{Outputs, render_report};
pub use manifest::{Verification, verify};
pub use transcript::Transcript;

use std::path::{Path, PathBuf};
use std::sync::Arc;

/// An open case; cheap to clone, shared by every host of a fan-out.
#[derive(Clone)]
pub struct Case(Arc<Inner>);

struct Inner {
    dir: PathBuf,
    info: CaseInfo,
    journal: journal::Journal,
    records: records::Records,
    transcript: Transcript,
    blobs: blobs::Blobs,
}

impl std::fmt::Debug for Case {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Case").field(&self.0.dir).finish()
    }
}

impl Case {
    /// Creates a new case in `dir` (which must not hold one already) for `info`, copying the playbook.
    pub fn create(
        dir: &Path,
        info: CaseInfo,
        playbook_text: Option<&[u8]>,
    ) -> Result<Case, String> {
        if dir.join(folder::CASE_FILE).exists() {
            return Err(format!(
                "`{}` already holds a case: resume it with `--resume {}`, or name a new folder with `--case`",
                dir.display(),
                dir.display()
            ));
        }
        folder::create(dir, &info, playbook_text)?;
        Case::open(dir, info)
    }

    /// Opens the case in `dir` to go on where it stopped: its journal answers the steps already taken.
    pub fn resume(dir: &Path) -> Result<Case, String> {
        let info = folder::read_info(dir)?;
        Case::open(dir, info)
    }

    fn open(dir: &Path, info: CaseInfo) -> Result<Case, String> {
        let blobs = blobs::Blobs::new(dir);
        Ok(Case(Arc::new(Inner {
            journal: journal::Journal::open(dir)?,
            records: records::Records::open(dir)?,
            transcript: Transcript::open(dir)?,
            blobs,
            dir: dir.to_path_buf(),
            info,
        })))
    }

    pub fn dir(&self) -> &Path {
        &self.0.dir
    }

    pub fn info(&self) -> &CaseInfo {
        &self.0.info
    }

    /// Where this case's copy of the audit log goes.
    pub fn audit_path(&self) -> PathBuf {
        self.0.dir.join(folder::AUDIT_FILE)
    }

    pub fn transcript(&self) -> &Transcript {
        &self.0.transcript
    }

    /// Writes the summary and the manifest; returns the manifest's sha256. The journal's unsynced
    /// tail (answers, hosts done) goes to disk first: one sync for the run.
    pub fn close(&self, outcome: &serde_json::Value) -> Result<String, String> {
        self.0.blobs.flush()?;
        self.0.journal.sync()?;
        self.0
            .transcript
            .event("end", serde_json::json!({ "status": outcome["status"] }));
        summary::write(&self.0.dir, &self.0.info, outcome)?;
        manifest::write(&self.0.dir)
    }
}
