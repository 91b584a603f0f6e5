//! The helper catalogue (not the model's RTR command catalogue, `ops/commands.rs`): every playbook
//! helper, declared once: the `rtr`, `fs` and `hosts` functions and the `Session` and
//! `Batch` methods, with their arities and help. Registration goes through [`function`] and [`method`], which refuse
//! an undeclared name, and a test calls every declared function at every arity; `falconry check`, REPL
//! completion and `help()` read the same lists. Data only, below every layer that reads it: the engine
//! (did-you-mean) and `rtr` (registration) both know it, and it knows neither.

pub mod shape;

use rhai::FuncRegistration;
use shape::{Field, Shape, key, maybe};

/// One playbook helper: where it lives (`rtr`, or the `Session`/`Batch` type for a method), its name,
/// the argument counts it takes, how it is called, the shape of its answer and its help. Registration,
/// `falconry check`, REPL completion, `help()` and `falconry ops --helpers` all read these two lists, and
/// a test runs every helper on the emulator and holds its answer to `returns`.
pub struct Helper {
    pub owner: &'static str,
    pub name: &'static str,
    pub arities: &'static [usize],
    /// The call forms, `#{..}` standing for the options map: `s.run(command) / s.run(command, #{..})`.
    pub call: &'static str,
    pub returns: Shape,
    /// What it does and notes: indented lines after the signature (the options' lines follow).
    pub help: &'static str,
    /// The keys its options map accepts: validation, the call form and the help all read them.
    pub options: &'static [Opt],
    /// Its first argument goes to the host inside an RTR command line (a command, a path, a file or
    /// script name): a control character made by a `"..."` escape there is refused (`escapes.rs`).
    pub command_text: bool,
}

/// One key of a helper's options map and its help (`(default): what it does`).
pub struct Opt {
    pub key: &'static str,
    pub help: &'static str,
}

const fn opt(key: &'static str, help: &'static str) -> Opt {
    Opt { key, help }
}

const QUEUE_OFFLINE: Opt = opt(
    "queue_offline",
    "(false): open on an offline host; commands queue and answer `queued: true`",
);
const KEEPALIVE: Opt = opt("keepalive", "(240s): pulse an idle session this often");
const SESSION_TIMEOUT: Opt = opt("timeout", "(300s): default wait per command");

/// `rtr::session`'s options (and each host's session under `rtr::each`).
pub const SESSION_OPTIONS: &[Opt] = &[QUEUE_OFFLINE, SESSION_TIMEOUT, KEEPALIVE];

/// `rtr::batch`'s options.
pub const BATCH_OPTIONS: &[Opt] = &[
    opt(
        "host_timeout",
        "(timeout - 2s): how long Falcon waits for each host before answering without it",
    ),
    opt(
        "timeout",
        "(60s): how long one batch call and its polls may take in all",
    ),
    QUEUE_OFFLINE,
    KEEPALIVE,
];

/// `rtr::each`'s options: its own `concurrency`, then the session's.
pub const EACH_OPTIONS: &[Opt] = &[
    opt("concurrency", "(8, at most 64): hosts run at once"),
    QUEUE_OFFLINE,
    SESSION_TIMEOUT,
    KEEPALIVE,
];

/// `rtr::queued`'s options.
pub const QUEUED_OPTIONS: &[Opt] = &[opt(
    "timeout",
    "(30s): wait for a finished command's output",
)];

/// The option of one command run on a session (`s.run`, `s.get`, `s.runscript_raw`).
pub const COMMAND_OPTIONS: &[Opt] = &[opt("timeout", "(the session's): wait for this command")];

impl Helper {
    /// `call -> returns`: the line `falconry ops --helpers` lists, the options map spelled out.
    pub fn signature(&self) -> String {
        let keys: Vec<&str> = self.options.iter().map(|o| o.key).collect();
        let call = self
            .call
            .replace("#{..}", &format!("#{{{}}}", keys.join(", ")));
        format!("{call} -> {}", self.returns)
    }

    /// The signature, the help, then one line per option: what `help("NAME")` shows.
    pub fn text(&self) -> String {
        let mut text = format!("{}\n{}", self.signature(), self.help);
        for o in self.options {
            text.push_str(&format!("  {} {}\n", o.key, o.help));
        }
        text
    }
}

/// Keys a helper's answers carry only sometimes, with what their absence means and how a playbook
/// tests for them: strict property access names these when a playbook reads one that is missing.
pub struct SometimesKey {
    pub key: &'static str,
    pub absent: &'static str,
    /// The advice, whole: the value that has the key is the helper's to name (a row, a result).
    pub test: &'static str,
}

