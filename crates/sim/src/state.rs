//! The emulated tenant: fleet, host groups, policies, RTR library, sessions, tokens and counters,
//! all behind one lock (handlers are short and never block while holding it).

use super::fql::{self, Filter};
use super::host::{Host, HostSpec, Platform, default_fleet, generate_fleet};
use super::ids::IdGen;
use super::journal::Memory;
use super::library::{Item, sha256_hex};
use super::policy::{
    DEFAULT_NAME, Policy, default_settings, platform_index, setting_applies, setting_index,
};
use super::rtr_records::{Batch, BatchGet, CommandRecord, Session};
use super::scenario::Scenario;
use super::stamp::{API_USER, now_stamp};
use base64::Engine;
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet, VecDeque};
use std::time::{Duration, Instant, SystemTime};

/// The request log keeps at most this many entries (the oldest half is dropped beyond it).
const LOG_CAP: usize = 200_000;

pub struct State {
    pub scenario: Scenario,
    pub client_id: String,
    pub client_secret: String,
    pub(crate) ids: IdGen,
    tokens: HashMap<String, Instant>,
    /// When each request of the last minute came (the sliding window of the rate limit).
    rate_window: VecDeque<Instant>,
    /// API requests so far (the 429 storm counts them).
    pub(crate) api_requests: u64,
    pub(crate) hosts: Vec<HostEntry>,
    pub(crate) host_index: HashMap<String, usize>,
    pub(crate) groups: Vec<Group>,
    pub(crate) policies: Vec<Policy>,
    /// Per platform, non-default policy ids from highest precedence (1) down.
    pub(crate) precedence: [Vec<String>; 3],
    pub(crate) scripts: Vec<Item>,
    pub(crate) put_files: Vec<Item>,
    pub(crate) sessions: HashMap<String, Session>,
    pub(crate) commands: HashMap<String, CommandRecord>,
    /// Cloud request ids of commands waiting for an offline host, oldest first.
    pub(crate) queue: Vec<String>,
    pub(crate) batches: HashMap<String, Batch>,
    pub(crate) batch_gets: HashMap<String, BatchGet>,
    /// Hosts coming back from `restart`.
    pub(crate) restarts: Vec<(Instant, usize)>,
    pub(crate) next_file_id: u64,
    /// Set by batch commands: the answer leaves no earlier, as the real call waits for its hosts.
    pub(crate) hold_until: Option<Instant>,
    /// Set while a batch call runs its hosts: Falcon sends the command to every host at once, so
    /// each host's latency counts from the call, not from when the emulator got to that host.
    pub(crate) dispatched: Option<Instant>,
    pub(crate) executions: HashMap<String, u32>,
    total_executions: u64,
    /// When expired commands, sessions and batches were last forgotten (`retention`).
    pub(crate) pruned_at: Option<Instant>,
    log: Vec<LogEntry>,
    /// The state file the embedded emulator keeps between commands (`journal`), and the schedule.
    pub(crate) memory: Memory,
    /// Open scroll cursors by token (`scroll`).
    pub(crate) scrolls: HashMap<String, super::scroll::Scroll>,
    /// Alerts, incidents and IOCs (`detections`).
    pub(crate) detections: super::detection_records::Detections,
    /// The `member_cid` of each token request that named one (MSSP), oldest first.
    pub(crate) member_cids: Vec<String>,
}

/// One answered request, for tests.
#[derive(Debug, Clone, PartialEq)]
pub struct LogEntry {
    pub method: String,
    pub path: String,
    /// `None` for routes outside the operation table.
    pub op: Option<&'static str>,
    pub status: u16,
}

