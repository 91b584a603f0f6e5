//! Every playbook helper, declared once: the `rtr`, `fs` and `hosts` functions and the `Session` and
//! `Batch` methods, with their arities and help. Registration goes through [`function`] and [`method`], which refuse
//! an undeclared name, and a test calls every declared function at every arity; `falconry check`, REPL
//! completion and `help()` read the same lists.

use rhai::FuncRegistration;

/// One playbook helper: where it lives (`rtr`, or the `Session`/`Batch` type for a method), its name,
/// the argument counts it takes and its help text (signature line first). Registration, `falconry check`,
/// REPL completion, `help()` and `falconry ops --helpers` all read these two lists.
pub struct Helper {
    pub owner: &'static str,
    pub name: &'static str,
    pub arities: &'static [usize],
    pub help: &'static str,
}

/// The helper functions, by module.
pub const FUNCTIONS: &[Helper] = &[
    Helper {
        owner: "hosts",
        name: "find",
        arities: &[1],
        help: "hosts::find(name_or_fql) -> device record\n  exactly one host by hostname, device id or FQL filter; none or several is an error naming them\n",
    },
    Helper {
        owner: "hosts",
        name: "find_all",
        arities: &[0, 1],
        help: "hosts::find_all() / hosts::find_all(fql) -> [device record]\n  every matching host, all pages\n",
    },
    Helper {
        owner: "rtr",
        name: "session",
        arities: &[1, 2],
        help: "rtr::session(device, #{queue_offline, timeout, keepalive}) -> Session\n  device: a device record or id\n  queue_offline (false): open on an offline host; commands queue and answer `queued: true`\n  timeout (300s): default wait per command; keepalive (240s): pulse an idle session this often\n  an expired session is reopened in the directory `cd` left it in (logged); methods: help(\"Session\")\n",
    },
    Helper {
        owner: "rtr",
        name: "batch",
        arities: &[1, 2],
        help: "rtr::batch(devices, #{host_timeout, timeout, queue_offline, keepalive}) -> Batch\n  one batch session on many hosts; b.run(cmd) -> #{results: #{device_id: result}, no_answer: [ids], errors: #{id: error}}\n",
    },
    Helper {
        owner: "rtr",
        name: "each",
        arities: &[2, 3],
        help: "rtr::each(devices, |s| { ... }, #{concurrency, queue_offline, timeout, keepalive}) -> #{device_id: value}\n  the closure runs once per host on its own Session; a failed host answers #{error, device_id, hostname}\n  stopped part-way (Ctrl-C in the REPL), the answer as far as it got is kept in `partial`\n",
    },
    Helper {
        owner: "rtr",
        name: "preflight",
        arities: &[2],
        help: "rtr::preflight(devices, command) -> #{ready: [records], refused: [#{device_id, hostname, policy, setting, reason}]}\n  which hosts' response policies allow `command`, before anything is opened\n",
    },
    Helper {
        owner: "rtr",
        name: "queued",
        arities: &[0, 1, 2],
        help: "rtr::queued() / rtr::queued(items) / rtr::queued(items, #{timeout}) -> #{done: [results], pending: [..], canceled: [..], hostnames: #{device_id: hostname}}\n  commands queued for offline hosts (`queue_offline`): asks Falcon which have run and fetches their output\n  (): every command this run (or REPL) queued; items: saved queued results, a list or a batch answer\n  done: results as s.run answers them, parsed fields included; pending/canceled: #{device_id, hostname, session_id, cloud_request_id, command_string, status}\n  timeout (30s): wait for a finished command's output\n",
    },
    Helper {
        owner: "fs",
        name: "list",
        arities: &[0, 1],
        help: "fs::list() / fs::list(folder) -> [#{name, path, is_dir, size, sha256}]\n  files of the playbook's folder (or a folder inside it)\n",
    },
    Helper {
        owner: "fs",
        name: "read",
        arities: &[1],
        help: "fs::read(path) -> string\n  a text file inside the playbook's folder\n",
    },
    Helper {
        owner: "policies",
        name: "current",
        arities: &[0, 1],
        help: "policies::current() / policies::current(platform) -> the tenant's response policies as code\n",
    },
    Helper {
        owner: "policies",
        name: "plan",
        arities: &[1],
        help: "policies::plan(desired) -> the changes that would make the tenant match `desired`\n",
    },
    Helper {
        owner: "policies",
        name: "apply",
        arities: &[1],
        help: "policies::apply(desired) -> the changes made\n",
    },
    Helper {
        owner: "policies",
        name: "settings",
        arities: &[1],
        help: "policies::settings(platform) -> [setting ids]\n  every setting a policy of the platform has, in the console's order; a setting a policy file, a desired-state map or policy::rollout leaves out is off\n",
    },
];

