//! The client side of falconry: everything that talks to a Falcon cloud on a responder's behalf.
//! It knows the Falcon model (`falconry-model`) and never the emulator.
//!
//! Layers, from the bottom; each uses only layers below it:
//! - `api`: the HTTP client (auth, regions, retries, rate limits); knows the model, nothing of Rhai;
//! - `helper_catalogue`: every playbook helper declared once (names, arities, answers, help): data that the
//!   engine's did-you-mean and the helpers' registration both read;
//! - `safety`: plan mode, the destructive-action guard, the audit log and the upload sandbox; judges
//!   `ops::Request`s, knows nothing of HTTP or Rhai (plan mode answers planned reads with the model's
//!   FQL and record shapes, so they look as the API would answer);
//! - `engine`: the Rhai layer: the generic caller (consulting `safety` before and after every request),
//!   limits, cancellation, error and value rendering, and the case folder (`engine::case`: evidence,
//!   journal, resume); talks to a `Backend` trait, never to `api`;
//! - `helpers`: the playbook helpers built on the engine: the caller they all reach Falcon through,
//!   option maps, host lookups, `fs`, `help`, and the Rhai registration of every helper;
//!   `helpers::runtime` is where an engine gets them;
//! - `rtr`: Real Time Response over the helpers' caller: sessions, batches, fan-out, files, queued
//!   commands, refusals, and the parsers of command output;
//! - `policies`: response policies as code (desired state, plan, apply, export, RTR impact);
//! - `repl`, `shell`, `watch`: the interactive and file-watching ways to run, over `engine` and the
//!   helpers;
//! - `terminal`: the one rule for hostile text printed to a terminal (control characters made visible).

// The model's modules under the names the client's code has always used.
pub use falconry_model::{fql, ops, platform, policy, text, time};

pub mod api;
mod api_backend;
pub mod engine;
pub mod helper_catalogue;
pub mod helpers;
pub mod policies;
pub mod repl;
pub mod rtr;
pub mod safety;
pub mod shell;
pub mod terminal;
pub mod watch;
