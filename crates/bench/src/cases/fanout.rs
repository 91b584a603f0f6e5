//! Case 3: `ps` on every host of a fleet with 300 ms command latency, through one batch session
//! (1,000 and 10,000 hosts) and through a session per host (`rtr::each`) at several concurrency
//! levels: wall time and the RTR requests per host the emulator saw, next to the minimum the API
//! allows. The batch is also timed over plain HTTP (emulator and transport only), so the report can
//! say which side the rest of the time is on.

use super::{Bench, CHUNK_READ_NOTE, RHAI_DATA_LIMITS};
use crate::emulator::Emulator;
use crate::report::Section;
use crate::stats::Samples;

/// Per host: init, execute, one status poll after completion, delete.
pub const EACH_MINIMUM: f64 = 4.0;
/// One batch init and one batch command for all hosts.
const BATCH_MINIMUM: f64 = 2.0;
/// Issue 28: falconry's own time per host of a batch this large (wall time minus the plain-HTTP
/// run) at most [`PER_HOST_US`] microseconds.
const PER_HOST_AT: usize = 10_000;
const PER_HOST_US: f64 = 40.0;

pub fn run(b: &Bench) -> Result<Section, String> {
    let mut scenario = b.scenario("fanout.toml")?;
    if let Some(fleet) = scenario.fleet.as_mut() {
        fleet.count = b.o.scale.fanout_hosts;
    }
    let latency = scenario.command_latency_ms as f64 / 1000.0;
    let hosts = b.o.scale.fanout_hosts;
    let mut s = Section::new(
        "3. Fan-out",
        &format!(
            "`ps` on {hosts} online emulated hosts, every command taking {latency:.1} s. Wall time is \
             timed inside the playbook from opening the batch (or starting `rtr::each`) to having \
             every answer; RTR requests are counted in the emulator's log (paths under \
             `/real-time-response/`; the token and `hosts::find_all` are left out). Fresh emulator \
             per run; variants take turns run by run, in the reverse order every other run."
        ),
    );
    if !b.rtr {
        let why = "`rtr::batch` / `rtr::each` are not in this build (the playbook layer has not landed in main)";
        s.not_run("batch within 1.5x of the command latency", why);
        s.not_run("per-host requests within 1.25x of the minimum", why);
        return Ok(s);
    }
    let large = b.o.scale.batch_hosts_large;
    let mut variants: Vec<(String, &str, Vec<String>, usize)> = vec![
        (
            "`rtr::batch`".into(),
            "fanout_batch.rhai",
            Vec::new(),
            hosts,
        ),
        (
            format!("`rtr::batch`, {large} hosts"),
            "fanout_batch.rhai",
            Vec::new(),
            large,
        ),
        // The same without the case folder (on by default, as above): says how much of falconry's
        // time per host is the case's journal and records, and how much the answers' conversion.
        (
            format!("`rtr::batch`, {large} hosts, `--no-case`"),
            "fanout_batch.rhai",
            vec!["--no-case".into()],
            large,
        ),
    ];
    for c in &b.o.scale.concurrency {
        variants.push((
            format!("`rtr::each`, concurrency {c}"),
            "fanout_each.rhai",
            vec!["--arg".into(), format!("concurrency={c}")],
            hosts,
        ));
    }
    let mut worst_each = 0.0_f64;
    // Each batch size's medians, for the targets and the notes.
    let mut batches: Vec<BatchFigures> = Vec::new();
    // Each variant's measures, filled run by run.
    let mut accs: Vec<Measured> = variants.iter().map(|_| Measured::new()).collect();
    // Whether a variant is a batch, and whether it runs without the case.
    let kind = |playbook: &str, args: &[String]| {
        (
            playbook == "fanout_batch.rhai",
            args.iter().any(|a| a == "--no-case"),
        )
    };
    let runs_of = |playbook: &str, hosts: usize| {
        if kind(playbook, &[]).0 {
            b.o.scale.batch_runs(hosts)
        } else {
            b.o.scale.runs
        }
    };
    let most = variants
        .iter()
        .map(|(_, playbook, _, hosts)| runs_of(playbook, *hosts))
        .max()
        .unwrap_or(0);
    // Run by run, every variant in turn: what drifts over the minutes this case takes (the
    // machine's load, its memory) reaches each variant alike, so the batch with the case and
    // without it are compared side by side. The order alternates (`turns`), and so does whether
    // a batch's plain-HTTP run comes before or after it.
    for run in 0..most {
        for i in super::turns(variants.len(), run) {
            let (label, playbook, args, hosts) = &variants[i];
            let acc = &mut accs[i];
            let hosts = *hosts;
            let runs = runs_of(playbook, hosts);
            if run >= runs {
                continue;
            }
            let mut scenario = scenario.clone();
            if let Some(fleet) = scenario.fleet.as_mut() {
                fleet.count = hosts;
            }
            let (is_batch, no_case) = kind(playbook, args);
            let plain_too = is_batch && !no_case;
            let mut plain = None;
            if plain_too && run % 2 == 1 {
                plain = Some(plain_batch(&scenario, acc)?);
            }
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            b.progress(&format!("fan-out: {label}, run {}/{runs}", run + 1));
            let sim = Emulator::start(scenario.clone())?;
            let cmd = b.playbook(playbook, &args, &sim);
            if run == 0 && hosts == b.o.scale.fanout_hosts {
                s.commands.push(crate::client::show(&cmd));
            }
            // Peak memory of the batch runs, for memory per host (`/usr/bin/time -v` when present).
            let done = b.run(&cmd, is_batch)?;
            if let Some(kib) = done.peak_rss_kib {
                acc.rss.push(kib as f64 / 1024.0);
            }
            if let Some(secs) = done.cpu_secs {
                acc.cpu.push(secs);
            }
            if let Some(n) = done.minor_faults {
                acc.faults.push(n as f64);
            }
            let out = done.json()?;
            let secs = crate::client::secs(&out)?;
            acc.wall.push(secs);
            acc.answered = acc
                .answered
                .min(out["answered"].as_u64().unwrap_or(0) as usize);
            if let Some(secs) = out["open"].as_f64() {
                acc.open.push(secs);
            }
            let traffic = sim.traffic();
            acc.per_host.push(traffic.rtr as f64 / hosts as f64);
            acc.breakdown = traffic.summary();
            if plain_too && run % 2 == 0 {
                plain = Some(plain_batch(&scenario, acc)?);
            }
            if let Some(plain) = plain {
                acc.paired
                    .push((secs - plain).max(0.0) / hosts as f64 * 1e6);
            }
        }
    }
    for ((label, playbook, args, hosts), acc) in variants.iter().zip(accs) {
        let hosts = *hosts;
        let (is_batch, no_case) = kind(playbook, args);
        let Measured {
            wall,
            raw,
            paired,
            open,
            raw_init,
            per_host,
            rss,
            cpu,
            faults,
            answered,
            breakdown,
        } = acc;
        let minimum = if is_batch {
            if no_case {
                // Beside the same batch with the case, measured run by run with it.
                if let Some(f) = batches.iter_mut().find(|f| f.hosts == hosts) {
                    f.without_case = wall.median();
                }
            } else {
                // An empty sample's median is NaN: not measured.
                batches.push(BatchFigures {
                    hosts,
                    wall: wall.median(),
                    raw: raw.median(),
                    paired: [paired.median(), paired.min(), paired.max()],
                    open: open.median(),
                    raw_init: raw_init.median(),
                    peak: rss.median(),
                    cpu: cpu.median(),
                    faults: faults.median(),
                    without_case: f64::NAN,
                });
            }
            BATCH_MINIMUM / hosts as f64
        } else {
            worst_each = worst_each.max(per_host.max());
            EACH_MINIMUM
        };
        s.notes.push(format!(
            "Requests by operation, last run of {label}: {breakdown}."
        ));
        s.row(
            &format!("{label}: wall time"),
            &wall,
            format!("{answered} of {hosts} hosts answered (fewest in a run)"),
        );
        if is_batch {
            // Whole-process figures from `/usr/bin/time -v`, each also per host.
            let each = |x: &Samples| x.median() / hosts as f64;
            let measured = [
                (
                    "peak RSS",
                    &rss,
                    format!(
                        "{:.1} KiB per host (whole process, from `/usr/bin/time -v`)",
                        each(&rss) * 1024.0
                    ),
                ),
                (
                    "CPU time",
                    &cpu,
                    format!(
                        "user + system, whole process (from `/usr/bin/time -v`): {:.0} us per host",
                        each(&cpu) * 1e6
                    ),
                ),
                (
                    "page faults",
                    &faults,
                    format!(
                        "minor faults, each a fresh 4 KiB page the process touched: {:.1} per host",
                        each(&faults)
                    ),
                ),
            ];
            for (what, samples, remark) in measured {
                if !samples.is_empty() {
                    s.row(&format!("{label}: {what}"), samples, remark);
                }
            }
        }
        if is_batch && !no_case {
            s.row(
                &format!("{label}: the same over plain HTTP"),
                &raw,
                "batch init + batch command, answers read but not parsed: the emulator's side",
            );
            s.row(
                &format!("{label}: falconry's time per host, run by run"),
                &paired,
                "each run's wall time less the plain-HTTP run beside it in the same round, per \
                 host: how far the figure the target takes from two medians moves run to run",
            );
        }
        s.row(
            &format!("{label}: RTR requests per host"),
            &per_host,
            format!(
                "API minimum {minimum:.4}; ratio {:.2}x",
                per_host.median() / minimum
            ),
        );
    }
    let copy = large_values(b, &mut s, &scenario, large)?;
    row_maps(b, &mut s, &copy)?;
    for f in &batches {
        let (hosts, wall, raw, peak) = (f.hosts, f.wall, f.raw, f.peak);
        let ratio = wall / latency;
        s.ratios.push((
            format!("batch of {hosts} hosts: wall time / command latency"),
            ratio,
        ));
        let own_us = (wall - raw).max(0.0) / hosts as f64 * 1e6;
        if hosts >= PER_HOST_AT {
            s.target(
                &format!(
                    "batch of {hosts} hosts: falconry's time per host (wall minus plain HTTP) at most {PER_HOST_US:.0} us; memory per host reported"
                ),
                own_us <= PER_HOST_US,
                format!(
                    "{own_us:.1} us per host ({wall:.3} s vs {raw:.3} s over plain HTTP; run by \
                     run, each less its own plain-HTTP run, {:.1} us, {:.1} to {:.1}); peak RSS \
                     {peak:.0} MiB, {:.1} KiB per host{}",
                    f.paired[0],
                    f.paired[1],
                    f.paired[2],
                    peak * 1024.0 / hosts as f64,
                    copy.reason(hosts),
                ),
            );
        } else {
            s.target(
                &format!("batch of {hosts} hosts within 1.5x of the command latency"),
                ratio <= 1.5,
                format!("{wall:.2} s for {latency:.1} s latency: {ratio:.2}x"),
            );
        }
        let mut note = format!(
            "Batch of {hosts} hosts: {wall:.2} s in all; {raw:.2} s of it is the emulator and the \
             transport (the plain-HTTP run: {:.2} s beyond the latency), {:.2} s is falconry's \
             (JSON parsing, turning every host's output into maps, parsing `ps`).",
            (raw - latency).max(0.0),
            (wall - raw).max(0.0),
        );
        if f.open.is_finite() && f.raw_init.is_finite() {
            let per_host = |s: f64| s.max(0.0) / hosts as f64 * 1e6;
            note.push_str(&format!(
                " Split at the open batch: `rtr::batch` took {:.3} s against {:.3} s for the \
                 plain-HTTP init ({:.0} us per host of falconry's: the host lookup, the audit, \
                 reading the init's answer), and the command {:.2} s against {:.2} s ({:.0} us \
                 per host: reading and journaling the answer, the records, parsing `ps` and \
                 building the playbook's values).",
                f.open,
                f.raw_init,
                per_host(f.open - f.raw_init),
                f.wall - f.open,
                f.raw - f.raw_init,
                per_host((f.wall - f.open) - (f.raw - f.raw_init)),
            ));
        }
        if f.without_case.is_finite() {
            let bare_us = (f.without_case - raw).max(0.0) / hosts as f64 * 1e6;
            note.push_str(&format!(
                " With `--no-case` the same batch took {:.2} s: {bare_us:.0} us per host of \
                 falconry's own time, so the case folder (the answer journaled, a record per host) \
                 is {:.0} us of the {own_us:.0}.",
                f.without_case,
                (own_us - bare_us).max(0.0),
            ));
        }
        if f.cpu.is_finite() && f.faults.is_finite() {
            note.push_str(&format!(
                " The whole process (its start, `hosts::find_all` and the exit included) used \
                 {:.2} s of CPU and touched {:.0} fresh pages of memory ({:.1} per host, {:.0} MiB): \
                 every process row of every host is a Rhai map of 11 keys, which Rhai keeps in one \
                 B-tree node (about 0.5 KiB), and each fresh page costs a page fault.",
                f.cpu,
                f.faults,
                f.faults / hosts as f64,
                f.faults * 4.0 / 1024.0,
            ));
            if let Some(us) = b.fresh_page_us {
                note.push_str(&format!(
                    " At {us:.2} us a fresh page on this machine (see Machine), those pages alone \
                     are {:.2} s of that CPU: {:.0} us per host.",
                    f.faults * us / 1e6,
                    f.faults * us / hosts as f64,
                ));
            }
        }
        s.notes.push(note);
    }
    s.notes.push(CHUNK_READ_NOTE.into());
    let ratio = worst_each / EACH_MINIMUM;
    s.target(
        "per-host requests within 1.25x of the minimum",
        ratio <= 1.25,
        format!("worst run {worst_each:.2} requests per host vs {EACH_MINIMUM}: {ratio:.2}x"),
    );
    Ok(s)
}

