//! Parsers against the emulator's output and against samples of the real RTR format
//! (`tests/data/rtr/`), plus garbage.

use serde_json::{Value, json};

use super::parse;
use crate::sim::host::{CommandEnv, Host, default_fleet};

macro_rules! sample {
    ($name:literal) => {
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/rtr/",
            $name
        ))
    };
}

struct NoCloud;

impl CommandEnv for NoCloud {
    fn put_file(&self, _: &str) -> Option<Vec<u8>> {
        None
    }
    fn script(&self, _: &str) -> Option<String> {
        None
    }
}

fn emulated(hostname: &str, base: &str, line: &str) -> (String, Value) {
    let fleet = default_fleet();
    let (i, spec) = fleet
        .iter()
        .enumerate()
        .find(|(_, h)| h.hostname == hostname)
        .unwrap();
    let mut host = Host::from_spec(spec, i, 0);
    let mut cwd = String::new();
    let out = host.execute(&mut cwd, base, line, &NoCloud);
    assert_eq!(out.stderr, "", "{line}");
    let platform = host.platform.name();
    let (_, v) = parse(base, Some(platform), &out.stdout).unwrap();
    (out.stdout, v)
}

fn find<'a>(list: &'a Value, key: &str, value: &Value) -> &'a Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|x| &x[key] == value)
        .unwrap_or_else(|| panic!("no {key} = {value} in {list:#}"))
}

#[test]
fn emulator_ps_parses_on_windows_and_linux() {
    let (_, procs) = emulated("WS-042", "ps", "ps");
    let evil = find(&procs, "name", &json!("evil.exe"));
    assert_eq!(evil["pid"], 6612);
    assert_eq!(evil["ppid"], 4120);
    assert_eq!(
        evil["path"],
        "C:\\Users\\bob\\AppData\\Local\\Temp\\evil.exe"
    );
    assert_eq!(evil["user"], "WS-042\\bob");
    let system = find(&procs, "pid", &json!(4));
    assert_eq!(system["user"], "NT AUTHORITY\\SYSTEM");

    let (_, procs) = emulated("web-01", "ps", "ps");
    let miner = find(&procs, "name", &json!("kworkerd"));
    assert_eq!(miner["pid"], 4242);
    assert_eq!(miner["ppid"], 1);
    assert_eq!(miner["user"], "www-data");
    assert!(
        miner["command_line"]
            .as_str()
            .unwrap()
            .contains("45.9.148.108:4444")
    );
    assert_eq!(miner["start_time"].as_str().unwrap().len(), 19);
}

#[test]
fn emulator_ls_parses_on_windows_and_linux() {
    let (_, entries) = emulated("WS-042", "ls", "ls C:\\Users\\bob\\AppData\\Local\\Temp");
    assert_eq!(entries.as_array().unwrap().len(), 1);
    let e = &entries[0];
    assert_eq!(e["name"], "evil.exe");
    assert_eq!(e["type"], "file");
    assert_eq!(e["extension"], ".exe");
    assert_eq!(e["path"], "C:\\Users\\bob\\AppData\\Local\\Temp\\evil.exe");
    assert!(e["size"].as_u64().unwrap() > 10);
    let (_, one) = emulated(
        "WS-042",
        "ls",
        "ls c:\\users\\bob\\appdata\\local\\temp\\EVIL.EXE",
    );
    assert_eq!(
        one[0]["path"],
        "C:\\Users\\bob\\AppData\\Local\\Temp\\evil.exe"
    );
    let (_, entries) = emulated("WS-042", "ls", "ls C:\\");
    assert_eq!(find(&entries, "name", &json!("Users"))["type"], "directory");
    assert_eq!(find(&entries, "name", &json!("Users"))["size"], Value::Null);

    let (_, entries) = emulated("web-01", "ls", "ls /tmp/.x");
    assert_eq!(entries[0]["name"], "kworkerd");
    assert_eq!(entries[0]["path"], "/tmp/.x/kworkerd");
    assert_eq!(entries[0]["mode"], "-rwxr-xr-x");
    let (_, entries) = emulated("MAC-007", "ls", "ls /Users/erin");
    assert_eq!(
        find(&entries, "name", &json!("Documents"))["group"],
        "staff"
    );
    let (_, entries) = emulated("web-01", "ls", "ls /");
    assert_eq!(find(&entries, "name", &json!("tmp"))["type"], "directory");
}

