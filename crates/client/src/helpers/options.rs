//! Option maps of the helpers (`#{queue_offline: true, timeout: 60}`): validated once, unknown keys refused.

use super::caller::{Error, Result};
use crate::helper_catalogue::Opt;
use rhai::{Dynamic, Map};
use std::time::Duration;

/// The longest wait any helper option may ask for.
const MAX_SECS: Duration = Duration::from_secs(24 * 60 * 60);

pub struct Options {
    map: Map,
    function: &'static str,
}

impl Options {
    /// Accepts unit (no options) or a map whose keys are all in `allowed` (the helper catalogue's
    /// declaration of the function's options).
    pub fn parse(value: &Dynamic, function: &'static str, allowed: &[Opt]) -> Result<Options> {
        let map = if value.is_unit() {
            Map::new()
        } else if let Some(m) = value.read_lock::<Map>() {
            m.clone()
        } else {
            return Err(Error::new(format!(
                "`{function}` takes its options as a map, got {}",
                value.type_name()
            )));
        };
        if let Some(key) = map
            .keys()
            .find(|k| !allowed.iter().any(|o| o.key == k.as_str()))
        {
            let keys: Vec<&str> = allowed.iter().map(|o| o.key).collect();
            return Err(Error::new(format!(
                "`{function}`: unknown option `{key}`; accepted: {}",
                crate::text::ticked(&keys)
            )));
        }
        Ok(Options { map, function })
    }

    pub fn bool(&self, key: &str, default: bool) -> Result<bool> {
        match self.map.get(key) {
            None => Ok(default),
            Some(v) => v.as_bool().map_err(|t| self.wrong(key, "a boolean", t)),
        }
    }

    /// Seconds as an integer or a float, at least `min` and at most a day (a wait longer than an
    /// incident is a typo, and an unbounded one overflows the clock).
    pub fn secs(&self, key: &str, default: Duration, min: Duration) -> Result<Duration> {
        let Some(v) = self.map.get(key) else {
            return Ok(default);
        };
        let secs = v
            .as_float()
            .or_else(|_| v.as_int().map(|i| i as f64))
            .map_err(|t| self.wrong(key, "a number of seconds", t))?;
        let d = Duration::try_from_secs_f64(secs).map_err(|_| {
            Error::new(format!(
                "`{}`: `{key}` must be a positive number of seconds",
                self.function
            ))
        })?;
        if d > MAX_SECS {
            return Err(Error::new(format!(
                "`{}`: `{key}` must be at most {}s, got {secs}",
                self.function,
                MAX_SECS.as_secs()
            )));
        }
        if d < min {
            return Err(Error::new(format!(
                "`{}`: `{key}` must be at least {}s",
                self.function,
                min.as_secs_f64()
            )));
        }
        Ok(d)
    }

    pub fn count(
        &self,
        key: &str,
        default: usize,
        range: std::ops::RangeInclusive<usize>,
    ) -> Result<usize> {
        let Some(v) = self.map.get(key) else {
            return Ok(default);
        };
        let n = v.as_int().map_err(|t| self.wrong(key, "an integer", t))?;
        usize::try_from(n)
            .ok()
            .filter(|n| range.contains(n))
            .ok_or_else(|| {
                Error::new(format!(
                    "`{}`: `{key}` must be between {} and {}, got {n}",
                    self.function,
                    range.start(),
                    range.end()
                ))
            })
    }

    fn wrong(&self, key: &str, what: &str, got: &str) -> Error {
        Error::new(format!(
            "`{}`: `{key}` must be {what}, got {got}",
            self.function
        ))
    }
}

/// A Rhai array of device ids (or a single id), as strings.
pub fn device_ids(value: &Dynamic, function: &str) -> Result<Vec<String>> {
    if value.is_string() {
        return Ok(vec![value.clone().into_string().unwrap_or_default()]);
    }
    let Some(items) = value.read_lock::<rhai::Array>().map(|a| a.clone()) else {
        return Err(Error::new(format!(
            "`{function}` takes an array of device ids, got {}",
            value.type_name()
        )));
    };
    let mut ids = Vec::with_capacity(items.len());
    for item in items {
        if item.is_string() {
            ids.push(item.into_string().unwrap_or_default());
        } else if let Some(m) = item.read_lock::<Map>() {
            // A device record from `hosts::find_all` works as well as its id.
            match m
                .get("device_id")
                .and_then(|d| d.clone().into_string().ok())
            {
                Some(id) => ids.push(id),
                None => {
                    return Err(Error::new(format!(
                        "`{function}`: a map in the device list has no `device_id`"
                    )));
                }
            }
        } else {
            return Err(Error::new(format!(
                "`{function}`: device ids must be strings, got {}",
                item.type_name()
            )));
        }
    }
    let mut seen = std::collections::HashSet::new();
    ids.retain(|id| seen.insert(id.clone()));
    Ok(ids)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::helper_catalogue::{COMMAND_OPTIONS, EACH_OPTIONS};

    fn map(pairs: &[(&str, Dynamic)]) -> Dynamic {
        Dynamic::from_map(
            pairs
                .iter()
                .map(|(k, v)| ((*k).into(), v.clone()))
                .collect(),
        )
    }

    #[test]
    fn options_are_checked_once() {
        let o = Options::parse(
            &map(&[("timeout", Dynamic::from_float(1.5))]),
            "f",
            COMMAND_OPTIONS,
        )
        .unwrap();
        assert_eq!(
            o.secs("timeout", Duration::ZERO, Duration::ZERO).unwrap(),
            Duration::from_millis(1500)
        );
        let bad = Options::parse(
            &map(&[("tmeout", Dynamic::from_int(1))]),
            "f",
            COMMAND_OPTIONS,
        );
        assert!(
            bad.err()
                .unwrap()
                .message
                .contains("unknown option `tmeout`")
        );
        let o = Options::parse(
            &map(&[("timeout", Dynamic::from("x"))]),
            "f",
            COMMAND_OPTIONS,
        )
        .unwrap();
        assert!(
            o.secs("timeout", Duration::ZERO, Duration::ZERO)
                .unwrap_err()
                .message
                .contains("number of seconds")
        );
        let o = Options::parse(&Dynamic::UNIT, "f", EACH_OPTIONS).unwrap();
        assert_eq!(o.count("concurrency", 8, 1..=64).unwrap(), 8);
    }

    #[test]
    fn device_lists_take_ids_or_records_once_each() {
        let rec = map(&[("device_id", Dynamic::from("b"))]);
        let list = Dynamic::from_array(vec![Dynamic::from("a"), rec, Dynamic::from("a")]);
        assert_eq!(device_ids(&list, "f").unwrap(), ["a", "b"]);
        assert!(device_ids(&Dynamic::from_int(3), "f").is_err());
    }
}
