//! The desired state: per platform, the policies in precedence order, the default policy's settings
//! and whether the file owns the platform. Validated once from the tree a file or a map gives.

use super::error::{Error, Result};
use super::source::Source;
use super::{DEFAULT_POLICY, PLATFORMS, SETTINGS, applies, hint};
use serde_json::{Map, Value};

#[derive(Clone, Debug, PartialEq)]
pub struct Desired {
    /// Only the platforms the file names, in [`PLATFORMS`] order.
    pub platforms: Vec<Platform>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Platform {
    pub name: &'static str,
    /// Policies of the platform that the file does not list are deleted.
    pub exclusive: bool,
    /// The `platform_default` policy's settings (parallel to [`SETTINGS`]), when the file lists it.
    pub default: Option<Vec<bool>>,
    /// Highest precedence first.
    pub policies: Vec<Policy>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Policy {
    pub name: String,
    pub description: String,
    pub enabled: bool,
    /// Parallel to [`SETTINGS`]; a setting the file does not list is off.
    pub settings: Vec<bool>,
    /// Host group names, each with its path in the source (for "no such group" errors).
    pub groups: Vec<(String, String)>,
}

const TOP_KEYS: &[&str] = &["platforms", "policies"];
const PLATFORM_KEYS: &[&str] = &["exclusive"];
const POLICY_KEYS: &[&str] = &[
    "name",
    "platform",
    "description",
    "enabled",
    "groups",
    "settings",
];

impl Desired {
    pub fn from_value(value: &Value, source: &Source) -> Result<Desired> {
        let top = table(value, "", source)?;
        known_keys(top, "", TOP_KEYS, source)?;
        let mut platforms: Vec<Platform> = Vec::new();
        if let Some(v) = top.get("platforms") {
            for (name, spec) in table(v, "platforms", source)? {
                let path = format!("platforms.{name}");
                let name = platform_name(name, &path, source)?;
                let spec = table(spec, &path, source)?;
                known_keys(spec, &path, PLATFORM_KEYS, source)?;
                let exclusive = match spec.get("exclusive") {
                    Some(v) => boolean(v, &format!("{path}.exclusive"), source)?,
                    None => false,
                };
                entry(&mut platforms, name).exclusive = exclusive;
            }
        }
        let list = match top.get("policies") {
            Some(Value::Array(items)) => items.as_slice(),
            Some(_) => {
                return Err(source.error(
                    "policies",
                    "`policies` must be a list of tables (`[[policies]]`)",
                ));
            }
            None => &[],
        };
        // (platform, name key) of each policy listed: a second listing is an error, found in one look.
        let mut seen = std::collections::HashSet::new();
        for (i, item) in list.iter().enumerate() {
            let path = format!("policies[{i}]");
            let spec = table(item, &path, source)?;
            known_keys(spec, &path, POLICY_KEYS, source)?;
            // Falcon trims names: a trailing space must not make a near-duplicate policy.
            let name = string(spec.get("name"), &format!("{path}.name"), source)?
                .trim()
                .to_string();
            if name.is_empty() {
                return Err(source.error(&format!("{path}.name"), "`name` must not be empty"));
            }
            let platform_path = format!("{path}.platform");
            let platform = string(spec.get("platform"), &platform_path, source)?;
            let platform = platform_name(&platform, &platform_path, source)?;
            let settings = settings(
                spec.get("settings"),
                &format!("{path}.settings"),
                platform,
                source,
            )?;
            let p = entry(&mut platforms, platform);
            // The default policy in any spelling (`Platform_Default`) is the default, never a new one.
            if super::names::same(&name, DEFAULT_POLICY) {
                for key in ["enabled", "groups"] {
                    if spec.contains_key(key) {
                        return Err(source.error(
                            &format!("{path}.{key}"),
                            format!("`{key}` does not apply to `{DEFAULT_POLICY}`: it is always enabled and applies to every host no other policy takes"),
                        ));
                    }
                }
                if p.default.is_some() {
                    return Err(source.error(
                        &path,
                        format!("`{DEFAULT_POLICY}` of {platform} is listed twice"),
                    ));
                }
                p.default = Some(settings);
                continue;
            }
            if !seen.insert((platform, super::names::key(&name))) {
                return Err(source.error(
                    &format!("{path}.name"),
                    format!("{platform} policy `{name}` is listed twice"),
                ));
            }
            let description = match spec.get("description") {
                Some(v) => string(Some(v), &format!("{path}.description"), source)?,
                None => String::new(),
            };
            let enabled = match spec.get("enabled") {
                Some(v) => boolean(v, &format!("{path}.enabled"), source)?,
                None => true,
            };
            let mut groups: Vec<(String, String)> = Vec::new();
            match spec.get("groups") {
                None => {}
                Some(Value::Array(names)) => {
                    for (j, g) in names.iter().enumerate() {
                        let gpath = format!("{path}.groups[{j}]");
                        let g = string(Some(g), &gpath, source)?;
                        if groups.iter().any(|(n, _)| n.eq_ignore_ascii_case(&g)) {
                            return Err(
                                source.error(&gpath, format!("host group `{g}` is listed twice"))
                            );
                        }
                        groups.push((g, gpath));
                    }
                }
                Some(_) => {
                    return Err(source.error(
                        &format!("{path}.groups"),
                        "`groups` must be a list of host group names",
                    ));
                }
            }
            p.policies.push(Policy {
                name,
                description,
                enabled,
                settings,
                groups,
            });
        }
        platforms.sort_by_key(|p| PLATFORMS.iter().position(|n| *n == p.name));
        Ok(Desired { platforms })
    }

    /// The same tree [`Desired::from_value`] reads: what `export` writes and a saved plan keeps.
    pub fn to_value(&self) -> Value {
        let mut platforms = Map::new();
        let mut policies = Vec::new();
        for p in &self.platforms {
            platforms.insert(
                p.name.to_string(),
                serde_json::json!({ "exclusive": p.exclusive }),
            );
            for q in &p.policies {
                policies.push(serde_json::json!({
                    "name": q.name,
                    "platform": p.name,
                    "description": q.description,
                    "enabled": q.enabled,
                    "groups": q.groups.iter().map(|(g, _)| g.clone()).collect::<Vec<_>>(),
                    "settings": settings_value(&q.settings, p.name),
                }));
            }
            if let Some(d) = &p.default {
                policies.push(serde_json::json!({
                    "name": DEFAULT_POLICY,
                    "platform": p.name,
                    "settings": settings_value(d, p.name),
                }));
            }
        }
        serde_json::json!({ "platforms": platforms, "policies": policies })
    }
}

pub fn settings_value(settings: &[bool], platform: &str) -> Value {
    Value::Object(
        SETTINGS
            .iter()
            .zip(settings)
            .filter(|(s, _)| applies(s, platform))
            .map(|(s, on)| (s.to_string(), Value::Bool(*on)))
            .collect(),
    )
}

fn entry<'a>(platforms: &'a mut Vec<Platform>, name: &'static str) -> &'a mut Platform {
    match platforms.iter().position(|p| p.name == name) {
        Some(i) => &mut platforms[i],
        None => {
            platforms.push(Platform {
                name,
                exclusive: false,
                default: None,
                policies: Vec::new(),
            });
            platforms.last_mut().expect("just pushed")
        }
    }
}

fn platform_name(name: &str, path: &str, source: &Source) -> Result<&'static str> {
    PLATFORMS
        .iter()
        .find(|p| p.eq_ignore_ascii_case(name))
        .copied()
        .ok_or_else(|| {
            source.error(
                path,
                format!(
                    "unknown platform `{name}`: expected one of {}{}",
                    PLATFORMS.join(", "),
                    hint(name, PLATFORMS)
                ),
            )
        })
}

fn settings(
    value: Option<&Value>,
    path: &str,
    platform: &str,
    source: &Source,
) -> Result<Vec<bool>> {
    let mut out = vec![false; SETTINGS.len()];
    let Some(value) = value else {
        return Ok(out);
    };
    for (key, v) in table(value, path, source)? {
        let key_path = format!("{path}.{key}");
        let i = SETTINGS.iter().position(|s| *s == key).ok_or_else(|| {
            source.error(
                &key_path,
                format!(
                    "unknown setting `{key}`: the settings are {}{}",
                    SETTINGS.join(", "),
                    hint(key, SETTINGS)
                ),
            )
        })?;
        if !applies(key, platform) {
            return Err(source.error(
                &key_path,
                format!("{platform} policies have no setting `{key}`"),
            ));
        }
        out[i] = boolean(v, &key_path, source)?;
    }
    Ok(out)
}

fn known_keys(map: &Map<String, Value>, path: &str, known: &[&str], source: &Source) -> Result<()> {
    for key in map.keys() {
        if !known.contains(&key.as_str()) {
            let key_path = if path.is_empty() {
                key.clone()
            } else {
                format!("{path}.{key}")
            };
            return Err(source.error(
                &key_path,
                format!(
                    "unknown key `{key}`: expected {}{}",
                    crate::text::ticked(known.iter()),
                    hint(key, known)
                ),
            ));
        }
    }
    Ok(())
}

fn table<'a>(value: &'a Value, path: &str, source: &Source) -> Result<&'a Map<String, Value>> {
    value.as_object().ok_or_else(|| {
        source.error(
            path,
            format!("{} must be a table, got {}", shown(path), kind(value)),
        )
    })
}

fn string(value: Option<&Value>, path: &str, source: &Source) -> Result<String> {
    match value {
        Some(Value::String(s)) => Ok(s.clone()),
        Some(other) => Err(source.error(
            path,
            format!("{} must be a string, got {}", shown(path), kind(other)),
        )),
        None => Err(source.error(path, format!("missing {}", shown(path)))),
    }
}

fn boolean(value: &Value, path: &str, source: &Source) -> Result<bool> {
    value.as_bool().ok_or_else(|| {
        source.error(
            path,
            format!("{} must be true or false, got {}", shown(path), kind(value)),
        )
    })
}

/// The last part of a path, as messages name it: `policies[2].settings.GetCommand` -> `GetCommand`.
fn shown(path: &str) -> String {
    if path.is_empty() {
        return "the desired state".into();
    }
    let last = path.rsplit('.').next().unwrap_or(path);
    format!("`{last}`")
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "a date or a malformed number",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a table",
    }
}

/// A desired state error that is not about the input's shape: an unknown host group.
pub fn unknown_group(source: &Source, path: &str, name: &str, known: &[&str]) -> Error {
    source.error(
        path,
        format!(
            "no host group named `{name}` in the tenant{}",
            hint(name, known)
        ),
    )
}
