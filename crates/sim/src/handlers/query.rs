//! What every query handler shares: FQL `filter`, `sort` and paging over records, the 404 naming
//! unknown ids, and the member-host pages of groups and policies.

use crate::envelope::{Fail, Outcome};
use crate::fql::{self, Sort};
use crate::input::Input;
use crate::state::State;
use falconry_model::text::ticked;
use serde_json::Value;

/// The `id` of one `resources[]` entry of an update body.
pub fn resource_id(r: &Value) -> Result<&str, Fail> {
    r.get("id")
        .and_then(Value::as_str)
        .ok_or_else(|| Fail::bad("missing required body field `resources[].id`"))
}

/// One page of a query: the selected items and the paging numbers for `meta.pagination`.
pub struct Page<T> {
    pub items: Vec<T>,
    pub offset: usize,
    pub limit: usize,
    pub total: usize,
}

/// Filters (FQL `filter`), sorts (`sort`) and pages (`offset`, `limit`) items; records are built
/// only when a filter or sort needs them, so unfiltered queries over big fleets stay cheap.
pub fn select<T: Clone>(
    input: &Input,
    items: Vec<T>,
    record: impl Fn(&T) -> Value,
    default_limit: usize,
) -> Result<Page<T>, Fail> {
    let offset = input.int("offset")?.unwrap_or(0).max(0) as usize;
    select_from(input, items, record, default_limit, offset)
}

pub fn select_from<T: Clone>(
    input: &Input,
    items: Vec<T>,
    record: impl Fn(&T) -> Value,
    default_limit: usize,
    offset: usize,
) -> Result<Page<T>, Fail> {
    let limit = input
        .int("limit")?
        .map_or(default_limit, |l| l.max(1) as usize);
    let filter = match input.query("filter").map(str::trim) {
        Some(f) if !f.is_empty() => Some(fql::parse(f).map_err(Fail::bad)?),
        _ => None,
    };
    let sort = match input.query("sort").map(str::trim) {
        Some(s) if !s.is_empty() => Some(Sort::parse(s).map_err(Fail::bad)?),
        _ => None,
    };
    let items = if filter.is_some() || sort.is_some() {
        let records: Vec<(T, Value)> = items
            .into_iter()
            .map(|item| {
                let r = record(&item);
                (item, r)
            })
            .collect();
        check_fields(&records, filter.as_ref(), sort.as_ref())?;
        let mut pairs: Vec<(T, Value)> = records
            .into_iter()
            .filter(|(_, r)| filter.as_ref().is_none_or(|f| f.matches(r)))
            .collect();
        if let Some(sort) = &sort {
            pairs.sort_by(|a, b| sort.compare(&a.1, &b.1));
        }
        pairs.into_iter().map(|(item, _)| item).collect()
    } else {
        items
    };
    let total = items.len();
    let page = items.into_iter().skip(offset).take(limit).collect();
    Ok(Page {
        items: page,
        offset,
        limit,
        total,
    })
}

/// A filter or sort naming a field the records do not have is a 400 naming it, as Falcon answers,
/// not an empty page (a typo must not silently find nothing). Records of one kind share a shape; the
/// first few are read for their fields. With no records there is nothing to tell (and nothing found).
fn check_fields<T>(
    records: &[(T, Value)],
    filter: Option<&fql::Filter>,
    sort: Option<&Sort>,
) -> Result<(), Fail> {
    if records.is_empty() {
        return Ok(());
    }
    let sample = &records[..records.len().min(50)];
    let named = filter
        .map(fql::Filter::fields)
        .unwrap_or_default()
        .into_iter()
        .map(|f| ("filter", f))
        .chain(sort.map(|s| ("sort", s.field.as_str())));
    for (param, field) in named {
        // Looked up in place: every query with a filter or sort comes here, and listing every
        // path of the sample (a string each) is needed only for the refusal.
        if !sample.iter().any(|(_, r)| has_path(r, field, true)) {
            let mut known = std::collections::BTreeSet::new();
            for (_, r) in sample {
                paths(r, "", &mut known);
            }
            let mut listed: Vec<&str> = known.iter().map(String::as_str).take(40).collect();
            if known.len() > listed.len() {
                listed.push("...");
            }
            return Err(Fail::bad(format!(
                "invalid {param}: unknown field `{field}`; fields here are {}",
                listed.join(", ")
            )));
        }
    }
    Ok(())
}

