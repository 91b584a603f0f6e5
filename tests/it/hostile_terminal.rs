//! Text a host or the tenant wrote reaches the terminal with its control characters made visible
//! (issue 23, break 1): one hostile tenant (a host named `term\e[2K\r\e[32mWS-SAFE\e[0m`, a process
//! whose name is an OSC 8 link to `javascript:`, a file that clears the screen, a policy named with
//! `\e[2J`) fed to every printing path: `run`'s refusal summary and errors, the `--plan` listing,
//! `policy plan`'s change and RTR-impact lines, `policy apply`'s refusal, the REPL's `[y/N]` prompt
//! and tables, and a playbook's own `print` on a terminal (`--raw` and a pipe keep the bytes).

use crate::hostile_support::{TENANT_SECRET, against, tenant};
use expectrl::{Expect, Session};
use falconry::sim::SimHandle;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

/// TOML basic strings spell ESC as `\u001b`.
const TENANT: &str = r#"
command_latency_ms = 0

[[hosts]]
hostname = "term\u001b[2K\r\u001b[32mWS-SAFE\u001b[0m"
platform = "Windows"
groups = ["Hostile"]
processes = [{ name = "x\u001b]8;;javascript:alert(1)\u001b\\click\u001b]8;;\u001b\\", path = 'C:\x.exe', command_line = 'x.exe' }]
files = [{ path = 'C:\notes.txt', content = "before\u001b[2Jafter" }]

[[policies]]
name = "wipe\u001b[2J"
platform = "Windows"
groups = ["Hostile"]
settings = { PutCommand = false }

[[policies]]
name = "second"
platform = "Windows"
settings = { ExecCommand = false }
"#;

/// The host's name as every terminal path must show it.
const SHOWN_HOST: &str = r"term\u{1b}[2K\u{d}\u{1b}[32mWS-SAFE\u{1b}[0m";
/// The raw bytes that, obeyed, erase the line and print a green `WS-SAFE`.
const RAW_HOST: &str = "\x1b[2K\r\x1b[32mWS-SAFE";
const RAW_LINK: &str = "\x1b]8;;javascript:";

/// No escape character at all: what falconry printed about the hostile text.
fn no_escape(what: &str, text: &str) {
    assert!(
        !text.contains('\x1b') && !text.contains('\u{9b}'),
        "{what} carries a raw escape:\n{text}"
    );
}

const TOUCH: &str = r#"
let h = hosts::find_all()[0];
let s = rtr::session(h);
print(s.run("ps").stdout);
print(s.run("cat C:\\notes.txt").stdout);
try { s.run("rm C:\\notes.txt"); } catch (e) { }
s.close();
"#;

