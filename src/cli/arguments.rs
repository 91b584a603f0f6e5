//! The raw command line, as clap parses it. `Config` validates it once; nothing else reads these.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "falconry",
    version,
    about = "Script CrowdStrike Falcon with Rhai playbooks",
    propagate_version = true
)]
pub struct Arguments {
    /// Use the tenant of this profile (`falconry profile list`) instead of `FALCON_CLIENT_ID` /
    /// `FALCON_CLIENT_SECRET`
    #[arg(long, global = true, value_name = "NAME", env = "FALCON_PROFILE")]
    pub profile: Option<String>,
    #[command(subcommand)]
    pub command: Verb,
}

#[derive(Subcommand, Debug)]
// The sub-command of the command line, named so that "command" means an RTR command everywhere else.
pub enum Verb {
    /// Run a playbook (on the embedded emulator when no credentials are set)
    Run(RunArgs),
    /// List the operations playbooks can call, with their parameters
    Ops(OpsArgs),
    /// Compile playbooks without running them; report syntax errors and unknown operations
    Check(CheckArgs),
    /// Write Rhai definition files (every operation, helper and library function, with its help)
    /// for an editor's Rhai language server
    Defs {
        /// Where to write them
        #[arg(default_value = ".rhai/definitions")]
        dir: PathBuf,
    },
    /// Serve the Falcon API emulator, or show, reset or steer the embedded emulator's state in this folder
    Sim(SimArgs),
    /// Type statements one at a time, with completion, history and readable results
    Repl(ReplArgs),
    /// An RTR shell on many hosts: each typed line is one RTR command for all of them, answers shown per host
    Shell(ShellArgs),
    /// Run playbooks each time they are saved, or each playbook dropped into an inbox folder
    Watch(WatchArgs),
    /// Response policies as code: export them to a file, plan a file (with the RTR impact per host), apply it
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// Check or render a case folder a run or REPL session left
    #[command(subcommand)]
    Case(CaseCommand),
    /// Named tenants: cloud, client id and MSSP member CID, the secret in the OS keyring
    #[command(subcommand)]
    Profile(ProfileCommand),
}

