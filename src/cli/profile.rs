//! Profiles: named tenants (cloud or base URL, client id, MSSP member CID) kept in `profiles.toml`,
//! which never holds a secret. Each client secret lives in the OS keyring (service `falconry`, the
//! profile name as the user), or, only when the user asks with `--secret-store file`, in
//! `secrets.toml` beside it, readable by the owner alone (0600).
//!
//! The folder is `$FALCONRY_CONFIG_DIR`, else `$XDG_CONFIG_HOME/falconry`, else `~/.config/falconry`.

use super::arguments::{ProfileCommand, SecretStore};
use super::error::Error;
use crate::api::{ClientConfig, Secret, cloud_url, endpoint};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};

/// The keyring service every falconry secret is stored under.
const SERVICE: &str = "falconry";

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cloud: Option<String>,
    /// An explicit API base URL (a proxy, or the emulator); wins over `cloud`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_url: Option<String>,
    pub client_id: String,
    /// The MSSP child CID the token is asked for (`member_cid` of the token request).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member_cid: Option<String>,
    /// `keyring` or `file`.
    pub secret_store: String,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Profiles {
    #[serde(default)]
    profiles: BTreeMap<String, Profile>,
}

fn config_dir() -> Result<PathBuf, Error> {
    let var = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    var("FALCONRY_CONFIG_DIR")
        .or_else(|| var("XDG_CONFIG_HOME").map(|d| d.join("falconry")))
        .or_else(|| var("HOME").map(|h| h.join(".config/falconry")))
        .ok_or_else(|| {
            Error::Usage("no folder for profiles: set `FALCONRY_CONFIG_DIR` or `HOME`".into())
        })
}

fn read_toml<T: for<'de> Deserialize<'de> + Default>(path: &Path) -> Result<T, Error> {
    match std::fs::read_to_string(path) {
        Ok(text) => {
            toml::from_str(&text).map_err(|e| Error::Usage(format!("`{}`: {e}", path.display())))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(T::default()),
        Err(e) => Err(Error::Io(format!("cannot read `{}`: {e}", path.display()))),
    }
}

/// Writes `text` through a temporary file and a rename, created with `mode` (the secrets file: 0600
/// from its first byte, never widened).
fn write_file(path: &Path, text: &str, mode: u32) -> Result<(), Error> {
    let io = |e: std::io::Error| Error::Io(format!("cannot write `{}`: {e}", path.display()));
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(io)?;
    let tmp = path.with_extension("tmp");
    let _ = std::fs::remove_file(&tmp);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, mode);
    #[cfg(not(unix))]
    let _ = mode;
    let mut file = options.open(&tmp).map_err(io)?;
    file.write_all(text.as_bytes()).map_err(io)?;
    file.sync_all().map_err(io)?;
    std::fs::rename(&tmp, path).map_err(io)
}

fn load_profiles(dir: &Path) -> Result<Profiles, Error> {
    read_toml(&dir.join("profiles.toml"))
}

fn save_profiles(dir: &Path, profiles: &Profiles) -> Result<(), Error> {
    let text = toml::to_string(profiles).map_err(|e| Error::Io(e.to_string()))?;
    write_file(
        &dir.join("profiles.toml"),
        &format!("# falconry profiles: no secrets here (see `falconry profile list`)\n{text}"),
        0o644,
    )
}

fn secrets_path(dir: &Path) -> PathBuf {
    dir.join("secrets.toml")
}

fn file_secrets(dir: &Path) -> Result<BTreeMap<String, String>, Error> {
    read_toml(&secrets_path(dir))
}

fn save_file_secrets(dir: &Path, secrets: &BTreeMap<String, String>) -> Result<(), Error> {
    let text = toml::to_string(secrets).map_err(|e| Error::Io(e.to_string()))?;
    write_file(&secrets_path(dir), &text, 0o600)
}

fn keyring_entry(name: &str) -> Result<keyring::Entry, keyring::Error> {
    keyring::Entry::new(SERVICE, name)
}

