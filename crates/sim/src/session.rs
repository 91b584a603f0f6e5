//! RTR sessions and the command lifecycle: who may run what, running it on the host, queueing for
//! offline hosts, latency before `complete`, and the files `get` leaves behind.

use super::envelope::Fail;
use super::host::{CommandOutput, Host};
use super::library::{FALCON_SCRIPTS, Item, Library};
use super::rtr_records::{CommandRecord, FileEntry, NOT_DELETED, Progress, Session};
use super::stamp::{API_USER, now_stamp};
use super::state::State;
use crate::ops::commands::{self, RTR_SETTING, Tier};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

impl Session {
    pub fn expired(&self, idle: Duration) -> bool {
        self.last_used.elapsed() >= idle
    }

    /// `domain.Session`.
    pub fn record(&self, state: &State) -> Value {
        let host = &state.hosts[self.host].host;
        let logs: Vec<Value> = self
            .commands
            .iter()
            .filter_map(|id| state.commands.get(id))
            .enumerate()
            .map(|(n, c)| {
                json!({
                    "id": n + 1, "session_id": self.id, "cloud_request_id": c.id,
                    "base_command": c.base_command, "command_string": c.command_string,
                    "current_directory": self.cwd, "created_at": c.created_at,
                    "updated_at": c.created_at,
                })
            })
            .collect();
        json!({
            "id": self.id,
            "cid": state.scenario.cid,
            "device_id": self.device_id,
            "hostname": host.hostname,
            "platform_name": host.platform.name(),
            "origin": self.origin,
            "offline_queued": self.offline_queued,
            "commands_queued": self.commands.iter().any(|id| matches!(
                state.commands.get(id).map(|c| &c.progress), Some(Progress::Queued))),
            "cloud_request_ids": self.commands,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "deleted_at": NOT_DELETED,
            "duration": self.last_used.elapsed().as_secs_f64(),
            "pwd": self.cwd,
            "logs": logs,
            "user_id": API_USER,
            "user_uuid": "5c1b6f4e-0000-4000-8000-00000000a11e",
        })
    }
}

impl State {
    /// A live (not expired) session, refreshed by the use.
    pub(crate) fn live_session(&mut self, session_id: &str) -> Result<&mut Session, Fail> {
        let idle = Duration::from_secs(self.scenario.session_idle_secs);
        match self.sessions.get(session_id) {
            Some(s) if !s.expired(idle) => {}
            Some(_) => {
                self.sessions.remove(session_id);
                return Err(Fail::not_found(format!(
                    "session `{session_id}` expired after {}s without activity",
                    idle.as_secs()
                )));
            }
            None => {
                return Err(Fail::not_found(format!("session `{session_id}` not found")));
            }
        }
        let session = self
            .sessions
            .get_mut(session_id)
            .ok_or_else(|| Fail::not_found(format!("session `{session_id}` not found")))?;
        session.last_used = Instant::now();
        Ok(session)
    }

    /// Opens a session on a host by device id (the single and batch inits); the error says why it
    /// cannot.
    pub(crate) fn open_rtr_session(
        &mut self,
        device_id: &str,
        origin: &str,
        queue_offline: bool,
    ) -> Result<String, Fail> {
        let host = self
            .host_index
            .get(device_id)
            .copied()
            .ok_or_else(|| Fail::not_found(format!("device `{device_id}` not found")))?;
        self.check_rtr_allowed(host)?;
        let online = self.hosts[host].host.online;
        if !online && !queue_offline {
            // psfalcon#76: 40401 for a host that does not answer, unless the session is queued.
            return Err(Fail::rtr(40401, "Could not establish sensor comms"));
        }
        Ok(self.open_session(host, origin, !online))
    }

    pub(crate) fn open_session(&mut self, host: usize, origin: &str, queued: bool) -> String {
        let id = self.ids.uuid();
        let stamp = now_stamp();
        let entry = &self.hosts[host].host;
        self.sessions.insert(
            id.clone(),
            Session {
                id: id.clone(),
                device_id: entry.device_id.clone(),
                host,
                origin: origin.to_string(),
                offline_queued: queued,
                cwd: entry.initial_cwd(),
                created_at: stamp.clone(),
                updated_at: stamp,
                last_used: Instant::now(),
                commands: Vec::new(),
                files: Vec::new(),
            },
        );
        id
    }

