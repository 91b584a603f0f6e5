//! A simulated endpoint: file system, processes, network, users, registry, and the RTR commands that act on them.
//!
//! This module knows hosts, not HTTP: the emulator's API layer (`sim::*`) decides whether a command
//! may run (tier, policy, platform, online) and then calls [`Host::execute`].

pub mod account;
pub mod archive;
mod baseline;
pub mod clock;
mod commands;
mod digest;
pub mod fleet;
mod format;
pub mod fs;
pub mod network;
pub mod path;
pub mod process;
pub mod registry;
pub mod spec;

use std::collections::BTreeMap;

use base64::Engine as _;
use bytes::Bytes;
use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use fleet::{FleetTemplate, PlatformMix, default_fleet, generate_fleet};
pub use spec::{ConnectionSpec, FileSpec, ProcessSpec, RegistryValueSpec, UserSpec};

use account::User;
use clock::BASE_TIME;
use fs::FileSystem;
use network::{Connection, Interface, split_endpoint};
use path::PathStyle;
use process::{Process, ProcessTable};
use registry::{RegValue, Registry};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Platform {
    Windows,
    Linux,
    Mac,
}

impl Platform {
    /// As Falcon spells it in `platform_name`.
    pub fn name(self) -> &'static str {
        match self {
            Platform::Windows => "Windows",
            Platform::Linux => "Linux",
            Platform::Mac => "Mac",
        }
    }

    /// How the platform spells paths.
    pub fn path_style(self) -> PathStyle {
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
    /// Output of `runscript` / `put-and-run` by script or file name.
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
    pub last_seen: i64,
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
    /// Content not built yet: see [`Host::materialize`].
    pending: Option<Box<Pending>>,
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

/// A 64-bit mix of a seed and an index (splitmix64), for stable pseudo-random host details.
pub(crate) fn mix(mut h: u64) -> u64 {
    h = h.wrapping_add(0x9e37_79b9_7f4a_7c15);
    h = (h ^ (h >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h = (h ^ (h >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

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
            let server = platform == Platform::Linux
                || os_version.contains("Server")
                || (platform == Platform::Windows && looks_like_server(&spec.hostname));
            if server { "Server" } else { "Workstation" }.to_string()
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
            mac_address: spec
                .mac_address
                .clone()
                .unwrap_or_else(|| format!("00-50-56-{:02x}-{:02x}-{:02x}", b[5], b[6], b[7])),
            status: "normal".into(),
            tags: spec.tags.clone(),
            product_type_desc,
            system_manufacturer: manufacturer.into(),
            system_product_name: product.into(),
            first_seen: BASE_TIME - 200 * 86_400 - i64::from(b[0]) * 3600,
            last_seen,
            boot_time: BASE_TIME - 3 * 86_400 - i64::from(b[1]) * 60,
            fs: FileSystem::new(platform.path_style(), BASE_TIME - 365 * 86_400),
            processes: ProcessTable::default(),
            connections: Vec::new(),
            interfaces: Vec::new(),
            users: Vec::new(),
            env: BTreeMap::new(),
            registry: Registry::default(),
            script_outputs: spec.script_outputs.clone(),
            history: Vec::new(),
            pending: None,
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

    /// Adds the scenario's own files, accounts, processes, connections, environment and registry.
    fn apply_contents(&mut self, spec: &HostSpec, user: &str) {
        let time = BASE_TIME - 86_400;
        for f in &spec.files {
            let path = self.fs.style.resolve(self.fs.style.root(), &f.path);
            if f.directory {
                let _ = self.fs.mkdir_all(&path, time);
                continue;
            }
            let bytes = match &f.content_base64 {
                Some(b64) => base64::engine::general_purpose::STANDARD
                    .decode(b64.trim())
                    .unwrap_or_default(),
                None => f.content.clone().into_bytes(),
            };
            let _ = self.fs.write(&path, Bytes::from(bytes), time);
        }
        for u in &spec.users {
            if self
                .users
                .iter()
                .any(|x| x.name.eq_ignore_ascii_case(&u.name))
            {
                continue;
            }
            let uid = self.users.iter().map(|x| x.uid).max().unwrap_or(999) + 1;
            let (sid, home) = match self.platform {
                Platform::Windows => {
                    let base = self
                        .users
                        .first()
                        .and_then(|x| x.sid.rsplit_once('-').map(|(b, _)| b.to_string()))
                        .unwrap_or_else(|| "S-1-5-21-1004336348-1177238915-682003330".into());
                    (format!("{base}-{uid}"), format!("C:\\Users\\{}", u.name))
                }
                Platform::Linux => (uid.to_string(), format!("/home/{}", u.name)),
                Platform::Mac => (uid.to_string(), format!("/Users/{}", u.name)),
            };
            self.users.push(User {
                name: u.name.clone(),
                sid,
                uid,
                admin: u.admin,
                home,
                last_logon: BASE_TIME - 86_400,
            });
        }
        let default_user = match self.platform {
            Platform::Windows => format!("{}\\{user}", self.hostname),
            _ => user.to_string(),
        };
        let shell = match self.platform {
            Platform::Windows => "explorer.exe",
            Platform::Linux => "bash",
            Platform::Mac => "launchd",
        };
        for p in &spec.processes {
            let pid = p.pid.unwrap_or_else(|| self.processes.next_pid());
            let path = match &p.path {
                Some(path) => self.fs.style.resolve(self.fs.style.root(), path),
                None => match self.platform {
                    Platform::Windows => format!("C:\\Windows\\System32\\{}", p.name),
                    _ => format!("/usr/bin/{}", p.name),
                },
            };
            let ppid = p
                .ppid
                .unwrap_or_else(|| self.processes.by_name(shell).map_or(1, |s| s.pid));
            self.processes.insert(Process {
                pid,
                ppid,
                name: p.name.clone(),
                command_line: p.command_line.clone().unwrap_or_else(|| path.clone()),
                path,
                user: p.user.clone().unwrap_or_else(|| default_user.clone()),
                start_time: BASE_TIME - 5400 + i64::from(pid % 600),
                memory_kb: 8_192 + u64::from(pid % 89) * 1_021,
            });
        }
        for c in &spec.connections {
            let pid = c
                .pid
                .or_else(|| {
                    c.process
                        .as_deref()
                        .and_then(|n| self.processes.by_name(n))
                        .map(|p| p.pid)
                })
                .unwrap_or(4);
            let (local_address, local_port) = split_endpoint(&c.local);
            let (remote_address, remote_port) = match &c.remote {
                Some(r) => split_endpoint(r),
                None => ("0.0.0.0".into(), 0),
            };
            self.connections.push(Connection {
                proto: c.proto.to_uppercase(),
                local_address: if local_address.is_empty() {
                    self.local_ip.clone()
                } else {
                    local_address
                },
                local_port,
                remote_address,
                remote_port,
                state: c.state.to_uppercase(),
                pid,
            });
        }
        for (k, v) in &spec.env {
            self.env.insert(k.clone(), v.clone());
        }
        for r in &spec.registry {
            self.registry.set(
                &r.key,
                RegValue {
                    name: r.name.clone(),
                    kind: r.kind.clone(),
                    data: r.data.clone(),
                },
            );
        }
    }

    /// The working directory a new RTR session starts in.
    pub fn initial_cwd(&self) -> String {
        self.fs.style.root().to_string()
    }

    /// The device record as `GetDeviceDetailsV2` returns it (groups filled in by the API layer).
    pub fn device_record(&self) -> Value {
        let (platform_id, kernel) = match self.platform {
            Platform::Windows => ("0", "10.0.22631"),
            Platform::Mac => ("1", "23.6.0"),
            Platform::Linux => ("3", "5.15.0-119-generic"),
        };
        let mut parts = self.agent_version.split('.');
        let major = parts.next().unwrap_or("7");
        let minor = parts.next().unwrap_or("0");
        let build = parts.next().unwrap_or("0");
        let domain = match self.platform {
            Platform::Windows => "CORP",
            _ => "",
        };
        let mut record = serde_json::json!({
            "device_id": self.device_id,
            "cid": self.cid,
            "agent_load_flags": "0",
            "agent_local_time": clock::rfc3339(self.last_seen),
            "agent_version": self.agent_version,
            "bios_manufacturer": self.system_manufacturer,
            "bios_version": "1.22.0",
            "config_id_base": "65994763",
            "config_id_build": build,
            "config_id_platform": if self.platform == Platform::Windows { "3" } else { "8" },
            "cpu_signature": "460545",
            "external_ip": self.external_ip,
            "mac_address": self.mac_address,
            "hostname": self.hostname,
            "first_seen": clock::rfc3339(self.first_seen),
            "last_seen": clock::rfc3339(self.last_seen),
            "local_ip": self.local_ip,
            "machine_domain": domain,
            "major_version": major,
            "minor_version": minor,
            "os_version": self.os_version,
        });
        let more = serde_json::json!({
            "kernel_version": kernel,
            "platform_id": platform_id,
            "platform_name": self.platform.name(),
            "policies": [],
            "reduced_functionality_mode": "no",
            "device_policies": {},
            "groups": [],
            "group_hash": "",
            "product_type_desc": self.product_type_desc,
            "provision_status": "Provisioned",
            "serial_number": format!("SN{}", &self.device_id[..10.min(self.device_id.len())].to_uppercase()),
            "status": self.status,
            "system_manufacturer": self.system_manufacturer,
            "system_product_name": self.system_product_name,
            "tags": self.tags,
            "modified_timestamp": clock::rfc3339(self.last_seen),
            "meta": { "version": "4812" },
            "connection_ip": self.local_ip,
            "default_gateway_ip": self.local_ip.rsplit_once('.').map(|(net, _)| format!("{net}.1")).unwrap_or_default(),
            "connection_mac_address": self.mac_address,
            "chassis_type": if self.product_type_desc == "Workstation" { "9" } else { "1" },
            "chassis_type_desc": if self.product_type_desc == "Workstation" { "Laptop" } else { "Other" },
            "online": self.online,
        });
        if let (Value::Object(a), Value::Object(b)) = (&mut record, more) {
            a.extend(b);
        }
        record
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

/// Hostnames that conventionally name Windows servers.
fn looks_like_server(hostname: &str) -> bool {
    let h = hostname.to_ascii_uppercase();
    ["SRV", "DC", "SQL", "EXCH", "FS-", "APP-"]
        .iter()
        .any(|p| h.starts_with(p))
}

#[cfg(test)]
mod tests;
