//! Checks a scenario's host description before it becomes a host, so a scenario author hears
//! about a typo instead of getting a silently emptier host.

use base64::Engine as _;

use super::network::split_endpoint;
use super::registry::canonical;
use super::{HostSpec, Platform};

impl HostSpec {
    /// Says what is wrong with this description, naming the host and the entry.
    pub fn validate(&self) -> Result<(), String> {
        let host = &self.hostname;
        if host.trim().is_empty() {
            return Err("a host has an empty `hostname`".into());
        }
        if let Some(id) = &self.device_id
            && (id.len() != 32 || !id.chars().all(|c| c.is_ascii_hexdigit()))
        {
            return Err(format!(
                "host `{host}`: `device_id` must be 32 hex digits, not `{id}`"
            ));
        }
        let platform = self.platform.unwrap_or(Platform::Windows);
        let absolute = |p: &str| match platform {
            Platform::Windows => {
                let b = p.as_bytes();
                b.len() >= 3
                    && b[0].is_ascii_alphabetic()
                    && b[1] == b':'
                    && matches!(b[2], b'\\' | b'/')
            }
            _ => p.starts_with('/'),
        };
        for f in &self.files {
            if !absolute(&f.path) {
                return Err(format!(
                    "host `{host}`: file `{}` needs an absolute {} path",
                    f.path,
                    platform.name()
                ));
            }
            if let Some(b64) = &f.content_base64
                && base64::engine::general_purpose::STANDARD
                    .decode(b64.trim())
                    .is_err()
            {
                return Err(format!(
                    "host `{host}`: file `{}`: `content_base64` is not valid base64",
                    f.path
                ));
            }
        }
        let mut pids: Vec<u32> = self.processes.iter().filter_map(|p| p.pid).collect();
        pids.sort_unstable();
        if let Some(w) = pids.windows(2).find(|w| w[0] == w[1]) {
            return Err(format!("host `{host}`: two processes have pid {}", w[0]));
        }
        for p in &self.processes {
            if p.name.trim().is_empty() {
                return Err(format!("host `{host}`: a process has an empty `name`"));
            }
            if let Some(path) = &p.path
                && !absolute(path)
            {
                return Err(format!(
                    "host `{host}`: process `{}`: `path` `{path}` is not absolute",
                    p.name
                ));
            }
        }
        for c in &self.connections {
            for end in std::iter::once(&c.local).chain(c.remote.as_ref()) {
                if split_endpoint(end).1 == 0 && !end.ends_with(":0") {
                    return Err(format!(
                        "host `{host}`: connection endpoint `{end}` needs a port (`ip:port`)"
                    ));
                }
            }
            if let Some(name) = &c.process
                && !self
                    .processes
                    .iter()
                    .any(|p| p.name.eq_ignore_ascii_case(name))
            {
                return Err(format!(
                    "host `{host}`: connection names process `{name}`, which the host does not list"
                ));
            }
        }
        if !self.registry.is_empty() && platform != Platform::Windows {
            return Err(format!(
                "host `{host}`: only Windows hosts have a `registry`, this one is {}",
                platform.name()
            ));
        }
        for r in &self.registry {
            if !canonical(&r.key).starts_with("HKEY_") {
                return Err(format!(
                    "host `{host}`: registry key `{}` must start with a hive (`HKLM`, `HKCU`, `HKU`, ...)",
                    r.key
                ));
            }
            if !r.kind.starts_with("REG_") {
                return Err(format!(
                    "host `{host}`: registry value `{}`: `type` must be a REG_ type, not `{}`",
                    r.name, r.kind
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::{
        ConnectionSpec, FileSpec, FleetTemplate, RegistryValueSpec, default_fleet, generate_fleet,
    };
    use super::*;

    #[test]
    fn the_built_in_fleet_is_valid() {
        for h in default_fleet() {
            h.validate().unwrap();
        }
        let t = FleetTemplate {
            count: 300,
            compromised_fraction: 0.5,
            ..Default::default()
        };
        for h in generate_fleet(&t, 3) {
            h.validate().unwrap();
        }
    }

    #[test]
    fn mistakes_are_named() {
        let base = HostSpec {
            hostname: "lab".into(),
            platform: Some(Platform::Linux),
            ..Default::default()
        };
        let mut h = base.clone();
        h.files.push(FileSpec {
            path: "tmp/x".into(),
            ..Default::default()
        });
        assert_eq!(
            h.validate().unwrap_err(),
            "host `lab`: file `tmp/x` needs an absolute Linux path"
        );
        let mut h = base.clone();
        h.files.push(FileSpec {
            path: "/tmp/x".into(),
            content_base64: Some("%%%".into()),
            ..Default::default()
        });
        assert!(h.validate().unwrap_err().contains("not valid base64"));
        let mut h = base.clone();
        h.connections.push(ConnectionSpec {
            local: "10.0.0.1".into(),
            ..Default::default()
        });
        assert!(h.validate().unwrap_err().contains("needs a port"));
        let mut h = base.clone();
        h.registry.push(RegistryValueSpec {
            key: "HKLM\\Software".into(),
            kind: "REG_SZ".into(),
            ..Default::default()
        });
        assert!(h.validate().unwrap_err().contains("only Windows hosts"));
        let mut h = base;
        h.device_id = Some("xyz".into());
        assert!(h.validate().unwrap_err().contains("32 hex digits"));
    }
}
