//! The Falcon model: what Falcon is, with no I/O. The operation table (plain data, `OpId`), the RTR
//! command catalogue, platforms, response-policy settings and records, FQL, request building and
//! validation, the wire types every layer shares, redaction and did-you-mean. The client and the
//! emulator both build on it and on nothing of each other.

pub mod fql;
pub mod ops;
pub mod platform;
pub mod policy;
pub mod text;
pub mod time;
