//! Fuzzes the emulator's FQL: any text is parsed (an error or a filter, never a panic or a stack
//! overflow), and a parsed filter is matched against a device-like record; `sort` likewise.

#![no_main]

use falconry::sim::fql::{Sort, parse};
use libfuzzer_sys::fuzz_target;
use serde_json::json;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let record = json!({
        "hostname": "WS-042", "platform_name": "Windows", "cpu": 8,
        "last_seen": "2026-01-02T03:04:05Z", "groups": ["g1", "g2"],
        "device_policies": {"remote_response": {"policy_id": "p1", "applied": true}},
    });
    if let Ok(filter) = parse(&text) {
        let _ = filter.matches(&record);
        let _ = filter.fields();
    }
    if let Ok(sort) = Sort::parse(&text) {
        let _ = sort.compare(&record, &record);
    }
});
