//! Case 7: the first run on a fresh machine. `bench/fresh.sh` does the measuring (a clean clone, an
//! empty crate cache, the README's first command, the binary it built, `.ci/run` on another clean
//! clone) before any other case runs, and writes its figures to a file this case reads and judges.

use super::Bench;
use crate::report::Section;
use crate::stats::Samples;
use std::collections::BTreeMap;

const TITLE: &str = "7. Fresh clone";
const FIRST_RUN_SECS: f64 = 150.0;
const BINARY_MB: f64 = 30.0;
const CI_SECS: f64 = 480.0;

pub fn run(b: &Bench) -> Result<Section, String> {
    let mut s = Section::new(
        TITLE,
        "Measured once each by `bench/fresh.sh` before the other cases, so nothing competed for the \
         cores: `git clone` of the committed HEAD into a scratch folder with an empty `CARGO_HOME` \
         (every crate downloaded and compiled; the Rust toolchain is taken as installed), then the \
         README's first command, timed; the size of the release binary it built; then another clean \
         clone with another empty `CARGO_HOME`, and `.ci/run` in it, timed.",
    );
    s.commands
        .push("bench/fresh.sh target/bench-fresh.tsv".into());
    let Some(path) = &b.o.fresh else {
        let why = "`bench/run.sh --no-fresh` (or `--smoke`) skips the clean-clone measurements";
        for goal in goals() {
            s.not_run(goal, why);
        }
        return Ok(s);
    };
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
    let f: BTreeMap<&str, &str> = text.lines().filter_map(|l| l.split_once('\t')).collect();
    let number = |key: &str| f.get(key).and_then(|v| v.trim().parse::<f64>().ok());
    if let Some(c) = f.get("first_command") {
        s.commands
            .push(format!("cd CLEAN_CLONE && CARGO_HOME=EMPTY {c}"));
    }
    s.commands
        .push("cd ANOTHER_CLEAN_CLONE && CARGO_HOME=EMPTY .ci/run".into());
    let [first, binary, ci] = goals();

    match number("first_run_secs") {
        Some(secs) if !f.contains_key("first_run_failed") => {
            let cpu = match number("first_run_cpu_secs") {
                Some(cpu) => format!("; {cpu:.0} s of CPU (user + system)"),
                None => "; CPU time not measured (no GNU time)".into(),
            };
            s.row(
                "README's first command",
                &one("s", 0, secs),
                format!("download, build, run{cpu}"),
            );
            s.target(first, secs < FIRST_RUN_SECS, format!("{secs:.0} s"));
        }
        _ => s.target(first, false, failed(&f, "first_run_failed")),
    }
    match number("binary_bytes") {
        Some(bytes) => {
            let mb = bytes / 1e6;
            let debug = number("debug_bytes").unwrap_or(0.0) / 1e6;
            let symbols = number("symtab_bytes").unwrap_or(0.0) / 1e6;
            let code = number("code_bytes").unwrap_or(0.0) / 1e6;
            s.row(
                "release binary",
                &one("MB", 1, mb),
                format!(
                    "of which debug information {debug:.1} MB, symbol names {symbols:.1} MB, \
                     machine code {code:.1} MB"
                ),
            );
            s.target(binary, mb < BINARY_MB, format!("{mb:.1} MB"));
        }
        None => s.target(binary, false, "no binary was built".into()),
    }
    match number("ci_secs") {
        Some(secs) if f.get("ci_ok") == Some(&"1") => {
            let tests = f.get("ci_tests").copied().unwrap_or("?");
            s.row(
                "`.ci/run`",
                &one("s", 0, secs),
                format!("fmt, clippy, {tests} tests passed"),
            );
            s.target(ci, secs < CI_SECS, format!("{secs:.0} s"));
        }
        _ => s.target(ci, false, failed(&f, "ci_failed")),
    }
    s.notes.push(format!(
        "Measured at commit `{}`{}. Backtraces stay useful without debug information (the release \
         profile has `strip = \"debuginfo\"`): every function keeps its symbol name, and a panic \
         message names its file:line:col, which is compiled into the code.{}",
        f.get("commit").copied().unwrap_or("?"),
        if f.get("dirty").is_some_and(|d| *d != "0") {
            " (with uncommitted changes, which the clones do not have)"
        } else {
            ""
        },
        if f.contains_key("chromium_preinstalled") {
            " Chromium was already installed, so `.ci/run` did not spend the time `apt-get install \
             chromium` takes on a machine without it."
        } else {
            ""
        }
    ));
    Ok(s)
}

fn goals() -> [&'static str; 3] {
    [
        "README's first command from a clean clone under 2 min 30 s",
        "release binary under 30 MB, backtraces kept",
        "`.ci/run` on a clean clone under 8 min",
    ]
}

fn one(unit: &'static str, decimals: usize, v: f64) -> Samples {
    let mut s = Samples::new(unit, decimals);
    s.push(v);
    s
}

fn failed(f: &BTreeMap<&str, &str>, key: &str) -> String {
    format!(
        "it failed: {}",
        f.get(key).copied().unwrap_or("no figure was recorded")
    )
}
