//! Bounded property tests, the CI stand-in for the cargo-fuzz targets in `fuzz/`: random argument maps
//! for every operation's request builder, random text for every RTR output parser. Nothing may panic;
//! the builder's answers must be consistent. `FALCONRY_PROP_SEED` replays a run; `FALCONRY_PROP_SECS`
//! lengthens it.

use falconry::ops::{self, Body, OPERATIONS, request::allowed_keys};
use falconry::rtr::parse;
use serde_json::{Map, Value, json};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, Instant};

/// xorshift64*: tiny, seedable, good enough to explore shapes.
struct Rng(u64);

impl Rng {
    fn new() -> Rng {
        let seed = std::env::var("FALCONRY_PROP_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(1, |d| d.as_nanos() as u64)
            });
        eprintln!("FALCONRY_PROP_SEED={seed}");
        Rng(seed | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

fn budget() -> Duration {
    let secs = std::env::var("FALCONRY_PROP_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3);
    Duration::from_secs(secs)
}

const WORDS: &[&str] = &[
    "",
    " ",
    "Windows",
    "enable",
    "add-host-group",
    "hostname:'WS-042'",
    "name.asc",
    "ps",
    "kill 1",
    "../../etc/passwd",
    "C:\\Windows\\System32",
    "\u{0}",
    "\u{202e}",
    "é",
    "🦀",
    "a,b",
    "%00",
    "&=?#",
    "9223372036854775807",
    "-1",
    "true",
    "null",
];

fn random_string(r: &mut Rng) -> String {
    match r.below(4) {
        0 => r.pick(WORDS).to_string(),
        1 => (0..r.below(40))
            .map(|_| char::from_u32(r.below(0x11_0000) as u32).unwrap_or('?'))
            .collect(),
        2 => "x".repeat(r.below(70_000)),
        _ => format!("{}{}", r.pick(WORDS), r.pick(WORDS)),
    }
}

fn random_value(r: &mut Rng, depth: usize) -> Value {
    match r.below(if depth > 3 { 6 } else { 8 }) {
        0 => Value::Null,
        1 => Value::Bool(r.below(2) == 0),
        2 => json!(*r.pick(&[0i64, 1, -1, 5000, 5001, i64::MAX, i64::MIN, 100])),
        3 => json!(r.below(1000) as f64 / 7.0),
        4 | 5 => Value::String(random_string(r)),
        6 => Value::Array(
            (0..r.below(5))
                .map(|_| random_value(r, depth + 1))
                .collect(),
        ),
        _ => {
            let mut m = Map::new();
            for _ in 0..r.below(5) {
                m.insert(random_string(r), random_value(r, depth + 1));
            }
            Value::Object(m)
        }
    }
}

#[test]
fn the_request_builder_never_panics_and_answers_consistently() {
    let mut r = Rng::new();
    let started = Instant::now();
    let mut built = 0usize;
    let mut cases = 0usize;
    while started.elapsed() < budget() || cases < 2_000 {
        cases += 1;
        let op = r.pick(OPERATIONS);
        let keys = allowed_keys(op);
        let mut args = Map::new();
        for _ in 0..r.below(6) {
            let key = if r.below(8) == 0 {
                random_string(&mut r)
            } else {
                r.pick(&keys).to_string()
            };
            args.insert(key, random_value(&mut r, 0));
        }
        let outcome = catch_unwind(AssertUnwindSafe(|| ops::build(op, &args)));
        let Ok(result) = outcome else {
            panic!(
                "ops::build panicked on `{}` with {}",
                op.id,
                Value::Object(args)
            );
        };
        match result {
            Ok(req) => {
                built += 1;
                for key in args.keys() {
                    assert!(
                        keys.contains(&key.as_str()),
                        "`{}` accepted unknown key {key:?}",
                        op.id
                    );
                }
                for p in op.params.iter().filter(|p| p.required) {
                    let given = args.get(p.name).is_some_and(|v| !v.is_null());
                    assert!(
                        given
                            || p.location == ops::Location::FormData
                            || p.location == ops::Location::Body,
                        "`{}` built without required `{}`",
                        op.id,
                        p.name
                    );
                }
                let _ = req.query_string();
                if let Body::Json(v) = &req.body {
                    assert!(serde_json::to_vec(v).is_ok());
                }
            }
            Err(e) => {
                assert_eq!(e.operation, op.qualified_name());
                assert!(!e.message.is_empty());
                if let Some(k) = &e.key {
                    assert!(args.contains_key(k) || keys.contains(&k.as_str()), "{e}");
                }
            }
        }
    }
    assert!(
        built > 0,
        "some random inputs must be valid ({cases} cases)"
    );
}

/// Pieces of real RTR output to splice together: headers, rows, separators.
const FRAGMENTS: &[&str] = &[
    "Name       Id    Start Time             User\n",
    "-----      --    ----------             ----\n",
    "svchost.exe 812  2024-05-01 10:00:00    SYSTEM\n",
    "Directory listing for C:\\Windows -\n\n",
    "Name                 Type         Size (bytes)    Size (MB)       Last Modified (UTC-7)     Created (UTC-7)\n",
    "----                 ----         ------------    ---------       ---------------------     ---------------\n",
    "Protocol Local Address Foreign Address State PID\n",
    // The real Windows layouts (tests/data/rtr/real): headers, dashes, rows, a wrapped path.
    "Name                Id Start Time (UTC-7)   WorkingMemory(kb)    CPU(s) HandleCount Path\n",
    "----                -- ------------------   -----------------    ------ ----------- ----\n",
    "conhost           2216 4/8/2025 12:14:21 PM             5,612      0.05          93 C:\\Windows\\conhost.exe\n",
    "CSFalconService    488 3/27/2025 9:05:13 AM            60,196    312.31         671  \n",
    "VGAuthService     2412 3/11/2025 4:21:42 AM            10,920      0.05         149 C:\\Program Files\\VMware\n",
    "                                                                                    VGAuth\\VGAuthService.exe\n",
    "Proto Local Address                    Foreign Address         State Owning Process Id Owning Process Name             Process Start Time (UTC-8)\n",
    "----- -------------                    ---------------         ----- ----------------- -------------------             --------------------------\n",
    "TCP   10.1.19.4:59929                  54.241.197.58:443 Established                 4                                 2/24/2025 2:34:34 PM      \n",
    "UDP   fe80::9c8b:6e28:cc9:6e2e%2:60660 *:*                    Listen              5472 C:\\Windows\\svchost.exe 10/26/2024 9:03:09 AM     \n",
    "$Recycle.Bin                             <Directory>  --              --              11/27/2018 10:54:44 AM    9/15/2017 3:33:40 AM     \n",
    "60,196",
    "1,2,3",
    "TCP 0.0.0.0:135 0.0.0.0:0 LISTENING 912\n",
    "HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\n",
    "    Version    REG_SZ    10.0\n",
    "SHA256: ",
    "MD5: ",
    "\t",
    "  ",
    "\r\n",
    "\n\n",
    "--",
    "|",
    ":",
    "=",
    "é🦀\u{0}",
];

/// Names that are not a parsed command as written: an alias, a bare sub-command family, a command
/// read as text, nothing, the wrong case. Every parsed command comes from the parser registry.
const ODD_NAMES: &[&str] = &["dir", "reg", "cat", "", "PS", "kill"];

#[test]
fn the_rtr_output_parsers_never_panic() {
    let commands: Vec<&str> = parse::parsed_command_names()
        .chain(ODD_NAMES.iter().copied())
        .collect();
    let mut r = Rng::new();
    let started = Instant::now();
    let mut cases = 0usize;
    while started.elapsed() < budget() || cases < 2_000 {
        cases += 1;
        let mut text = String::new();
        for _ in 0..r.below(30) {
            if r.below(5) == 0 {
                text.push_str(&random_string(&mut r));
            } else {
                let fragment: &&str = r.pick(FRAGMENTS);
                text.push_str(fragment);
            }
        }
        let command = *r.pick(&commands);
        let platform = *r.pick(&[None, Some("Windows"), Some("Linux"), Some("Mac"), Some("")]);
        let outcome = catch_unwind(AssertUnwindSafe(|| parse::parse(command, platform, &text)));
        let Ok(parsed) = outcome else {
            panic!("rtr::parse::parse panicked on {command:?} {platform:?} {text:?}");
        };
        if let Some(p) = parsed {
            assert!(!p.field.is_empty());
            // No wrong-type field: every row has its schema, failed rows hold nothing, and are
            // warned about.
            if let Err(why) = parse::schema::check(&p) {
                panic!("{command:?} {platform:?} {text:?}: {why}");
            }
        }
    }
}

/// Pieces of FQL to splice together: fields, operators, quotes, nesting, relative times.
const FQL: &[&str] = &[
    "hostname",
    "platform_name",
    "device_policies.remote_response.policy_id",
    ":",
    ":>",
    ":>=",
    ":<=",
    ":!",
    ":~",
    ":*",
    "'",
    "\"",
    "'now-1d'",
    "'now€'",
    "now-",
    "now+9999999999999999999w",
    "+",
    ",",
    " ",
    "(",
    ")",
    "!",
    "[",
    "]",
    "'a','b'",
    "\\'",
    "*",
    "é",
    "🦀",
    "\u{0}",
];

#[test]
fn the_emulator_fql_answers_any_filter() {
    use falconry::sim::fql::{MAX_DEPTH, Sort, parse};
    let mut r = Rng::new();
    let record = json!({
        "hostname": "WS-042", "platform_name": "Windows", "cpu": 8,
        "last_seen": "2026-01-02T03:04:05Z", "groups": ["g1", "g2"],
        "device_policies": {"remote_response": {"policy_id": "p1", "applied": true}},
    });
    let started = Instant::now();
    let mut cases = 0usize;
    while started.elapsed() < budget() || cases < 2_000 {
        cases += 1;
        let mut text = String::new();
        if r.below(20) == 0 {
            // Nesting around and past the bound.
            let depth = MAX_DEPTH - 2 + r.below(10_000);
            text.push_str(&"(".repeat(depth));
            text.push_str("hostname:'x'");
            text.push_str(&")".repeat(depth));
        }
        for _ in 0..r.below(25) {
            if r.below(6) == 0 {
                text.push_str(&random_string(&mut r));
            } else {
                let piece: &&str = r.pick(FQL);
                text.push_str(piece);
            }
        }
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            if let Ok(filter) = parse(&text) {
                let _ = filter.matches(&record);
            }
            if let Ok(sort) = Sort::parse(&text) {
                let _ = sort.compare(&record, &record);
            }
        }));
        assert!(outcome.is_ok(), "the FQL panicked on {text:?}");
    }
}