/// A keyring failure in words, with the way out. Where no keyring service works (a container, a
/// session without a keyring) even storing fails, and the kernel store says so as "no entry".
fn keyring_error(name: &str, e: &keyring::Error, storing: bool) -> Error {
    if storing {
        return Error::Backend(format!(
            "profile `{name}`: the OS keyring cannot store the secret here ({e}): no keyring service \
             is available to this session; to keep the secret in a file readable only by you, add the \
             profile with `--secret-store file`"
        ));
    }
    match e {
        keyring::Error::NoEntry => Error::Backend(format!(
            "profile `{name}`: the OS keyring has no secret for it (the Linux kernel keyring keeps \
             secrets until reboot; a keyring service may be missing here): add the profile again"
        )),
        other => Error::Backend(format!("profile `{name}`: OS keyring: {other}")),
    }
}

fn check_name(name: &str) -> Result<(), Error> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
    if ok {
        Ok(())
    } else {
        Err(Error::Usage(format!(
            "profile name `{}` must be 1 to 64 letters, digits, `-`, `_` or `.`",
            falconry_client::terminal::short(name, 64)
        )))
    }
}

/// Reads the secret from standard input: one line, never echoed on a terminal. It is never an
/// argument, which shells keep in their history and `ps` shows.
fn read_secret(name: &str) -> Result<Secret, Error> {
    let stdin = std::io::stdin();
    let terminal = stdin.is_terminal();
    if terminal {
        eprint!("client secret for profile `{name}`: ");
        // No echo while it is typed (`stty` is on every Unix the keyring stores serve).
        let _ = std::process::Command::new("stty").arg("-echo").status();
    }
    let mut line = String::new();
    let read = stdin.lock().read_line(&mut line);
    if terminal {
        let _ = std::process::Command::new("stty").arg("echo").status();
        eprintln!();
    }
    read.map_err(|e| Error::Io(format!("cannot read the secret from standard input: {e}")))?;
    let secret = line.trim_end_matches(['\r', '\n']).to_string();
    if secret.trim().is_empty() {
        return Err(Error::Usage(
            "no client secret on standard input (give it as one line)".into(),
        ));
    }
    Ok(Secret::new(secret))
}

pub fn command(c: ProfileCommand) -> Result<(), Error> {
    let dir = config_dir()?;
    match c {
        ProfileCommand::Add {
            name,
            cloud,
            base_url,
            client_id,
            member_cid,
            secret_store,
        } => {
            check_name(&name)?;
            if let Some(cloud) = &cloud
                && cloud_url(cloud).is_none()
                && cloud != "auto"
            {
                let names = falconry_model::text::ticked(crate::api::CLOUDS.iter().map(|(n, _)| n));
                return Err(Error::Usage(format!(
                    "`--cloud {}` is not a Falcon cloud; use {} or `auto`",
                    falconry_client::terminal::short(cloud, 64),
                    names
                )));
            }
            let secret = read_secret(&name)?;
            let mut profiles = load_profiles(&dir)?;
            let store = match secret_store {
                SecretStore::Keyring => {
                    keyring_entry(&name)
                        .and_then(|e| e.set_password(secret.expose()))
                        .map_err(|e| keyring_error(&name, &e, true))?;
                    "keyring"
                }
                SecretStore::File => {
                    let mut secrets = file_secrets(&dir)?;
                    secrets.insert(name.clone(), secret.expose().to_string());
                    save_file_secrets(&dir, &secrets)?;
                    "file"
                }
            };
            profiles.profiles.insert(
                name.clone(),
                Profile {
                    cloud,
                    base_url,
                    client_id,
                    member_cid,
                    secret_store: store.into(),
                },
            );
            save_profiles(&dir, &profiles)?;
            let place = if store == "file" {
                format!("in `{}` (0600)", secrets_path(&dir).display())
            } else {
                "in the OS keyring".to_string()
            };
            eprintln!("falconry: profile `{name}` saved; its secret is {place}");
            Ok(())
        }
        ProfileCommand::List { json } => list(&dir, json),
        ProfileCommand::Remove { name } => {
            let mut profiles = load_profiles(&dir)?;
            let Some(p) = profiles.profiles.remove(&name) else {
                return Err(Error::Usage(format!(
                    "no profile named `{}`",
                    falconry_client::terminal::short(&name, 64)
                )));
            };
            if p.secret_store == "file" {
                let mut secrets = file_secrets(&dir)?;
                secrets.remove(&name);
                save_file_secrets(&dir, &secrets)?;
            } else if let Err(e) = keyring_entry(&name).and_then(|e| e.delete_credential()) {
                eprintln!("falconry: profile `{name}`: the keyring entry was not removed: {e}");
            }
            save_profiles(&dir, &profiles)?;
            eprintln!("falconry: profile `{name}` removed");
            Ok(())
        }
    }
}

