//! `case report`: the case as one self-contained HTML page — no scripts, no fonts, no images, nothing
//! fetched. A summary first (outcome, totals, integrity), then the timeline across hosts, refused
//! steps, errors, evidence with hashes, each host's commands and changes, and the audit log.
//!
//! Built with maud, whose templates escape every value unless a template says otherwise (none does):
//! text from hosts and the tenant cannot become markup. Each RTR command appears once, with its kind
//! from the catalogue; a host is always its hostname with the device id beside it; values are
//! pretty-printed and wrap; an output larger than the case keeps inline is cut in the page and
//! linked, by relative path, to the full text written beside the page (the case keeps it in
//! `blobs.jsonl`, one file for all).

use super::blobs::{INLINE_MAX, resolve};
use super::folder::{SUMMARY_FILE, read_info};
use super::pack::Pack;
use super::summary::{Loaded, audit_devices, build};
use crate::ops::{Effect, commands};
use maud::{DOCTYPE, Markup, html};
use serde_json::{Value, json};
use std::cell::{Cell, OnceCell, RefCell};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// Most rows of the timeline; the case keeps every one.
const TIMELINE_ROWS: usize = 20_000;
/// Output shown inline across the whole page: past it, outputs are only linked (a 10,000-host case
/// stays a page a browser opens).
const PAGE_OUTPUT: usize = 1 << 20;

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:2em;color:#222;max-width:110em}\
table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:3px 6px;\
text-align:left;vertical-align:top;font-size:13px}th{background:#f0f0f0}code,pre{font-family:monospace}\
pre{white-space:pre-wrap;overflow-wrap:anywhere;margin:0;max-height:30em;overflow:auto}\
td code{overflow-wrap:anywhere}.err{color:#a00}.ok{color:#070}.id{color:#666;font-size:11px}\
section.host{border-top:2px solid #888;margin-top:1.5em}";

/// A field as text (`""` when absent, JSON for anything not a string).
fn s(v: &Value, k: &str) -> String {
    match &v[k] {
        Value::String(x) => x.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// A value as a person reads it: indented JSON, in a block that wraps.
fn pretty(v: &Value) -> Markup {
    let text = match v {
        Value::String(s) => s.clone(),
        other => serde_json::to_string_pretty(other).unwrap_or_else(|_| other.to_string()),
    };
    html! { pre { (text) } }
}

/// Hostnames by device id, from every record that names both.
struct Names(HashMap<String, String>);

impl Names {
    fn new(summary: &Value, loaded: &Loaded) -> Names {
        let mut m = HashMap::new();
        if let Some(hosts) = summary["hosts"].as_object() {
            for (id, h) in hosts {
                m.insert(id.clone(), s(h, "hostname"));
            }
        }
        for c in &loaded.commands {
            m.entry(s(c, "device_id"))
                .or_insert_with(|| s(c, "hostname"));
        }
        m.retain(|_, name| !name.is_empty());
        Names(m)
    }

    /// The host as every table shows it: its hostname, its device id beside it.
    fn host(&self, device_id: &str, hostname: &str) -> Markup {
        let name = if hostname.is_empty() {
            self.0.get(device_id).map(String::as_str).unwrap_or("")
        } else {
            hostname
        };
        html! {
            @if !name.is_empty() { (name) " " }
            @if !device_id.is_empty() { code.id { (device_id) } }
        }
    }

    /// The first hosts of a list, then how many more (a batch names thousands).
    fn hosts(&self, device_ids: &[String]) -> Markup {
        const SHOWN: usize = 20;
        html! {
            @for (i, d) in device_ids.iter().take(SHOWN).enumerate() {
                @if i > 0 { ", " }
                (self.host(d, ""))
            }
            @if device_ids.len() > SHOWN { " and " (device_ids.len() - SHOWN) " more" }
        }
    }
}

/// What kind of step a command is, from the catalogue (an unknown command counts as destructive).
fn command_kind(c: &Value) -> &'static str {
    let line = s(c, "command");
    match commands::lookup(commands::base_of(&line), &line) {
        Some(spec) if spec.destructive => "command (destructive)",
        Some(spec) if spec.changes_host => "command (changes the host)",
        Some(_) => "command (read-only)",
        None => "command (unknown)",
    }
}

/// An audit entry that is one of the RTR commands the case lists, or a session's housekeeping: the
/// report shows those once, as commands, or not at all; every other entry is a change.
fn audit_kind(a: &Value) -> Option<&'static str> {
    if a.get("command").is_some() {
        return None;
    }
    let effect = crate::ops::by_id(&s(a, "operation_id")).map(|op| op.effect);
    match effect {
        Some(Effect::Session) | Some(Effect::Read) => None,
        _ => Some("change"),
    }
}

/// Where the page's long outputs go: a folder beside the page, one `<sha256>.txt` per output it
/// links, so the page and its outputs move together and the case folder stays as its manifest says.
pub struct Outputs {
    /// The folder written.
    pub dir: PathBuf,
    /// The same folder as the page links it (relative, ending in `/`).
    pub link: String,
}

impl Outputs {
    /// Creates the folder, or finds it a folder: a link planted under its name (the page may be
    /// written where others can write, as a case folder may sit) would have the report write where
    /// the link points, so nothing is written and the page links no output.
    fn ready(&self) -> bool {
        let _ = std::fs::create_dir_all(&self.dir);
        std::fs::symlink_metadata(&self.dir).is_ok_and(|m| m.is_dir())
    }
}

/// Long outputs read from the case's pack, written out once each, and the page's output budget.
struct Links<'a> {
    pack: Pack,
    outputs: &'a Outputs,
    /// Outputs written beside the page so far.
    written: RefCell<HashSet<String>>,
    /// Whether the outputs' folder is one (not a link, not a file), found at the first output:
    /// when it is not, none is written or linked.
    ready: OnceCell<bool>,
    /// Output shown inline so far.
    shown: Cell<usize>,
}

impl Links<'_> {
    /// A command's output: whole when the case keeps it inline, else its start and a link to the
    /// full text (and only the link once the page holds [`PAGE_OUTPUT`]).
    fn output(&self, v: &Value) -> Markup {
        let blob = v.get("blob").and_then(Value::as_str);
        let (text, link) = match resolve(&self.pack, v) {
            Ok(text) => {
                let link = blob.and_then(|sha| self.export(sha, &text));
                (text, link)
            }
            // Said in place of the text, so a reader sees that something was withheld; never
            // linked, whatever the text a host printed looks like.
            Err(e) => (format!("[falconry: {e}]"), None),
        };
        let size = v
            .get("size")
            .and_then(Value::as_u64)
            .map_or(text.len(), |n| n as usize);
        if size == 0 {
            return html! {};
        }
        if let Some(href) = &link
            && self.shown.get() >= PAGE_OUTPUT
        {
            // Past the page's budget: the link alone keeps a 10,000-host page small.
            return html! { a href=(href) { "output" } " (" (size) " bytes)" };
        }
        let cut: String = match text.char_indices().nth(INLINE_MAX) {
            Some((i, _)) => text[..i].to_string(),
            None => text,
        };
        self.shown.set(self.shown.get() + cut.len());
        html! {
            details {
                summary { (size) " bytes"
                    @if let Some(href) = &link {
                        " (first " (cut.len()) " shown; full text: "
                        a href=(href) { (href) }
                        ")"
                    }
                }
                pre { (cut) }
            }
        }
    }

    /// Writes the blob `sha`'s text (read back and checked, so `sha` is a hash) beside the page
    /// (once) and returns its link; none when it could not be written.
    fn export(&self, sha: &str, text: &str) -> Option<String> {
        if !*self.ready.get_or_init(|| self.outputs.ready()) {
            return None;
        }
        let name = format!("{sha}.txt");
        if self.written.borrow_mut().insert(sha.to_string()) {
            // Created anew, never written through a link planted under the name.
            super::files::create(&self.outputs.dir.join(&name))
                .and_then(|mut f| std::io::Write::write_all(&mut f, text.as_bytes()))
                .ok()?;
        }
        Some(format!("{}{name}", self.outputs.link))
    }
}

/// `case report DIR`: the page; the long outputs it links are written to `outputs`.
pub fn render_report(dir: &Path, outputs: &Outputs) -> Result<String, String> {
    let info = read_info(dir)?;
    let loaded = Loaded::load(dir)?;
    let summary = super::files::read_to_string(&dir.join(SUMMARY_FILE))
        .ok()
        .and_then(|t| serde_json::from_str::<Value>(&t).ok())
        .unwrap_or_else(|| build(&info, &loaded, &json!({ "status": "unfinished" })));
    let verification = match super::manifest::verify(dir) {
        Ok(v) if v.intact() => html! {
            span.ok { "intact: " (v.checked) " files match the manifest" }
        },
        Ok(v) => html! {
            span.err { "NOT intact: changed " (format!("{:?}", v.changed)) ", added "
                (format!("{:?}", v.added)) ", missing " (format!("{:?}", v.missing)) }
        },
        Err(e) => html! { span.err { (e) } },
    };
    let transcript = super::lines::read(&dir.join(super::folder::TRANSCRIPT_FILE))?;
    let names = Names::new(&summary, &loaded);
    let links = Links {
        pack: Pack::new(dir),
        outputs,
        written: RefCell::new(HashSet::new()),
        ready: OnceCell::new(),
        shown: Cell::new(0),
    };
    let title = format!("falconry case: {}", info.playbook_name);
    let outcome = &summary["outcome"];
    let status = s(outcome, "status");
    let changes: Vec<&Value> = loaded
        .audit
        .iter()
        .filter(|a| audit_kind(a).is_some())
        .collect();
    let page = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta http-equiv="Content-Security-Policy"
                    content="default-src 'none'; style-src 'unsafe-inline'";
                title { (title) }
                style { (maud::PreEscaped(STYLE)) }
            }
            body {
                h1 { (title) }
                h2 #summary { "Summary" }
                table.about {
                    tr { th { "Outcome" } td {
                        @if status == "ok" { span.ok { (status) } } @else { span.err { (status) } }
                    } }
                    tr { th { "Playbook" } td { code { (info.playbook_name) } } }
                    tr { th { "sha256" } td { code { (info.sha256.as_deref().unwrap_or("")) } } }
                    tr { th { "Started" } td { (info.started) } }
                    tr { th { "Finished" } td { (s(&summary, "finished")) } }
                    tr { th { "Integrity" } td { (verification) } }
                    @if let Some(totals) = summary["totals"].as_object() {
                        @for (k, v) in totals {
                            tr { th { (k.replace('_', " ")) } td { (v.to_string()) } }
                        }
                    }
                    tr { th { "Arguments" } td { (pretty(&info.arguments)) } }
                    @if let Some(e) = outcome.get("error") {
                        tr { th { "Error" } td.err { (pretty(e)) } }
                    }
                    @if let Some(r) = outcome.get("result") {
                        tr { th { "Result" } td { (pretty(r)) } }
                    }
                }
                (timeline(&loaded, &changes, &transcript, &names))
                (refused(&loaded, &names))
                (errors(&loaded, &transcript, &summary, &names))
                (evidence(&loaded, &names))
                (hosts(&summary, &loaded, &changes, &links))
                (audit(&loaded, &names))
            }
        }
    };
    Ok(page.into_string())
}

