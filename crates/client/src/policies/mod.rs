//! Response policies: which one governs a host (`resolve`, as Falcon decides), and policies as code: a
//! desired state (a TOML file or a playbook's map) compared with the tenant into an ordered plan with its
//! RTR impact per host, applied through the playbook operations.

mod apply;
mod change;
mod desired;
mod diff;
mod error;
mod export;
mod impact;
mod names;
mod plan;
mod resolve;
mod rhai;
mod source;
mod tenant;

use crate::platform::Platform;
pub use apply::apply;
pub use change::{Action, Change};
pub use desired::Desired;
pub use error::{Error, Result};
pub use export::export;
pub use impact::HostImpact;
pub use plan::{CHANGES_HASH, PolicyPlan, SAVED_FORMAT};
pub use rhai::register;
pub use source::Source;
pub use tenant::Tenant;

/// The settings a policy file names, in the console's order: the one list falconry knows.
pub use crate::ops::commands::POLICY_SETTINGS as SETTINGS;
pub use resolve::{DEFAULT_POLICY, Policies, Policy, load_records, unsupported_on};

/// Platform names as Falcon spells them (`Platform::name`), in the order files list them.
pub const PLATFORMS: &[&str] = &[
    Platform::Windows.name(),
    Platform::Mac.name(),
    Platform::Linux.name(),
];

/// Whether policies of `platform` have `setting` (`FalconScripts` is Windows-only): the others neither
/// show nor accept it, so files neither list it nor send it.
pub fn applies(setting: &str, platform: &str) -> bool {
    Platform::parse(platform)
        .is_some_and(|p| crate::ops::commands::setting_platforms(setting).contains(p))
}

/// `; did you mean `x`?` when `word` is a likely typo of a candidate (the engine's one nearest-name
/// rule), else nothing: the tail of an "unknown ..." message.
pub fn hint(word: &str, candidates: &[&str]) -> String {
    crate::ops::suggest::closest(word, candidates)
        .map(|c| format!("; did you mean `{c}`?"))
        .unwrap_or_default()
}
