//! What a finished `falconry run` playbook leaves behind. A 10,000-host batch leaves millions of
//! Rhai values (every host's parsed `ps`); freeing them one by one took 0.18 s after the playbook
//! had finished, before the case was closed and the result printed (perf, issue 28). The process
//! exits right after, and the system takes its memory back at once.

use rhai::{Dynamic, Scope};

/// Drops what may act when dropped (an RTR session closes: dropped here as it always was, before
/// the case is closed; the engine's keep-alive registry also closes what is left when the engine
/// goes) and leaves plain data (maps, arrays, strings, numbers) to the exit. Only for a process
/// about to exit: the data is never freed.
pub fn leave_to_exit(scope: Scope<'static>, value: Dynamic) {
    for v in scope.into_iter().map(|(_, v, _)| v).chain([value]) {
        if plain(&v) {
            std::mem::forget(v);
        }
    }
}

/// Whether freeing `v` only gives memory back: nothing in it is a value of falconry's (a session,
/// a batch), a function pointer (which may hold one) or shared with a closure.
fn plain(v: &Dynamic) -> bool {
    if v.is_shared() {
        return false;
    }
    if v.is_map() {
        return v.as_map_ref().is_ok_and(|m| m.values().all(plain));
    }
    if v.is_array() {
        return v.as_array_ref().is_ok_and(|a| a.iter().all(plain));
    }
    v.is_string()
        || v.is_unit()
        || v.is_int()
        || v.is_bool()
        || v.is_float()
        || v.is_char()
        || v.is_blob()
        || v.is_timestamp()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_data_is_plain() {
        let mut m = rhai::Map::new();
        m.insert(
            "a".into(),
            Dynamic::from_array(vec![1.into(), "x".into(), ().into()]),
        );
        m.insert("b".into(), Dynamic::from(2.5));
        assert!(plain(&Dynamic::from_map(m.clone())));
        // A value of a registered type anywhere inside makes the whole not plain.
        #[derive(Clone)]
        struct Session;
        m.insert(
            "s".into(),
            Dynamic::from_array(vec![Dynamic::from(Session)]),
        );
        assert!(!plain(&Dynamic::from_map(m)));
        assert!(!plain(&Dynamic::from(rhai::FnPtr::new("f").unwrap())));
        assert!(!plain(&Dynamic::from(1).into_shared()));
    }
}
