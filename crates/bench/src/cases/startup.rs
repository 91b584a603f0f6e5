//! Case 1: start-up of `falconry run` (empty playbook, every operation registered) and `falconry
//! check` of the shipped playbooks, next to `python3 -c "import falconpy"`.

use super::Bench;
use crate::client;
use crate::emulator::Emulator;
use crate::report::Section;
use crate::stats::Samples;
use std::process::Command;

const TARGET_MS: f64 = 20.0;

pub fn run(b: &Bench) -> Result<Section, String> {
    let mut s = Section::new(
        "1. Start-up",
        "Wall time from spawn to exit of each command, after two warm-up runs. `falconry run` with \
         credentials talks to the emulator like a tenant (an empty playbook sends nothing); without \
         them it also starts its embedded emulator.",
    );
    let sim = Emulator::start(b.scenario("overhead.toml")?)?;
    let empty = b.o.playbook("empty.rhai");
    let empty = empty.to_string_lossy();
    let playbooks = shipped_playbooks(b);
    let mut check_args = vec!["check".to_string()];
    check_args.extend(playbooks.iter().cloned());
    let check_args: Vec<&str> = check_args.iter().map(String::as_str).collect();

    let mut cases: Vec<(&str, Command, String)> = vec![
        (
            "`falconry run` empty playbook (tenant credentials)",
            b.falconry(&["run", &empty], Some(&sim)),
            String::new(),
        ),
        (
            "`falconry run` empty playbook (embedded emulator)",
            b.falconry(&["run", &empty], None),
            "includes starting the emulator".into(),
        ),
        (
            "`falconry check` of the shipped playbooks",
            b.falconry(&check_args, None),
            format!("{} playbooks", playbooks.len()),
        ),
    ];
    if let Some(py) = &b.o.python {
        let mut cmd = client::command(py, &["-c", "import falconpy"], None, b.work());
        cmd.env_remove("PYTHONDONTWRITEBYTECODE");
        cases.push(("`python3 -c \"import falconpy\"`", cmd, String::new()));
    }
    let mut measured = Vec::new();
    for (what, cmd, remark) in &cases {
        b.progress(&format!("start-up: {what}"));
        s.commands.push(client::show(cmd));
        let mut samples = Samples::new("ms", 1);
        for i in 0..b.o.scale.startup_runs + 2 {
            let done = b.run(cmd, false)?;
            if i >= 2 {
                samples.push(done.wall.as_secs_f64() * 1000.0);
            }
        }
        s.row(what, &samples, remark.clone());
        measured.push(samples);
        if let Some(h) = &b.o.hyperfine {
            let (median, line) = hyperfine(b, h, cmd)?;
            s.commands.push(line);
            s.row(
                &format!("{what}, by hyperfine"),
                &median,
                "cross-check; hyperfine's own median",
            );
        }
    }
    if measured.len() == 4 {
        s.ratio(
            "`import falconpy` / `falconry run` empty (tenant)",
            &measured[3],
            &measured[0],
        );
    }
    let run = &measured[0];
    s.target(
        "`falconry run` of an empty playbook under 20 ms median",
        run.median() < TARGET_MS,
        format!("median {}", run.median_text()),
    );
    if b.o.python.is_none() {
        s.notes
            .push("FalconPy was not available: `import falconpy` not measured.".into());
    }
    Ok(s)
}

/// The same command timed by hyperfine (no shell, same warm-up and run count): its median, and
/// the command line for the report.
fn hyperfine(
    b: &Bench,
    hyperfine: &std::path::Path,
    cmd: &Command,
) -> Result<(Samples, String), String> {
    let inner = std::iter::once(cmd.get_program())
        .chain(cmd.get_args())
        .map(|a| {
            // hyperfine -N splits the command like a shell would.
            let a = a.to_string_lossy();
            if a.contains(' ') {
                format!("'{a}'")
            } else {
                a.into_owned()
            }
        })
        .collect::<Vec<_>>()
        .join(" ");
    let export = b.work().join("hyperfine.json");
    let runs = b.o.scale.startup_runs.to_string();
    let export_arg = export.to_string_lossy();
    let mut h = client::command(
        hyperfine,
        &[
            "-N",
            "--warmup",
            "2",
            "--runs",
            &runs,
            "--export-json",
            &export_arg,
            &inner,
        ],
        None,
        b.work(),
    );
    // The measured command's environment (credentials or none) is hyperfine's.
    for (k, v) in cmd.get_envs() {
        match v {
            Some(v) => h.env(k, v),
            None => h.env_remove(k),
        };
    }
    b.run(&h, false)?;
    let text =
        std::fs::read_to_string(&export).map_err(|e| format!("hyperfine wrote no results: {e}"))?;
    let json: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("bad hyperfine results: {e}"))?;
    let mut samples = Samples::new("ms", 1);
    for t in json["results"][0]["times"].as_array().into_iter().flatten() {
        samples.push(t.as_f64().unwrap_or(f64::NAN) * 1000.0);
    }
    let line = client::show_wrapped(cmd, &format!("hyperfine -N --warmup 2 --runs {runs}"));
    Ok((samples, line))
}

/// `playbooks/*.rhai`, or the test playbooks when the examples have not landed yet.
fn shipped_playbooks(b: &Bench) -> Vec<String> {
    for dir in ["playbooks", "tests/playbooks"] {
        let mut found: Vec<String> = std::fs::read_dir(b.o.root.join(dir))
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "rhai"))
            .map(|p| p.to_string_lossy().into_owned())
            .collect();
        if !found.is_empty() {
            found.sort();
            return found;
        }
    }
    Vec::new()
}