    /// Whether the host's effective policy lets RTR connect at all.
    pub(crate) fn check_rtr_allowed(&self, host: usize) -> Result<(), Fail> {
        let p = &self.policies[self.effective_policy(host)];
        if p.allows(RTR_SETTING) {
            return Ok(());
        }
        Err(Fail::new(
            403,
            format!(
                "response policy `{}` ({}) does not allow real time response: setting `{RTR_SETTING}` is disabled",
                p.name,
                p.platform.name()
            ),
        ))
    }

    /// Everything the cloud checks before a command reaches the host: the command exists, the
    /// endpoint's tier runs it, the platform supports it, and the effective response policy allows it.
    pub(crate) fn check_command(
        &self,
        host: usize,
        endpoint: Tier,
        base_command: &str,
        command_string: &str,
    ) -> Result<(), Fail> {
        if !commands::base_of(command_string).eq_ignore_ascii_case(base_command) {
            return Err(Fail::bad(format!(
                "`command_string` `{command_string}` does not start with `base_command` `{base_command}`"
            )));
        }
        // elastic/kibana's CrowdStrike emulator (answers copied from a tenant): 40007 `Command not found`.
        let command = commands::lookup(base_command, command_string)
            .ok_or_else(|| Fail::rtr(40007, "Command not found"))?;
        check_flags(command, command_string)?;
        self.check_cloud_file(command, command_string)?;
        if command.tier > endpoint {
            return Err(Fail::bad(format!(
                "`{}` needs the {} endpoint; the {} endpoint cannot run it",
                command.name,
                command.tier.name(),
                endpoint.name()
            )));
        }
        let platform = self.hosts[host].host.platform;
        if !command.platforms.contains(platform) {
            return Err(Fail::bad(format!(
                "`{}` is not supported on {}",
                command.name,
                platform.name()
            )));
        }
        let p = &self.policies[self.effective_policy(host)];
        for setting in commands::settings_needed(command) {
            if !p.allows(setting) {
                // 40006 `Command is not valid` (elastic/kibana's emulator; CrowdStrike/CAST#15, where
                // CrowdStrike's maintainer names the response policy as the cause). It does not
                // name the policy: the client works that out (`rtr::refusal`).
                return Err(Fail::rtr(40006, "Command is not valid"));
            }
        }
        Ok(())
    }

    /// Records a command and runs it now, or queues it when the host is offline.
    pub(crate) fn submit(
        &mut self,
        session_id: &str,
        base_command: &str,
        command_string: &str,
    ) -> (String, bool) {
        let (id, job) = self.record_command(session_id, base_command, command_string);
        let queued = job.is_none();
        if let Some(mut job) = job {
            let out = self.execute(&mut job);
            self.finish(job, out);
        }
        (id, queued)
    }

    /// [`State::submit`] for many commands on distinct hosts (a batch): recorded in order, run on
    /// the hosts side by side, finished in order, so ids, counts and answers are those of one
    /// `submit` after another. Commands for one host run one after the other.
    pub(crate) fn submit_all(&mut self, commands: &[(&str, &str, &str)]) -> Vec<(String, bool)> {
        let mut submitted = Vec::with_capacity(commands.len());
        let mut jobs = Vec::new();
        for (session_id, base, line) in commands {
            let (id, job) = self.record_command(session_id, base, line);
            let queued = job.is_none();
            submitted.push((id, queued));
            jobs.extend(job);
        }
        let mut hosts: Vec<usize> = jobs.iter().map(|j| j.host).collect();
        hosts.sort_unstable();
        hosts.dedup();
        let outputs = if hosts.len() == jobs.len() {
            self.execute_apart(&mut jobs)
        } else {
            jobs.iter_mut().map(|j| self.execute(j)).collect()
        };
        for (job, out) in jobs.into_iter().zip(outputs) {
            self.finish(job, out);
        }
        submitted
    }

