//! `falconry watch`: run a playbook each time it is saved (edit loop), or each playbook dropped into a folder
//! once (inbox). One run at a time; a change during a run queues exactly one more run of that playbook.

mod events;
mod inbox;
mod lock;
mod runner;

pub use runner::Runner;

use crate::engine::Reason;
use crate::engine::render_script_error;
use crate::engine::{display, interrupt};
use inbox::Inbox;
use runner::Report;
use std::collections::{HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Sender, channel};
use std::time::Instant;

/// What the loop reacts to.
enum Msg {
    Changed(Vec<PathBuf>),
    Finished(Box<Report>),
    Stop,
}

/// What is watched.
pub enum Target {
    /// One playbook file.
    File(PathBuf),
    /// Every `.rhai` file directly in a folder.
    Folder(PathBuf),
    /// An inbox folder.
    Inbox(PathBuf),
}

/// Watches until Ctrl-C; a run in progress is stopped (and, in an inbox, reported as interrupted).
pub fn run(target: Target, runner: Runner) -> Result<(), String> {
    let (tx, rx) = channel::<Msg>();
    {
        let tx = tx.clone();
        let cancel = runner.cancel.clone();
        let pressed = std::sync::atomic::AtomicBool::new(false);
        interrupt::on_ctrl_c(move || {
            // A second Ctrl-C does not wait for a run that is slow to stop; an inbox playbook left in
            // `running/` is reported as interrupted at the next start.
            if pressed.swap(true, std::sync::atomic::Ordering::SeqCst) {
                eprintln!("stopping now");
                std::process::exit(130);
            }
            cancel.trip(Reason::Interrupted);
            let _ = tx.send(Msg::Stop);
        })?;
    }
    let (dir, inbox) = match &target {
        Target::File(f) => (folder_of(f)?, None),
        Target::Folder(d) => (canonical(d)?, None),
        Target::Inbox(d) => {
            let d = canonical(d)?;
            (d.clone(), Some(Inbox::open(&d)?))
        }
    };
    let only = match &target {
        Target::File(f) => Some(dir.join(f.file_name().unwrap_or_default())),
        _ => None,
    };
    let changes = tx.clone();
    let _watcher = events::watch(&dir, move |paths| {
        let _ = changes.send(Msg::Changed(paths));
    })?;

    let mut queue: VecDeque<PathBuf> = VecDeque::new();
    match &inbox {
        Some(inbox) => {
            for (name, what) in inbox.recover() {
                println!(
                    "--- {}: {}",
                    crate::terminal::name(&name),
                    crate::terminal::line(what)
                );
            }
            queue.extend(inbox.waiting());
            println!("watching the inbox {}", dir.display());
        }
        None => println!(
            "watching {}; each save runs {}",
            only.as_deref().unwrap_or(&dir).display(),
            if only.is_some() {
                "the playbook"
            } else {
                "that playbook"
            }
        ),
    }

    let mut running: Option<(PathBuf, Instant)> = None;
    let mut stopping = false;
    // The version of each playbook last run: events that arrive late for a save already run
    // (a busy machine can split one save's events across debounce windows) start nothing.
    let mut last_run: HashMap<PathBuf, Fingerprint> = HashMap::new();
    loop {
        if running.is_none() {
            if stopping {
                break;
            }
            if let Some(next) = queue.pop_front() {
                if inbox.is_none() {
                    let now = fingerprint(&next);
                    if now.is_some() && last_run.get(&next) == now.as_ref() {
                        continue;
                    }
                    if let Some(f) = now {
                        last_run.insert(next.clone(), f);
                    }
                }
                running = start(&runner, inbox.as_ref(), next, &tx);
                continue;
            }
        }
        let Ok(msg) = rx.recv() else { break };
        match msg {
            Msg::Changed(paths) => {
                for p in paths {
                    let relevant = only.as_ref().is_none_or(|o| *o == p) && p.is_file();
                    if relevant && !stopping && !queue.contains(&p) {
                        queue.push_back(p);
                    }
                }
            }
            Msg::Finished(report) => {
                let took = running.take().map(|(_, t)| t.elapsed()).unwrap_or_default();
                finish(inbox.as_ref(), &report, took);
            }
            Msg::Stop => {
                if !stopping {
                    println!("stopping");
                }
                stopping = true;
                queue.clear();
                // Trip again: the run may have started (and reset the flag) after the first trip.
                runner.cancel.trip(Reason::Interrupted);
            }
        }
    }
    Ok(())
}

