//! `case report`: the case as one self-contained HTML page — no scripts, no fonts, no images, nothing
//! fetched — with a timeline across hosts, each host's commands, changes and files, refused steps,
//! errors and the evidence table with hashes.

use super::blobs::resolve;
use super::folder::{SUMMARY_FILE, read_info};
use super::summary::{Loaded, audit_devices, build};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::fmt::Write;
use std::path::Path;

/// Longest output shown per command; the case keeps it whole.
const SHOWN_OUTPUT: usize = 64 * 1024;
/// Most rows of the timeline; the case keeps every one.
const TIMELINE_ROWS: usize = 20_000;

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:2em;color:#222}\
table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:3px 6px;\
text-align:left;vertical-align:top;font-size:13px}th{background:#f0f0f0}code,pre{font-family:monospace}\
pre{white-space:pre-wrap;margin:0;max-height:30em;overflow:auto}.err{color:#a00}.ok{color:#070}\
section.host{border-top:2px solid #888;margin-top:1.5em}";

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn s(v: &Value, k: &str) -> String {
    match &v[k] {
        Value::String(x) => x.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Text shown as code.
fn code(text: &str) -> String {
    format!("<code>{}</code>", esc(text))
}

/// An error as a record holds it (a string, or any value), shown as an error.
fn error_span(e: &Value) -> String {
    format!(
        "<span class=\"err\">{}</span>",
        esc(&e.as_str().map_or(e.to_string(), str::to_string))
    )
}

/// What an audited change did: its RTR command, else its operation.
fn change(a: &Value) -> String {
    code(
        &a.get("command")
            .and_then(Value::as_str)
            .map_or_else(|| s(a, "operation"), str::to_string),
    )
}

/// A section of the page: its heading, with how many rows it has, and its table (the class is the id).
fn counted(out: &mut String, id: &str, title: &str, head: &[&str], rows: &[Vec<String>]) {
    let _ = writeln!(out, "<h2 id=\"{id}\">{title} ({})</h2>", rows.len());
    table(out, id, head, rows);
}

fn table(out: &mut String, class: &str, head: &[&str], rows: &[Vec<String>]) {
    let _ = write!(out, "<table class=\"{class}\"><tr>");
    for h in head {
        let _ = write!(out, "<th>{}</th>", esc(h));
    }
    out.push_str("</tr>");
    for r in rows {
        out.push_str("<tr>");
        for cell in r {
            // Cells are escaped by the caller: some hold markup (output blocks).
            let _ = write!(out, "<td>{cell}</td>");
        }
        out.push_str("</tr>");
    }
    out.push_str("</table>\n");
}

fn output_block(dir: &Path, v: &Value) -> String {
    let text = resolve(dir, v);
    if text.is_empty() {
        return String::new();
    }
    let shown: String = text.chars().take(SHOWN_OUTPUT).collect();
    let more = if shown.len() < text.len() {
        format!(" (first {SHOWN_OUTPUT} characters of {})", text.len())
    } else {
        String::new()
    };
    format!(
        "<details><summary>{} bytes{more}</summary><pre>{}</pre></details>",
        text.len(),
        esc(&shown)
    )
}

pub fn render_report(dir: &Path) -> Result<String, String> {
    let info = read_info(dir)?;
    let loaded = Loaded::load(dir)?;
    let summary = super::files::read_to_string(&dir.join(SUMMARY_FILE))
        .ok()
        .and_then(|t| serde_json::from_str::<Value>(&t).ok())
        .unwrap_or_else(|| build(&info, &loaded, &json!({ "status": "unfinished" })));
    let verification = match super::manifest::verify(dir) {
        Ok(v) if v.intact() => format!(
            "<span class=\"ok\">intact: {} files match the manifest</span>",
            v.checked
        ),
        Ok(v) => format!(
            "<span class=\"err\">NOT intact: changed {:?}, added {:?}, missing {:?}</span>",
            v.changed, v.added, v.missing
        ),
        Err(e) => format!("<span class=\"err\">{}</span>", esc(&e)),
    };
    let transcript = super::lines::read(&dir.join(super::folder::TRANSCRIPT_FILE))?;
    let mut out = String::new();
    let title = format!("falconry case: {}", info.playbook_name);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\
         <title>{}</title><style>{STYLE}</style></head><body>\n<h1>{}</h1>\n",
        esc(&title),
        esc(&title)
    );
    let outcome = &summary["outcome"];
    table(
        &mut out,
        "about",
        &["", ""],
        &[
            vec!["Playbook".into(), code(&info.playbook_name)],
            vec!["sha256".into(), code(info.sha256.as_deref().unwrap_or(""))],
            vec!["Arguments".into(), code(&info.arguments.to_string())],
            vec!["Started".into(), esc(&info.started)],
            vec!["Finished".into(), esc(&s(&summary, "finished"))],
            vec!["Outcome".into(), code(&outcome.to_string())],
            vec!["Integrity".into(), verification],
            vec!["Totals".into(), code(&summary["totals"].to_string())],
        ],
    );

    // The timeline: every action, across hosts, in time order.
    let mut timeline: Vec<(String, Vec<String>)> = Vec::new();
    for c in &loaded.commands {
        let status = match c.get("error") {
            Some(e) => error_span(e),
            None if c["queued"] == true => "queued".into(),
            None => "<span class=\"ok\">done</span>".into(),
        };
        timeline.push((
            s(c, "time_sent"),
            vec![
                esc(&s(c, "time_sent")),
                esc(&s(c, "hostname")),
                "command".into(),
                code(&s(c, "command")),
                status,
            ],
        ));
    }
    for e in &loaded.events {
        timeline.push((
            s(e, "time"),
            vec![
                esc(&s(e, "time")),
                esc(&s(e, "hostname")),
                esc(&s(e, "kind")),
                code(&s(e, "operation")),
                esc(&s(e, "message")),
            ],
        ));
    }
    for a in &loaded.audit {
        timeline.push((
            s(a, "time"),
            vec![
                esc(&s(a, "time")),
                esc(&audit_devices(a).join(", ")),
                "change".into(),
                change(a),
                esc(&format!("HTTP {}", s(a, "status"))),
            ],
        ));
    }
    for f in &loaded.evidence {
        timeline.push((
            s(f, "time"),
            vec![
                esc(&s(f, "time")),
                esc(&s(f, "host")),
                "file".into(),
                code(&s(f, "remote_path")),
                code(&s(f, "sha256")),
            ],
        ));
    }
    for t in &transcript {
        let what = match t["kind"].as_str() {
            Some("statement") => s(t, "text"),
            Some("print") => s(t, "text"),
            _ => t["detail"].to_string(),
        };
        timeline.push((
            s(t, "time"),
            vec![
                esc(&s(t, "time")),
                String::new(),
                esc(&s(t, "kind")),
                code(&what),
                String::new(),
            ],
        ));
    }
    timeline.sort_by(|a, b| a.0.cmp(&b.0));
    let _ = writeln!(out, "<h2 id=\"timeline\">Timeline</h2>");
    if timeline.len() > TIMELINE_ROWS {
        let _ = writeln!(
            out,
            "<p>The first {TIMELINE_ROWS} of {} entries.</p>",
            timeline.len()
        );
    }
    let rows: Vec<Vec<String>> = timeline
        .into_iter()
        .take(TIMELINE_ROWS)
        .map(|(_, r)| r)
        .collect();
    table(
        &mut out,
        "timeline",
        &["Time", "Host", "Kind", "What", "Result"],
        &rows,
    );

    let refused: Vec<Vec<String>> = loaded
        .events
        .iter()
        .filter(|e| e["kind"] == "refused")
        .map(|e| {
            vec![
                esc(&s(e, "time")),
                esc(&s(e, "operation")),
                code(&s(e, "command")),
                esc(&s(e, "hosts")),
                esc(&s(e, "message")),
            ]
        })
        .collect();
    counted(
        &mut out,
        "refused",
        "Refused steps",
        &["Time", "Operation", "Command", "Hosts", "Why"],
        &refused,
    );

    let mut errors: Vec<Vec<String>> = loaded
        .commands
        .iter()
        .filter(|c| c.get("error").is_some())
        .map(|c| {
            vec![
                esc(&s(c, "time_sent")),
                esc(&s(c, "hostname")),
                code(&s(c, "command")),
                esc(&s(c, "error")),
            ]
        })
        .collect();
    errors.extend(
        loaded
            .events
            .iter()
            .filter(|e| e["kind"] == "host_error" || e["kind"] == "may_have_run")
            .map(|e| {
                vec![
                    esc(&s(e, "time")),
                    esc(&s(e, "hostname")),
                    code(&s(e, "command")),
                    esc(&s(e, "message")),
                ]
            }),
    );
    for t in transcript.iter().filter(|t| t.get("error").is_some()) {
        errors.push(vec![
            esc(&s(t, "time")),
            String::new(),
            code(&s(t, "text")),
            esc(&s(t, "error")),
        ]);
    }
    if outcome["status"] != "ok" && outcome.get("error").is_some() {
        errors.push(vec![
            esc(&s(&summary, "finished")),
            String::new(),
            "the run".into(),
            esc(&s(outcome, "error")),
        ]);
    }
    counted(
        &mut out,
        "errors",
        "Errors",
        &["Time", "Host", "What", "Error"],
        &errors,
    );

    let evidence: Vec<Vec<String>> = loaded
        .evidence
        .iter()
        .map(|f| {
            vec![
                esc(&s(f, "host")),
                code(&s(f, "remote_path")),
                format!("<code class=\"sha256\">{}</code>", esc(&s(f, "sha256"))),
                esc(&s(f, "size")),
                esc(&s(f, "time")),
                esc(&s(f, "file")),
            ]
        })
        .collect();
    counted(
        &mut out,
        "evidence",
        "Evidence",
        &[
            "Host",
            "Path on host",
            "sha256",
            "Size",
            "Collected",
            "In the case",
        ],
        &evidence,
    );

    let _ = writeln!(out, "<h2 id=\"hosts\">Hosts</h2>");
    if let Some(hosts) = summary["hosts"].as_object() {
        // Grouped once: a 10,000-host case must not scan every command for every host.
        let mut commands_of: HashMap<String, Vec<&Value>> = HashMap::new();
        for c in &loaded.commands {
            commands_of.entry(s(c, "device_id")).or_default().push(c);
        }
        let mut changes_of: HashMap<String, Vec<&Value>> = HashMap::new();
        for a in &loaded.audit {
            for d in audit_devices(a) {
                changes_of.entry(d).or_default().push(a);
            }
        }
        for (id, h) in hosts {
            let name = s(h, "hostname");
            let _ = writeln!(
                out,
                "<section class=\"host\"><h3>{} <small><code>{}</code></small></h3>",
                esc(&name),
                esc(id)
            );
            let found: Vec<Vec<String>> = commands_of
                .get(id)
                .into_iter()
                .flatten()
                .map(|c| {
                    vec![
                        esc(&s(c, "time_sent")),
                        code(&s(c, "command")),
                        c.get("error").map_or_else(
                            || {
                                format!(
                                    "{}{}",
                                    output_block(dir, &c["stdout"]),
                                    output_block(dir, &c["stderr"])
                                )
                            },
                            error_span,
                        ),
                        code(&s(c, "cloud_request_id")),
                        code(&s(c, "session_id")),
                    ]
                })
                .collect();
            let _ = writeln!(out, "<h4>Found (commands and their output)</h4>");
            table(
                &mut out,
                "commands",
                &["Sent", "Command", "Output", "Cloud request", "Session"],
                &found,
            );
            let changed: Vec<Vec<String>> = changes_of
                .get(id)
                .into_iter()
                .flatten()
                .map(|a| vec![esc(&s(a, "time")), change(a), esc(&s(a, "status"))])
                .collect();
            let _ = writeln!(out, "<h4>Changed</h4>");
            table(&mut out, "changes", &["Time", "Change", "Status"], &changed);
            out.push_str("</section>\n");
        }
    }
    let audit: Vec<Vec<String>> = loaded
        .audit
        .iter()
        .map(|a| {
            vec![
                esc(&s(a, "time")),
                code(&s(a, "operation")),
                code(&s(a, "command")),
                esc(&audit_devices(a).join(", ")),
                esc(&s(a, "status")),
                code(&s(a, "trace_id")),
            ]
        })
        .collect();
    counted(
        &mut out,
        "audit",
        "Audit log",
        &[
            "Time",
            "Operation",
            "Command",
            "Hosts",
            "Status",
            "Trace id",
        ],
        &audit,
    );
    out.push_str("</body></html>\n");
    Ok(out)
}
