//! `help("rtr::session")`, `help("Session.run")` and `help("falcon/hunt")`: the playbook helpers and the
//! built-in library described where a responder looks, with signature, options and result.

use crate::engine::stdlib::STDLIB;
use crate::helper_catalogue::{FUNCTIONS, GLOBALS, Helper, METHODS};

/// The help of a helper, a value type (`Session`, `Batch`) or a built-in module (`falcon/hunt`).
pub fn help(topic: &str) -> Option<String> {
    let topic = topic.trim();
    let named = |h: &&Helper, sep: &str| {
        topic == format!("{}{sep}{}", h.owner, h.name)
            || topic == format!("{}::{}", h.owner, h.name)
    };
    if let Some(h) = FUNCTIONS.iter().find(|h| named(h, "::")) {
        return Some(h.text());
    }
    if let Some(h) = GLOBALS.iter().find(|h| topic == h.name) {
        return Some(h.text());
    }
    if let Some(h) = METHODS.iter().find(|h| named(h, ".")) {
        return Some(h.text());
    }
    if topic == "Session" || topic == "Batch" {
        return Some(
            METHODS
                .iter()
                .filter(|h| h.owner == topic)
                .map(Helper::text)
                .collect(),
        );
    }
    STDLIB
        .iter()
        .find(|(path, _)| *path == topic)
        .map(|(_, text)| module_help(text))
}

/// The RTR command catalogue as `help("rtr")` shows it: each command with its platforms, the lowest
/// role that runs it, the policy setting it needs and whether the guard counts it as destructive.
/// An unknown command's error points here.
pub fn commands_text() -> String {
    use crate::ops::commands::{COMMANDS, settings_needed};
    let mut out =
        String::from("RTR commands (s.run, b.run; anything else is refused before it is sent):\n");
    for c in COMMANDS {
        let platforms: Vec<&str> = c.platforms.iter().map(|p| p.name()).collect();
        let needs = settings_needed(c)[1..].join(" + ");
        out.push_str(&format!(
            "  {:<16} {:<20} {:<17} {:<30}{}\n",
            c.name,
            platforms.join(", "),
            c.tier.name(),
            if needs.is_empty() {
                String::new()
            } else {
                format!("policy: {needs}")
            },
            if c.destructive { "destructive" } else { "" }
        ));
    }
    out
}

/// A library module's header comment, then each public function with its `///` lines.
fn module_help(text: &str) -> String {
    let mut out = String::new();
    for line in text
        .lines()
        .take_while(|l| l.starts_with("//") && !l.starts_with("///"))
    {
        out.push_str(line.trim_start_matches('/').trim_start_matches(' '));
        out.push('\n');
    }
    let mut doc = Vec::new();
    for line in text.lines() {
        if let Some(d) = line.strip_prefix("///") {
            doc.push(d.trim().to_string());
        } else if let Some(sig) = line.strip_prefix("fn ") {
            let sig = sig.split('{').next().unwrap_or(sig).trim();
            out.push_str(&format!("  {sig}\n"));
            for d in &doc {
                out.push_str(&format!("      {d}\n"));
            }
            doc.clear();
        } else if !line.starts_with("//") {
            doc.clear();
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_helper_and_method_has_help() {
        for h in FUNCTIONS {
            let (m, f) = (h.owner, h.name);
            assert!(help(&format!("{m}::{f}")).is_some(), "{m}::{f}");
        }
        for h in METHODS {
            let (t, m) = (h.owner, h.name);
            assert!(help(&format!("{t}.{m}")).is_some(), "{t}.{m}");
        }
        for h in GLOBALS {
            assert!(help(h.name).is_some(), "{}", h.name);
        }
        for (path, _) in STDLIB {
            assert!(help(path).is_some_and(|h| h.contains("  ")), "{path}");
        }
    }
}
