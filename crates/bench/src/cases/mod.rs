//! Runs every case in order and writes the report; a case that fails is reported as such and
//! makes the harness exit non-zero after the report is written.
//!
//! Issue 28's targets for large fan-outs, each judged by the case named:
//! - batch: falconry's client-side time per host (wall time minus the plain-HTTP run) at most
//!   40 us at 10,000 hosts, memory per host reported (3. Fan-out);
//! - the case costs little: `rtr::each` and `rtr::batch` over 10,000 hosts with the case on
//!   within 1.2x of the time and memory of `--no-case` (8. Case cost);
//! - a 10,000-host case's report renders in under 10 s into a page under 20 MB (8. Case cost).

mod case_cost;
mod emulator;
mod fanout;
mod fresh;
mod memory;
mod overhead;
mod polling;
mod ratelimit;
mod startup;

use crate::client::{self, Finished};
use crate::emulator::{self as sim, Emulator};
use crate::machine::{self, Machine};
use crate::options::Options;
use crate::report::{self, Section};
use falconry_sim::Scenario;
use std::fmt::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use tempfile::TempDir;

/// Rhai's own data limits, as the engine set them by default until issue 28's third round: with
/// them on, Rhai walks every large value after each call that returns or takes it. Case 3 times
/// a playbook's use of a large answer with and without them.
pub const RHAI_DATA_LIMITS: [&str; 4] =
    ["--max-map-size", "10000000", "--max-array-size", "10000000"];

/// How status requests are counted: said wherever they are.
pub const CHUNK_READ_NOTE: &str = "Status requests are all polls: a command whose first status \
    answer says `complete: true` is whole (Falcon marks a chunk with more output after it \
    `complete: false`, as FalconPy's maintainers describe in falconpy#992), so `s.run` reads no \
    further `sequence_id` for short output (crates/client/src/rtr/command.rs).";

/// The order in which `n` variants take their turn in round `round`: as listed in even rounds,
/// reversed in odd ones. Run after a 10,000-host batch (450 MB freed as the last one exits), the
/// next process ran 3 to 8% slower (alternating pairs of one build, `falconry run` of
/// `bench/playbooks/fanout_batch.rhai`, issue 28); in a fixed order that always fell on the same
/// variant. Alternating the order spreads it evenly.
pub fn turns(n: usize, round: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    if round % 2 == 1 {
        order.reverse();
    }
    order
}

/// What every case needs: the options, a scratch folder, and whether the playbook helpers exist.
pub struct Bench<'a> {
    pub o: &'a Options,
    work: TempDir,
    /// `rtr::batch` / `rtr::each` are in this build (they arrive with the playbook layer).
    pub rtr: bool,
    /// What a fresh 4 KiB page of memory costs on this machine, µs ([`machine::fresh_page_us`]).
    pub fresh_page_us: Option<f64>,
}

impl Bench<'_> {
    pub fn work(&self) -> &Path {
        self.work.path()
    }

    pub fn scenario(&self, name: &str) -> Result<Scenario, String> {
        sim::load(&self.o.scenario_path(name))
    }

    /// `falconry ARGS` against `sim` (a tenant run) or, without one, the embedded emulator.
    pub fn falconry(&self, args: &[&str], sim: Option<&Emulator>) -> Command {
        client::command(&self.o.falconry, args, sim, self.work())
    }

    /// `falconry run --json PLAYBOOK ARGS...` against `sim`.
    pub fn playbook(&self, name: &str, args: &[&str], sim: &Emulator) -> Command {
        let path = self.o.playbook(name);
        let path = path.to_string_lossy();
        let mut all = vec!["run", "--json", path.as_ref()];
        all.extend_from_slice(args);
        self.falconry(&all, Some(sim))
    }

    pub fn run(&self, cmd: &Command, measure_memory: bool) -> Result<Finished, String> {
        client::run(cmd, measure_memory)
    }

    pub fn progress(&self, what: &str) {
        eprintln!("bench: {what}");
    }

    pub fn out_dir(&self) -> PathBuf {
        self.work().join("falconry-out")
    }
}

