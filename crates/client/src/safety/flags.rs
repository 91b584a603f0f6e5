//! The command-line flags that shape a run's safety, turned into a [`Safety`].

use super::{AuditLog, Guard, Playbook, Safety, Settings, default_audit_path};
use std::path::PathBuf;

/// `--plan`, `--allow-destructive` and `--audit FILE`, as `run`, `repl` and `watch` take them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RunFlags {
    pub plan: bool,
    pub allow_destructive: bool,
    /// `--audit FILE`.
    pub audit: Option<PathBuf>,
    /// The case's copy of the audit log (written whether or not `--audit` is).
    pub case_audit: Option<PathBuf>,
}

impl RunFlags {
    /// The safety of one run of `playbook`. Against a real tenant the audit log is always written (to
    /// `--audit FILE` or the default path); against the embedded emulator only when `--audit` asks.
    pub fn build(&self, playbook: Playbook, real_tenant: bool) -> Result<Safety, String> {
        self.build_with(playbook, real_tenant, Guard::refuse())
    }

    /// As [`RunFlags::build`], with `guard` deciding destructive requests unless `--allow-destructive`
    /// allows them all (the REPL asks the person at the terminal).
    pub fn build_with(
        &self,
        playbook: Playbook,
        real_tenant: bool,
        guard: Guard,
    ) -> Result<Safety, String> {
        let path = match (&self.audit, real_tenant) {
            (Some(p), _) => Some(p.clone()),
            (None, true) => Some(default_audit_path().ok_or(
                "no place for the audit log: set `HOME` or `XDG_DATA_HOME`, or pass `--audit FILE`",
            )?),
            (None, false) => None,
        };
        let audit = match (path.as_deref(), self.case_audit.as_deref()) {
            (Some(p), copy) => Some(AuditLog::open(p)?.with_copy(copy)?),
            (None, Some(c)) => Some(AuditLog::open_in_case(c)?),
            (None, None) => None,
        };
        Ok(Safety::new(Settings {
            guard: if self.allow_destructive {
                Guard::allow_all()
            } else {
                guard
            },
            plan: self.plan,
            audit,
            playbook: Some(playbook),
        }))
    }
}
