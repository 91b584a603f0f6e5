//! The emulator seam: `falconry sim` and the embedded emulator `run` falls back to without credentials.

use super::config::SimConfig;
use super::error::Error;

/// A running embedded emulator; stopped when dropped.
pub struct Embedded {
    pub base_url: String,
}

/// `falconry sim`: serves the emulator until stopped.
pub fn serve(cfg: &SimConfig) -> Result<(), Error> {
    let _ = (cfg.listen, &cfg.scenario, cfg.seed);
    Err(Error::Backend(
        "the emulator is not part of this build yet".into(),
    ))
}

/// Starts the emulator in-process on an ephemeral loopback port.
pub fn start_embedded() -> Result<Embedded, Error> {
    Err(Error::Backend(
        "no credentials set (`FALCON_CLIENT_ID`, `FALCON_CLIENT_SECRET`) and the embedded emulator is not part of this build yet"
            .into(),
    ))
}
