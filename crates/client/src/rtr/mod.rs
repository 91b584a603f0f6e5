//! Playbook helpers over RTR: sessions, run-and-wait, fan-out, parsed output, pre-flight.
//!
//! Everything here reaches Falcon through the engine's generic caller ([`crate::engine::call`]) by
//! operation name, so whatever guards that caller (plan mode, the destructive-action guard, the audit
//! log) sees every request the helpers send.

mod batch;
mod caller;
pub use crate::catalogue;
mod command;
mod each;
mod file;
mod fs;
pub mod help;
mod hosts;
mod keepalive;
mod kill;
mod methods;
mod options;
pub mod parse;
pub mod policy;
mod poll;
mod preflight;
mod progress;
mod queued;
mod refusal;
mod register;
mod session;
pub use crate::catalogue::shape;
mod timing;

pub use catalogue::{FUNCTIONS, GLOBALS, Helper, METHODS};
pub(crate) use command::is_absolute;
pub use hosts::normalize_filter;
pub use poll::Backoff;
pub use register::register;

use crate::engine::{Backend, Cancel, Options, Runtime};
use std::sync::Arc;

/// A playbook runtime: the engine with every operation, plus these helpers. The engine knows nothing of
/// `rtr`; this is where the two meet.
pub fn runtime(backend: Arc<dyn Backend>, options: &Options, cancel: Cancel) -> Runtime {
    let mut runtime =
        Runtime::with_helpers(backend, options, cancel, &register::collection_helpers);
    let ctx = runtime.context().clone();
    register(runtime.engine_mut(), &ctx);
    runtime
}
