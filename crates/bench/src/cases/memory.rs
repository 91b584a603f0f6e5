//! Case 5: peak resident memory of `falconry run` while downloading a big put-file and a big
//! extracted file to disk, and while running `rtr::each` over a 10,000-host fleet.

use super::Bench;
use crate::client;
use crate::emulator::Emulator;
use crate::report::Section;
use crate::stats::Samples;
use base64::Engine as _;
use falconry_sim::host::spec::FileSpec;
use falconry_sim::scenario::PutFileSpec;
use sha2::Digest as _;
use std::path::Path;

/// 64 MB (decimal, as the issue writes it) in MiB, the unit RSS is reported in.
const TARGET_MIB: f64 = 64e6 / 1_048_576.0;
const HOST_FILE: &str = r"C:\bench\big.bin";

/// (label, playbook, arguments, least bytes written, runs, the sha256 the answer must carry).
type Download<'a> = (
    &'a str,
    &'a str,
    Vec<&'a str>,
    usize,
    usize,
    Option<&'a str>,
);

pub fn run(b: &Bench) -> Result<Section, String> {
    let size = b.o.scale.big_file_bytes;
    let extracted = b.o.scale.extracted_bytes;
    let mib = |n: usize| n as f64 / (1024.0 * 1024.0);
    let mut s = Section::new(
        "5. Memory",
        &format!(
            "Peak resident set size of the `falconry run` process (the emulator is elsewhere), from \
             `/usr/bin/time -v`. Files are random bytes, so the extracted file's 7z archive is as big \
             as the file; the harness checks each download's size on disk. The put-file is {:.1} MiB. \
             The extracted file ({:.1} MiB) comes back through `s.get`: download of the 7z archive \
             (AES-256, password `infected`, stored without compression by the emulator), unpacking \
             to disk, and the helper's sha256 check against Falcon's; the harness also compares that \
             sha256 with the bytes it put on the host.",
            mib(size),
            mib(extracted)
        ),
    );
    if !client::can_measure_memory() {
        let why = "`/usr/bin/time` is not installed here";
        s.not_run("put-file download under 64 MB", why);
        s.not_run("extracted-file download under 64 MB", why);
        return Ok(s);
    }
    b.progress(&format!(
        "memory: generating {:.1} MiB of random bytes",
        mib(size)
    ));
    let bytes = random_bytes(size);
    let host_bytes = &bytes[..extracted.min(size)];
    let packing = packing_speed(host_bytes);
    let mut scenario = b.scenario("memory.toml")?;
    scenario.put_files.push(PutFileSpec {
        name: "big.bin".into(),
        description: "benchmark download".into(),
        content: String::new(),
        content_base64: Some(base64::engine::general_purpose::STANDARD.encode(&bytes)),
    });
    let host = scenario
        .hosts
        .first_mut()
        .ok_or("memory.toml must list the host `bench-01`")?;
    host.files.push(FileSpec {
        path: HOST_FILE.into(),
        content: String::new(),
        content_base64: Some(base64::engine::general_purpose::STANDARD.encode(host_bytes)),
        directory: false,
    });
    let path_arg = format!("path={HOST_FILE}");
    let expected_sha = hex::encode(sha2::Sha256::digest(host_bytes));
    let downloads: [Download; 2] = [
        (
            "put-file download",
            "download_put_file.rhai",
            vec![],
            size,
            b.o.scale.runs,
            None,
        ),
        (
            "extracted file through `s.get` (7z, unpacked, sha256 checked)",
            "get_file.rhai",
            vec!["--arg", &path_arg],
            extracted,
            b.o.scale.runs,
            Some(&expected_sha),
        ),
    ];
    let sim = Emulator::start(scenario)?;
    drop(bytes);
    for (label, playbook, args, at_least, runs, sha) in downloads {
        let mut rss = Samples::new("MiB", 1);
        let mut wall = Samples::new("s", 2);
        let mut written = 0;
        for run in 0..runs {
            b.progress(&format!("memory: {label}, run {}/{runs}", run + 1));
            let _ = std::fs::remove_dir_all(b.out_dir());
            let cmd = b.playbook(playbook, &args, &sim);
            if run == 0 {
                s.commands
                    .push(client::show_wrapped(&cmd, "/usr/bin/time -v"));
            }
            let done = b.run(&cmd, true)?;
            wall.push(done.wall.as_secs_f64());
            rss.push(
                done.peak_rss_kib
                    .ok_or("`/usr/bin/time` gave no peak memory")? as f64
                    / 1024.0,
            );
            written = match sha {
                None => largest_file(&b.out_dir()),
                Some(expected) => {
                    let answer = done.json()?;
                    if answer["sha256"] != expected {
                        return Err(format!(
                            "{label}: sha256 {} instead of {expected}",
                            answer["sha256"]
                        ));
                    }
                    answer["size"].as_u64().unwrap_or(0) as usize
                }
            };
            if written < at_least {
                return Err(format!(
                    "{label}: the largest file written is {written} bytes, expected at least {at_least}"
                ));
            }
        }
        let _ = std::fs::remove_dir_all(b.out_dir());
        s.row(
            &format!("{label}: peak RSS"),
            &rss,
            format!("{:.1} MiB written", written as f64 / (1024.0 * 1024.0)),
        );
        s.row(&format!("{label}: wall time"), &wall, "whole process");
        s.target(
            &format!("{label} of {:.0} MiB under 64 MB", mib(at_least)),
            rss.max() < TARGET_MIB,
            format!("at most {:.1} MiB", rss.max()),
        );
    }
    drop(sim);
    let mut speed = Samples::new("MiB/s", 2);
    speed.push(packing);
    s.row(
        "emulator's 7z packing of incompressible data (in the harness)",
        &speed,
        format!(
            "{:.1} MiB took {:.1} s; 200 MiB at this speed: about {:.0} s",
            mib(extracted),
            mib(extracted) / packing,
            200.0 / packing
        ),
    );
    wide_fanout(b, &mut s)?;
    Ok(s)
}