pub const SOMETIMES_KEYS: &[SometimesKey] = &[SometimesKey {
    key: "parse_error",
    // Every parsed row would otherwise carry it: one key more than a Rhai map node holds (issue 28).
    absent: "only a row that was not understood has `parse_error`, so a parsed row without it was read",
    test: "test a row with `\"parse_error\" in p`",
}];

/// [`SOMETIMES_KEYS`]' entry for `key`, if it has one.
pub fn sometimes(key: &str) -> Option<&'static SometimesKey> {
    SOMETIMES_KEYS.iter().find(|k| k.key == key)
}

/// What an RTR command answers (`s.run`, and the methods that run one).
pub const RUN: Shape = Shape::Map(
    &[
        key("stdout", Shape::Str),
        key("stderr", Shape::Str),
        key("complete", Shape::Bool),
        maybe("queued", Shape::Bool),
        key("planned", Shape::Bool),
        key("base_command", Shape::Str),
        key("command_string", Shape::Str),
        key("device_id", Shape::Str),
        key("hostname", Shape::Str),
        key("session_id", Shape::Str),
        key("cloud_request_id", Shape::Str),
        maybe("warnings", Shape::List(&Shape::Any("warning"))),
    ],
    Some(
        "<parsed>: `processes` (ps), `connections` (netstat), `entries` (ls), ... see help(\"rtr\")",
    ),
);

/// A file `s.get` saved; a host of `b.get` gives the same without `cloud_request_id` (the last key).
const FILE_KEYS: &[Field] = &[
    key("path", Shape::Str),
    key("sha256", Shape::Str),
    key("size", Shape::Int),
    key("remote_path", Shape::Str),
    key("device_id", Shape::Str),
    key("hostname", Shape::Str),
    key("cloud_request_id", Shape::Str),
];
const FILE: Shape = Shape::Map(FILE_KEYS, None);
const BATCH_FILE: Shape = Shape::Map(FILE_KEYS.split_at(FILE_KEYS.len() - 1).0, None);

const HOSTNAMES: Shape = Shape::By("device_id", &Shape::Id("hostname"));
const ERRORS: Shape = Shape::By("device_id", &Shape::Record("#{message, ...}"));

const BATCH_RUN: Shape = Shape::Map(
    &[
        key("results", Shape::By("device_id", &RUN)),
        key("queued", Shape::By("device_id", &RUN)),
        key("no_answer", Shape::List(&Shape::Id("device id"))),
        key("errors", ERRORS),
        key("hostnames", HOSTNAMES),
    ],
    None,
);

const BATCH_GET: Shape = Shape::Map(
    &[
        key("results", Shape::By("device_id", &BATCH_FILE)),
        key("queued", Shape::By("device_id", &RUN)),
        key("no_answer", Shape::List(&Shape::Id("device id"))),
        key("errors", ERRORS),
        key("hostnames", HOSTNAMES),
    ],
    None,
);

/// `()` where the platform, not a policy, refuses the command.
const STR_OR_UNIT: Shape = Shape::Or(&Shape::Str, &Shape::Unit);

const DEVICE_IDS: Shape = Shape::List(&Shape::Id("device id"));

const PREFLIGHT: Shape = Shape::Map(
    &[
        key("command", Shape::Str),
        key("ready", DEVICE_IDS),
        key(
            "refused",
            Shape::List(&Shape::Map(
                &[
                    key("device_id", Shape::Str),
                    key("hostname", Shape::Str),
                    key("policy_id", STR_OR_UNIT),
                    key("policy_name", STR_OR_UNIT),
                    key("setting", STR_OR_UNIT),
                    key("reason", Shape::Str),
                ],
                None,
            )),
        ),
        key("offline", DEVICE_IDS),
        key("unknown", DEVICE_IDS),
        key("hostnames", HOSTNAMES),
    ],
    None,
);

/// A command still queued (or canceled) for an offline host.
const WAITING: Shape = Shape::Map(
    &[
        key("device_id", Shape::Str),
        key("hostname", Shape::Str),
        key("session_id", Shape::Str),
        key("cloud_request_id", Shape::Str),
        key("command_string", Shape::Str),
        key("base_command", Shape::Str),
        key("status", Shape::Str),
    ],
    None,
);

