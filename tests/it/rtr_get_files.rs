//! `s.get` of large and spoiled extracted files through the real binary: a multi-MiB file comes back
//! whole with Falcon's sha256 (and into the case), and an archive that is truncated, corrupt, under
//! another password or of other bytes is refused with a clear error and leaves no file behind.

use crate::rtr_support::{Tenant, WS_042, sha256};
use std::path::Path;

const BIG: &str = r"C:\Users\bob\Downloads\dump.bin";

/// Puts `len` bytes that do not repeat (xorshift) at `path` on WS-042, in the emulator's state.
fn put_file(t: &Tenant, path: &str, len: usize) -> Vec<u8> {
    let mut x = 0x9E37_79B9_7F4A_7C15u64;
    let bytes: Vec<u8> = (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect();
    t.state()
        .host_mut(WS_042)
        .expect("WS-042 in the fleet")
        .materialize()
        .fs
        .write(path, bytes.clone().into(), 0)
        .expect("write the file on the host");
    bytes
}

/// Every file under `dir`, as paths relative to it (none when it does not exist).
fn files_under(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p.strip_prefix(dir).unwrap().display().to_string());
            }
        }
    }
    out.sort();
    out
}

fn get_script(path: &str) -> String {
    format!(
        r#"let s = rtr::session(hosts::find("WS-042"));
           let r = ();
           try {{ r = s.get("{}"); }} catch (e) {{ r = #{{ thrown: e.message }}; }}
           r"#,
        path.replace('\\', "\\\\")
    )
}

#[test]
fn a_multi_mib_file_comes_back_whole_with_falcons_sha256() {
    let t = Tenant::new();
    let bytes = put_file(&t, BIG, 12 * 1024 * 1024 + 7);
    let r = t.script(&get_script(BIG), &[]).ok().json();
    assert!(r.get("thrown").is_none(), "{r}");
    assert_eq!(r["sha256"], sha256(&bytes));
    assert_eq!(r["size"], bytes.len());
    let saved = t.out().join("WS-042/dump.bin");
    assert_eq!(r["path"], saved.display().to_string());
    assert!(
        std::fs::read(&saved).unwrap() == bytes,
        "the saved bytes differ"
    );
    // Besides the case folder, only the file: no archive, no part file.
    let left: Vec<_> = files_under(&t.out())
        .into_iter()
        .filter(|f| !f.starts_with("cases"))
        .collect();
    assert_eq!(left, ["WS-042/dump.bin"]);
    // The case keeps its own copy, named by the sha256, with the same bytes.
    let in_case: Vec<_> = files_under(&t.out().join("cases"))
        .into_iter()
        .filter(|f| f.contains("/files/"))
        .collect();
    assert_eq!(in_case.len(), 1, "{in_case:?}");
    assert!(in_case[0].ends_with(&format!("files/{}", sha256(&bytes))));
    let copy = std::fs::read(t.out().join("cases").join(&in_case[0])).unwrap();
    assert!(copy == bytes, "the case's copy differs");
}

#[test]
fn a_spoiled_archive_or_a_sha256_mismatch_leaves_no_file() {
    for (fault, says) in [
        ("truncated", "cannot open the 7z archive"),
        ("corrupt", "cannot unpack"),
        ("wrong_password", "the password `infected` does not open it"),
        ("other_bytes", "as Falcon reported"),
    ] {
        let t = Tenant::with_scenario(&format!("[faults]\nextracted_archive = \"{fault}\"\n"));
        let bytes = put_file(&t, BIG, 3 * 1024 * 1024);
        let r = t.script(&get_script(BIG), &[]).ok().json();
        let message = r["thrown"]
            .as_str()
            .unwrap_or_else(|| panic!("{fault}: {r}"));
        assert!(
            message.contains(&format!("`{BIG}` was not saved")) && message.contains(says),
            "{fault}: {message}"
        );
        if fault == "other_bytes" {
            assert!(message.contains(&sha256(&bytes)), "{message}");
        }
        // Nothing pretends to be the file: not in the host's folder, not as the archive, not in
        // the case (whose evidence list stays empty).
        let left: Vec<_> = files_under(&t.out())
            .into_iter()
            .filter(|f| {
                !f.starts_with("cases") || f.contains("/files/") || f.ends_with("evidence.jsonl")
            })
            .collect();
        let evidence = left
            .iter()
            .filter(|f| f.ends_with("evidence.jsonl"))
            .map(|f| std::fs::read_to_string(t.out().join(f)).unwrap())
            .collect::<String>();
        assert!(
            evidence.trim().is_empty(),
            "{fault}: evidence recorded: {evidence}"
        );
        assert!(
            left.iter().all(|f| f.ends_with("evidence.jsonl")),
            "{fault}: files left: {left:?}"
        );
    }
}
