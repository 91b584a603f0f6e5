//! TLS for every HTTP client of the process: rustls with the ring crypto provider.
//!
//! reqwest is built without a provider of its own (its default, aws-lc-rs, compiles a large C
//! library and was the longest step of a fresh build), so the provider is installed here, once,
//! before any client is built; a client built without it would panic in reqwest.

use std::sync::Once;

/// Installs ring as the process's rustls provider (idempotent; a provider someone else installed
/// first is kept).
pub fn install() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}