/// The same batch over plain HTTP, on a fresh emulator of `scenario`: the emulator's side.
/// Returns the run's total seconds.
fn plain_batch(scenario: &falconry_sim::Scenario, acc: &mut Measured) -> Result<f64, String> {
    let fresh = Emulator::start(scenario.clone())?;
    let plain = crate::http::raw_batch(
        &fresh.url(),
        fresh.client_id(),
        fresh.client_secret(),
        &fresh.device_ids(),
    )?;
    acc.raw.push(plain.total);
    acc.raw_init.push(plain.init);
    Ok(plain.total)
}

/// One variant's measures over its runs.
struct Measured {
    wall: Samples,
    /// The plain-HTTP run's (batches with the case only).
    raw: Samples,
    /// Falconry's time per host run by run: each run's wall time less the plain-HTTP run taken
    /// beside it in the same round, microseconds.
    paired: Samples,
    /// Opening the batch: falconry's (from the playbook) and the plain-HTTP init's.
    open: Samples,
    raw_init: Samples,
    per_host: Samples,
    rss: Samples,
    cpu: Samples,
    faults: Samples,
    /// The fewest hosts answered in a run.
    answered: usize,
    /// The last run's requests by operation.
    breakdown: String,
}

impl Measured {
    fn new() -> Measured {
        Measured {
            wall: Samples::new("s", 2),
            raw: Samples::new("s", 2),
            paired: Samples::new("us", 1),
            open: Samples::new("s", 3),
            raw_init: Samples::new("s", 3),
            per_host: Samples::new("req/host", 3),
            rss: Samples::new("MiB", 1),
            cpu: Samples::new("s", 2),
            faults: Samples::new("faults", 0),
            answered: usize::MAX,
            breakdown: String::new(),
        }
    }
}

