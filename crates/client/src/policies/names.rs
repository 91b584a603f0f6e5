//! How policy names compare: as Falcon compares them, trimmed and without case, so `Servers` and
//! `servers ` are one policy (a file spelling it differently plans no change, and never a
//! near-duplicate that takes hosts away from the real one); and which different names only look
//! alike (`Servers` with a Cyrillic `е`), so a plan that creates or deletes one says so.

use std::collections::HashMap;

/// The name as Falcon tells policies apart: trimmed, lowercase.
pub fn key(name: &str) -> String {
    name.trim().to_lowercase()
}

/// Whether two names are one policy's.
pub fn same(a: &str, b: &str) -> bool {
    a.trim().to_lowercase() == b.trim().to_lowercase()
}

/// What a name looks like: its key with invisible characters dropped, fullwidth forms folded and
/// the Cyrillic and Greek letters that are drawn as Latin ones replaced by them. Two names with
/// different keys and one skeleton are look-alikes. (The common confusables, not Unicode's whole
/// table: enough that a planted look-alike of a real policy name is named in the plan.)
pub fn skeleton(name: &str) -> String {
    key(name)
        .chars()
        .filter(|c| {
            !matches!(
                c,
                '\u{200B}'..='\u{200F}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}'
            )
        })
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' | '\u{00A0}' | '\u{2000}'..='\u{200A}' => ' ',
            'а' | 'α' => 'a',
            'в' | 'β' => 'b',
            'с' | 'ϲ' => 'c',
            'ԁ' => 'd',
            'е' | 'ё' | 'ε' => 'e',
            'һ' => 'h',
            'і' | 'ι' | 'ı' => 'i',
            'ј' => 'j',
            'к' | 'κ' => 'k',
            'м' => 'm',
            'п' | 'η' => 'n',
            'о' | 'ο' | 'σ' | '0' => 'o',
            'р' | 'ρ' => 'p',
            'ԛ' => 'q',
            'ѕ' => 's',
            'т' | 'τ' => 't',
            'υ' | 'ս' => 'u',
            'ν' => 'v',
            'ԝ' | 'ω' => 'w',
            'х' | 'χ' => 'x',
            'у' | 'γ' => 'y',
            'l' | '1' | '|' => 'l',
            other => other,
        })
        .collect()
}

/// Names among `names` that look like another of them without being it: `(name, looks like)`,
/// each pair once, in the order given. Linear in the number of names.
pub fn look_alikes<'a>(names: impl IntoIterator<Item = &'a str>) -> Vec<(&'a str, &'a str)> {
    let mut by_look: HashMap<String, &'a str> = HashMap::new();
    let mut out = Vec::new();
    let mut said = std::collections::HashSet::new();
    for name in names {
        match by_look.get(&skeleton(name)) {
            Some(first) if !same(first, name) => {
                if said.insert((key(first), key(name))) {
                    out.push((name, *first));
                }
            }
            Some(_) => {}
            None => {
                by_look.insert(skeleton(name), name);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_compare_trimmed_and_without_case() {
        assert!(same("Servers locked", " servers LOCKED "));
        assert!(!same("Servers", "Servers2"));
        assert_eq!(key("Platform_Default "), "platform_default");
    }

    #[test]
    fn look_alikes_are_found_once() {
        let cyrillic = "S\u{0435}rvers";
        let names = ["Servers", cyrillic, "servers", "Other", "S\u{200B}ervers"];
        assert_eq!(
            look_alikes(names),
            vec![(cyrillic, "Servers"), ("S\u{200B}ervers", "Servers")]
        );
    }
}
