//! The harness's command line, and the scale of each case (full run or seconds-long smoke run).

use std::path::PathBuf;

pub struct Options {
    /// The repository root (scenarios and playbooks are read from `bench/` under it).
    pub root: PathBuf,
    pub falconry: PathBuf,
    pub out: PathBuf,
    /// A Python with FalconPy installed; FalconPy comparisons are skipped without it.
    pub python: Option<PathBuf>,
    pub wrk: Option<PathBuf>,
    /// Cross-checks the start-up timings when present.
    pub hyperfine: Option<PathBuf>,
    /// valgrind, for case 2's simulated caches and branches (full runs).
    pub valgrind: Option<PathBuf>,
    pub smoke: bool,
    /// Run only the cases whose title starts with one of these (`--only 3,6`); all when empty.
    pub only: Vec<String>,
    /// The figures `bench/fresh.sh` measured on a clean clone (case 7); not run without them.
    pub fresh: Option<PathBuf>,
    pub scale: Scale,
}

/// How big and how often: the figures for the full run, tiny ones for the smoke run.
pub struct Scale {
    /// Repetitions of the multi-second cases.
    pub runs: usize,
    /// Repetitions of the start-up commands (after two warm-ups).
    pub startup_runs: usize,
    /// Repetitions of the per-call comparison (case 2): its ratio sits near its bound, and three
    /// runs on this noisy 2-core machine put the median on either side of it from run to run.
    pub overhead_runs: usize,
    /// Repetitions of the large batch (cases 3 and 8): its client time is the difference of two
    /// noisy walls. With three runs its median went from 62 to 80 us per host between two full
    /// runs (the second's walls 1.29-1.53 s) whose builds, 8 alternating runs each outside the
    /// harness, took the same time (medians 1.216 and 1.217 s).
    pub large_batch_runs: usize,
    pub calls: usize,
    pub fanout_hosts: usize,
    /// The larger batch (`rtr::batch` is also measured at this size).
    pub batch_hosts_large: usize,
    pub concurrency: Vec<usize>,
    pub poll_latency_ms: u64,
    pub big_file_bytes: usize,
    /// The file `s.get` brings back from a host.
    pub extracted_bytes: usize,
    pub each_hosts: usize,
    pub rate_hosts: usize,
    pub load_secs: u64,
    pub fleet_hosts: usize,
}

impl Scale {
    /// Repetitions of an `rtr::batch` run over `hosts`: the large batch's, else the usual.
    pub fn batch_runs(&self, hosts: usize) -> usize {
        if hosts >= self.batch_hosts_large {
            self.large_batch_runs
        } else {
            self.runs
        }
    }

    fn full() -> Scale {
        Scale {
            runs: 3,
            startup_runs: 20,
            overhead_runs: 7,
            large_batch_runs: 7,
            calls: 5000,
            fanout_hosts: 1000,
            batch_hosts_large: 10_000,
            concurrency: vec![16, 32, 64],
            poll_latency_ms: 5000,
            big_file_bytes: 200 * 1024 * 1024,
            extracted_bytes: 200 * 1024 * 1024,
            each_hosts: 10_000,
            rate_hosts: 1000,
            load_secs: 5,
            fleet_hosts: 10_000,
        }
    }

    fn smoke() -> Scale {
        Scale {
            runs: 1,
            startup_runs: 3,
            overhead_runs: 1,
            large_batch_runs: 1,
            calls: 200,
            fanout_hosts: 20,
            batch_hosts_large: 60,
            concurrency: vec![8],
            poll_latency_ms: 600,
            big_file_bytes: 256 * 1024,
            extracted_bytes: 128 * 1024,
            each_hosts: 40,
            rate_hosts: 20,
            load_secs: 1,
            fleet_hosts: 500,
        }
    }
}

impl Options {
    pub fn parse(args: &[String]) -> Result<Options, String> {
        let mut root = None;
        let mut falconry = None;
        let mut out = None;
        let mut python = None;
        let mut wrk = None;
        let mut hyperfine = None;
        let mut valgrind = None;
        let mut smoke = false;
        let mut only = Vec::new();
        let mut fresh = None;
        let mut it = args.iter();
        while let Some(flag) = it.next() {
            let mut value = || {
                it.next()
                    .map(PathBuf::from)
                    .ok_or_else(|| format!("`{flag}` needs a value"))
            };
            match flag.as_str() {
                "--root" => root = Some(value()?),
                "--falconry" => falconry = Some(value()?),
                "--out" => out = Some(value()?),
                "--python" => python = Some(value()?),
                "--wrk" => wrk = Some(value()?),
                "--hyperfine" => hyperfine = Some(value()?),
                "--valgrind" => valgrind = Some(value()?),
                "--smoke" => smoke = true,
                "--fresh" => fresh = Some(value()?),
                "--only" => {
                    let list = value()?;
                    only = list
                        .to_string_lossy()
                        .split(',')
                        .map(|c| c.trim().to_string())
                        .filter(|c| !c.is_empty())
                        .collect();
                }
                other => return Err(format!("unknown argument `{other}`")),
            }
        }
        let root = root.ok_or("`--root` is required")?;
        Ok(Options {
            falconry: falconry.ok_or("`--falconry` is required")?,
            out: out.unwrap_or_else(|| root.join("BENCHMARKS.md")),
            root,
            python,
            wrk,
            hyperfine,
            valgrind,
            smoke,
            only,
            fresh,
            scale: if smoke { Scale::smoke() } else { Scale::full() },
        })
    }

    pub fn scenario_path(&self, name: &str) -> PathBuf {
        self.root.join("bench/scenarios").join(name)
    }

    pub fn playbook(&self, name: &str) -> PathBuf {
        self.root.join("bench/playbooks").join(name)
    }
}