#[test]
fn run_refusals_plans_and_errors_show_host_text_made_visible() {
    let dir = tempfile::tempdir().unwrap();
    let sim = tenant(dir.path(), TENANT);

    // The refusal summary names the host as the guard saw it; `print` to a pipe keeps the bytes.
    let out = against(&sim).playbook(TOUCH).run();
    out.status(3)
        .stderr_has(&format!("host {SHOWN_HOST} (device `"));
    no_escape("the refusal summary", &out.stderr);
    assert!(
        out.stdout.contains(RAW_LINK),
        "a pipe gets the bytes: {}",
        out.stdout
    );
    assert!(out.stdout.contains("before\x1b[2Jafter"), "{}", out.stdout);

    // The `--plan` listing.
    let out = against(&sim).playbook(TOUCH).arg("--plan").run();
    out.status(0)
        .stderr_has(SHOWN_HOST)
        .stderr_has("[destructive]");
    no_escape("the --plan listing", &out.stderr);

    // An error that quotes the host.
    let out = against(&sim)
        .playbook(r#"throw `cannot trust ${hosts::find_all()[0].hostname}`;"#)
        .run();
    out.status(1).stderr_has(SHOWN_HOST);
    no_escape("an error", &out.stderr);
}

#[test]
fn policy_plan_and_apply_show_tenant_names_made_visible() {
    let dir = tempfile::tempdir().unwrap();
    let sim = tenant(dir.path(), TENANT);
    let owned = "[platforms.Windows]\nexclusive = true\n";
    let plan = against(&sim)
        .file("p.toml", owned)
        .command(&["policy", "plan", "p.toml"])
        .run();
    plan.status(2)
        .stdout_has("  - delete Windows policy `wipe\\u{1b}[2J`\n")
        .stdout_has("  - delete Windows policy `second`\n")
        .stdout_has(&format!("    {SHOWN_HOST} ("));
    no_escape("policy plan", &plan.stdout);
    let apply = against(&sim)
        .file("p.toml", owned)
        .command(&["policy", "apply", "p.toml"])
        .run();
    apply.status(3).stderr_has("`wipe\\u{1b}[2J`");
    no_escape("policy apply's refusal", &apply.stderr);
}

/// The binary on a pseudo-terminal, against the hostile tenant.
fn on_terminal(sim: &SimHandle, dir: &Path, args: &[&str]) -> expectrl::session::OsSession {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_falconry"));
    cmd.args(args)
        .current_dir(dir)
        .env("TERM", "xterm")
        .env("HOME", dir)
        .env("XDG_DATA_HOME", dir.join("data"))
        .env("FALCON_CLIENT_ID", "falconry-test")
        .env("FALCON_CLIENT_SECRET", TENANT_SECRET)
        .env("FALCON_BASE_URL", sim.base_url());
    let mut s = Session::spawn(cmd).expect("falconry starts on a terminal");
    s.get_process_mut().set_window_size(1000, 50).unwrap();
    s.set_expect_timeout(Some(Duration::from_secs(60)));
    s
}

fn until(s: &mut expectrl::session::OsSession, text: &str) -> String {
    match s.expect(text) {
        Ok(found) => String::from_utf8_lossy(found.before()).into_owned(),
        Err(e) => panic!("expected {text:?}: {e}"),
    }
}

#[test]
fn the_repl_prompt_and_tables_and_print_on_a_terminal_show_escapes() {
    let dir = tempfile::tempdir().unwrap();
    let sim = tenant(dir.path(), TENANT);
    let mut s = on_terminal(&sim, dir.path(), &["repl", "--history", "h"]);
    until(&mut s, "falconry> ");
    // A table of device records: the hostname is a cell.
    s.send_line("hosts::find_all()").unwrap();
    let table = until(&mut s, "falconry> ");
    assert!(table.contains("WS-SAFE"), "{table}");
    assert!(!table.contains(RAW_HOST), "{table:?}");
    // The destructive prompt names the host visibly: nothing can erase its warning.
    s.send_line(r#"let s = rtr::session(hosts::find_all()[0]); s.run("rm C:\\notes.txt")"#)
        .unwrap();
    let prompt = until(&mut s, "? [y/N] ");
    assert!(prompt.contains(SHOWN_HOST), "{prompt:?}");
    assert!(!prompt.contains(RAW_HOST), "{prompt:?}");
    s.send("n\r").unwrap();
    until(&mut s, "error: refused `rm");
    until(&mut s, "falconry> ");
    s.send_line(r#"print(s.run("ps").stdout)"#).unwrap();
    let printed = until(&mut s, "falconry> ");
    assert!(printed.contains(r"\u{1b}]8;;javascript:"), "{printed:?}");
    assert!(!printed.contains(RAW_LINK), "{printed:?}");
    s.send_line(":quit").unwrap();

    // `run` on a terminal: `print` shows the escapes; `--raw` passes the bytes.
    std::fs::write(dir.path().join("ps.rhai"), TOUCH).unwrap();
    let mut s = on_terminal(&sim, dir.path(), &["run", "ps.rhai"]);
    let shown = until(&mut s, "changes already made");
    assert!(shown.contains(r"\u{1b}]8;;javascript:"), "{shown:?}");
    assert!(shown.contains(r"before\u{1b}[2Jafter"), "{shown:?}");
    assert!(
        !shown.contains(RAW_LINK) && !shown.contains(RAW_HOST),
        "{shown:?}"
    );
    let mut s = on_terminal(&sim, dir.path(), &["run", "ps.rhai", "--raw"]);
    let raw = until(&mut s, "changes already made");
    assert!(raw.contains(RAW_LINK), "{raw:?}");
}

#[test]
fn a_secret_split_or_escaped_in_the_repl_stays_out_of_save_and_history() {
    let dir = tempfile::tempdir().unwrap();
    let sim = tenant(dir.path(), TENANT);
    let mut s = on_terminal(&sim, dir.path(), &["repl", "--history", "h"]);
    until(&mut s, "falconry> ");
    // `hostile-tenant-secret`, split in two literals and with an escaped `-`.
    s.send_line(r#"let k = "hostile-" + "tenant\x2Dsecret"; k.len()"#)
        .unwrap();
    until(&mut s, "falconry> ");
    s.send_line("let n = 1 + 1;").unwrap();
    until(&mut s, "falconry> ");
    s.send_line(":save saved.rhai").unwrap();
    let said = until(&mut s, "falconry> ");
    assert!(
        said.contains("1 statement holding a secret or a token left out"),
        "{said:?}"
    );
    s.send_line(":quit").unwrap();
    let _ = s.expect(expectrl::Eof);
    let saved = std::fs::read_to_string(dir.path().join("saved.rhai")).unwrap();
    assert!(
        saved.contains("let n = 1 + 1;") && !saved.contains("tenant"),
        "{saved}"
    );
    let history = std::fs::read_to_string(dir.path().join("h")).unwrap_or_default();
    assert!(!history.contains("tenant"), "{history}");
}
