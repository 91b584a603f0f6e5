//! RTR commands on a simulated host: argument parsing, dispatch, and the errors hosts print.

mod files;
mod misc;
pub mod net;
mod procs;
mod scripts;
mod system;

use super::fs::FsError;
use super::{CommandEnv, CommandOutput, Host, Platform};
use crate::ops::commands::{self, Cmd};

/// A command line split into positional arguments and `-Flag` / `-Name=value` options.
#[derive(Debug, Default)]
pub struct Args {
    pub positional: Vec<String>,
    /// Options without the leading dash, names as written, values unquoted.
    pub options: Vec<(String, Option<String>)>,
}

impl Args {
    /// Splits `command_string` after the words of `base_command`. Double quotes group words;
    /// a ```` ```...``` ```` block is kept verbatim (how `runscript -Raw=` passes a script).
    pub fn parse(base_command: &str, command_string: &str) -> Args {
        let tokens = tokenize(command_string);
        let skip = base_command.split_whitespace().count();
        let mut args = Args::default();
        for t in tokens.into_iter().skip(skip) {
            if t.quoted || !looks_like_option(&t.text) {
                args.positional.push(t.text);
                continue;
            }
            let body = t.text.trim_start_matches('-');
            match body.split_once('=') {
                Some((k, v)) => args
                    .options
                    .push((k.to_string(), Some(super::path::unquote(v).to_string()))),
                None => args.options.push((body.to_string(), None)),
            }
        }
        args
    }

    pub fn flag(&self, names: &[&str]) -> bool {
        self.options
            .iter()
            .any(|(k, _)| names.iter().any(|n| k.eq_ignore_ascii_case(n)))
    }

    pub fn value(&self, name: &str) -> Option<&str> {
        self.options
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .and_then(|(_, v)| v.as_deref())
    }

    pub fn first(&self) -> Option<&str> {
        self.positional.first().map(String::as_str)
    }
}

/// Options start with a dash followed by a letter (so `-1` and a bare `-` stay positional).
fn looks_like_option(s: &str) -> bool {
    let mut c = s.chars();
    c.next() == Some('-')
        && c.next()
            .is_some_and(|x| x.is_ascii_alphabetic() || x == '-')
}

struct Token {
    text: String,
    quoted: bool,
}

fn tokenize(s: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut started = false;
    let mut in_quote = false;
    let mut rest = s;
    while let Some(c) = rest.chars().next() {
        if !in_quote && rest.starts_with("```") {
            let body = &rest[3..];
            let end = body.find("```").unwrap_or(body.len());
            cur.push_str(&body[..end]);
            started = true;
            rest = body.get(end + 3..).unwrap_or("");
            continue;
        }
        rest = &rest[c.len_utf8()..];
        match c {
            '"' => {
                // Only a token that starts quoted is protected from option parsing.
                quoted |= !started;
                in_quote = !in_quote;
                started = true;
            }
            c if c.is_whitespace() && !in_quote => {
                if started {
                    out.push(Token {
                        text: std::mem::take(&mut cur),
                        quoted,
                    });
                }
                quoted = false;
                started = false;
            }
            c => {
                cur.push(c);
                started = true;
            }
        }
    }
    if started {
        out.push(Token { text: cur, quoted });
    }
    out
}

pub(super) fn ok(stdout: String) -> CommandOutput {
    CommandOutput {
        stdout,
        ..Default::default()
    }
}

pub(super) fn err(stderr: String) -> CommandOutput {
    CommandOutput {
        stderr,
        ..Default::default()
    }
}

/// The message a host prints when a path is missing or unusable.
pub(super) fn fs_error(host: &Host, e: FsError, path: &str) -> String {
    match host.platform {
        Platform::Windows => match e {
            FsError::NotFound => format!("Cannot find path '{path}' because it does not exist."),
            FsError::ParentNotFound => {
                format!("Could not find a part of the path '{path}'.")
            }
            FsError::NotADirectory => format!("The directory name is invalid: '{path}'."),
            FsError::IsADirectory => format!(
                "'{path}' is a directory. Use -Force to remove a directory and its contents."
            ),
            FsError::AlreadyExists => {
                format!(
                    "Cannot create '{path}' because a file or directory with the same name already exists."
                )
            }
            FsError::DirectoryNotEmpty => format!(
                "The directory '{path}' is not empty. Use -Force to remove a directory and its contents."
            ),
        },
        Platform::Linux | Platform::Mac => match e {
            FsError::NotFound | FsError::ParentNotFound => {
                format!("{path}: No such file or directory")
            }
            FsError::NotADirectory => format!("{path}: Not a directory"),
            FsError::IsADirectory => format!("{path}: Is a directory (use -Force)"),
            FsError::AlreadyExists => format!("{path}: File exists"),
            FsError::DirectoryNotEmpty => format!("{path}: Directory not empty (use -Force)"),
        },
    }
}

pub(super) fn usage(command: &str, syntax: &str) -> CommandOutput {
    err(format!("{command}: missing argument. Usage: {syntax}"))
}

