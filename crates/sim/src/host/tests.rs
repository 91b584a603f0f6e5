//! Behaviour of RTR commands on the built-in fleet's hosts.

use std::collections::BTreeMap;

use super::compromise::{EVIL_EXE, LINUX_CRONTAB, LINUX_MINER, WINDOWS_C2};
use super::fleet::default_fleet;
use super::*;

/// Put-files and scripts of a test tenant.
#[derive(Default)]
struct Cloud {
    files: BTreeMap<String, Vec<u8>>,
    scripts: BTreeMap<String, String>,
}

impl CommandEnv for Cloud {
    fn put_file(&self, name: &str) -> Option<Vec<u8>> {
        self.files.get(name).cloned()
    }
    fn script(&self, name: &str) -> Option<String> {
        self.scripts.get(name).cloned()
    }
}

fn host(name: &str) -> Host {
    let fleet = default_fleet();
    let (i, spec) = fleet
        .iter()
        .enumerate()
        .find(|(_, h)| h.hostname == name)
        .unwrap();
    let mut h = Host::from_spec(spec, i, 0);
    h.materialize();
    h
}

/// Runs a command line (base command = first word, or two for `reg ...`).
fn run(h: &mut Host, cwd: &mut String, line: &str) -> CommandOutput {
    let mut words = line.split_whitespace();
    let first = words.next().unwrap();
    let base = if first == "reg" {
        format!("reg {}", words.next().unwrap())
    } else {
        first.to_string()
    };
    h.execute(cwd, &base, line, &Cloud::default())
}

#[test]
fn windows_ps_lists_the_implant_and_kill_removes_it_with_its_connection() {
    let mut h = host("WS-042");
    let mut cwd = String::new();
    let out = run(&mut h, &mut cwd, "ps");
    assert_eq!(out.stderr, "");
    let line = out.stdout.lines().find(|l| l.starts_with("evil ")).unwrap();
    // Format-Table as the real captures show it: `Get-Process` names (no `.exe`), the `Path`
    // cell padded to the 150-character line.
    assert!(line.contains(" 6612 "));
    assert!(
        line.trim_end()
            .ends_with("C:\\Users\\bob\\AppData\\Local\\Temp\\evil.exe")
    );
    assert_eq!(line.chars().count(), 150, "{line:?}");
    assert!(out.stdout.starts_with("\nName "));
    assert!(h.connections.iter().any(|c| c.remote_address == WINDOWS_C2));

    let out = run(&mut h, &mut cwd, "kill 6612");
    assert_eq!(out.stderr, "");
    assert!(h.processes.get(6612).is_none());
    assert!(!h.connections.iter().any(|c| c.remote_address == WINDOWS_C2));
    let out = run(&mut h, &mut cwd, "kill 6612");
    assert_eq!(
        out.stderr,
        "Cannot find a process with the process identifier 6612."
    );
}

#[test]
fn windows_rm_refuses_a_running_image_then_removes_it_after_kill() {
    let mut h = host("WS-042");
    let mut cwd = String::new();
    let path = "C:\\Users\\bob\\AppData\\Local\\Temp\\evil.exe";
    let out = run(&mut h, &mut cwd, &format!("rm {path}"));
    assert!(
        out.stderr.contains("being used by another process"),
        "{}",
        out.stderr
    );
    run(&mut h, &mut cwd, "kill 6612");
    let out = run(&mut h, &mut cwd, &format!("rm {}", path.to_uppercase()));
    assert_eq!(out.stderr, "");
    assert!(h.fs.get(path).is_none());
    let out = run(&mut h, &mut cwd, &format!("rm {path}"));
    assert_eq!(
        out.stderr,
        format!("Cannot find path '{path}' because it does not exist.")
    );
    let out = run(&mut h, &mut cwd, "rm C:\\Users\\bob\\Documents");
    assert!(out.stderr.contains("-Force"));
    let out = run(&mut h, &mut cwd, "rm C:\\Users\\bob\\Documents -Force");
    assert_eq!(out.stderr, "");
    assert!(h.fs.get("C:\\Users\\bob\\Documents\\notes.txt").is_none());
}

