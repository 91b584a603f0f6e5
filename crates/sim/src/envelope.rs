//! The emulator's answers: Falcon's `{meta, resources, errors}` envelope, raw JSON and binary downloads.
//!
//! Handlers build a [`Reply`] (or fail with a [`Fail`]); the server adds `meta.query_time`,
//! `meta.trace_id`, `meta.powered_by` and the rate-limit headers to every answer.

use super::host::archive::ArchiveFault;
use bytes::Bytes;
use serde_json::{Map, Value, json};

#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub body: Payload,
    pub headers: Vec<(&'static str, String)>,
}

#[derive(Debug)]
pub enum Payload {
    /// `meta` (pagination, writes) and the other top-level keys; `errors` defaults to `[]`.
    Envelope {
        meta: Map<String, Value>,
        top: Map<String, Value>,
    },
    /// A body outside the envelope (the token answer).
    Json(Value),
    Bytes {
        content_type: &'static str,
        bytes: Bytes,
    },
    /// An extracted file, packed into a 7z (password `infected`) after the state lock is released,
    /// spoiled as the scenario's `[faults]` ask.
    Archive {
        name: String,
        bytes: Bytes,
        fault: ArchiveFault,
    },
    /// 204: no body, but still `Content-Type: application/json` as the real API sends.
    Empty,
    /// Fault injection: the connection breaks before a complete answer.
    Dropped,
}

impl Reply {
    fn envelope(status: u16, top: Map<String, Value>) -> Reply {
        Reply {
            status,
            body: Payload::Envelope {
                meta: Map::new(),
                top,
            },
            headers: Vec::new(),
        }
    }

    /// `{meta, resources: [...], errors: []}`.
    pub fn resources(status: u16, resources: Vec<Value>) -> Reply {
        let mut top = Map::new();
        top.insert("resources".into(), Value::Array(resources));
        Reply::envelope(status, top)
    }

    /// `{meta, errors: []}` (`msa.ReplyMetaOnly`).
    pub fn meta_only(status: u16) -> Reply {
        Reply::envelope(status, Map::new())
    }

    /// An envelope whose top-level keys are given (`combined`, `batch_id`, object `resources`).
    pub fn with_top(status: u16, top: Map<String, Value>) -> Reply {
        Reply::envelope(status, top)
    }

    pub fn empty() -> Reply {
        Reply {
            status: 204,
            body: Payload::Empty,
            headers: Vec::new(),
        }
    }

    pub fn json(status: u16, value: Value) -> Reply {
        Reply {
            status,
            body: Payload::Json(value),
            headers: Vec::new(),
        }
    }

    pub fn bytes(content_type: &'static str, bytes: Bytes) -> Reply {
        Reply {
            status: 200,
            body: Payload::Bytes {
                content_type,
                bytes,
            },
            headers: Vec::new(),
        }
    }

    pub fn archive(name: String, bytes: Bytes, fault: ArchiveFault) -> Reply {
        Reply {
            status: 200,
            body: Payload::Archive { name, bytes, fault },
            headers: Vec::new(),
        }
    }

    /// `{meta, errors}`; the server adds `resources: []` where the operation's errors carry it.
    pub fn error(status: u16, message: impl Into<String>) -> Reply {
        let mut top = Map::new();
        top.insert(
            "errors".into(),
            json!([{ "code": status, "message": message.into() }]),
        );
        Reply::envelope(status, top)
    }

    /// Adds `meta.pagination {offset, limit, total}`.
    pub fn paged(mut self, offset: Value, limit: usize, total: usize) -> Reply {
        if let Payload::Envelope { meta, .. } = &mut self.body {
            meta.insert(
                "pagination".into(),
                json!({ "offset": offset, "limit": limit, "total": total }),
            );
        }
        self
    }

    /// Adds a key to `meta` (e.g. `writes`, the scroll `expires_at`).
    pub fn meta(mut self, key: &str, value: Value) -> Reply {
        if let Payload::Envelope { meta, .. } = &mut self.body {
            meta.insert(key.into(), value);
        }
        self
    }

    /// Adds `meta.writes.resources_affected`.
    pub fn writes(self, affected: usize) -> Reply {
        self.meta("writes", json!({ "resources_affected": affected }))
    }

    pub fn header(mut self, name: &'static str, value: String) -> Reply {
        self.headers.push((name, value));
        self
    }
}

/// A failed request: the status and the message that goes to `errors[0].message`.
#[derive(Debug, Clone, PartialEq)]
pub struct Fail {
    pub status: u16,
    pub message: String,
    /// RTR's own error code for `errors[].code` (other APIs put the HTTP status there).
    pub code: Option<u32>,
}

impl Fail {
    pub fn new(status: u16, message: impl Into<String>) -> Fail {
        Fail {
            status,
            message: message.into(),
            code: None,
        }
    }

    /// An RTR error: RTR answers five-digit codes whose first three digits are the HTTP status
    /// (40014 with HTTP 400 in falconpy#55; 40006, 40007, 40401, 50007, 50401 in the captures
    /// listed in tests/data/falcon-api/DEVIATIONS.md), and Falcon's own texts.
    pub fn rtr(code: u32, message: impl Into<String>) -> Fail {
        Fail {
            status: (code / 100) as u16,
            message: message.into(),
            code: Some(code),
        }
    }

    /// What goes to `errors[].code`.
    pub fn code(&self) -> u32 {
        self.code.unwrap_or(u32::from(self.status))
    }

    pub fn bad(message: impl Into<String>) -> Fail {
        Fail::new(400, message)
    }

    pub fn not_found(message: impl Into<String>) -> Fail {
        Fail::new(404, message)
    }

    pub fn into_reply(self) -> Reply {
        let code = self.code();
        let mut reply = Reply::error(self.status, self.message);
        if let Payload::Envelope { top, .. } = &mut reply.body
            && let Some(e) = top.get_mut("errors").and_then(|e| e.get_mut(0))
        {
            e["code"] = json!(code);
        }
        reply
    }
}

pub type Outcome = Result<Reply, Fail>;
