//! An answer from the API: the type the client returns and the engine, safety and rtr layers read.

use serde_json::Value;

/// An answer from the API, shaped as FalconPy returns it.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    /// Header names lower-cased, in arrival order.
    pub headers: Vec<(String, String)>,
    /// The JSON envelope (`meta`, `resources`, `errors`), or `{}` for an empty body.
    pub body: Value,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn trace_id(&self) -> Option<String> {
        self.header("x-cs-traceid").map(str::to_string).or_else(|| {
            self.body
                .pointer("/meta/trace_id")
                .and_then(Value::as_str)
                .map(str::to_string)
        })
    }

    /// The API's error messages (`errors[].message`), as every error report shows them.
    pub fn error_messages(&self) -> Vec<String> {
        self.body
            .get("errors")
            .and_then(Value::as_array)
            .map(|errs| {
                errs.iter()
                    .filter_map(|e| e.get("message").and_then(Value::as_str).map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    }
}
