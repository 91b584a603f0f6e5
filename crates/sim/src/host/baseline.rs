//! What every host of a platform has before the scenario adds to it: system files, system
//! processes, accounts, environment, interfaces and (Windows) registry keys.

use std::sync::OnceLock;

use bytes::Bytes;

use super::account::User;
use super::clock::BASE_TIME;
use super::fs::FileSystem;
use super::network::{Connection, Interface};
use super::process::Process;
use super::registry::RegValue;
use super::{Host, PathStyleOf, Platform};

/// Content shared by every host (cheap `Bytes` clones), one distinct body per path.
fn body(cache: &'static OnceLock<Vec<Bytes>>, files: &[(&str, &str)], i: usize) -> Bytes {
    cache.get_or_init(|| {
        files
            .iter()
            .map(|(path, kind)| {
                let text = match *kind {
                    "pe" => format!("MZ\u{90}\0\u{3}\0\0\0simulated PE image {path}\n"),
                    "elf" => format!("\u{7f}ELF\u{2}\u{1}\u{1}\0simulated ELF image {path}\n"),
                    "macho" => format!("\u{cf}\u{fa}\u{ed}\u{fe}simulated Mach-O image {path}\n"),
                    text => text.to_string(),
                };
                Bytes::from(text.into_bytes())
            })
            .collect()
    })[i]
        .clone()
}

const WINDOWS_FILES: &[(&str, &str)] = &[
    ("C:\\Windows\\explorer.exe", "pe"),
    ("C:\\Windows\\notepad.exe", "pe"),
    ("C:\\Windows\\System32\\cmd.exe", "pe"),
    ("C:\\Windows\\System32\\csrss.exe", "pe"),
    ("C:\\Windows\\System32\\lsass.exe", "pe"),
    ("C:\\Windows\\System32\\services.exe", "pe"),
    ("C:\\Windows\\System32\\smss.exe", "pe"),
    ("C:\\Windows\\System32\\svchost.exe", "pe"),
    ("C:\\Windows\\System32\\wininit.exe", "pe"),
    ("C:\\Windows\\System32\\winlogon.exe", "pe"),
    ("C:\\Windows\\System32\\SecurityHealthSystray.exe", "pe"),
    (
        "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe",
        "pe",
    ),
    (
        "C:\\Windows\\System32\\drivers\\etc\\hosts",
        "# Copyright (c) 1993-2009 Microsoft Corp.\r\n#\r\n# localhost name resolution is handled within DNS itself.\r\n#\t127.0.0.1       localhost\r\n#\t::1             localhost\r\n",
    ),
    (
        "C:\\Windows\\System32\\drivers\\CrowdStrike\\csagent.sys",
        "pe",
    ),
    ("C:\\Program Files\\CrowdStrike\\CSFalconService.exe", "pe"),
    (
        "C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe",
        "pe",
    ),
    (
        "C:\\Program Files\\VMware\\VMware Tools\\VMware VGAuth\\VGAuthService.exe",
        "pe",
    ),
    (
        "C:\\Program Files (x86)\\Common Files\\Adobe\\Adobe Desktop Common\\ADS\\Adobe Desktop Service.exe",
        "pe",
    ),
    ("C:\\Windows\\System32\\RuntimeBroker.exe", "pe"),
    (
        "C:\\Windows\\Temp\\MpCmdRun.log",
        "MpCmdRun: Start Time: 11/20/2026 8:12:01 AM\r\nMpCmdRun: End Time: 11/20/2026 8:12:03 AM\r\n",
    ),
];

