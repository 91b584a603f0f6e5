//! What the figures were measured on: cores, CPU, memory, kernel, load, tool versions.

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

pub struct Machine {
    pub cores: usize,
    pub cpu: String,
    pub memory: String,
    pub kernel: String,
}

impl Machine {
    pub fn read() -> Machine {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let cpu = cpuinfo
            .lines()
            .find(|l| l.starts_with("model name"))
            .and_then(|l| l.split_once(':'))
            .map_or("unknown".into(), |(_, v)| v.trim().to_string());
        let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
        let memory = meminfo
            .lines()
            .find(|l| l.starts_with("MemTotal:"))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<f64>().ok())
            .map_or("unknown".into(), |kb| {
                format!("{:.1} GiB", kb / 1024.0 / 1024.0)
            });
        Machine {
            cores: std::thread::available_parallelism().map_or(0, |n| n.get()),
            cpu,
            memory,
            kernel: std::fs::read_to_string("/proc/sys/kernel/osrelease")
                .map_or("unknown".into(), |s| s.trim().to_string()),
        }
    }
}

/// The 1, 5 and 15-minute load averages, as `/proc/loadavg` gives them.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|| "unknown".into())
}

/// The first line a tool prints for `args` (its version), or `None` when it cannot run.
pub fn version(program: &std::path::Path, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).output().ok()?;
    let text = if out.stdout.is_empty() {
        out.stderr
    } else {
        out.stdout
    };
    String::from_utf8_lossy(&text)
        .lines()
        .next()
        .map(|l| l.trim().to_string())
}

/// The memory each [`fresh_page_us`] sample writes to, MiB.
pub const FRESH_MIB: usize = 256;
const PAGE: usize = 4096;

/// `bench fresh-pages MIB`: writes one byte to every 4 KiB page of MIB fresh MiB and prints
/// `{"pages": N, "secs": S}`, the allocation included. A process of its own, so every page is new
/// to it: the allocator has nothing freed to hand back, and each page costs the kernel a fault, a
/// zeroed page and (in a virtual machine) whatever the host adds.
pub fn fresh_pages_main(args: &[String]) -> Result<(), String> {
    let [mib] = args else {
        return Err("usage: bench fresh-pages MIB".into());
    };
    let size = mib.parse::<usize>().map_err(|_| "MIB must be a number")? << 20;
    let started = Instant::now();
    let mut memory = vec![0u8; size];
    for byte in memory.iter_mut().step_by(PAGE) {
        *byte = 1;
    }
    let secs = started.elapsed().as_secs_f64();
    std::hint::black_box(&memory);
    println!(
        "{}",
        serde_json::json!({ "pages": size / PAGE, "secs": secs })
    );
    Ok(())
}

/// What a fresh 4 KiB page of memory costs on this machine, in microseconds: the median of 5
/// `bench fresh-pages` processes. A large batch's client time is largely pages like these (its
/// answer's Rhai values are hundreds of MiB), so the figure says how much of it the machine sets.
pub fn fresh_page_us() -> Option<f64> {
    let me = std::env::current_exe().ok()?;
    let mut samples = Vec::new();
    for _ in 0..5 {
        let out = Command::new(&me)
            .args(["fresh-pages", &FRESH_MIB.to_string()])
            .output()
            .ok()?;
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).ok()?;
        samples.push(v["secs"].as_f64()? / v["pages"].as_f64()? * 1e6);
    }
    samples.sort_by(f64::total_cmp);
    Some(samples[samples.len() / 2])
}

/// Whether `bin` was linked in the order of `order` (`src/call-graph.txt`, see `build.rs`): how
/// many of the functions it names the binary has, and over how much of the binary the 50 named
/// first (the hottest calls) lie. Linked in that order they lie together (71 KiB when the file
/// was written); in the compiler's order, across megabytes (9,317 KiB). `None` without `nm` or the
/// file.
pub fn link_order(order: &Path, bin: &Path) -> Option<String> {
    let text = std::fs::read_to_string(order).ok()?;
    let named = crate::call_graph::functions(&text);
    let out = Command::new("nm")
        .arg("--defined-only")
        .arg(bin)
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let symbols: HashMap<&str, u64> = std::str::from_utf8(&out.stdout)
        .ok()?
        .lines()
        .filter_map(|l| {
            let mut f = l.split_whitespace();
            let addr = u64::from_str_radix(f.next()?, 16).ok()?;
            let _kind = f.next()?;
            Some((f.next()?, addr))
        })
        .collect();
    let found: Vec<u64> = named
        .iter()
        .filter_map(|n| symbols.get(n).copied())
        .collect();
    let hottest = &found[..found.len().min(50)];
    let span = match (hottest.iter().min(), hottest.iter().max()) {
        (Some(lo), Some(hi)) => hi - lo,
        _ => 0,
    };
    Some(format!(
        "{} of the {} functions `{}` names are in the binary; the first {} of them lie within {} KiB",
        found.len(),
        named.len(),
        order.file_name()?.to_string_lossy(),
        hottest.len(),
        span / 1024
    ))
}