const QUEUED: Shape = Shape::Map(
    &[
        key("done", Shape::List(&RUN)),
        key("pending", Shape::List(&WAITING)),
        key("canceled", Shape::List(&WAITING)),
        key("hostnames", HOSTNAMES),
    ],
    None,
);

const DESIRED: Shape = Shape::Map(
    &[
        key(
            "platforms",
            Shape::By("platform", &Shape::Record("#{exclusive}")),
        ),
        key(
            "policies",
            Shape::List(&Shape::Record("#{name, platform, settings, ...}")),
        ),
    ],
    None,
);

/// What `policies::apply` answers: the plan it applied and `applied` (the last key); `policies::plan`
/// answers the rest.
const APPLIED_KEYS: &[Field] = &[
    key("changed", Shape::Bool),
    key("changes", Shape::List(&Shape::Record("change"))),
    key("impact", Shape::List(&Shape::Record("host impact"))),
    key("desired", DESIRED),
    key("tenant", Shape::Record("tenant snapshot")),
    key("format", Shape::Str),
    // The hash `policy apply` checks a saved plan against: changes applied exactly as shown.
    key("changes_sha256", Shape::Str),
    // Look-alike and near-duplicate policy names, one sentence each.
    key("warnings", Shape::List(&Shape::Str)),
    key("applied", Shape::Bool),
];
const PLAN_KEYS: &[Field] = APPLIED_KEYS.split_at(APPLIED_KEYS.len() - 1).0;
const APPLIED: Shape = Shape::Map(APPLIED_KEYS, None);

/// The helper functions, by module.
pub const FUNCTIONS: &[Helper] = &[
    Helper {
        owner: "hosts",
        name: "find",
        arities: &[1],
        call: "hosts::find(name_or_fql)",
        returns: Shape::Record("device record"),
        help: "  exactly one host by hostname, device id or FQL filter; none or several is an error naming them\n",
        options: &[],
        command_text: false,
    },
    Helper {
        owner: "hosts",
        name: "find_all",
        arities: &[0, 1],
        call: "hosts::find_all() / hosts::find_all(fql)",
        returns: Shape::List(&Shape::Record("device record")),
        help: "  every matching host, all pages\n",
        options: &[],
        command_text: false,
    },
    Helper {
        owner: "rtr",
        name: "session",
        arities: &[1, 2],
        call: "rtr::session(device, #{..})",
        returns: Shape::Type("Session"),
        help: "  device: a device record or id\n  an expired session is reopened in the directory `cd` left it in (logged); methods: help(\"Session\")\n",
        options: SESSION_OPTIONS,
        command_text: false,
    },
    Helper {
        owner: "rtr",
        name: "batch",
        arities: &[1, 2],
        call: "rtr::batch(devices, #{..})",
        returns: Shape::Type("Batch"),
        help: "  one batch session on many hosts; methods and what they answer: help(\"Batch\")\n  answers are maps keyed by device id: `for id in r.results.keys() { ... }`\n",
        options: BATCH_OPTIONS,
        command_text: false,
    },
    Helper {
        owner: "rtr",
        name: "each",
        arities: &[2, 3],
        call: "rtr::each(devices, |s| { ... }, #{..})",
        returns: Shape::By("device_id", &Shape::Any("value")),
        help: "  the closure runs once per host on its own Session; a failed host answers #{error, device_id, hostname}\n  stopped part-way (Ctrl-C in the REPL), the answer as far as it got is kept in `partial`\n",
        options: EACH_OPTIONS,
        command_text: false,
    },
    Helper {
        owner: "rtr",
        name: "preflight",
        arities: &[2],
        call: "rtr::preflight(devices, command)",
        returns: PREFLIGHT,
        help: "  which hosts' response policies allow `command`, before anything is opened\n",
        options: &[],
        command_text: false,
    },
    Helper {
        owner: "rtr",
        name: "queued",
        arities: &[0, 1, 2],
        call: "rtr::queued() / rtr::queued(items) / rtr::queued(items, #{..})",
        returns: QUEUED,
        help: "  commands queued for offline hosts (`queue_offline`): asks Falcon which have run and fetches their output\n  (): every command this run (or REPL) queued; items: saved queued results, a list or a batch answer\n  done: results as s.run answers them, parsed fields included\n",
        options: QUEUED_OPTIONS,
        command_text: false,
    },
    Helper {
        owner: "fs",
        name: "list",
        arities: &[0, 1],
        call: "fs::list() / fs::list(folder)",
        returns: Shape::List(&Shape::Map(
            &[
                key("name", Shape::Str),
                key("path", Shape::Str),
                key("is_dir", Shape::Bool),
                key("size", Shape::Int),
                maybe("sha256", Shape::Str),
            ],
            None,
        )),
        help: "  files of the playbook's folder (or a folder inside it); `sha256` for files only\n",
        options: &[],
        command_text: false,
    },
    Helper {
        owner: "fs",
        name: "read",
        arities: &[1],
        call: "fs::read(path)",
        returns: Shape::Str,
        help: "  a text file inside the playbook's folder\n",
        options: &[],
        command_text: false,
    },
    Helper {
        owner: "policies",
        name: "current",
        arities: &[0, 1],
        call: "policies::current() / policies::current(platform)",
        returns: DESIRED,
        help: "  the tenant's response policies as code: the map a policy file holds\n",
        options: &[],
        command_text: false,
    },
    Helper {
        owner: "policies",
        name: "plan",
        arities: &[1],
        call: "policies::plan(desired)",
        returns: Shape::Map(PLAN_KEYS, None),
        help: "  the changes that would make the tenant match `desired`, in order, with their RTR impact per host\n",
        options: &[],
        command_text: false,
    },
    Helper {
        owner: "policies",
        name: "apply",
        arities: &[1],
        call: "policies::apply(desired)",
        returns: APPLIED,
        help: "  applies `desired` (or a plan from policies::plan, only to the tenant it was made on): the plan applied\n",
        options: &[],
        command_text: false,
    },
    Helper {
        owner: "policies",
        name: "settings",
        arities: &[1],
        call: "policies::settings(platform)",
        returns: Shape::List(&Shape::Id("setting id")),
        help: "  every setting a policy of the platform has, in the console's order; a setting a policy file, a desired-state map or policy::rollout leaves out is off\n",
        options: &[],
        command_text: false,
    },
];

