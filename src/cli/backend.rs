//! Chooses what `run` talks to: the tenant named by the environment, or the embedded emulator.

use super::error::Error;
use super::sim::{Embedded, start_embedded};
use crate::api::{BlockingClient, ClientConfig, Secret};
use crate::engine::{Backend, Cancel};
use std::sync::Arc;

pub struct Selected {
    pub backend: Arc<dyn Backend>,
    /// Keeps the embedded emulator running for as long as the run needs it.
    pub emulator: Option<Embedded>,
}

/// Credentials in the environment mean a real tenant; none means the embedded emulator, said on stderr.
pub fn select(cancel: &Cancel) -> Result<Selected, Error> {
    match ClientConfig::from_env().map_err(Error::Backend)? {
        Some(cfg) => Ok(Selected {
            backend: client(cfg, cancel)?,
            emulator: None,
        }),
        None => {
            let emulator = start_embedded()?;
            eprintln!(
                "falconry: no credentials set (`FALCON_CLIENT_ID`), using the embedded emulator at {} with state from `{}` ({} change(s) so far; `falconry sim status` lists them, `falconry sim reset` starts over)",
                emulator.base_url,
                emulator.state_file.display(),
                emulator.changes
            );
            let cfg = ClientConfig::new(
                emulator.base_url.clone(),
                emulator.client_id.clone(),
                Secret::new(emulator.client_secret.clone()),
            );
            Ok(Selected {
                backend: client(cfg, cancel)?,
                emulator: Some(emulator),
            })
        }
    }
}

fn client(cfg: ClientConfig, cancel: &Cancel) -> Result<Arc<dyn Backend>, Error> {
    let c = BlockingClient::new(cfg)
        .map_err(|e| Error::Backend(e.to_string()))?
        .with_cancel_flag(cancel.flag());
    Ok(Arc::new(c))
}
