//! What the policy commands fail with: a bad desired state (with where it is), the tenant's API
//! answer, a tenant that changed since the plan, or a change the guard refused.

use crate::engine::Location;
use crate::helpers::caller;
use std::fmt;

#[derive(Debug)]
pub enum Error {
    /// The desired state is wrong; `location` is set when it came from a file.
    Input {
        message: String,
        location: Option<Location>,
    },
    /// Reading or changing the tenant failed.
    Api(caller::Error),
    /// The tenant is not what the plan was made against.
    Stale(String),
    /// Capability removals or deletions the run does not allow.
    Refused(String),
}

impl Error {
    pub fn input(message: impl Into<String>) -> Error {
        Error::Input {
            message: message.into(),
            location: None,
        }
    }
}

impl Error {
    /// The guard refused (capability removals or deletions without `--allow-destructive`).
    pub fn is_refusal(&self) -> bool {
        match self {
            Error::Refused(_) => true,
            Error::Api(e) => e.is_guard_refusal(),
            _ => false,
        }
    }
}

impl From<caller::Error> for Error {
    fn from(e: caller::Error) -> Error {
        Error::Api(e)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Input {
                message,
                location: Some(loc),
            } => write!(f, "{message} at {loc}"),
            Error::Input { message, .. } | Error::Stale(message) | Error::Refused(message) => {
                f.write_str(message)
            }
            Error::Api(e) => e.fmt(f),
        }
    }
}

pub type Result<T> = std::result::Result<T, Error>;
