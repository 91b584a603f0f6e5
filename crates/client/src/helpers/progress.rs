//! Progress of a fan-out on stderr: a bar when stderr is a terminal, a plain line per second otherwise
//! (logs and CI keep a record without a flood).

use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct Progress {
    label: String,
    total: usize,
    bar: Option<ProgressBar>,
    plain: Mutex<Plain>,
}

struct Plain {
    done: usize,
    failed: usize,
    last: Option<Instant>,
}

impl Progress {
    pub fn new(label: &str, total: usize) -> Progress {
        // The label quotes a command line a playbook may have built from host output.
        let label = &crate::terminal::name(label);
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new(total as u64);
            if let Ok(style) =
                ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} hosts {msg}")
            {
                bar.set_style(style.progress_chars("=> "));
            }
            bar.set_prefix(label.to_string());
            bar
        });
        Progress {
            label: label.to_string(),
            total,
            bar,
            plain: Mutex::new(Plain {
                done: 0,
                failed: 0,
                last: None,
            }),
        }
    }

    /// One host finished (`ok` false when it failed).
    pub fn done(&self, hostname: &str, ok: bool) {
        let Ok(mut p) = self.plain.lock() else {
            return;
        };
        p.done += 1;
        if !ok {
            p.failed += 1;
        }
        if let Some(bar) = &self.bar {
            bar.inc(1);
            bar.set_message(if p.failed > 0 {
                format!("({} failed) {}", p.failed, crate::terminal::name(hostname))
            } else {
                crate::terminal::name(hostname)
            });
            return;
        }
        let due = p.last.is_none_or(|t| t.elapsed() >= Duration::from_secs(1));
        if due || p.done == self.total {
            p.last = Some(Instant::now());
            eprintln!(
                "{}: {}/{} hosts done{}",
                self.label,
                p.done,
                self.total,
                if p.failed > 0 {
                    format!(", {} failed", p.failed)
                } else {
                    String::new()
                }
            );
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
