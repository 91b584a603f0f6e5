//! `netstat` output -> `connections`:
//! `[{proto, local_address, local_port, remote_address, remote_port, state, pid, process}]`.
//!
//! Rows are read by shape rather than by column position, so the Windows table, `netstat -ano`
//! and Linux `netstat -tunap` layouts (UDP rows without a state) all parse.

use serde_json::{Map, Value};

/// Splits `ip:port`, `[v6]:port`, `:::22` or `*:*`; a `*` or missing port is null.
fn endpoint(s: &str) -> Option<(String, Value)> {
    let s = s.trim();
    let (addr, port) = if let Some(rest) = s.strip_prefix('[') {
        let (a, p) = rest.split_once("]:")?;
        (a, p)
    } else {
        s.rsplit_once(':')?
    };
    let port = match port {
        "*" | "" => Value::Null,
        p => Value::from(p.parse::<u16>().ok()?),
    };
    Some((addr.to_string(), port))
}

fn is_proto(t: &str) -> bool {
    let t = t.to_ascii_lowercase();
    ["tcp", "udp", "tcp6", "udp6", "tcp4", "udp4"].contains(&t.as_str())
}

pub fn parse(stdout: &str) -> Value {
    let mut out = Vec::new();
    for line in stdout.lines() {
        let tokens: Vec<&str> = line.split_whitespace().collect();
        let Some(p) = tokens.iter().position(|t| is_proto(t)) else {
            continue;
        };
        if p > 1 {
            continue;
        }
        let mut ends = tokens[p + 1..]
            .iter()
            .enumerate()
            .filter_map(|(i, t)| endpoint(t).map(|e| (i + p + 1, e)));
        let (Some((_, local)), Some((ri, remote))) = (ends.next(), ends.next()) else {
            continue;
        };
        let mut rest = tokens[ri + 1..].iter().peekable();
        let state = match rest.peek() {
            Some(s) if s.chars().all(|c| c.is_ascii_uppercase() || c == '_') => {
                rest.next().map(|s| s.to_string())
            }
            _ => None,
        };
        let mut pid = Value::Null;
        let mut process = Value::Null;
        if let Some(t) = rest.next() {
            match t.split_once('/') {
                Some((n, name)) => {
                    pid = n.parse::<u64>().map_or(Value::Null, Value::from);
                    process = Value::from(name);
                }
                None => pid = t.parse::<u64>().map_or(Value::Null, Value::from),
            }
        }
        if let Some(name) = rest.next() {
            process = Value::from(*name);
        }
        let mut m = Map::new();
        m.insert("proto".into(), Value::from(tokens[p].to_ascii_uppercase()));
        m.insert("local_address".into(), Value::from(local.0));
        m.insert("local_port".into(), local.1);
        m.insert("remote_address".into(), Value::from(remote.0));
        m.insert("remote_port".into(), remote.1);
        m.insert(
            "state".into(),
            state.map_or(Value::Null, |s| {
                Value::from(if s == "LISTEN" { "LISTENING".into() } else { s })
            }),
        );
        m.insert("pid".into(), pid);
        m.insert("process".into(), process);
        out.push(Value::Object(m));
    }
    Value::Array(out)
}