const LINUX_FILES: &[(&str, &str)] = &[
    ("/bin/bash", "elf"),
    ("/bin/ls", "elf"),
    ("/usr/bin/python3", "elf"),
    ("/usr/bin/curl", "elf"),
    ("/usr/sbin/sshd", "elf"),
    ("/usr/sbin/cron", "elf"),
    ("/usr/sbin/rsyslogd", "elf"),
    ("/usr/sbin/nginx", "elf"),
    ("/usr/lib/systemd/systemd", "elf"),
    ("/usr/bin/dbus-daemon", "elf"),
    ("/opt/CrowdStrike/falcon-sensor", "elf"),
    ("/opt/CrowdStrike/falconctl", "elf"),
    (
        "/etc/hosts",
        "127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n",
    ),
    (
        "/etc/os-release",
        "PRETTY_NAME=\"Ubuntu 22.04.4 LTS\"\nNAME=\"Ubuntu\"\nVERSION_ID=\"22.04\"\nID=ubuntu\n",
    ),
    (
        "/etc/crontab",
        "SHELL=/bin/sh\nPATH=/usr/local/sbin:/usr/local/bin:/sbin:/bin:/usr/sbin:/usr/bin\n17 *\t* * *\troot\tcd / && run-parts --report /etc/cron.hourly\n",
    ),
    (
        "/var/log/syslog",
        "Nov 20 08:59:01 host CRON[2211]: (root) CMD (command -v debian-sa1 > /dev/null && debian-sa1 1 1)\n",
    ),
    (
        "/var/log/auth.log",
        "Nov 20 08:41:17 host sshd[1733]: Accepted publickey for admin from 10.0.0.12 port 51122 ssh2\n",
    ),
];

const MAC_FILES: &[(&str, &str)] = &[
    ("/sbin/launchd", "macho"),
    ("/bin/bash", "macho"),
    ("/bin/zsh", "macho"),
    ("/usr/bin/curl", "macho"),
    (
        "/System/Library/CoreServices/Finder.app/Contents/MacOS/Finder",
        "macho",
    ),
    (
        "/System/Library/CoreServices/Dock.app/Contents/MacOS/Dock",
        "macho",
    ),
    ("/Library/CS/falcond", "macho"),
    ("/Applications/Falcon.app/Contents/MacOS/Falcon", "macho"),
    ("/Applications/Safari.app/Contents/MacOS/Safari", "macho"),
    (
        "/etc/hosts",
        "127.0.0.1\tlocalhost\n255.255.255.255\tbroadcasthost\n::1             localhost\n",
    ),
];

static WINDOWS_BODIES: OnceLock<Vec<Bytes>> = OnceLock::new();
static LINUX_BODIES: OnceLock<Vec<Bytes>> = OnceLock::new();
static MAC_BODIES: OnceLock<Vec<Bytes>> = OnceLock::new();

const WINDOWS_DIRS: &[&str] = &[
    "C:\\Program Files",
    "C:\\ProgramData",
    "C:\\Users\\Public",
    "C:\\Windows\\Temp",
];
const LINUX_DIRS: &[&str] = &[
    "/tmp",
    "/root",
    "/var/tmp",
    "/home",
    "/etc/cron.d",
    "/proc",
    "/dev/shm",
];
const MAC_DIRS: &[&str] = &[
    "/tmp",
    "/private/tmp",
    "/var/root",
    "/Library/LaunchAgents",
    "/Library/LaunchDaemons",
];

/// The platform's system directories and files, built once and cloned into each host
/// (cloning a tree is several times cheaper than building it path by path).
fn system_tree(platform: Platform) -> FileSystem {
    static TREES: [OnceLock<FileSystem>; 3] = [OnceLock::new(), OnceLock::new(), OnceLock::new()];
    let (i, dirs, files, bodies) = match platform {
        Platform::Windows => (0, WINDOWS_DIRS, WINDOWS_FILES, &WINDOWS_BODIES),
        Platform::Linux => (1, LINUX_DIRS, LINUX_FILES, &LINUX_BODIES),
        Platform::Mac => (2, MAC_DIRS, MAC_FILES, &MAC_BODIES),
    };
    TREES[i]
        .get_or_init(|| {
            let mut fs = FileSystem::new(platform.path_style(), BASE_TIME - 365 * 86_400);
            for d in dirs {
                let _ = fs.mkdir_all(d, BASE_TIME - 120 * 86_400);
            }
            for (n, (path, _)) in files.iter().enumerate() {
                let _ = fs.write(path, body(bodies, files, n), BASE_TIME - 90 * 86_400);
            }
            fs
        })
        .clone()
}

/// A user-facing first name, picked by the host's id.
pub fn user_name(seed: u64) -> &'static str {
    const NAMES: &[&str] = &[
        "alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy",
        "mallory", "oscar", "peggy", "trent", "victor", "wendy",
    ];
    NAMES[(seed % NAMES.len() as u64) as usize]
}

