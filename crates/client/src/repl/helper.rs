//! The line editor's hooks: multi-line input while brackets are open, and Tab completion.

use super::balance;
use super::complete::{self, Known};
use rustyline::completion::{Completer, Pair};
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use rustyline::{Context, Helper};
use std::sync::{Arc, Mutex};

pub struct ReplHelper {
    /// Refreshed after every statement by the loop.
    pub known: Arc<Mutex<Known>>,
}

impl Completer for ReplHelper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let known = self.known.lock().map(|k| k.clone()).unwrap_or_default();
        let (start, candidates) = complete::complete(line, pos, &known);
        Ok((
            start,
            candidates
                .into_iter()
                .map(|c| Pair {
                    display: c.display,
                    replacement: c.replacement,
                })
                .collect(),
        ))
    }
}

impl Validator for ReplHelper {
    fn validate(&self, ctx: &mut ValidationContext) -> rustyline::Result<ValidationResult> {
        let input = ctx.input();
        // REPL commands are one line whatever they contain.
        if input.trim_start().starts_with(':') || !balance::scan(input).incomplete() {
            Ok(ValidationResult::Valid(None))
        } else {
            Ok(ValidationResult::Incomplete)
        }
    }
}

impl Hinter for ReplHelper {
    type Hint = String;
}

impl Highlighter for ReplHelper {}

impl Helper for ReplHelper {}
