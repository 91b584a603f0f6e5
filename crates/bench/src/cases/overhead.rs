//! Case 2: per-call overhead. The same N sequential `get_policies` from a playbook, from FalconPy
//! and from a raw reqwest loop, alternating run by run on one emulator per run.

use super::Bench;
use crate::client;
use crate::emulator::{Emulator, harness_cpu_ns};
use crate::placement::{Cores, Placement};
use crate::report::Section;
use crate::stats::Samples;
use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

/// Where each client stands in `clients` (and so in every per-client list).
const FALCONRY: usize = 0;
const FALCONRY_KEPT: usize = 1;
const RAW: usize = 2;
const FALCONPY: usize = 3;

/// Builds a client's command against one emulator.
type MakeClient<'a> = Box<dyn Fn(&Emulator) -> Command + 'a>;

pub fn run(b: &Bench) -> Result<Section, String> {
    let calls = b.o.scale.calls;
    let cores = Cores::find();
    // Targets are judged in the first place: on one core, when processes can be pinned.
    let places: Vec<Option<(&Cores, Placement)>> = match &cores {
        Some(c) => vec![
            Some((c, Placement::OneCore)),
            Some((c, Placement::TwoCores)),
        ],
        None => vec![None],
    };
    let mut s = Section::new(
        "2. Per-call overhead",
        &format!(
            "{calls} sequential `response_policies::get_policies` of one policy; each client times its \
             own loop (after its token and the id lookup), so process start-up is not in these \
             figures. Clients take turns, run after run (in the reverse order every other run), \
             each run on a fresh emulator without a rate limit. The raw loop is `reqwest` with the \
             same keep-alive pool, parsing each answer as JSON. {}",
            match &cores {
                Some(_) =>
                    "Each client runs twice a run, pinned with `taskset`: on one core with the \
                    emulator (the call's work, the client's and the emulator's), and on a core of \
                    its own (the same plus waking the other core twice a call, which on this kind \
                    of virtual machine costs about as much as the work: see \
                    crates/bench/src/placement.rs). Targets are judged on one core; the two-core \
                    figures stand beside them.",
                None =>
                    "Processes are left where the scheduler puts them (`taskset` or a second \
                    core is missing here), so a run's figures swing with where it lands.",
            }
        ),
    );
    let calls_arg = format!("calls={calls}");
    let calls_text = calls.to_string();
    let me = std::env::current_exe().map_err(|e| format!("cannot find the harness: {e}"))?;
    let mut clients: Vec<(&str, MakeClient)> = vec![
        (
            "falconry playbook",
            Box::new(|sim| b.playbook("get_policies.rhai", &["--arg", &calls_arg], sim)),
        ),
        // The playbook above drops each answer, which falconry then leaves unconverted (issue 28's
        // lazy conversion); the same calls with every answer held, beside it.
        (
            "falconry playbook, answers kept",
            Box::new(|sim| b.playbook("get_policies_kept.rhai", &["--arg", &calls_arg], sim)),
        ),
        (
            "raw reqwest loop",
            Box::new(|sim| {
                client::command(
                    &me,
                    &["raw-loop", &sim.url(), &calls_text],
                    Some(sim),
                    b.work(),
                )
            }),
        ),
    ];
    if let Some(py) = &b.o.python {
        let script = b.o.root.join("bench/falconpy_calls.py");
        let calls_text = calls_text.clone();
        clients.push((
            "FalconPy",
            Box::new(move |sim| {
                client::command(
                    py,
                    &[&script.to_string_lossy(), &sim.url(), &calls_text],
                    Some(sim),
                    b.work(),
                )
            }),
        ));
    }
    let mut per_call: Vec<Vec<Samples>> = places
        .iter()
        .map(|_| clients.iter().map(|_| Samples::new("µs", 0)).collect())
        .collect();
    // The emulator's CPU per call while each client ran: same requests, so any difference is
    // what sharing a core with the client costs the emulator.
    let mut emulator_cpu = per_call.clone();
    let mut requests: Vec<usize> = vec![0; clients.len()];
    // ", one core" / ", two cores" after a client's name; nothing when unpinned.
    let at = |p: usize| places[p].map_or(String::new(), |(_, p)| format!(", {}", p.name()));
    for run in 0..b.o.scale.overhead_runs {
        for (p, &place) in places.iter().enumerate() {
            for i in super::turns(clients.len(), run) {
                let (name, make) = &clients[i];
                b.progress(&format!(
                    "overhead: {name}{}, run {}/{}",
                    at(p),
                    run + 1,
                    b.o.scale.overhead_runs
                ));
                // The emulator's threads start on the core pinned here; the client goes where
                // the placement puts it.
                let pinned = place.map(|(c, _)| c.pin_emulator()).transpose()?;
                let sim = Emulator::start(b.scenario("overhead.toml")?)?;
                let plain = make(&sim);
                let (cmd, shown) = match place {
                    Some((c, p)) => (c.client(p, &plain), c.shown(p, &plain)),
                    None => {
                        let shown = client::show(&plain);
                        (plain, shown)
                    }
                };
                if run == 0 {
                    s.commands.push(shown);
                }
                let cpu_before = harness_cpu_ns();
                let out = b.run(&cmd, false)?.json()?;
                if let (Some(before), Some(after)) = (cpu_before, harness_cpu_ns()) {
                    emulator_cpu[p][i]
                        .push(after.saturating_sub(before) as f64 / calls as f64 / 1e3);
                }
                let secs = client::secs(&out)?;
                per_call[p][i].push(secs / calls as f64 * 1e6);
                requests[i] = sim.traffic().total;
                drop(sim);
                drop(pinned);
            }
        }
    }
    for (p, samples) in per_call.iter().enumerate() {
        for (i, (name, _)) in clients.iter().enumerate() {
            s.row(
                &format!("{name}{}: time per call", at(p)),
                &samples[i],
                format!(
                    "{} requests reached the emulator (token and lookup included)",
                    requests[i]
                ),
            );
            if !emulator_cpu[p][i].is_empty() {
                s.row(
                    &format!("{name}{}: the emulator's CPU per call", at(p)),
                    &emulator_cpu[p][i],
                    "its threads' time on a CPU while this client ran (`/proc/self/task/*/schedstat`)",
                );
            }
        }
    }
    let neighbour = neighbour_note(&per_call, &emulator_cpu, places[0].is_some());
    if let Some((note, _)) = &neighbour {
        s.notes.push(note.clone());
    }
    // One ratio of two clients' times per placement, each named for it; the first is judged.
    let ratios = |s: &mut Section, what: &str, num: usize, den: usize| -> Vec<f64> {
        per_call
            .iter()
            .enumerate()
            .map(|(p, c)| s.ratio(&format!("{what}{}", at(p)), &c[num], &c[den]))
            .collect()
    };
    let vs_raw = ratios(&mut s, "falconry / raw loop", FALCONRY, RAW);
    let kept_vs_raw = ratios(
        &mut s,
        "falconry, answers kept / raw loop",
        FALCONRY_KEPT,
        RAW,
    );
    // The other placement's figure, for the verdict's text.
    let beside = |values: &[f64]| match values {
        [_, two, ..] => format!(" ({two:.2}x on two cores)"),
        _ => String::new(),
    };
    // Where a slower call's time goes when it runs fewer instructions: callgrind's simulated
    // caches and branches, per call (full runs, with valgrind).
    let mut why = String::new();
    if let Some(valgrind) = &b.o.valgrind {
        let falconry = |sim: &Emulator, n: usize| {
            b.playbook("get_policies.rhai", &["--arg", &format!("calls={n}")], sim)
        };
        let raw = |sim: &Emulator, n: usize| {
            client::command(
                &me,
                &["raw-loop", &sim.url(), &n.to_string()],
                Some(sim),
                b.work(),
            )
        };
        b.progress("overhead: callgrind, falconry playbook");
        let f = simulate(b, valgrind, &falconry)?;
        b.progress("overhead: callgrind, raw reqwest loop");
        let r = simulate(b, valgrind, &raw)?;
        let (small, large) = SIMULATED_CALLS;
        s.commands.push(f.shown.clone());
        s.commands.push(r.shown.clone());
        s.notes.push(format!(
            "Simulated per call (callgrind's cache and branch simulation; the difference between \
             {large} and {small} calls, so start-up, token and lookup cancel out), falconry against \
             the raw loop: {} against {} instructions, {} against {} L1 instruction-cache misses, \
             {} against {} L1 data-cache misses, {} against {} mispredicted indirect branches.",
            f.instructions, r.instructions, f.i1_misses, r.i1_misses, f.d1_misses, r.d1_misses,
            f.indirect_mispredicts, r.indirect_mispredicts,
        ));
        // The reading holds only while falconry runs no more instructions than the raw loop.
        let reading = if f.instructions <= r.instructions {
            ": more code on the path, not more work"
        } else {
            ""
        };
        why = format!(
            "; per call falconry runs {} instructions than the raw loop, with {} L1 \
             instruction-cache misses and {} mispredicted indirect branches (callgrind, below){reading}",
            more_or_fewer(f.instructions, r.instructions),
            more_or_fewer(f.i1_misses, r.i1_misses),
            more_or_fewer(f.indirect_mispredicts, r.indirect_mispredicts),
        );
    }
    // Where the time goes explains a call slower than the target, not one within it.
    let met = vs_raw[0] <= 1.1;
    if met {
        why.clear();
    }
    s.target(
        "within 1.1x of the raw loop",
        met,
        format!(
            "{:.2}x{} with each answer dropped unread, as the playbook drops it, so checked as \
             JSON but not turned into Rhai values; {:.2}x{} with each answer kept{}{why}",
            vs_raw[0],
            beside(&vs_raw),
            kept_vs_raw[0],
            beside(&kept_vs_raw),
            neighbour.map_or(String::new(), |(_, short)| short),
        ),
    );
    if clients.len() > FALCONPY {
        let vs_py = ratios(&mut s, "FalconPy / falconry", FALCONPY, FALCONRY);
        let py_vs_raw = ratios(&mut s, "FalconPy / raw loop", FALCONPY, RAW);
        // When FalconPy is less than 8x slower than the plain HTTP loop itself, 8x asks falconry
        // to be faster than the transport it is built on: say so with the verdict.
        let bound = if vs_py[0] < 8.0 && py_vs_raw[0] < 8.0 {
            format!(
                "; FalconPy is {:.2}x the raw reqwest loop itself, so 8x needs falconry faster \
                 than the plain HTTP it makes",
                py_vs_raw[0]
            )
        } else {
            String::new()
        };
        s.target(
            "at least 8x faster than FalconPy",
            vs_py[0] >= 8.0,
            format!("{:.2}x{}{bound}", vs_py[0], beside(&vs_py)),
        );
    } else {
        s.not_run(
            "at least 8x faster than FalconPy",
            "no Python with FalconPy here",
        );
    }
    Ok(s)
}

