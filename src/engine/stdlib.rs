//! The built-in playbook library, embedded in the binary: `import "falcon/util" as util;`.

/// (import path, source), one row per file in `stdlib/`.
pub const STDLIB: &[(&str, &str)] =
    &[("falcon/util", include_str!("../../stdlib/falcon/util.rhai"))];

pub fn get(path: &str) -> Option<&'static str> {
    STDLIB.iter().find(|(p, _)| *p == path).map(|(_, s)| *s)
}