#[derive(Subcommand, Debug)]
pub enum ProfileCommand {
    /// Add (or replace) a profile; the client secret is read from standard input, never an argument
    Add {
        /// The profile's name (letters, digits, `-`, `_`, `.`)
        name: String,
        /// The Falcon cloud: us-1, us-2, us-3, eu-1, us-gov-1, us-gov-2 or auto [default: auto]
        #[arg(long)]
        cloud: Option<String>,
        /// An explicit API base URL instead of a cloud (a proxy, or `falconry sim`)
        #[arg(long, value_name = "URL", conflicts_with = "cloud")]
        base_url: Option<String>,
        /// The API client id
        #[arg(long, value_name = "ID")]
        client_id: String,
        /// MSSP: the child CID the token is asked for
        #[arg(long, value_name = "CID")]
        member_cid: Option<String>,
        /// Where the secret goes: the OS keyring, or a file only you can read (0600), when you ask
        #[arg(long, value_enum, default_value = "keyring")]
        secret_store: SecretStore,
    },
    /// List the profiles (never their secrets)
    List {
        /// As JSON
        #[arg(long)]
        json: bool,
    },
    /// Remove a profile and its stored secret
    Remove {
        /// The profile's name
        name: String,
    },
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum SecretStore {
    Keyring,
    File,
}

#[derive(Subcommand, Debug)]
pub enum CaseCommand {
    /// Report every file changed, added or missing since the case's manifest was written
    Verify {
        /// The case folder
        dir: PathBuf,
    },
    /// Write the case as one self-contained HTML page
    Report {
        /// The case folder
        dir: PathBuf,
        /// The HTML file to write [default: DIR.html, next to the folder]
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
}

/// Where a run or REPL session keeps its case.
#[derive(Args, Debug, Default)]
pub struct CaseArgs {
    /// The case folder: playbook, transcript, every command and its output, audit entries, collected
    /// files, summary and manifest [default: OUT/cases/TIME-PLAYBOOK]
    #[arg(long, value_name = "DIR", conflicts_with = "no_case")]
    pub case: Option<PathBuf>,
    /// Keep no case folder (and no journal to resume from)
    #[arg(long)]
    pub no_case: bool,
}

#[derive(Args, Debug)]
pub struct RunArgs {
    /// The playbook file (.rhai); with `--resume`, the case's playbook when left out
    #[arg(required_unless_present = "resume")]
    pub playbook: Option<PathBuf>,
    /// Go on with the run whose case is DIR: same playbook and arguments; steps and hosts it finished
    /// answer from its journal instead of being sent again
    #[arg(long, value_name = "DIR", conflicts_with_all = ["case", "no_case", "plan"])]
    pub resume: Option<PathBuf>,
    #[command(flatten)]
    pub case: CaseArgs,
    /// Print the playbook's final value as JSON on stdout; everything else goes to stderr
    #[arg(long)]
    pub json: bool,
    /// Print the playbook's final value as `table`, `csv`, `json` or `jsonl` on stdout (an array of
    /// maps is rows; a map of maps is rows keyed by its keys); everything else goes to stderr
    #[arg(long, value_name = "FORMAT", value_parser = ["table", "csv", "json", "jsonl"], conflicts_with = "json")]
    pub format: Option<String>,
    /// Write the `--format` output to FILE instead of stdout
    #[arg(long, value_name = "FILE", requires = "format")]
    pub output: Option<PathBuf>,
    /// CSV: write text cells starting with `=`, `+`, `-` or `@` as they are; by default they get a
    /// leading `'` so a spreadsheet shows them instead of running them as formulas
    #[arg(long, requires = "format")]
    pub csv_raw: bool,
    #[command(flatten)]
    pub script: ScriptArgs,
}

/// What every way of running playbooks (`run`, `repl`, `watch`) takes.
#[derive(Args, Debug)]
pub struct ScriptArgs {
    /// A string in the playbook's `args` map (in `watch`, every run's), kept exactly as typed
    #[arg(long = "arg", value_name = "KEY=VALUE")]
    pub args: Vec<String>,
    /// A typed value in the playbook's `args` map, written as JSON (`3`, `true`, `["a","b"]`)
    #[arg(long = "arg-json", value_name = "KEY=JSON")]
    pub arg_json: Vec<String>,
    /// A folder of playbook modules, searched before the built-in library
    #[arg(long, value_name = "DIR")]
    pub lib: Option<PathBuf>,
    /// Where downloaded files are written
    #[arg(long, value_name = "DIR", default_value = "falconry-out")]
    pub out: PathBuf,
    /// Show `log::debug` messages
    #[arg(short, long)]
    pub verbose: bool,
    /// `print` writes host output byte for byte even on a terminal (escape sequences and all);
    /// without it a terminal sees them as visible text (`\u{1b}`), and a pipe always gets the bytes
    #[arg(long)]
    pub raw: bool,
    #[command(flatten)]
    pub limits: LimitArgs,
    #[command(flatten)]
    pub safety: SafetyArgs,
}

/// Plan mode, the destructive-action guard and the audit log.
#[derive(Args, Debug, Default)]
pub struct SafetyArgs {
    /// Send reads only: record each change instead, answer it with a made-up result, print the plan
    #[arg(long)]
    pub plan: bool,
    /// Allow deletes and destructive RTR commands (`rm`, `kill`, `runscript`, ...)
    #[arg(long)]
    pub allow_destructive: bool,
    /// Append every state-changing request to this JSON Lines file [default against a real tenant:
    /// $XDG_DATA_HOME/falconry/audit.jsonl]
    #[arg(long, value_name = "FILE")]
    pub audit: Option<PathBuf>,
}

/// Engine limits; each has a default that suits real playbooks.
#[derive(Args, Debug, Default)]
pub struct LimitArgs {
    /// Wall-clock limit for the whole run (e.g. 90s, 10m, 2h) [default: 1h]
    #[arg(long, value_name = "DURATION")]
    pub timeout: Option<String>,
    /// Most evaluation steps a run may take [default: 100000000]
    #[arg(long, value_name = "N")]
    pub max_operations: Option<u64>,
    /// Deepest nesting of function calls [default: 64]
    #[arg(long, value_name = "N")]
    pub max_call_depth: Option<usize>,
    /// Deepest nesting of expressions [default: 64]
    #[arg(long, value_name = "N")]
    pub max_expr_depth: Option<usize>,
    /// Most memory the process may hold (e.g. 512MiB, 4GiB), checked at every step [default: a quarter of physical memory, or 4GiB]
    #[arg(long, value_name = "SIZE")]
    pub max_memory: Option<String>,
    /// Longest string, in bytes; when set, large values are measured after every call that touches them (slow with fan-out results) [default: none]
    #[arg(long, value_name = "BYTES")]
    pub max_string_size: Option<usize>,
    /// Most items in arrays, counted through nested values; measured as for `--max-string-size` [default: none]
    #[arg(long, value_name = "N")]
    pub max_array_size: Option<usize>,
    /// Most entries in maps, counted through nested values; measured as for `--max-string-size` [default: none]
    #[arg(long, value_name = "N")]
    pub max_map_size: Option<usize>,
}

#[derive(Args, Debug)]
pub struct OpsArgs {
    /// Only this collection (`hosts`, `real_time_response_admin`, ...)
    pub collection: Option<String>,
    /// Print the operations as JSON
    #[arg(long)]
    pub json: bool,
    /// List the playbook helpers (`rtr::session`, ...), `Session`/`Batch` methods and the built-in library
    #[arg(long)]
    pub helpers: bool,
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    /// Playbook files
    #[arg(required = true)]
    pub playbooks: Vec<PathBuf>,
    /// A folder of playbook modules, searched before the built-in library
    #[arg(long, value_name = "DIR")]
    pub lib: Option<PathBuf>,
}

#[derive(Args, Debug)]
#[command(args_conflicts_with_subcommands = true)]
pub struct SimArgs {
    #[command(subcommand)]
    pub action: Option<SimAction>,
    /// Address to listen on
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8787")]
    pub listen: String,
    /// A scenario file describing the tenant and fleet
    #[arg(long, value_name = "FILE")]
    pub scenario: Option<PathBuf>,
    /// Seed for generated ids and data
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// The client id the emulator accepts [default: `falconry-sim`]
    #[arg(long, value_name = "ID", env = "FALCONRY_SIM_CLIENT_ID")]
    pub client_id: Option<String>,
    /// The client secret the emulator accepts [default: `falconry-sim-secret`]; never printed
    #[arg(
        long,
        value_name = "SECRET",
        env = "FALCONRY_SIM_CLIENT_SECRET",
        hide_env_values = true
    )]
    pub client_secret: Option<String>,
}