fn timeline(loaded: &Loaded, changes: &[&Value], transcript: &[Value], names: &Names) -> Markup {
    // (time, host, kind, what, result)
    let mut rows: Vec<(String, Markup, String, Markup, Markup)> = Vec::new();
    for c in &loaded.commands {
        let result = match c.get("error") {
            Some(e) => html! { span.err { (e.as_str().map_or(e.to_string(), str::to_string)) } },
            None if c["queued"] == true => html! { "queued" },
            None => html! { span.ok { "done" } },
        };
        rows.push((
            s(c, "time_sent"),
            names.host(&s(c, "device_id"), &s(c, "hostname")),
            command_kind(c).to_string(),
            html! { code { (s(c, "command")) } },
            result,
        ));
    }
    for e in &loaded.events {
        rows.push((
            s(e, "time"),
            names.host(&s(e, "device_id"), &s(e, "hostname")),
            s(e, "kind"),
            html! { code { (s(e, "operation")) } },
            html! { (s(e, "message")) },
        ));
    }
    for a in changes {
        rows.push((
            s(a, "time"),
            names.hosts(&audit_devices(a)),
            "change".into(),
            html! { code { (s(a, "operation")) } },
            html! { "HTTP " (s(a, "status")) },
        ));
    }
    for f in &loaded.evidence {
        rows.push((
            s(f, "time"),
            names.host(&s(f, "device_id"), &s(f, "host")),
            "file".into(),
            html! { code { (s(f, "remote_path")) } },
            html! { code { (s(f, "sha256")) } },
        ));
    }
    for t in transcript {
        let what = match t["kind"].as_str() {
            Some("statement") | Some("print") => s(t, "text"),
            _ => t["detail"].to_string(),
        };
        rows.push((
            s(t, "time"),
            html! {},
            s(t, "kind"),
            html! { code { (what) } },
            html! {},
        ));
    }
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    let total = rows.len();
    html! {
        h2 #timeline { "Timeline" }
        @if total > TIMELINE_ROWS { p { "The first " (TIMELINE_ROWS) " of " (total) " entries." } }
        table.timeline {
            tr { th { "Time" } th { "Host" } th { "Kind" } th { "What" } th { "Result" } }
            @for (time, host, kind, what, result) in rows.into_iter().take(TIMELINE_ROWS) {
                tr { td { (time) } td { (host) } td { (kind) } td { (what) } td { (result) } }
            }
        }
    }
}

