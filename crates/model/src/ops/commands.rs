//! The RTR command catalogue: which endpoint tier runs each base command, on which platforms,
//! which response-policy setting governs it, and whether it destroys or disrupts.
//!
//! One table read by the emulator (what a host accepts), pre-flight (what a policy forbids),
//! the destructive-action guard and plan mode.

/// The lowest RTR role that may run a command; higher tiers run everything below them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Tier {
    ReadOnly,
    ActiveResponder,
    Admin,
}

impl Tier {
    pub fn name(self) -> &'static str {
        match self {
            Tier::ReadOnly => "read-only",
            Tier::ActiveResponder => "active-responder",
            Tier::Admin => "admin",
        }
    }
}

use crate::platform::{Platform, Platforms};

// The catalogue's shorthand for its platform column.
const WIN: Platforms = Platforms::of(&[Platform::Windows]);
const LIN_MAC: Platforms = Platforms::of(&[Platform::Linux, Platform::Mac]);
const WIN_MAC: Platforms = Platforms::of(&[Platform::Windows, Platform::Mac]);
const ALL: Platforms = Platforms::ALL;

#[derive(Debug)]
pub struct CommandSpec {
    /// This row's variant of `Cmd`: readers that must handle every command match on it exhaustively.
    pub key: Cmd,
    /// The base command (`reg query` and friends carry their sub-command).
    pub name: &'static str,
    pub tier: Tier,
    pub platforms: Platforms,
    /// The response-policy setting that must be enabled, beyond `RealTimeFunctionality`.
    pub setting: Option<&'static str>,
    /// Destroys data, stops processes, disrupts the host or runs arbitrary code.
    pub destructive: bool,
    /// Changes the host (plan mode records it instead of sending it).
    pub changes_host: bool,
}

