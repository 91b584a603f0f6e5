//! File commands: `ls`, `cd`, `cat`, `filehash`, `rm`, `cp`, `mv`, `mkdir`, `get`, `put`,
//! `zip`, `tar`.

use bytes::Bytes;

use super::super::archive::{tar_bytes, zip_bytes};
use super::super::clock::{self, now};
use super::super::digest::{md5_hex, sha256_hex};
use super::super::format::fixed_columns;
use super::super::fs::{FsError, Node};
use super::super::{CommandEnv, CommandOutput, ExtractedFile, Host, Platform};
use super::{Args, err, fs_error, ok, usage};

fn resolve(host: &Host, cwd: &str, arg: &str) -> String {
    host.fs.style.resolve(cwd, arg)
}

/// The path as the host spells it (original case of the stored node, else as resolved).
fn display(host: &Host, path: &str) -> String {
    host.fs
        .get(path)
        .map_or_else(|| path.to_string(), |n| n.path.clone())
}

pub fn ls(host: &Host, cwd: &str, args: &Args) -> CommandOutput {
    let target = resolve(host, cwd, args.first().unwrap_or("."));
    let Some(node) = host.fs.get(&target) else {
        return err(fs_error(host, FsError::NotFound, &target));
    };
    // A file is listed as the one entry of its directory, so `dir + name` is its path.
    let (shown, mut entries): (String, Vec<&Node>) = if node.is_dir() {
        (node.path.clone(), host.fs.children(&target))
    } else {
        let parent = host.fs.style.parent(&node.path).unwrap_or_default();
        (display(host, &parent), vec![node])
    };
    let posix = host.platform != Platform::Windows;
    if posix && args.flag(&["t"]) {
        // `-t`: newest first (the Linux session catalogue's flag; ties keep name order).
        entries.sort_by_key(|n| std::cmp::Reverse(n.modified));
    }
    let stdout = match host.platform {
        Platform::Windows => ls_windows(host, &shown, &entries),
        _ if args.flag(&["l"]) => ls_posix(host, &shown, &entries),
        _ => ls_names(host, &entries),
    };
    ok(stdout)
}

/// Plain Linux/Mac `ls`: names only, one a line, no header, no sizes, no `/` after directories, as
/// both real captures show (elastic/kibana's CrowdStrike emulator, `tests/data/rtr/real/
/// linux_ls_kibana.txt` and `linux_ls_kibana_details.txt`; see `SOURCES.md`).
fn ls_names(host: &Host, entries: &[&Node]) -> String {
    entries
        .iter()
        .map(|n| host.fs.style.file_name(&n.path) + "\n")
        .collect()
}

fn ls_windows(host: &Host, shown: &str, entries: &[&Node]) -> String {
    let rows: Vec<Vec<String>> = entries
        .iter()
        .map(|n| {
            let name = host.fs.style.file_name(&n.path);
            let (kind, bytes, mb) = if n.is_dir() {
                (
                    "<Directory>".to_string(),
                    "--".to_string(),
                    "--".to_string(),
                )
            } else {
                let ext = name
                    .rsplit_once('.')
                    .map_or_else(String::new, |(_, e)| format!(".{e}"));
                (
                    ext,
                    n.size().to_string(),
                    format!("{:.2}", n.size() as f64 / 1_048_576.0),
                )
            };
            vec![
                name,
                kind,
                bytes,
                mb,
                clock::windows(n.modified),
                clock::windows(n.created),
            ]
        })
        .collect();
    // The widths and the lone trailing space of each cell follow the real capture; it shows
    // directories only, so how file sizes print is reconstructed.
    format!(
        "Directory listing for {shown} -\n\n{}",
        fixed_columns(
            &[40, 12, 15, 15, 25, 24],
            &[
                "Name",
                "Type",
                "Size (bytes)",
                "Size (MB)",
                "Last Modified (UTC+0)",
                "Created (UTC+0)",
            ],
            &rows,
        )
    )
}

/// `ls -l` ("List in long format." in the Linux session catalogue). No real capture shows its
/// layout: the header line and the columns are a reconstruction (DEVIATIONS.md).
fn ls_posix(host: &Host, shown: &str, entries: &[&Node]) -> String {
    let mut out = format!("Directory listing for {shown} -\n\n");
    for n in entries {
        let name = host.fs.style.file_name(&n.path);
        let (mode, links) = if n.is_dir() {
            ("drwxr-xr-x", 2)
        } else if is_executable(&name, n) {
            ("-rwxr-xr-x", 1)
        } else {
            ("-rw-r--r--", 1)
        };
        let owner = owner_of(host, &n.path);
        // Linux gives each user a group of the same name; macOS uses `staff` and `wheel`.
        let group = match (host.platform, owner.as_str()) {
            (Platform::Mac, "root") => "wheel".to_string(),
            (Platform::Mac, _) => "staff".to_string(),
            _ => owner.clone(),
        };
        let size = if n.is_dir() { 4096 } else { n.size() };
        out.push_str(&format!(
            "{mode} {links:>3} {owner:<8} {group:<8} {size:>10} {} {name}\n",
            clock::posix(n.modified)
        ));
    }
    out
}

