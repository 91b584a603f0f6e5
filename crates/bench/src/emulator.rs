//! The emulator in this process (so the request log can be read), and what a run sent to it.

use falconry_sim::{LogEntry, Scenario, SimConfig, SimHandle, State};
use std::collections::BTreeMap;
use std::path::Path;

pub struct Emulator {
    handle: SimHandle,
}

impl Emulator {
    pub fn start(scenario: Scenario) -> Result<Emulator, String> {
        let config = SimConfig::default();
        let state = State::new(
            scenario,
            config.seed,
            config.client_id.clone(),
            config.client_secret.clone(),
        )?;
        Ok(Emulator {
            handle: falconry_sim::start_with_state(&config, state)?,
        })
    }

    pub fn url(&self) -> String {
        self.handle.base_url()
    }

    pub fn client_id(&self) -> &str {
        &self.handle.client_id
    }

    pub fn client_secret(&self) -> &str {
        &self.handle.client_secret
    }

    pub fn device_ids(&self) -> Vec<String> {
        self.handle.state().device_ids()
    }

    pub fn traffic(&self) -> Traffic {
        Traffic::of(self.handle.state().request_log())
    }
}

/// CPU time this process's threads have used, in nanoseconds (the first field of each
/// `/proc/self/task/*/schedstat`, which the kernel keeps to the nanosecond). While a client runs,
/// the harness only waits for it, so the difference across the run is the emulator's work. `None`
/// where the kernel does not keep it (no file, or zeros).
pub fn harness_cpu_ns() -> Option<u64> {
    let mut total = 0u64;
    for task in std::fs::read_dir("/proc/self/task").ok()? {
        let path = task.ok()?.path().join("schedstat");
        // A thread may end between the listing and the read: it is not the emulator's.
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        total += text.split_whitespace().next()?.parse::<u64>().ok()?;
    }
    (total > 0).then_some(total)
}

/// `bench sim SCENARIO`: [`Emulator::start`] with the scenario file, its URL printed, serving until
/// the process is killed.
pub fn serve_main(args: &[String]) -> Result<(), String> {
    let [scenario] = args else {
        return Err("usage: bench sim SCENARIO".into());
    };
    let sim = Emulator::start(load(Path::new(scenario))?)?;
    println!("{}", sim.url());
    loop {
        std::thread::park();
    }
}

pub fn load(path: &Path) -> Result<Scenario, String> {
    Scenario::load(path)
}

/// The request log of one run, counted the ways the cases need.
#[derive(Debug, Default)]
pub struct Traffic {
    pub total: usize,
    /// Requests under `/real-time-response/` (sessions, commands, batches, files).
    pub rtr: usize,
    /// Status polls of single-host commands.
    pub status_polls: usize,
    pub too_many: usize,
    pub by_op: BTreeMap<String, usize>,
}

impl Traffic {
    fn of(log: &[LogEntry]) -> Traffic {
        let mut t = Traffic {
            total: log.len(),
            ..Traffic::default()
        };
        for e in log {
            if e.path.starts_with("/real-time-response/") {
                t.rtr += 1;
            }
            if e.method == "GET" && e.op.is_some_and(|op| op.ends_with("CommandStatus")) {
                t.status_polls += 1;
            }
            if e.status == 429 {
                t.too_many += 1;
            }
            *t.by_op
                .entry(e.op.unwrap_or(e.path.as_str()).to_string())
                .or_default() += 1;
        }
        t
    }

    /// `op×n` for every operation, most frequent first, for the report.
    pub fn summary(&self) -> String {
        let mut ops: Vec<(&String, &usize)> = self.by_op.iter().collect();
        ops.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        ops.iter()
            .map(|(op, n)| format!("{op}×{n}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}
