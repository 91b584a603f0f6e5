//! Playbook helpers over RTR: sessions, run-and-wait, fan-out, parsed output, pre-flight.

pub mod parse;
