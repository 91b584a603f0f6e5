//! The Falcon Query Language subset the emulator filters and sorts by.
//!
//! Supported: `field:'value'` equality (case-insensitive), `*` wildcards, `+` (or a space, which is
//! what an unencoded `+` becomes) for and, `,` for or, parentheses, `[a,b]` value lists (an exact
//! match, case included: "Using square brackets will restrict results to exact matches (including
//! case)", PSFalcon's wiki "Filtering Results"; falcon-mcp's FQL guide says the same),
//! `:>`, `:>=`, `:<`, `:<=` on numbers and timestamps (`'now-1d'` allowed), `!` negation both as
//! `!field:v` and `field:!v`, `:~` substring match, dotted paths into nested records. And binds
//! tighter than or.

use serde_json::Value;
use std::cmp::Ordering;
use std::time::{Duration, SystemTime};

#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    Or(Vec<Filter>),
    And(Vec<Filter>),
    Not(Box<Filter>),
    Compare {
        field: String,
        op: Op,
        values: Vec<String>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Op {
    Eq,
    /// A value in square brackets: equal as written, case included, no wildcards.
    Exact,
    Gt,
    Ge,
    Lt,
    Le,
    Contains,
}

/// How deep parentheses and negations may nest. Parsing, matching and dropping a filter recurse
/// once per level, so an unbounded depth would overflow a server thread's stack.
pub const MAX_DEPTH: usize = 64;

/// Parses a filter; the error says where it went wrong.
pub fn parse(text: &str) -> Result<Filter, String> {
    let mut p = Parser {
        chars: text.chars().collect(),
        pos: 0,
        depth: 0,
    };
    p.skip_ws();
    let filter = p.or()?;
    p.skip_ws();
    if p.pos < p.chars.len() {
        return Err(format!(
            "invalid filter `{}`: unexpected `{}` at offset {}",
            shown(&p.chars),
            p.chars[p.pos],
            p.pos
        ));
    }
    Ok(filter)
}

/// The filter as an error message quotes it: long ones are cut (a hostile filter may be huge).
fn shown(chars: &[char]) -> String {
    const SHOWN: usize = 100;
    if chars.len() <= SHOWN {
        return chars.iter().collect();
    }
    let head: String = chars[..SHOWN].iter().collect();
    format!("{head}... ({} characters)", chars.len())
}

struct Parser {
    chars: Vec<char>,
    pos: usize,
    /// Parentheses and negations open around the current position.
    depth: usize,
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.pos += 1;
        }
    }

    fn error(&self, what: &str) -> String {
        format!(
            "invalid filter `{}`: {what} at offset {}",
            shown(&self.chars),
            self.pos
        )
    }

    fn or(&mut self) -> Result<Filter, String> {
        let mut parts = vec![self.and()?];
        while self.peek() == Some(',') {
            self.pos += 1;
            self.skip_ws();
            parts.push(self.and()?);
        }
        Ok(if parts.len() == 1 {
            parts.pop().unwrap_or(Filter::And(Vec::new()))
        } else {
            Filter::Or(parts)
        })
    }

    fn and(&mut self) -> Result<Filter, String> {
        let mut parts = vec![self.unary()?];
        loop {
            let start = self.pos;
            self.skip_ws();
            if self.peek() == Some('+') {
                self.pos += 1;
                self.skip_ws();
            } else if self.pos == start || matches!(self.peek(), None | Some(',') | Some(')')) {
                break;
            }
            parts.push(self.unary()?);
        }
        Ok(if parts.len() == 1 {
            parts.pop().unwrap_or(Filter::And(Vec::new()))
        } else {
            Filter::And(parts)
        })
    }

    fn unary(&mut self) -> Result<Filter, String> {
        if !matches!(self.peek(), Some('!' | '(')) {
            return self.compare();
        }
        if self.depth >= MAX_DEPTH {
            return Err(self.error(&format!(
                "parentheses and negations nest deeper than {MAX_DEPTH} levels"
            )));
        }
        self.depth += 1;
        let inner = self.nested();
        self.depth -= 1;
        inner
    }

    /// `!expr` or `(expr)`, one level deeper.
    fn nested(&mut self) -> Result<Filter, String> {
        self.pos += 1;
        if self.chars[self.pos - 1] == '!' {
            return Ok(Filter::Not(Box::new(self.unary()?)));
        }
        self.skip_ws();
        let inner = self.or()?;
        self.skip_ws();
        if self.peek() != Some(')') {
            return Err(self.error("missing `)`"));
        }
        self.pos += 1;
        Ok(inner)
    }

    fn compare(&mut self) -> Result<Filter, String> {
        let start = self.pos;
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-')
        {
            self.pos += 1;
        }
        if self.pos == start {
            return Err(self.error("expected a field name"));
        }
        let field: String = self.chars[start..self.pos].iter().collect();
        if self.peek() != Some(':') {
            return Err(self.error(&format!("expected `:` after `{field}`")));
        }
        self.pos += 1;
        let mut negate = false;
        if self.peek() == Some('!') {
            negate = true;
            self.pos += 1;
        }
        let op = match self.peek() {
            Some('>') | Some('<') => {
                let c = self.peek();
                self.pos += 1;
                let eq = self.peek() == Some('=');
                if eq {
                    self.pos += 1;
                }
                match (c, eq) {
                    (Some('>'), false) => Op::Gt,
                    (Some('>'), true) => Op::Ge,
                    (_, false) => Op::Lt,
                    _ => Op::Le,
                }
            }
            Some('~') => {
                self.pos += 1;
                Op::Contains
            }
            Some('*') if matches!(self.chars.get(self.pos + 1), Some('\'') | Some('"')) => {
                // `field:*'pat*'`: the quoted value carries the wildcards.
                self.pos += 1;
                Op::Eq
            }
            _ => Op::Eq,
        };
        let bracketed = self.peek() == Some('[');
        let values = self.values()?;
        let op = if bracketed && op == Op::Eq {
            Op::Exact
        } else {
            op
        };
        let cmp = Filter::Compare { field, op, values };
        Ok(if negate {
            Filter::Not(Box::new(cmp))
        } else {
            cmp
        })
    }

    fn values(&mut self) -> Result<Vec<String>, String> {
        if self.peek() != Some('[') {
            return Ok(vec![self.literal()?]);
        }
        self.pos += 1;
        let mut values = Vec::new();
        loop {
            self.skip_ws();
            if self.peek() == Some(']') {
                self.pos += 1;
                return Ok(values);
            }
            values.push(self.literal()?);
            self.skip_ws();
            match self.peek() {
                Some(',') => self.pos += 1,
                Some(']') => {}
                _ => return Err(self.error("expected `,` or `]` in a value list")),
            }
        }
    }

    fn literal(&mut self) -> Result<String, String> {
        match self.peek() {
            Some(q @ ('\'' | '"')) => {
                self.pos += 1;
                let mut out = String::new();
                loop {
                    match self.peek() {
                        None => return Err(self.error("unterminated quoted value")),
                        Some('\\') if self.chars.get(self.pos + 1) == Some(&q) => {
                            out.push(q);
                            self.pos += 2;
                        }
                        Some(c) if c == q => {
                            self.pos += 1;
                            return Ok(out);
                        }
                        Some(c) => {
                            out.push(c);
                            self.pos += 1;
                        }
                    }
                }
            }
            _ => {
                let start = self.pos;
                while self
                    .peek()
                    .is_some_and(|c| !matches!(c, '+' | ',' | ')' | ']') && !c.is_whitespace())
                {
                    self.pos += 1;
                }
                if self.pos == start {
                    return Err(self.error("expected a value"));
                }
                Ok(self.chars[start..self.pos].iter().collect())
            }
        }
    }
}