/// Fills a freshly created host with its platform's standard content.
pub fn apply(host: &mut Host, user: &str, seed: u64) {
    host.fs = system_tree(host.platform);
    match host.platform {
        Platform::Windows => windows(host, user, seed),
        Platform::Linux => linux(host, user, seed),
        Platform::Mac => mac(host, user, seed),
    }
}

fn proc(host: &mut Host, pid: u32, ppid: u32, path: &str, args: &str, user: &str, age: i64) {
    let name = host.fs.style.file_name(path);
    let command_line = if args.is_empty() {
        path.to_string()
    } else {
        format!("{path} {args}")
    };
    host.processes.insert(Process {
        pid,
        ppid,
        name,
        path: path.to_string(),
        command_line,
        user: user.to_string(),
        start_time: host.boot_time + age,
        memory_kb: 2_048 + u64::from(pid % 97) * 613,
    });
}

fn listen(host: &mut Host, proto: &str, port: u16, pid: u32) {
    host.connections.push(Connection {
        proto: proto.into(),
        local_address: "0.0.0.0".into(),
        local_port: port,
        remote_address: if proto == "TCP" { "0.0.0.0" } else { "*" }.into(),
        remote_port: 0,
        state: if proto == "TCP" { "LISTENING" } else { "" }.into(),
        pid,
    });
}

/// An endpoint bound on an IPv6 address (`::`, `::1`, `fe80::...%2`).
fn listen6(host: &mut Host, proto: &str, address: &str, port: u16, pid: u32) {
    host.connections.push(Connection {
        proto: proto.into(),
        local_address: address.into(),
        local_port: port,
        remote_address: if proto == "TCP" { "::" } else { "*" }.into(),
        remote_port: 0,
        state: if proto == "TCP" { "LISTENING" } else { "" }.into(),
        pid,
    });
}

fn established(host: &mut Host, local_port: u16, remote: &str, remote_port: u16, pid: u32) {
    host.connections.push(Connection {
        proto: "TCP".into(),
        local_address: host.local_ip.clone(),
        local_port,
        remote_address: remote.into(),
        remote_port,
        state: "ESTABLISHED".into(),
        pid,
    });
}

fn interface(host: &mut Host, name: &str, description: &str) {
    let gateway = match host.local_ip.rsplit_once('.') {
        Some((net, _)) => format!("{net}.1"),
        None => String::new(),
    };
    host.interfaces.push(Interface {
        name: name.into(),
        description: description.into(),
        mac: host.mac_address.clone(),
        ipv4: host.local_ip.clone(),
        netmask: "255.255.255.0".into(),
        gateway: gateway.clone(),
        dns: vec![gateway, "8.8.8.8".into()],
    });
}