/// Peak memory of `rtr::each` over the big fleet (no target in the issue: reported as measured).
fn wide_fanout(b: &Bench, s: &mut Section) -> Result<(), String> {
    let hosts = b.o.scale.each_hosts;
    if !b.rtr {
        s.notes.push(format!(
            "Peak memory of a {hosts}-host `rtr::each`: not run, `rtr::each` is not in this build."
        ));
        return Ok(());
    }
    let mut scenario = b.scenario("each10k.toml")?;
    if let Some(fleet) = scenario.fleet.as_mut() {
        fleet.count = hosts;
    }
    let mut rss = Samples::new("MiB", 1);
    let mut wall = Samples::new("s", 1);
    let mut answered = 0;
    for run in 0..b.o.scale.runs.min(2) {
        b.progress(&format!("memory: {hosts}-host rtr::each, run {}", run + 1));
        let sim = Emulator::start(scenario.clone())?;
        let cmd = b.playbook("each_pwd.rhai", &[], &sim);
        if run == 0 {
            s.commands
                .push(client::show_wrapped(&cmd, "/usr/bin/time -v"));
        }
        let done = b.run(&cmd, true)?;
        answered = done.json()?["answered"].as_u64().unwrap_or(0);
        wall.push(done.wall.as_secs_f64());
        rss.push(
            done.peak_rss_kib
                .ok_or("`/usr/bin/time` gave no peak memory")? as f64
                / 1024.0,
        );
    }
    s.row(
        &format!("{hosts}-host `rtr::each` (`pwd`, concurrency 64): peak RSS"),
        &rss,
        format!("{answered} hosts answered; no target in the issue"),
    );
    s.row(
        &format!("{hosts}-host `rtr::each`: wall time"),
        &wall,
        "20 ms command latency",
    );
    Ok(())
}

/// MiB per second of the emulator's packing (`falconry_sim::host::archive::pack_7z`).
fn packing_speed(bytes: &[u8]) -> f64 {
    let started = std::time::Instant::now();
    let packed = falconry_sim::host::archive::pack_7z("big.bin", bytes);
    let secs = started.elapsed().as_secs_f64();
    drop(packed);
    bytes.len() as f64 / (1024.0 * 1024.0) / secs
}

/// Incompressible bytes (xorshift64*), so the 7z archive is as large as the file.
fn random_bytes(n: usize) -> Vec<u8> {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut out = Vec::with_capacity(n + 8);
    while out.len() < n {
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        out.extend_from_slice(&x.wrapping_mul(0x2545_F491_4F6C_DD1D).to_le_bytes());
    }
    out.truncate(n);
    out
}

fn largest_file(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.metadata().ok())
        .map(|m| m.len() as usize)
        .max()
        .unwrap_or(0)
}
