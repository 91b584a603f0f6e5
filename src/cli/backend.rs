//! Chooses what `run` talks to: the tenant named by the environment, or the embedded emulator.

use super::error::Error;
use super::sim::{Embedded, start_embedded};
use crate::api::{BlockingClient, ClientConfig, Secret};
use crate::engine::{Backend, Cancel};
use std::sync::{Arc, OnceLock};

pub struct Selected {
    pub backend: Arc<dyn Backend>,
    /// Keeps the embedded emulator running for as long as the run needs it.
    pub emulator: Option<Embedded>,
}

/// The profile `--profile` or `FALCON_PROFILE` named, set once while the arguments are validated.
static PROFILE: OnceLock<Option<String>> = OnceLock::new();

pub fn choose_profile(name: Option<String>) {
    let _ = PROFILE.set(name.filter(|n| !n.trim().is_empty()));
}

/// The tenant the profile gave, once selected: how the REPL describes it, and its secret, which the
/// REPL's history must never hold.
static PROFILE_TENANT: OnceLock<(String, Secret)> = OnceLock::new();

pub fn profile_tenant() -> Option<&'static (String, Secret)> {
    PROFILE_TENANT.get()
}

/// A profile (`--profile`, `FALCON_PROFILE`) or credentials in the environment mean a real tenant;
/// none means the embedded emulator. Which source was used is said on stderr whenever there was a
/// choice (a profile, the emulator, or the environment while profiles exist).
pub fn select(cancel: &Cancel) -> Result<Selected, Error> {
    if let Some(Some(name)) = PROFILE.get() {
        let (cfg, source) = super::profile::load(name)?;
        let ignored = if std::env::var_os("FALCON_CLIENT_ID").is_some() {
            "; `FALCON_CLIENT_ID` in the environment is not used"
        } else {
            ""
        };
        eprintln!(
            "falconry: credentials from {source}, API {}{ignored}",
            cfg.base_url
        );
        let described = format!("{} as client `{}` ({source})", cfg.base_url, cfg.client_id);
        let _ = PROFILE_TENANT.set((described, cfg.client_secret.clone()));
        return Ok(Selected {
            backend: client(cfg, cancel)?,
            emulator: None,
        });
    }
    match ClientConfig::from_env().map_err(Error::Backend)? {
        Some(cfg) => {
            // With profiles configured the source is a choice, so it is said; with none, the
            // environment is the only source and stderr stays as it always was.
            if super::profile::any_configured() {
                eprintln!(
                    "falconry: credentials from the environment (`FALCON_CLIENT_ID`), not a profile; API {}",
                    cfg.base_url
                );
            }
            Ok(Selected {
                backend: client(cfg, cancel)?,
                emulator: None,
            })
        }
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
