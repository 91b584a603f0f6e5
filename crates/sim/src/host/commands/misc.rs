//! The less common commands, kept minimal: memory dumps, `encrypt`, drive mapping, Windows
//! Update queries, registry hive loading.

use bytes::Bytes;

use super::super::clock::now;
use super::super::format::table;
use super::super::{CommandOutput, Host};
use super::{Args, err, fs_error, ok, usage};

/// `memdump <pid> <path>` / `xmemdump <kernel|pid> <path>`: writes a small stand-in dump.
pub fn memdump(host: &mut Host, cwd: &str, base: &str, args: &Args) -> CommandOutput {
    let [target, path, ..] = args.positional.as_slice() else {
        return usage(base, &format!("{base} <pid> <destination path>"));
    };
    let what = if target.eq_ignore_ascii_case("kernel") {
        "kernel".to_string()
    } else {
        match target
            .parse::<u32>()
            .ok()
            .and_then(|pid| host.processes.get(pid))
        {
            Some(p) => format!("{} (pid {})", p.name, p.pid),
            None => {
                return err(format!(
                    "Cannot find a process with the process identifier {target}."
                ));
            }
        }
    };
    let dest = host.fs.style.resolve(cwd, path);
    let dump = format!("MDMP simulated memory dump of {what}\n");
    match host.fs.write(&dest, Bytes::from(dump.into_bytes()), now()) {
        Ok(()) => ok(format!("Memory dump of {what} written to {dest}\n")),
        Err(e) => err(fs_error(host, e, &dest)),
    }
}

/// `encrypt <path>`: writes `<path>.encrypted` (XOR stand-in) and removes the original.
pub fn encrypt(host: &mut Host, cwd: &str, args: &Args) -> CommandOutput {
    let Some(path) = args.first() else {
        return usage("encrypt", "encrypt <path>");
    };
    let src = host.fs.style.resolve(cwd, path);
    let Some(bytes) = host.fs.get(&src).and_then(|n| n.bytes()).cloned() else {
        return err(fs_error(host, super::FsError::NotFound, &src));
    };
    let dest = format!("{src}.encrypted");
    let scrambled: Vec<u8> = bytes.iter().map(|b| b ^ 0x5a).collect();
    if let Err(e) = host.fs.write(&dest, Bytes::from(scrambled), now()) {
        return err(fs_error(host, e, &dest));
    }
    let _ = host.fs.remove(&src, false);
    ok(format!("{dest}\n"))
}

pub fn map(base: &str, args: &Args) -> CommandOutput {
    match (base, args.positional.as_slice()) {
        ("map", [share, letter, ..]) => ok(format!("{share} mapped to {letter}\n")),
        ("unmap", [letter, ..]) => ok(format!("{letter} unmapped\n")),
        ("map", _) => usage(
            "map",
            "map <\\\\server\\share> <drive letter> [-Username=..]",
        ),
        _ => usage("unmap", "unmap <drive letter>"),
    }
}

const UPDATES: [(&str, &str); 2] = [
    (
        "KB5032190",
        "2023-11 Cumulative Update for Windows 11 Version 23H2 for x64-based Systems",
    ),
    (
        "KB5032007",
        "2023-11 Cumulative Update for .NET Framework 3.5 and 4.8.1",
    ),
];

pub fn update(host: &Host, base: &str, args: &Args) -> CommandOutput {
    let rows = |installed: bool| -> Vec<Vec<String>> {
        UPDATES
            .iter()
            .map(|(kb, title)| {
                vec![
                    kb.to_string(),
                    title.to_string(),
                    if installed { "Installed" } else { "Available" }.into(),
                ]
            })
            .collect()
    };
    match base {
        "update list" => ok(table(&["KB", "Title", "Status"], &rows(false), &[10], 2)),
        "update history" => ok(table(&["KB", "Title", "Status"], &rows(true), &[10], 2)),
        "update query" => match args.first() {
            Some(kb) => match UPDATES.iter().find(|(k, _)| k.eq_ignore_ascii_case(kb)) {
                Some((k, t)) => ok(format!("{k}: {t}\n")),
                None => err(format!("Update '{kb}' was not found on {}", host.hostname)),
            },
            None => usage("update query", "update query <KB>"),
        },
        _ => match args.first() {
            Some(kb) => ok(format!("Installing {kb} on {}\n", host.hostname)),
            None => usage("update install", "update install <KB>"),
        },
    }
}

pub fn reg_hive(base: &str, args: &Args) -> CommandOutput {
    match (base, args.positional.as_slice()) {
        ("reg load", [file, key, ..]) => ok(format!("{file} loaded as {key}\n")),
        ("reg unload", [key, ..]) => ok(format!("{key} unloaded\n")),
        ("reg load", _) => usage("reg load", "reg load <hive file> <key>"),
        _ => usage("reg unload", "reg unload <key>"),
    }
}