#[test]
fn emulator_netstat_parses_on_windows_and_linux() {
    let (_, conns) = emulated("WS-042", "netstat", "netstat");
    let c2 = find(&conns, "remote_address", &json!("185.220.101.47"));
    assert_eq!(c2["remote_port"], 443);
    assert_eq!(c2["pid"], 6612);
    assert_eq!(c2["state"], "ESTABLISHED");
    assert_eq!(c2["process"], "evil.exe");
    assert_eq!(c2["proto"], "TCP");
    let udp = find(&conns, "proto", &json!("UDP"));
    assert_eq!(udp["state"], Value::Null);
    assert_eq!(udp["pid"], 4);

    let (_, conns) = emulated("web-01", "netstat", "netstat");
    let pool = find(&conns, "remote_address", &json!("45.9.148.108"));
    assert_eq!(pool["remote_port"], 4444);
    assert_eq!(pool["pid"], 4242);
    assert_eq!(pool["process"], "kworkerd");
    let ssh = find(&conns, "local_port", &json!(22));
    assert_eq!(ssh["state"], "LISTENING");
}

#[test]
fn emulator_filehash_users_env_reg_and_interfaces_parse() {
    let path = "C:\\Users\\bob\\AppData\\Local\\Temp\\evil.exe";
    let (_, hashes) = emulated("WS-042", "filehash", &format!("filehash {path}"));
    let bytes = crate::sim::host::compromise::EVIL_EXE.as_bytes();
    assert_eq!(
        hashes,
        json!([{
            "path": path,
            "md5": crate::sim::host::compromise::EVIL_EXE_MD5,
            "sha256": hex::encode(<sha2::Sha256 as sha2::Digest>::digest(bytes)),
        }])
    );

    let (_, users) = emulated("WS-042", "users", "users");
    let bob = find(&users, "name", &json!("bob"));
    assert_eq!(bob["admin"], false);
    assert!(bob["sid"].as_str().unwrap().starts_with("S-1-5-21-"));
    assert_eq!(bob["profile_path"], "C:\\Users\\bob");
    let (_, users) = emulated("web-01", "users", "users");
    assert_eq!(find(&users, "name", &json!("root"))["uid"], 0);

    let (_, env) = emulated("WS-042", "env", "env");
    assert_eq!(env["COMPUTERNAME"], "WS-042");
    assert_eq!(env["SystemRoot"], "C:\\Windows");
    let (_, env) = emulated("web-01", "env", "env");
    assert_eq!(env["HOSTNAME"], "web-01");

    let key = "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run";
    let (_, reg) = emulated("WS-042", "reg query", &format!("reg query {key}"));
    assert_eq!(
        reg["key"],
        "HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run"
    );
    let v = find(&reg["values"], "name", &json!("WindowsUpdateHelper"));
    assert_eq!(v["type"], "REG_SZ");
    assert_eq!(v["data"], path);

    let (_, ifs) = emulated("WS-042", "ipconfig", "ipconfig");
    assert_eq!(ifs[0]["name"], "Ethernet0");
    assert!(ifs[0]["ipv4"].as_str().unwrap().starts_with("10."));
    assert_eq!(ifs[0]["dns"].as_array().unwrap().len(), 2);
    let (_, ifs) = emulated("web-01", "ifconfig", "ifconfig");
    assert_eq!(ifs[0]["name"], "eth0");
    assert_eq!(ifs[1]["ipv4"], "127.0.0.1");
    let (_, ifs) = emulated("MAC-007", "ifconfig", "ifconfig");
    assert_eq!(ifs[1]["name"], "en0");
    assert_eq!(ifs[1]["netmask"], "255.255.255.0");
}