/// Whether [`paths`] of `value` would list the field: `rest` is what is left of it once the prefix
/// walked so far is taken off (`.key...` below the top), `at_top` whether that prefix is empty.
fn has_path(value: &Value, rest: &str, at_top: bool) -> bool {
    match value {
        Value::Object(map) => map.iter().any(|(key, v)| {
            let after = if at_top {
                rest.strip_prefix(key.as_str())
            } else {
                rest.strip_prefix('.')
                    .and_then(|r| r.strip_prefix(key.as_str()))
            };
            match after {
                Some("") => true,
                Some(after) => has_path(v, after, at_top && key.is_empty()),
                None => false,
            }
        }),
        Value::Array(items) => items.iter().take(20).any(|i| has_path(i, rest, at_top)),
        _ => false,
    }
}

/// Every dotted path of a record (objects inside arrays included, without indices).
fn paths(value: &Value, prefix: &str, out: &mut std::collections::BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                let path = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                paths(v, &path, out);
                out.insert(path);
            }
        }
        Value::Array(items) => {
            for item in items.iter().take(20) {
                paths(item, prefix, out);
            }
        }
        _ => {}
    }
}

/// Unknown ids among `ids` answer 404 naming them.
pub fn require_known(kind: &str, ids: &[String], known: impl Fn(&str) -> bool) -> Result<(), Fail> {
    let missing: Vec<&String> = ids.iter().filter(|id| !known(id)).collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(Fail::not_found(format!(
        "{kind} not found: {}",
        ticked(missing)
    )))
}

/// The positions of `ids` found by `find`, or 404 naming every unknown one.
pub fn indices_of(
    kind: &str,
    ids: &[String],
    find: impl Fn(&str) -> Option<usize>,
) -> Result<Vec<usize>, Fail> {
    require_known(kind, ids, |id| find(id).is_some())?;
    Ok(ids.iter().filter_map(|id| find(id)).collect())
}

/// A page of member hosts (of a host group or a policy) as ids, or as device records when `combined`:
/// filtered, sorted and paged like every other query.
pub fn host_page(state: &State, input: &Input, hosts: Vec<usize>, combined: bool) -> Outcome {
    let page = select(input, hosts, |&h| state.device_record(h), 100)?;
    let items = page
        .items
        .iter()
        .map(|&h| {
            if combined {
                state.device_record(h)
            } else {
                serde_json::json!(state.hosts[h].host.device_id)
            }
        })
        .collect();
    Ok(crate::envelope::Reply::resources(200, items).paged(
        serde_json::json!(page.offset),
        page.limit,
        page.total,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn has_path_finds_exactly_what_paths_lists() {
        let record = json!({
            "device_id": "d1",
            "policies": [{ "policy_id": "p", "settings": { "enabled": true } }, { "extra": 1 }],
            "meta": { "version": "7", "a.b": { "c": 0 } },
            "": { "under_empty": 1 },
            "tags": ["x", "y"],
        });
        let mut listed = std::collections::BTreeSet::new();
        paths(&record, "", &mut listed);
        for field in &listed {
            assert!(has_path(&record, field, true), "{field} is listed");
        }
        for field in [
            "device",
            "device_id.x",
            "policies.x",
            "meta.",
            "meta.a",
            "meta.a.b.d",
            "tags.x",
            ".under_empty",
            "",
            "policies..policy_id",
        ] {
            assert_eq!(
                has_path(&record, field, true),
                listed.contains(field),
                "{field}"
            );
        }
    }
}
