//! Large outputs stored once, by hash, in `blobs.jsonl` (`pack.rs`): a 10,000-host fan-out that
//! prints the same long output on many hosts keeps one copy, and the lines that mention it stay
//! short.

use super::pack::Pack;
use serde::ser::{Error as _, Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::Value;
use std::collections::HashMap;
use std::path::Path;
use std::sync::Mutex;

/// Longer texts go to `blobs.jsonl`; shorter ones stay in the line.
pub const INLINE_MAX: usize = 2048;
/// The key a journaled value uses for a text stored as a blob.
pub const BLOB_KEY: &str = "$falconry_blob";
/// The key that wraps, unchanged, an object of the answer itself that has only [`BLOB_KEY`] or this
/// key: a server's (or a host's) `{"$falconry_blob": "<sha>"}` is kept as it came, never read back
/// as some other output of the case.
const LITERAL_KEY: &str = "$falconry_literal";

/// Whether `m` would be read back as one of the journal's own markers.
fn looks_like_marker(m: &serde_json::Map<String, Value>) -> bool {
    m.len() == 1 && (m.contains_key(BLOB_KEY) || m.contains_key(LITERAL_KEY))
}

/// A record's output as [`Blobs::text`] gives it: the text itself, or `{blob, size}`. Borrowed: a
/// batch's records were 10,000 copies of outputs made only to be written.
#[derive(Debug, PartialEq, serde::Serialize)]
#[serde(untagged)]
pub enum Text<'a> {
    Inline(&'a str),
    Blob { blob: String, size: usize },
}

pub struct Blobs {
    pack: Pack,
    /// Texts stored this run, each with its blob's name.
    memo: Mutex<Memo>,
}

/// A batch's outputs are stored twice, from its journaled answer and from its command records:
/// hashing (and masking) each a second time was a sixth of what the case cost a 10,000-host batch.
/// A text is looked up by a fast hash and compared whole, so two texts never share a blob by a
/// collision. Bounded: past [`MEMO_BYTES`] of texts, a new text is hashed each time it comes.
#[derive(Default)]
struct Memo {
    names: HashMap<Box<str>, String, foldhash::fast::RandomState>,
    bytes: usize,
    /// The secrets known when the names were made: a text is stored masked, and a secret
    /// registered since (a new token) starts the memo over.
    secrets: usize,
}

const MEMO_BYTES: usize = 32 << 20;

impl Memo {
    /// Empty, for texts masked under `secrets`.
    fn reset(&mut self, secrets: usize) {
        *self = Memo {
            secrets,
            ..Memo::default()
        };
    }

    /// Keeps `text`'s name while the memo is within its bound and the secrets are those it was
    /// made under (one registered meanwhile would have masked the text otherwise).
    fn remember(&mut self, secrets: usize, text: &str, sha: &str) {
        if self.secrets == secrets && self.bytes + text.len() <= MEMO_BYTES {
            self.bytes += text.len();
            self.names.insert(text.into(), sha.to_string());
        }
    }
}

impl Blobs {
    pub fn new(case: &Path) -> Blobs {
        Blobs {
            pack: Pack::new(case),
            memo: Mutex::new(Memo::default()),
        }
    }

    /// Stores `text` (once) and returns its hash. Not synced, for a record or for the journal: a
    /// journal line naming a blob is a host's value, itself not synced, and a host whose blob a
    /// crash lost is read back as not done (the blob's hash no longer matches): the resumed run
    /// does the host again, its steps answered from the journal, sending nothing twice. A sync per
    /// blob was most of a 1,000-host batch's time in the case folder, and a second file's sync per
    /// host of an `rtr::each` returning long outputs.
    fn store(&self, text: &str) -> Result<String, String> {
        let secrets = crate::ops::redact::generation();
        if let Some(sha) = self.memo(secrets).names.get(text) {
            return Ok(sha.clone());
        }
        let sha = self.store_new(text)?;
        self.memo(secrets).remember(secrets, text, &sha);
        Ok(sha)
    }

    /// Empties the memo: a batch's outputs, remembered from its journaled answer until its records
    /// named them, are not kept for the rest of the run (tens of megabytes at 10,000 hosts, memory
    /// the playbook's values then take instead of fresh pages).
    pub fn forget(&self) {
        let mut m = self.memo.lock().unwrap_or_else(|p| p.into_inner());
        let secrets = m.secrets;
        m.reset(secrets);
    }

    /// The memo, emptied first if it was made under other secrets than `secrets`.
    fn memo(&self, secrets: usize) -> std::sync::MutexGuard<'_, Memo> {
        let mut m = self.memo.lock().unwrap_or_else(|p| p.into_inner());
        if m.secrets != secrets {
            m.reset(secrets);
        }
        m
    }

    fn store_new(&self, text: &str) -> Result<String, String> {
        let text = &*crate::ops::redact::clean(text);
        let sha = crate::engine::hashing::sha256_hex(text.as_bytes());
        // A text an earlier run stored is trusted once its bytes match its name: a crash may
        // have torn its line, or never written it.
        self.pack.keep(&sha, || Pack::encode(&sha, text))?;
        Ok(sha)
    }

    /// Writes the stored texts still in memory: called before a line that names one is written.
    pub fn flush(&self) -> Result<(), String> {
        self.pack.flush()
    }

    /// Stores the long texts of `value` ahead, on every core (masked, hashed and encoded apart,
    /// appended in order): a 10,000-host batch's answer held 5,644 distinct outputs, each taken in
    /// turn while the playbook waited. The namer then names each text by where it lies in `value`.
    pub fn namer<'a>(&'a self, value: &'a Value) -> Namer<'a> {
        let mut long = Vec::new();
        long_texts(value, &mut long);
        let mut namer = Namer {
            blobs: self,
            known: HashMap::default(),
        };
        let threads = crate::engine::parallel::threads_for(long.len());
        if threads < 2 {
            return namer;
        }
        let secrets = crate::ops::redact::generation();
        let prepare = |text: &str| -> Result<(String, Option<Vec<u8>>), String> {
            let clean = crate::ops::redact::clean(text);
            let sha = crate::engine::hashing::sha256_hex(clean.as_bytes());
            let line = if self.pack.holds(&sha) {
                None
            } else {
                Some(Pack::encode(&sha, &clean)?)
            };
            Ok((sha, line))
        };
        let prepared = crate::engine::parallel::map(long.clone(), threads, prepare);
        let mut memo = self.memo(secrets);
        for (text, done) in long.iter().zip(prepared) {
            // One that fails is stored again as it is serialised, and fails there with its reason.
            let Ok((sha, line)) = done else { continue };
            // Encoded ahead unless held then; held or not now, the pack decides under its lock.
            let line = || match line {
                Some(line) => Ok(line),
                None => Pack::encode(&sha, &crate::ops::redact::clean(text)),
            };
            if self.pack.keep(&sha, line).is_err() {
                continue;
            }
            memo.remember(secrets, text, &sha);
            namer
                .known
                .insert((text.as_ptr() as usize, text.len()), sha);
        }
        namer
    }

    /// A text as a record holds it: itself when short, `{blob, size}` when long.
    pub fn text<'a>(&self, text: &'a str) -> Text<'a> {
        if text.len() <= INLINE_MAX {
            return Text::Inline(text);
        }
        match self.store(text) {
            Ok(sha) => Text::Blob {
                blob: sha,
                size: text.len(),
            },
            // A record is better with its output inline than without it.
            Err(_) => Text::Inline(text),
        }
    }

    /// `value` with every long string replaced by `{"$falconry_blob": sha}` (for the journal).
    pub fn externalize(&self, value: &Value) -> Result<Value, String> {
        serde_json::to_value(External(value, &self.namer(value))).map_err(|e| e.to_string())
    }

    /// The inverse of [`Blobs::externalize`].
    pub fn internalize(&self, value: Value) -> Result<Value, String> {
        Ok(match value {
            Value::Object(mut m) if m.len() == 1 && m.contains_key(LITERAL_KEY) => {
                m.remove(LITERAL_KEY).unwrap_or_default()
            }
            Value::Object(m) if m.len() == 1 && m.contains_key(BLOB_KEY) => {
                let sha = m[BLOB_KEY].as_str().unwrap_or_default();
                Value::String(self.pack.read(sha)?)
            }
            Value::Array(a) => Value::Array(
                a.into_iter()
                    .map(|v| self.internalize(v))
                    .collect::<Result<_, _>>()?,
            ),
            Value::Object(m) => Value::Object(
                m.into_iter()
                    .map(|(k, v)| Ok((k, self.internalize(v)?)))
                    .collect::<Result<_, String>>()?,
            ),
            other => other,
        })
    }
}

