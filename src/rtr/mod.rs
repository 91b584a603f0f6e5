//! Playbook helpers over RTR: sessions, run-and-wait, fan-out, parsed output, pre-flight.
//!
//! Everything here reaches Falcon through the engine's generic caller ([`crate::engine::call`]) by
//! operation name, so whatever guards that caller (plan mode, the destructive-action guard, the audit
//! log) sees every request the helpers send.

mod api;
mod batch;
mod command;
mod each;
mod file;
mod fs;
mod hosts;
mod keepalive;
mod methods;
mod options;
pub mod parse;
mod policy;
mod poll;
mod preflight;
mod progress;
mod refusal;
mod register;
mod session;
mod timing;

pub use poll::Backoff;
pub use register::{FUNCTIONS, METHODS, register};
