//! The one seam between the engine and the world: something that sends validated requests.
//!
//! The engine never speaks HTTP. The real client, the emulator and plan mode all sit behind this trait.

use crate::ops::{ApiError, Request, Response};
use std::path::Path;

pub trait Backend: Send + Sync {
    /// Sends a request and returns its JSON answer; a non-2xx answer is `ApiError::Status`.
    fn send(&self, req: &Request) -> Result<Response, ApiError>;

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