/// The embedded emulator's state in this folder (`falconry-sim-state.jsonl`, kept by every command
/// that runs without credentials).
#[derive(Subcommand, Debug)]
pub enum SimAction {
    /// Forget the embedded emulator's state in this folder: the next command starts a fresh tenant
    Reset,
    /// Say where the embedded emulator's state is kept, what changed, and which hosts are offline
    Status,
    /// Bring a host of the embedded emulator online (its queued commands run) or take it offline
    Host {
        /// The host's name (or device id)
        name: String,
        #[arg(long, conflicts_with = "offline", required_unless_present = "offline")]
        online: bool,
        #[arg(long)]
        offline: bool,
    },
}

#[derive(Args, Debug)]
pub struct ReplArgs {
    /// History file [default: `$XDG_DATA_HOME/falconry/history`]
    #[arg(long, value_name = "FILE")]
    pub history: Option<PathBuf>,
    #[command(flatten)]
    pub case: CaseArgs,
    #[command(flatten)]
    pub script: ScriptArgs,
}

#[derive(Args, Debug)]
pub struct ShellArgs {
    /// A target host by hostname (repeatable)
    #[arg(long = "host", value_name = "NAME")]
    pub hosts: Vec<String>,
    /// Target the hosts an FQL filter matches (repeatable), e.g. `platform_name:'Windows'`
    #[arg(long = "filter", value_name = "FQL")]
    pub filters: Vec<String>,
    /// Target the hosts of a host group, by name (repeatable)
    #[arg(long = "group", value_name = "NAME")]
    pub groups: Vec<String>,
    /// Queue commands for offline hosts; they run when the host returns (`:queued` collects them)
    #[arg(long)]
    pub queue_offline: bool,
    #[command(flatten)]
    pub repl: ReplArgs,
}

#[derive(Args, Debug)]
pub struct WatchArgs {
    /// A playbook file or a folder of playbooks (with `--inbox`: the inbox folder)
    pub path: PathBuf,
    /// Run each playbook dropped into PATH once, then move it to `done/` or `failed/` with a result file
    #[arg(long)]
    pub inbox: bool,
    /// Keep no case folder (by default each run writes one under OUT/cases/, as `run` does)
    #[arg(long)]
    pub no_case: bool,
    #[command(flatten)]
    pub script: ScriptArgs,
}

/// `falconry policy ...`: exit code 0 when nothing would change (or the apply succeeded), 2 when
/// `plan` finds changes, 1 on any error.
#[derive(Subcommand, Debug)]
pub enum PolicyCommand {
    /// Write the tenant's response policies as a policy file, on stdout
    Export {
        /// Only this platform (Windows, Mac, Linux)
        #[arg(long, value_name = "PLATFORM")]
        platform: Option<String>,
    },
    /// Compare a policy file with the tenant: the changes in order and the RTR impact per host.
    /// Exit code 0: no change, 2: changes, 1: error
    Plan {
        /// The policy file (.toml)
        file: PathBuf,
        /// Print the plan as JSON on stdout
        #[arg(long)]
        json: bool,
        /// Also save the plan here, for `policy apply PLAN.json` (refused if the tenant changes meanwhile)
        #[arg(long, value_name = "PLAN.json")]
        save: Option<PathBuf>,
    },
    /// Apply a policy file, or a plan saved by `policy plan --save` (refused if the tenant changed since).
    /// Exit code 0: applied or nothing to do, 1: error, 3: the guard refused (nothing was changed)
    Apply {
        /// The policy file (.toml) or a saved plan (.json)
        file: PathBuf,
        /// Print the applied plan as JSON on stdout
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        safety: SafetyArgs,
    },
}