/// The medians of one batch size's runs (NaN where not measured).
struct BatchFigures {
    hosts: usize,
    /// falconry's wall time, seconds.
    wall: f64,
    /// The plain-HTTP run's, seconds.
    raw: f64,
    /// Of `wall`, until the batch was open (`rtr::batch` returned), seconds.
    open: f64,
    /// Of `raw`, until the batch init's answer was read, seconds.
    raw_init: f64,
    /// Peak RSS, MiB.
    peak: f64,
    /// CPU seconds, user + system.
    cpu: f64,
    faults: f64,
    /// The same batch's wall time with `--no-case`, seconds (NaN when not run).
    without_case: f64,
    /// Falconry's time per host run by run (median, least, most), microseconds.
    paired: [f64; 3],
}

/// `let copy = r` of the large batch answer, timed in `large_values.rhai` (default mode).
struct AnswerCopy {
    hosts: usize,
    rows: u64,
    /// Median seconds (NaN when not measured).
    secs: f64,
}

impl AnswerCopy {
    /// For the per-host target's reason: how much of falconry's time per host merely holding the
    /// answer as Rhai values costs, measured on the same answer.
    fn reason(&self, hosts: usize) -> String {
        if hosts != self.hosts || !self.secs.is_finite() {
            return String::new();
        }
        format!(
            "; a copy of the answer's Rhai values alone (`let copy = r` in the playbook: the maps \
             of its {} process rows and every other map and array allocated and filled again on \
             one core, strings shared, nothing parsed) takes {:.0} us per host",
            self.rows,
            self.secs / hosts as f64 * 1e6
        )
    }
}

