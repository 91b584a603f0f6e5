//! A simulated endpoint: file system, processes, network, users, registry, and the RTR commands that act on them.
//!
//! This module knows hosts, not HTTP: the emulator's API layer (`sim::*`) decides whether a command
//! may run (tier, policy, platform, online) and then calls [`Host::execute`].

use serde::{Deserialize, Serialize};
use serde_json::Value;

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
}

/// One host as a scenario file describes it (everything but identity is optional).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
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
        Host {
            device_id,
            hostname: spec.hostname.clone(),
            platform: spec.platform.unwrap_or(Platform::Windows),
            os_version: spec
                .os_version
                .clone()
                .unwrap_or_else(|| "Windows 10".into()),
            online: spec.online,
            group_names: spec.groups.clone(),
        }
    }

    /// The device record as `GetDeviceDetailsV2` returns it (groups filled in by the API layer).
    pub fn device_record(&self) -> Value {
        serde_json::json!({
            "device_id": self.device_id,
            "hostname": self.hostname,
            "platform_name": self.platform.name(),
            "os_version": self.os_version,
        })
    }

    /// Runs one RTR command. `cwd` is the session's working directory, updated by `cd`.
    pub fn execute(
        &mut self,
        _cwd: &mut String,
        base_command: &str,
        _command_string: &str,
        _env: &dyn CommandEnv,
    ) -> CommandOutput {
        CommandOutput {
            stderr: format!("{base_command}: not simulated yet"),
            ..Default::default()
        }
    }
}

/// The built-in scenario's fleet: a few hosts, one compromised Windows and one compromised Linux host.
pub fn default_fleet() -> Vec<HostSpec> {
    vec![HostSpec {
        hostname: "WS-001".into(),
        platform: Some(Platform::Windows),
        online: true,
        ..Default::default()
    }]
}
