//! The benchmark harness behind `bench/run.sh`: runs the cases of issue 7 against the emulator and
//! writes `BENCHMARKS.md`. Clients are separate processes (the release `falconry`, FalconPy, a raw
//! reqwest loop); the emulator runs in this process so its request log can be read after each run.
//!
//! `bench run --root DIR --falconry BIN --out FILE [--python PY] [--wrk BIN] [--hyperfine BIN] [--smoke]`
//! `bench raw-loop URL CALLS`          (a client process of case 2)
//! `bench raw-batch URL`               (case 3's plain-HTTP batch of every host, on its own)
//! `bench loadgen URL SECS CONNECTIONS` (the built-in load generator; token in `BENCH_TOKEN`)
//! `bench fresh-pages MIB`              (what a fresh page of memory costs here; see `machine`)
//! `bench sim SCENARIO`                (the emulator as the cases run it, in this process, until
//!                                      killed; prints its URL: for A/B scripts outside the harness)
//! `bench call-graph OUT BINARY CALLGRIND...` (the link order of `src/call-graph.txt`, from
//!                                      callgrind profiles; run by `bench/call-graph.sh`)

mod call_graph;
mod cases;
mod client;
mod emulator;
mod http;
mod machine;
mod options;
mod placement;
mod report;
mod stats;

use options::Options;

/// The allocator `falconry` uses, so the emulator in this process and the raw loop it is compared
/// with allocate as falconry does.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let outcome = match args.first().map(String::as_str) {
        Some("run") => Options::parse(&args[1..]).and_then(|o| cases::run_all(&o)),
        Some("raw-loop") => http::raw_loop_main(&args[1..]),
        Some("raw-batch") => http::raw_batch_main(&args[1..]),
        Some("loadgen") => http::loadgen_main(&args[1..]),
        Some("fresh-pages") => machine::fresh_pages_main(&args[1..]),
        Some("sim") => emulator::serve_main(&args[1..]),
        Some("call-graph") => call_graph::main(&args[1..]),
        _ => Err(
            "usage: bench run|raw-loop|raw-batch|loadgen|fresh-pages|sim|call-graph ... (see crates/bench/src/main.rs)"
                .into(),
        ),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}
