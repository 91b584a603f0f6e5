//! A simulated endpoint: file system, processes, network, users, registry, and the RTR commands that act on them.
//!
//! This module knows hosts, not HTTP: the emulator's API layer (`sim::*`) decides whether a command
//! may run (tier, policy, platform, online) and then calls [`Host::execute`].
//!
//! What a host does, beyond printing in the RTR format of its platform:
//! - content (files, processes, ...) is built on first use ([`Host::materialize`]), so large
//!   fleets load fast and only touched hosts pay for their state;
//! - Windows paths are case-insensitive and take either slash; Mac paths are case-insensitive;
//! - Windows refuses to `rm` the image of a running process (kill it first) and the session's
//!   working directory; the Falcon sensor's own processes and files refuse `kill` and `rm`;
//! - `restart`/`shutdown` need `-Confirm`; the next boot restarts whatever the host's
//!   persistence names (Run keys, crontabs, launch agents), so a killed implant comes back
//!   until its persistence is removed;
//! - scripts (`runscript`, `put-and-run`, `run` of a script) print a scenario-defined output,
//!   or run through a tiny interpreter: `echo`/`Write-Output` lines print, `rm`/`Remove-Item`
//!   and `kill`/`Stop-Process -Id` lines act on the host.

pub mod account;
pub mod archive;
mod baseline;
mod boot;
pub mod clock;
pub mod commands;
pub mod compromise;
mod contents;
pub(crate) mod digest;
pub mod fleet;
pub mod format;
pub mod fs;
pub mod network;
pub mod path;
pub mod process;
mod record;
pub mod registry;
pub mod spec;
mod validate;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use fleet::{FleetTemplate, PlatformMix, default_fleet, generate_fleet};
pub use spec::{ConnectionSpec, FileSpec, ProcessSpec, RegistryValueSpec, UserSpec};

use account::User;
use clock::BASE_TIME;
use fs::FileSystem;
use network::{Connection, Interface};
use path::PathStyle;
use process::ProcessTable;
use registry::Registry;

pub use falconry_model::platform::Platform;

/// How a platform spells paths (the emulator's file systems follow it).
pub trait PathStyleOf {
    fn path_style(self) -> PathStyle;
}

impl PathStyleOf for Platform {
    fn path_style(self) -> PathStyle {
        match self {
            Platform::Windows => PathStyle {
                windows: true,
                fold_case: true,
            },
            Platform::Linux => PathStyle {
                windows: false,
                fold_case: false,
            },
            Platform::Mac => PathStyle {
                windows: false,
                fold_case: true,
            },
        }
    }
}

/// One host as a scenario file describes it (everything but identity is optional).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HostSpec {
    #[serde(default)]
    pub device_id: Option<String>,
    pub hostname: String,
    pub platform: Option<Platform>,
    #[serde(default)]
    pub os_version: Option<String>,
    #[serde(default = "yes")]
    pub online: bool,
    /// An offline host comes back online this long after the tenant was created (the embedded
    /// emulator's tenant lives in its state file across commands); `None`: only when told.
    #[serde(default)]
    pub back_online_after_secs: Option<u64>,
    /// Names of the host groups the host belongs to.
    #[serde(default)]
    pub groups: Vec<String>,
    #[serde(default)]
    pub agent_version: Option<String>,
    #[serde(default)]
    pub local_ip: Option<String>,
    #[serde(default)]
    pub external_ip: Option<String>,
    #[serde(default)]
    pub mac_address: Option<String>,
    /// `Workstation`, `Server` or `Domain Controller` (guessed from the OS and name when absent).
    #[serde(default)]
    pub product_type: Option<String>,
    /// Falcon sensor grouping tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// RFC 3339; defaults to the scenario's base time.
    #[serde(default)]
    pub last_seen: Option<String>,
    /// The interactive user (home directory, user processes); picked by device id when absent.
    #[serde(default)]
    pub user: Option<String>,
    /// Start from the platform's standard files, processes, accounts and registry.
    #[serde(default = "yes")]
    pub baseline: bool,
    #[serde(default)]
    pub files: Vec<FileSpec>,
    #[serde(default)]
    pub processes: Vec<ProcessSpec>,
    #[serde(default)]
    pub connections: Vec<ConnectionSpec>,
    #[serde(default)]
    pub users: Vec<UserSpec>,
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    #[serde(default)]
    pub registry: Vec<RegistryValueSpec>,
    /// Fixed output of scripts on this host, keyed by cloud script name (`runscript
    /// -CloudFile=`), file name (`-HostPath=`, `put-and-run`, `run`) or `raw` (`-Raw=`).
    /// Scripts without an entry run through the host's small interpreter.
    #[serde(default)]
    pub script_outputs: BTreeMap<String, String>,
}