/// Global functions for text (no module): tables and padding, for reports a playbook prints.
pub const GLOBALS: &[Helper] = &[
    Helper {
        owner: "",
        name: "table",
        arities: &[1, 2],
        call: "table(rows) / table(rows, columns)",
        returns: Shape::Str,
        help: "  rows (an array of maps, or a map of maps keyed by its keys) as the REPL shows them, as wide as the terminal\n  columns: the keys to show, in order; left out, chosen as the REPL chooses them; a nested list shows its count and first items\n",
        options: &[],
        command_text: false,
    },
    Helper {
        owner: "",
        name: "pad_left",
        arities: &[2, 3],
        call: "pad_left(text, width) / pad_left(text, width, fill)",
        returns: Shape::Str,
        help: "  text right-aligned in `width` characters (fill: a character, ' ' by default); longer text is kept whole\n",
        options: &[],
        command_text: false,
    },
    Helper {
        owner: "",
        name: "pad_right",
        arities: &[2, 3],
        call: "pad_right(text, width) / pad_right(text, width, fill)",
        returns: Shape::Str,
        help: "  text left-aligned in `width` characters (fill: a character, ' ' by default); longer text is kept whole\n",
        options: &[],
        command_text: false,
    },
    Helper {
        owner: "",
        name: "center",
        arities: &[2],
        call: "center(text, width)",
        returns: Shape::Str,
        help: "  text centred in `width` characters\n",
        options: &[],
        command_text: false,
    },
    Helper {
        owner: "",
        name: "truncate_text",
        arities: &[2],
        call: "truncate_text(text, width)",
        returns: Shape::Str,
        help: "  at most `width` characters, the last one `…` when cut\n",
        options: &[],
        command_text: false,
    },
];

