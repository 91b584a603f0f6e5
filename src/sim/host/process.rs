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
