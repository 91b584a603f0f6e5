//! The shell's targets: how `--host`, `--filter`, `--group` (and `:add`/`:drop`) name hosts, the Rhai that
//! finds them, and the statement that opens the batch over them.

use super::line::{BATCH, literal};
use crate::terminal;
use serde_json::Value;

/// One way of naming hosts.
#[derive(Clone, Debug, PartialEq)]
pub enum Spec {
    /// A hostname (or device id), matched exactly.
    Name(String),
    /// An FQL filter over hosts.
    Filter(String),
    /// A host group, by name.
    Group(String),
}

impl Spec {
    /// `:add`/`:drop` take a host name or FQL: a bare word is a name, anything with FQL's
    /// punctuation or a space is a filter.
    pub fn from_arg(arg: &str) -> Spec {
        let arg = arg.trim();
        if crate::helpers::normalize_filter(arg) == arg {
            Spec::Filter(arg.to_string())
        } else {
            Spec::Name(arg.to_string())
        }
    }

    /// A Rhai expression giving `[#{device_id, hostname, platform}]` for the hosts this names, all pages.
    pub fn expression(&self) -> String {
        let filter = match self {
            Spec::Name(n) => literal(&format!("hostname:'{n}'")),
            Spec::Filter(f) => literal(f),
            Spec::Group(g) => {
                // The group's id first: hosts name their groups by id.
                return format!(
                    "{{ let g = host_group::query_combined_host_groups(#{{ filter: {} }}).body.resources; \
                     if g.len() != 1 {{ throw `${{g.len()}} host groups are named {}`; }} \
                     hosts::find_all(`groups:'${{g[0].id}}'`).map(|h| #{{ device_id: h.device_id, hostname: h.hostname, platform: h.platform_name }}) }}",
                    literal(&format!("name:'{g}'")),
                    g.replace(['`', '$', '\\'], "_")
                );
            }
        };
        format!(
            "hosts::find_all({filter}).map(|h| #{{ device_id: h.device_id, hostname: h.hostname, platform: h.platform_name }})"
        )
    }

    pub fn describe(&self) -> String {
        match self {
            Spec::Name(n) => format!("host `{}`", terminal::short(n, 80)),
            Spec::Filter(f) => format!("filter `{}`", terminal::short(f, 80)),
            Spec::Group(g) => format!("group `{}`", terminal::short(g, 80)),
        }
    }
}

/// A target host as the shell keeps it.
#[derive(Clone, Debug)]
pub struct Host {
    pub device_id: String,
    pub hostname: String,
    pub platform: String,
    /// Where `cd` (or `pwd`) last said the host's session is; `None` before either.
    pub cwd: Option<String>,
}

impl Host {
    /// Reads one `#{device_id, hostname, platform}` the expression gave.
    pub fn from_json(v: &Value) -> Option<Host> {
        let s = |k: &str| {
            v.get(k)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        let device_id = s("device_id");
        (!device_id.is_empty()).then(|| Host {
            device_id,
            hostname: s("hostname"),
            platform: s("platform"),
            cwd: None,
        })
    }

    /// The name a header shows: the hostname, else the device id; made safe for a terminal.
    pub fn label(&self) -> String {
        let name = if self.hostname.is_empty() {
            &self.device_id
        } else {
            &self.hostname
        };
        terminal::line(name).into_owned()
    }
}

/// The statement that opens the batch over `hosts`, by device id (a saved session replays on the same
/// hosts, whatever a filter would match later); a comment names them.
pub fn open_statement(hosts: &[Host], queue_offline: bool) -> String {
    let ids: Vec<String> = hosts.iter().map(|h| literal(&h.device_id)).collect();
    let names: Vec<String> = hosts.iter().map(Host::label).collect();
    format!(
        "// {}\nlet {BATCH} = rtr::batch([{}], #{{ queue_offline: {queue_offline} }});",
        names.join(", "),
        ids.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bare_word_is_a_name_and_punctuation_makes_a_filter() {
        assert_eq!(Spec::from_arg("WS-042"), Spec::Name("WS-042".into()));
        assert_eq!(
            Spec::from_arg("platform_name:'Windows'"),
            Spec::Filter("platform_name:'Windows'".into())
        );
    }
}
