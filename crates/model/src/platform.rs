//! The three platforms a Falcon sensor runs on, spelled as Falcon spells them in `platform_name`, and
//! sets of them (the platforms a command runs on, a setting exists for, a batch's hosts have): the one
//! encoding of a platform in the workspace.

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
    pub const fn name(self) -> &'static str {
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
    pub const fn index(self) -> usize {
        match self {
            Platform::Windows => 0,
            Platform::Linux => 1,
            Platform::Mac => 2,
        }
    }
}

/// A set of platforms.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Platforms(u8);

impl Platforms {
    pub const NONE: Platforms = Platforms(0);
    pub const ALL: Platforms = Platforms::of(&Platform::ALL);

    pub const fn of(list: &[Platform]) -> Platforms {
        let mut bits = 0;
        let mut i = 0;
        while i < list.len() {
            bits |= 1 << list[i].index();
            i += 1;
        }
        Platforms(bits)
    }

    /// The platforms named (`Windows`, `linux`, as `Platform::parse` reads them); a name of no
    /// platform adds nothing.
    pub fn from_names<'a>(names: impl IntoIterator<Item = &'a str>) -> Platforms {
        names.into_iter().filter_map(Platform::parse).collect()
    }

    pub const fn contains(self, p: Platform) -> bool {
        self.0 & (1 << p.index()) != 0
    }

    pub const fn intersects(self, other: Platforms) -> bool {
        self.0 & other.0 != 0
    }

    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The members, in `Platform::ALL` order.
    pub fn iter(self) -> impl Iterator<Item = Platform> {
        Platform::ALL.into_iter().filter(move |p| self.contains(*p))
    }

    /// The one platform of a set of one.
    pub fn only(self) -> Option<Platform> {
        let mut members = self.iter();
        members.next().filter(|_| members.next().is_none())
    }
}

impl From<Platform> for Platforms {
    fn from(p: Platform) -> Platforms {
        Platforms::of(&[p])
    }
}

impl FromIterator<Platform> for Platforms {
    fn from_iter<I: IntoIterator<Item = Platform>>(iter: I) -> Platforms {
        Platforms(
            iter.into_iter()
                .fold(0, |bits, p| bits | Platforms::from(p).0),
        )
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

    #[test]
    fn a_set_holds_what_it_was_made_of() {
        let unix = Platforms::from_names(["linux", "Mac", "Solaris"]);
        assert_eq!(unix, Platforms::of(&[Platform::Linux, Platform::Mac]));
        assert!(!unix.contains(Platform::Windows) && unix.contains(Platform::Mac));
        assert!(unix.intersects(Platforms::ALL) && !unix.intersects(Platform::Windows.into()));
        assert_eq!(
            unix.iter().collect::<Vec<_>>(),
            [Platform::Linux, Platform::Mac]
        );
        assert_eq!(unix.only(), None);
        assert_eq!(Platforms::from(Platform::Mac).only(), Some(Platform::Mac));
        assert!(Platforms::NONE.is_empty() && Platforms::ALL.iter().count() == 3);
    }
}
