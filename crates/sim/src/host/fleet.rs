//! Fleets: the built-in scenario's hosts, and fleets generated from a template (10,000 hosts
//! for load tests).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{HostSpec, Platform, mix};

// The compromises moved to their own module; these names stay importable from here.
pub use super::compromise::{
    EVIL_EXE, EVIL_EXE_MD5, KWORKERD, LINUX_CRONTAB, LINUX_MINER, LINUX_POOL, MAC_IMPLANT,
    WINDOWS_C2, compromise, windows_implant,
};

fn host(
    device_id: &str,
    hostname: &str,
    platform: Platform,
    os: &str,
    groups: &[&str],
    user: &str,
) -> HostSpec {
    HostSpec {
        device_id: Some(device_id.into()),
        hostname: hostname.into(),
        platform: Some(platform),
        os_version: Some(os.into()),
        online: true,
        groups: groups.iter().map(|g| g.to_string()).collect(),
        user: Some(user.into()),
        baseline: true,
        ..Default::default()
    }
}

/// The built-in scenario's fleet: a few hosts, one compromised Windows and one compromised Linux host.
///
/// - `WS-042` (Windows, `workstations`, `finance`): `evil.exe` runs from bob's Temp folder,
///   talks to 185.220.101.47:443 and persists through an HKLM Run key;
/// - `web-01` (Linux, `servers`, `web`): the `kworkerd` miner runs from `/tmp/.x/`, talks to
///   a pool at 45.9.148.108:4444 and persists through `/etc/cron.d/kworkerd` (as `www-data`);
/// - clean: `WS-017`, `FIN-WS-003`, `SRV-DC01`, `web-02`, `MAC-007`, and `WS-108` (offline,
///   back online 30 minutes after the tenant was created).
pub fn default_fleet() -> Vec<HostSpec> {
    let mut ws042 = host(
        "4d2c8e1f0a9b47c3b6e5d4c3b2a19f80",
        "WS-042",
        Platform::Windows,
        "Windows 11",
        &["workstations", "finance"],
        "bob",
    );
    ws042.tags = vec!["FalconGroupingTags/finance".into()];
    compromise(&mut ws042);
    let mut web01 = host(
        "9a7f3c2e1d0b4a5f8e6d7c4b3a2f1e07",
        "web-01",
        Platform::Linux,
        "Ubuntu 22.04",
        &["servers", "web"],
        "deploy",
    );
    compromise(&mut web01);
    let mut ws108 = host(
        "1c0e9d8b7a6f45e3a2b1c0d9e8f7a6b5",
        "WS-108",
        Platform::Windows,
        "Windows 10",
        &["workstations"],
        "dave",
    );
    ws108.online = false;
    // Back half an hour after the tenant was created, so queue-then-collect can be rehearsed.
    ws108.back_online_after_secs = Some(30 * 60);
    ws108.last_seen = Some("2026-11-18T17:42:10Z".into());
    vec![
        ws042,
        host(
            "2b8e4f6a1c3d4e5f9a0b1c2d3e4f5a17",
            "WS-017",
            Platform::Windows,
            "Windows 11",
            &["workstations"],
            "alice",
        ),
        host(
            "5e1d2c3b4a5f46e7b8c9d0e1f2a3b403",
            "FIN-WS-003",
            Platform::Windows,
            "Windows 11",
            &["workstations", "finance"],
            "carol",
        ),
        host(
            "7f6e5d4c3b2a41f0e9d8c7b6a5f4e301",
            "SRV-DC01",
            Platform::Windows,
            "Windows Server 2022",
            &["servers", "domain-controllers"],
            "Administrator",
        ),
        web01,
        host(
            "3e4f5a6b7c8d49e0f1a2b3c4d5e6f702",
            "web-02",
            Platform::Linux,
            "Ubuntu 22.04",
            &["servers", "web"],
            "deploy",
        ),
        host(
            "8b9c0d1e2f3a44b5c6d7e8f9a0b1c207",
            "MAC-007",
            Platform::Mac,
            "Sonoma (14)",
            &["workstations", "design"],
            "erin",
        ),
        ws108,
    ]
}

