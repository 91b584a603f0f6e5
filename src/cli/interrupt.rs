//! Ctrl-C: the first stops the running playbook cleanly (waits and polls end, nothing more is sent);
//! a second one quits at once.

use crate::engine::{Cancel, Reason};

/// Watches for Ctrl-C on a thread of its own for the rest of the process.
pub fn stop_on_ctrl_c(cancel: Cancel) {
    let watcher = move || {
        let Ok(rt) = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        else {
            return;
        };
        rt.block_on(async {
            if tokio::signal::ctrl_c().await.is_ok() {
                eprintln!(
                    "falconry: interrupted; stopping the playbook (Ctrl-C again to quit at once)"
                );
                cancel.trip(Reason::Interrupted);
            }
            if tokio::signal::ctrl_c().await.is_ok() {
                std::process::exit(130);
            }
        });
    };
    // Without the watcher Ctrl-C still ends the process, just less politely.
    let _ = std::thread::Builder::new()
        .name("falconry-ctrl-c".into())
        .spawn(watcher);
}