pub struct HostEntry {
    pub host: Host,
    /// `normal`, `containment_pending`, `contained`, `lift_containment_pending`.
    pub status: &'static str,
    /// A pending containment change and when it settles (only while the host is online).
    pub settles: Option<(Instant, &'static str)>,
    pub hidden: bool,
}

pub struct Group {
    pub id: String,
    pub name: String,
    pub description: String,
    pub group_type: String,
    pub assignment_rule: String,
    pub rule: Option<Filter>,
    pub members: HashSet<String>,
    pub created_timestamp: String,
    pub modified_timestamp: String,
}

impl Group {
    pub fn record(&self) -> Value {
        json!({
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "group_type": self.group_type,
            "assignment_rule": self.assignment_rule,
            "created_by": API_USER,
            "created_timestamp": self.created_timestamp,
            "modified_by": API_USER,
            "modified_timestamp": self.modified_timestamp,
        })
    }
}

impl State {
    pub fn new(
        scenario: Scenario,
        seed: u64,
        client_id: String,
        client_secret: String,
    ) -> Result<State, String> {
        let seed = scenario.seed.unwrap_or(seed);
        let mut state = State {
            client_id,
            client_secret,
            ids: IdGen::new(seed),
            tokens: HashMap::new(),
            rate_window: VecDeque::new(),
            api_requests: 0,
            hosts: Vec::new(),
            host_index: HashMap::new(),
            groups: Vec::new(),
            policies: Vec::new(),
            precedence: [Vec::new(), Vec::new(), Vec::new()],
            scripts: Vec::new(),
            put_files: Vec::new(),
            sessions: HashMap::new(),
            commands: HashMap::new(),
            queue: Vec::new(),
            batches: HashMap::new(),
            batch_gets: HashMap::new(),
            restarts: Vec::new(),
            hold_until: None,
            dispatched: None,
            next_file_id: 1,
            executions: HashMap::new(),
            total_executions: 0,
            pruned_at: None,
            log: Vec::new(),
            memory: Memory::new(seed),
            scrolls: HashMap::new(),
            detections: Default::default(),
            member_cids: Vec::new(),
            scenario,
        };
        state.load(seed)?;
        Ok(state)
    }

