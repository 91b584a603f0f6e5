//! The embedded Falcon API emulator: a stateful local Falcon cloud with a simulated fleet; it knows
//! the Falcon model (`falconry-model`) and nothing of the client.
//!
//! [`start`] serves on its own thread and tokio runtime (so sync code and tests can embed it) on
//! an ephemeral loopback port unless told otherwise; [`serve_blocking`] runs `falconry sim`.
//!
//! Behaviour worth knowing when writing a client against it:
//! - `X-Ratelimit-Retryafter` (on 429) is in seconds since the epoch;
//! - command output longer than the scenario's `stdout_chunk_bytes` is split across sequences:
//!   every chunk but the last answers `complete: false`, so read `sequence_id` 0, 1, ... until
//!   `complete` is true (FalconPy's maintainers describe the API so, falconpy#992);
//! - RTR errors carry RTR's own codes and texts: 40006 `Command is not valid` (the response
//!   policy disallows the command), 40007 `Command not found`, 40014 `Unrecognized flag found`,
//!   40401 `Could not establish sensor comms`, 50401 `Exceeded maximum timeout`; commands the
//!   endpoint tier or the platform does not run answer 400 in the emulator's words;
//! - [`open_persistent`] / [`start_persistent`] keep the tenant in a state file (`journal`) from one
//!   process to the next, as the embedded emulator of `falconry` does;
//! - injected faults (`[faults]`) never touch `/oauth2/*`.

// The model's modules under the names the emulator's code has always used.
pub use falconry_model::{fql, ops, policy};

mod connection;
mod detection_records;
mod detections;
mod envelope;
mod handlers;
pub mod host;
mod ids;
mod input;
pub mod journal;
mod library;
mod replay;
mod retention;
mod rtr_records;
pub mod scenario;
mod scroll;
mod server;
mod session;
mod stamp;
pub mod state;
mod timeouts;

pub use retention::Retained;
pub use scenario::Scenario;
pub use state::{LogEntry, State};

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, MutexGuard};
use std::thread::JoinHandle;

/// The documented default credential pair.
pub const DEFAULT_CLIENT_ID: &str = "falconry-sim";
pub const DEFAULT_CLIENT_SECRET: &str = "falconry-sim-secret";

#[derive(Debug, Clone)]
pub struct SimConfig {
    /// `None`: an ephemeral port on 127.0.0.1.
    pub listen: Option<SocketAddr>,
    /// `None`: the built-in scenario (the host module's default fleet, default policies).
    pub scenario: Option<PathBuf>,
    pub seed: u64,
    pub client_id: String,
    pub client_secret: String,
}

impl Default for SimConfig {
    fn default() -> SimConfig {
        SimConfig {
            listen: None,
            scenario: None,
            seed: 1,
            client_id: DEFAULT_CLIENT_ID.into(),
            client_secret: DEFAULT_CLIENT_SECRET.into(),
        }
    }
}

/// A running emulator; dropping it stops the server.
pub struct SimHandle {
    addr: SocketAddr,
    pub client_id: String,
    pub client_secret: String,
    app: Arc<server::App>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl SimHandle {
    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The tenant's state, locked: counters, request log, hosts (tests read and steer it).
    pub fn state(&self) -> MutexGuard<'_, State> {
        self.app.lock()
    }
}

impl Drop for SimHandle {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Builds the state from the configuration (and scenario file, if any).
pub fn load_state(config: &SimConfig) -> Result<State, String> {
    let scenario = match &config.scenario {
        Some(path) => Scenario::load(path)?,
        None => Scenario::default(),
    };
    State::new(
        scenario,
        config.seed,
        config.client_id.clone(),
        config.client_secret.clone(),
    )
}

/// The tenant kept in the state file at `path` (created when missing, locked while the state
/// lives): built from the configuration as it was when first created, then every change replayed.
/// Also returns how many journaled changes could not be replayed.
pub fn open_persistent(config: &SimConfig, path: &Path) -> Result<(State, usize), String> {
    let journal = journal::Journal::open(path, config.seed)?;
    let mut state = stamp::with_clock(journal.created(), || load_state(config))?;
    let failed = state.attach(journal, handlers::handler);
    Ok((state, failed))
}

/// [`start`] on the tenant of a state file ([`open_persistent`]).
pub fn start_persistent(config: &SimConfig, path: &Path) -> Result<(SimHandle, usize), String> {
    let (state, failed) = open_persistent(config, path)?;
    Ok((start_with_state(config, state)?, failed))
}

/// Starts the emulator on a background thread with its own runtime.
pub fn start(config: SimConfig) -> Result<SimHandle, String> {
    start_with_state(&config, load_state(&config)?)
}

/// Starts the emulator with a state built by the caller (tests build scenarios in code).
pub fn start_with_state(config: &SimConfig, state: State) -> Result<SimHandle, String> {
    let listen = config
        .listen
        .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 0)));
    let listener = std::net::TcpListener::bind(listen)
        .map_err(|e| format!("cannot listen on `{listen}`: {e}"))?;
    let addr = listener
        .local_addr()
        .map_err(|e| format!("cannot read the listen address: {e}"))?;
    listener
        .set_nonblocking(true)
        .map_err(|e| format!("cannot configure the listener: {e}"))?;
    let idle = std::time::Duration::from_secs(state.scenario.idle_timeout_secs);
    let app = Arc::new(server::App::new(state));
    let served = app.clone();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("falconry-sim")
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the emulator runtime: {e}"))?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let thread = std::thread::Builder::new()
        .name("falconry-sim".into())
        .spawn(move || {
            runtime.block_on(async move {
                let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
                    return;
                };
                tokio::select! {
                    _ = connection::serve(listener, served, idle) => {}
                    _ = stopped => {}
                }
            });
            // Open keep-alive connections must not hold the caller's drop hostage.
            runtime.shutdown_timeout(std::time::Duration::from_millis(200));
        })
        .map_err(|e| format!("cannot start the emulator thread: {e}"))?;
    Ok(SimHandle {
        addr,
        client_id: config.client_id.clone(),
        client_secret: config.client_secret.clone(),
        app,
        stop: Some(stop),
        thread: Some(thread),
    })
}

/// `falconry sim`: serves until Ctrl-C, announcing where and with which client id.
pub fn serve_blocking(config: SimConfig) -> Result<(), String> {
    let secret_is_default = config.client_secret == DEFAULT_CLIENT_SECRET;
    let handle = start(config)?;
    let hosts = handle.state().hosts.len();
    eprintln!("falconry sim listening on {}", handle.base_url());
    eprintln!("  client id:     {}", handle.client_id);
    if secret_is_default {
        // The default pair is public by design; a configured secret is never printed.
        eprintln!("  client secret: {DEFAULT_CLIENT_SECRET}");
    } else {
        eprintln!("  client secret: (as configured)");
    }
    eprintln!("  fleet:         {hosts} hosts; Ctrl-C stops");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot wait for Ctrl-C: {e}"))?;
    runtime
        .block_on(tokio::signal::ctrl_c())
        .map_err(|e| format!("cannot wait for Ctrl-C: {e}"))?;
    drop(handle);
    Ok(())
}
