//! The embedded Falcon API emulator: a stateful local Falcon cloud with a simulated fleet.

pub mod host;
