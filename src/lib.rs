//! falconry: script CrowdStrike Falcon with Rhai playbooks.
//!
//! Layers, each knowing only the one below it:
//! - `ops`: the operation table (plain data) and request building/validation;
//! - `api`: the HTTP client (auth, regions, retries, rate limits), knows nothing of Rhai;
//! - `engine`: the Rhai layer, knows nothing of HTTP (it talks to a `Backend`);
//! - `safety`: plan mode, the destructive-action guard, the audit log and the upload sandbox, consulted by
//!   the engine's generic caller before and after every request;
//! - `rtr`: playbook helpers built on the engine (sessions, fan-out, parsed output);
//! - `sim`: the embedded Falcon API emulator, knows nothing of the client;
//! - `repl`, `watch`: the interactive and file-watching ways to run, over the engine;
//! - `cli`: argument parsing and the commands.

pub mod api;
pub mod case;
pub mod cli;
pub mod engine;
pub mod ops;
pub mod repl;
pub mod rtr;
pub mod safety;
pub mod sim;
pub mod watch;