/// The names of a value's long texts stored ahead ([`Blobs::namer`]), by the address and length of
/// each in the value: it is borrowed, so unchanged, while the namer lives. Other texts are stored
/// as they come.
pub struct Namer<'a> {
    blobs: &'a Blobs,
    known: HashMap<(usize, usize), String, foldhash::fast::RandomState>,
}

impl Namer<'_> {
    fn name(&self, text: &str) -> Result<String, String> {
        match self.known.get(&(text.as_ptr() as usize, text.len())) {
            Some(sha) => Ok(sha.clone()),
            None => self.blobs.store(text),
        }
    }
}

/// Every string of `value` long enough for a blob.
fn long_texts<'a>(value: &'a Value, out: &mut Vec<&'a str>) {
    match value {
        Value::String(t) if t.len() > INLINE_MAX => out.push(t),
        Value::Array(a) => a.iter().for_each(|v| long_texts(v, out)),
        Value::Object(o) => o.values().for_each(|v| long_texts(v, out)),
        _ => {}
    }
}

/// `value` as [`Blobs::externalize`] makes it, written as it is serialised: a batch answer's body
/// (tens of megabytes of outputs) goes to the journal without a copy, its long outputs as blobs.
pub struct External<'a>(pub &'a Value, pub &'a Namer<'a>);