#[test]
fn windows_ls_cd_pwd_follow_the_real_layout() {
    let mut h = host("WS-042");
    let mut cwd = String::new();
    let out = run(&mut h, &mut cwd, "pwd");
    assert_eq!(out.stdout, "C:\\\n");
    let out = run(&mut h, &mut cwd, "cd users\\BOB\\appdata\\local\\temp");
    assert_eq!(out.stdout, "C:\\Users\\bob\\AppData\\Local\\Temp\n");
    assert_eq!(cwd, "C:\\Users\\bob\\AppData\\Local\\Temp");
    let out = run(&mut h, &mut cwd, "ls");
    let mut lines = out.stdout.lines();
    assert_eq!(
        lines.next(),
        Some("Directory listing for C:\\Users\\bob\\AppData\\Local\\Temp -")
    );
    assert_eq!(lines.next(), Some(""));
    assert!(lines.next().unwrap().starts_with("Name"));
    assert!(lines.next().unwrap().starts_with("----"));
    let row = lines.next().unwrap();
    assert!(row.starts_with("evil.exe"));
    assert!(row.contains(&EVIL_EXE.len().to_string()));
    let out = run(&mut h, &mut cwd, "cd C:\\nope");
    assert_eq!(
        out.stderr,
        "Cannot find path 'C:\\nope' because it does not exist."
    );
    assert_eq!(cwd, "C:\\Users\\bob\\AppData\\Local\\Temp");
    let out = run(&mut h, &mut cwd, "cd ..\\..\\..\\..\\..\\..");
    assert_eq!(out.stdout, "C:\\\n");
}

#[test]
fn filehash_and_get_report_the_real_digests() {
    let mut h = host("WS-042");
    let mut cwd = String::new();
    let path = "C:\\Users\\bob\\AppData\\Local\\Temp\\evil.exe";
    let out = run(&mut h, &mut cwd, &format!("filehash {path}"));
    let sha = digest::sha256_hex(EVIL_EXE.as_bytes());
    let md5 = digest::md5_hex(EVIL_EXE.as_bytes());
    assert_eq!(
        out.stdout,
        format!("{path}\nMD5:    {md5}\nSHA256: {sha}\n")
    );
    let out = run(&mut h, &mut cwd, &format!("get \"{path}\""));
    let x = out.extracted.unwrap();
    assert_eq!(x.path, path);
    assert_eq!(x.sha256, sha);
    assert_eq!(x.size, EVIL_EXE.len() as u64);
    assert_eq!(x.bytes, EVIL_EXE.as_bytes());
    let out = run(&mut h, &mut cwd, "get C:\\missing.exe");
    assert!(out.extracted.is_none());
    assert_eq!(
        out.stderr,
        "Cannot find path 'C:\\missing.exe' because it does not exist."
    );
}

#[test]
fn linux_host_runs_the_miner_and_answers_in_linux_formats() {
    let mut h = host("web-01");
    let mut cwd = String::new();
    let out = run(&mut h, &mut cwd, "ps");
    assert!(out.stdout.starts_with("USER "));
    let line = out
        .stdout
        .lines()
        .find(|l| l.contains(" kworkerd "))
        .unwrap();
    assert!(line.starts_with("www-data"));
    assert!(line.contains("4242"));
    let out = run(&mut h, &mut cwd, "netstat");
    assert!(out.stdout.contains("45.9.148.108:4444"));
    assert!(out.stdout.contains("4242/kworkerd"));
    // Plain `ls` prints names only, as the real Linux captures (tests/data/rtr/real/linux_ls_kibana*.txt).
    let out = run(&mut h, &mut cwd, "ls /tmp/.x");
    assert_eq!(out.stdout, "kworkerd\n");
    let out = run(&mut h, &mut cwd, "ls -l /tmp/.x");
    assert!(
        out.stdout
            .starts_with("Directory listing for /tmp/.x -\n\n")
    );
    assert!(out.stdout.contains("-rwxr-xr-x"));
    // Linux lets a running binary be unlinked.
    let out = run(&mut h, &mut cwd, &format!("rm {LINUX_MINER}"));
    assert_eq!(out.stderr, "");
    let out = run(&mut h, &mut cwd, "cat /tmp/.x/kworkerd");
    assert_eq!(out.stderr, "/tmp/.x/kworkerd: No such file or directory");
    let out = run(&mut h, &mut cwd, &format!("cat {LINUX_CRONTAB}"));
    assert!(out.stdout.contains(LINUX_MINER));
    let out = run(&mut h, &mut cwd, "kill 4242");
    assert_eq!(out.stderr, "");
    let out = run(&mut h, &mut cwd, "kill 4242");
    assert_eq!(out.stderr, "kill: (4242) - No such process");
    let out = run(&mut h, &mut cwd, "ifconfig");
    assert!(out.stdout.starts_with("eth0: flags="));
    let out = run(&mut h, &mut cwd, "env");
    assert!(out.stdout.contains("USER=root\n"));
}