/// The methods of the `Session` and `Batch` values.
pub const METHODS: &[Helper] = &[
    Helper {
        owner: "Session",
        name: "run",
        arities: &[1, 2],
        help: "s.run(command) / s.run(command, #{timeout}) -> #{stdout, stderr, complete, queued?, planned, base_command, command_string, device_id, hostname, session_id, cloud_request_id, <parsed>, warnings}\n  <parsed>: `processes` (ps), `connections` (netstat), `entries` (ls), ... see help(\"rtr\"); `warnings` names rows not understood\n",
    },
    Helper {
        owner: "Session",
        name: "get",
        arities: &[1, 2],
        help: "s.get(path) / s.get(path, #{timeout}) -> #{path, sha256, size, remote_path, device_id, hostname, cloud_request_id}\n  the file, saved under --out once its sha256 is Falcon's (otherwise nothing is saved and it throws)\n",
    },
    Helper {
        owner: "Session",
        name: "put",
        arities: &[1],
        help: "s.put(name) -> run result\n  copies a put-file from the library to the host's working directory\n",
    },
    Helper {
        owner: "Session",
        name: "runscript",
        arities: &[1, 2],
        help: "s.runscript(name) / s.runscript(name, args) -> run result\n  runs a custom script from the library\n",
    },
    Helper {
        owner: "Session",
        name: "runscript_raw",
        arities: &[1, 2],
        help: "s.runscript_raw(text) / s.runscript_raw(text, #{timeout}) -> run result\n  runs `text` as `runscript -Raw=```text```` (destructive); write it in a backtick string, where `C:\\Users` needs no doubled backslash, or read it with fs::read(\"fix.ps1\")\n",
    },
    Helper {
        owner: "Session",
        name: "put_and_run",
        arities: &[1],
        help: "s.put_and_run(name) -> run result\n  copies a put-file and runs it (destructive)\n",
    },
    Helper {
        owner: "Session",
        name: "cd",
        arities: &[1],
        help: "s.cd(path) -> run result\n  changes the working directory; a reopened session returns there. Windows paths: s.cd(`C:\\Windows\\Temp`)\n",
    },
    Helper {
        owner: "Session",
        name: "pwd",
        arities: &[0],
        help: "s.pwd() -> string\n  the working directory\n",
    },
    Helper {
        owner: "Session",
        name: "kill",
        arities: &[1],
        help: "s.kill(process) -> run result\n  kills a `ps` row only while its PID still runs the same image (destructive)\n",
    },
    Helper {
        owner: "Session",
        name: "close",
        arities: &[0],
        help: "s.close()\n  closes the session now (it closes by itself at the end of the run); a session with a command queued for an offline host is left open for Falcon to run it, and rtr::queued(saved results) collects it in a later run\n",
    },
    Helper {
        owner: "Batch",
        name: "run",
        arities: &[1],
        help: "b.run(command) -> #{results: #{device_id: result}, no_answer: [device ids], errors: #{device_id: error}}\n",
    },
    Helper {
        owner: "Batch",
        name: "get",
        arities: &[1],
        help: "b.get(path) -> #{results: #{device_id: file}, no_answer, errors}\n",
    },
];

/// The registration of a declared module function (volatile: never run while compiling).
pub(super) fn function(module: &str, name: &str) -> FuncRegistration {
    declared(FUNCTIONS, module, name)
}

/// The registration of a declared method of `Session` or `Batch`.
pub(super) fn method(ty: &str, name: &str) -> FuncRegistration {
    declared(METHODS, ty, name)
}

fn declared(list: &[Helper], owner: &str, name: &str) -> FuncRegistration {
    // A programming error, caught by every test that builds a runtime: the lists above are what
    // completion, `check` and `help()` show, so nothing may be registered beside them.
    assert!(
        list.iter().any(|h| h.owner == owner && h.name == name),
        "`{owner}::{name}` is registered but not declared in rtr::catalogue"
    );
    FuncRegistration::new(name.to_string())
        .with_volatility(true)
        .with_purity(false)
}

#[cfg(test)]
mod tests {
    use super::FUNCTIONS;
    use crate::engine::{Offline, Options};
    use std::sync::Arc;

    /// Every declared function exists at every declared arity: some combination of argument types
    /// (a string, a function pointer, unit) reaches it; it may then fail, but never with "function not
    /// found". The backend is offline, so nothing is sent.
    #[test]
    fn every_declared_function_is_registered_at_every_arity() {
        let runtime = crate::rtr::runtime(
            Arc::new(Offline),
            &Options::default(),
            crate::engine::Cancel::new(),
        );
        const VALUES: [&str; 3] = ["\"\"", "Fn(\"f\")", "()"];
        for h in FUNCTIONS {
            let (module, name) = (h.owner, h.name);
            for &n in h.arities {
                let found = (0..VALUES.len().pow(n as u32)).any(|mut combo| {
                    let args: Vec<&str> = (0..n)
                        .map(|_| {
                            let v = VALUES[combo % VALUES.len()];
                            combo /= VALUES.len();
                            v
                        })
                        .collect();
                    let script = format!("fn f(x) {{ x }} {module}::{name}({})", args.join(", "));
                    match runtime.engine().eval::<rhai::Dynamic>(&script) {
                        Ok(_) => true,
                        Err(e) => !matches!(*e, rhai::EvalAltResult::ErrorFunctionNotFound(..)),
                    }
                });
                assert!(
                    found,
                    "`{module}::{name}` is declared with {n} arguments but not registered so"
                );
            }
        }
    }
}
