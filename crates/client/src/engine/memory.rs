//! The memory limit: the process's resident memory, sampled by one thread every 10 ms and read by
//! the evaluator at every step (`--max-memory`).
//!
//! Why not Rhai's own data limits (`--max-string-size`, `--max-array-size`, `--max-map-size`): once
//! any is set, Rhai measures a value by walking all of it, after every call that returns it and
//! after every method that takes it by reference (`r.results.len()`, `a.push(x)`). A 10,000-host
//! batch answer took 57 ms per `r.results.contains(id)`, and 8,000 `push`es of a 12-key map took
//! 0.9 s, growing with the square of the count. A sample costs one read of `/proc/self/statm`
//! per 10 ms, and a step one atomic load, whatever the values' size. A value that doubles at every
//! step (`s += s`) is caught within about one doubling: 10 ms is less than a doubling takes once
//! it is large enough to matter. The sampling thread costs about 45 µs a sample with its wake-up,
//! under 0.5% of one core (`perf record` of a `sleep(5)` playbook: 60% of its 37 ms of CPU).
//!
//! Place: the engine's bottom layer, beside `limits`; imports nothing of the crate.

use std::sync::Once;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Resident bytes at the last sample; 0 until the first (or where the platform cannot say).
static RESIDENT: AtomicU64 = AtomicU64::new(0);
static WATCHING: Once = Once::new();
const EVERY: Duration = Duration::from_millis(10);

/// Starts the sampling thread once per process (a runtime with a memory limit calls it).
pub fn watch() {
    WATCHING.call_once(|| {
        let sample = || {
            if let Some(s) = memory_stats::memory_stats() {
                RESIDENT.store(s.physical_mem as u64, Ordering::Relaxed);
            }
        };
        sample();
        // Without the thread the limit is not enforced; the run itself is not affected.
        let _ = std::thread::Builder::new()
            .name("falconry-memory".into())
            .spawn(move || {
                loop {
                    std::thread::sleep(EVERY);
                    sample();
                }
            });
    });
}

/// The process's resident memory at the last sample, or `None` before the first (or where the
/// platform cannot say).
pub fn resident() -> Option<u64> {
    match RESIDENT.load(Ordering::Relaxed) {
        0 => None,
        n => Some(n),
    }
}

/// The machine's physical memory, where the platform says (Linux: `/proc/meminfo`).
pub fn physical_memory() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemTotal:"))?;
    let kib: u64 = line
        .trim_start_matches("MemTotal:")
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kib * 1024)
}

/// `2GiB`, `512MiB`, `64M`, `1073741824`: a size in bytes; suffixes are powers of 1024.
pub fn parse_size(text: &str) -> Option<u64> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (digits, unit) = t.split_at(split);
    let n: u64 = digits.parse().ok()?;
    let shift = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 0,
        "k" | "kb" | "kib" => 10,
        "m" | "mb" | "mib" => 20,
        "g" | "gb" | "gib" => 30,
        "t" | "tb" | "tib" => 40,
        _ => return None,
    };
    n.checked_mul(1 << shift)
}

/// `1.5 GiB`, `256 MiB`, `900 KiB`, `12 bytes`: for messages.
pub fn show_size(bytes: u64) -> String {
    const UNITS: [(&str, u64); 3] = [("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)];
    for (name, unit) in UNITS {
        if bytes >= unit {
            let whole = bytes / unit;
            let tenths = (bytes % unit) * 10 / unit;
            return if tenths == 0 {
                format!("{whole} {name}")
            } else {
                format!("{whole}.{tenths} {name}")
            };
        }
    }
    format!("{bytes} bytes")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_and_show_in_powers_of_1024() {
        assert_eq!(parse_size("2GiB"), Some(2 << 30));
        assert_eq!(parse_size("512 MiB"), Some(512 << 20));
        assert_eq!(parse_size("64m"), Some(64 << 20));
        assert_eq!(parse_size("1073741824"), Some(1 << 30));
        assert_eq!(parse_size("1.5GiB"), None);
        assert_eq!(parse_size("lots"), None);
        assert_eq!(parse_size("99999999999TiB"), None);
        assert_eq!(show_size(3 << 29), "1.5 GiB");
        assert_eq!(show_size(256 << 20), "256 MiB");
        assert_eq!(show_size(12), "12 bytes");
    }
}