impl Filter {
    pub fn matches(&self, record: &Value) -> bool {
        match self {
            Filter::Or(parts) => parts.iter().any(|f| f.matches(record)),
            Filter::And(parts) => parts.iter().all(|f| f.matches(record)),
            Filter::Not(inner) => !inner.matches(record),
            Filter::Compare { field, op, values } => {
                let mut found = Vec::new();
                collect(record, field, &mut found);
                found
                    .iter()
                    .any(|v| values.iter().any(|lit| compare(v, *op, lit)))
            }
        }
    }

    /// Every field the filter names (the emulator checks them against the queryable fields).
    pub fn fields(&self) -> Vec<&str> {
        match self {
            Filter::Or(parts) | Filter::And(parts) => {
                parts.iter().flat_map(Filter::fields).collect()
            }
            Filter::Not(inner) => inner.fields(),
            Filter::Compare { field, .. } => vec![field.as_str()],
        }
    }
}

/// The values at a dotted path; arrays along the way match element-wise.
fn collect<'a>(value: &'a Value, path: &str, out: &mut Vec<&'a Value>) {
    let (head, rest) = match path.split_once('.') {
        Some((h, r)) => (h, Some(r)),
        None => (path, None),
    };
    match value {
        Value::Array(items) => items.iter().for_each(|v| collect(v, path, out)),
        Value::Object(map) => match (map.get(head), rest) {
            (Some(Value::Array(items)), None) => out.extend(items.iter()),
            (Some(v), None) => out.push(v),
            (Some(v), Some(rest)) => collect(v, rest, out),
            (None, _) => {}
        },
        _ => {}
    }
}

