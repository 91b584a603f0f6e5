//! The HTTP client as the engine's backend. Here, at the crate root, where both are known: the engine
//! sees only the `Backend` trait, the HTTP client knows nothing of the engine.

use crate::api::BlockingClient;
use crate::engine::Backend;
use crate::ops::{ApiError, Request, Response};
use std::path::Path;

impl Backend for BlockingClient {
    fn send(&self, req: &Request) -> Result<Response, ApiError> {
        BlockingClient::send(self, req)
    }

    fn download(&self, req: &Request, dest: &Path) -> Result<Response, ApiError> {
        BlockingClient::download(self, req, dest)
    }
}