/// On one core a call's time is the client's work and the emulator's, one after the other. The
/// emulator answers falconry and the raw loop the same requests (same bytes but `user-agent` and
/// `accept`, same system calls), so where it needs more CPU per call beside falconry, that is the
/// cost of sharing the core with a larger client (its caches and branch predictors), not
/// falconry's own work. Returns the note and a clause for the verdict; `None` unless the first placement is
/// one core and the emulator's CPU was read.
fn neighbour_note(
    per_call: &[Vec<Samples>],
    emulator_cpu: &[Vec<Samples>],
    pinned: bool,
) -> Option<(String, String)> {
    let (time, cpu) = (per_call.first()?, emulator_cpu.first()?);
    if !pinned || cpu.len() <= RAW || cpu[FALCONRY].is_empty() || cpu[RAW].is_empty() {
        return None;
    }
    let (tf, tr) = (time[FALCONRY].median(), time[RAW].median());
    let (ef, er) = (cpu[FALCONRY].median(), cpu[RAW].median());
    let (own_f, own_r) = (tf - ef, tr - er);
    let lead = format!(
        "On one core a call is the client's work and then the emulator's. The emulator used \
         {ef:.1} us of CPU per call answering falconry and {er:.1} us answering the raw loop:"
    );
    if tf <= tr {
        let note = format!(
            "{lead} falconry's calls took {:.1} us less than the raw loop's.",
            tr - tf
        );
        return Some((note, String::new()));
    }
    if ef <= er {
        let note = format!(
            "{lead} falconry's {:.1} us more per call is its own.",
            tf - tr
        );
        return Some((note, String::new()));
    }
    let note = format!(
        "{lead} the same requests (the same bytes but `user-agent` and `accept`, the same system \
         calls), so the {:.1} us between them is the emulator running slower beside a larger \
         client on a shared core, not work falconry asked for. Of falconry's {:.1} us more per \
         call, that leaves {:.1} us of its own: {own_f:.1} us against {own_r:.1} us of the raw \
         loop's, {:.2}x (medians of the same runs; the client's part is the call's time less the \
         emulator's CPU).",
        ef - er,
        tf - tr,
        own_f - own_r,
        own_f / own_r,
    );
    let short = format!(
        "; on one core {:.1} us of the {:.1} us more per call is the emulator's (it needs more CPU \
         beside falconry for the same requests), and falconry's own part is {:.2}x the raw loop's",
        ef - er,
        tf - tr,
        own_f / own_r,
    );
    Some((note, short))
}

