//! falconry: script CrowdStrike Falcon with Rhai playbooks.
//!
//! The workspace's crates are its layers, and the compiler keeps them apart:
//! - `falconry-model` (`crates/model`): what Falcon is: the operation table, the RTR command
//!   catalogue, platforms, policy settings and records, FQL, requests, redaction; no I/O;
//! - `falconry-sim` (`crates/sim`): the embedded Falcon API emulator; knows only the model;
//! - `falconry-client` (`crates/client`): the HTTP client, the Rhai engine, the playbook helpers,
//!   safety, the case folder, the REPL and watch mode; knows the model, never the emulator;
//! - this package: the `falconry` command line (`cli`), the one place that joins the client to the
//!   emulator (an embedded emulator when no credentials are configured).
//!
//! The re-exports keep one path per module for tests and tools: `falconry::sim`, `falconry::ops`...

pub use falconry_client::{
    api, engine, helpers, policies, repl, rtr, safety, shell, terminal, watch,
};
pub use falconry_model::{fql, ops, platform, policy, time};
pub use falconry_sim as sim;

pub mod cli;