/// The methods of the `Session` and `Batch` values.
pub const METHODS: &[Helper] = &[
    Helper {
        owner: "Session",
        name: "run",
        arities: &[1, 2],
        call: "s.run(command) / s.run(command, #{..})",
        returns: RUN,
        help: "  `queued` only on a command queued for an offline host; `warnings` names rows a parser did not understand\n",
        options: COMMAND_OPTIONS,
        command_text: true,
    },
    Helper {
        owner: "Session",
        name: "get",
        arities: &[1, 2],
        call: "s.get(path) / s.get(path, #{..})",
        returns: FILE,
        help: "  the file, saved under --out once its sha256 is Falcon's (otherwise nothing is saved and it throws)\n",
        options: COMMAND_OPTIONS,
        command_text: true,
    },
    Helper {
        owner: "Session",
        name: "put",
        arities: &[1],
        call: "s.put(name)",
        returns: RUN,
        help: "  copies a put-file from the library to the host's working directory\n",
        options: &[],
        command_text: true,
    },
    Helper {
        owner: "Session",
        name: "runscript",
        arities: &[1, 2],
        call: "s.runscript(name) / s.runscript(name, args)",
        returns: RUN,
        help: "  runs a custom script from the library\n",
        options: &[],
        command_text: true,
    },
    Helper {
        owner: "Session",
        name: "runscript_raw",
        arities: &[1, 2],
        call: "s.runscript_raw(text) / s.runscript_raw(text, #{..})",
        returns: RUN,
        help: "  runs `text` as `runscript -Raw=```text```` (destructive); write it in a backtick string, where `C:\\Users` needs no doubled backslash, or read it with fs::read(\"fix.ps1\")\n",
        options: COMMAND_OPTIONS,
        command_text: true,
    },
    Helper {
        owner: "Session",
        name: "put_and_run",
        arities: &[1],
        call: "s.put_and_run(name)",
        returns: RUN,
        help: "  copies a put-file and runs it (destructive)\n",
        options: &[],
        command_text: true,
    },
    Helper {
        owner: "Session",
        name: "cd",
        arities: &[1],
        call: "s.cd(path)",
        returns: RUN,
        help: "  changes the working directory; a reopened session returns there. Windows paths: s.cd(`C:\\Windows\\Temp`)\n",
        options: &[],
        command_text: true,
    },
    Helper {
        owner: "Session",
        name: "pwd",
        arities: &[0],
        call: "s.pwd()",
        returns: Shape::Str,
        help: "  the working directory\n",
        options: &[],
        command_text: false,
    },
    Helper {
        owner: "Session",
        name: "kill",
        arities: &[1],
        call: "s.kill(process)",
        returns: RUN,
        help: "  kills a `ps` row only while its PID still runs the same image (destructive)\n",
        options: &[],
        command_text: false,
    },
    Helper {
        owner: "Session",
        name: "close",
        arities: &[0],
        call: "s.close()",
        returns: Shape::Unit,
        help: "  closes the session now (it closes by itself at the end of the run); a session with a command queued for an offline host is left open for Falcon to run it, and rtr::queued(saved results) collects it in a later run\n",
        options: &[],
        command_text: false,
    },
    Helper {
        owner: "Batch",
        name: "run",
        arities: &[1],
        call: "b.run(command)",
        returns: BATCH_RUN,
        help: "  one command on every host of the batch; hosts that queued it (offline, `queue_offline`) are under `queued`\n",
        options: &[],
        command_text: true,
    },
    Helper {
        owner: "Batch",
        name: "get",
        arities: &[1],
        call: "b.get(path)",
        returns: BATCH_GET,
        help: "  one file from every host, each saved under --out once its sha256 is Falcon's\n",
        options: &[],
        command_text: true,
    },
];

/// The registration of a declared module function (volatile: never run while compiling).
pub(super) fn function(module: &str, name: &str) -> FuncRegistration {
    declared(FUNCTIONS, module, name)
}

/// The registration of a declared global text function (`table`, `pad_left`, ...).
pub(crate) fn global(name: &str) -> FuncRegistration {
    declared(GLOBALS, "", name)
}

/// The registration of a declared method of `Session` or `Batch`.
pub(super) fn method(ty: &str, name: &str) -> FuncRegistration {
    declared(METHODS, ty, name)
}

fn declared(list: &[Helper], owner: &str, name: &str) -> FuncRegistration {
    // A programming error, caught by every test that builds a runtime: the lists above are what
    // completion, `check` and `help()` show, so nothing may be registered beside them.
    assert!(
        list.iter().any(|h| h.owner == owner && h.name == name),
        "`{owner}::{name}` is registered but not declared in the catalogue (crates/client/src/helper_catalogue)"
    );
    let help = list
        .iter()
        .find(|h| h.owner == owner && h.name == name)
        .map_or(String::new(), Helper::text);
    FuncRegistration::new(name.to_string())
        .with_volatility(true)
        .with_purity(false)
        .with_comments([doc_comment(&help)])
}

/// Help text as one block of `///` lines: what an editor shows for the function (`falconry defs`).
pub fn doc_comment(help: &str) -> String {
    help.lines()
        .map(|l| format!("/// {l}").trim_end().to_string())
        .collect::<Vec<_>>()
        .join("\n")
}
