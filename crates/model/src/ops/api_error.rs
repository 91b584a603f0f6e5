//! What can go wrong talking to Falcon. Plain data, shared by the client that makes it and the layers
//! that report it; the CLI renders it once.

use std::fmt;

#[derive(Debug, Clone)]
pub enum ApiError {
    /// The API answered with a non-2xx status.
    Status {
        operation: String,
        status: u16,
        messages: Vec<String>,
        trace_id: Option<String>,
        body: serde_json::Value,
    },
    /// The request could not be completed (connection, timeout, invalid answer).
    Transport { operation: String, message: String },
    /// The answer was lost after a state-changing request may have executed: never re-sent.
    Unknown { operation: String, message: String },
    /// Credentials or configuration are wrong (never includes the secret).
    Config(String),
    /// The run was cancelled (Ctrl-C or time limit) while waiting.
    Cancelled { operation: String },
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApiError::Status {
                operation,
                status,
                messages,
                trace_id,
                ..
            } => {
                write!(f, "`{operation}` failed with HTTP {status}")?;
                if !messages.is_empty() {
                    write!(f, ": {}", messages.join("; "))?;
                }
                if let Some(t) = trace_id {
                    write!(f, " (trace id {t})")?;
                }
                Ok(())
            }
            ApiError::Transport { operation, message } => {
                write!(f, "`{operation}` could not be sent: {message}")
            }
            ApiError::Unknown { operation, message } => write!(
                f,
                "`{operation}` may have run but its answer was lost ({message}); not re-sent, check the result before trying again"
            ),
            ApiError::Config(m) => write!(f, "{m}"),
            ApiError::Cancelled { operation } => write!(f, "`{operation}` cancelled"),
        }
    }
}

impl std::error::Error for ApiError {}

impl ApiError {
    /// The operation that failed: the token request when the credentials were refused, not the call
    /// that needed the token.
    pub fn operation(&self) -> Option<&str> {
        match self {
            ApiError::Status { operation, .. }
            | ApiError::Transport { operation, .. }
            | ApiError::Unknown { operation, .. }
            | ApiError::Cancelled { operation } => Some(operation),
            ApiError::Config(_) => None,
        }
    }
}
