//! The Falcon HTTP client: OAuth2, clouds, retries, rate limits, uploads and downloads.
//! It sends `ops::Request`s and knows nothing of Rhai.

mod answer;
mod auth;
mod blocking;
mod client;
mod config;
mod ratelimit;
pub mod tls;

pub use blocking::BlockingClient;
pub use client::{Client, Parsed};
pub use config::{CLOUDS, ClientConfig, Secret, cloud_url, endpoint};
// The shared wire types live below both the client and the engine.
pub use crate::ops::{ApiError, Response};
// Redaction is below every layer that prints (engine, repl, watch, case): it lives in ops.
pub use crate::ops::redact;
