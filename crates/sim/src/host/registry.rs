//! The Windows registry: keys with typed values, hive abbreviations expanded.

use std::collections::BTreeMap;
use std::ops::Bound;

#[derive(Clone, Debug, PartialEq)]
pub struct RegValue {
    pub name: String,
    /// `REG_SZ`, `REG_EXPAND_SZ`, `REG_DWORD`, ...
    pub kind: String,
    pub data: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct RegKey {
    /// Full path with the long hive name, in original case.
    pub path: String,
    pub values: Vec<RegValue>,
}

#[derive(Clone, Debug, Default)]
pub struct Registry {
    /// Keyed by lower-cased full path.
    keys: BTreeMap<String, RegKey>,
}

/// Expands `HKLM\...` to `HKEY_LOCAL_MACHINE\...` and trims separators.
pub fn canonical(path: &str) -> String {
    let path = path.trim().trim_matches('"').replace('/', "\\");
    let path = path.trim_end_matches('\\');
    let (hive, rest) = path.split_once('\\').unwrap_or((path, ""));
    let hive = match hive.to_ascii_uppercase().as_str() {
        "HKLM" | "HKEY_LOCAL_MACHINE" => "HKEY_LOCAL_MACHINE",
        "HKCU" | "HKEY_CURRENT_USER" => "HKEY_CURRENT_USER",
        "HKU" | "HKEY_USERS" => "HKEY_USERS",
        "HKCR" | "HKEY_CLASSES_ROOT" => "HKEY_CLASSES_ROOT",
        "HKCC" | "HKEY_CURRENT_CONFIG" => "HKEY_CURRENT_CONFIG",
        _ => return path.to_string(),
    };
    if rest.is_empty() {
        hive.to_string()
    } else {
        format!("{hive}\\{rest}")
    }
}

impl Registry {
    pub fn get(&self, path: &str) -> Option<&RegKey> {
        self.keys.get(&canonical(path).to_lowercase())
    }

    /// Creates a key and its parents.
    pub fn ensure_key(&mut self, path: &str) -> &mut RegKey {
        let path = canonical(path);
        let lower = path.to_lowercase();
        if !self.keys.contains_key(&lower) {
            for (i, _) in path.match_indices('\\') {
                let parent = &path[..i];
                self.keys
                    .entry(parent.to_lowercase())
                    .or_insert_with(|| RegKey {
                        path: parent.to_string(),
                        values: Vec::new(),
                    });
            }
        }
        self.keys.entry(lower).or_insert_with(|| RegKey {
            path,
            values: Vec::new(),
        })
    }

    pub fn set(&mut self, key: &str, value: RegValue) {
        let k = self.ensure_key(key);
        match k
            .values
            .iter_mut()
            .find(|v| v.name.eq_ignore_ascii_case(&value.name))
        {
            Some(v) => *v = value,
            None => k.values.push(value),
        }
    }

    /// Removes a value; true when it existed.
    pub fn delete_value(&mut self, key: &str, name: &str) -> bool {
        let Some(k) = self.keys.get_mut(&canonical(key).to_lowercase()) else {
            return false;
        };
        let before = k.values.len();
        k.values.retain(|v| !v.name.eq_ignore_ascii_case(name));
        before != k.values.len()
    }

    /// Removes a key and its subkeys; true when it existed.
    pub fn delete_key(&mut self, key: &str) -> bool {
        let lower = canonical(key).to_lowercase();
        let prefix = format!("{lower}\\");
        let under: Vec<String> = self
            .keys
            .range::<String, _>((Bound::Included(&prefix), Bound::Unbounded))
            .take_while(|(k, _)| k.starts_with(&prefix))
            .map(|(k, _)| k.clone())
            .collect();
        for k in under {
            self.keys.remove(&k);
        }
        self.keys.remove(&lower).is_some()
    }

    /// Names of the direct subkeys.
    pub fn subkeys(&self, path: &str) -> Vec<String> {
        let prefix = format!("{}\\", canonical(path).to_lowercase());
        self.keys
            .range::<String, _>((Bound::Included(&prefix), Bound::Unbounded))
            .take_while(|(k, _)| k.starts_with(&prefix))
            .filter(|(k, _)| !k[prefix.len()..].contains('\\'))
            .map(|(_, v)| v.path.clone())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hive_abbreviations_expand_and_keys_nest() {
        let mut r = Registry::default();
        r.set(
            "HKLM\\Software\\Microsoft\\Windows\\CurrentVersion\\Run",
            RegValue {
                name: "Updater".into(),
                kind: "REG_SZ".into(),
                data: "C:\\x.exe".into(),
            },
        );
        let k = r
            .get("hkey_local_machine\\software\\microsoft\\windows\\currentversion\\run")
            .unwrap();
        assert_eq!(k.values[0].name, "Updater");
        assert_eq!(
            r.subkeys("HKLM\\Software\\Microsoft\\Windows"),
            ["HKEY_LOCAL_MACHINE\\Software\\Microsoft\\Windows\\CurrentVersion"]
        );
        assert!(r.delete_value(
            "HKLM\\Software\\Microsoft\\Windows\\CurrentVersion\\Run",
            "updater"
        ));
        assert!(r.delete_key("HKLM\\Software\\Microsoft"));
        assert!(r.get("HKLM\\Software\\Microsoft\\Windows").is_none());
    }
}