fn is_executable(name: &str, n: &Node) -> bool {
    n.bytes().is_some_and(|b| {
        b.starts_with(b"\x7fELF")
            || b.starts_with("\u{cf}\u{fa}".as_bytes())
            || b.starts_with(b"#!")
    }) || name.ends_with(".sh")
}

fn owner_of(host: &Host, path: &str) -> String {
    host.users
        .iter()
        .filter(|u| u.uid != 0)
        .find(|u| path.starts_with(&format!("{}/", u.home)))
        .map_or_else(|| "root".to_string(), |u| u.name.clone())
}

pub fn cd(host: &Host, cwd: &mut String, args: &Args) -> CommandOutput {
    let Some(arg) = args.first() else {
        return ok(format!("{cwd}\n"));
    };
    let target = resolve(host, cwd, arg);
    match host.fs.get(&target) {
        Some(n) if n.is_dir() => {
            *cwd = n.path.clone();
            ok(format!("{cwd}\n"))
        }
        Some(_) => err(fs_error(host, FsError::NotADirectory, &target)),
        None => err(fs_error(host, FsError::NotFound, &target)),
    }
}

/// A file's bytes, or the error the host prints for a missing path or a directory.
fn file<'h>(host: &'h Host, path: &str) -> Result<&'h Node, String> {
    match host.fs.get(path) {
        Some(n) if n.is_dir() => Err(match host.platform {
            Platform::Windows => format!("Access to the path '{}' is denied.", n.path),
            _ => format!("{}: Is a directory", n.path),
        }),
        Some(n) => Ok(n),
        None => Err(fs_error(host, FsError::NotFound, path)),
    }
}

pub fn cat(host: &Host, cwd: &str, args: &Args) -> CommandOutput {
    let Some(arg) = args.first() else {
        return usage("cat", "cat <path>");
    };
    match file(host, &resolve(host, cwd, arg)) {
        Ok(n) => ok(String::from_utf8_lossy(n.bytes().map_or(&[][..], |b| b)).into_owned()),
        Err(e) => err(e),
    }
}

pub fn filehash(host: &Host, cwd: &str, args: &Args) -> CommandOutput {
    let Some(arg) = args.first() else {
        return usage("filehash", "filehash <path>");
    };
    match file(host, &resolve(host, cwd, arg)) {
        Ok(n) => {
            let b = n.bytes().map_or(&[][..], |b| b);
            ok(format!(
                "{}\nMD5:    {}\nSHA256: {}\n",
                n.path,
                md5_hex(b),
                sha256_hex(b)
            ))
        }
        Err(e) => err(e),
    }
}

pub fn rm(host: &mut Host, cwd: &str, args: &Args) -> CommandOutput {
    let Some(arg) = args.first() else {
        return usage("rm", "rm <path> [-Force]");
    };
    let target = resolve(host, cwd, arg);
    let force = args.flag(&["Force", "f", "r", "rf", "Recurse"]);
    let Some(node) = host.fs.get(&target) else {
        return err(fs_error(host, FsError::NotFound, &target));
    };
    let shown = node.path.clone();
    if node.is_dir() && !force {
        return err(fs_error(host, FsError::IsADirectory, &shown));
    }
    // Windows keeps a directory in use while it is the session's working directory.
    let style = host.fs.style;
    let in_use = host.platform == Platform::Windows && {
        let (k, c) = (style.key(&shown), style.key(cwd));
        c == k || c.starts_with(&format!("{}\\", k.trim_end_matches('\\')))
    };
    if shown == style.root() || in_use || super::super::is_sensor_path(&shown) {
        return err(format!("Access to the path '{shown}' is denied."));
    }
    // Windows locks the image of a running process; Linux and Mac let it be unlinked.
    if host.platform == Platform::Windows {
        let prefix = style.key(&shown);
        if let Some(p) = host.processes.all().iter().find(|p| {
            let k = style.key(&p.path);
            k == prefix || k.starts_with(&format!("{prefix}\\"))
        }) {
            return err(format!(
                "The process cannot access the file '{}' because it is being used by another process ({} pid {}).",
                p.path, p.name, p.pid
            ));
        }
    }
    match host.fs.remove(&target, force) {
        Ok(_) => ok(format!("{shown}\n")),
        Err(e) => err(fs_error(host, e, &shown)),
    }
}

/// Where a copy or move lands: into `to` when it is an existing directory.
fn destination(host: &Host, from: &str, to: &str) -> String {
    match host.fs.get(to) {
        Some(n) if n.is_dir() => host.fs.style.join(&n.path, &host.fs.style.file_name(from)),
        _ => to.to_string(),
    }
}

