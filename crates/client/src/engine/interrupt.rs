//! Ctrl-C as an event instead of the end of the process, for the REPL and watch mode.
//!
//! tokio (already a dependency for the client and the emulator) installs the SIGINT handler; no extra crate.
//! Once installed, SIGINT no longer kills the process: each one calls the handler on a thread of its own.

use tokio::signal::unix::{SignalKind, signal};

/// Calls `handler` for every Ctrl-C from now on.
pub fn on_ctrl_c(handler: impl Fn() + Send + 'static) -> Result<(), String> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot watch for Ctrl-C: {e}"))?;
    // Registered here, before returning, so no Ctrl-C between now and the thread starting is lost.
    let mut sigint = rt
        .block_on(async { signal(SignalKind::interrupt()) })
        .map_err(|e| format!("cannot watch for Ctrl-C: {e}"))?;
    std::thread::Builder::new()
        .name("falconry-ctrl-c".into())
        .spawn(move || {
            rt.block_on(async {
                while sigint.recv().await.is_some() {
                    handler();
                }
            });
        })
        .map_err(|e| format!("cannot watch for Ctrl-C: {e}"))?;
    Ok(())
}
