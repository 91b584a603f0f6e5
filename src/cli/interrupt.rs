//! Ctrl-C for `run`: the first stops the running playbook cleanly (waits and polls end, nothing more
//! is sent); a second one quits at once. Built on the one SIGINT listener the REPL and watch use.

use crate::engine::{Cancel, Reason};
use std::sync::atomic::{AtomicBool, Ordering};

/// Watches for Ctrl-C for the rest of the process.
pub fn stop_on_ctrl_c(cancel: Cancel) {
    let pressed = AtomicBool::new(false);
    // Without the listener Ctrl-C still ends the process, just less politely.
    let _ = crate::engine::interrupt::on_ctrl_c(move || {
        if pressed.swap(true, Ordering::SeqCst) {
            std::process::exit(130);
        }
        eprintln!("falconry: interrupted; stopping the playbook (Ctrl-C again to quit at once)");
        cancel.trip(Reason::Interrupted);
    });
}
