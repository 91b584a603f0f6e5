//! Place: the bottom of the engine's error layer; plain data that imports nothing above `limits`.
//! What can go wrong running a playbook, as plain data: the CLI renders it once, the REPL shows it and goes on.
//! Reading Rhai's errors into it is `rhai_errors.rs`; printing it is `render_error.rs`.

use super::limits::LimitKind;
use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    Syntax,
    Runtime,
    /// A bad argument to an operation, caught before anything was sent.
    Argument,
    /// The API answered with an error, or could not be reached.
    Api,
    Limit(LimitKind),
    Timeout,
    Interrupted,
    /// The playbook file could not be read.
    Io,
    /// A call to a module, operation or key that does not exist (found by `check`).
    Unknown,
}

/// A place in a script.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    /// The file (or stdlib module) as shown to the user.
    pub file: String,
    pub line: usize,
    pub column: usize,
    /// The text of that line, when known.
    pub text: Option<String>,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// An API failure, as every report shows it: operation, status, Falcon's messages, trace id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiFailure {
    pub operation: String,
    /// `None` when no answer came (connection failure, lost answer).
    pub status: Option<u16>,
    pub messages: Vec<String>,
    pub trace_id: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScriptError {
    pub kind: ErrorKind,
    pub message: String,
    pub location: Option<Location>,
    pub api: Option<ApiFailure>,
    /// Calls the error passed through, innermost first: (function, where it was called).
    pub trace: Vec<(String, Location)>,
}

impl fmt::Display for ScriptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(loc) = &self.location {
            write!(f, " at {loc}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ScriptError {}

impl ScriptError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> ScriptError {
        ScriptError {
            kind,
            message: message.into(),
            location: None,
            api: None,
            trace: Vec::new(),
        }
    }
}