fn yes() -> bool {
    true
}

/// A running simulated host.
#[derive(Clone, Debug)]
pub struct Host {
    pub device_id: String,
    pub hostname: String,
    pub platform: Platform,
    pub os_version: String,
    pub online: bool,
    /// See [`HostSpec::back_online_after_secs`].
    pub back_online_after_secs: Option<u64>,
    /// Host group names from the scenario; the API layer maps them to group ids.
    pub group_names: Vec<String>,
    /// The tenant's customer id (the API layer may overwrite it).
    pub cid: String,
    pub agent_version: String,
    pub local_ip: String,
    pub external_ip: String,
    /// Falcon's spelling: `00-50-56-a1-b2-c3`.
    pub mac_address: String,
    /// Containment: `normal`, `containment_pending`, `contained`, `lift_containment_pending`
    /// (set by the API layer's device actions).
    pub status: String,
    pub tags: Vec<String>,
    pub product_type_desc: String,
    pub system_manufacturer: String,
    pub system_product_name: String,
    /// Unix seconds.
    pub first_seen: i64,
    /// The scenario's `last_seen`, or the built-in clock's; see [`Host::seen`].
    pub last_seen: i64,
    /// The scenario gave `last_seen`: it is kept as given.
    pub last_seen_fixed: bool,
    pub boot_time: i64,
    pub fs: FileSystem,
    pub processes: ProcessTable,
    pub connections: Vec<Connection>,
    pub interfaces: Vec<Interface>,
    pub users: Vec<User>,
    pub env: BTreeMap<String, String>,
    pub registry: Registry,
    pub script_outputs: BTreeMap<String, String>,
    /// Command strings run on this host, oldest first (`history`).
    pub history: Vec<String>,
    /// SHA-256 of images a `prevent` IOC forbids here (set by the API layer): `run`, `put-and-run`
    /// and a reboot's persistence refuse to start them.
    pub prevented: std::collections::BTreeSet<String>,
    /// Content not built yet: see [`Host::materialize`].
    pending: Option<Box<Pending>>,
    /// Connections the scenario gave processes, by image path key, for restarts to restore.
    beacons: Vec<(String, Connection)>,
}

impl Host {
    /// When the host last checked in, in Unix seconds. An online host checks in all the time, so
    /// its `last_seen` follows the emulator's clock (seconds behind it), and `last_seen:>'now-1d'`
    /// finds it as it would on Falcon; an offline host, or one whose scenario gives `last_seen`,
    /// keeps the time it has.
    pub fn seen(&self) -> i64 {
        if self.online && !self.last_seen_fixed {
            clock::now() - (clock::BASE_TIME - self.last_seen).rem_euclid(60)
        } else {
            self.last_seen
        }
    }
}

/// What [`Host::materialize`] needs to build a host's content.
#[derive(Clone, Debug)]
struct Pending {
    spec: HostSpec,
    user: String,
    seed: u64,
}

/// What the API layer gives a command besides the host: the tenant's put-files and scripts.
pub trait CommandEnv {
    /// The bytes of the put-file with this name.
    fn put_file(&self, name: &str) -> Option<Vec<u8>>;
    /// The content of the custom (or Falcon) script with this name.
    fn script(&self, name: &str) -> Option<String>;
}

/// The result of one command on one host, in the real RTR output format.
#[derive(Clone, Debug, Default)]
pub struct CommandOutput {
    pub stdout: String,
    pub stderr: String,
    /// Set by `restart` / `shutdown`: the host goes offline after answering.
    pub goes_offline: bool,
    /// Set by `get`: the file to expose through the extracted-files operations.
    pub extracted: Option<ExtractedFile>,
}