impl Serialize for External<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Value::String(t) if t.len() > INLINE_MAX => {
                let sha = self.1.name(t).map_err(S::Error::custom)?;
                let mut m = s.serialize_map(Some(1))?;
                m.serialize_entry(BLOB_KEY, &sha)?;
                m.end()
            }
            Value::Array(a) => {
                let mut seq = s.serialize_seq(Some(a.len()))?;
                for v in a {
                    seq.serialize_element(&External(v, self.1))?;
                }
                seq.end()
            }
            Value::Object(o) if looks_like_marker(o) => {
                let mut m = s.serialize_map(Some(1))?;
                m.serialize_entry(LITERAL_KEY, o)?;
                m.end()
            }
            Value::Object(o) => {
                let mut m = s.serialize_map(Some(o.len()))?;
                for (k, v) in o {
                    m.serialize_entry(k, &External(v, self.1))?;
                }
                m.end()
            }
            other => other.serialize(s),
        }
    }
}

/// A record's text: inline, or read from its blob and checked against its name; the reason when
/// it cannot be read.
pub fn resolve(pack: &Pack, v: &Value) -> Result<String, String> {
    match v {
        Value::String(s) => Ok(s.clone()),
        Value::Object(m) => match m.get("blob").and_then(Value::as_str) {
            Some(sha) => pack.read(sha),
            None => Ok(String::new()),
        },
        _ => Ok(String::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn long_texts_are_stored_once_and_come_back_whole() {
        let dir = tempfile::tempdir().unwrap();
        let blobs = Blobs::new(dir.path());
        let long = "x".repeat(INLINE_MAX + 1);
        let v = json!({ "a": long, "b": ["short", long], "n": 3 });
        let out = blobs.externalize(&v).unwrap();
        assert_eq!(out["b"][0], "short");
        assert!(out["a"][BLOB_KEY].is_string());
        blobs.flush().unwrap();
        let pack = std::fs::read_to_string(dir.path().join(super::super::folder::PACK_FILE));
        assert_eq!(pack.unwrap().lines().count(), 1, "stored once");
        assert_eq!(blobs.internalize(out).unwrap(), v);
        assert_eq!(json!(blobs.text("short")), json!("short"));
        let named = json!(blobs.text(&long));
        blobs.flush().unwrap();
        assert_eq!(resolve(&Pack::new(dir.path()), &named).unwrap(), long);
    }

    /// Enough long texts to be stored ahead on every core: named as one by one, each stored once.
    #[test]
    fn texts_stored_ahead_are_named_as_texts_stored_one_by_one() {
        let dir = tempfile::tempdir().unwrap();
        let texts: Vec<String> = (0..300)
            .map(|i| format!("{}{}", i % 150, "p".repeat(INLINE_MAX)))
            .collect();
        let v = json!({ "hosts": texts, "other": { "one": texts[7] } });
        let ahead = Blobs::new(dir.path());
        let out = ahead.externalize(&v).unwrap();
        let one = tempfile::tempdir().unwrap();
        let by_one = Blobs::new(one.path());
        let expected: Vec<Value> = texts
            .iter()
            .map(|t| json!({ BLOB_KEY: by_one.store(t).unwrap() }))
            .collect();
        assert_eq!(out["hosts"], json!(expected));
        assert_eq!(out["other"]["one"], expected[7]);
        ahead.flush().unwrap();
        let pack = std::fs::read_to_string(dir.path().join(super::super::folder::PACK_FILE));
        assert_eq!(
            pack.unwrap().lines().count(),
            150,
            "each distinct text once"
        );
        assert_eq!(ahead.internalize(out).unwrap(), v);
    }

    #[test]
    fn a_resumed_run_stores_again_a_blob_a_crash_lost() {
        let dir = tempfile::tempdir().unwrap();
        let long = "y".repeat(INLINE_MAX + 1);
        let recorded = json!(Blobs::new(dir.path()).text(&long));
        let sha = recorded["blob"].as_str().unwrap().to_string();
        // As a machine crash may leave a pack nobody synced.
        std::fs::write(dir.path().join(super::super::folder::PACK_FILE), "").unwrap();
        let resumed = Blobs::new(dir.path());
        let journaled = resumed.externalize(&json!([long])).unwrap();
        assert_eq!(journaled[0][BLOB_KEY], json!(sha));
        resumed.flush().unwrap();
        assert_eq!(Pack::new(dir.path()).read(&sha).unwrap(), long);
    }

    #[test]
    fn a_text_stored_again_is_named_from_the_memo_until_a_secret_is_registered() {
        let dir = tempfile::tempdir().unwrap();
        let blobs = Blobs::new(dir.path());
        let secret = "memo-test-secret-7f3a9c";
        let long = format!("{}{secret}", "z".repeat(INLINE_MAX));
        let first = json!(blobs.text(&long));
        assert_eq!(json!(blobs.text(&long)), first);
        assert_eq!(blobs.memo.lock().unwrap().names.len(), 1);
        // Registered after the text was first stored: stored again, masked, under another name.
        crate::ops::redact::register(secret);
        let masked = json!(blobs.text(&long));
        assert_ne!(masked, first);
        blobs.flush().unwrap();
        let stored = resolve(&Pack::new(dir.path()), &masked).unwrap();
        assert!(!stored.contains(secret) && stored.contains("<redacted>"));
    }

    /// An answer that itself holds the journal's marker comes back as it was, not as a blob.
    #[test]
    fn an_object_shaped_like_a_marker_comes_back_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let blobs = Blobs::new(dir.path());
        let stored = json!(blobs.text(&"s".repeat(INLINE_MAX + 1)));
        let sha = stored["blob"].as_str().unwrap();
        let v = json!({
            "a": { BLOB_KEY: sha },
            "b": [{ LITERAL_KEY: { BLOB_KEY: sha } }],
            "c": { BLOB_KEY: sha, "other": 1 },
        });
        let out = blobs.externalize(&v).unwrap();
        assert_eq!(blobs.internalize(out).unwrap(), v);
    }
}
