//! Place: the bottom of `rtr`'s session layer, below `session`, `keepalive`, `batch` and `queued`.
//! The run's ledger of commands queued for offline hosts: sessions and batches record each queued
//! answer here, `rtr::queued()` (queued.rs) reads it back. It lives as long as the runtime.

use crate::helpers::caller::str_of;
use serde_json::{Value, json};
use std::sync::Mutex;

/// The fields that name a queued command; the rest of a result is not needed to collect it.
const KEYS: [&str; 6] = [
    "session_id",
    "cloud_request_id",
    "device_id",
    "hostname",
    "base_command",
    "command_string",
];

/// The queued results this runtime's sessions and batches answered, in the order they were sent.
#[derive(Default)]
pub struct Ledger(Mutex<Vec<Value>>);

impl Ledger {
    pub fn record(&self, result: &Value) {
        if let Ok(mut list) = self.0.lock() {
            list.push(pick(result));
        }
    }

    /// Every queued result recorded so far, in order.
    pub fn all(&self) -> Vec<Value> {
        self.0.lock().map(|l| l.clone()).unwrap_or_default()
    }
}

/// The fields of a queued result that name it (`KEYS`), as the ledger keeps them.
pub fn pick(result: &Value) -> Value {
    let mut out = serde_json::Map::new();
    for k in KEYS {
        out.insert(k.to_string(), json!(str_of(result, k)));
    }
    Value::Object(out)
}