/// Keys of a `ps` row not understood (ten fields, `raw`, `parse_error`: playbooks/README.md) and
/// of one read cleanly, which has no `parse_error`.
const ROW_KEYS: [usize; 2] = [12, 11];

/// What holding `rows` process rows costs by the number of keys of each (`row_maps.rhai`): a Rhai
/// map is a B-tree whose nodes hold up to 11 keys, so a map of 11 keys is one node and a map of 12
/// is three (two leaves and their parent). Peak memory and fresh pages of the whole process.
fn row_maps(b: &Bench, s: &mut Section, answer: &AnswerCopy) -> Result<(), String> {
    let (rows, hosts) = (answer.rows, answer.hosts);
    if rows == 0 {
        return Ok(());
    }
    let maps = format!("maps={rows}");
    let mut peak = [Samples::new("MiB", 1), Samples::new("MiB", 1)];
    let mut faults = [Samples::new("faults", 0), Samples::new("faults", 0)];
    let mut secs = [Samples::new("ms", 0), Samples::new("ms", 0)];
    for run in 0..b.o.scale.runs {
        for (i, keys) in ROW_KEYS.iter().enumerate() {
            b.progress(&format!(
                "fan-out: {rows} maps of {keys} keys, run {}/{}",
                run + 1,
                b.o.scale.runs
            ));
            // A tenant run: without one, `falconry run` would start its embedded emulator and
            // count the emulator's memory in the playbook's.
            let sim = Emulator::start(b.scenario("overhead.toml")?)?;
            let keys = format!("keys={keys}");
            let cmd = b.playbook(
                "row_maps.rhai",
                &["--no-case", "--arg", &maps, "--arg", &keys],
                &sim,
            );
            if run == 0 {
                s.commands.push(crate::client::show(&cmd));
            }
            let done = b.run(&cmd, true)?;
            let out = done.json()?;
            secs[i].push(crate::client::secs(&out)? * 1e3);
            if let (Some(kib), Some(n)) = (done.peak_rss_kib, done.minor_faults) {
                peak[i].push(kib as f64 / 1024.0);
                faults[i].push(n as f64);
            }
        }
    }
    for (i, keys) in ROW_KEYS.iter().enumerate() {
        let what = format!("{rows} maps of {keys} keys in one array");
        s.row(
            &format!("{what}: building them"),
            &secs[i],
            "timed in the playbook",
        );
        if !peak[i].is_empty() {
            s.row(
                &format!("{what}: peak RSS"),
                &peak[i],
                "whole process, `--no-case`",
            );
            s.row(
                &format!("{what}: page faults"),
                &faults[i],
                "minor faults, whole process",
            );
        }
    }
    if !peak[0].is_empty() {
        s.notes.push(format!(
            "Rows by their number of keys (`row_maps.rhai`, as many maps as the large answer has \
             process rows): {rows} maps of 12 keys, as every `ps` row had with `parse_error: ()`, \
             peaked at {:.0} MiB with {:.0} page faults; of 11 keys, a row read cleanly now (ten \
             fields and `raw`), {:.0} MiB with {:.0}. A Rhai map is a B-tree whose nodes hold up to \
             11 keys: 11 keys are one node, 12 are three. The twelfth key would be {:.1} KiB and \
             {:.1} fresh pages per host of the {hosts}-host answer; only rows not understood carry \
             `parse_error` (playbooks/README.md).",
            peak[0].median(),
            faults[0].median(),
            peak[1].median(),
            faults[1].median(),
            (peak[0].median() - peak[1].median()) * 1024.0 / hosts as f64,
            (faults[0].median() - faults[1].median()) / hosts as f64,
        ));
    }
    Ok(())
}