/// Relative weights of the platforms in a generated fleet.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlatformMix {
    #[serde(default)]
    pub windows: f64,
    #[serde(default)]
    pub linux: f64,
    #[serde(default)]
    pub mac: f64,
}

impl Default for PlatformMix {
    fn default() -> Self {
        PlatformMix {
            windows: 0.7,
            linux: 0.2,
            mac: 0.1,
        }
    }
}

/// A generated fleet, as a scenario file describes it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FleetTemplate {
    pub count: usize,
    /// `{n}` is the host number (`{n:05}` zero-pads it), `{platform}` the lower-case platform.
    #[serde(default = "default_pattern")]
    pub hostname_pattern: String,
    /// The first host number.
    #[serde(default = "one")]
    pub first: usize,
    #[serde(default)]
    pub platforms: PlatformMix,
    #[serde(default)]
    pub compromised_fraction: f64,
    #[serde(default)]
    pub offline_fraction: f64,
    /// Groups every generated host joins, besides `workstations` or `servers`.
    #[serde(default)]
    pub groups: Vec<String>,
}

fn default_pattern() -> String {
    "host-{n:05}".into()
}

fn one() -> usize {
    1
}

impl Default for FleetTemplate {
    fn default() -> Self {
        FleetTemplate {
            count: 0,
            hostname_pattern: default_pattern(),
            first: 1,
            platforms: PlatformMix::default(),
            compromised_fraction: 0.0,
            offline_fraction: 0.0,
            groups: Vec::new(),
        }
    }
}

/// Expands `{n}`, `{n:05}`, `{n:5}` and `{platform}` in a hostname pattern.
fn hostname(pattern: &str, n: usize, platform: Platform) -> String {
    let mut out = String::with_capacity(pattern.len() + 8);
    let mut rest = pattern;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('}') else {
            out.push_str(&rest[open..]);
            rest = "";
            break;
        };
        let field = &rest[open + 1..open + close];
        match field.split_once(':') {
            None if field == "n" => out.push_str(&n.to_string()),
            None if field == "platform" => out.push_str(&platform.name().to_lowercase()),
            Some(("n", spec)) => {
                let width: usize = spec.trim_start_matches('0').parse().unwrap_or(0);
                if spec.starts_with('0') {
                    out.push_str(&format!("{n:0width$}"));
                } else {
                    out.push_str(&format!("{n:width$}"));
                }
            }
            _ => out.push_str(&rest[open..=open + close]),
        }
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    out
}

/// A uniform float in [0, 1) from a 64-bit hash.
fn unit(h: u64) -> f64 {
    (h >> 11) as f64 / (1u64 << 53) as f64
}

