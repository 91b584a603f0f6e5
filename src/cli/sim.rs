//! The emulator seam: `falconry sim` (serve, `reset`, `status`, `host`) and the embedded emulator
//! every command falls back to without credentials, whose tenant lives in a state file in the
//! working directory (beside the `falconry-out` output folder) from one command to the next.

use super::arguments::{SimAction, SimArgs};
use super::error::Error;
use crate::sim;
use falconry_client::terminal;
use std::path::PathBuf;

/// A running embedded emulator; stopped when dropped (which also unlocks its state file).
pub struct Embedded {
    pub base_url: String,
    pub client_id: String,
    pub client_secret: String,
    /// The state file, and how many changes it held when the command started.
    pub state_file: PathBuf,
    pub changes: usize,
    _handle: sim::SimHandle,
}

/// `falconry sim`: serves the emulator until stopped, or manages the embedded emulator's state.
pub struct SimConfig {
    pub action: Option<SimAction>,
    pub listen: std::net::SocketAddr,
    pub scenario: Option<PathBuf>,
    pub seed: Option<u64>,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
}

impl SimConfig {
    pub(super) fn new(a: SimArgs) -> Result<SimConfig, Error> {
        let listen = a.listen.parse().map_err(|_| {
            Error::Usage(format!(
                "`--listen {}` is not an address like `127.0.0.1:8787`",
                a.listen
            ))
        })?;
        Ok(SimConfig {
            action: a.action,
            listen,
            scenario: a.scenario,
            seed: a.seed,
            client_id: a.client_id,
            client_secret: a.client_secret,
        })
    }
}

pub fn serve(cfg: &SimConfig) -> Result<(), Error> {
    match &cfg.action {
        Some(SimAction::Reset) => return reset(),
        Some(SimAction::Status) => return status(),
        Some(SimAction::Host {
            name,
            online,
            offline: _,
        }) => return host(name, *online),
        None => {}
    }
    let defaults = sim::SimConfig::default();
    sim::serve_blocking(sim::SimConfig {
        listen: Some(cfg.listen),
        scenario: cfg.scenario.clone(),
        seed: cfg.seed.unwrap_or(defaults.seed),
        client_id: cfg.client_id.clone().unwrap_or(defaults.client_id),
        client_secret: cfg.client_secret.clone().unwrap_or(defaults.client_secret),
    })
    .map_err(Error::Backend)
}

/// The embedded emulator's state file: one per working directory.
pub fn state_file() -> PathBuf {
    PathBuf::from(sim::journal::STATE_FILE)
}

/// Starts the emulator in-process on an ephemeral loopback port, with its default scenario and the
/// tenant the state file in this folder keeps.
pub fn start_embedded() -> Result<Embedded, Error> {
    let path = state_file();
    let (handle, failed) =
        sim::start_persistent(&sim::SimConfig::default(), &path).map_err(Error::Backend)?;
    if failed > 0 {
        eprintln!(
            "falconry: {failed} change(s) in `{}` could not be replayed (`falconry sim reset` starts over)",
            path.display()
        );
    }
    let changes = handle.state().journal().map_or(0, |j| j.events().len());
    Ok(Embedded {
        base_url: handle.base_url(),
        client_id: handle.client_id.clone(),
        client_secret: handle.client_secret.clone(),
        state_file: path,
        changes,
        _handle: handle,
    })
}

fn reset() -> Result<(), Error> {
    let path = state_file();
    if sim::journal::reset(&path).map_err(Error::Backend)? {
        eprintln!(
            "falconry sim: forgot the embedded emulator's state (`{}`); the next command starts a fresh tenant",
            path.display()
        );
    } else {
        eprintln!(
            "falconry sim: no embedded emulator state here (`{}`); nothing to forget",
            path.display()
        );
    }
    Ok(())
}

fn status() -> Result<(), Error> {
    let path = state_file();
    if !path.exists() {
        println!(
            "No embedded emulator state in this folder (`{}`): the next command without credentials starts a fresh tenant and keeps it there.",
            path.display()
        );
        return Ok(());
    }
    let (state, failed) =
        sim::open_persistent(&sim::SimConfig::default(), &path).map_err(Error::Backend)?;
    let full = std::fs::canonicalize(&path).unwrap_or(path);
    let Some(journal) = state.journal() else {
        return Err(Error::Backend("the emulator state did not open".into()));
    };
    println!("Embedded emulator state: {}", full.display());
    println!(
        "Tenant created {}; {} change(s) since (`falconry sim reset` starts over):",
        falconry_model::time::stamp_seconds(journal.created()),
        journal.events().len()
    );
    for event in journal.events() {
        println!(
            "  {}  {}",
            falconry_model::time::stamp_seconds(event.at()),
            terminal::line(&event.describe(&state))
        );
    }
    if failed > 0 {
        println!("{failed} change(s) could not be replayed.");
    }
    let offline: Vec<_> = state
        .device_ids()
        .into_iter()
        .filter_map(|id| {
            state
                .host(&id)
                .filter(|h| !h.online)
                .map(|h| (id.clone(), h))
        })
        .map(|(id, h)| {
            let back = state.back_online_at(&id).map_or_else(
                || "stays offline until brought back".to_string(),
                |t| format!("back online at {}", falconry_model::time::stamp_seconds(t)),
            );
            format!(
                "  {} ({back}; or `falconry sim host {} --online`)",
                terminal::line(&h.hostname),
                terminal::line(&h.hostname)
            )
        })
        .collect();
    if !offline.is_empty() {
        println!("Offline hosts:");
        for line in offline {
            println!("{line}");
        }
    }
    Ok(())
}

fn host(name: &str, online: bool) -> Result<(), Error> {
    let path = state_file();
    let (mut state, _) =
        sim::open_persistent(&sim::SimConfig::default(), &path).map_err(Error::Backend)?;
    let id = state
        .device_id_of(name)
        .or_else(|| state.host(name).map(|h| h.device_id.clone()))
        .ok_or_else(|| {
            let mut names: Vec<String> = state
                .device_ids()
                .iter()
                .filter_map(|id| state.host(id).map(|h| h.hostname.clone()))
                .collect();
            names.sort();
            Error::Usage(format!(
                "no host `{}` in the embedded emulator; hosts: {}",
                terminal::short(name, 80),
                terminal::line(&names.join(", "))
            ))
        })?;
    state.set_online(&id, online);
    eprintln!(
        "falconry sim: `{}` is {} (kept in `{}`)",
        terminal::line(name),
        if online {
            "online; its queued commands ran"
        } else {
            "offline"
        },
        path.display()
    );
    Ok(())
}