/// What distinguishes one save from the next: modification time, size and content.
#[derive(PartialEq, Eq)]
struct Fingerprint {
    modified: Option<std::time::SystemTime>,
    content: Vec<u8>,
}

fn fingerprint(p: &Path) -> Option<Fingerprint> {
    let modified = std::fs::metadata(p).ok()?.modified().ok();
    let content = std::fs::read(p).ok()?;
    Some(Fingerprint { modified, content })
}

/// Starts a run; in an inbox the playbook is claimed first (`None` when it vanished meanwhile).
fn start(
    runner: &Runner,
    inbox: Option<&Inbox>,
    playbook: PathBuf,
    tx: &Sender<Msg>,
) -> Option<(PathBuf, Instant)> {
    let (path, args) = match inbox {
        Some(i) => {
            let path = i.claim(&playbook)?;
            if let Some(why) = Inbox::unrunnable(&path) {
                let name = name(&playbook);
                match i.refuse(&path, &why) {
                    Ok(dest) => println!(
                        "--- {name}: not run: {}; moved to {}",
                        crate::terminal::line(&why),
                        crate::terminal::line(
                            &dest.strip_prefix(&i.dir).unwrap_or(&dest).to_string_lossy()
                        )
                    ),
                    Err(e) => eprintln!("error: {}", crate::terminal::line(&e)),
                }
                return None;
            }
            let args = i.arguments(&path);
            (path, args)
        }
        None => (playbook.clone(), Ok(None)),
    };
    println!("--- {}: run at {}", name(&playbook), clock());
    let tx = tx.clone();
    runner.start(path.clone(), args, move |report| {
        let _ = tx.send(Msg::Finished(Box::new(report)));
    });
    Some((path, Instant::now()))
}

fn finish(inbox: Option<&Inbox>, report: &Report, took: std::time::Duration) {
    let name = name(&report.playbook);
    let secs = format!("{:.2}s", took.as_secs_f64());
    if let Some(case) = &report.case {
        println!("--- {name}: case {}", case.display());
    }
    match &report.result {
        Ok(value) => {
            if !value.is_null() {
                let text = display::render(&crate::engine::convert::from_json(value), false);
                print!(
                    "{}",
                    crate::terminal::text(&crate::ops::redact::clean(&text))
                );
            }
            println!("--- {name}: ok in {secs}");
        }
        Err(e) => {
            eprint!("{}", render_script_error(e));
            println!("--- {name}: failed in {secs}");
        }
    }
    if let Some(i) = inbox {
        match i.finish(report) {
            Ok(dest) => {
                let dest = dest.strip_prefix(&i.dir).unwrap_or(&dest).to_string_lossy();
                println!("--- {name}: moved to {}", crate::terminal::line(&dest))
            }
            Err(e) => eprintln!("error: {}", crate::terminal::line(&e)),
        }
    }
}

fn folder_of(file: &Path) -> Result<PathBuf, String> {
    if !file.is_file() {
        return Err(format!(
            "`{}` is not a playbook file or folder",
            file.display()
        ));
    }
    let parent = match file.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    canonical(&parent)
}

fn canonical(dir: &Path) -> Result<PathBuf, String> {
    dir.canonicalize()
        .map_err(|e| format!("cannot watch `{}`: {e}", dir.display()))
}

/// A dropped file's name as the watch lines show it: whoever dropped it chose it.
fn name(p: &Path) -> String {
    p.file_name()
        .map(|n| crate::terminal::name(&n.to_string_lossy()))
        .unwrap_or_default()
}

fn clock() -> String {
    let t = crate::time::stamp_seconds(std::time::SystemTime::now());
    t.get(11..19).unwrap_or(&t).to_string()
}
