//! Script commands: `runscript`, `put-and-run`, `run`.
//!
//! Hosts run scripts deterministically: a scenario may fix the output per script name;
//! otherwise a tiny interpreter prints `echo`/`Write-Output` lines and applies removal and
//! kill lines (`Remove-Item`, `rm`, `del`, `Stop-Process -Id`, `kill`) to the host, so a
//! remediation script really remediates. Other lines are ignored.

use bytes::Bytes;

use super::super::clock::now;
use super::super::path::unquote;
use super::super::{CommandEnv, CommandOutput, Host, Platform};
use super::{Args, err, ok, run as run_command, usage};

/// The line a script prints when it prints nothing else.
const DONE: &str = "Script completed successfully";

pub fn runscript(
    host: &mut Host,
    cwd: &mut String,
    args: &Args,
    env: &dyn CommandEnv,
) -> CommandOutput {
    let (name, content) = if let Some(name) = args.value("CloudFile") {
        match env.script(name) {
            Some(c) => (name.to_string(), c),
            None => {
                return err(format!(
                    "Could not find script '{name}' in the cloud. Upload it first."
                ));
            }
        }
    } else if let Some(raw) = args.value("Raw") {
        ("raw".to_string(), raw.to_string())
    } else if let Some(path) = args.value("HostPath") {
        let p = host.fs.style.resolve(cwd, path);
        match host.fs.get(&p).and_then(|n| n.bytes()) {
            Some(b) => (
                host.fs.style.file_name(&p),
                String::from_utf8_lossy(b).into_owned(),
            ),
            None => return err(super::fs_error(host, super::FsError::NotFound, &p)),
        }
    } else {
        return usage(
            "runscript",
            "runscript -CloudFile=<name> [-CommandLine=<args>] | -Raw=```<script>``` | -HostPath=<path>",
        );
    };
    if let Some(out) = host.script_outputs.get(&name) {
        return ok(with_newline(out));
    }
    let command_line = args.value("CommandLine").unwrap_or_default().to_string();
    interpret(host, cwd, &content, &command_line, env)
}

fn with_newline(s: &str) -> String {
    if s.is_empty() || s.ends_with('\n') {
        s.to_string()
    } else {
        format!("{s}\n")
    }
}

/// Runs the interpreter over a script; `$args` / `$1` are replaced with the command line.
fn interpret(
    host: &mut Host,
    cwd: &mut String,
    content: &str,
    command_line: &str,
    env: &dyn CommandEnv,
) -> CommandOutput {
    let mut stdout = String::new();
    let mut stderr = String::new();
    for line in content.lines() {
        let line = line
            .trim()
            .replace("$args", command_line)
            .replace("$1", command_line);
        let (word, rest) = line.split_once(char::is_whitespace).unwrap_or((&line, ""));
        let rest = rest.trim();
        let action = match word.to_ascii_lowercase().as_str() {
            "echo" | "write-output" | "write-host" | "print" => {
                stdout.push_str(unquote(rest));
                stdout.push('\n');
                None
            }
            "remove-item" | "rm" | "del" => Some(format!("rm {}", rest.replace("-rf", "-Force"))),
            "stop-process" => rest
                .split_whitespace()
                .skip_while(|w| !w.eq_ignore_ascii_case("-Id"))
                .nth(1)
                .map(|pid| format!("kill {pid}")),
            "kill" => rest
                .split_whitespace()
                .find(|w| !w.starts_with('-'))
                .map(|pid| format!("kill {pid}")),
            _ => None,
        };
        if let Some(cmd) = action {
            let base = cmd
                .split_whitespace()
                .next()
                .unwrap_or_default()
                .to_string();
            let out = run_command(host, cwd, &base, &cmd, env);
            stderr.push_str(&out.stderr);
        }
    }
    if stdout.is_empty() && stderr.is_empty() {
        stdout = format!("{DONE}\n");
    }
    CommandOutput {
        stdout,
        stderr,
        ..Default::default()
    }
}

/// Where `put-and-run` drops the file before starting it.
fn drop_dir(host: &Host) -> &'static str {
    match host.platform {
        Platform::Windows => "C:\\Windows\\Temp",
        _ => "/tmp",
    }
}

fn is_script(name: &str, bytes: &[u8]) -> bool {
    let lower = name.to_ascii_lowercase();
    [".ps1", ".bat", ".cmd", ".sh", ".py"]
        .iter()
        .any(|e| lower.ends_with(e))
        || bytes.starts_with(b"#!")
}

pub fn put_and_run(
    host: &mut Host,
    cwd: &mut String,
    args: &Args,
    env: &dyn CommandEnv,
) -> CommandOutput {
    let Some(name) = args.first() else {
        return usage("put-and-run", "put-and-run <put-file name>");
    };
    let Some(bytes) = env.put_file(name) else {
        return err(format!("Could not find put-file '{name}' in the cloud"));
    };
    let target = host.fs.style.join(drop_dir(host), name);
    if let Err(e) = host.fs.write(&target, Bytes::from(bytes.clone()), now()) {
        return err(super::fs_error(host, e, &target));
    }
    execute_file(host, cwd, name, &target, &bytes, args, env)
}

pub fn run(host: &mut Host, cwd: &mut String, args: &Args) -> CommandOutput {
    let Some(path) = args.first() else {
        return usage("run", "run <path> [-CommandLine=<args>]");
    };
    let target = host.fs.style.resolve(cwd, path);
    let Some(bytes) = host
        .fs
        .get(&target)
        .and_then(|n| n.bytes())
        .map(|b| b.to_vec())
    else {
        return err(super::fs_error(host, super::FsError::NotFound, &target));
    };
    let name = host.fs.style.file_name(&target);
    execute_file(host, cwd, &name, &target, &bytes, args, &NoEnv)
}

struct NoEnv;

impl CommandEnv for NoEnv {
    fn put_file(&self, _name: &str) -> Option<Vec<u8>> {
        None
    }
    fn script(&self, _name: &str) -> Option<String> {
        None
    }
}

fn execute_file(
    host: &mut Host,
    cwd: &mut String,
    name: &str,
    path: &str,
    bytes: &[u8],
    args: &Args,
    env: &dyn CommandEnv,
) -> CommandOutput {
    if let Some(out) = host.script_outputs.get(name) {
        return ok(with_newline(out));
    }
    let command_line = args.value("CommandLine").unwrap_or_default().to_string();
    if is_script(name, bytes) {
        return interpret(
            host,
            cwd,
            &String::from_utf8_lossy(bytes),
            &command_line,
            env,
        );
    }
    // The sensor blocks an image a `prevent` IOC names before it starts (an emulator wording: the
    // real endpoint shows a prevention notice, RTR sees the start fail).
    let sha256 = super::super::digest::sha256_hex(bytes);
    if host.prevented.contains(&sha256) {
        return err(format!(
            "{path}: blocked by Falcon: a prevent IOC names sha256 {sha256}"
        ));
    }
    // A binary runs and exits; the host reports the process it started.
    let pid = host.processes.next_pid();
    ok(format!("Process started: {path} (pid {pid})\n"))
}
