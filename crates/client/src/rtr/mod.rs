//! Real Time Response: sessions and batch sessions, running one command and waiting for it, fan-out
//! over many hosts, files brought back, commands queued for offline hosts, the refusal that names a
//! response policy, and the parsers that turn a command's text into records.
//!
//! Everything here reaches Falcon through the helpers' caller ([`crate::helpers`]), and so through the
//! engine's generic caller by operation name: whatever guards that caller (plan mode, the
//! destructive-action guard, the audit log) sees every request sent from here.

pub(crate) mod batch;
pub(crate) mod command;
pub(crate) mod each;
pub(crate) mod file;
pub(crate) mod keepalive;
pub(crate) mod kill;
pub(crate) mod ledger;
pub mod parse;
pub(crate) mod poll;
pub(crate) mod preflight;
pub(crate) mod queued;
pub(crate) mod refusal;
pub(crate) mod session;
mod timing;

pub(crate) use command::is_absolute;
pub use poll::Backoff;