fn refused(loaded: &Loaded, names: &Names) -> Markup {
    let rows: Vec<&Value> = loaded
        .events
        .iter()
        .filter(|e| e["kind"] == "refused")
        .collect();
    html! {
        h2 #refused { "Refused steps (" (rows.len()) ")" }
        table.refused {
            tr { th { "Time" } th { "Operation" } th { "Command" } th { "Hosts" } th { "Why" } }
            @for e in rows {
                tr {
                    td { (s(e, "time")) }
                    td { (s(e, "operation")) }
                    td { code { (s(e, "command")) } }
                    td { (hosts_of_event(e, names)) }
                    td { (s(e, "message")) }
                }
            }
        }
    }
}

/// The hosts a refusal names: device ids when it kept them, else the text it has.
fn hosts_of_event(e: &Value, names: &Names) -> Markup {
    match e.get("device_ids").and_then(Value::as_array) {
        Some(ids) => {
            let ids: Vec<String> = ids
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect();
            names.hosts(&ids)
        }
        None => html! { (s(e, "hosts")) },
    }
}

fn errors(loaded: &Loaded, transcript: &[Value], summary: &Value, names: &Names) -> Markup {
    // (time, host, what, error)
    let mut rows: Vec<(String, Markup, Markup, String)> = Vec::new();
    for c in loaded.commands.iter().filter(|c| c.get("error").is_some()) {
        rows.push((
            s(c, "time_sent"),
            names.host(&s(c, "device_id"), &s(c, "hostname")),
            html! { code { (s(c, "command")) } },
            s(c, "error"),
        ));
    }
    for e in loaded
        .events
        .iter()
        .filter(|e| e["kind"] == "host_error" || e["kind"] == "may_have_run")
    {
        rows.push((
            s(e, "time"),
            names.host(&s(e, "device_id"), &s(e, "hostname")),
            html! { code { (s(e, "command")) } },
            s(e, "message"),
        ));
    }
    for t in transcript.iter().filter(|t| t.get("error").is_some()) {
        rows.push((
            s(t, "time"),
            html! {},
            html! { code { (s(t, "text")) } },
            s(t, "error"),
        ));
    }
    let outcome = &summary["outcome"];
    if outcome["status"] != "ok" && outcome.get("error").is_some() {
        rows.push((
            s(summary, "finished"),
            html! {},
            html! { "the run" },
            s(outcome, "error"),
        ));
    }
    html! {
        h2 #errors { "Errors (" (rows.len()) ")" }
        table.errors {
            tr { th { "Time" } th { "Host" } th { "What" } th { "Error" } }
            @for (time, host, what, error) in rows {
                tr { td { (time) } td { (host) } td { (what) } td.err { pre { (error) } } }
            }
        }
    }
}