fn list(dir: &Path, json: bool) -> Result<(), Error> {
    let profiles = load_profiles(dir)?;
    if json {
        let out: Vec<serde_json::Value> = profiles
            .profiles
            .iter()
            .map(|(name, p)| {
                serde_json::json!({
                    "name": name, "cloud": p.cloud, "base_url": p.base_url, "client_id": p.client_id,
                    "member_cid": p.member_cid, "secret_store": p.secret_store,
                })
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
        return Ok(());
    }
    if profiles.profiles.is_empty() {
        println!("no profiles (add one with `falconry profile add NAME --cloud C --client-id ID`)");
        return Ok(());
    }
    for (name, p) in &profiles.profiles {
        let line = |s: &str| falconry_client::terminal::line(s).into_owned();
        let place = p
            .base_url
            .as_deref()
            .or(p.cloud.as_deref())
            .unwrap_or("us-1");
        let member = p
            .member_cid
            .as_deref()
            .map(|c| format!("  member CID {}", line(c)))
            .unwrap_or_default();
        println!(
            "{}  {}  client id {}{member}  secret in {}",
            line(name),
            line(place),
            line(&p.client_id),
            p.secret_store
        );
    }
    Ok(())
}

/// Whether any profile is configured (an unreadable folder counts as none).
pub fn any_configured() -> bool {
    config_dir()
        .and_then(|dir| load_profiles(&dir))
        .is_ok_and(|p| !p.profiles.is_empty())
}

/// The client configuration of a profile, its secret read from where it was stored, and the words
/// the banner uses for that source.
pub fn load(name: &str) -> Result<(ClientConfig, String), Error> {
    let dir = config_dir()?;
    let profiles = load_profiles(&dir)?;
    let Some(p) = profiles.profiles.get(name) else {
        let known = &profiles.profiles;
        return Err(Error::Usage(format!(
            "no profile named `{}`{}",
            falconry_client::terminal::short(name, 64),
            if known.is_empty() {
                " (there are none: `falconry profile add`)".to_string()
            } else {
                format!("; profiles: {}", falconry_model::text::ticked(known.keys()))
            }
        )));
    };
    let (secret, source) = if p.secret_store == "file" {
        let secret = file_secrets(&dir)?.remove(name).ok_or_else(|| {
            Error::Backend(format!(
                "profile `{name}`: its secret is missing from `{}`",
                secrets_path(&dir).display()
            ))
        })?;
        (
            secret,
            format!("secrets file {}", secrets_path(&dir).display()),
        )
    } else {
        let secret = keyring_entry(name)
            .and_then(|e| e.get_password())
            .map_err(|e| keyring_error(name, &e, false))?;
        (secret, "OS keyring".to_string())
    };
    let (base_url, auto_region, origin) = endpoint(
        p.base_url.clone(),
        p.cloud.as_deref(),
        &format!("profile `{name}`'s base URL"),
        &format!("profile `{name}`"),
    )
    .map_err(|e| Error::Usage(format!("profile `{name}`: {e}")))?;
    let mut cfg = ClientConfig::new(base_url, p.client_id.clone(), Secret::new(secret));
    cfg.origin = origin;
    cfg.auto_region = auto_region;
    cfg.member_cid = p.member_cid.clone();
    // The same limits as for credentials from the environment.
    cfg.apply_env_limits().map_err(Error::Usage)?;
    let member = p
        .member_cid
        .as_deref()
        .map(|c| format!(", member CID {c}"))
        .unwrap_or_default();
    Ok((
        cfg,
        format!("profile `{name}` (secret from the {source}{member})"),
    ))
}
