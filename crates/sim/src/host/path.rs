//! Path syntax of a platform: Windows `C:\` paths (case-insensitive, either slash accepted) and
//! POSIX paths, resolved against the session's working directory.

/// How a host spells and compares paths.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PathStyle {
    pub windows: bool,
    /// Case-insensitive comparison (Windows NTFS, macOS APFS by default).
    pub fold_case: bool,
}

impl PathStyle {
    pub fn sep(self) -> char {
        if self.windows { '\\' } else { '/' }
    }

    pub fn root(self) -> &'static str {
        if self.windows { "C:\\" } else { "/" }
    }

    /// The comparison key of an already resolved path.
    pub fn key(self, path: &str) -> String {
        if self.fold_case {
            path.to_lowercase()
        } else {
            path.to_string()
        }
    }

    /// Resolves `arg` against `cwd` into a canonical absolute path (no `.`/`..`, no trailing
    /// separator except on a root). Surrounding quotes are removed.
    pub fn resolve(self, cwd: &str, arg: &str) -> String {
        let arg = unquote(arg.trim());
        let (prefix, rest) = if self.windows {
            let arg = arg.replace('/', "\\");
            let b = arg.as_bytes();
            if b.len() >= 2 && b[1] == b':' && b[0].is_ascii_alphabetic() {
                let drive = format!("{}:\\", (b[0] as char).to_ascii_uppercase());
                (drive, arg[2..].to_string())
            } else if arg.starts_with('\\') {
                (drive_of(cwd), arg)
            } else {
                (drive_of(cwd), format!("{}\\{}", strip_drive(cwd), arg))
            }
        } else if arg.starts_with('/') {
            ("/".to_string(), arg.to_string())
        } else {
            ("/".to_string(), format!("{cwd}/{arg}"))
        };
        let mut parts: Vec<&str> = Vec::new();
        for part in rest.split(self.sep()) {
            match part {
                "" | "." => {}
                ".." => {
                    parts.pop();
                }
                p => parts.push(p),
            }
        }
        let mut out = prefix;
        out.push_str(&parts.join(&self.sep().to_string()));
        out
    }

    /// The parent of a resolved path (`None` for a root).
    pub fn parent(self, path: &str) -> Option<String> {
        if path == self.root() || (self.windows && path.len() <= 3) {
            return None;
        }
        let i = path.rfind(self.sep())?;
        let parent = &path[..i];
        Some(
            if parent.is_empty() || (self.windows && parent.len() == 2) {
                format!("{parent}{}", self.sep())
            } else {
                parent.to_string()
            },
        )
    }

    /// The last component of a resolved path.
    pub fn file_name(self, path: &str) -> String {
        path.rsplit(self.sep()).next().unwrap_or(path).to_string()
    }

    /// The components of `path` below `base` (an ancestor, compared by position, so it works
    /// whatever the case each was written in), joined with `sep`.
    pub fn relative(self, base: &str, path: &str, sep: &str) -> String {
        let depth = base.split(self.sep()).filter(|c| !c.is_empty()).count();
        path.split(self.sep())
            .filter(|c| !c.is_empty())
            .skip(depth)
            .collect::<Vec<_>>()
            .join(sep)
    }

    /// Joins a resolved directory and a child name.
    pub fn join(self, dir: &str, name: &str) -> String {
        if dir.ends_with(self.sep()) {
            format!("{dir}{name}")
        } else {
            format!("{dir}{}{name}", self.sep())
        }
    }
}

fn drive_of(cwd: &str) -> String {
    let b = cwd.as_bytes();
    if b.len() >= 2 && b[1] == b':' {
        format!("{}:\\", (b[0] as char).to_ascii_uppercase())
    } else {
        "C:\\".to_string()
    }
}

fn strip_drive(cwd: &str) -> &str {
    let b = cwd.as_bytes();
    if b.len() >= 2 && b[1] == b':' {
        &cwd[2..]
    } else {
        cwd
    }
}

/// Removes one pair of matching surrounding quotes.
pub fn unquote(s: &str) -> &str {
    for q in ['"', '\''] {
        if s.len() >= 2 && s.starts_with(q) && s.ends_with(q) {
            return &s[1..s.len() - 1];
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    const WIN: PathStyle = PathStyle {
        windows: true,
        fold_case: true,
    };
    const NIX: PathStyle = PathStyle {
        windows: false,
        fold_case: false,
    };

    #[test]
    fn windows_paths_resolve_against_cwd_and_drive() {
        assert_eq!(WIN.resolve("C:\\Users", "bob"), "C:\\Users\\bob");
        assert_eq!(WIN.resolve("C:\\Users\\bob", ".."), "C:\\Users");
        assert_eq!(WIN.resolve("C:\\Users", "..\\.."), "C:\\");
        assert_eq!(
            WIN.resolve("C:\\Users", "c:/windows/System32"),
            "C:\\windows\\System32"
        );
        assert_eq!(WIN.resolve("C:\\Users", "\\Temp"), "C:\\Temp");
        assert_eq!(
            WIN.resolve("C:\\", "\"C:\\Program Files\\\""),
            "C:\\Program Files"
        );
        assert_eq!(WIN.parent("C:\\Users"), Some("C:\\".into()));
        assert_eq!(WIN.parent("C:\\"), None);
        assert_eq!(WIN.key("C:\\Users"), "c:\\users");
    }

    #[test]
    fn posix_paths_resolve_against_cwd() {
        assert_eq!(NIX.resolve("/tmp", ".x/kworkerd"), "/tmp/.x/kworkerd");
        assert_eq!(NIX.resolve("/tmp", "../etc/./passwd"), "/etc/passwd");
        assert_eq!(NIX.resolve("/", ".."), "/");
        assert_eq!(NIX.parent("/tmp"), Some("/".into()));
        assert_eq!(NIX.parent("/tmp/.x"), Some("/tmp".into()));
        assert_eq!(NIX.join("/", "tmp"), "/tmp");
        assert_eq!(NIX.relative("/", "/tmp/x", "/"), "tmp/x");
        assert_eq!(WIN.relative("C:\\IR", "c:\\ir\\a\\b.txt", "/"), "a/b.txt");
    }
}
