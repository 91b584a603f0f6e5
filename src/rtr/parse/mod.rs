//! Placeholder until the RTR output parsers land from main: no command output is parsed yet.

use serde_json::Value;

pub fn parse(_base_command: &str, _platform: &str, _stdout: &str) -> Option<(&'static str, Value)> {
    None
}
