//! The built-in playbook library, embedded in the binary: `import "falcon/util" as util;`.

/// (import path, source), one row per file in `stdlib/`.
pub const STDLIB: &[(&str, &str)] = &[
    (
        "falcon/util",
        include_str!("../../../../stdlib/falcon/util.rhai"),
    ),
    (
        "falcon/hosts",
        include_str!("../../../../stdlib/falcon/hosts.rhai"),
    ),
    (
        "falcon/hunt",
        include_str!("../../../../stdlib/falcon/hunt.rhai"),
    ),
    (
        "falcon/collect",
        include_str!("../../../../stdlib/falcon/collect.rhai"),
    ),
    (
        "falcon/contain",
        include_str!("../../../../stdlib/falcon/contain.rhai"),
    ),
    (
        "falcon/policy",
        include_str!("../../../../stdlib/falcon/policy.rhai"),
    ),
    (
        "falcon/scripts",
        include_str!("../../../../stdlib/falcon/scripts.rhai"),
    ),
    (
        "falcon/alerts",
        include_str!("../../../../stdlib/falcon/alerts.rhai"),
    ),
];

pub fn get(path: &str) -> Option<&'static str> {
    STDLIB.iter().find(|(p, _)| *p == path).map(|(_, s)| *s)
}