/// Dispatches one command; the API layer has already checked it is allowed here.
pub fn run(
    host: &mut Host,
    cwd: &mut String,
    base_command: &str,
    command_string: &str,
    env: &dyn CommandEnv,
) -> CommandOutput {
    // Clients send `reg` (or `update`) as the base command and the sub-command in the string; the
    // catalogue lookup joins them. A command the catalogue does not have is not run.
    let Some(command) = commands::lookup(base_command, command_string) else {
        let shown = commands::base_of(command_string);
        let shown = if shown.is_empty() {
            base_command.trim()
        } else {
            shown
        };
        return err(format!(
            "'{shown}' is not a recognized command on this {} host",
            host.platform.name()
        ));
    };
    if !command.platforms.contains(host.platform) {
        return err(format!(
            "'{}' is not supported on {} hosts",
            command.name,
            host.platform.name()
        ));
    }
    let base = command.name;
    let args = Args::parse(base, command_string);
    // Exhaustive: a command added to the catalogue without emulator behaviour does not compile.
    match command.key {
        Cmd::Ls => files::ls(host, cwd, &args),
        Cmd::Cd => files::cd(host, cwd, &args),
        Cmd::Pwd => ok(format!("{cwd}\n")),
        Cmd::Cat => files::cat(host, cwd, &args),
        Cmd::Filehash => files::filehash(host, cwd, &args),
        Cmd::Rm => files::rm(host, cwd, &args),
        Cmd::Cp => files::cp(host, cwd, &args),
        Cmd::Mv => files::mv(host, cwd, &args),
        Cmd::Mkdir => files::mkdir(host, cwd, &args),
        Cmd::Get => files::get(host, cwd, &args),
        Cmd::Put => files::put(host, cwd, &args, env),
        Cmd::Zip => files::zip(host, cwd, &args),
        Cmd::Tar => files::tar(host, cwd, &args),
        Cmd::Ps => procs::ps(host),
        Cmd::Kill => procs::kill(host, &args),
        Cmd::Netstat => net::netstat(host),
        Cmd::Ipconfig => net::ipconfig(host),
        Cmd::Ifconfig => net::ifconfig(host),
        Cmd::Users => system::users(host),
        Cmd::Env => system::env(host),
        Cmd::RegQuery => system::reg_query(host, &args),
        Cmd::RegSet => system::reg_set(host, &args),
        Cmd::RegDelete => system::reg_delete(host, &args),
        Cmd::RegLoad | Cmd::RegUnload => misc::reg_hive(base, &args),
        Cmd::Memdump | Cmd::Xmemdump => misc::memdump(host, cwd, base, &args),
        Cmd::Encrypt => misc::encrypt(host, cwd, &args),
        Cmd::Map | Cmd::Unmap => misc::map(base, &args),
        Cmd::UpdateList | Cmd::UpdateHistory | Cmd::UpdateQuery | Cmd::UpdateInstall => {
            misc::update(host, base, &args)
        }
        Cmd::Getsid => system::getsid(host),
        Cmd::History => system::history(host),
        Cmd::Eventlog => system::eventlog(&args),
        Cmd::Mount => system::mount(host),
        Cmd::Restart | Cmd::Shutdown => system::power(host, base, &args),
        Cmd::Clear => ok(String::new()),
        Cmd::Help => ok(system::help(host)),
        Cmd::Runscript => scripts::runscript(host, cwd, &args, env),
        Cmd::PutAndRun => scripts::put_and_run(host, cwd, &args, env),
        Cmd::Run => scripts::run(host, cwd, &args),
        // The session layer resolves the script from CrowdStrike's catalogue and runs it as
        // `runscript -CloudFile=`; reaching a host with the bare command means no script was named.
        Cmd::Falconscript => {
            err("usage: falconscript -Name=<Falcon script name> [-JsonInput=<json>]".into())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_split_quotes_options_and_raw_blocks() {
        let a = Args::parse("rm", r#"rm "C:\Program Files\x y" -Force"#);
        assert_eq!(a.positional, [r"C:\Program Files\x y"]);
        assert!(a.flag(&["force"]));
        let a = Args::parse(
            "runscript",
            "runscript -Raw=```Write-Output \"hi there\"\nGet-Process``` -Timeout=30",
        );
        assert_eq!(
            a.value("Raw"),
            Some("Write-Output \"hi there\"\nGet-Process")
        );
        assert_eq!(a.value("timeout"), Some("30"));
        let a = Args::parse("reg query", r"reg query HKLM\Software Name");
        assert_eq!(a.positional, [r"HKLM\Software", "Name"]);
        let a = Args::parse(
            "runscript",
            r#"runscript -CloudFile="Collect Logs" -CommandLine="-a 1""#,
        );
        assert_eq!(a.value("cloudfile"), Some("Collect Logs"));
        assert_eq!(a.value("CommandLine"), Some("-a 1"));
        let a = Args::parse("kill", "kill -1");
        assert_eq!(a.positional, ["-1"]);
    }
}
