//! How long mimalloc keeps memory a program freed before it gives it back to the system.
//!
//! mimalloc returns freed memory ("purges" it) once it has stayed free for `purge_delay`, 1 s by
//! default. A large fan-out frees memory in one phase and needs it again a second later: the
//! device records read to pick the hosts, the answer's JSON once it is turned into the playbook's
//! values. Purged, each page is faulted in and zeroed again by the kernel, and on a VM whose
//! balloon reports free pages to the host that costs microseconds per page. With a 10 s delay a
//! 10,000-host `ps` batch faulted 110k pages instead of 143k in every run; its wall time was
//! 1.10 s instead of 1.22 s in one series of 8 alternating runs and 1.35 s instead of 1.36 s in
//! another, where the emulator was restarted before each pair (medians,
//! `MIMALLOC_PURGE_DELAY=10000` against the default, December 2026). Never purging bought nothing
//! more; with 10 s, memory still goes back to the system once it stayed unused that long.
//!
//! The setting is a call into the C library, so it is declared here, the workspace's only
//! `unsafe` code (the rest forbids it), and checked by the test below against the library's
//! table, so an upgrade that moves the option fails the tests instead of changing another setting.

use std::ffi::{c_int, c_long};

/// mimalloc's `mi_option_purge_delay`: its place in `mi_option_e` (`mimalloc.h`), which
/// `libmimalloc-sys` does not name.
const PURGE_DELAY: c_int = 15;

/// Milliseconds a freed page stays with the process before mimalloc gives it back.
pub const PURGE_DELAY_MS: c_long = 10_000;

// The two functions of mimalloc's public API (`mimalloc.h`) this crate calls, linked from the
// `libmimalloc-sys` that `mimalloc` builds. Both take an option's number and a plain integer and
// touch nothing but mimalloc's own option table (`mi_option_set` clamps an unknown number away),
// so calling them is safe.
#[allow(unsafe_code)]
unsafe extern "C" {
    safe fn mi_option_set(option: c_int, value: c_long);
    safe fn mi_option_get(option: c_int) -> c_long;
}

/// Sets the purge delay to [`PURGE_DELAY_MS`], unless the user chose one with mimalloc's own
/// `MIMALLOC_PURGE_DELAY`. Call it first thing in `main`.
pub fn tune() {
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        mi_option_set(PURGE_DELAY, PURGE_DELAY_MS);
    }
}

/// The purge delay in force, in milliseconds.
pub fn purge_delay_ms() -> c_long {
    mi_option_get(PURGE_DELAY)
}

/// Keeps mimalloc linked into this crate's own test binary.
pub use mimalloc::MiMalloc;

#[cfg(test)]
mod tests {
    use super::*;

    #[global_allocator]
    static GLOBAL: MiMalloc = MiMalloc;

    /// Option 15 is the purge delay: it starts at mimalloc 3's default (1,000 ms) and `tune`
    /// changes it and nothing else; the option either side keeps its default.
    #[test]
    fn the_option_set_is_the_purge_delay() {
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
            return;
        }
        let numa_nodes = mi_option_get(PURGE_DELAY + 1);
        let eager_commit_delay = mi_option_get(PURGE_DELAY - 1);
        assert_eq!(purge_delay_ms(), 1_000, "mimalloc's default purge delay");
        tune();
        assert_eq!(purge_delay_ms(), PURGE_DELAY_MS);
        assert_eq!(mi_option_get(PURGE_DELAY + 1), numa_nodes);
        assert_eq!(mi_option_get(PURGE_DELAY - 1), eager_commit_delay);
    }
}