fn text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn compare(value: &Value, op: Op, literal: &str) -> bool {
    let Some(actual) = text(value) else {
        return false;
    };
    match op {
        Op::Eq if literal.contains('*') => glob(&actual.to_lowercase(), &literal.to_lowercase()),
        Op::Eq => actual.eq_ignore_ascii_case(literal),
        Op::Exact => actual == literal,
        Op::Contains => actual.to_lowercase().contains(&literal.to_lowercase()),
        Op::Gt | Op::Ge | Op::Lt | Op::Le => {
            let literal = relative_time(literal).unwrap_or_else(|| literal.to_string());
            let ordering = match (actual.parse::<f64>(), literal.parse::<f64>()) {
                (Ok(a), Ok(b)) => a.partial_cmp(&b).unwrap_or(Ordering::Equal),
                // RFC 3339 timestamps in UTC order as strings.
                _ => actual.as_str().cmp(literal.as_str()),
            };
            match op {
                Op::Gt => ordering == Ordering::Greater,
                Op::Ge => ordering != Ordering::Less,
                Op::Lt => ordering == Ordering::Less,
                _ => ordering != Ordering::Greater,
            }
        }
    }
}

/// `now`, `now-2h`, `now+1d` as an RFC 3339 timestamp; anything else (`now€`, an amount that
/// overflows) is not a relative time. Read by characters: the literal is arbitrary user text.
fn relative_time(literal: &str) -> Option<String> {
    let rest = literal.strip_prefix("now")?;
    let now = SystemTime::now();
    if rest.is_empty() {
        return Some(crate::time::stamp(now));
    }
    let (later, amount) = match (rest.strip_prefix('-'), rest.strip_prefix('+')) {
        (Some(amount), _) => (false, amount),
        (_, Some(amount)) => (true, amount),
        _ => return None,
    };
    let mut chars = amount.chars();
    let unit = chars.next_back()?;
    let n: u64 = chars.as_str().parse().ok()?;
    let secs = n.checked_mul(match unit {
        's' => 1,
        'm' => 60,
        'h' => 3600,
        'd' => 86400,
        'w' => 604_800,
        _ => return None,
    })?;
    let at = if later {
        now.checked_add(Duration::from_secs(secs))?
    } else {
        now.checked_sub(Duration::from_secs(secs))?
    };
    Some(crate::time::stamp(at))
}