pub fn cp(host: &mut Host, cwd: &str, args: &Args) -> CommandOutput {
    let [from, to, ..] = args.positional.as_slice() else {
        return usage("cp", "cp <source> <destination>");
    };
    let from = resolve(host, cwd, from);
    let to = destination(host, &from, &resolve(host, cwd, to));
    if host.fs.get(&from).is_none() {
        return err(fs_error(host, FsError::NotFound, &from));
    }
    match host.fs.copy(&from, &to, now()) {
        Ok(()) => ok(format!("{}\n", display(host, &to))),
        Err(e) => err(fs_error(host, e, &to)),
    }
}

pub fn mv(host: &mut Host, cwd: &str, args: &Args) -> CommandOutput {
    let [from, to, ..] = args.positional.as_slice() else {
        return usage("mv", "mv <source> <destination>");
    };
    let from = resolve(host, cwd, from);
    let to = destination(host, &from, &resolve(host, cwd, to));
    if host.fs.get(&from).is_none() {
        return err(fs_error(host, FsError::NotFound, &from));
    }
    match host.fs.rename(&from, &to, now()) {
        Ok(()) => ok(format!("{}\n", display(host, &to))),
        Err(e) => err(fs_error(host, e, &to)),
    }
}

pub fn mkdir(host: &mut Host, cwd: &str, args: &Args) -> CommandOutput {
    let Some(arg) = args.first() else {
        return usage("mkdir", "mkdir <path>");
    };
    let target = resolve(host, cwd, arg);
    match host.fs.mkdir(&target, now()) {
        Ok(()) => ok(format!("{target}\n")),
        Err(e) => err(fs_error(host, e, &target)),
    }
}

pub fn get(host: &Host, cwd: &str, args: &Args) -> CommandOutput {
    let Some(arg) = args.first() else {
        return usage("get", "get <path>");
    };
    match file(host, &resolve(host, cwd, arg)) {
        Ok(n) => {
            let bytes = n.bytes().map_or_else(Vec::new, |b| b.to_vec());
            CommandOutput {
                extracted: Some(ExtractedFile {
                    path: n.path.clone(),
                    sha256: sha256_hex(&bytes),
                    size: bytes.len() as u64,
                    bytes,
                }),
                ..Default::default()
            }
        }
        Err(e) => err(e),
    }
}

pub fn put(host: &mut Host, cwd: &str, args: &Args, env: &dyn CommandEnv) -> CommandOutput {
    let Some(name) = args.first() else {
        return usage("put", "put <put-file name>");
    };
    let Some(bytes) = env.put_file(name) else {
        return err(format!("Could not find put-file '{name}' in the cloud"));
    };
    let target = host.fs.style.join(cwd, name);
    match host.fs.write(&target, Bytes::from(bytes), now()) {
        Ok(()) => ok(format!("{target}\n")),
        Err(e) => err(fs_error(host, e, &target)),
    }
}

/// The files under a source path, with names relative to the source's parent.
fn collect(host: &Host, source: &str) -> Result<Vec<(String, Bytes)>, String> {
    let Some(root) = host.fs.get(source) else {
        return Err(fs_error(host, FsError::NotFound, source));
    };
    let style = host.fs.style;
    let base = style.parent(&root.path).unwrap_or_default();
    let rel = |p: &str| style.relative(&base, p, "/");
    let mut out = Vec::new();
    if let Some(b) = root.bytes() {
        out.push((rel(&root.path), b.clone()));
    }
    for n in host.fs.descendants(source) {
        if let Some(b) = n.bytes() {
            out.push((rel(&n.path), b.clone()));
        }
    }
    Ok(out)
}

fn archive(
    host: &mut Host,
    cwd: &str,
    args: &Args,
    name: &str,
    ext: &str,
    pack: fn(&[(String, Bytes)]) -> Vec<u8>,
) -> CommandOutput {
    let Some(source) = args.first() else {
        return usage(name, &format!("{name} <source> [<destination{ext}>]"));
    };
    let source = resolve(host, cwd, source);
    let dest = match args.positional.get(1) {
        Some(d) => resolve(host, cwd, d),
        None => format!("{}{ext}", display(host, &source)),
    };
    let entries = match collect(host, &source) {
        Ok(e) => e,
        Err(e) => return err(e),
    };
    let bytes = pack(&entries);
    match host.fs.write(&dest, Bytes::from(bytes), now()) {
        Ok(()) => ok(format!("{dest}\n")),
        Err(e) => err(fs_error(host, e, &dest)),
    }
}

pub fn zip(host: &mut Host, cwd: &str, args: &Args) -> CommandOutput {
    archive(host, cwd, args, "zip", ".zip", zip_bytes)
}

pub fn tar(host: &mut Host, cwd: &str, args: &Args) -> CommandOutput {
    // Accept both `tar <source> <dest>` and the GNU-ish `tar -cf <dest> <source>` order.
    if args.flag(&["cf", "czf", "c"]) && args.positional.len() >= 2 {
        let swapped = Args {
            positional: vec![args.positional[1].clone(), args.positional[0].clone()],
            options: Vec::new(),
        };
        return archive(host, cwd, &swapped, "tar", ".tar", tar_bytes);
    }
    archive(host, cwd, args, "tar", ".tar", tar_bytes)
}
