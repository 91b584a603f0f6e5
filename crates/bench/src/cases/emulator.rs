//! The emulator itself (issue 3): simple GET requests per second served by `falconry sim` under
//! a load generator, and the time to load a 10,000-host fleet.

use super::Bench;
use crate::client;
use crate::http;
use crate::report::Section;
use crate::stats::Samples;
use falconry_sim::{self as sim, SimConfig, State};
use std::net::{SocketAddr, TcpListener};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const TARGET_RPS: f64 = 10_000.0;
const TARGET_LOAD_SECS: f64 = 1.0;
const CONNECTIONS: usize = 32;

pub fn run(b: &Bench) -> Result<Section, String> {
    let mut s = Section::new(
        "Emulator",
        &format!(
            "Requests per second: `falconry sim` (its own process, two worker threads, no rate limit) \
             answering `GET /policy/entities/response/v1?ids=…` (get_policies of one policy, with a \
             bearer token) on {CONNECTIONS} keep-alive connections, for {} s per run. The load \
             generator shares the 2 cores with the server. Fleet load: `State::new` on the \
             10,000-host template in the harness, and `falconry sim --scenario` from spawn to its \
             first token answer.",
            b.o.scale.load_secs
        ),
    );
    throughput(b, &mut s)?;
    fleet_load(b, &mut s)?;
    Ok(s)
}

fn throughput(b: &Bench, s: &mut Section) -> Result<(), String> {
    let scenario = b.o.scenario_path("loadgen.toml");
    let (mut server, url) = spawn_sim(b, &scenario.to_string_lossy())?;
    let outcome = (|| {
        let (token, policy) =
            http::token_and_policy(&url, sim::DEFAULT_CLIENT_ID, sim::DEFAULT_CLIENT_SECRET)?;
        s.commands.push(format!(
            "{} sim --listen 127.0.0.1:PORT --scenario {}",
            client::show(&Command::new(&b.o.falconry)),
            client::show(&Command::new(&scenario))
        ));
        let secs = b.o.scale.load_secs.to_string();
        let conns = CONNECTIONS.to_string();
        let me = std::env::current_exe().map_err(|e| format!("cannot find the harness: {e}"))?;
        let mut ours = Samples::new("req/s", 0);
        let mut wrk = Samples::new("req/s", 0);
        let mut errors = 0;
        for run in 0..b.o.scale.runs {
            b.progress(&format!(
                "emulator: load generator, run {}/{}",
                run + 1,
                b.o.scale.runs
            ));
            let mut cmd = client::command(&me, &["loadgen", &url, &secs, &conns], None, b.work());
            cmd.env("BENCH_TOKEN", &token).env("BENCH_POLICY", &policy);
            if run == 0 {
                s.commands.push(format!(
                    "BENCH_TOKEN=$TOKEN BENCH_POLICY=$ID {}",
                    client::show(&cmd)
                ));
            }
            let out = b.run(&cmd, false)?.json()?;
            let n = out["requests"].as_f64().unwrap_or(0.0);
            errors += out["errors"].as_u64().unwrap_or(0);
            ours.push(n / out["secs"].as_f64().unwrap_or(f64::NAN));
            if let Some(w) = &b.o.wrk {
                b.progress(&format!(
                    "emulator: wrk, run {}/{}",
                    run + 1,
                    b.o.scale.runs
                ));
                let target = format!("{url}/policy/entities/response/v1?ids={policy}");
                let mut cmd = Command::new(w);
                cmd.args(["-t2", &format!("-c{CONNECTIONS}"), &format!("-d{secs}s")])
                    .arg("-H")
                    .arg(format!("Authorization: Bearer {token}"))
                    .arg(&target);
                if run == 0 {
                    s.commands.push(format!(
                        "wrk -t2 -c{CONNECTIONS} -d{secs}s -H \"Authorization: Bearer $TOKEN\" \
                         '$SIM/policy/entities/response/v1?ids=$ID'"
                    ));
                }
                let out = b.run(&cmd, false)?.stdout;
                let rps = out
                    .lines()
                    .find_map(|l| l.trim().strip_prefix("Requests/sec:"))
                    .and_then(|v| v.trim().parse::<f64>().ok())
                    .ok_or("wrk printed no `Requests/sec`")?;
                if let Some(bad) = out
                    .lines()
                    .find_map(|l| l.trim().strip_prefix("Non-2xx or 3xx responses:"))
                {
                    errors += bad.trim().parse::<u64>().unwrap_or(0);
                }
                wrk.push(rps);
            }
        }
        let note = format!("{errors} failed or non-2xx answers over all runs");
        s.row(
            "built-in load generator (reqwest, 1 thread)",
            &ours,
            note.clone(),
        );
        let best = if wrk.is_empty() {
            s.notes
                .push("wrk is not installed: only the built-in load generator ran.".into());
            ours
        } else {
            s.row("wrk (2 threads)", &wrk, note);
            if wrk.median() >= ours.median() {
                wrk
            } else {
                ours
            }
        };
        s.target(
            "at least 10,000 simple GET requests per second",
            best.median() >= TARGET_RPS && errors == 0,
            format!("best generator's median {}", best.median_text()),
        );
        Ok(())
    })();
    let _ = server.kill();
    let _ = server.wait();
    outcome
}