/// Generates `template.count` hosts; the same template and seed give the same fleet.
pub fn generate_fleet(template: &FleetTemplate, seed: u64) -> Vec<HostSpec> {
    let mix_total = template.platforms.windows + template.platforms.linux + template.platforms.mac;
    let (w, l) = if mix_total > 0.0 {
        (
            template.platforms.windows / mix_total,
            template.platforms.linux / mix_total,
        )
    } else {
        (1.0, 0.0)
    };
    let mut out = Vec::with_capacity(template.count);
    for i in 0..template.count {
        let n = template.first + i;
        let h = mix(seed ^ (n as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15));
        let roll = unit(h);
        let platform = if roll < w {
            Platform::Windows
        } else if roll < w + l {
            Platform::Linux
        } else {
            Platform::Mac
        };
        let h2 = mix(h);
        let h3 = mix(h2);
        let role = if platform == Platform::Linux {
            "servers"
        } else {
            "workstations"
        };
        let mut groups = Vec::with_capacity(1 + template.groups.len());
        groups.push(role.to_string());
        groups.extend(template.groups.iter().cloned());
        let mut spec = HostSpec {
            device_id: Some(format!("{h2:016x}{h3:016x}")),
            hostname: hostname(&template.hostname_pattern, n, platform),
            platform: Some(platform),
            online: unit(mix(h3)) >= template.offline_fraction,
            groups,
            baseline: true,
            env: BTreeMap::new(),
            ..Default::default()
        };
        if unit(mix(h3 ^ 0x5bd1_e995)) < template.compromised_fraction {
            compromise(&mut spec);
        }
        out.push(spec);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::Host;

    #[test]
    fn hostname_patterns_expand() {
        assert_eq!(hostname("host-{n:05}", 42, Platform::Linux), "host-00042");
        assert_eq!(hostname("{platform}-{n}", 7, Platform::Mac), "mac-7");
        assert_eq!(hostname("x{n:3}", 7, Platform::Mac), "x  7");
        assert_eq!(hostname("odd{", 1, Platform::Mac), "odd{");
    }

    #[test]
    fn default_fleet_has_the_two_compromised_hosts() {
        let fleet = default_fleet();
        assert!((7..=9).contains(&fleet.len()));
        let ws = fleet.iter().find(|h| h.hostname == "WS-042").unwrap();
        assert!(ws.processes.iter().any(|p| p.name == "evil.exe"));
        let web = fleet.iter().find(|h| h.hostname == "web-01").unwrap();
        assert!(web.processes.iter().any(|p| p.name == "kworkerd"));
        let mut ids: Vec<&str> = fleet
            .iter()
            .filter_map(|h| h.device_id.as_deref())
            .collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), fleet.len());
        assert!(
            ids.iter()
                .all(|id| id.len() == 32 && id.chars().all(|c| c.is_ascii_hexdigit()))
        );
        assert_eq!(fleet.iter().filter(|h| !h.online).count(), 1);
    }

    /// This thread's CPU time in ms (Linux; 10 ms resolution), less disturbed than wall time
    /// by other builds sharing the machine.
    fn cpu_ms() -> Option<u64> {
        let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
        let mut f = stat.rsplit_once(')')?.1.split_whitespace();
        let utime: u64 = f.nth(11)?.parse().ok()?;
        let stime: u64 = f.next()?.parse().ok()?;
        Some((utime + stime) * 10)
    }

    fn timed<T>(f: impl FnOnce() -> T) -> (T, String) {
        let (cpu, wall) = (cpu_ms(), std::time::Instant::now());
        let out = f();
        let wall = wall.elapsed();
        let cpu = match (cpu, cpu_ms()) {
            (Some(a), Some(b)) => format!("{} ms", b - a),
            _ => "n/a".into(),
        };
        (out, format!("{wall:.1?} / {cpu}"))
    }

    #[test]
    fn generated_fleets_follow_the_template_and_are_stable() {
        let t = FleetTemplate {
            count: 10_000,
            compromised_fraction: 0.01,
            offline_fraction: 0.1,
            ..Default::default()
        };
        let (fleet, generated) = timed(|| generate_fleet(&t, 7));
        let (hosts, loaded) = timed(|| {
            fleet
                .iter()
                .enumerate()
                .map(|(i, s)| Host::from_spec(s, i, 7))
                .collect::<Vec<Host>>()
        });
        let (built, materialized) = timed(|| {
            let mut built = hosts.clone();
            for h in &mut built {
                h.materialize();
            }
            built
        });
        eprintln!(
            "10,000 hosts (wall / this thread's CPU): generate_fleet {generated}; Host::from_spec {loaded}; materialize {materialized}"
        );
        assert!(built.iter().all(|h| h.processes.all().len() > 3));
        assert_eq!(hosts.len(), 10_000);
        assert_eq!(fleet[0].hostname, "host-00001");
        assert_eq!(fleet[9_999].hostname, "host-10000");
        let windows = fleet
            .iter()
            .filter(|h| h.platform == Some(Platform::Windows))
            .count();
        assert!((6_500..7_500).contains(&windows), "{windows}");
        let offline = fleet.iter().filter(|h| !h.online).count();
        assert!((800..1_200).contains(&offline), "{offline}");
        let compromised = fleet.iter().filter(|h| !h.processes.is_empty()).count();
        assert!((50..150).contains(&compromised), "{compromised}");
        let mut ids: Vec<&String> = fleet.iter().filter_map(|h| h.device_id.as_ref()).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 10_000);
        assert_eq!(generate_fleet(&t, 7), fleet);
        assert_ne!(generate_fleet(&t, 8), fleet);
    }
}
