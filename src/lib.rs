//! falconry: script CrowdStrike Falcon with Rhai playbooks.
//!
//! Layers, from the bottom; each uses only layers below it (no module imports one above it, or a sibling
//! that imports it back; the one exception is test code: the round-trip tests of `sim` and `rtr::parse`
//! print with one and read with the other):
//! - `ops`: the operation table (plain data, `OpId`), the RTR command catalogue (`Cmd`), request
//!   building/validation, the wire types every layer above shares (`Response`, `ApiError`), redaction of
//!   secrets from anything printed, and did-you-mean;
//! - `sim`: the embedded Falcon API emulator; knows only `ops`;
//! - `api`: the HTTP client (auth, regions, retries, rate limits); knows `ops`, nothing of Rhai;
//! - `safety`: plan mode, the destructive-action guard, the audit log and the upload sandbox; judges
//!   `ops::Request`s, knows nothing of HTTP or Rhai (plan mode answers planned reads with `sim`'s FQL
//!   and record shapes, so they look as the API would answer);
//! - `engine`: the Rhai layer: the generic caller (consulting `safety` before and after every request),
//!   limits, cancellation, error and value rendering, and the case folder (`engine::case`: evidence,
//!   journal, resume); talks to a `Backend` trait, never to `api`;
//! - `rtr`: playbook helpers built on the engine (sessions, fan-out, parsed output, response policies
//!   as code); `rtr::runtime` is where an engine gets them;
//! - `repl`, `watch`: the interactive and file-watching ways to run, over `engine` and `rtr`;
//! - `cli`: argument parsing and the commands; the one place that joins `api` to the engine's `Backend`.

pub mod api;
pub mod cli;
pub mod engine;
pub mod ops;
pub mod repl;
pub mod rtr;
pub mod safety;
pub mod sim;
pub mod watch;
