//! Network commands: `netstat`, `ipconfig` (Windows), `ifconfig` (Linux and Mac).

use super::super::clock;
use super::super::format::{Align, format_table};
use super::super::network::Connection;
use super::super::{CommandOutput, Host, Platform};
use super::{err, ok};

fn endpoint(addr: &str, port: u16, proto: &str, remote: bool) -> String {
    if remote && proto == "UDP" {
        return "*:*".into();
    }
    if addr.contains(':') {
        format!("[{addr}]:{port}")
    } else {
        format!("{addr}:{port}")
    }
}

/// The columns of Windows `netstat` before the start time (whose header names the UTC offset), as
/// the real capture prints them.
pub const WINDOWS_NETSTAT: [(&str, Align); 6] = [
    ("Proto", Align::Left),
    ("Local Address", Align::Left),
    ("Foreign Address", Align::Left),
    ("State", Align::Right),
    ("Owning Process Id", Align::Right),
    ("Owning Process Name", Align::Left),
];

/// `10.0.0.5:443`, `:::445`, `fe80::1%2:60660`: Windows prints IPv6 addresses unbracketed.
fn windows_endpoint(addr: &str, port: u16) -> String {
    format!("{addr}:{port}")
}

/// The state as Windows prints it (`Listen`, `Established`, `TimeWait`); UDP endpoints print
/// `Listen`, as in the real capture.
pub fn windows_state(c: &Connection) -> String {
    match c.state.as_str() {
        "" | "LISTENING" | "LISTEN" => "Listen".into(),
        s => s
            .split('_')
            .map(|w| {
                let mut cs = w.chars();
                cs.next().map_or_else(String::new, |f| {
                    format!(
                        "{}{}",
                        f.to_ascii_uppercase(),
                        cs.as_str().to_ascii_lowercase()
                    )
                })
            })
            .collect(),
    }
}

pub fn netstat(host: &Host) -> CommandOutput {
    match host.platform {
        Platform::Windows => {
            let rows: Vec<Vec<String>> = host
                .connections
                .iter()
                .map(|c| {
                    let owner = host.processes.get(c.pid);
                    vec![
                        c.proto.clone(),
                        windows_endpoint(&c.local_address, c.local_port),
                        if c.proto == "UDP" {
                            "*:*".to_string()
                        } else {
                            windows_endpoint(&c.remote_address, c.remote_port)
                        },
                        windows_state(c),
                        c.pid.to_string(),
                        owner.map_or("", |p| p.path_shown()).to_string(),
                        owner.map_or_else(String::new, |p| clock::windows(p.start_time)),
                    ]
                })
                .collect();
            let mut columns = WINDOWS_NETSTAT.to_vec();
            columns.push(("Process Start Time (UTC+0)", Align::Left));
            ok(format_table(&columns, &rows))
        }
        Platform::Linux | Platform::Mac => {
            let mut out = format!(
                "{:<5} {:>6} {:>6} {:<23} {:<23} {:<11} {}\n",
                "Proto",
                "Recv-Q",
                "Send-Q",
                "Local Address",
                "Foreign Address",
                "State",
                "PID/Program name"
            );
            for c in &host.connections {
                let remote = if c.remote_port == 0 {
                    format!(
                        "{}:*",
                        if c.remote_address == "*" {
                            "0.0.0.0"
                        } else {
                            &c.remote_address
                        }
                    )
                } else {
                    endpoint(&c.remote_address, c.remote_port, "TCP", true)
                };
                let state = match c.state.as_str() {
                    "LISTENING" => "LISTEN",
                    s => s,
                };
                let program = host
                    .processes
                    .get(c.pid)
                    .map_or_else(|| "-".to_string(), |p| format!("{}/{}", c.pid, p.name));
                out.push_str(&format!(
                    "{:<5} {:>6} {:>6} {:<23} {:<23} {:<11} {}\n",
                    c.proto.to_lowercase(),
                    0,
                    0,
                    endpoint(&c.local_address, c.local_port, "TCP", false),
                    remote,
                    state,
                    program
                ));
            }
            ok(out)
        }
    }
}

