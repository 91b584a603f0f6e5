//! What a reboot does to a host: processes started since boot are gone, and whatever the
//! host's persistence points at starts again (Run keys on Windows, crontabs on Linux, launch
//! agents and daemons on Mac), with the connections the scenario gave its image. So killing an implant without removing its
//! persistence is undone by the next `restart`, as on a real endpoint.

use super::network::Connection;
use super::process::Process;
use super::{Host, Platform};

/// Processes that started within this many seconds of boot are part of booting.
const BOOT_WINDOW: i64 = 600;

impl Host {
    /// Reboots the host at `now` (Unix seconds).
    pub fn reboot(&mut self, now: i64) {
        let boot = self.boot_time;
        let gone: Vec<u32> = self
            .processes
            .all()
            .iter()
            .filter(|p| p.start_time > boot + BOOT_WINDOW)
            .map(|p| p.pid)
            .collect();
        for pid in &gone {
            self.processes.remove(*pid);
        }
        self.connections.retain(|c| !gone.contains(&c.pid));
        let shift = now - boot;
        let kept: Vec<Process> = self.processes.all().to_vec();
        for mut p in kept {
            p.start_time += shift;
            self.processes.insert(p);
        }
        self.boot_time = now;
        for (image, user) in self.persisted_images() {
            let Some(bytes) = self.fs.get(&image).and_then(|n| n.bytes()) else {
                continue;
            };
            // A prevent IOC stops the persisted image from starting again.
            if self.prevented.contains(&super::digest::sha256_hex(bytes)) {
                continue;
            }
            let key = self.fs.style.key(&image);
            if self
                .processes
                .runs_image(|p| self.fs.style.key(p), &key)
                .is_some()
            {
                continue;
            }
            let pid = self.processes.next_pid();
            let restored: Vec<_> = self
                .beacons
                .iter()
                .filter(|(k, _)| *k == key)
                .map(|(_, c)| Connection { pid, ..c.clone() })
                .collect();
            self.connections.extend(restored);
            self.processes.insert(Process {
                pid,
                ppid: 1,
                name: self.fs.style.file_name(&image),
                path: image.clone(),
                command_line: image,
                user,
                start_time: now + 45,
                memory_kb: 8_192 + u64::from(pid % 89) * 1_021,
            });
        }
    }

    /// Images the host starts by itself after boot, with the account they run as.
    fn persisted_images(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        match self.platform {
            Platform::Windows => {
                let run = "Software\\Microsoft\\Windows\\CurrentVersion\\Run";
                let mut keys = vec![format!("HKEY_LOCAL_MACHINE\\{run}")];
                keys.extend(
                    self.registry
                        .subkeys("HKEY_USERS")
                        .into_iter()
                        .map(|u| format!("{u}\\{run}")),
                );
                let user = format!("{}\\{}", self.hostname, self.interactive_user());
                for k in keys {
                    for v in self.registry.get(&k).map_or(&[][..], |k| &k.values) {
                        if let Some(image) = self.windows_image(&v.data) {
                            out.push((image, user.clone()));
                        }
                    }
                }
            }
            Platform::Linux => {
                // System crontabs name the account; user crontabs are named after it.
                let mut tabs: Vec<(String, Option<String>)> = self
                    .fs
                    .children("/etc/cron.d")
                    .iter()
                    .map(|n| (n.path.clone(), None))
                    .collect();
                tabs.extend(
                    self.fs
                        .children("/var/spool/cron/crontabs")
                        .iter()
                        .map(|n| (n.path.clone(), Some(self.fs.style.file_name(&n.path)))),
                );
                for (path, owner) in tabs {
                    let Some(bytes) = self.fs.get(&path).and_then(|n| n.bytes()) else {
                        continue;
                    };
                    for line in String::from_utf8_lossy(bytes).lines() {
                        let f: Vec<&str> = line.split_whitespace().collect();
                        if line.trim_start().starts_with('#') {
                            continue;
                        }
                        match &owner {
                            Some(user) if f.len() >= 6 => {
                                out.push((f[5].to_string(), user.clone()));
                            }
                            None if f.len() >= 7 => out.push((f[6].to_string(), f[5].to_string())),
                            _ => {}
                        }
                    }
                }
            }
            Platform::Mac => {
                let mut dirs = vec![
                    "/Library/LaunchAgents".to_string(),
                    "/Library/LaunchDaemons".into(),
                ];
                dirs.extend(
                    self.users
                        .iter()
                        .map(|u| format!("{}/Library/LaunchAgents", u.home)),
                );
                for d in dirs {
                    for n in self.fs.children(&d) {
                        let text = n.bytes().map(|b| String::from_utf8_lossy(b).into_owned());
                        let text = text.unwrap_or_default();
                        if let Some(image) = text
                            .split("<string>")
                            .skip(1)
                            .filter_map(|s| s.split("</string>").next())
                            .find(|s| s.starts_with('/'))
                        {
                            out.push((image.to_string(), "root".into()));
                        }
                    }
                }
            }
        }
        out
    }

    /// The executable a Run value starts: quotes and arguments dropped, `%windir%` expanded.
    fn windows_image(&self, data: &str) -> Option<String> {
        let data = data.trim();
        let exe = match data.strip_prefix('"') {
            Some(rest) => rest.split('"').next()?,
            None => data.split_whitespace().next()?,
        };
        let exe = exe
            .replace("%windir%", "C:\\Windows")
            .replace("%SystemRoot%", "C:\\Windows")
            .replace("%ProgramFiles%", "C:\\Program Files");
        Some(self.fs.style.resolve("C:\\", &exe))
    }

    /// The account of the host's interactive user (the first non-administrator).
    fn interactive_user(&self) -> String {
        self.users
            .iter()
            .find(|u| !u.admin)
            .or(self.users.first())
            .map_or_else(|| "SYSTEM".to_string(), |u| u.name.clone())
    }
}