pub fn run_all(o: &Options) -> Result<(), String> {
    let work = tempfile::Builder::new()
        .prefix("falconry-bench")
        .tempdir()
        .map_err(|e| format!("cannot create a scratch folder: {e}"))?;
    let mut bench = Bench {
        o,
        work,
        rtr: false,
        fresh_page_us: None,
    };
    let probe = bench.falconry(
        &["check", &o.playbook("fanout_each.rhai").to_string_lossy()],
        None,
    );
    bench.rtr = client::run(&probe, false).is_ok();
    let load_before = machine::load_average();
    let started = std::time::Instant::now();
    bench.progress("the cost of a fresh page of memory");
    bench.fresh_page_us = machine::fresh_page_us();
    type Case = fn(&Bench) -> Result<Section, String>;
    let cases: [(&str, Case); 9] = [
        ("1. Start-up", startup::run),
        ("2. Per-call overhead", overhead::run),
        ("3. Fan-out", fanout::run),
        ("4. Polling", polling::run),
        ("5. Memory", memory::run),
        ("6. Rate limit", ratelimit::run),
        ("7. Fresh clone", fresh::run),
        ("8. Case cost", case_cost::run),
        ("Emulator", emulator::run),
    ];
    let mut sections = Vec::new();
    let mut failed = Vec::new();
    for (title, case) in cases {
        if !o.only.is_empty() && !o.only.iter().any(|c| title.starts_with(c.as_str())) {
            continue;
        }
        bench.progress(&format!("case {title}"));
        match case(&bench) {
            Ok(s) => sections.push(s),
            Err(e) => {
                eprintln!("bench: case {title} failed: {e}");
                let mut s = Section::new(title, "");
                s.notes.push(format!("**The case failed**: {e}"));
                failed.push(title);
                sections.push(s);
            }
        }
    }
    let header = header(o, &bench, &load_before, started.elapsed());
    std::fs::write(&o.out, report::render(&header, &sections))
        .map_err(|e| format!("cannot write `{}`: {e}", o.out.display()))?;
    eprintln!("bench: wrote {}", o.out.display());
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!("case(s) failed: {}", failed.join(", ")))
    }
}

fn header(o: &Options, b: &Bench, load_before: &str, took: std::time::Duration) -> String {
    let m = Machine::read();
    let mut h = String::new();
    let _ = writeln!(h, "# Benchmarks\n");
    let _ = writeln!(
        h,
        "Written by `bench/run.sh{}` (do not edit by hand; re-run it). Every figure below comes from \
         that one run; ratios compare medians measured side by side in it.\n",
        if o.smoke { " --smoke" } else { "" }
    );
    if o.smoke {
        let _ = writeln!(
            h,
            "**Smoke run**: tiny sizes and one repetition, to prove the script works; the figures \
             mean nothing and the verdicts are not the issue's.\n"
        );
    }
    let _ = writeln!(h, "## Machine\n");
    let _ = writeln!(h, "| | |\n| --- | --- |");
    let _ = writeln!(h, "| cores (nproc) | {} |", m.cores);
    let _ = writeln!(h, "| CPU | {} |", m.cpu);
    let _ = writeln!(h, "| memory | {} |", m.memory);
    let _ = writeln!(h, "| kernel | {} |", m.kernel);
    let _ = writeln!(
        h,
        "| a fresh 4 KiB page of memory (first write, `bench fresh-pages {}`, median of 5) | {} |",
        machine::FRESH_MIB,
        b.fresh_page_us.map_or("not measured".into(), |us| format!(
            "{us:.2} us ({:.0} ms per 100 MiB)",
            us * 25_600.0 / 1000.0
        ))
    );
    let _ = writeln!(
        h,
        "| load average (1, 5, 15 min) | before: {load_before}; after: {} |",
        machine::load_average()
    );
    let _ = writeln!(h, "| whole run took | {:.0} s |", took.as_secs_f64());
    let falconry = machine::version(&o.falconry, &["--version"]);
    let _ = writeln!(
        h,
        "| falconry | {} |",
        falconry.as_deref().unwrap_or("unknown")
    );
    // The harness (and with it the raw loop and the emulator) is linked in the compiler's order.
    let _ = writeln!(
        h,
        "| falconry's link order (`build.rs`: functions that call each other often placed together; \
         the harness, raw loop and emulator are linked in the compiler's order) | {} |",
        machine::link_order(&o.root.join("src/call-graph.txt"), &o.falconry)
            .unwrap_or_else(|| "not read (no `nm`, or no `src/call-graph.txt`)".into())
    );
    if let Some(py) = &o.python {
        let v = machine::version(
            py,
            &[
                "-c",
                "import falconpy, sys; print('Python', sys.version.split()[0], '/ FalconPy', falconpy.__version__)",
            ],
        );
        let _ = writeln!(h, "| Python | {} |", v.as_deref().unwrap_or("unavailable"));
    }
    if let Some(wrk) = &o.wrk {
        let v = machine::version(wrk, &["--version"]);
        let _ = writeln!(h, "| wrk | {} |", v.as_deref().unwrap_or("unavailable"));
    }
    let _ = writeln!(
        h,
        "| peak memory measured with | {} |",
        if client::can_measure_memory() {
            "`/usr/bin/time -v` (Maximum resident set size)"
        } else {
            "unavailable (no `/usr/bin/time`)"
        }
    );
    let _ = writeln!(
        h,
        "| `rtr::batch` / `rtr::each` in this build | {} |\n",
        if b.rtr { "yes" } else { "no" }
    );
    let _ = writeln!(
        h,
        "The emulator runs inside the harness (`crates/bench`, `falconry_sim::start_with_state`, \
         two worker threads as in `falconry sim`) so its request log can be counted; every client \
         is a separate process talking to it over loopback HTTP with keep-alive. `$SIM` below is its \
         base URL. A loaded machine (see the load average) slows everything; ratios suffer less than \
         absolute figures.\n"
    );
    h
}
