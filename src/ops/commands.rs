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

/// Platform bit set: Windows, Linux, Mac.
pub const WIN: u8 = 1;
pub const LIN: u8 = 2;
pub const MAC: u8 = 4;
pub const ALL: u8 = WIN | LIN | MAC;

#[derive(Debug)]
pub struct Command {
    /// The base command (`reg query` and friends carry their sub-command).
    pub name: &'static str,
    pub tier: Tier,
    pub platforms: u8,
    /// The response-policy setting that must be enabled, beyond `RealTimeFunctionality`.
    pub setting: Option<&'static str>,
    /// Destroys data, stops processes, disrupts the host or runs arbitrary code.
    pub destructive: bool,
    /// Changes the host (plan mode records it instead of sending it).
    pub changes_host: bool,
}

const fn c(
    name: &'static str,
    tier: Tier,
    platforms: u8,
    setting: Option<&'static str>,
    destructive: bool,
    changes_host: bool,
) -> Command {
    Command {
        name,
        tier,
        platforms,
        setting,
        destructive,
        changes_host,
    }
}

use Tier::*;

/// The setting every RTR command needs.
pub const RTR_SETTING: &str = "RealTimeFunctionality";

pub const COMMANDS: &[Command] = &[
    c("cat", ReadOnly, ALL, None, false, false),
    c("cd", ReadOnly, ALL, None, false, false),
    c("clear", ReadOnly, ALL, None, false, false),
    c("env", ReadOnly, ALL, None, false, false),
    c("eventlog", ReadOnly, WIN, None, false, false),
    c("filehash", ReadOnly, ALL, None, false, false),
    c("getsid", ReadOnly, WIN, None, false, false),
    c("help", ReadOnly, ALL, None, false, false),
    c("history", ReadOnly, ALL, None, false, false),
    c("ipconfig", ReadOnly, WIN, None, false, false),
    c("ifconfig", ReadOnly, LIN | MAC, None, false, false),
    c("ls", ReadOnly, ALL, None, false, false),
    c("mount", ReadOnly, ALL, None, false, false),
    c("netstat", ReadOnly, ALL, None, false, false),
    c("ps", ReadOnly, ALL, None, false, false),
    c("pwd", ReadOnly, ALL, None, false, false),
    c("reg query", ReadOnly, WIN, None, false, false),
    c("users", ReadOnly, ALL, None, false, false),
    c("cp", ActiveResponder, ALL, None, false, true),
    c("encrypt", ActiveResponder, WIN, None, true, true),
    c(
        "get",
        ActiveResponder,
        ALL,
        Some("GetCommand"),
        false,
        false,
    ),
    c("kill", ActiveResponder, ALL, None, true, true),
    c("map", ActiveResponder, WIN, None, false, true),
    c(
        "memdump",
        ActiveResponder,
        WIN,
        Some("MemDumpCommand"),
        true,
        true,
    ),
    c("mkdir", ActiveResponder, ALL, None, false, true),
    c("mv", ActiveResponder, ALL, None, false, true),
    c("reg delete", ActiveResponder, WIN, None, true, true),
    c("reg load", ActiveResponder, WIN, None, false, true),
    c("reg set", ActiveResponder, WIN, None, true, true),
    c("reg unload", ActiveResponder, WIN, None, false, true),
    c("restart", ActiveResponder, ALL, None, true, true),
    c("rm", ActiveResponder, ALL, None, true, true),
    c(
        "runscript",
        ActiveResponder,
        ALL,
        Some("CustomScripts"),
        true,
        true,
    ),
    c("shutdown", ActiveResponder, ALL, None, true, true),
    c("tar", ActiveResponder, LIN | MAC, None, false, true),
    c("unmap", ActiveResponder, WIN, None, false, true),
    c("update history", ActiveResponder, WIN, None, false, false),
    c("update install", ActiveResponder, WIN, None, true, true),
    c("update list", ActiveResponder, WIN, None, false, false),
    c("update query", ActiveResponder, WIN, None, false, false),
    c(
        "xmemdump",
        ActiveResponder,
        WIN,
        Some("XMemDumpCommand"),
        true,
        true,
    ),
    c("zip", ActiveResponder, WIN | MAC, None, false, true),
    // Runs one of CrowdStrike's Falcon scripts (`RTR-ListFalconScripts`): Windows, administrators,
    // and the policy's `FalconScripts` (which itself needs `CustomScripts`).
    c(
        "falconscript",
        Admin,
        WIN,
        Some(FALCON_SCRIPTS_SETTING),
        true,
        true,
    ),
    c("put", Admin, ALL, Some("PutCommand"), false, true),
    c(
        "put-and-run",
        Admin,
        ALL,
        Some("PutAndRunCommand"),
        true,
        true,
    ),
    c("run", Admin, ALL, Some("ExecCommand"), true, true),
];

/// Finds the catalogue entry for a base command and its command string
/// (`reg` and `update` are looked up with their sub-command: `reg query HKLM\...` -> `reg query`).
pub fn lookup(base_command: &str, command_string: &str) -> Option<&'static Command> {
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

pub fn platform_bit(platform_name: &str) -> u8 {
    match platform_name.to_ascii_lowercase().as_str() {
        "windows" => WIN,
        "linux" => LIN,
        "mac" => MAC,
        _ => 0,
    }
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
pub fn setting_platforms(setting: &str) -> u8 {
    if setting.eq_ignore_ascii_case(FALCON_SCRIPTS_SETTING) {
        WIN
    } else {
        ALL
    }
}

/// Every setting a command needs enabled, in the order a refusal names them: `RealTimeFunctionality`,
/// what the command's own setting builds on (`FalconScripts` needs `CustomScripts`), then its own.
pub fn settings_needed(command: &Command) -> Vec<&'static str> {
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