/// Declares `Cmd` (one variant per row) and `COMMANDS` (the rows, in the same order) from one list, so
/// the two cannot drift: `COMMANDS[cmd as usize].key == cmd`.
macro_rules! catalogue {
    ($( $(#[$doc:meta])* $key:ident = $name:literal, $tier:expr, $platforms:expr, $setting:expr, $destructive:literal, $changes:literal; )*) => {
        /// An RTR command of the catalogue. The emulator's dispatch, the parsers' dispatch and the
        /// emulator's `help` match on it, so a new row is a compile error wherever it must be handled.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Cmd { $( $(#[$doc])* $key, )* }

        /// The catalogue, one row per `Cmd`, in its order.
        pub const COMMANDS: &[CommandSpec] = &[ $(
            CommandSpec {
                key: Cmd::$key,
                name: $name,
                tier: $tier,
                platforms: $platforms,
                setting: $setting,
                destructive: $destructive,
                changes_host: $changes,
            },
        )* ];
    };
}

impl Cmd {
    /// The catalogue row of this command.
    pub fn command(self) -> &'static CommandSpec {
        &COMMANDS[self as usize]
    }
}

use Tier::*;

/// The setting every RTR command needs.
pub const RTR_SETTING: &str = "RealTimeFunctionality";

catalogue! {
    Cat = "cat", ReadOnly, ALL, None, false, false;
    Cd = "cd", ReadOnly, ALL, None, false, false;
    Clear = "clear", ReadOnly, ALL, None, false, false;
    Env = "env", ReadOnly, ALL, None, false, false;
    Eventlog = "eventlog", ReadOnly, WIN, None, false, false;
    Filehash = "filehash", ReadOnly, ALL, None, false, false;
    Getsid = "getsid", ReadOnly, WIN, None, false, false;
    Help = "help", ReadOnly, ALL, None, false, false;
    History = "history", ReadOnly, ALL, None, false, false;
    Ipconfig = "ipconfig", ReadOnly, WIN, None, false, false;
    Ifconfig = "ifconfig", ReadOnly, LIN_MAC, None, false, false;
    Ls = "ls", ReadOnly, ALL, None, false, false;
    Mount = "mount", ReadOnly, ALL, None, false, false;
    Netstat = "netstat", ReadOnly, ALL, None, false, false;
    Ps = "ps", ReadOnly, ALL, None, false, false;
    Pwd = "pwd", ReadOnly, ALL, None, false, false;
    RegQuery = "reg query", ReadOnly, WIN, None, false, false;
    Users = "users", ReadOnly, ALL, None, false, false;
    Cp = "cp", ActiveResponder, ALL, None, false, true;
    Encrypt = "encrypt", ActiveResponder, WIN, None, true, true;
    Get = "get", ActiveResponder, ALL, Some("GetCommand"), false, false;
    Kill = "kill", ActiveResponder, ALL, None, true, true;
    Map = "map", ActiveResponder, WIN, None, false, true;
    Memdump = "memdump", ActiveResponder, WIN, Some("MemDumpCommand"), true, true;
    Mkdir = "mkdir", ActiveResponder, ALL, None, false, true;
    Mv = "mv", ActiveResponder, ALL, None, false, true;
    RegDelete = "reg delete", ActiveResponder, WIN, None, true, true;
    RegLoad = "reg load", ActiveResponder, WIN, None, false, true;
    RegSet = "reg set", ActiveResponder, WIN, None, true, true;
    RegUnload = "reg unload", ActiveResponder, WIN, None, false, true;
    Restart = "restart", ActiveResponder, ALL, None, true, true;
    Rm = "rm", ActiveResponder, ALL, None, true, true;
    Runscript = "runscript", ActiveResponder, ALL, Some("CustomScripts"), true, true;
    Shutdown = "shutdown", ActiveResponder, ALL, None, true, true;
    Tar = "tar", ActiveResponder, LIN_MAC, None, false, true;
    Unmap = "unmap", ActiveResponder, WIN, None, false, true;
    UpdateHistory = "update history", ActiveResponder, WIN, None, false, false;
    UpdateInstall = "update install", ActiveResponder, WIN, None, true, true;
    UpdateList = "update list", ActiveResponder, WIN, None, false, false;
    UpdateQuery = "update query", ActiveResponder, WIN, None, false, false;
    Xmemdump = "xmemdump", ActiveResponder, WIN, Some("XMemDumpCommand"), true, true;
    Zip = "zip", ActiveResponder, WIN_MAC, None, false, true;
    /// Runs one of CrowdStrike's Falcon scripts (`RTR-ListFalconScripts`): Windows, administrators,
    /// and the policy's `FalconScripts` (which itself needs `CustomScripts`).
    Falconscript = "falconscript", Admin, WIN, Some(FALCON_SCRIPTS_SETTING), true, true;
    Put = "put", Admin, ALL, Some("PutCommand"), false, true;
    PutAndRun = "put-and-run", Admin, ALL, Some("PutAndRunCommand"), true, true;
    Run = "run", Admin, ALL, Some("ExecCommand"), true, true;
}

/// Finds the catalogue entry for a base command and its command string
/// (`reg` and `update` are looked up with their sub-command: `reg query HKLM\...` -> `reg query`).
pub fn lookup(base_command: &str, command_string: &str) -> Option<&'static CommandSpec> {
    let base = base_command.trim().to_ascii_lowercase();
    if base == "reg" || base == "update" {
        let sub = command_string
            .split_whitespace()
            .nth(1)
            .unwrap_or("")
            .to_ascii_lowercase();
        let full = format!("{base} {sub}");
        return COMMANDS.iter().find(|c| c.name == full);
    }
    COMMANDS.iter().find(|c| c.name == base)
}

/// The base command of a command string (`"reg query HKLM"` -> `"reg"`).
pub fn base_of(command_string: &str) -> &str {
    command_string.split_whitespace().next().unwrap_or("")
}

/// Why `command_string` is not a command of the catalogue, naming it and the nearest command the
/// `platforms` have (all when empty), or `None` when the catalogue knows it. Never advice to allow it: an
/// unknown command is a typo far more often than a command falconry has not heard of.
pub fn unknown(command_string: &str, platforms: Platforms) -> Option<String> {
    let line = command_string.trim();
    let base = base_of(line);
    if lookup(base, line).is_some() {
        return None;
    }
    let lower = base.to_ascii_lowercase();
    // `reg quer` is compared with `reg query`: the sub-command is part of the name.
    let word = if lower == "reg" || lower == "update" {
        let sub = line.split_whitespace().nth(1).unwrap_or("");
        format!("{lower} {}", sub.to_ascii_lowercase())
    } else {
        lower
    };
    let platforms = if platforms.is_empty() { ALL } else { platforms };
    let names: Vec<&str> = COMMANDS
        .iter()
        .filter(|c| c.platforms.intersects(platforms))
        .map(|c| c.name)
        .collect();
    let near = super::suggest::closest(&word, &names)
        .map(|n| format!("; did you mean `{n}`?"))
        .unwrap_or_default();
    let on = platforms
        .only()
        .map(|p| format!(" for {} hosts", p.name()))
        .unwrap_or_default();
    Some(format!(
        "`{word}` is not an RTR command{near} (not sent; the commands{on} and what each needs: help(\"rtr\"))"
    ))
}