#[test]
fn real_windows_samples_parse() {
    let (field, entries) = parse("ls", Some("Windows"), sample!("windows_ls.txt")).unwrap();
    assert_eq!(field, "entries");
    assert_eq!(entries.as_array().unwrap().len(), 3);
    assert_eq!(
        entries[1],
        json!({
            "name": "invoice 2024-03.pdf.exe",
            "size": 482816,
            "size_mb": "0.46",
            "modified": "3/4/2024 11:03:55 PM",
            "created": "3/4/2024 11:03:55 PM",
            "type": "file",
            "extension": ".exe",
            "path": "C:\\Users\\mara\\Downloads\\invoice 2024-03.pdf.exe",
        })
    );
    assert_eq!(entries[0]["type"], "directory");

    let (_, procs) = parse("ps", Some("Windows"), sample!("windows_ps.txt")).unwrap();
    let p = find(&procs, "pid", &json!(7312));
    assert_eq!(p["name"], "invoice 2024-03.pdf.exe");
    assert_eq!(p["start_time"], "3/4/2024 11:04:01 PM");
    assert_eq!(p["working_set_kb"], 9812);
    assert_eq!(
        p["path"],
        "C:\\Users\\mara\\Downloads\\invoice 2024-03.pdf.exe"
    );
    assert_eq!(find(&procs, "pid", &json!(4))["path"], Value::Null);

    let (_, conns) = parse("netstat", Some("Windows"), sample!("windows_netstat.txt")).unwrap();
    assert_eq!(conns.as_array().unwrap().len(), 4);
    assert_eq!(
        conns[1],
        json!({
            "proto": "TCP", "local_address": "10.20.1.44", "local_port": 50412,
            "remote_address": "198.51.100.23", "remote_port": 8443,
            "state": "ESTABLISHED", "pid": 7312, "process": null,
        })
    );
    assert_eq!(conns[2]["local_address"], "::");
    assert_eq!(conns[3]["remote_port"], Value::Null);
    assert_eq!(conns[3]["pid"], 2212);

    let (_, hashes) = parse("filehash", None, sample!("windows_filehash.txt")).unwrap();
    assert_eq!(
        hashes,
        json!([{
            "path": "C:\\Users\\mara\\Downloads\\invoice 2024-03.pdf.exe",
            "md5": "5d41402abc4b2a76b9719d911017c592",
            "sha256": "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
        }])
    );

    let (field, reg) = parse("reg query", None, sample!("reg_query.txt")).unwrap();
    assert_eq!(field, "registry");
    assert_eq!(reg["values"].as_array().unwrap().len(), 4);
    assert_eq!(reg["values"][1]["name"], "Adobe Updater Startup");
    assert_eq!(reg["values"][1]["type"], "REG_EXPAND_SZ");
    assert_eq!(
        reg["values"][0]["data"],
        "\"C:\\Users\\mara\\AppData\\Local\\Microsoft\\OneDrive\\OneDrive.exe\" /background"
    );
    assert_eq!(reg["values"][2]["name"], "");
    assert_eq!(reg["values"][3]["data"], "0x1");
    assert_eq!(
        reg["subkeys"],
        json!([
            "HKEY_CURRENT_USER\\Software\\Microsoft\\Windows\\CurrentVersion\\Run\\AutorunsDisabled"
        ])
    );

    let (_, ifs) = parse("ipconfig", Some("Windows"), sample!("windows_ipconfig.txt")).unwrap();
    assert_eq!(ifs.as_array().unwrap().len(), 2);
    assert_eq!(
        ifs[0],
        json!({
            "name": "Ethernet 2", "description": "Realtek PCIe GbE Family Controller",
            "mac": "3C-52-82-1A-2B-3C", "ipv4": "10.20.1.44", "netmask": "255.255.254.0",
            "gateway": "10.20.0.1", "dns": ["10.20.0.10", "10.20.0.11"],
        })
    );
    assert_eq!(ifs[1]["name"], "Wi-Fi");
    assert_eq!(ifs[1]["ipv4"], Value::Null);

    let (_, env) = parse("env", Some("Windows"), sample!("windows_env.txt")).unwrap();
    assert_eq!(env["Path"], "C:\\Windows\\system32;C:\\Windows");
    let (_, users) = parse("users", Some("Windows"), sample!("windows_users.txt")).unwrap();
    assert_eq!(users[0]["admin"], true);
    assert_eq!(users[0]["last_logon"], Value::Null);
    assert_eq!(users[1]["name"], "mara");
    assert_eq!(users[1]["last_logon"], "3/4/2024 10:58:10 PM");
}

