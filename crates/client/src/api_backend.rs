//! The HTTP client as the engine's backend. Here, at the crate root, where both are known: the engine
//! sees only the `Backend` trait, the HTTP client knows nothing of the engine.

use crate::api::BlockingClient;
use crate::engine::convert::from_json_text;
use crate::engine::unread::check_json;
use crate::engine::{Backend, ScriptAnswer};
use crate::ops::{ApiError, Request, Response};
use std::path::Path;

impl Backend for BlockingClient {
    fn send(&self, req: &Request) -> Result<Response, ApiError> {
        BlockingClient::send(self, req)
    }

    fn send_for_script(&self, req: &Request) -> Result<ScriptAnswer, ApiError> {
        let answer = self.send_as(req, |text| from_json_text(text).ok())?;
        Ok(ScriptAnswer {
            status: answer.status,
            headers: answer.headers,
            body: answer.body,
        })
    }

    fn send_unread(&self, req: &Request) -> Result<Option<serde_json::Value>, ApiError> {
        Ok(self.send_as(req, check_json)?.body)
    }

    fn download(&self, req: &Request, dest: &Path) -> Result<Response, ApiError> {
        BlockingClient::download(self, req, dest)
    }
}