/// Lookups into a large batch answer and rows collected from it with `push`, by `large_values.rhai`.
const LOOKUPS: usize = 100;
const ROWS_OF_HOSTS: usize = 200;

/// What a playbook pays to use a `hosts`-host batch answer, with Rhai's data limits off (the
/// default) and on (the default until this round): with them on, Rhai walks the whole answer
/// after every `r.results.contains(id)`, and the whole array after every `push`. Also the time of a
/// copy of the whole answer (`let copy = r`), returned: a floor under building its Rhai values.
fn large_values(
    b: &Bench,
    s: &mut Section,
    scenario: &falconry_sim::Scenario,
    hosts: usize,
) -> Result<AnswerCopy, String> {
    let mut scenario = scenario.clone();
    if let Some(fleet) = scenario.fleet.as_mut() {
        fleet.count = hosts;
    }
    let path = b.o.playbook("large_values.rhai");
    let path = path.to_string_lossy();
    let lookup_count = LOOKUPS.min(hosts);
    let lookups = format!("lookups={lookup_count}");
    let rows_of = format!("hosts={}", ROWS_OF_HOSTS.min(hosts));
    let modes: [(&str, &[&str]); 2] = [
        ("default (Rhai's data limits off)", &[]),
        ("with Rhai's data limits on", &RHAI_DATA_LIMITS),
    ];
    let mut contains = [Samples::new("ms", 3), Samples::new("ms", 3)];
    let mut push = [Samples::new("ms", 1), Samples::new("ms", 1)];
    let mut copy = Samples::new("ms", 0);
    let mut rows = 0;
    let mut answer_rows = 0;
    for run in 0..b.o.scale.runs {
        for (mode, (label, limits)) in modes.iter().enumerate() {
            b.progress(&format!(
                "fan-out: large values, {label}, run {}/{}",
                run + 1,
                b.o.scale.runs
            ));
            let sim = Emulator::start(scenario.clone())?;
            // Options go before the playbook: what follows it is the playbook's own arguments.
            let mut args = vec!["run", "--json"];
            args.extend_from_slice(limits);
            args.extend([path.as_ref(), "--arg", &lookups, "--arg", &rows_of]);
            let cmd = b.falconry(&args, Some(&sim));
            if run == 0 {
                s.commands.push(crate::client::show(&cmd));
            }
            let out = b.run(&cmd, false)?.json()?;
            let secs = |k: &str| {
                out[k]
                    .as_f64()
                    .ok_or_else(|| format!("no `{k}` in the playbook's answer"))
            };
            contains[mode].push(secs("contains_secs")? * 1000.0 / lookup_count as f64);
            push[mode].push(secs("push_secs")? * 1000.0);
            rows = out["rows"].as_u64().unwrap_or(0);
            // With the data limits on, Rhai also walks the copy to measure it: the default only.
            if limits.is_empty() {
                copy.push(secs("copy_secs")? * 1000.0);
                answer_rows = out["answer_rows"].as_u64().unwrap_or(0);
            }
        }
    }
    for (mode, (label, _)) in modes.iter().enumerate() {
        s.row(
            &format!("{hosts}-host answer, {label}: one `r.results.contains(id)`"),
            &contains[mode],
            format!("the mean of {lookup_count} calls in a run"),
        );
        s.row(
            &format!("{hosts}-host answer, {label}: `push` of {rows} process rows"),
            &push[mode],
            format!(
                "the rows of {} hosts, into one array",
                ROWS_OF_HOSTS.min(hosts)
            ),
        );
    }
    s.notes.push(format!(
        "Large values (`large_values.rhai`): with Rhai's data limits on, one lookup into the \
         {hosts}-host answer took {:.3} ms against {:.3} ms, and collecting {rows} rows {:.1} ms \
         against {:.1} ms. falconry no longer sets them by default: `--max-memory` guards a runaway \
         playbook instead (crates/client/src/engine/memory.rs).",
        contains[1].median(),
        contains[0].median(),
        push[1].median(),
        push[0].median(),
    ));
    s.row(
        &format!("{hosts}-host answer: `let copy = r` of the whole answer"),
        &copy,
        format!(
            "{answer_rows} process rows: every map and array allocated and filled again on one \
             core, strings shared; {:.0} us per host",
            copy.median() / hosts as f64 * 1e3
        ),
    );
    Ok(AnswerCopy {
        hosts,
        rows: answer_rows,
        secs: copy.median() / 1000.0,
    })
}