#[derive(Clone, Debug)]
pub struct ExtractedFile {
    /// The path as the host reports it.
    pub path: String,
    pub sha256: String,
    pub size: u64,
    pub bytes: Vec<u8>,
}

/// A 64-bit mix of a seed and an index, for stable pseudo-random host details (`ids::mix`).
pub(crate) use crate::ids::mix;

/// Parses an RFC 3339 UTC timestamp (`2026-11-20T09:00:00Z`) into Unix seconds.
fn parse_rfc3339(s: &str) -> Option<i64> {
    humantime::parse_rfc3339_weak(s.trim_end_matches('Z'))
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| d.as_secs() as i64)
}

impl Host {
    /// `index` and `seed` make generated ids stable across runs of the same scenario.
    pub fn from_spec(spec: &HostSpec, index: usize, seed: u64) -> Host {
        let device_id = spec.device_id.clone().unwrap_or_else(|| {
            let mut h: u64 =
                seed ^ 0x9e37_79b9_7f4a_7c15 ^ (index as u64).wrapping_mul(0x100_0000_01b3);
            let mut id = String::new();
            for _ in 0..4 {
                h ^= h >> 33;
                h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
                h ^= h >> 33;
                id.push_str(&format!("{:08x}", h as u32));
            }
            id
        });
        let r = device_id.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
        });
        let platform = spec.platform.unwrap_or(Platform::Windows);
        let os_version = spec.os_version.clone().unwrap_or_else(|| {
            match platform {
                Platform::Windows if looks_like_server(&spec.hostname) => "Windows Server 2022",
                Platform::Windows => "Windows 11",
                Platform::Linux => "Ubuntu 22.04",
                Platform::Mac => "Sonoma (14)",
            }
            .to_string()
        });
        let product_type_desc = spec.product_type.clone().unwrap_or_else(|| {
            let windows = platform == Platform::Windows;
            let name = spec.hostname.to_ascii_uppercase();
            let server = platform == Platform::Linux
                || os_version.contains("Server")
                || (windows && looks_like_server(&spec.hostname));
            if windows && server && (name.starts_with("DC") || name.contains("-DC")) {
                "Domain Controller"
            } else if server {
                "Server"
            } else {
                "Workstation"
            }
            .to_string()
        });
        let (manufacturer, product) = match platform {
            Platform::Mac => ("Apple Inc.", "MacBookPro18,3"),
            _ if product_type_desc == "Workstation" => ("Dell Inc.", "Latitude 7440"),
            _ => ("VMware, Inc.", "VMware7,1"),
        };
        let b = r.to_be_bytes();
        let local_ip = spec
            .local_ip
            .clone()
            .unwrap_or_else(|| format!("10.{}.{}.{}", 10 + b[0] % 20, b[1], 10 + b[2] % 240));
        let last_seen = spec
            .last_seen
            .as_deref()
            .and_then(parse_rfc3339)
            .unwrap_or(BASE_TIME - i64::from(b[3] % 60));
        let mut host = Host {
            device_id,
            hostname: spec.hostname.clone(),
            platform,
            os_version,
            online: spec.online,
            back_online_after_secs: spec.back_online_after_secs,
            group_names: spec.groups.clone(),
            cid: "9e3c1b2a7d4f4e8a8c6b5a4f3e2d1c0b".into(),
            agent_version: spec.agent_version.clone().unwrap_or_else(|| {
                match platform {
                    Platform::Windows => "7.20.18807.0",
                    Platform::Linux => "7.19.17309.0",
                    Platform::Mac => "7.20.18806.0",
                }
                .to_string()
            }),
            local_ip,
            external_ip: spec
                .external_ip
                .clone()
                .unwrap_or_else(|| format!("203.0.113.{}", 1 + b[4] % 250)),
            // Apple's and VMware's vendor prefixes, so addresses look like the hardware.
            mac_address: spec.mac_address.clone().unwrap_or_else(|| {
                let oui = if platform == Platform::Mac {
                    "a4-83-e7"
                } else {
                    "00-50-56"
                };
                format!("{oui}-{:02x}-{:02x}-{:02x}", b[5], b[6], b[7])
            }),
            status: "normal".into(),
            tags: spec.tags.clone(),
            product_type_desc,
            system_manufacturer: manufacturer.into(),
            system_product_name: product.into(),
            first_seen: BASE_TIME - 200 * 86_400 - i64::from(b[0]) * 3600,
            last_seen,
            last_seen_fixed: spec.last_seen.is_some(),
            // To the second, as real hosts boot: every process's start time, and so each host's
            // `ps`, differs from host to host, as on a real fleet (a case stores each long output
            // once, and outputs shared by a few hundred hosts hid what storing one per host costs).
            boot_time: BASE_TIME - 3 * 86_400 - i64::from(b[1]) * 60 - i64::from(b[3] % 60),
            fs: FileSystem::new(platform.path_style(), BASE_TIME - 365 * 86_400),
            processes: ProcessTable::default(),
            connections: Vec::new(),
            interfaces: Vec::new(),
            users: Vec::new(),
            env: BTreeMap::new(),
            registry: Registry::default(),
            script_outputs: spec.script_outputs.clone(),
            history: Vec::new(),
            prevented: Default::default(),
            pending: None,
            beacons: Vec::new(),
        };
        let user = spec
            .user
            .clone()
            .unwrap_or_else(|| baseline::user_name(mix(r)).to_string());
        // Content is built on first use: a 10,000-host fleet loads in milliseconds and only
        // the hosts a playbook touches pay for their file system and process table.
        host.pending = Some(Box::new(Pending {
            spec: HostSpec {
                files: spec.files.clone(),
                processes: spec.processes.clone(),
                connections: spec.connections.clone(),
                users: spec.users.clone(),
                env: spec.env.clone(),
                registry: spec.registry.clone(),
                baseline: spec.baseline,
                ..Default::default()
            },
            user,
            seed: r,
        }));
        host
    }

    /// Builds the host's content (baseline plus scenario) if not built yet. `execute` calls
    /// it; call it before reading `fs`, `processes`, `connections`, `users`, `env`,
    /// `interfaces` or `registry` directly.
    pub fn materialize(&mut self) -> &mut Host {
        if let Some(p) = self.pending.take() {
            if p.spec.baseline {
                baseline::apply(self, &p.user, p.seed);
            }
            self.apply_contents(&p.spec, &p.user);
        }
        self
    }

    /// The working directory a new RTR session starts in.
    pub fn initial_cwd(&self) -> String {
        self.fs.style.root().to_string()
    }

    /// Runs one RTR command. `cwd` is the session's working directory, updated by `cd`
    /// (an empty `cwd` starts at the platform root, as a new session does).
    pub fn execute(
        &mut self,
        cwd: &mut String,
        base_command: &str,
        command_string: &str,
        env: &dyn CommandEnv,
    ) -> CommandOutput {
        self.materialize();
        if cwd.is_empty() {
            *cwd = self.initial_cwd();
        }
        self.history.push(command_string.to_string());
        commands::run(self, cwd, base_command, command_string, env)
    }
}

/// Whether a path belongs to the Falcon sensor, which tamper protection keeps from being
/// killed or deleted.
pub(crate) fn is_sensor_path(path: &str) -> bool {
    let p = path.to_ascii_lowercase();
    [
        "c:\\program files\\crowdstrike",
        "c:\\windows\\system32\\drivers\\crowdstrike",
        "/opt/crowdstrike",
        "/library/cs",
        "/applications/falcon.app",
    ]
    .iter()
    .any(|dir| {
        p.strip_prefix(dir)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(['/', '\\']))
    })
}

/// Hostnames that conventionally name Windows servers.
fn looks_like_server(hostname: &str) -> bool {
    let h = hostname.to_ascii_uppercase();
    ["SRV", "DC", "SQL", "EXCH", "FS-", "APP-"]
        .iter()
        .any(|p| h.starts_with(p))
}

#[cfg(test)]
mod tests;
