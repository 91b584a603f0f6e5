//! What the CLI can fail with; rendered once by `render`.

use crate::engine::{ErrorKind, ScriptError, render_script_error};

/// The one rendering of a CLI error; script errors use the engine's renderer.
pub fn render(err: &Error) -> String {
    let text = match err {
        Error::Usage(m) | Error::Backend(m) | Error::Io(m) => format!("error: {m}\n"),
        Error::Script(e) => render_script_error(e),
        Error::Changes => String::new(),
        Error::Policy(crate::policies::Error::Input { message, location }) => {
            let mut e = ScriptError::new(ErrorKind::Argument, message.clone());
            e.location = location.clone();
            render_script_error(&e)
        }
        Error::Policy(e) => format!("error: {e}\n"),
        Error::NotRun(n) => format!("error: {n} problems found; the playbook was not run\n"),
        Error::Refused(n) => format!(
            "error: {n} destructive step{} refused (run with `--allow-destructive` to allow)\n",
            if *n == 1 { " was" } else { "s were" }
        ),
        Error::Then(e, after) => format!("{}{after}\n", render(e)),
        Error::Findings(n) => format!(
            "error: {n} problem{} found\n",
            if *n == 1 { "" } else { "s" }
        ),
    };
    // Messages quote server answers and host names: made visible, as everything printed is.
    crate::terminal::text(&crate::ops::redact::clean(&text)).into_owned()
}

#[derive(Debug)]
pub enum Error {
    /// Bad command-line input.
    Usage(String),
    /// The backend could not be set up (credentials, emulator).
    Backend(String),
    /// A playbook failed.
    Script(ScriptError),
    /// `check` found problems (already printed).
    Findings(usize),
    /// `run` found problems before running (already printed); nothing ran.
    NotRun(usize),
    /// Writing output failed.
    Io(String),
    /// A `policy` command failed.
    Policy(crate::policies::Error),
    /// `policy plan` found changes (already printed): not a failure, exit code 2.
    Changes,
    /// The playbook ran, but the guard refused destructive steps (the summary is already printed).
    Refused(usize),
    /// An error, then a line said after it: the case's manifest hash, the last thing `run` says.
    Then(Box<Error>, String),
}

/// The exit code of a run in which a destructive step was refused.
pub const EXIT_REFUSED: i32 = 3;

impl Error {
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Usage(_) | Error::Changes => 2,
            Error::Refused(_) => EXIT_REFUSED,
            Error::Then(e, _) => e.exit_code(),
            Error::Policy(e) if e.is_refusal() => EXIT_REFUSED,
            // As shells report a process ended by SIGINT.
            Error::Script(e) if e.kind == ErrorKind::Interrupted => 130,
            _ => 1,
        }
    }
}

impl From<ScriptError> for Error {
    fn from(e: ScriptError) -> Error {
        Error::Script(e)
    }
}