/// `*` matches any run of characters.
fn glob(text: &str, pattern: &str) -> bool {
    let mut parts = pattern.split('*');
    let first = parts.next().unwrap_or("");
    let Some(mut rest) = text.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    for (i, part) in parts.iter().enumerate() {
        if i == parts.len() - 1 {
            return rest.ends_with(part);
        }
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    rest.is_empty()
}

/// A parsed `sort` parameter: `field.asc`, `field.desc`, `field|asc`, `field|desc` or `field`.
#[derive(Debug, Clone, PartialEq)]
pub struct Sort {
    pub field: String,
    pub descending: bool,
}

impl Sort {
    pub fn parse(text: &str) -> Result<Sort, String> {
        let text = text.trim();
        let (field, dir) = match text.rsplit_once('|').or_else(|| text.rsplit_once('.')) {
            Some((f, d)) if d.eq_ignore_ascii_case("asc") || d.eq_ignore_ascii_case("desc") => {
                (f, d)
            }
            _ => (text, "asc"),
        };
        if field.is_empty() {
            return Err(format!(
                "invalid sort `{text}`: expected `field.asc` or `field.desc`"
            ));
        }
        Ok(Sort {
            field: field.to_string(),
            descending: dir.eq_ignore_ascii_case("desc"),
        })
    }

    pub fn compare(&self, a: &Value, b: &Value) -> Ordering {
        let key = |v: &Value| {
            let mut found = Vec::new();
            collect(v, &self.field, &mut found);
            found.first().and_then(|v| text(v))
        };
        let ordering = match (key(a), key(b)) {
            (Some(x), Some(y)) => match (x.parse::<f64>(), y.parse::<f64>()) {
                (Ok(x), Ok(y)) => x.partial_cmp(&y).unwrap_or(Ordering::Equal),
                _ => x.to_lowercase().cmp(&y.to_lowercase()),
            },
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        };
        if self.descending {
            ordering.reverse()
        } else {
            ordering
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn host() -> Value {
        json!({
            "hostname": "WS-042", "platform_name": "Windows", "cpu": 8,
            "last_seen": "2026-01-02T03:04:05Z", "groups": ["g1", "g2"],
            "policy": {"id": "p1"}, "note": "it's"
        })
    }

    fn is(filter: &str) -> bool {
        parse(filter).unwrap().matches(&host())
    }

    #[test]
    fn equality_wildcards_and_negation() {
        assert!(is("hostname:'ws-042'"));
        assert!(is("hostname:'WS-*'"));
        assert!(is("hostname:*'*42'"));
        assert!(!is("hostname:'WS-1*'"));
        assert!(is("hostname:!'x'"));
        assert!(is("!hostname:'x'"));
        assert!(!is("!platform_name:'Windows'"));
        assert!(is("groups:'g2'"));
        assert!(is("policy.id:'p1'"));
        assert!(is("note:'it\\'s'"));
        assert!(is("hostname:['a','WS-042']"));
        // Square brackets: exact, case included (PSFalcon wiki, "Filtering Results").
        assert!(!is("hostname:['ws-042']"));
        assert!(!is("hostname:['WS-*']"));
        assert!(is("platform_name:Windows"));
    }

    #[test]
    fn and_or_and_comparisons() {
        assert!(is("platform_name:'Windows'+cpu:>4"));
        assert!(is("platform_name:'Windows' cpu:>=8"));
        assert!(!is("platform_name:'Linux'+cpu:>4"));
        assert!(is("platform_name:'Linux',cpu:<9"));
        assert!(is("(platform_name:'Linux',cpu:<9)+hostname:'WS*'"));
        assert!(is("last_seen:>'2026-01-01'"));
        assert!(!is("last_seen:<='2025-12-31T00:00:00Z'"));
        assert!(is("last_seen:<'now'"));
        assert!(is("hostname:~'s-04'"));
    }

    #[test]
    fn errors_name_the_problem() {
        assert!(parse("hostname").unwrap_err().contains("expected `:`"));
        assert!(parse("hostname:'x").unwrap_err().contains("unterminated"));
        assert!(parse("(a:1").unwrap_err().contains("`)`"));
    }

    #[test]
    fn any_text_gets_an_answer_never_a_panic() {
        assert!(is("last_seen:<'now'"));
        assert!(!is("last_seen:>'now€'"));
        assert!(!is("last_seen:>'now-€'"));
        assert!(!is("last_seen:>'now-99999999999999999999w'"));
        assert!(!is("last_seen:>'now-9999999999999999w'"));
        assert!(is("hostname:!'€'"));
        let deep = format!("{}hostname:'x'{}", "(".repeat(5000), ")".repeat(5000));
        assert!(parse(&deep).unwrap_err().contains("deeper than 64"));
        assert!(
            parse(&"!".repeat(5000))
                .unwrap_err()
                .contains("deeper than 64")
        );
        let ok = format!("{}hostname:'WS-042'{}", "(".repeat(64), ")".repeat(64));
        assert!(is(&ok));
        assert!(is(&format!("{}hostname:'WS-042'", "!".repeat(64))));
    }

    #[test]
    fn sorts_both_spellings() {
        let s = Sort::parse("hostname|desc").unwrap();
        assert_eq!((s.field.as_str(), s.descending), ("hostname", true));
        let s = Sort::parse("created_timestamp.asc").unwrap();
        assert_eq!(
            (s.field.as_str(), s.descending),
            ("created_timestamp", false)
        );
        let s = Sort::parse("cpu").unwrap();
        assert!(!s.descending);
        assert_eq!(
            s.compare(&json!({"cpu": 10}), &json!({"cpu": 9})),
            Ordering::Greater
        );
    }
}