fn fleet_load(b: &Bench, s: &mut Section) -> Result<(), String> {
    let path = b.o.scenario_path("fleet10k.toml");
    let mut scenario = falconry_sim::Scenario::load(&path)?;
    if let Some(fleet) = scenario.fleet.as_mut() {
        fleet.count = b.o.scale.fleet_hosts;
    }
    let hosts = b.o.scale.fleet_hosts;
    let mut in_process = Samples::new("ms", 0);
    let cfg = SimConfig::default();
    for _ in 0..b.o.scale.runs.max(3) {
        let started = Instant::now();
        let state = State::new(
            scenario.clone(),
            1,
            cfg.client_id.clone(),
            cfg.client_secret.clone(),
        )?;
        in_process.push(started.elapsed().as_secs_f64() * 1000.0);
        drop(state);
    }
    s.row(
        &format!("{hosts}-host fleet: `State::new`"),
        &in_process,
        "in the harness",
    );
    // The same scenario file as the command line gets it (only the smoke run shrinks the fleet).
    let mut served = Samples::new("ms", 0);
    if !b.o.smoke {
        for run in 0..b.o.scale.runs {
            b.progress(&format!(
                "emulator: fleet start-up, run {}/{}",
                run + 1,
                b.o.scale.runs
            ));
            let started = Instant::now();
            let (mut server, url) = spawn_sim(b, &path.to_string_lossy())?;
            let ready =
                http::token_and_policy(&url, sim::DEFAULT_CLIENT_ID, sim::DEFAULT_CLIENT_SECRET);
            served.push(started.elapsed().as_secs_f64() * 1000.0);
            let _ = server.kill();
            let _ = server.wait();
            ready?;
        }
        s.commands.push(format!(
            "{} sim --listen 127.0.0.1:PORT --scenario {}   # timed until its first token answer",
            client::show(&Command::new(&b.o.falconry)),
            client::show(&Command::new(&path))
        ));
        s.row(
            "10000-host fleet: `falconry sim` spawn to first answer",
            &served,
            "process start, scenario parse, fleet, listen",
        );
    }
    s.target(
        &format!("{hosts}-host fleet loads in under 1 s"),
        in_process.max() / 1000.0 < TARGET_LOAD_SECS,
        format!("slowest `State::new` {:.0} ms", in_process.max()),
    );
    Ok(())
}

/// Starts `falconry sim` on a free port and waits until it accepts connections.
fn spawn_sim(b: &Bench, scenario: &str) -> Result<(Child, String), String> {
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(|e| format!("cannot find a free port: {e}"))?
        .port();
    let listen = format!("127.0.0.1:{port}");
    let mut child = b
        .falconry(&["sim", "--listen", &listen, "--scenario", scenario], None)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start `falconry sim`: {e}"))?;
    let addr: SocketAddr = listen.parse().map_err(|e| format!("bad address: {e}"))?;
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if std::net::TcpStream::connect(addr).is_ok() {
            return Ok((child, format!("http://{listen}")));
        }
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!("`falconry sim` exited early ({status})"));
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let _ = child.kill();
    let _ = child.wait();
    Err("`falconry sim` did not listen within 30 s".into())
}
