//! Scroll cursors of `QueryDevicesByFilterScroll` and `CombinedDevicesByFilter`: server state behind
//! an opaque token, tied to the query that opened it.
//!
//! What real traffic shows (JupiterOne/graph-crowdstrike's Polly recording of
//! `GET /devices/queries/devices-scroll/v1`, `src/crowdstrike/__recordings__/iterateDevicesResumes_*`):
//! the `offset` is base64 of an Elasticsearch scroll id, the same string comes back on every page,
//! later calls send only `?offset=<token>` and still page the original filter, and `expires_at` is
//! in epoch nanoseconds. The spec: the pointer "expires after 2 minutes".

use base64::Engine;
use std::time::{Duration, Instant, SystemTime};

/// How long a cursor lives after its last use (the spec's "expires after 2 minutes").
pub const LIFETIME: Duration = Duration::from_secs(120);

pub struct Scroll {
    pub filter: String,
    pub sort: String,
    pub limit: Option<String>,
    /// Where the next page starts.
    pub next: usize,
    pub expires: Instant,
}

/// A new opaque token: base64 of an Elasticsearch-like scroll id around the emulator's own id.
pub fn token(id: &str) -> String {
    base64::engine::general_purpose::STANDARD
        .encode(format!("\u{e}queryThenFetch\u{5}falconry;{id}"))
}

/// `expires_at` as Falcon writes it: epoch nanoseconds.
pub fn expires_at() -> u128 {
    (SystemTime::now() + LIFETIME)
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos())
}
