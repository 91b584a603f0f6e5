//! Process commands: `ps`, `kill`.

use super::super::clock;
use super::super::format::{Align, format_table, thousands};
use super::super::{CommandOutput, Host, Platform};
use super::{Args, err, ok, usage};

pub fn ps(host: &Host) -> CommandOutput {
    let procs = host.processes.all();
    let stdout = match host.platform {
        Platform::Windows => {
            let rows: Vec<Vec<String>> = procs
                .iter()
                .map(|p| {
                    vec![
                        p.image_name().to_string(),
                        p.pid.to_string(),
                        clock::windows(p.start_time),
                        thousands(p.memory_kb),
                        format!("{:.2}", p.cpu_seconds()),
                        p.handle_count().to_string(),
                        p.path_shown().to_string(),
                    ]
                })
                .collect();
            format_table(
                &[
                    ("Name", Align::Left),
                    ("Id", Align::Right),
                    ("Start Time (UTC+0)", Align::Left),
                    ("WorkingMemory(kb)", Align::Right),
                    ("CPU(s)", Align::Right),
                    ("HandleCount", Align::Right),
                    ("Path", Align::Left),
                ],
                &rows,
            )
        }
        Platform::Linux | Platform::Mac => {
            let mut out = format!(
                "{:<10} {:>7} {:>7} {:<19} {:<16} {}\n",
                "USER", "PID", "PPID", "STARTED", "NAME", "COMMAND"
            );
            for p in procs {
                out.push_str(&format!(
                    "{:<10} {:>7} {:>7} {:<19} {:<16} {}\n",
                    p.user,
                    p.pid,
                    p.ppid,
                    clock::plain(p.start_time),
                    p.name.replace(' ', "_"),
                    p.command_line
                ));
            }
            out
        }
    };
    ok(stdout)
}

pub fn kill(host: &mut Host, args: &Args) -> CommandOutput {
    let Some(arg) = args.first() else {
        return usage("kill", "kill <pid>");
    };
    let Ok(pid) = arg.parse::<u32>() else {
        return err(format!(
            "Invalid PID '{arg}'. The PID must be a positive integer."
        ));
    };
    let protected = match host.platform {
        Platform::Windows => pid <= 4,
        _ => pid <= 2,
    };
    // The sensor protects itself from tampering.
    let sensor = host
        .processes
        .get(pid)
        .is_some_and(|p| super::super::is_sensor_path(&p.path));
    if protected || sensor {
        return err(format!("Cannot kill process {pid}: access is denied."));
    }
    match host.processes.remove(pid) {
        Some(p) => {
            host.connections.retain(|c| c.pid != pid);
            ok(format!("Process {} (pid {pid}) killed\n", p.name))
        }
        None => err(match host.platform {
            Platform::Windows => {
                format!("Cannot find a process with the process identifier {pid}.")
            }
            _ => format!("kill: ({pid}) - No such process"),
        }),
    }
}
