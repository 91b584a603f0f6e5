//! Command-line entry: parse once into a config, run, render the error once, map it to an exit code.

mod arguments;
mod backend;
mod case;
mod check;
mod config;
mod defs;
mod error;
mod interrupt;
mod ops_list;
mod playbook_args;
mod policy;
mod profile;
mod repl;
mod run;
mod script_options;
mod shell;
mod sim;
mod watch;

pub use error::{Error, render};
pub use playbook_args::{parse_arg, parse_arg_json};

use arguments::Arguments;
use clap::Parser;
use config::Config;

pub fn main() -> i32 {
    let arguments = match Arguments::try_parse() {
        Ok(a) => a,
        Err(e) => {
            let _ = e.print();
            // `policy` keeps 2 for "changes found" (as `terraform plan -detailed-exitcode`).
            let policy = std::env::args().nth(1).as_deref() == Some("policy");
            return match (e.use_stderr(), policy) {
                (false, _) => 0,
                (true, true) => 1,
                (true, false) => 2,
            };
        }
    };
    match Config::from_arguments(arguments).and_then(execute) {
        Ok(()) => 0,
        Err(e) => {
            eprint!("{}", render(&e));
            e.exit_code()
        }
    }
}

fn execute(config: Config) -> Result<(), Error> {
    match config {
        Config::Run(c) => run::run(c),
        Config::Ops(c) => ops_list::ops(c),
        Config::Check(c) => check::check(c),
        Config::Sim(c) => sim::serve(&c),
        Config::Repl(c) => repl::repl(c),
        Config::Shell(c) => repl::session(c.repl, Some(c.start)),
        Config::Watch(c) => watch::watch(c),
        Config::Case(c) => case::command(c),
        Config::Policy(c) => policy::policy(c),
        Config::Defs(dir) => defs::defs(&dir),
        Config::Profile(c) => profile::command(c),
    }
}
