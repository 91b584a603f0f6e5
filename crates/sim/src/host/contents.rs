//! Applying a scenario's host content (files, accounts, processes, connections, environment,
//! registry) on top of the platform baseline.

use base64::Engine as _;
use bytes::Bytes;

use super::account::User;
use super::clock::BASE_TIME;
use super::network::{Connection, split_endpoint};
use super::process::Process;
use super::registry::RegValue;
use super::{Host, HostSpec, Platform};

impl Host {
    /// Adds the scenario's own files, accounts, processes, connections, environment and registry.
    pub(super) fn apply_contents(&mut self, spec: &HostSpec, user: &str) {
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
            let conn = Connection {
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
            };
            // Remember what the process's image connects to, so a restart that starts the image
            // again (persistence) also brings its connection back.
            if let Some(p) = self.processes.get(pid) {
                self.beacons
                    .push((self.fs.style.key(&p.path), conn.clone()));
            }
            self.connections.push(conn);
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
}
