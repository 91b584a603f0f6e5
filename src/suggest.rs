//! "Did you mean": the closest known name to a misspelt one, for error messages about keys,
//! settings and names.

/// The candidate nearest to `word` (case-insensitive edit distance), if it is near enough to be a
/// likely typo: at most a third of the word's length, and at least one edit allowed.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let word = word.to_ascii_lowercase();
    let limit = (word.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|c| (distance(&word, &c.to_ascii_lowercase()), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// `; did you mean `x`?` or nothing: the tail of an "unknown ..." message.
pub fn hint<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    closest(word, candidates)
        .map(|c| format!("; did you mean `{c}`?"))
        .unwrap_or_default()
}

/// Levenshtein distance over characters.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let next = (prev + usize::from(ca != *cb))
                .min(row[j] + 1)
                .min(row[j + 1] + 1);
            prev = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_names_are_suggested_and_far_ones_are_not() {
        let settings = ["GetCommand", "PutCommand", "ExecCommand"];
        assert_eq!(closest("GetComand", settings), Some("GetCommand"));
        assert_eq!(closest("getcommand", settings), Some("GetCommand"));
        assert_eq!(closest("Reboot", settings), None);
        assert_eq!(hint("PutComand", settings), "; did you mean `PutCommand`?");
        assert_eq!(distance("kitten", "sitting"), 3);
    }
}
