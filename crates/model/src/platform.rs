//! The three platforms a Falcon sensor runs on, spelled as Falcon spells them in `platform_name`.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Platform {
    Windows,
    Linux,
    Mac,
}

impl Platform {
    pub const ALL: [Platform; 3] = [Platform::Windows, Platform::Linux, Platform::Mac];

    /// As Falcon spells it in `platform_name`.
    pub fn name(self) -> &'static str {
        match self {
            Platform::Windows => "Windows",
            Platform::Linux => "Linux",
            Platform::Mac => "Mac",
        }
    }

    /// Falcon's `platform_name`, in any case (`windows`, `Windows`); `None` for anything else.
    pub fn parse(name: &str) -> Option<Platform> {
        Platform::ALL
            .into_iter()
            .find(|p| p.name().eq_ignore_ascii_case(name.trim()))
    }

    /// Position in per-platform tables (Windows, Linux, Mac).
    pub fn index(self) -> usize {
        match self {
            Platform::Windows => 0,
            Platform::Linux => 1,
            Platform::Mac => 2,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_back_in_any_case() {
        for p in Platform::ALL {
            assert_eq!(Platform::parse(p.name()), Some(p));
            assert_eq!(Platform::parse(&p.name().to_uppercase()), Some(p));
        }
        assert_eq!(Platform::parse("Solaris"), None);
    }
}
