//! System commands: `users`, `env`, `reg`, `getsid`, `history`, `eventlog`, `mount`,
//! `restart`/`shutdown`, `help`.

use super::super::clock;
use super::super::format::table;
use super::super::registry::{RegValue, canonical};
use super::super::{CommandOutput, Host, Platform};
use super::{Args, err, ok, usage};

pub fn users(host: &Host) -> CommandOutput {
    let rows: Vec<Vec<String>> = host
        .users
        .iter()
        .map(|u| {
            vec![
                u.name.clone(),
                u.sid.clone(),
                if u.admin { "True" } else { "False" }.into(),
                if u.last_logon == 0 {
                    "Never".into()
                } else {
                    match host.platform {
                        Platform::Windows => clock::windows(u.last_logon),
                        _ => clock::plain(u.last_logon),
                    }
                },
                u.home.clone(),
            ]
        })
        .collect();
    let id = if host.platform == Platform::Windows {
        "Sid"
    } else {
        "UID"
    };
    ok(table(
        &["UserName", id, "Admin", "LastLogon (UTC+0)", "ProfilePath"],
        &rows,
        &[16, 0, 5, 22],
        2,
    ))
}

pub fn env(host: &Host) -> CommandOutput {
    match host.platform {
        Platform::Windows => {
            let rows: Vec<Vec<String>> = host
                .env
                .iter()
                .map(|(k, v)| vec![k.clone(), v.clone()])
                .collect();
            ok(table(&["Name", "Value"], &rows, &[29], 1))
        }
        _ => ok(host.env.iter().map(|(k, v)| format!("{k}={v}\n")).collect()),
    }
}

fn value_line(v: &RegValue) -> String {
    let name = if v.name.is_empty() {
        "(Default)"
    } else {
        &v.name
    };
    format!("    {name}    {}    {}\n", v.kind, v.data)
}

pub fn reg_query(host: &Host, args: &Args) -> CommandOutput {
    let Some(key) = args.first() else {
        return usage("reg query", "reg query <key> [<value>]");
    };
    let Some(k) = host.registry.get(key) else {
        return err(format!(
            "ERROR: The system was unable to find the specified registry key or value: {}",
            canonical(key)
        ));
    };
    if let Some(name) = args.positional.get(1) {
        return match k.values.iter().find(|v| v.name.eq_ignore_ascii_case(name)) {
            Some(v) => ok(format!("{}\n{}\n", k.path, value_line(v))),
            None => err(format!(
                "ERROR: The system was unable to find the specified registry key or value: {}\\{name}",
                k.path
            )),
        };
    }
    let mut out = format!("{}\n", k.path);
    for v in &k.values {
        out.push_str(&value_line(v));
    }
    out.push('\n');
    for sub in host.registry.subkeys(&k.path) {
        out.push_str(&sub);
        out.push('\n');
    }
    ok(out)
}

pub fn reg_set(host: &mut Host, args: &Args) -> CommandOutput {
    let [key, name, ..] = args.positional.as_slice() else {
        return usage(
            "reg set",
            "reg set <key> <value> -ValueType=<REG_SZ|REG_DWORD|...> -Value=<data>",
        );
    };
    let value = RegValue {
        name: name.clone(),
        kind: args.value("ValueType").unwrap_or("REG_SZ").to_uppercase(),
        data: args.value("Value").unwrap_or_default().to_string(),
    };
    host.registry.set(key, value);
    ok(format!("{}\\{name}\n", canonical(key)))
}

pub fn reg_delete(host: &mut Host, args: &Args) -> CommandOutput {
    let Some(key) = args.first() else {
        return usage("reg delete", "reg delete <key> [<value>]");
    };
    let found = match args.positional.get(1) {
        Some(name) => host.registry.delete_value(key, name),
        None => host.registry.delete_key(key),
    };
    if found {
        ok(format!("{}\n", canonical(key)))
    } else {
        err(format!(
            "ERROR: The system was unable to find the specified registry key or value: {}",
            canonical(key)
        ))
    }
}

pub fn getsid(host: &Host) -> CommandOutput {
    let rows: Vec<Vec<String>> = host
        .users
        .iter()
        .map(|u| vec![u.name.clone(), u.sid.clone()])
        .collect();
    ok(table(&["UserName", "SID"], &rows, &[16], 2))
}

pub fn history(host: &Host) -> CommandOutput {
    ok(host
        .history
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{:>4}  {c}\n", i + 1))
        .collect())
}

