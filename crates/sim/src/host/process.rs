//! The host's process table.

#[derive(Clone, Debug, PartialEq)]
pub struct Process {
    pub pid: u32,
    pub ppid: u32,
    pub name: String,
    pub path: String,
    pub command_line: String,
    pub user: String,
    /// Unix seconds.
    pub start_time: i64,
    /// Working set in KiB, a stable pseudo-random figure.
    pub memory_kb: u64,
}

/// Images Windows protects from being opened: `ps` prints no path for them (the real captures
/// show none for `csrss` and `CSFalconService`).
const PROTECTED: &[&str] = &[
    "System",
    "Registry",
    "smss.exe",
    "csrss.exe",
    "wininit.exe",
    "services.exe",
    "CSFalconService.exe",
];

impl Process {
    /// The name Windows `ps` prints: the image name without `.exe`, as `Get-Process` does.
    pub fn image_name(&self) -> &str {
        let n = self.name.len();
        if n > 4
            && self.name.is_char_boundary(n - 4)
            && self.name[n - 4..].eq_ignore_ascii_case(".exe")
        {
            &self.name[..n - 4]
        } else {
            &self.name
        }
    }

    /// The path Windows `ps` and `netstat` print: empty for protected processes.
    pub fn path_shown(&self) -> &str {
        if PROTECTED.iter().any(|p| p.eq_ignore_ascii_case(&self.name)) {
            ""
        } else {
            &self.path
        }
    }

    /// CPU seconds, a stable figure derived from the pid.
    pub fn cpu_seconds(&self) -> f64 {
        f64::from(self.pid % 173) * 0.15 + f64::from(self.pid % 7) * 0.01
    }

    /// Open handles, a stable figure derived from the pid.
    pub fn handle_count(&self) -> u64 {
        80 + u64::from(self.pid % 911)
    }
}

#[derive(Clone, Debug, Default)]
pub struct ProcessTable {
    /// Sorted by pid.
    procs: Vec<Process>,
}

impl ProcessTable {
    pub fn all(&self) -> &[Process] {
        &self.procs
    }

    pub fn get(&self, pid: u32) -> Option<&Process> {
        self.procs
            .binary_search_by_key(&pid, |p| p.pid)
            .ok()
            .map(|i| &self.procs[i])
    }

    pub fn by_name(&self, name: &str) -> Option<&Process> {
        self.procs
            .iter()
            .find(|p| p.name.eq_ignore_ascii_case(name))
    }

    /// A pid not in use, above every pid so far (pids grow, as on a real host).
    pub fn next_pid(&self) -> u32 {
        self.procs.last().map_or(1000, |p| p.pid + 4)
    }

    pub fn insert(&mut self, p: Process) {
        match self.procs.binary_search_by_key(&p.pid, |q| q.pid) {
            Ok(i) => self.procs[i] = p,
            Err(i) => self.procs.insert(i, p),
        }
    }

    pub fn remove(&mut self, pid: u32) -> Option<Process> {
        let i = self.procs.binary_search_by_key(&pid, |p| p.pid).ok()?;
        Some(self.procs.remove(i))
    }

    /// Whether some process runs this image (compared with the file system's case rule).
    pub fn runs_image(&self, key: impl Fn(&str) -> String, path_key: &str) -> Option<&Process> {
        self.procs.iter().find(|p| key(&p.path) == path_key)
    }
}