#[test]
fn mutating_file_commands_change_the_file_system() {
    let mut h = host("WS-017");
    let mut cwd = String::new();
    let out = run(&mut h, &mut cwd, "mkdir C:\\IR");
    assert_eq!(out.stdout, "C:\\IR\n");
    let out = run(&mut h, &mut cwd, "mkdir C:\\IR");
    assert!(out.stderr.contains("already exists"));
    run(&mut h, &mut cwd, "cp C:\\Windows\\notepad.exe C:\\IR");
    assert!(h.fs.get("C:\\IR\\notepad.exe").is_some());
    run(&mut h, &mut cwd, "mv C:\\IR\\notepad.exe C:\\IR\\n.exe");
    assert!(h.fs.get("C:\\IR\\notepad.exe").is_none());
    assert!(h.fs.get("C:\\IR\\n.exe").is_some());
    let out = run(&mut h, &mut cwd, "zip C:\\IR C:\\ir.zip");
    assert_eq!(out.stdout, "C:\\ir.zip\n");
    assert!(
        h.fs.get("C:\\ir.zip")
            .unwrap()
            .bytes()
            .unwrap()
            .starts_with(b"PK")
    );

    let mut cloud = Cloud::default();
    cloud.files.insert("tool.exe".into(), b"MZ tool".to_vec());
    cwd = "C:\\IR".into();
    let out = h.execute(&mut cwd, "put", "put tool.exe", &cloud);
    assert_eq!(out.stdout, "C:\\IR\\tool.exe\n");
    assert_eq!(
        &h.fs.get("C:\\IR\\tool.exe").unwrap().bytes().unwrap()[..],
        b"MZ tool"
    );
    let out = h.execute(&mut cwd, "put", "put nothing.exe", &cloud);
    assert!(out.stderr.contains("nothing.exe"));
}

#[test]
fn registry_query_shows_the_run_key_persistence() {
    let mut h = host("WS-042");
    let mut cwd = String::new();
    let out = run(
        &mut h,
        &mut cwd,
        "reg query HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run",
    );
    assert!(
        out.stdout
            .starts_with("HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run\n")
    );
    assert!(out.stdout.contains(
        "    WindowsUpdateHelper    REG_SZ    C:\\Users\\bob\\AppData\\Local\\Temp\\evil.exe\n"
    ));
    let out = run(&mut h, &mut cwd, "reg query HKLM\\SOFTWARE\\Nope");
    assert!(
        out.stderr
            .starts_with("ERROR: The system was unable to find")
    );
    run(
        &mut h,
        &mut cwd,
        "reg delete HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run WindowsUpdateHelper",
    );
    let out = run(
        &mut h,
        &mut cwd,
        "reg query HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run",
    );
    assert!(!out.stdout.contains("WindowsUpdateHelper"));
}