pub fn eventlog(args: &Args) -> CommandOutput {
    const LOGS: [&str; 4] = ["Application", "Security", "Setup", "System"];
    match args.first().map(str::to_ascii_lowercase).as_deref() {
        None | Some("list") => {
            let rows: Vec<Vec<String>> = LOGS
                .iter()
                .zip([1_284u32, 20_112, 57, 3_947])
                .map(|(l, n)| vec![l.to_string(), n.to_string()])
                .collect();
            ok(table(&["Log", "Entries"], &rows, &[12], 2))
        }
        Some("view") => {
            let log = args.positional.get(1).map_or("System", String::as_str);
            let Some(log) = LOGS.iter().find(|l| l.eq_ignore_ascii_case(log)) else {
                return err(format!(
                    "The event log '{log}' on computer '.' does not exist."
                ));
            };
            let count: usize = args
                .positional
                .get(2)
                .and_then(|c| c.parse().ok())
                .unwrap_or(3)
                .min(10);
            let (id, source, message) = match *log {
                "Security" => (
                    4624u32,
                    "Microsoft-Windows-Security-Auditing",
                    "An account was successfully logged on.",
                ),
                "Application" => (
                    1000,
                    "Application Error",
                    "Faulting application name: msedge.exe",
                ),
                "Setup" => (
                    2,
                    "Microsoft-Windows-Servicing",
                    "Package KB5032190 was successfully changed to the Installed state.",
                ),
                _ => (
                    7036,
                    "Service Control Manager",
                    "The Windows Update service entered the running state.",
                ),
            };
            let rows: Vec<Vec<String>> = (0..count)
                .map(|i| {
                    vec![
                        clock::windows(clock::BASE_TIME - 600 * i as i64),
                        "Information".into(),
                        source.into(),
                        id.to_string(),
                        message.into(),
                    ]
                })
                .collect();
            ok(table(
                &[
                    "TimeGenerated (UTC+0)",
                    "EntryType",
                    "Source",
                    "EventID",
                    "Message",
                ],
                &rows,
                &[0, 0, 0, 7],
                2,
            ))
        }
        Some("export") => ok(format!(
            "C:\\Windows\\Temp\\{}.evtx\n",
            args.positional.get(1).map_or("System", String::as_str)
        )),
        Some("backup") => ok(String::new()),
        Some(other) => err(format!(
            "eventlog: unknown sub-command '{other}'. Usage: eventlog [list|view <log> [count]|export <log>]"
        )),
    }
}

pub fn mount(host: &Host) -> CommandOutput {
    match host.platform {
        Platform::Windows => ok(table(
            &["Drive", "Type", "FileSystem", "Label", "Size (GB)", "Free (GB)"],
            &[vec![
                "C:".into(),
                "Fixed".into(),
                "NTFS".into(),
                "Windows".into(),
                "237.8".into(),
                "112.4".into(),
            ]],
            &[0],
            2,
        )),
        Platform::Linux => ok("/dev/sda1 on / type ext4 (rw,relatime)\n/dev/sda15 on /boot/efi type vfat (rw,relatime)\ntmpfs on /dev/shm type tmpfs (rw,nosuid,nodev)\nproc on /proc type proc (rw,nosuid,nodev,noexec,relatime)\n".into()),
        Platform::Mac => ok("/dev/disk3s1s1 on / (apfs, sealed, local, read-only, journaled)\n/dev/disk3s5 on /System/Volumes/Data (apfs, local, journaled, nobrowse)\n".into()),
    }
}

pub fn power(host: &mut Host, command: &str, args: &Args) -> CommandOutput {
    if !args.flag(&["Confirm"]) {
        return err(format!(
            "{command} requires the -Confirm flag: '{command} -Confirm'"
        ));
    }
    let verb = if command == "restart" {
        "restart"
    } else {
        "shut down"
    };
    // A shutdown host boots when it is turned back on, so both end in a fresh boot.
    host.reboot(clock::now());
    CommandOutput {
        stdout: format!("{} will {verb} now\n", host.hostname),
        goes_offline: true,
        ..Default::default()
    }
}

/// `help`: the commands this host's platform accepts, from the catalogue (so none can be missing).
pub fn help(host: &Host) -> String {
    let names: Vec<&str> = crate::ops::commands::COMMANDS
        .iter()
        .filter(|c| c.platforms.contains(host.platform))
        .map(|c| c.name)
        .collect();
    format!("Commands: {}\n", names.join(", "))
}
