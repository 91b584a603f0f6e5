//! Where case 2's two processes run. A call there is a ping-pong: the client sends and sleeps, the
//! emulator wakes, answers and sleeps, the client wakes. On the 2-vCPU virtual machines these
//! figures are taken on, waking a sleeping vCPU costs more than the call's own work: the same
//! builds took 78 to 103 µs a call with the client and the emulator on one core and 187 to 214 µs
//! with each on its own core (`taskset`, 5,000 `get_policies`, issue 28), and left to the scheduler
//! a run landed anywhere between the two. So case 2 measures every client in both fixed places.

use std::path::Path;
use std::process::Command;

const TASKSET: &str = "taskset";

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// The emulator and the client on the same core: the call's work, client's and emulator's.
    OneCore,
    /// The emulator on one core, the client on another: the work plus two cross-core wake-ups.
    TwoCores,
}

impl Placement {
    pub fn name(self) -> &'static str {
        match self {
            Placement::OneCore => "one core",
            Placement::TwoCores => "two cores",
        }
    }
}

/// The cores this process may run on, and `taskset` to pin to them; `None` when either is missing
/// (fewer than two cores, or no `taskset`), and then case 2 runs unpinned and says so.
pub struct Cores {
    /// As `/proc/self/status` lists them (`0-1`), to give back after each run.
    allowed: String,
    first: u32,
    second: u32,
}

impl Cores {
    pub fn find() -> Option<Cores> {
        let status = std::fs::read_to_string("/proc/self/status").ok()?;
        let allowed = status
            .lines()
            .find_map(|l| l.strip_prefix("Cpus_allowed_list:"))?
            .trim()
            .to_string();
        let cores = expand(&allowed)?;
        let ok = Command::new(TASKSET)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success());
        match (ok, cores.as_slice()) {
            (true, [first, second, ..]) => Some(Cores {
                allowed,
                first: *first,
                second: *second,
            }),
            _ => None,
        }
    }

    /// Pins every thread of this process (so the emulator started next runs there) to the
    /// emulator's core, until the guard is dropped.
    pub fn pin_emulator(&self) -> Result<Pinned<'_>, String> {
        set_own(&self.first.to_string())?;
        Ok(Pinned { cores: self })
    }

    /// `cmd` run on the client's core for `placement`.
    pub fn client(&self, placement: Placement, cmd: &Command) -> Command {
        let core = self.client_core(placement).to_string();
        crate::client::wrapped(Path::new(TASKSET), &["-c", core.as_str()], cmd)
    }

    /// How the client's command is written in the report.
    pub fn shown(&self, placement: Placement, cmd: &Command) -> String {
        crate::client::show_wrapped(
            cmd,
            &format!("{TASKSET} -c {}", self.client_core(placement)),
        )
    }

    fn client_core(&self, placement: Placement) -> u32 {
        match placement {
            Placement::OneCore => self.first,
            Placement::TwoCores => self.second,
        }
    }
}

/// While alive, this process runs on the emulator's core only.
pub struct Pinned<'a> {
    cores: &'a Cores,
}

impl Drop for Pinned<'_> {
    fn drop(&mut self) {
        if let Err(e) = set_own(&self.cores.allowed) {
            eprintln!("bench: {e}");
        }
    }
}

/// Every thread of this process onto `list` (`taskset -a -p -c`).
fn set_own(list: &str) -> Result<(), String> {
    let out = Command::new(TASKSET)
        .args(["-a", "-p", "-c", list, &std::process::id().to_string()])
        .output()
        .map_err(|e| format!("cannot run `{TASKSET}`: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "`{TASKSET} -a -p -c {list}` failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

/// A CPU list as the kernel writes it (`0-3,6`) as its cores; `None` when it is not one.
fn expand(list: &str) -> Option<Vec<u32>> {
    let mut cores = Vec::new();
    for part in list.split(',') {
        match part.split_once('-') {
            Some((a, b)) => cores.extend(a.trim().parse::<u32>().ok()?..=b.trim().parse().ok()?),
            None => cores.push(part.trim().parse().ok()?),
        }
    }
    Some(cores)
}

#[cfg(test)]
mod tests {
    use super::expand;

    #[test]
    fn reads_the_kernels_cpu_lists() {
        assert_eq!(expand("0-1"), Some(vec![0, 1]));
        assert_eq!(expand("0,2-3,6"), Some(vec![0, 2, 3, 6]));
        assert_eq!(expand("5"), Some(vec![5]));
        assert_eq!(expand("0-x"), None);
        assert_eq!(expand(""), None);
    }
}