#[test]
fn scripts_are_deterministic_and_remediation_lines_act_on_the_host() {
    let mut h = host("WS-042");
    let mut cwd = String::new();
    let mut cloud = Cloud::default();
    cloud.scripts.insert(
        "Remediate".into(),
        "Write-Output \"stopping implant\"\nStop-Process -Id 6612 -Force\nRemove-Item C:\\Users\\bob\\AppData\\Local\\Temp\\evil.exe -Force\n".into(),
    );
    let out = h.execute(
        &mut cwd,
        "runscript",
        "runscript -CloudFile=\"Remediate\"",
        &cloud,
    );
    assert_eq!(out.stdout, "stopping implant\n");
    assert_eq!(out.stderr, "");
    assert!(h.processes.get(6612).is_none());
    assert!(
        h.fs.get("C:\\Users\\bob\\AppData\\Local\\Temp\\evil.exe")
            .is_none()
    );

    let out = h.execute(
        &mut cwd,
        "runscript",
        "runscript -Raw=```Get-ChildItem C:\\```",
        &cloud,
    );
    assert_eq!(out.stdout, "Script completed successfully\n");
    let out = h.execute(
        &mut cwd,
        "runscript",
        "runscript -CloudFile=Missing",
        &cloud,
    );
    assert!(out.stderr.contains("'Missing'"));

    h.script_outputs
        .insert("Collect".into(), "collected 3 files".into());
    cloud.scripts.insert("Collect".into(), "whatever".into());
    let out = h.execute(
        &mut cwd,
        "runscript",
        "runscript -CloudFile=Collect",
        &cloud,
    );
    assert_eq!(out.stdout, "collected 3 files\n");

    cloud
        .files
        .insert("fix.ps1".into(), b"echo fixed $args".to_vec());
    let out = h.execute(
        &mut cwd,
        "put-and-run",
        "put-and-run fix.ps1 -CommandLine=\"now\"",
        &cloud,
    );
    assert_eq!(out.stdout, "fixed now\n");
    assert!(h.fs.get("C:\\Windows\\Temp\\fix.ps1").is_some());
}

#[test]
fn restart_needs_confirm_and_takes_the_host_offline() {
    let mut h = host("WS-017");
    let mut cwd = String::new();
    let out = run(&mut h, &mut cwd, "restart");
    assert!(!out.goes_offline);
    assert!(out.stderr.contains("-Confirm"));
    let out = run(&mut h, &mut cwd, "shutdown -Confirm");
    assert!(out.goes_offline);
}

#[test]
fn every_read_command_answers_on_every_platform() {
    for name in ["WS-042", "web-01", "MAC-007", "SRV-DC01"] {
        let mut h = host(name);
        let mut cwd = String::new();
        for cmd in [
            "ls",
            "pwd",
            "ps",
            "netstat",
            "users",
            "env",
            "mount",
            "history",
            "getsid",
            "eventlog list",
            "eventlog view Security 2",
            "ipconfig",
            "ifconfig",
        ] {
            let out = run(&mut h, &mut cwd, cmd);
            let entry = crate::ops::commands::lookup(cmd.split(' ').next().unwrap(), cmd).unwrap();
            let unsupported = !entry.platforms.contains(h.platform);
            assert_eq!(
                out.stderr.is_empty(),
                !unsupported,
                "{name}: {cmd}: {}",
                out.stderr
            );
            if !unsupported {
                assert!(!out.stdout.is_empty(), "{name}: {cmd}");
            }
        }
    }
}

#[test]
fn device_record_has_the_falcon_fields() {
    let mut h = host("WS-042");
    h.status = "contained".into();
    let r = h.device_record();
    assert_eq!(r["hostname"], "WS-042");
    assert_eq!(r["device_id"], "4d2c8e1f0a9b47c3b6e5d4c3b2a19f80");
    assert_eq!(r["platform_name"], "Windows");
    assert_eq!(r["status"], "contained");
    assert_eq!(r["product_type_desc"], "Workstation");
    for field in [
        "cid",
        "agent_version",
        "local_ip",
        "external_ip",
        "mac_address",
        "first_seen",
        "last_seen",
        "os_version",
        "system_manufacturer",
        "tags",
    ] {
        assert!(!r[field].is_null(), "{field}");
    }
    let dc = host("SRV-DC01").device_record();
    assert_eq!(dc["product_type_desc"], "Domain Controller");
    assert_eq!(
        host("web-01").device_record()["product_type_desc"],
        "Server"
    );
}

#[test]
fn scenario_toml_describes_hosts_and_rejects_unknown_fields() {
    let spec: HostSpec = toml::from_str(
        r#"
hostname = "lab-1"
platform = "Linux"
groups = ["lab"]
[[files]]
path = "/srv/a.txt"
content = "hello"
[[processes]]
name = "nc"
path = "/usr/bin/nc"
command_line = "nc -l 4444"
[[connections]]
local = "0.0.0.0:4444"
state = "LISTENING"
process = "nc"
[script_outputs]
triage = "ok"
"#,
    )
    .unwrap();
    let mut h = Host::from_spec(&spec, 0, 1);
    h.materialize();
    assert_eq!(h.device_id.len(), 32);
    let mut cwd = String::new();
    assert_eq!(run(&mut h, &mut cwd, "cat /srv/a.txt").stdout, "hello");
    let nc = h.processes.by_name("nc").unwrap().pid;
    assert!(
        h.connections
            .iter()
            .any(|c| c.pid == nc && c.local_port == 4444)
    );
    assert!(toml::from_str::<HostSpec>("hostname = \"x\"\nplatfrom = \"Linux\"").is_err());
}