/// Calls in the two simulated runs of each client: their difference is per call, with start-up,
/// the token and the policy lookup cancelled out.
const SIMULATED_CALLS: (usize, usize) = (1000, 3000);

/// `a` against `b` in words: "6% fewer", "30% more".
fn more_or_fewer(a: u64, b: u64) -> String {
    let change = (a as f64 / b.max(1) as f64 - 1.0) * 100.0;
    let word = if change < 0.0 { "fewer" } else { "more" };
    format!("{:.0}% {word}", change.abs())
}

/// One call as callgrind's cache and branch simulation counts it.
struct Simulated {
    instructions: u64,
    i1_misses: u64,
    d1_misses: u64,
    indirect_mispredicts: u64,
    /// The larger run's command, for the report.
    shown: String,
}

/// `client` (built for an emulator and a number of calls) under callgrind, twice, each on a fresh
/// emulator.
fn simulate(
    b: &Bench,
    valgrind: &Path,
    client: &dyn Fn(&Emulator, usize) -> Command,
) -> Result<Simulated, String> {
    let (small, large) = SIMULATED_CALLS;
    const SIMULATION: [&str; 3] = ["--tool=callgrind", "--cache-sim=yes", "--branch-sim=yes"];
    let mut totals = Vec::new();
    let mut shown = String::new();
    for calls in [small, large] {
        let sim = Emulator::start(b.scenario("overhead.toml")?)?;
        let out = b.work().join(format!("callgrind-{calls}.out"));
        let file = format!("--callgrind-out-file={}", out.display());
        let inner = client(&sim, calls);
        shown = client::show_wrapped(&inner, &format!("valgrind {}", SIMULATION.join(" ")));
        let mut args = SIMULATION.to_vec();
        args.push(&file);
        let cmd = client::wrapped(valgrind, &args, &inner);
        b.run(&cmd, false)?;
        totals.push(callgrind_totals(&out)?);
        let _ = std::fs::remove_file(&out);
    }
    let per_call = |event: &str| -> Result<u64, String> {
        let at = |t: &HashMap<String, u64>| {
            t.get(event)
                .copied()
                .ok_or_else(|| format!("callgrind counted no `{event}`"))
        };
        Ok(at(&totals[1])?.saturating_sub(at(&totals[0])?) / (large - small) as u64)
    };
    Ok(Simulated {
        instructions: per_call("Ir")?,
        i1_misses: per_call("I1mr")?,
        d1_misses: per_call("D1mr")? + per_call("D1mw")?,
        indirect_mispredicts: per_call("Bim")?,
        shown,
    })
}

/// A callgrind output's totals by event name (its `events:` and `summary:` lines).
fn callgrind_totals(path: &Path) -> Result<HashMap<String, u64>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
    let line = |prefix: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(prefix))
            .ok_or_else(|| format!("no `{prefix}` line in `{}`", path.display()))
    };
    let events = line("events:")?.split_whitespace();
    let counts = line("summary:")?.split_whitespace().map(str::parse::<u64>);
    events
        .zip(counts)
        .map(|(e, n)| {
            Ok((
                e.to_string(),
                n.map_err(|e| format!("bad callgrind count: {e}"))?,
            ))
        })
        .collect()
}
