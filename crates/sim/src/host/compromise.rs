//! What an attacker left on a host, per platform: the built-in scenario's compromises, also
//! sprinkled over generated fleets.

use super::spec::{ConnectionSpec, FileSpec, ProcessSpec, RegistryValueSpec};
use super::{HostSpec, Platform};

/// The command-and-control address of the built-in Windows compromise.
pub const WINDOWS_C2: &str = "185.220.101.47";
/// The mining pool address of the built-in Linux compromise.
pub const LINUX_POOL: &str = "45.9.148.108";
/// Image path of the built-in Windows implant for a user.
pub fn windows_implant(user: &str) -> String {
    format!("C:\\Users\\{user}\\AppData\\Local\\Temp\\evil.exe")
}
/// Image path of the built-in Linux miner.
pub const LINUX_MINER: &str = "/tmp/.x/kworkerd";
/// The crontab through which the built-in Linux miner persists, as the web server's account.
pub const LINUX_CRONTAB: &str = "/etc/cron.d/kworkerd";
/// Image path of the built-in Mac implant.
pub const MAC_IMPLANT: &str = "/Users/Shared/.update/softwareupdated";

/// Bytes of the built-in Windows implant (a stand-in PE, stable so its hash is known).
pub const EVIL_EXE: &str =
    "MZ\u{90}\0simulated implant evil.exe: beacon 185.220.101.47:443 every 60s\n";
/// MD5 of [`EVIL_EXE`], as `filehash` prints it.
pub const EVIL_EXE_MD5: &str = "b781b670a409aea1088c1220d3eed4c8";
/// Bytes of the built-in Linux miner.
pub const KWORKERD: &str =
    "\u{7f}ELF\u{2}\u{1}\u{1}\0simulated xmrig build kworkerd: pool 45.9.148.108:4444\n";

/// Adds the platform's compromise to a host: an implant file, its running process, a
/// connection out and persistence (a Run key on Windows, cron on Linux, a LaunchAgent on Mac).
pub fn compromise(spec: &mut HostSpec) {
    let user = spec.user.clone().unwrap_or_else(|| "bob".into());
    spec.user = Some(user.clone());
    match spec.platform.unwrap_or(Platform::Windows) {
        Platform::Windows => {
            let path = windows_implant(&user);
            spec.files.push(FileSpec {
                path: path.clone(),
                content: EVIL_EXE.into(),
                ..Default::default()
            });
            spec.processes.push(ProcessSpec {
                pid: Some(6612),
                name: "evil.exe".into(),
                command_line: Some(format!("\"{path}\" -k netsvc")),
                path: Some(path.clone()),
                ..Default::default()
            });
            spec.connections.push(ConnectionSpec {
                proto: "TCP".into(),
                local: ":49823".into(),
                remote: Some(format!("{WINDOWS_C2}:443")),
                state: "ESTABLISHED".into(),
                pid: Some(6612),
                process: None,
            });
            spec.registry.push(RegistryValueSpec {
                key: "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run".into(),
                name: "WindowsUpdateHelper".into(),
                kind: "REG_SZ".into(),
                data: path,
            });
        }
        Platform::Linux => {
            spec.files.push(FileSpec {
                path: LINUX_MINER.into(),
                content: KWORKERD.into(),
                ..Default::default()
            });
            spec.files.push(FileSpec {
                path: LINUX_CRONTAB.into(),
                content: format!(
                    "# m h dom mon dow user command\n* * * * * www-data {LINUX_MINER} >/dev/null 2>&1\n"
                ),
                ..Default::default()
            });
            spec.processes.push(ProcessSpec {
                pid: Some(4242),
                ppid: Some(1),
                name: "kworkerd".into(),
                path: Some(LINUX_MINER.into()),
                command_line: Some(format!(
                    "{LINUX_MINER} -o {LINUX_POOL}:4444 -u 4Ae1Wallet --donate-level=0 -B"
                )),
                user: Some("www-data".into()),
            });
            spec.connections.push(ConnectionSpec {
                proto: "TCP".into(),
                local: ":52744".into(),
                remote: Some(format!("{LINUX_POOL}:4444")),
                state: "ESTABLISHED".into(),
                pid: Some(4242),
                process: None,
            });
        }
        Platform::Mac => {
            spec.files.push(FileSpec {
                path: MAC_IMPLANT.into(),
                content: "\u{cf}\u{fa}\u{ed}\u{fe}simulated implant softwareupdated\n".into(),
                ..Default::default()
            });
            spec.files.push(FileSpec {
                path: format!("/Users/{user}/Library/LaunchAgents/com.apple.softwareupdated.plist"),
                content: format!("<plist><dict><key>ProgramArguments</key><array><string>{MAC_IMPLANT}</string></array><key>RunAtLoad</key><true/></dict></plist>\n"),
                ..Default::default()
            });
            spec.processes.push(ProcessSpec {
                pid: Some(7001),
                ppid: Some(1),
                name: "softwareupdated".into(),
                path: Some(MAC_IMPLANT.into()),
                ..Default::default()
            });
            spec.connections.push(ConnectionSpec {
                proto: "TCP".into(),
                local: ":53001".into(),
                remote: Some(format!("{WINDOWS_C2}:8443")),
                state: "ESTABLISHED".into(),
                pid: Some(7001),
                process: None,
            });
        }
    }
}

/// A process of a compromise that the sensor detects: what its alert carries.
#[derive(Clone, Debug)]
pub struct Detection {
    pub pid: u32,
    pub ppid: u32,
    pub name: String,
    pub path: String,
    pub command_line: String,
    pub user: String,
    /// The image's bytes, from the host's files (its hashes go into the alert).
    pub image: Vec<u8>,
    /// MITRE ATT&CK: tactic, tactic id, technique, technique id.
    pub mitre: [&'static str; 4],
    pub description: &'static str,
}

/// The detections a host's scenario raises: each process running one of the implants above, with
/// the bytes of its image. A scenario that plants its own processes raises none (it did not say
/// they are malicious).
pub fn detections(spec: &HostSpec) -> Vec<Detection> {
    let user = spec.user.clone().unwrap_or_else(|| "bob".into());
    let known = [
        (
            windows_implant(&user),
            [
                "Command and Control",
                "TA0011",
                "Application Layer Protocol",
                "T1071",
            ],
            "A process beaconed to a known command-and-control address.",
        ),
        (
            LINUX_MINER.to_string(),
            ["Impact", "TA0040", "Resource Hijacking", "T1496"],
            "A cryptocurrency miner ran from a hidden directory.",
        ),
        (
            MAC_IMPLANT.to_string(),
            [
                "Persistence",
                "TA0003",
                "Create or Modify System Process",
                "T1543",
            ],
            "A process masquerading as a system updater persisted through a launch agent.",
        ),
    ];
    spec.processes
        .iter()
        .filter_map(|p| {
            let path = p.path.as_deref()?;
            let (_, mitre, description) = known.iter().find(|(image, ..)| image == path)?;
            let image = spec.files.iter().find(|f| f.path == path)?;
            Some(Detection {
                pid: p.pid?,
                ppid: p.ppid.unwrap_or(4),
                name: p.name.clone(),
                path: path.to_string(),
                command_line: p.command_line.clone().unwrap_or_else(|| path.to_string()),
                user: p.user.clone().unwrap_or_else(|| user.clone()),
                image: image.content.as_bytes().to_vec(),
                mitre: *mitre,
                description,
            })
        })
        .collect()
}
