//! How a message lists names: each in backticks, comma-separated ("allowed: `a`, `b`"). Written once so
//! every refusal in the client, the CLI and the emulator lists what is allowed the same way.

use std::fmt::Display;

/// `a`, `b`, `c`: each item in backticks, joined by ", ".
pub fn ticked<I>(items: I) -> String
where
    I: IntoIterator,
    I::Item: Display,
{
    let mut out = String::new();
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push('`');
        out.push_str(&item.to_string());
        out.push('`');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::ticked;

    #[test]
    fn each_name_in_backticks_joined_by_commas() {
        assert_eq!(ticked(["a", "b"]), "`a`, `b`");
        assert_eq!(ticked(Vec::<String>::new()), "");
    }
}
