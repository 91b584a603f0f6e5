//! The parts of a scenario's host description beyond identity: files, processes, connections,
//! users, environment, registry values and script outputs.

use serde::{Deserialize, Serialize};

/// A file or directory to place on the host (parents are created).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileSpec {
    pub path: String,
    /// Text content; ignored for directories and when `content_base64` is set.
    #[serde(default)]
    pub content: String,
    /// Binary content, base64-encoded.
    #[serde(default)]
    pub content_base64: Option<String>,
    #[serde(default)]
    pub directory: bool,
}

/// A running process; `pid` is assigned when absent.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProcessSpec {
    #[serde(default)]
    pub pid: Option<u32>,
    #[serde(default)]
    pub ppid: Option<u32>,
    pub name: String,
    /// The image path; defaults to a platform system directory plus `name`.
    #[serde(default)]
    pub path: Option<String>,
    #[serde(default)]
    pub command_line: Option<String>,
    #[serde(default)]
    pub user: Option<String>,
}

/// A network connection or listening socket, addresses written `ip:port`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConnectionSpec {
    #[serde(default = "tcp")]
    pub proto: String,
    pub local: String,
    #[serde(default)]
    pub remote: Option<String>,
    #[serde(default = "established")]
    pub state: String,
    /// The owning process, by pid or by name (the first process with that name).
    #[serde(default)]
    pub pid: Option<u32>,
    #[serde(default)]
    pub process: Option<String>,
}

fn tcp() -> String {
    "TCP".into()
}

fn established() -> String {
    "ESTABLISHED".into()
}

/// A local account.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserSpec {
    pub name: String,
    #[serde(default)]
    pub admin: bool,
}

/// One registry value (Windows); the key is created with its parents.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegistryValueSpec {
    /// Full key path, e.g. `HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Run`.
    pub key: String,
    /// Value name; empty for the key's default value.
    #[serde(default)]
    pub name: String,
    #[serde(default = "reg_sz", rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub data: String,
}

fn reg_sz() -> String {
    "REG_SZ".into()
}
