//! The client for synchronous callers (script threads): owns a small tokio runtime.
//!
//! Scripts run on their own threads, never on a tokio worker, so `block_on` here is safe; many
//! script threads may block on the same runtime at once (fan-out).
//!
//! The runtime is a current-thread one: the thread that blocks drives the sockets and the HTTP
//! connection tasks itself, so a sequential playbook's call never hands work to another thread and
//! back. A multi-thread runtime woke a worker and then the caller for every answer (futex and
//! eventfd were about a third of a call's profile). When several threads block at once, one drives
//! the runtime for all and hands it on when its own call is done (tokio's `block_on` contract).

use super::{ApiError, Client, ClientConfig, Parsed, Response};
use crate::ops::Request;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

pub struct BlockingClient {
    rt: tokio::runtime::Runtime,
    client: Client,
}

impl BlockingClient {
    pub fn new(cfg: ClientConfig) -> Result<BlockingClient, ApiError> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .thread_name("falconry-http")
            .enable_all()
            .build()
            .map_err(|e| ApiError::Config(format!("cannot start the I/O runtime: {e}")))?;
        Ok(BlockingClient {
            rt,
            client: Client::new(cfg)?,
        })
    }

    pub fn with_cancel_flag(mut self, flag: Arc<AtomicBool>) -> BlockingClient {
        self.client.set_cancel_flag(flag);
        self
    }

    pub fn send(&self, req: &Request) -> Result<Response, ApiError> {
        self.rt.block_on(self.client.send(req))
    }

    /// [`Client::send_as`]: the 2xx answer's JSON read by `read`.
    pub fn send_as<T>(
        &self,
        req: &Request,
        read: impl FnOnce(&str) -> Option<T>,
    ) -> Result<Parsed<T>, ApiError> {
        self.rt.block_on(self.client.send_as(req, read))
    }

    pub fn download(&self, req: &Request, dest: &Path) -> Result<Response, ApiError> {
        self.rt.block_on(self.client.download(req, dest))
    }

    pub fn revoke(&self) {
        self.rt.block_on(self.client.revoke())
    }

    pub fn client(&self) -> &Client {
        &self.client
    }
}
