//! Engine limits: a runaway playbook ends with a clear error, never a hang or a crash. Time,
//! operations, nesting and memory are always limited; Rhai's per-value size limits are off unless
//! asked for (see `memory`: with any of them on, Rhai walks large values on every call).

use std::time::Duration;

/// Limits for one run; the defaults suit real playbooks (fan-out over thousands of hosts, long polls).
#[derive(Clone, Debug, PartialEq)]
pub struct Limits {
    pub max_operations: u64,
    pub max_call_depth: usize,
    pub max_expr_depth: usize,
    /// 0: none (the default), as for the two below.
    pub max_string_size: usize,
    pub max_array_size: usize,
    pub max_map_size: usize,
    /// Resident bytes the process may hold; 0: none.
    pub max_memory: u64,
    pub timeout: Duration,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_operations: 100_000_000,
            max_call_depth: 64,
            max_expr_depth: 64,
            max_string_size: 0,
            max_array_size: 0,
            max_map_size: 0,
            max_memory: default_max_memory(),
            timeout: Duration::from_secs(60 * 60),
        }
    }
}

/// A quarter of the machine's memory (4 GiB where it is not known): a value that doubles at every
/// step (`s += s`) is stopped with at most half of it in use, and a 10,000-host fan-out needs well
/// under 1 GiB.
pub fn default_max_memory() -> u64 {
    super::memory::physical_memory().map_or(4 << 30, |m| (m / 4).max(256 << 20))
}

impl Limits {
    pub fn apply(&self, engine: &mut rhai::Engine) {
        engine
            .set_max_operations(self.max_operations)
            .set_max_call_levels(self.max_call_depth)
            // Function bodies get the same depth: playbooks put most of their logic in functions.
            .set_max_expr_depths(self.max_expr_depth, self.max_expr_depth)
            .set_max_string_size(self.max_string_size)
            .set_max_array_size(self.max_array_size)
            .set_max_map_size(self.max_map_size)
            .set_max_modules(1_000);
    }

    /// Whether Rhai measures values after calls (any per-value size limit is on): a call's answer
    /// may then be an error even when the playbook drops it, so every answer is read.
    pub fn measures_values(&self) -> bool {
        self.max_string_size > 0 || self.max_array_size > 0 || self.max_map_size > 0
    }

    /// What each limit is called on the command line, for error messages.
    pub fn flag_for(kind: LimitKind) -> &'static str {
        match kind {
            LimitKind::Operations => "--max-operations",
            LimitKind::CallDepth => "--max-call-depth",
            LimitKind::ExprDepth => "--max-expr-depth",
            LimitKind::StringSize => "--max-string-size",
            LimitKind::ArraySize => "--max-array-size",
            LimitKind::MapSize => "--max-map-size",
            LimitKind::Memory => "--max-memory",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LimitKind {
    Operations,
    CallDepth,
    ExprDepth,
    StringSize,
    ArraySize,
    MapSize,
    Memory,
}