#[test]
fn real_linux_and_mac_samples_parse() {
    let (_, entries) = parse("ls", Some("Linux"), sample!("linux_ls.txt")).unwrap();
    assert_eq!(entries.as_array().unwrap().len(), 4);
    assert_eq!(entries[0]["type"], "directory");
    assert_eq!(entries[1]["name"], ".ICE-unix cache");
    assert_eq!(entries[1]["size"], 2139840);
    assert_eq!(entries[1]["owner"], "www-data");
    assert_eq!(entries[1]["path"], "/var/tmp/.ICE-unix cache");
    assert_eq!(entries[2]["type"], "symlink");
    assert_eq!(entries[2]["target"], "/opt/latest");
    assert_eq!(entries[2]["modified"], "Jan 2 2024");

    let (_, procs) = parse("ps", Some("Linux"), sample!("linux_ps.txt")).unwrap();
    assert_eq!(procs.as_array().unwrap().len(), 3);
    let miner = find(&procs, "pid", &json!(27731));
    assert_eq!(miner["name"], "xmrig");
    assert_eq!(miner["ppid"], 1);
    assert_eq!(
        miner["command_line"],
        "/var/tmp/.ICE-unix/xmrig -o 203.0.113.77:3333"
    );
    assert_eq!(miner["start_time"], "23:01");

    let (_, conns) = parse("netstat", Some("Linux"), sample!("linux_netstat.txt")).unwrap();
    assert_eq!(conns.as_array().unwrap().len(), 4);
    assert_eq!(conns[0]["state"], "LISTENING");
    assert_eq!(conns[1]["pid"], 27731);
    assert_eq!(conns[1]["process"], "xmrig");
    assert_eq!(conns[2]["proto"], "TCP6");
    assert_eq!(conns[2]["local_address"], "::");
    assert_eq!(conns[2]["local_port"], 80);
    assert_eq!(conns[3]["state"], Value::Null);
    assert_eq!(conns[3]["process"], "systemd-resolve");

    let (_, ifs) = parse("ifconfig", Some("Linux"), sample!("linux_ifconfig.txt")).unwrap();
    assert_eq!(ifs[0]["name"], "ens160");
    assert_eq!(ifs[0]["mac"], "00:50:56:8a:1b:2c");
    assert_eq!(ifs[0]["netmask"], "255.255.255.0");
    let (_, ifs) = parse("ifconfig", Some("Mac"), sample!("mac_ifconfig.txt")).unwrap();
    assert_eq!(ifs[1]["ipv4"], "192.168.1.23");
    assert_eq!(ifs[1]["netmask"], "255.255.255.0");

    let (_, env) = parse("env", Some("Linux"), sample!("linux_env.txt")).unwrap();
    assert_eq!(
        env,
        json!({"PATH": "/usr/bin:/bin", "HOME": "/root", "LS_COLORS": "rs=0:di=01;34", "EMPTY": ""})
    );
}

#[test]
fn commands_without_structure_give_none_and_empty_output_gives_empty_fields() {
    assert!(parse("cd", None, "C:\\").is_none());
    assert!(parse("runscript", None, "anything").is_none());
    assert_eq!(parse("ps", None, "").unwrap(), ("processes", json!([])));
    assert_eq!(parse("reg query", None, "").unwrap().1["values"], json!([]));
    assert_eq!(parse("env", None, "").unwrap().1, json!({}));
}

/// A deterministic generator of hostile text: table fragments, separators, multi-byte chars.
fn garbage(seed: u64, len: usize) -> String {
    const PIECES: &[&str] = &[
        "-",
        "--",
        "----",
        " ",
        "  ",
        "\n",
        "\r\n",
        "\t",
        ":",
        "::",
        "[",
        "]",
        "*",
        "/",
        "\\",
        "=",
        "(",
        ")",
        "REG_",
        "REG_SZ",
        "HKEY_",
        "MD5:",
        "SHA256:",
        "TCP",
        "udp",
        "0.0.0.0:",
        "65536",
        "99999999999999999999",
        "é",
        "ß",
        "日本",
        "🦅",
        "Name",
        "Directory listing for ",
        " adapter ",
        " : ",
        "flags=",
        "inet",
        "ether",
        "USER",
        "PID",
        "drwxr-xr-x",
        "-rw-r--r--",
        "12",
        "a",
        " -> ",
        "0x",
        "0xzz",
        "\u{0}",
    ];
    let mut h = seed;
    let mut s = String::new();
    for _ in 0..len {
        h ^= h << 13;
        h ^= h >> 7;
        h ^= h << 17;
        s.push_str(PIECES[(h % PIECES.len() as u64) as usize]);
    }
    s
}

#[test]
fn parsers_never_panic_on_garbage_or_truncated_output() {
    let commands = [
        "ps",
        "ls",
        "netstat",
        "filehash",
        "users",
        "reg query",
        "ipconfig",
        "ifconfig",
        "env",
    ];
    let samples = [
        sample!("windows_ls.txt"),
        sample!("linux_ls.txt"),
        sample!("windows_ps.txt"),
        sample!("linux_ps.txt"),
        sample!("windows_netstat.txt"),
        sample!("linux_netstat.txt"),
        sample!("windows_filehash.txt"),
        sample!("reg_query.txt"),
        sample!("windows_ipconfig.txt"),
        sample!("linux_ifconfig.txt"),
        sample!("mac_ifconfig.txt"),
        sample!("windows_users.txt"),
    ];
    for text in samples {
        let cut: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
        for &i in cut.iter().step_by(3) {
            for c in commands {
                let _ = parse(c, Some("Windows"), &text[..i]);
                let _ = parse(c, None, &text[i..]);
            }
        }
    }
    for seed in 1..400u64 {
        let text = garbage(seed * 0x9e37_79b9, 1 + (seed as usize % 120));
        for c in commands {
            let _ = parse(c, Some("Linux"), &text);
        }
    }
}
