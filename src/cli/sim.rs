//! The emulator seam: `falconry sim` and the embedded emulator `run` falls back to without credentials.

use super::config::SimConfig;
use super::error::Error;
use crate::sim;

/// A running embedded emulator; stopped when dropped.
pub struct Embedded {
    pub base_url: String,
    pub client_id: String,
    pub client_secret: String,
    _handle: sim::SimHandle,
}

/// `falconry sim`: serves the emulator until stopped.
pub fn serve(cfg: &SimConfig) -> Result<(), Error> {
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

/// Starts the emulator in-process on an ephemeral loopback port, with its default scenario.
pub fn start_embedded() -> Result<Embedded, Error> {
    let handle = sim::start(sim::SimConfig::default()).map_err(Error::Backend)?;
    Ok(Embedded {
        base_url: handle.base_url(),
        client_id: handle.client_id.clone(),
        client_secret: handle.client_secret.clone(),
        _handle: handle,
    })
}