#[test]
fn clients_may_send_reg_as_the_base_command_and_unsupported_commands_fail() {
    let mut h = host("WS-042");
    let mut cwd = String::new();
    let out = h.execute(
        &mut cwd,
        "reg",
        "reg query HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run WindowsUpdateHelper",
        &Cloud::default(),
    );
    assert_eq!(out.stderr, "");
    assert!(out.stdout.contains("WindowsUpdateHelper    REG_SZ"));
    let mut linux = host("web-01");
    let out = linux.execute(
        &mut cwd,
        "reg",
        "reg query HKLM\\SOFTWARE",
        &Cloud::default(),
    );
    assert_eq!(out.stderr, "'reg query' is not supported on Linux hosts");
    let out = linux.execute(&mut cwd, "ipconfig", "ipconfig", &Cloud::default());
    assert_eq!(out.stderr, "'ipconfig' is not supported on Linux hosts");
}

#[test]
fn memdump_and_encrypt_write_files() {
    let mut h = host("WS-042");
    let mut cwd = String::new();
    let out = run(&mut h, &mut cwd, "memdump 6612 C:\\IR\\evil.dmp");
    assert_eq!(out.stderr, "");
    assert!(h.fs.get("C:\\IR\\evil.dmp").is_some());
    let out = run(&mut h, &mut cwd, "memdump 1 C:\\IR\\x.dmp");
    assert!(out.stderr.contains("identifier 1"));
    run(
        &mut h,
        &mut cwd,
        "encrypt C:\\Users\\bob\\Documents\\notes.txt",
    );
    assert!(
        h.fs.get("C:\\Users\\bob\\Documents\\notes.txt.encrypted")
            .is_some()
    );
    assert!(h.fs.get("C:\\Users\\bob\\Documents\\notes.txt").is_none());
    let out = h.execute(&mut cwd, "update", "update list", &Cloud::default());
    assert!(out.stdout.contains("KB5032190"));
}

#[test]
fn the_sensor_protects_its_process_and_files() {
    let mut h = host("WS-017");
    let mut cwd = String::new();
    let out = run(&mut h, &mut cwd, "kill 2936");
    assert_eq!(out.stderr, "Cannot kill process 2936: access is denied.");
    assert!(h.processes.get(2936).is_some());
    let out = run(
        &mut h,
        &mut cwd,
        "rm \"C:\\Program Files\\CrowdStrike\" -Force",
    );
    assert!(out.stderr.starts_with("Access to the path"));
    let mut l = host("web-02");
    let out = run(&mut l, &mut cwd, "rm /opt/CrowdStrike/falcon-sensor");
    assert!(out.stderr.starts_with("Access to the path"));
}

#[test]
fn a_restart_brings_back_what_persistence_starts() {
    let mut h = host("WS-042");
    let mut cwd = String::new();
    run(&mut h, &mut cwd, "kill 6612");
    run(&mut h, &mut cwd, "restart -Confirm");
    let evil = h
        .processes
        .by_name("evil.exe")
        .expect("the Run key restarts the implant");
    assert_ne!(evil.pid, 6612);
    assert!(h.processes.by_name("explorer.exe").is_some());

    // Remove the persistence and the file: the next boot is clean.
    let pid = evil.pid;
    run(&mut h, &mut cwd, &format!("kill {pid}"));
    run(
        &mut h,
        &mut cwd,
        "reg delete HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run WindowsUpdateHelper",
    );
    run(&mut h, &mut cwd, "restart -Confirm");
    assert!(h.processes.by_name("evil.exe").is_none());
    assert!(h.processes.by_name("SecurityHealthSystray.exe").is_some());

    let mut l = host("web-01");
    run(&mut l, &mut cwd, "kill 4242");
    run(&mut l, &mut cwd, "shutdown -Confirm");
    let miner = l
        .processes
        .by_name("kworkerd")
        .expect("cron restarts the miner");
    assert_eq!(miner.user, "www-data");
    run(&mut l, &mut cwd, &format!("rm {LINUX_CRONTAB}"));
    let again = l.processes.by_name("kworkerd").unwrap().pid;
    run(&mut l, &mut cwd, &format!("kill {again}"));
    run(&mut l, &mut cwd, "restart -Confirm");
    assert!(l.processes.by_name("kworkerd").is_none());
}

