//! The integration tests, as one test binary: each former `tests/*.rs` file is a module here, so the
//! whole stack is linked once instead of once per file (27 links of about 200 MB each made most of
//! CI's build time). Run one group with a name filter: `cargo test --test it sim_api::`.

// The shared helpers stay beside this folder so a new top-level test file can still `mod common;`.
#[path = "../common/mod.rs"]
mod common;
#[path = "../hostile_support/mod.rs"]
mod hostile_support;
#[path = "../rtr_support/mod.rs"]
mod rtr_support;
#[path = "../safety_support/mod.rs"]
mod safety_support;
#[path = "../sim_support/mod.rs"]
mod sim_support;

mod alert_containment;
mod badinput_corpus;
mod badinput_random;
mod bench_smoke;
mod case;
mod cli_api;
mod cli_check;
mod cli_defs;
mod cli_format;
mod cli_ops;
mod cli_policy;
mod cli_profiles;
mod cli_run;
mod cli_secrets;
mod cli_seed;
mod cli_sim;
mod client_resilience;
mod contributing;
mod contributing_recipes;
mod engine_calls;
mod engine_stdlib;
mod faults_api;
mod hostile;
mod hostile_files;
mod hostile_limits;
mod hostile_policy;
mod hostile_rtr;
mod hostile_terminal;
mod layers;
mod meant;
mod no_silent_wrong_action;
mod parse_roundtrip;
mod playbooks_examples;
mod recent_hosts;
mod repl_pty;
mod repl_tables;
mod rtr_get_files;
mod rtr_helpers;
mod rtr_real_captures;
mod run_exit;
mod safety_as_sent;
mod safety_run;
mod served;
mod shell_pty;
mod sim_api;
mod sim_falconpy;
mod sim_fidelity;
mod sim_fleet;
mod sim_hostile;
mod sim_library;
mod sim_persist;
mod sim_policies;
mod sim_rtr;
mod sim_rtr_errors;
mod sim_scenario;
mod sim_schemathesis;
mod sim_strict;
mod table;
mod unread;
mod watch_runs;
