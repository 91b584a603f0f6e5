//! The one seam between the engine and the world: something that sends validated requests.
//!
//! The engine never speaks HTTP. The real client, the emulator and plan mode all sit behind this trait.

use super::convert::from_json_owned;
use crate::ops::{ApiError, Request, Response};
use rhai::Dynamic;
use std::path::Path;

/// A successful answer whose body is already the playbook's value ([`Backend::send_for_script`]).
pub struct ScriptAnswer {
    pub status: u16,
    /// Header names lower-cased, in arrival order.
    pub headers: Vec<(String, String)>,
    pub body: Dynamic,
}

impl From<Response> for ScriptAnswer {
    fn from(r: Response) -> ScriptAnswer {
        ScriptAnswer {
            status: r.status,
            headers: r.headers,
            body: from_json_owned(r.body),
        }
    }
}

pub trait Backend: Send + Sync {
    /// Sends a request and returns its JSON answer; a non-2xx answer is `ApiError::Status`.
    fn send(&self, req: &Request) -> Result<Response, ApiError>;

    /// [`Backend::send`] for an answer only the playbook reads: the same value and the same errors,
    /// but a backend may read the JSON straight into Rhai values, with no `serde_json::Value` in
    /// between (issue 28: building and converting it was a fifth of a call).
    fn send_for_script(&self, req: &Request) -> Result<ScriptAnswer, ApiError> {
        self.send(req).map(ScriptAnswer::from)
    }

    /// [`Backend::send`] for an answer nobody reads ([`super::unread`]): the same errors, but a
    /// successful body need only be checked as JSON. The body when it may name hosts (the safety
    /// layer learns their hostnames), else `None`.
    fn send_unread(&self, req: &Request) -> Result<Option<serde_json::Value>, ApiError> {
        self.send(req).map(|r| Some(r.body))
    }

    /// Sends a request whose success answer is file bytes, streamed to `dest`.
    fn download(&self, req: &Request, dest: &Path) -> Result<Response, ApiError>;
}

/// A backend that never sends: for `check`, which compiles but must not reach any API.
pub struct Offline;

impl Backend for Offline {
    fn send(&self, req: &Request) -> Result<Response, ApiError> {
        Err(ApiError::Config(format!(
            "`{}` was not sent: no backend in this mode",
            req.op.qualified_name()
        )))
    }

    fn download(&self, req: &Request, _dest: &Path) -> Result<Response, ApiError> {
        self.send(req)
    }
}
