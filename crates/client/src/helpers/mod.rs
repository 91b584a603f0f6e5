//! The playbook helpers: what a playbook calls beside the generated operations. The general ones
//! live here (the caller every helper reaches Falcon through, option maps, host lookups, fan-out
//! progress, the playbook-folder `fs` module, `help`), with the Rhai registration of all of them;
//! RTR's helpers are in [`crate::rtr`] and response policies as code in [`crate::policies`].
//!
//! Everything reaches Falcon through the engine's generic caller ([`crate::engine::call`]) by
//! operation name, so whatever guards that caller (plan mode, the destructive-action guard, the audit
//! log) sees every request the helpers send.

pub(crate) mod caller;
mod fs;
pub mod help;
pub(crate) mod hosts;
mod methods;
pub(crate) mod options;
pub(crate) mod progress;
mod register;

pub use crate::helper_catalogue::{FUNCTIONS, GLOBALS, Helper, METHODS, shape};
pub use hosts::normalize_filter;
pub use register::register;

use crate::engine::{Backend, Cancel, Options, Runtime};
use std::sync::Arc;

/// A playbook runtime: the engine with every operation, plus these helpers. The engine knows nothing of
/// the helpers; this is where the two meet.
pub fn runtime(backend: Arc<dyn Backend>, options: &Options, cancel: Cancel) -> Runtime {
    let mut runtime =
        Runtime::with_helpers(backend, options, cancel, &register::collection_helpers);
    let ctx = runtime.context().clone();
    register(runtime.engine_mut(), &ctx);
    runtime
}
