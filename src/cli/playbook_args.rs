//! The playbook's `args` map from `--arg KEY=VALUE` (always a string: `--arg host=0042` stays
//! `"0042"`) and `--arg-json KEY=JSON` (typed: numbers, booleans, arrays, maps).

use super::error::Error;
use rhai::{Dynamic, Map};

/// `--arg` and `--arg-json` pairs as the `args` map, each key once.
pub fn arg_map(strings: &[String], json: &[String]) -> Result<Map, Error> {
    let mut args = Map::new();
    let typed = json.iter().map(|p| (p, "--arg-json", parse_arg_json(p)));
    for (pair, flag, parsed) in strings
        .iter()
        .map(|p| (p, "--arg", parse_arg(p)))
        .chain(typed)
    {
        let (key, value) = parsed?;
        if args.insert(key.as_str().into(), value).is_some() {
            return Err(Error::Usage(format!(
                "`{flag} {pair}`: the key `{key}` is given twice"
            )));
        }
    }
    Ok(args)
}

/// `key=value`: the value is the string typed, exactly (a host name like `0042` keeps its zeros).
pub fn parse_arg(pair: &str) -> Result<(String, Dynamic), Error> {
    let (key, value) = split("--arg", pair)?;
    Ok((key, Dynamic::from(value.to_string())))
}

/// `key=JSON`: the value as JSON says (`3`, `true`, `["a","b"]`, `{"k":1}`, `"0042"`).
pub fn parse_arg_json(pair: &str) -> Result<(String, Dynamic), Error> {
    let (key, value) = split("--arg-json", pair)?;
    let json: serde_json::Value = serde_json::from_str(value).map_err(|e| {
        Error::Usage(format!(
            "`--arg-json {pair}`: the value is not JSON ({e}); a plain string goes in `--arg {key}=...`"
        ))
    })?;
    let value = crate::engine::convert::from_json(&json);
    Ok((key, value))
}

fn split<'a>(flag: &str, pair: &'a str) -> Result<(String, &'a str), Error> {
    let Some((key, value)) = pair.split_once('=') else {
        return Err(Error::Usage(format!(
            "`{flag} {pair}` needs the form `key=value`"
        )));
    };
    let key = key.trim();
    if !rhai::is_valid_identifier(key) {
        return Err(Error::Usage(format!(
            "`{flag} {pair}`: `{key}` is not a valid key (letters, digits and `_`)"
        )));
    }
    Ok((key.to_string(), value))
}