fn windows(host: &mut Host, user: &str, seed: u64) {
    let server = host.product_type_desc != "Workstation";
    let home = format!("C:\\Users\\{user}");
    for sub in [
        "Desktop",
        "Documents",
        "Downloads",
        "AppData\\Local\\Temp",
        "AppData\\Roaming",
    ] {
        let _ = host
            .fs
            .mkdir_all(&format!("{home}\\{sub}"), BASE_TIME - 60 * 86_400);
    }
    let _ = host.fs.write(
        &format!("{home}\\Documents\\notes.txt"),
        Bytes::from(format!("quarterly numbers for {user}\r\n").into_bytes()),
        BASE_TIME - 3 * 86_400,
    );

    let sid_base = format!(
        "S-1-5-21-{}-{}-{}",
        1_000_000_000 + seed % 1_000_000_000,
        1_000_000_000 + (seed >> 20) % 1_000_000_000,
        1_000_000_000 + (seed >> 40) % 1_000_000_000
    );
    host.users.push(User {
        name: "Administrator".into(),
        sid: format!("{sid_base}-500"),
        uid: 500,
        admin: true,
        home: "C:\\Users\\Administrator".into(),
        last_logon: if server { BASE_TIME - 7200 } else { 0 },
    });
    host.users.push(User {
        name: user.into(),
        sid: format!("{sid_base}-1001"),
        uid: 1001,
        admin: false,
        home: home.clone(),
        last_logon: BASE_TIME - 3 * 3600,
    });

    let system = "NT AUTHORITY\\SYSTEM";
    let local = "NT AUTHORITY\\LOCAL SERVICE";
    let network = "NT AUTHORITY\\NETWORK SERVICE";
    let u = format!("{}\\{user}", host.hostname);
    proc(host, 4, 0, "System", "", system, 0);
    // The hard cases of the real captures: 1- to 6-digit pids, protected processes that print
    // no path, long paths with spaces that wrap, names with spaces.
    proc(host, 88, 4, "Registry", "", system, 0);
    proc(
        host,
        2412,
        660,
        "C:\\Program Files\\VMware\\VMware Tools\\VMware VGAuth\\VGAuthService.exe",
        "",
        system,
        11,
    );
    proc(
        host,
        388,
        4,
        "C:\\Windows\\System32\\smss.exe",
        "",
        system,
        2,
    );
    proc(
        host,
        512,
        500,
        "C:\\Windows\\System32\\csrss.exe",
        "ObjectDirectory=\\Windows SharedSection=1024,20480,768",
        system,
        5,
    );
    proc(
        host,
        588,
        500,
        "C:\\Windows\\System32\\wininit.exe",
        "",
        system,
        5,
    );
    proc(
        host,
        600,
        580,
        "C:\\Windows\\System32\\winlogon.exe",
        "",
        system,
        5,
    );
    proc(
        host,
        660,
        588,
        "C:\\Windows\\System32\\services.exe",
        "",
        system,
        6,
    );
    proc(
        host,
        676,
        588,
        "C:\\Windows\\System32\\lsass.exe",
        "",
        system,
        6,
    );
    proc(
        host,
        812,
        660,
        "C:\\Windows\\System32\\svchost.exe",
        "-k DcomLaunch -p",
        system,
        8,
    );
    proc(
        host,
        904,
        660,
        "C:\\Windows\\System32\\svchost.exe",
        "-k RPCSS -p",
        network,
        9,
    );
    proc(
        host,
        1024,
        660,
        "C:\\Windows\\System32\\svchost.exe",
        "-k LocalServiceNetworkRestricted -p",
        local,
        9,
    );
    proc(
        host,
        2936,
        660,
        "C:\\Program Files\\CrowdStrike\\CSFalconService.exe",
        "",
        system,
        12,
    );
    if !server {
        proc(host, 4120, 600, "C:\\Windows\\explorer.exe", "", &u, 300);
        proc(
            host,
            4388,
            4120,
            "C:\\Windows\\System32\\SecurityHealthSystray.exe",
            "",
            &u,
            310,
        );
        proc(
            host,
            5208,
            4120,
            "C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe",
            "--no-startup-window",
            &u,
            900,
        );
        proc(
            host,
            15_672,
            4120,
            "C:\\Program Files (x86)\\Common Files\\Adobe\\Adobe Desktop Common\\ADS\\Adobe Desktop Service.exe",
            "",
            &u,
            1_200,
        );
        proc(
            host,
            104_232,
            812,
            "C:\\Windows\\System32\\RuntimeBroker.exe",
            "-Embedding",
            &u,
            2_400,
        );
    }
    listen(host, "TCP", 135, 904);
    listen(host, "TCP", 445, 4);
    if server {
        listen(host, "TCP", 3389, 1024);
    }
    listen(host, "UDP", 137, 4);
    listen6(host, "TCP", "::", 135, 904);
    listen6(host, "TCP", "::", 445, 4);
    listen6(host, "UDP", "::1", 60_661, 1024);
    listen6(host, "UDP", "fe80::9c8b:6e28:cc9:6e2e%2", 60_660, 1024);
    established(host, 49_702, "52.40.12.101", 443, 2936);
    if !server {
        established(host, 50_114, "13.107.42.14", 443, 5208);
    }
    interface(
        host,
        "Ethernet0",
        "Intel(R) 82574L Gigabit Network Connection",
    );

    let env = [
        ("ALLUSERSPROFILE", "C:\\ProgramData".to_string()),
        ("COMPUTERNAME", host.hostname.to_uppercase()),
        ("ComSpec", "C:\\Windows\\system32\\cmd.exe".into()),
        ("NUMBER_OF_PROCESSORS", "4".into()),
        ("OS", "Windows_NT".into()),
        (
            "Path",
            "C:\\Windows\\system32;C:\\Windows;C:\\Windows\\System32\\Wbem;C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\".into(),
        ),
        ("PROCESSOR_ARCHITECTURE", "AMD64".into()),
        ("ProgramData", "C:\\ProgramData".into()),
        ("ProgramFiles", "C:\\Program Files".into()),
        ("PUBLIC", "C:\\Users\\Public".into()),
        ("SystemDrive", "C:".into()),
        ("SystemRoot", "C:\\Windows".into()),
        ("TEMP", "C:\\Windows\\TEMP".into()),
        ("TMP", "C:\\Windows\\TEMP".into()),
        ("USERNAME", format!("{}$", host.hostname.to_uppercase())),
        ("windir", "C:\\Windows".into()),
    ];
    for (k, v) in env {
        host.env.insert(k.into(), v);
    }

    let reg = |key: &str, name: &str, kind: &str, data: &str| {
        (
            key.to_string(),
            RegValue {
                name: name.into(),
                kind: kind.into(),
                data: data.into(),
            },
        )
    };
    let user_sid = host.users[1].sid.clone();
    let values = [
        reg(
            "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run",
            "SecurityHealth",
            "REG_EXPAND_SZ",
            "%windir%\\system32\\SecurityHealthSystray.exe",
        ),
        reg(
            "HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion",
            "ProductName",
            "REG_SZ",
            &host.os_version,
        ),
        reg(
            "HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion",
            "CurrentBuild",
            "REG_SZ",
            if server { "20348" } else { "22631" },
        ),
        reg(
            "HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion",
            "RegisteredOwner",
            "REG_SZ",
            user,
        ),
        reg(
            "HKLM\\SYSTEM\\CurrentControlSet\\Services\\CSAgent",
            "ImagePath",
            "REG_EXPAND_SZ",
            "system32\\drivers\\CrowdStrike\\csagent.sys",
        ),
        reg(
            "HKLM\\SYSTEM\\CurrentControlSet\\Services\\CSAgent",
            "Start",
            "REG_DWORD",
            "0x1",
        ),
        reg(
            "HKLM\\SYSTEM\\CurrentControlSet\\Control\\ComputerName\\ComputerName",
            "ComputerName",
            "REG_SZ",
            &host.hostname.to_uppercase(),
        ),
        reg(
            &format!("HKEY_USERS\\{user_sid}\\Volatile Environment"),
            "USERNAME",
            "REG_SZ",
            user,
        ),
    ];
    for (k, v) in values {
        host.registry.set(&k, v);
    }
    host.registry
        .ensure_key("HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\RunOnce");
    // RTR runs as SYSTEM, whose hive HKCU names; its Run key exists and is empty.
    host.registry
        .ensure_key("HKCU\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run");
    host.registry.ensure_key(&format!(
        "HKEY_USERS\\{user_sid}\\Software\\Microsoft\\Windows\\CurrentVersion\\Run"
    ));
}

