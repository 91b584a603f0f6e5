//! The batch calls' `timeout`, `timeout_duration` and `host_timeout_duration`, validated as the spec
//! states them and simulated: a host that has not finished when its time is up answers 50401.
//!
//! The spec (FalconPy's endpoint module, generated from it since commit 91972e51, 2023-12-22): `timeout`
//! "in seconds, default timeout is 30 seconds. Maximum is 5 minutes."; `timeout_duration` "in duration
//! syntax. Example, `10s`. Valid units: `ns, us, ms, s, m, h`. Maximum is 5 minutes.";
//! `host_timeout_duration` "cannot be greater than the overall request timeout. Maximum is < 5 minutes."
//! Before that commit the maximum was 10 minutes, and psfalcon#321 shows `timeout=600` answered 201
//! in 2023. What Falcon answers today for 601, 0 or `abc` is not public: the emulator follows the spec,
//! and the texts are its own (tests/data/falcon-api/DEVIATIONS.md).

use super::envelope::Fail;
use std::time::Duration;

const MAX: Duration = Duration::from_secs(300);
const DEFAULT: Duration = Duration::from_secs(30);

/// The time each host has: `host_timeout_duration`, else "a tiny bit less than" the request's.
/// `query` reads one query parameter (`Input::query`): this file knows the rules, not the request.
pub fn host_timeout<'a>(query: impl Fn(&str) -> Option<&'a str>) -> Result<Duration, Fail> {
    let overall = match (query("timeout_duration"), query("timeout")) {
        (Some(d), _) => duration("timeout_duration", d)?,
        (None, Some(s)) => {
            let secs: i64 = s.trim().parse().map_err(|_| {
                Fail::bad(format!("`timeout` must be a number of seconds, got `{s}`"))
            })?;
            if secs < 1 {
                return Err(Fail::bad(format!(
                    "`timeout` is {secs}; it must be at least 1 second"
                )));
            }
            Duration::from_secs(secs as u64)
        }
        (None, None) => DEFAULT,
    };
    if overall > MAX {
        return Err(Fail::bad(format!(
            "the request timeout is {}; the maximum is 5 minutes",
            humantime::format_duration(overall)
        )));
    }
    match query("host_timeout_duration") {
        None => Ok(overall
            .saturating_sub(Duration::from_millis(100))
            .max(Duration::from_millis(1))),
        Some(d) => {
            let host = duration("host_timeout_duration", d)?;
            if host > overall {
                return Err(Fail::bad(format!(
                    "`host_timeout_duration` {} cannot be greater than the request timeout {}",
                    humantime::format_duration(host),
                    humantime::format_duration(overall)
                )));
            }
            Ok(host)
        }
    }
}

/// Go's duration syntax (`300ms`, `1m30s`, `1.5h`) with the units the spec lists; above zero.
fn duration(name: &str, text: &str) -> Result<Duration, Fail> {
    let bad = || {
        Fail::bad(format!(
            "`{name}` must be a duration such as `10s` (units: ns, us, ms, s, m, h), got `{text}`"
        ))
    };
    let t = text.trim();
    if t.is_empty() {
        return Err(bad());
    }
    let mut total = 0f64;
    let mut rest = t;
    while !rest.is_empty() {
        let number_end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or_else(bad)?;
        let number: f64 = rest[..number_end].parse().map_err(|_| bad())?;
        rest = &rest[number_end..];
        let unit_end = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let scale = match &rest[..unit_end] {
            "ns" => 1e-9,
            "us" | "µs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return Err(bad()),
        };
        total += number * scale;
        rest = &rest[unit_end..];
    }
    if total <= 0.0 || !total.is_finite() {
        return Err(Fail::bad(format!(
            "`{name}` is `{text}`; it must be more than zero"
        )));
    }
    if total > MAX.as_secs_f64() {
        return Err(Fail::bad(format!(
            "`{name}` is `{text}`; the maximum is 5 minutes"
        )));
    }
    Ok(Duration::from_secs_f64(total))
}

/// How long a script's own waits keep it running on the host: `Start-Sleep [-Seconds] N`,
/// `Start-Sleep -Milliseconds N` and `sleep N` lines (the emulator's scripts do nothing else slow).
pub fn script_runtime(content: &str) -> Duration {
    let mut total = Duration::ZERO;
    for line in content.lines().flat_map(|l| l.split(';')) {
        let words: Vec<&str> = line.split_whitespace().collect();
        let Some(first) = words.first() else { continue };
        let first = first.to_ascii_lowercase();
        if first != "start-sleep" && first != "sleep" {
            continue;
        }
        let millis = words
            .iter()
            .any(|w| w.eq_ignore_ascii_case("-milliseconds") || w.eq_ignore_ascii_case("-m"));
        if let Some(n) = words[1..].iter().find_map(|w| w.parse::<f64>().ok())
            && n.is_finite()
            && n >= 0.0
        {
            total += Duration::from_secs_f64(if millis { n / 1000.0 } else { n }.min(86_400.0));
        }
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host_timeout(q: &[(&str, &str)]) -> Result<Duration, Fail> {
        super::host_timeout(|name| q.iter().find(|(k, _)| *k == name).map(|(_, v)| *v))
    }

    #[test]
    fn the_spec_limits_are_enforced() {
        let ok = |q: &[(&str, &str)]| host_timeout(q).is_ok();
        assert!(ok(&[]) && ok(&[("timeout", "300")]) && ok(&[("timeout_duration", "1m30s")]));
        assert!(
            !ok(&[("timeout", "601")]) && !ok(&[("timeout", "301")]) && !ok(&[("timeout", "0")])
        );
        assert!(!ok(&[("timeout_duration", "6m")]) && !ok(&[("timeout_duration", "abc")]));
        assert!(!ok(&[("timeout_duration", "0s")]) && !ok(&[("timeout_duration", "10")]));
        assert!(!ok(&[("timeout", "10"), ("host_timeout_duration", "20s")]));
        assert_eq!(
            host_timeout(&[
                ("timeout_duration", "1ms"),
                ("host_timeout_duration", "1ms")
            ])
            .unwrap(),
            Duration::from_millis(1)
        );
    }

    #[test]
    fn scripts_take_as_long_as_they_sleep() {
        assert_eq!(
            script_runtime("Start-Sleep -Seconds 10\nWrite-Output hi"),
            Duration::from_secs(10)
        );
        assert_eq!(script_runtime("sleep 2; echo x"), Duration::from_secs(2));
        assert_eq!(
            script_runtime("Start-Sleep -Milliseconds 500"),
            Duration::from_millis(500)
        );
        assert_eq!(script_runtime("echo sleep 5"), Duration::ZERO);
    }
}