/// Every response-policy setting id, in the order Falcon lists them (CrowdStrike's Terraform
/// provider and Caracara templates): nine settings, `FalconScripts` on Windows only.
pub const POLICY_SETTINGS: &[&str] = &[
    RTR_SETTING,
    CUSTOM_SCRIPTS_SETTING,
    "GetCommand",
    "PutCommand",
    "ExecCommand",
    FALCON_SCRIPTS_SETTING,
    "MemDumpCommand",
    "XMemDumpCommand",
    "PutAndRunCommand",
];

pub const CUSTOM_SCRIPTS_SETTING: &str = "CustomScripts";
pub const FALCON_SCRIPTS_SETTING: &str = "FalconScripts";

/// The platforms whose policies have the setting (the others neither show nor accept it).
pub fn setting_platforms(setting: &str) -> Platforms {
    if setting.eq_ignore_ascii_case(FALCON_SCRIPTS_SETTING) {
        WIN
    } else {
        ALL
    }
}

/// Every setting a command needs enabled, in the order a refusal names them: `RealTimeFunctionality`,
/// what the command's own setting builds on (`FalconScripts` needs `CustomScripts`), then its own.
pub fn settings_needed(command: &CommandSpec) -> Vec<&'static str> {
    let mut needed = vec![RTR_SETTING];
    if command.setting == Some(FALCON_SCRIPTS_SETTING) {
        needed.push(CUSTOM_SCRIPTS_SETTING);
    }
    needed.extend(command.setting);
    needed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_cmd_names_its_own_row() {
        for (i, c) in COMMANDS.iter().enumerate() {
            assert_eq!(c.key as usize, i, "{} is out of order", c.name);
            assert_eq!(c.key.command().name, c.name);
        }
    }

    #[test]
    fn names_are_unique_and_settings_known() {
        for (i, a) in COMMANDS.iter().enumerate() {
            assert!(
                COMMANDS[i + 1..].iter().all(|b| b.name != a.name),
                "{} twice",
                a.name
            );
            if let Some(s) = a.setting {
                assert!(POLICY_SETTINGS.contains(&s), "{s}");
            }
            assert!(
                !a.destructive || a.changes_host,
                "{} destroys without changing the host",
                a.name
            );
        }
    }

    #[test]
    fn falcon_scripts_need_custom_scripts_too() {
        let falconscript = lookup("falconscript", "falconscript -Name=x").unwrap();
        assert_eq!(
            settings_needed(falconscript),
            [RTR_SETTING, "CustomScripts", "FalconScripts"]
        );
        assert_eq!(
            settings_needed(lookup("get", "get x").unwrap()),
            [RTR_SETTING, "GetCommand"]
        );
        assert_eq!(POLICY_SETTINGS.len(), 9);
        assert_eq!(setting_platforms("FalconScripts"), WIN);
        assert!(!setting_platforms("FalconScripts").contains(Platform::Mac));
    }

    #[test]
    fn an_unknown_command_names_the_nearest_of_the_platform() {
        assert_eq!(
            unknown("netstst -nao", WIN).unwrap(),
            "`netstst` is not an RTR command; did you mean `netstat`? (not sent; the commands for \
             Windows hosts and what each needs: help(\"rtr\"))"
        );
        let lin = Platforms::from(Platform::Linux);
        assert!(unknown("ifconfg", lin).unwrap().contains("`ifconfig`"));
        assert!(unknown("ifconfg", WIN).unwrap().contains("`ipconfig`"));
        assert!(
            unknown("reg quer HKLM", WIN)
                .unwrap()
                .contains("`reg query`")
        );
        assert_eq!(unknown("netstat", WIN), None);
        assert!(!unknown("xyz", ALL).unwrap().contains("allow"));
    }

    #[test]
    fn sub_commands_are_found() {
        assert_eq!(
            lookup("reg", "reg query HKLM\\Software").unwrap().name,
            "reg query"
        );
        assert_eq!(
            lookup("reg", "reg delete HKLM\\x").unwrap().tier,
            Tier::ActiveResponder
        );
        assert_eq!(lookup("PS", "ps").unwrap().tier, Tier::ReadOnly);
        assert!(lookup("frobnicate", "frobnicate").is_none());
    }
}