    /// Records a command and queues it for an offline host; for an online one, returns the job
    /// that runs it (its ids drawn now, in the order one `submit` after another would draw them).
    fn record_command(
        &mut self,
        session_id: &str,
        base_command: &str,
        command_string: &str,
    ) -> (String, Option<Job>) {
        let id = self.ids.uuid();
        let host = match self.sessions.get_mut(session_id) {
            Some(s) => {
                s.commands.push(id.clone());
                s.host
            }
            None => 0,
        };
        self.commands.insert(
            id.clone(),
            CommandRecord {
                id: id.clone(),
                submitted: Instant::now(),
                session_id: session_id.to_string(),
                host,
                base_command: base_command.to_string(),
                command_string: command_string.to_string(),
                created_at: now_stamp(),
                progress: Progress::Queued,
            },
        );
        if !self.hosts[host].host.online {
            self.queue.push(id.clone());
            return (id, None);
        }
        let job = self.job(&id);
        (id, job)
    }

    /// What running a recorded command needs; `None` for an unknown id.
    fn job(&mut self, id: &str) -> Option<Job> {
        let cmd = self.commands.get(id)?;
        let (host, session_id) = (cmd.host, cmd.session_id.clone());
        let (base, line) = (cmd.base_command.clone(), cmd.command_string.clone());
        let cwd = self
            .sessions
            .get(&session_id)
            .map_or_else(|| self.hosts[host].host.initial_cwd(), |s| s.cwd.clone());
        Some(Job {
            id: id.to_string(),
            host,
            session_id,
            base,
            line,
            cwd,
            file_uuid: self.ids.uuid(),
        })
    }

    /// Runs a recorded command on its host and counts the execution.
    fn run(&mut self, id: &str) {
        if let Some(mut job) = self.job(id) {
            let out = self.execute(&mut job);
            self.finish(job, out);
        }
    }

    fn execute(&mut self, job: &mut Job) -> CommandOutput {
        let State {
            hosts,
            scripts,
            put_files,
            ..
        } = self;
        run_on(&mut hosts[job.host].host, job, scripts, put_files)
    }

