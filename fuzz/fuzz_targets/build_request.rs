//! Fuzzes the argument-to-request builder: the first two bytes pick an operation, the rest is the
//! argument map as JSON. `ops::build` must answer `Ok` or `Err`, never panic.

#![no_main]

use falconry::ops::{self, OPERATIONS};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((pick, json)) = data.split_first_chunk::<2>() else {
        return;
    };
    let op = &OPERATIONS[usize::from(u16::from_le_bytes(*pick)) % OPERATIONS.len()];
    let Ok(serde_json::Value::Object(args)) = serde_json::from_slice(json) else {
        return;
    };
    if let Ok(req) = ops::build(op, &args) {
        let _ = req.query_string();
        for key in args.keys() {
            let _ = req.arg(key);
        }
    }
});