/// Commands with hostile arguments answer (often with an error) and never panic.
#[test]
fn execute_never_panics_on_odd_arguments() {
    const PIECES: &[&str] = &[
        " ",
        "\"",
        "```",
        "-Force",
        "-Raw=",
        "-CloudFile=",
        "-CommandLine=\"",
        "..",
        "\\",
        "/",
        "C:",
        "C:\\",
        "D:\\x",
        "*",
        "é",
        "İ",
        "日本",
        "🦅",
        "0",
        "-1",
        "4294967296",
        "6612",
        "HKLM\\",
        "HKEY_USERS",
        "REG_SZ",
        "$args",
        "\n",
        "\t",
        "-",
        "--",
        "=",
        "''",
    ];
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let cloud = Cloud::default();
    for name in ["WS-042", "web-01", "MAC-007"] {
        let template = host(name);
        for c in crate::ops::commands::COMMANDS {
            for _ in 0..12 {
                let mut line = c.name.to_string();
                for _ in 0..(next() % 6) {
                    line.push(' ');
                    line.push_str(PIECES[(next() % PIECES.len() as u64) as usize]);
                    line.push_str(PIECES[(next() % PIECES.len() as u64) as usize]);
                }
                let mut h = template.clone();
                let mut cwd = String::new();
                let base = c.name.split(' ').next().unwrap();
                let _ = h.execute(&mut cwd, base, &line, &cloud);
                // The working directory stays a path of the host.
                assert!(h.fs.get(&cwd).is_some_and(|n| n.is_dir()), "{line}: {cwd}");
            }
        }
    }
}

#[test]
fn roots_and_the_working_directory_cannot_be_removed() {
    let mut h = host("WS-017");
    let mut cwd = String::new();
    let out = run(&mut h, &mut cwd, "rm C:\\ -Force");
    assert_eq!(out.stderr, "Access to the path 'C:\\' is denied.");
    run(&mut h, &mut cwd, "cd C:\\Users\\alice\\Documents");
    let out = run(&mut h, &mut cwd, "rm C:\\Users\\alice -Force");
    assert_eq!(
        out.stderr,
        "Access to the path 'C:\\Users\\alice' is denied."
    );
    let mut l = host("web-02");
    let out = run(&mut l, &mut cwd, "rm / -Force");
    assert_eq!(out.stderr, "Access to the path '/' is denied.");
}

/// Every catalogue command is known to the emulator (never "not a recognized command") on every
/// platform, and each platform's `help` lists exactly the catalogue's commands for that platform.
#[test]
fn every_catalogue_command_is_emulated_and_listed_in_help() {
    use crate::ops::commands::COMMANDS;
    let cloud = Cloud::default();
    for name in ["WS-042", "web-01", "MAC-007"] {
        let template = host(name);
        let mut h = template.clone();
        let mut cwd = String::new();
        let help = h.execute(&mut cwd, "help", "help", &cloud).stdout;
        let listed: Vec<&str> = help
            .trim()
            .trim_start_matches("Commands: ")
            .split(", ")
            .collect();
        let expected: Vec<&str> = COMMANDS
            .iter()
            .filter(|c| c.platforms.contains(template.platform))
            .map(|c| c.name)
            .collect();
        assert_eq!(listed, expected, "{name}: help");
        for c in COMMANDS {
            let mut h = template.clone();
            let mut cwd = String::new();
            let base = c.name.split(' ').next().unwrap();
            let out = h.execute(&mut cwd, base, c.name, &cloud);
            assert!(
                !out.stderr.contains("not a recognized command"),
                "{name}: `{}`: {}",
                c.name,
                out.stderr
            );
        }
    }
}