    fn load(&mut self, seed: u64) -> Result<(), String> {
        let stamp = now_stamp();
        for spec in self.scenario.host_groups.clone() {
            let rule = match spec.group_type.as_str() {
                "dynamic" => Some(
                    fql::parse(&spec.assignment_rule)
                        .map_err(|e| format!("host group `{}`: {e}", spec.name))?,
                ),
                "static" | "staticByID" => None,
                other => {
                    return Err(format!(
                        "host group `{}`: unknown `group_type` `{other}`",
                        spec.name
                    ));
                }
            };
            let id = self.ids.hex32();
            self.groups.push(Group {
                id,
                name: spec.name,
                description: spec.description,
                group_type: spec.group_type,
                assignment_rule: spec.assignment_rule,
                rule,
                members: HashSet::new(),
                created_timestamp: stamp.clone(),
                modified_timestamp: stamp.clone(),
            });
        }
        let mut specs: Vec<HostSpec> = self.scenario.hosts.clone();
        if let Some(fleet) = &self.scenario.fleet {
            specs.extend(generate_fleet(fleet, seed));
        }
        if specs.is_empty() {
            specs = default_fleet();
        }
        self.hosts.reserve(specs.len());
        for (index, spec) in specs.iter().enumerate() {
            let mut host = Host::from_spec(spec, index, seed);
            host.cid = self.scenario.cid.clone();
            if self.host_index.contains_key(&host.device_id) {
                return Err(format!("host `{}`: duplicate device id", host.hostname));
            }
            for name in &host.group_names {
                let gi = match self.groups.iter().position(|g| &g.name == name) {
                    Some(gi) => gi,
                    None => {
                        let id = self.ids.hex32();
                        self.groups.push(Group {
                            id,
                            name: name.clone(),
                            description: String::new(),
                            group_type: "static".into(),
                            assignment_rule: String::new(),
                            rule: None,
                            members: HashSet::new(),
                            created_timestamp: stamp.clone(),
                            modified_timestamp: stamp.clone(),
                        });
                        self.groups.len() - 1
                    }
                };
                self.groups[gi].members.insert(host.device_id.clone());
            }
            self.host_index.insert(host.device_id.clone(), index);
            self.hosts.push(HostEntry {
                host,
                status: "normal",
                settles: None,
                hidden: false,
            });
        }
        self.raise_alerts(&specs);
        for platform in [Platform::Windows, Platform::Linux, Platform::Mac] {
            let id = self.ids.hex32();
            self.policies.push(Policy {
                id,
                name: DEFAULT_NAME.into(),
                description: "Platform-specific default policy".into(),
                platform,
                enabled: true,
                settings: default_settings(),
                groups: Vec::new(),
                is_default: true,
                created_by: "CS-USER".into(),
                created_timestamp: stamp.clone(),
                modified_by: "CS-USER".into(),
                modified_timestamp: stamp.clone(),
            });
        }
        for spec in self.scenario.policies.clone() {
            let mut settings = default_settings();
            for (name, on) in &spec.settings {
                let i = setting_index(name)
                    .ok_or_else(|| format!("policy `{}`: unknown setting `{name}`", spec.name))?;
                if !setting_applies(name, spec.platform) {
                    return Err(format!(
                        "policy `{}`: setting `{name}` does not exist in {} response policies",
                        spec.name,
                        spec.platform.name()
                    ));
                }
                settings[i] = *on;
            }
            let mut groups = Vec::new();
            for name in &spec.groups {
                let group = self
                    .groups
                    .iter()
                    .find(|g| &g.name == name)
                    .ok_or_else(|| {
                        format!("policy `{}`: unknown host group `{name}`", spec.name)
                    })?;
                groups.push(group.id.clone());
            }
            if spec.name == DEFAULT_NAME {
                let default = self
                    .policies
                    .iter_mut()
                    .find(|p| p.is_default && p.platform == spec.platform)
                    .ok_or("default policy missing")?;
                default.settings = settings;
                continue;
            }
            let id = self.ids.hex32();
            self.precedence[platform_index(spec.platform)].push(id.clone());
            self.policies.push(Policy {
                id,
                name: spec.name,
                description: spec.description,
                platform: spec.platform,
                enabled: spec.enabled,
                settings,
                groups,
                is_default: false,
                created_by: API_USER.into(),
                created_timestamp: stamp.clone(),
                modified_by: API_USER.into(),
                modified_timestamp: stamp.clone(),
            });
        }
        for spec in self.scenario.scripts.clone() {
            let content = spec.content.into_bytes();
            let sha = sha256_hex(&content);
            let mut item = self.new_item(&spec.name, &spec.description, content.into(), sha);
            item.platform = spec.platform;
            item.permission_type = spec.permission_type;
            self.scripts.push(item);
        }
        for spec in self.scenario.put_files.clone() {
            let bytes = match &spec.content_base64 {
                Some(b) => base64::engine::general_purpose::STANDARD
                    .decode(b.trim())
                    .map_err(|e| format!("put-file `{}`: `content_base64`: {e}", spec.name))?,
                None => spec.content.into_bytes(),
            };
            let sha = sha256_hex(&bytes);
            let item = self.new_item(&spec.name, &spec.description, bytes.into(), sha);
            self.put_files.push(item);
        }
        Ok(())
    }

    /// A library item; the caller hashes the content (uploads are hashed before the lock is taken).
    pub(crate) fn new_item(
        &mut self,
        name: &str,
        description: &str,
        content: bytes::Bytes,
        sha256: String,
    ) -> Item {
        let stamp = now_stamp();
        Item {
            id: self.ids.hex32(),
            name: name.into(),
            description: description.into(),
            comments_for_audit_log: String::new(),
            sha256,
            content,
            platform: Vec::new(),
            permission_type: "private".into(),
            created_by: API_USER.into(),
            created_timestamp: stamp.clone(),
            modified_by: API_USER.into(),
            modified_timestamp: stamp,
        }
    }

    // ---- tokens and limits ----

    pub(crate) fn issue_token(&mut self) -> (String, u64) {
        let now = Instant::now();
        if self.tokens.len() > 10_000 {
            self.tokens.retain(|_, exp| *exp > now);
        }
        let nanos = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        let sep = if self.scenario.faults.unsendable_token {
            "\r\n"
        } else {
            ""
        };
        let token = format!(
            "{}{:016x}{sep}{}",
            self.ids.hex32(),
            nanos,
            self.ids.hex32()
        );
        let life = self.scenario.token_lifetime_secs;
        self.tokens
            .insert(token.clone(), now + Duration::from_secs(life));
        (token, life)
    }

    /// Every bearer token issued so far and still remembered (tests grep output for them).
    pub fn issued_tokens(&self) -> Vec<String> {
        self.tokens.keys().cloned().collect()
    }