fn evidence(loaded: &Loaded, names: &Names) -> Markup {
    html! {
        h2 #evidence { "Evidence (" (loaded.evidence.len()) ")" }
        table.evidence {
            tr { th { "Host" } th { "Path on host" } th { "sha256" } th { "Size" } th { "Collected" }
                 th { "In the case" } }
            @for f in &loaded.evidence {
                tr {
                    td { (names.host(&s(f, "device_id"), &s(f, "host"))) }
                    td { code { (s(f, "remote_path")) } }
                    td { code.sha256 { (s(f, "sha256")) } }
                    td { (s(f, "size")) }
                    td { (s(f, "time")) }
                    td { (s(f, "file")) }
                }
            }
        }
    }
}

fn hosts(summary: &Value, loaded: &Loaded, changes: &[&Value], links: &Links<'_>) -> Markup {
    // Grouped once: a 10,000-host case must not scan every command for every host.
    let mut commands_of: HashMap<String, Vec<&Value>> = HashMap::new();
    for c in &loaded.commands {
        commands_of.entry(s(c, "device_id")).or_default().push(c);
    }
    let mut changes_of: HashMap<String, Vec<&Value>> = HashMap::new();
    for a in changes {
        for d in audit_devices(a) {
            changes_of.entry(d).or_default().push(a);
        }
    }
    let empty = serde_json::Map::new();
    let all = summary["hosts"].as_object().unwrap_or(&empty);
    html! {
        h2 #hosts { "Hosts (" (all.len()) ")" }
        @for (id, h) in all {
            section.host {
                h3 { (s(h, "hostname")) " " small { code.id { (id) } } }
                h4 { "Commands and their output" }
                table.commands {
                    tr { th { "Sent" } th { "Kind" } th { "Command" } th { "Output" } th { "Cloud request" }
                         th { "Session" } }
                    @for c in commands_of.get(id).into_iter().flatten() {
                        tr {
                            td { (s(c, "time_sent")) }
                            td { (command_kind(c)) }
                            td { code { (s(c, "command")) } }
                            td {
                                @if let Some(e) = c.get("error") {
                                    span.err { (e.as_str().map_or(e.to_string(), str::to_string)) }
                                } @else {
                                    (links.output(&c["stdout"]))
                                    (links.output(&c["stderr"]))
                                }
                            }
                            td { code { (s(c, "cloud_request_id")) } }
                            td { code { (s(c, "session_id")) } }
                        }
                    }
                }
                @if let Some(list) = changes_of.get(id) {
                    h4 { "Changed" }
                    table.changes {
                        tr { th { "Time" } th { "Change" } th { "Status" } }
                        @for a in list {
                            tr { td { (s(a, "time")) } td { code { (s(a, "operation")) } } td { (s(a, "status")) } }
                        }
                    }
                }
            }
        }
    }
}

fn audit(loaded: &Loaded, names: &Names) -> Markup {
    html! {
        h2 #audit { "Audit log (" (loaded.audit.len()) ")" }
        table.audit {
            tr { th { "Time" } th { "Operation" } th { "Command" } th { "Hosts" } th { "Status" }
                 th { "Trace id" } }
            @for a in &loaded.audit {
                tr {
                    td { (s(a, "time")) }
                    td { code { (s(a, "operation")) } }
                    td { code { (s(a, "command")) } }
                    td { (names.hosts(&audit_devices(a))) }
                    td { (s(a, "status")) }
                    td { code { (s(a, "trace_id")) } }
                }
            }
        }
    }
}
