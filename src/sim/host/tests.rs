//! Behaviour of RTR commands on the built-in fleet's hosts.

use std::collections::BTreeMap;

use super::fleet::{EVIL_EXE, LINUX_MINER, WINDOWS_C2, default_fleet};
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
    let line = out
        .stdout
        .lines()
        .find(|l| l.starts_with("evil.exe"))
        .unwrap();
    assert!(line.contains("6612"));
    assert!(line.ends_with("C:\\Users\\bob\\AppData\\Local\\Temp\\evil.exe"));
    assert!(out.stdout.starts_with("Name "));
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
    let out = run(&mut h, &mut cwd, "ls /tmp/.x");
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
    let out = run(&mut h, &mut cwd, "cat /etc/cron.d/kworkerd");
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
        let windows = h.platform == Platform::Windows;
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
            let unsupported = (cmd == "ipconfig" && !windows) || (cmd == "ifconfig" && windows);
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
    assert_eq!(dc["product_type_desc"], "Server");
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