/// `Label . . . . : value`: dots on odd columns up to column 35, the colon on column 37,
/// as ipconfig aligns its labels.
fn dotted(label: &str, value: &str) -> String {
    let mut s = format!("   {label}");
    while s.len() < 36 {
        s.push(if s.len() % 2 == 1 { '.' } else { ' ' });
    }
    format!("{s} : {value}\n")
}

pub fn ipconfig(host: &Host) -> CommandOutput {
    if host.platform != Platform::Windows {
        return err("'ipconfig' is not supported on this platform; use 'ifconfig'".into());
    }
    let mut out = String::from("\nWindows IP Configuration\n\n");
    out.push_str(&dotted("Host Name", &host.hostname));
    out.push_str(&dotted("Primary Dns Suffix", "corp.example.com"));
    out.push_str(&dotted("Node Type", "Hybrid"));
    out.push_str(&dotted("IP Routing Enabled", "No"));
    for i in &host.interfaces {
        out.push_str(&format!("\nEthernet adapter {}:\n\n", i.name));
        out.push_str(&dotted(
            "Connection-specific DNS Suffix",
            "corp.example.com",
        ));
        out.push_str(&dotted("Description", &i.description));
        out.push_str(&dotted("Physical Address", &i.mac.to_uppercase()));
        out.push_str(&dotted("DHCP Enabled", "Yes"));
        out.push_str(&dotted("IPv4 Address", &format!("{}(Preferred)", i.ipv4)));
        out.push_str(&dotted("Subnet Mask", &i.netmask));
        out.push_str(&dotted("Default Gateway", &i.gateway));
        let mut dns = i.dns.iter();
        if let Some(first) = dns.next() {
            out.push_str(&dotted("DNS Servers", first));
            for d in dns {
                out.push_str(&format!("{:39}{d}\n", ""));
            }
        }
    }
    ok(out)
}

fn hex_mask(mask: &str) -> String {
    let n = mask
        .split('.')
        .filter_map(|o| o.parse::<u8>().ok())
        .fold(0u32, |acc, o| (acc << 8) | u32::from(o));
    format!("0x{n:08x}")
}

fn broadcast(ip: &str) -> String {
    match ip.rsplit_once('.') {
        Some((net, _)) => format!("{net}.255"),
        None => String::new(),
    }
}

pub fn ifconfig(host: &Host) -> CommandOutput {
    let mut out = String::new();
    match host.platform {
        Platform::Windows => {
            return err("'ifconfig' is not supported on this platform; use 'ipconfig'".into());
        }
        Platform::Linux => {
            for i in &host.interfaces {
                out.push_str(&format!(
                    "{}: flags=4163<UP,BROADCAST,RUNNING,MULTICAST>  mtu 1500\n        inet {}  netmask {}  broadcast {}\n        ether {}  txqueuelen 1000  (Ethernet)\n\n",
                    i.name,
                    i.ipv4,
                    i.netmask,
                    broadcast(&i.ipv4),
                    i.mac.replace('-', ":").to_lowercase()
                ));
            }
            out.push_str("lo: flags=73<UP,LOOPBACK,RUNNING>  mtu 65536\n        inet 127.0.0.1  netmask 255.0.0.0\n        loop  txqueuelen 1000  (Local Loopback)\n\n");
        }
        Platform::Mac => {
            out.push_str("lo0: flags=8049<UP,LOOPBACK,RUNNING,MULTICAST> mtu 16384\n\tinet 127.0.0.1 netmask 0xff000000\n");
            for i in &host.interfaces {
                out.push_str(&format!(
                    "{}: flags=8863<UP,BROADCAST,SMART,RUNNING,SIMPLEX,MULTICAST> mtu 1500\n\tether {}\n\tinet {} netmask {} broadcast {}\n\tstatus: active\n",
                    i.name,
                    i.mac.replace('-', ":").to_lowercase(),
                    i.ipv4,
                    hex_mask(&i.netmask),
                    broadcast(&i.ipv4)
                ));
            }
        }
    }
    ok(out)
}
