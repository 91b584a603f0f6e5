//! Engine limits, always on: a runaway playbook ends with a clear error, never a hang or a crash.

use std::time::Duration;

/// Limits for one run; the defaults suit real playbooks (fan-out over thousands of hosts, long polls).
#[derive(Clone, Debug, PartialEq)]
pub struct Limits {
    pub max_operations: u64,
    pub max_call_depth: usize,
    pub max_expr_depth: usize,
    pub max_string_size: usize,
    pub max_array_size: usize,
    pub max_map_size: usize,
    pub timeout: Duration,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_operations: 100_000_000,
            max_call_depth: 64,
            max_expr_depth: 64,
            max_string_size: 64 * 1024 * 1024,
            max_array_size: 5_000_000,
            max_map_size: 5_000_000,
            timeout: Duration::from_secs(60 * 60),
        }
    }
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

    /// What each limit is called on the command line, for error messages.
    pub fn flag_for(kind: LimitKind) -> &'static str {
        match kind {
            LimitKind::Operations => "--max-operations",
            LimitKind::CallDepth => "--max-call-depth",
            LimitKind::ExprDepth => "--max-expr-depth",
            LimitKind::StringSize => "--max-string-size",
            LimitKind::ArraySize => "--max-array-size",
            LimitKind::MapSize => "--max-map-size",
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
}