fn posix_users(host: &mut Host, user: &str, home_root: &str, first_uid: u32) {
    host.users.push(User {
        name: "root".into(),
        sid: "0".into(),
        uid: 0,
        admin: true,
        home: if home_root == "/home" {
            "/root"
        } else {
            "/var/root"
        }
        .into(),
        last_logon: 0,
    });
    host.users.push(User {
        name: user.into(),
        sid: first_uid.to_string(),
        uid: first_uid,
        admin: true,
        home: format!("{home_root}/{user}"),
        last_logon: BASE_TIME - 2 * 3600,
    });
}

fn linux(host: &mut Host, user: &str, _seed: u64) {
    posix_users(host, user, "/home", 1000);
    let passwd = format!(
        "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\nwww-data:x:33:33:www-data:/var/www:/usr/sbin/nologin\nsshd:x:110:65534::/run/sshd:/usr/sbin/nologin\n{user}:x:1000:1000:{user}:/home/{user}:/bin/bash\n"
    );
    let _ = host.fs.write(
        "/etc/passwd",
        Bytes::from(passwd.into_bytes()),
        BASE_TIME - 90 * 86_400,
    );
    let _ = host.fs.write(
        &format!("/home/{user}/.bash_history"),
        Bytes::from_static(b"ls -la\nsudo systemctl status nginx\ntail -f /var/log/syslog\n"),
        BASE_TIME - 2 * 3600,
    );
    proc(
        host,
        1,
        0,
        "/usr/lib/systemd/systemd",
        "--system --deserialize 31",
        "root",
        0,
    );
    proc(host, 2, 0, "kthreadd", "", "root", 0);
    proc(host, 640, 1, "/usr/sbin/cron", "-f", "root", 4);
    proc(
        host,
        655,
        1,
        "/usr/bin/dbus-daemon",
        "--system --address=systemd: --nofork --nopidfile --systemd-activation --syslog-only",
        "messagebus",
        4,
    );
    proc(host, 700, 1, "/usr/sbin/rsyslogd", "-n -iNONE", "syslog", 4);
    proc(host, 812, 1, "/usr/sbin/sshd", "-D", "root", 5);
    proc(
        host,
        1044,
        1,
        "/opt/CrowdStrike/falcon-sensor",
        "",
        "root",
        6,
    );
    proc(
        host,
        1210,
        1,
        "/usr/sbin/nginx",
        "-g daemon on; master_process on;",
        "root",
        8,
    );
    proc(
        host,
        1211,
        1210,
        "/usr/sbin/nginx",
        "-g daemon on; master_process on;",
        "www-data",
        8,
    );
    proc(
        host,
        1733,
        812,
        "/usr/sbin/sshd",
        &format!("{user} [priv]"),
        "root",
        3600,
    );
    proc(host, 1760, 1733, "/bin/bash", "", user, 3605);
    listen(host, "TCP", 22, 812);
    listen(host, "TCP", 80, 1210);
    listen(host, "TCP", 443, 1210);
    established(host, 22, "10.0.0.12", 51_122, 1733);
    established(host, 40_118, "52.40.12.101", 443, 1044);
    interface(host, "eth0", "");
    for (k, v) in [
        ("HOME", "/root"),
        ("LANG", "C.UTF-8"),
        ("LOGNAME", "root"),
        (
            "PATH",
            "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        ),
        ("PWD", "/"),
        ("SHELL", "/bin/bash"),
        ("USER", "root"),
    ] {
        host.env.insert(k.into(), v.into());
    }
    host.env.insert("HOSTNAME".into(), host.hostname.clone());
}

fn mac(host: &mut Host, user: &str, _seed: u64) {
    for sub in ["Desktop", "Documents", "Downloads", "Library/LaunchAgents"] {
        let _ = host
            .fs
            .mkdir_all(&format!("/Users/{user}/{sub}"), BASE_TIME - 60 * 86_400);
    }
    posix_users(host, user, "/Users", 501);
    proc(host, 0, 0, "kernel_task", "", "root", 0);
    proc(host, 1, 0, "/sbin/launchd", "", "root", 0);
    proc(host, 311, 1, "/Library/CS/falcond", "", "root", 6);
    proc(
        host,
        402,
        1,
        "/System/Library/CoreServices/Dock.app/Contents/MacOS/Dock",
        "",
        user,
        200,
    );
    proc(
        host,
        408,
        1,
        "/System/Library/CoreServices/Finder.app/Contents/MacOS/Finder",
        "",
        user,
        201,
    );
    proc(
        host,
        655,
        1,
        "/Applications/Safari.app/Contents/MacOS/Safari",
        "",
        user,
        1800,
    );
    established(host, 51_220, "17.253.144.10", 443, 655);
    established(host, 51_300, "52.40.12.101", 443, 311);
    interface(host, "en0", "");
    for (k, v) in [
        ("HOME", "/var/root"),
        ("LOGNAME", "root"),
        ("PATH", "/usr/bin:/bin:/usr/sbin:/sbin"),
        ("SHELL", "/bin/zsh"),
        ("TMPDIR", "/private/tmp"),
        ("USER", "root"),
    ] {
        host.env.insert(k.into(), v.into());
    }
}
