//! Scenario files (TOML): the fleet, tenant objects and the cloud's behaviour (latency, limits, faults).
//!
//! Every key is optional; `scenarios/example.toml` documents them all. With no hosts and no fleet
//! template the host module's default fleet is used.

use super::host::archive::ArchiveFault;
use super::host::{FleetTemplate, HostSpec, Platform};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Scenario {
    /// Overrides the `--seed` of the command line when set.
    pub seed: Option<u64>,
    /// How long a command runs before its status says `complete: true`.
    pub command_latency_ms: u64,
    pub token_lifetime_secs: u64,
    /// Requests per client per minute; `0` turns the limit off.
    pub rate_limit_per_minute: u32,
    /// Announced in `X-Cs-Region` on the token answer (FalconPy then moves to that real cloud).
    pub region: Option<String>,
    /// RTR sessions expire after this long without a command or a pulse.
    pub session_idle_secs: u64,
    /// Command output longer than this is split across `sequence_id` chunks.
    pub stdout_chunk_bytes: usize,
    /// A restarted host comes back online after this long.
    pub restart_secs: u64,
    /// A command and its output are kept this long after it finished (a queued one this long after
    /// it was sent): Falcon keeps commands queued for offline hosts for 7 days.
    pub command_retention_secs: u64,
    /// Commands kept at most, whatever their age (the oldest finished ones are forgotten first).
    pub max_commands: usize,
    /// A connection that sends no complete request headers for this long is closed (idle
    /// keep-alive connections and slow-header senders alike); a request body must arrive within it too.
    pub idle_timeout_secs: u64,
    /// Request bodies larger than this answer 413 (put-files are the big ones).
    pub body_limit_bytes: usize,
    pub cid: String,
    pub hosts: Vec<HostSpec>,
    /// A generated fleet (the host module's template), added to `hosts`.
    pub fleet: Option<FleetTemplate>,
    pub host_groups: Vec<GroupSpec>,
    pub policies: Vec<PolicySpec>,
    pub scripts: Vec<ScriptSpec>,
    pub put_files: Vec<PutFileSpec>,
    pub faults: Faults,
}

impl Default for Scenario {
    fn default() -> Scenario {
        Scenario {
            seed: None,
            command_latency_ms: 200,
            token_lifetime_secs: 1800,
            rate_limit_per_minute: 6000,
            region: None,
            session_idle_secs: 600,
            stdout_chunk_bytes: 64 * 1024,
            restart_secs: 5,
            command_retention_secs: 7 * 24 * 3600,
            max_commands: 50_000,
            idle_timeout_secs: 60,
            body_limit_bytes: 256 * 1024 * 1024,
            cid: "0123456789abcdef0123456789abcdef".into(),
            hosts: Vec::new(),
            fleet: None,
            host_groups: Vec::new(),
            policies: Vec::new(),
            scripts: Vec::new(),
            put_files: Vec::new(),
            faults: Faults::default(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupSpec {
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// `static` (members listed by hosts' `groups`) or `dynamic` (members match `assignment_rule`).
    #[serde(default = "default_group_type")]
    pub group_type: String,
    #[serde(default)]
    pub assignment_rule: String,
}

fn default_group_type() -> String {
    "static".into()
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicySpec {
    /// `platform_default` changes the platform's default policy instead of adding one.
    pub name: String,
    pub platform: Platform,
    #[serde(default)]
    pub description: String,
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Host group names.
    #[serde(default)]
    pub groups: Vec<String>,
    /// Setting id -> enabled; unnamed settings keep the default (all on but the memory dumps).
    #[serde(default)]
    pub settings: BTreeMap<String, bool>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScriptSpec {
    pub name: String,
    pub content: String,
    #[serde(default)]
    pub description: String,
    #[serde(default = "default_script_platforms")]
    pub platform: Vec<String>,
    #[serde(default = "default_permission")]
    pub permission_type: String,
}

fn default_script_platforms() -> Vec<String> {
    vec!["windows".into()]
}

fn default_permission() -> String {
    "public".into()
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PutFileSpec {
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// The file's bytes as text; `content_base64` for binary files.
    #[serde(default)]
    pub content: String,
    #[serde(default)]
    pub content_base64: Option<String>,
}

/// Injected failures; fractions apply to every API call except `/oauth2/*`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Faults {
    pub error_500: f64,
    pub error_503: f64,
    /// Fraction of answers whose connection breaks mid-answer.
    pub drop: f64,
    /// Requests number `storm_after + 1 ..= storm_after + storm_length` answer 429.
    pub storm_after: u64,
    pub storm_length: u64,
    /// What happens to every extracted file's 7z archive (`none` unless asked).
    pub extracted_archive: ArchiveFault,
    /// Every token answered has a line break inside (a broken proxy or a hostile endpoint): a client
    /// must refuse it rather than put it in a header.
    pub unsendable_token: bool,
}

/// The largest generated fleet (a real tenant's order of magnitude).
pub const MAX_FLEET: usize = 1_000_000;

impl Scenario {
    pub fn load(path: &Path) -> Result<Scenario, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read scenario `{}`: {e}", path.display()))?;
        Scenario::parse(&text).map_err(|e| format!("scenario `{}`: {e}", path.display()))
    }

    pub fn parse(text: &str) -> Result<Scenario, String> {
        let scenario: Scenario = toml::from_str(text).map_err(|e| e.to_string())?;
        // A typo in `count` must be an error, not an attempt to allocate the memory of a planet.
        if let Some(f) = &scenario.fleet
            && f.count > MAX_FLEET
        {
            return Err(format!(
                "`fleet.count` is {}; at most {MAX_FLEET} hosts are simulated",
                f.count
            ));
        }
        if scenario.idle_timeout_secs == 0 {
            return Err("`idle_timeout_secs` must be at least 1".into());
        }
        Ok(scenario)
    }
}