    /// Runs each job on its own host (every job's host differs), on every core: a batch of
    /// thousands of commands was most of the emulator's time in the call.
    fn execute_apart(&mut self, jobs: &mut [Job]) -> Vec<CommandOutput> {
        const PER_THREAD: usize = 64;
        let State {
            hosts,
            scripts,
            put_files,
            ..
        } = self;
        let (scripts, put_files) = (&scripts[..], &put_files[..]);
        let mut slot = vec![usize::MAX; hosts.len()];
        for (n, job) in jobs.iter().enumerate() {
            slot[job.host] = n;
        }
        // Each job with its own host, in job order.
        let mut owned: Vec<(usize, &mut Host)> = hosts
            .iter_mut()
            .enumerate()
            .filter(|(i, _)| slot[*i] != usize::MAX)
            .map(|(i, e)| (slot[i], &mut e.host))
            .collect();
        owned.sort_unstable_by_key(|(n, _)| *n);
        let mut work: Vec<(&mut Job, &mut Host)> = jobs
            .iter_mut()
            .zip(owned)
            .map(|(job, (_, host))| (job, host))
            .collect();
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(work.len().div_ceil(PER_THREAD))
            .max(1);
        let chunk = work.len().div_ceil(threads).max(1);
        std::thread::scope(|scope| {
            let parts: Vec<_> = work
                .chunks_mut(chunk)
                .map(|part| {
                    scope.spawn(move || {
                        part.iter_mut()
                            .map(|(job, host)| run_on(host, job, scripts, put_files))
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            parts
                .into_iter()
                .flat_map(|p| p.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                .collect()
        })
    }

    /// Counts an execution and keeps what it left: the session's directory and files, the host
    /// going down, the output once the latency passed.
    fn finish(&mut self, job: Job, mut out: CommandOutput) {
        let Job {
            id,
            host,
            session_id,
            base,
            line,
            cwd,
            file_uuid,
        } = job;
        self.count_execution(&id);
        let file_id = self.next_file_id;
        if let Some(session) = self.sessions.get_mut(&session_id) {
            session.cwd = cwd;
            if let Some(file) = out.extracted.take() {
                session.files.push(FileEntry {
                    id: file_id,
                    uuid: file_uuid,
                    cloud_request_id: id.clone(),
                    name: file.path,
                    sha256: file.sha256,
                    bytes: file.bytes.into(),
                    created_at: now_stamp(),
                    deleted: false,
                });
                self.next_file_id += 1;
            }
        }
        if out.goes_offline {
            self.hosts[host].host.online = false;
            if base.eq_ignore_ascii_case("restart") {
                let back = Instant::now() + Duration::from_secs(self.scenario.restart_secs);
                self.restarts.push((back, host));
            }
        }
        // A script runs as long as it sleeps (`timeouts::script_runtime`), so a batch timeout can
        // cut it short.
        let latency = Duration::from_millis(self.scenario.command_latency_ms)
            + self.script_runtime(&base, &line);
        let sent = self.dispatched.unwrap_or_else(Instant::now);
        if let Some(cmd) = self.commands.get_mut(&id) {
            cmd.progress = Progress::Done {
                at: sent + latency,
                stdout: out.stdout,
                stderr: out.stderr,
            };
        }
    }

    /// Runs the commands queued for a host that just came online, oldest first.
    pub(crate) fn run_queued(&mut self, host: usize) {
        let due: Vec<String> = self
            .queue
            .iter()
            .filter(|id| {
                self.commands
                    .get(*id)
                    .is_some_and(|c| c.host == host && matches!(c.progress, Progress::Queued))
            })
            .cloned()
            .collect();
        self.queue.retain(|id| !due.contains(id));
        for id in due {
            self.run(&id);
        }
    }

    /// `domain.StatusResponse` for one chunk of a command's output.
    pub(crate) fn command_status(&self, id: &str, sequence: usize) -> Result<Value, Fail> {
        let cmd = self
            .commands
            .get(id)
            .ok_or_else(|| Fail::not_found(format!("cloud request `{id}` not found")))?;
        let (complete, stdout, stderr) = match &cmd.progress {
            Progress::Done { at, stdout, stderr } if Instant::now() >= *at => {
                let size = self.scenario.stdout_chunk_bytes.max(1);
                let (chunk, more) = chunk_of(stdout, size, sequence);
                // As FalconPy's maintainers describe it (falconpy#992): `complete` false on a
                // finished command's chunk means the next `sequence_id` holds more output.
                (
                    !more,
                    chunk,
                    if sequence == 0 { stderr.as_str() } else { "" },
                )
            }
            Progress::Canceled => (true, "", "command canceled"),
            _ => (false, "", ""),
        };
        Ok(json!({
            "session_id": cmd.session_id,
            "task_id": cmd.id,
            "base_command": cmd.base_command,
            "sequence_id": sequence,
            "complete": complete,
            "stdout": stdout,
            "stderr": stderr,
        }))
    }
}

impl State {
    /// How long a `runscript` keeps its host busy: the sleeps of its `-Raw=` text or of the cloud
    /// script it names.
    fn script_runtime(&self, base: &str, line: &str) -> Duration {
        if !base.eq_ignore_ascii_case("runscript") {
            return Duration::ZERO;
        }
        let args = super::host::commands::Args::parse(base, line);
        let content = match (args.value("Raw"), args.value("CloudFile")) {
            (Some(raw), _) => raw.to_string(),
            (None, Some(name)) => self
                .scripts
                .iter()
                .find(|s| s.name == name)
                .map(|s| String::from_utf8_lossy(&s.content).into_owned())
                .unwrap_or_default(),
            _ => String::new(),
        };
        super::timeouts::script_runtime(content.trim_matches('`'))
    }
}

impl State {
    /// `runscript -CloudFile=NAME` of a script the cloud does not have is refused before the host sees
    /// it: 40412 `The file NAME could not be found` (elastic/kibana's CrowdStrike emulator keeps two
    /// such answers, `rtr_admin_route.ts`: `The file test1 could not be found`).
    fn check_cloud_file(
        &self,
        command: &commands::CommandSpec,
        command_string: &str,
    ) -> Result<(), Fail> {
        if command.key != commands::Cmd::Runscript {
            return Ok(());
        }
        let args = super::host::commands::Args::parse(command.name, command_string);
        let Some(name) = args.value("CloudFile") else {
            return Ok(());
        };
        let library = Library {
            scripts: &self.scripts,
            put_files: &self.put_files,
        };
        if super::host::CommandEnv::script(&library, name).is_none() {
            return Err(Fail::rtr(
                40412,
                format!("The file {name} could not be found"),
            ));
        }
        Ok(())
    }
}

/// Refuses a flag the command's grammar does not have (`ops::command_flags`), as the cloud does
/// before the host sees the command: 40014 `Unrecognized flag found: <Flag>, value: <value>`.
fn check_flags(command: &commands::CommandSpec, command_string: &str) -> Result<(), Fail> {
    let Some(known) = crate::ops::command_flags::flags(command.key) else {
        return Ok(());
    };
    let args = super::host::commands::Args::parse(command.name, command_string);
    for (flag, value) in &args.options {
        if !crate::ops::command_flags::accepts(known, flag) {
            return Err(Fail::rtr(
                40014,
                format!(
                    "Unrecognized flag found: {flag}, value: {}",
                    value.as_deref().unwrap_or("")
                ),
            ));
        }
    }
    Ok(())
}

/// A recorded command about to run on its host.
struct Job {
    id: String,
    host: usize,
    session_id: String,
    base: String,
    line: String,
    /// The session's working directory, updated by the command.
    cwd: String,
    /// Drawn before the command runs, as `submit` always drew it, for a file it may leave.
    file_uuid: String,
}

/// Runs one job on its host: the command's output, nothing else of the tenant touched.
fn run_on(host: &mut Host, job: &mut Job, scripts: &[Item], put_files: &[Item]) -> CommandOutput {
    let (base, line) = (&job.base, &job.line);
    if base.eq_ignore_ascii_case("falconscript") {
        // Only CrowdStrike's catalogue: a custom script of the same name is not a Falcon script.
        let env = Library {
            scripts: &[],
            put_files,
        };
        return match falcon_script_name(line) {
            Some(name) if FALCON_SCRIPTS.iter().any(|f| f.1 == name) => {
                let runscript = format!("runscript -CloudFile=\"{name}\"");
                host.execute(&mut job.cwd, "runscript", &runscript, &env)
            }
            Some(name) => failed(format!("Falcon script '{name}' was not found")),
            None => {
                failed("usage: falconscript -Name=<Falcon script name> [-JsonInput=<json>]".into())
            }
        };
    }
    let env = Library { scripts, put_files };
    host.execute(&mut job.cwd, base, line, &env)
}

/// A command that produced only an error line.
fn failed(stderr: String) -> CommandOutput {
    CommandOutput {
        stdout: String::new(),
        stderr,
        goes_offline: false,
        extracted: None,
    }
}

/// The `-Name=` of a `falconscript` line, quoted or up to the next space.
fn falcon_script_name(line: &str) -> Option<String> {
    let lower = line.to_ascii_lowercase();
    let at = lower.find("-name=")? + "-name=".len();
    let rest = &line[at..];
    let name = match rest.strip_prefix('"') {
        Some(quoted) => quoted.split('"').next().unwrap_or(""),
        None => rest.split_whitespace().next().unwrap_or(""),
    };
    (!name.is_empty()).then(|| name.to_string())
}

/// The `n`-th chunk of `text`, at most `size` bytes, cut on a character boundary, and whether
/// more text follows it.
fn chunk_of(text: &str, size: usize, n: usize) -> (&str, bool) {
    let mut start = 0;
    for i in 0..=n {
        if start >= text.len() {
            return ("", false);
        }
        let mut end = (start + size).min(text.len());
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        if end == start {
            end = start + text[start..].chars().next().map_or(1, char::len_utf8);
        }
        if i == n {
            return (&text[start..end], end < text.len());
        }
        start = end;
    }
    ("", false)
}

#[cfg(test)]
mod tests {
    use super::{chunk_of, falcon_script_name};

    #[test]
    fn falcon_script_names_are_read_quoted_or_bare() {
        let name = |l: &str| falcon_script_name(l);
        assert_eq!(
            name("falconscript -Name=Collect -JsonInput={}").as_deref(),
            Some("Collect")
        );
        assert_eq!(
            name(r#"falconscript -name="Two Words""#).as_deref(),
            Some("Two Words")
        );
        assert_eq!(name("falconscript"), None);
        assert_eq!(name("falconscript -Name=ü€").as_deref(), Some("ü€"));
    }

    #[test]
    fn chunks_cover_the_text_on_char_boundaries() {
        let text = "aé".repeat(10);
        let mut joined = String::new();
        for n in 0.. {
            let (c, more) = chunk_of(&text, 4, n);
            assert!(!c.is_empty() && c.len() <= 4);
            joined.push_str(c);
            if !more {
                break;
            }
        }
        assert_eq!(joined, text);
        assert_eq!(chunk_of(&text, 4, 99), ("", false));
    }
}
