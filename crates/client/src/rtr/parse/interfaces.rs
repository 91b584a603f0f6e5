//! `ipconfig` (Windows) and `ifconfig` (Linux, Mac) output -> `interfaces`:
//! `[{name, description, mac, ipv4, netmask, gateway, dns}]`.

use serde_json::{Map, Value};

fn new_interface(name: &str) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("name".into(), Value::from(name));
    for k in ["description", "mac", "ipv4", "netmask", "gateway"] {
        m.insert(k.into(), Value::Null);
    }
    m.insert("dns".into(), Value::Array(Vec::new()));
    m
}

/// `0xffffff00` -> `255.255.255.0` (macOS prints masks in hex).
fn mask(s: &str) -> String {
    match s
        .strip_prefix("0x")
        .and_then(|h| u32::from_str_radix(h, 16).ok())
    {
        Some(n) => format!(
            "{}.{}.{}.{}",
            n >> 24,
            (n >> 16) & 255,
            (n >> 8) & 255,
            n & 255
        ),
        None => s.to_string(),
    }
}

/// No real capture shows either layout (reconstructed from the tools'): output in which no interface
/// header is found is reported in `warnings`, not answered as a host without interfaces (fail closed).
pub fn parse(stdout: &str, warnings: &mut Vec<String>) -> Value {
    let value = read(stdout);
    if value.as_array().is_some_and(Vec::is_empty) {
        super::warn_unread("ipconfig/ifconfig", stdout, warnings);
    }
    value
}

fn read(stdout: &str) -> Value {
    if stdout.contains(" adapter ") || stdout.contains("Windows IP Configuration") {
        return ipconfig(stdout);
    }
    let mut out: Vec<Map<String, Value>> = Vec::new();
    for line in stdout.lines() {
        if !line.starts_with(char::is_whitespace) {
            if let Some((name, rest)) = line.split_once(':')
                && rest.trim_start().starts_with("flags=")
            {
                out.push(new_interface(name.trim()));
            }
            continue;
        }
        let Some(cur) = out.last_mut() else {
            continue;
        };
        let words: Vec<&str> = line.split_whitespace().collect();
        let after = |key: &str| {
            words
                .iter()
                .position(|w| *w == key)
                .and_then(|i| words.get(i + 1))
                .map(|s| s.to_string())
        };
        match words.first().copied() {
            Some("inet") => {
                if let Some(ip) = words.get(1) {
                    cur.insert("ipv4".into(), Value::from(*ip));
                }
                if let Some(m) = after("netmask") {
                    cur.insert("netmask".into(), Value::from(mask(&m)));
                }
            }
            Some("ether") => {
                if let Some(mac) = words.get(1) {
                    cur.insert("mac".into(), Value::from(*mac));
                }
            }
            _ => {}
        }
    }
    Value::Array(out.into_iter().map(Value::Object).collect())
}

fn ipconfig(stdout: &str) -> Value {
    let mut out: Vec<Map<String, Value>> = Vec::new();
    let mut last_key = String::new();
    for line in stdout.lines() {
        if !line.starts_with(char::is_whitespace) {
            if let Some(i) = line.find(" adapter ") {
                let name = line[i + " adapter ".len()..].trim().trim_end_matches(':');
                out.push(new_interface(name));
            }
            last_key.clear();
            continue;
        }
        let Some(cur) = out.last_mut() else {
            continue;
        };
        let Some((label, value)) = line.split_once(" : ") else {
            // A continuation line (more DNS servers).
            let v = line.trim();
            if last_key == "dns"
                && !v.is_empty()
                && let Some(Value::Array(a)) = cur.get_mut("dns")
            {
                a.push(Value::from(v));
            }
            continue;
        };
        let label: String = label
            .trim()
            .trim_end_matches(['.', ' '])
            .to_ascii_lowercase();
        let value = value.trim();
        let key = match label.as_str() {
            "description" => "description",
            "physical address" => "mac",
            "ipv4 address" | "ip address" => "ipv4",
            "subnet mask" => "netmask",
            "default gateway" => "gateway",
            "dns servers" => "dns",
            _ => {
                last_key.clear();
                continue;
            }
        };
        last_key = key.to_string();
        if key == "dns" {
            if let Some(Value::Array(a)) = cur.get_mut("dns") {
                a.push(Value::from(value));
            }
        } else {
            let v = value.split('(').next().unwrap_or(value).trim();
            cur.insert(key.into(), Value::from(v));
        }
    }
    Value::Array(out.into_iter().map(Value::Object).collect())
}
