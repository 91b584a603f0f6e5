//! Links the `falconry` binary with the functions a playbook's calls run side by side (issue 28):
//! `src/call-graph.txt` lists which function calls which and how often (`bench/call-graph.sh`
//! writes it from callgrind profiles of the benchmark's playbooks), and lld places functions that
//! call each other often next to each other. A `get_policies` call took 7.6% less time on one core
//! linked so, 5% less on a core of its own (see crates/bench/src/call_graph.rs). The order changes
//! where code lies, never what it does; names the file has and the binary does not are skipped by
//! the linker.
//!
//! Only where the linker is certainly lld: x86_64 Linux with rustc 1.90 or later (which links
//! with its own lld there), no linker chosen by the user (`RUSTC_LINKER`, `-C linker`,
//! `-C link-arg=-fuse-ld=...`, `-C link-self-contained`, `-C linker-features`), a release build.
//! `FALCONRY_LINK_ORDER=off` turns it off.

use std::env;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=src/call-graph.txt");
    println!("cargo:rerun-if-changed=build.rs");
    // What decides whether the linker is lld: a change to any of them decides again.
    for var in [
        "FALCONRY_LINK_ORDER",
        "RUSTC_LINKER",
        "RUSTFLAGS",
        "CARGO_ENCODED_RUSTFLAGS",
    ] {
        println!("cargo:rerun-if-env-changed={var}");
    }
    if !lld_links() {
        return;
    }
    let file = std::path::Path::new(&env::var("CARGO_MANIFEST_DIR").unwrap_or_default())
        .join("src/call-graph.txt");
    if file.is_file() {
        println!(
            "cargo:rustc-link-arg-bins=-Wl,--call-graph-ordering-file={}",
            file.display()
        );
    }
}

fn lld_links() -> bool {
    let var = |k: &str| env::var(k).unwrap_or_default();
    if var("FALCONRY_LINK_ORDER") == "off"
        || var("TARGET") != "x86_64-unknown-linux-gnu"
        || var("PROFILE") != "release"
        || env::var_os("RUSTC_LINKER").is_some()
    {
        return false;
    }
    let flags = var("CARGO_ENCODED_RUSTFLAGS");
    if ["linker", "fuse-ld", "link-self-contained"]
        .iter()
        .any(|f| flags.contains(f))
    {
        return false;
    }
    // "rustc 1.95.0 (59807616e 2026-04-14)": lld became the default linker here in 1.90.
    let version = Command::new(env::var_os("RUSTC").unwrap_or_else(|| "rustc".into()))
        .arg("--version")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .unwrap_or_default();
    let mut parts = version
        .split_whitespace()
        .nth(1)
        .unwrap_or_default()
        .split('.')
        .map(|p| p.parse::<u32>().unwrap_or(0));
    matches!((parts.next(), parts.next()), (Some(1), Some(minor)) if minor >= 90)
}
