//! `help("rtr::session")`, `help("Session.run")` and `help("falcon/hunt")`: the playbook helpers and the
//! built-in library described where a responder looks, with signature, options and result.

use crate::engine::stdlib::STDLIB;

/// One entry per helper function and method (the table test keeps it in step with `FUNCTIONS`/`METHODS`).
pub const HELP: &[(&str, &str)] = &[
    (
        "hosts::find",
        "hosts::find(name_or_fql) -> device record\n  exactly one host by hostname, device id or FQL filter; none or several is an error naming them\n",
    ),
    (
        "hosts::find_all",
        "hosts::find_all() / hosts::find_all(fql) -> [device record]\n  every matching host, all pages\n",
    ),
    (
        "rtr::session",
        "rtr::session(device, #{queue_offline, timeout, keepalive}) -> Session\n  device: a device record or id\n  queue_offline (false): open on an offline host; commands queue and answer `queued: true`\n  timeout (300s): default wait per command; keepalive (240s): pulse an idle session this often\n  an expired session is reopened in the directory `cd` left it in (logged); methods: help(\"Session\")\n",
    ),
    (
        "rtr::batch",
        "rtr::batch(devices, #{host_timeout, timeout, queue_offline, keepalive}) -> Batch\n  one batch session on many hosts; b.run(cmd) -> #{results: #{device_id: result}, no_answer: [ids], errors: #{id: error}}\n",
    ),
    (
        "rtr::each",
        "rtr::each(devices, |s| { ... }, #{concurrency, queue_offline, timeout, keepalive}) -> #{device_id: value}\n  the closure runs once per host on its own Session; a failed host answers #{error, device_id, hostname}\n",
    ),
    (
        "rtr::preflight",
        "rtr::preflight(devices, command) -> #{ready: [records], refused: [#{device_id, hostname, policy, setting, reason}]}\n  which hosts' response policies allow `command`, before anything is opened\n",
    ),
    (
        "fs::list",
        "fs::list() / fs::list(folder) -> [#{name, path, is_dir, size, sha256}]\n  files of the playbook's folder (or a folder inside it)\n",
    ),
    (
        "fs::read",
        "fs::read(path) -> string\n  a text file inside the playbook's folder\n",
    ),
    (
        "policies::current",
        "policies::current() / policies::current(platform) -> the tenant's response policies as code\n",
    ),
    (
        "policies::plan",
        "policies::plan(desired) -> the changes that would make the tenant match `desired`\n",
    ),
    (
        "policies::apply",
        "policies::apply(desired) -> the changes made\n",
    ),
    (
        "Session.run",
        "s.run(command) / s.run(command, #{timeout}) -> #{stdout, stderr, complete, queued?, planned, base_command, command_string, device_id, hostname, session_id, cloud_request_id, <parsed>}\n  <parsed>: `processes` (ps), `connections` (netstat), `entries` (ls), ... see help(\"rtr\")\n",
    ),
    (
        "Session.get",
        "s.get(path) / s.get(path, #{timeout}) -> #{path, sha256, size, remote_path, device_id, hostname, cloud_request_id}\n  the file, saved under --out\n",
    ),
    (
        "Session.put",
        "s.put(name) -> run result\n  copies a put-file from the library to the host's working directory\n",
    ),
    (
        "Session.runscript",
        "s.runscript(name) / s.runscript(name, args) -> run result\n  runs a custom script from the library\n",
    ),
    (
        "Session.put_and_run",
        "s.put_and_run(name) -> run result\n  copies a put-file and runs it (destructive)\n",
    ),
    (
        "Session.cd",
        "s.cd(path) -> run result\n  changes the working directory; a reopened session returns there. Windows paths: s.cd(`C:\\Windows\\Temp`)\n",
    ),
    (
        "Session.pwd",
        "s.pwd() -> string\n  the working directory\n",
    ),
    (
        "Session.kill",
        "s.kill(process) -> run result\n  kills a `ps` row only while its PID still runs the same image (destructive)\n",
    ),
    (
        "Session.close",
        "s.close()\n  closes the session now (it closes by itself at the end of the run)\n",
    ),
    (
        "Batch.run",
        "b.run(command) -> #{results: #{device_id: result}, no_answer: [device ids], errors: #{device_id: error}}\n",
    ),
    (
        "Batch.get",
        "b.get(path) -> #{results: #{device_id: file}, no_answer, errors}\n",
    ),
];

/// The help of a helper, a value type (`Session`, `Batch`) or a built-in module (`falcon/hunt`).
pub fn help(topic: &str) -> Option<String> {
    let topic = topic.trim();
    if let Some((_, text)) = HELP
        .iter()
        .find(|(t, _)| *t == topic || t.replace('.', "::") == topic)
    {
        return Some((*text).to_string());
    }
    if topic == "Session" || topic == "Batch" {
        let prefix = format!("{topic}.");
        return Some(
            HELP.iter()
                .filter(|(t, _)| t.starts_with(&prefix))
                .map(|(_, text)| *text)
                .collect(),
        );
    }
    STDLIB
        .iter()
        .find(|(path, _)| *path == topic)
        .map(|(_, text)| module_help(text))
}

/// A library module's header comment, then each public function with its `///` lines.
fn module_help(text: &str) -> String {
    let mut out = String::new();
    for line in text
        .lines()
        .take_while(|l| l.starts_with("//") && !l.starts_with("///"))
    {
        out.push_str(line.trim_start_matches('/').trim_start_matches(' '));
        out.push('\n');
    }
    let mut doc = Vec::new();
    for line in text.lines() {
        if let Some(d) = line.strip_prefix("///") {
            doc.push(d.trim().to_string());
        } else if let Some(sig) = line.strip_prefix("fn ") {
            let sig = sig.split('{').next().unwrap_or(sig).trim();
            out.push_str(&format!("  {sig}\n"));
            for d in &doc {
                out.push_str(&format!("      {d}\n"));
            }
            doc.clear();
        } else if !line.starts_with("//") {
            doc.clear();
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rtr::{FUNCTIONS, METHODS};

    #[test]
    fn every_helper_and_method_has_help() {
        for (m, f, _) in FUNCTIONS {
            assert!(help(&format!("{m}::{f}")).is_some(), "{m}::{f}");
        }
        for (t, m, _) in METHODS {
            assert!(help(&format!("{t}.{m}")).is_some(), "{t}.{m}");
        }
        for (path, _) in STDLIB {
            assert!(help(path).is_some_and(|h| h.contains("  ")), "{path}");
        }
    }
}
