//! falconry: script CrowdStrike Falcon with Rhai playbooks.
//!
//! Layers, from the bottom; each uses only layers below it (no module imports one above it, or a sibling
//! that imports it back):
//! - `ops`: the operation table (plain data, `OpId`), request building/validation, and the wire types
//!   every layer above shares (`Response`, `ApiError`);
//! - `api`: the HTTP client (auth, regions, retries, rate limits); knows `ops`, nothing of Rhai;
//! - `safety`: plan mode, the destructive-action guard, the audit log and the upload sandbox; judges
//!   `ops::Request`s, knows nothing of HTTP or Rhai;
//! - `engine`: the Rhai layer: the generic caller (consulting `safety` before and after every request),
//!   limits, cancellation, error and value rendering; talks to a `Backend` trait, never to `api`;
//! - `sim`: the embedded Falcon API emulator; knows only `ops` (its tests borrow `rtr`'s parsers);
//! - `rtr`: playbook helpers built on the engine (sessions, fan-out, parsed output, response policies
//!   as code); `rtr::runtime` is where an engine gets them;
//! - `repl`, `watch`: the interactive and file-watching ways to run, over `engine` and `rtr`;
//! - `cli`: argument parsing and the commands; the one place that joins `api` to the engine's `Backend`.

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