    /// Ends every issued token now, as if they had all reached their lifetime (fault tests).
    pub fn expire_tokens(&mut self) {
        self.tokens.clear();
    }

    pub(crate) fn revoke_token(&mut self, token: &str) {
        self.tokens.remove(token);
    }

    pub(crate) fn token_valid(&self, token: &str) -> bool {
        self.tokens
            .get(token)
            .is_some_and(|exp| *exp > Instant::now())
    }

    /// Counts a request in the sliding one-minute window: `Ok(remaining)`, or
    /// `Err(retry_after)` in seconds since the epoch when the window is full.
    pub(crate) fn take_rate(&mut self) -> Result<u32, u64> {
        let limit = self.scenario.rate_limit_per_minute;
        if limit == 0 {
            return Ok(u32::MAX);
        }
        let now = Instant::now();
        let window = Duration::from_secs(60);
        while self
            .rate_window
            .front()
            .is_some_and(|t| now.duration_since(*t) >= window)
        {
            self.rate_window.pop_front();
        }
        if self.rate_window.len() >= limit as usize {
            let oldest = self.rate_window.front().copied().unwrap_or(now);
            let at = SystemTime::now() + (oldest + window).saturating_duration_since(now);
            return Err(at
                .duration_since(SystemTime::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs() + 1));
        }
        self.rate_window.push_back(now);
        Ok(limit - self.rate_window.len() as u32)
    }

    // ---- counters and log (read by tests through `SimHandle::state`) ----

    pub(crate) fn count_execution(&mut self, cloud_request_id: &str) {
        *self
            .executions
            .entry(cloud_request_id.to_string())
            .or_default() += 1;
        self.total_executions += 1;
    }

    /// How many times the command with this cloud request id (or batch task id) ran on its host.
    pub fn executions(&self, cloud_request_id: &str) -> u32 {
        self.executions.get(cloud_request_id).copied().unwrap_or(0)
    }

    /// Every execution counted, keyed by cloud request id.
    pub fn execution_counts(&self) -> &HashMap<String, u32> {
        &self.executions
    }

    /// Device id -> how many times `command_string` ran there (tests count a fan-out's work per host).
    pub fn executions_by_host(&self, command_string: &str) -> HashMap<String, u32> {
        let mut out = HashMap::new();
        for c in self
            .commands
            .values()
            .filter(|c| c.command_string == command_string)
        {
            let n = self.executions(&c.id);
            if n > 0 {
                *out.entry(self.hosts[c.host].host.device_id.clone())
                    .or_default() += n;
            }
        }
        out
    }

    pub fn total_executions(&self) -> u64 {
        self.total_executions
    }

    /// The `member_cid` each token request named (MSSP child tenants), oldest first.
    pub fn member_cids(&self) -> &[String] {
        &self.member_cids
    }

    pub fn request_log(&self) -> &[LogEntry] {
        &self.log
    }

    pub(crate) fn record(&mut self, entry: LogEntry) {
        if self.log.len() >= LOG_CAP {
            self.log.drain(..LOG_CAP / 2);
        }
        self.log.push(entry);
    }

    // ---- fleet ----

    pub fn device_ids(&self) -> Vec<String> {
        self.hosts
            .iter()
            .map(|h| h.host.device_id.clone())
            .collect()
    }

    pub fn host(&self, device_id: &str) -> Option<&Host> {
        self.host_index.get(device_id).map(|&i| &self.hosts[i].host)
    }

    /// Direct access to a simulated host (tests plant files and processes through it).
    pub fn host_mut(&mut self, device_id: &str) -> Option<&mut Host> {
        self.host_index
            .get(device_id)
            .map(|&i| &mut self.hosts[i].host)
    }

    pub fn device_id_of(&self, hostname: &str) -> Option<String> {
        self.hosts
            .iter()
            .find(|h| h.host.hostname.eq_ignore_ascii_case(hostname))
            .map(|h| h.host.device_id.clone())
    }

    /// Brings a host online or takes it offline; coming online runs its queued commands.
    pub fn set_online(&mut self, device_id: &str, online: bool) -> bool {
        let Some(&i) = self.host_index.get(device_id) else {
            return false;
        };
        self.host_event(i, online, "manual");
        true
    }

