//! The case folder: where each part lives, `case.json` (what was run, with which arguments) and the
//! default folder name (time and playbook, under the output folder).

use super::lines::now;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

pub const CASE_FILE: &str = "case.json";
pub const PLAYBOOK_DIR: &str = "playbook";
pub const TRANSCRIPT_FILE: &str = "transcript.jsonl";
pub const COMMANDS_FILE: &str = "commands.jsonl";
pub const EVENTS_FILE: &str = "events.jsonl";
pub const EVIDENCE_FILE: &str = "evidence.jsonl";
pub const FILES_DIR: &str = "files";
pub const AUDIT_FILE: &str = "audit.jsonl";
pub const JOURNAL_FILE: &str = "journal.jsonl";
/// Where cases written before `blobs.jsonl` kept each long output, a file per text.
pub const BLOBS_DIR: &str = "blobs";
pub const PACK_FILE: &str = "blobs.jsonl";
pub const SUMMARY_FILE: &str = "summary.json";
pub const MANIFEST_FILE: &str = "manifest.json";

/// What `case.json` holds: the playbook as run and its arguments. `--resume` compares against it.
#[derive(Clone, Debug, PartialEq)]
pub struct CaseInfo {
    /// `run` or `repl`.
    pub kind: String,
    pub playbook_name: String,
    /// The playbook file as given (absolute), when there is one.
    pub playbook_path: Option<PathBuf>,
    pub sha256: Option<String>,
    /// The `args` map, as JSON.
    pub arguments: Value,
    pub started: String,
}

impl CaseInfo {
    pub fn new(
        kind: &str,
        playbook_name: &str,
        playbook_path: Option<PathBuf>,
        sha256: Option<String>,
        arguments: Value,
    ) -> CaseInfo {
        CaseInfo {
            kind: kind.to_string(),
            playbook_name: playbook_name.to_string(),
            playbook_path,
            sha256,
            arguments,
            started: now(),
        }
    }

    fn to_json(&self) -> Value {
        json!({
            "format": 1,
            "kind": self.kind,
            "falconry": env!("CARGO_PKG_VERSION"),
            "playbook": {
                "name": self.playbook_name,
                "path": self.playbook_path.as_ref().map(|p| p.display().to_string()),
                "sha256": self.sha256,
                "copy": self.playbook_path.as_ref().map(|_| format!("{PLAYBOOK_DIR}/{}", copy_name(&self.playbook_name))),
            },
            "arguments": self.arguments,
            "started": self.started,
        })
    }

    /// Reads `case.json` of the case in `dir`.
    pub fn read(dir: &Path) -> Result<CaseInfo, String> {
        read_info(dir)
    }

    fn from_json(v: &Value) -> Option<CaseInfo> {
        let s = |p: &str| v.pointer(p).and_then(Value::as_str).map(str::to_string);
        Some(CaseInfo {
            kind: s("/kind")?,
            playbook_name: s("/playbook/name")?,
            playbook_path: s("/playbook/path").map(PathBuf::from),
            sha256: s("/playbook/sha256"),
            arguments: v.get("arguments").cloned().unwrap_or(json!({})),
            started: s("/started")?,
        })
    }
}

/// The playbook copy's file name: safe characters only.
fn copy_name(name: &str) -> String {
    crate::engine::safe_component(name, "playbook.rhai")
}

/// Creates the folder, `case.json` and the playbook copy.
pub fn create(dir: &Path, info: &CaseInfo, playbook_text: Option<&[u8]>) -> Result<(), String> {
    let mkdir = |d: &Path| {
        std::fs::create_dir_all(d)
            .map_err(|e| format!("cannot create the case folder `{}`: {e}", d.display()))
    };
    mkdir(dir)?;
    if let Some(text) = playbook_text {
        let copy = dir.join(PLAYBOOK_DIR);
        mkdir(&copy)?;
        let path = copy.join(copy_name(&info.playbook_name));
        super::files::create(&path)
            .and_then(|mut f| std::io::Write::write_all(&mut f, text))
            .map_err(|e| format!("cannot write `{}`: {e}", path.display()))?;
    }
    // Written aside and renamed: a run stopped at any moment leaves a whole `case.json` or none.
    super::files::write_json(&dir.join(CASE_FILE), &info.to_json())
}

pub fn read_info(dir: &Path) -> Result<CaseInfo, String> {
    let path = dir.join(CASE_FILE);
    let text = super::files::read_to_string(&path).map_err(|e| {
        format!(
            "`{}` is not a case folder (cannot read `{CASE_FILE}`: {e})",
            dir.display()
        )
    })?;
    serde_json::from_str::<Value>(&text)
        .ok()
        .as_ref()
        .and_then(CaseInfo::from_json)
        .ok_or_else(|| format!("`{}` is not a case description", path.display()))
}

/// Makes and returns a new folder `<out>/cases/<UTC time>-<playbook>`, with `-2`, `-3`, ... when
/// that name is taken: the folder is claimed by creating it, so runs started at once never share one.
pub fn claim_default_dir(out: &Path, playbook_name: &str) -> Result<PathBuf, String> {
    let time: String = crate::time::stamp_seconds(std::time::SystemTime::now())
        .chars()
        .filter(|c| *c != '-' && *c != ':')
        .collect();
    let stem = playbook_name.strip_suffix(".rhai").unwrap_or(playbook_name);
    let base = format!("{time}-{}", crate::engine::safe_component(stem, "repl"));
    let cases = out.join("cases");
    std::fs::create_dir_all(&cases)
        .map_err(|e| format!("cannot create `{}`: {e}", cases.display()))?;
    for n in 1..10_000 {
        let dir = if n == 1 {
            cases.join(&base)
        } else {
            cases.join(format!("{base}-{n}"))
        };
        match std::fs::create_dir(&dir) {
            Ok(()) => return Ok(dir),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(format!("cannot create `{}`: {e}", dir.display())),
        }
    }
    Err(format!(
        "no free case folder name under `{}`",
        cases.display()
    ))
}
