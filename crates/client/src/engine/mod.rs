//! The Rhai layer: one generic caller registered for every operation of the table, plus the engine
//! around it (limits, cancellation, imports, logging). It talks to a [`Backend`], never to HTTP.

mod backend;
mod builtins;
mod call;
mod cancel;
pub mod case;
pub mod check;
pub mod convert;
pub mod display;
mod error;
pub mod escapes;
pub mod export;
pub(crate) mod grouped;
pub mod hashing;
pub mod interrupt;
pub mod leave;
mod limits;
mod log;
pub mod memory;
pub mod parallel;
pub mod recent_hosts;
mod register;
mod render_error;
mod resolver;
mod rhai_errors;
pub mod rows;
mod runtime;
mod sources;
pub mod stdlib;
pub mod strict;
mod suggest;
mod text;
pub(crate) mod unread;

pub use backend::{Backend, Offline, ScriptAnswer};
pub use call::{
    CallError, Context, api_error_map, call, call_from_rhai, result_map, safe_component,
};
pub use cancel::{Cancel, Gathered, Reason};
pub use error::{ApiFailure, ErrorKind, Location, ScriptError};
pub use limits::{LimitKind, Limits, default_max_memory};
pub use log::Level;
pub use register::{CollectionHelpers, collections, resolve, rhai_names};
pub use render_error::render_script_error;
pub use resolver::Resolver;
pub use runtime::{Options, Runtime, on_script_thread};
pub use sources::Sources;
pub use text::register as register_text;