    /// The name of the response policy that governs the host.
    pub fn effective_policy_name(&self, device_id: &str) -> Option<String> {
        let &i = self.host_index.get(device_id)?;
        Some(self.policies[self.effective_policy(i)].name.clone())
    }

    /// Time-driven changes: restarted hosts come back, expired things are forgotten.
    pub(crate) fn tick(&mut self) {
        self.prune();
        self.scheduled_returns();
        if self.restarts.is_empty() {
            return;
        }
        let now = Instant::now();
        let due: Vec<usize> = self
            .restarts
            .iter()
            .filter(|(at, _)| *at <= now)
            .map(|(_, i)| *i)
            .collect();
        self.restarts.retain(|(at, _)| *at > now);
        for i in due {
            self.host_event(i, true, "restart");
        }
    }

    pub(crate) fn host_status(&self, i: usize) -> &'static str {
        let entry = &self.hosts[i];
        match entry.settles {
            Some((at, to)) if entry.host.online && Instant::now() >= at => to,
            _ => entry.status,
        }
    }

    /// The ids of the groups a host belongs to (static membership or a matching dynamic rule).
    pub(crate) fn host_groups(&self, i: usize) -> Vec<&str> {
        let entry = &self.hosts[i];
        let mut base = None;
        self.groups
            .iter()
            .filter(|g| match &g.rule {
                None => g.members.contains(&entry.host.device_id),
                Some(rule) => rule.matches(base.get_or_insert_with(|| self.base_record(i))),
            })
            .map(|g| g.id.as_str())
            .collect()
    }

    /// The index of the host's effective response policy: the enabled policy of its platform
    /// with the highest precedence assigned to one of its groups, else the platform default.
    pub(crate) fn effective_policy(&self, i: usize) -> usize {
        let platform = self.hosts[i].host.platform;
        let groups = self.host_groups(i);
        for id in &self.precedence[platform_index(platform)] {
            if let Some(pi) = self.policies.iter().position(|p| &p.id == id) {
                let p = &self.policies[pi];
                if p.enabled && p.groups.iter().any(|g| groups.contains(&g.as_str())) {
                    return pi;
                }
            }
        }
        self.policies
            .iter()
            .position(|p| p.is_default && p.platform == platform)
            .unwrap_or(0)
    }

    pub(crate) fn precedence_of(&self, pi: usize) -> usize {
        let p = &self.policies[pi];
        let order = &self.precedence[platform_index(p.platform)];
        if p.is_default {
            return order.len() + 1;
        }
        order.iter().position(|id| id == &p.id).map_or(0, |n| n + 1)
    }

    pub(crate) fn policy_record(&self, pi: usize) -> Value {
        let p = &self.policies[pi];
        let groups = p
            .groups
            .iter()
            .filter_map(|id| self.groups.iter().find(|g| &g.id == id))
            .map(Group::record)
            .collect();
        p.record(&self.scenario.cid, groups)
    }

    /// What filters and sorts see of a policy: its record plus `precedence`, which Falcon sorts and
    /// filters by but does not put in the record.
    pub(crate) fn policy_query_record(&self, pi: usize) -> Value {
        let mut record = self.policy_record(pi);
        record["precedence"] = json!(self.precedence_of(pi));
        record
    }

    /// The device fields that do not depend on groups (dynamic group rules match on these).
    fn base_record(&self, i: usize) -> Value {
        let entry = &self.hosts[i];
        let mut record = entry.host.device_record();
        if let Value::Object(map) = &mut record {
            map.insert("status".into(), json!(self.host_status(i)));
        }
        record
    }

    /// `deviceapi.DeviceSwagger`: the host's record with its groups and response policy.
    pub(crate) fn device_record(&self, i: usize) -> Value {
        let mut record = self.base_record(i);
        let groups: Vec<&str> = self.host_groups(i);
        let pi = self.effective_policy(i);
        if let Value::Object(map) = &mut record {
            map.insert("groups".into(), json!(groups));
            map.insert(
                "device_policies".into(),
                json!({ "remote_response": {
                    "policy_id": self.policies[pi].id,
                    "policy_type": "remote-response",
                    "applied": true,
                }}),
            );
        }
        record
    }
}
