//! Device lookups: `hosts::find` (exactly one device) and `hosts::find_all` (every page), and the
//! bulk detail fetch the session helpers use to know a host's name and platform.

use super::caller::{self, Error, Result, str_of};
use crate::engine::Context;
use crate::ops::OpId;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;

/// What the helpers need to know about a host besides its id (kept, as read, by the recent-hosts
/// cache).
pub use crate::engine::recent_hosts::HostInfo;

impl HostInfo {
    pub fn from_record(record: impl Into<Arc<Value>>) -> HostInfo {
        let record = record.into();
        HostInfo {
            device_id: str_of(&record, "device_id").to_string(),
            hostname: str_of(&record, "hostname").to_string(),
            platform: str_of(&record, "platform_name").to_string(),
            record,
        }
    }

    /// This host with only what a long-lived holder reads: the fields above, and of its record
    /// only its groups (`Policies::effective`, to explain a refusal). A batch keeps one per host
    /// for as long as the playbook holds it; at 10,000 hosts the full records were about a fifth
    /// of a `ps` fan-out's peak memory (heaptrack), and a batch never shows them. One lookup: a
    /// record read moments ago is out of the cache, and four lookups per host were 23 ms of
    /// opening a 10,000-host batch (perf).
    pub fn slim(&self) -> HostInfo {
        let mut record = serde_json::Map::with_capacity(1);
        if let Some(groups) = self.record.get("groups") {
            record.insert("groups".to_string(), groups.clone());
        }
        HostInfo {
            device_id: self.device_id.clone(),
            hostname: self.hostname.clone(),
            platform: self.platform.clone(),
            record: Arc::new(Value::Object(record)),
        }
    }

    /// `WS-042 (4d2c…)`: how messages name a host.
    pub fn label(&self) -> String {
        if self.hostname.is_empty() {
            format!("`{}`", crate::terminal::name(&self.device_id))
        } else {
            // Shown in messages and progress lines: the host named itself.
            format!(
                "`{}` ({})",
                crate::terminal::name(&self.hostname),
                crate::terminal::name(&self.device_id)
            )
        }
    }
}

/// Device details per request (`hosts::get_device_details` takes up to 5000 ids).
const DETAILS_PAGE: usize = 5000;
/// Ids per page of the scroll query.
const SCROLL_PAGE: usize = 5000;

/// A bare word is a hostname: `hosts::find("WS-042")` means `hostname:'WS-042'`.
pub fn normalize_filter(fql: &str) -> String {
    let t = fql.trim();
    let bare = !t.is_empty()
        && !t.contains([':', '\'', '"', '+', ',', '*', '!', '<', '>', '='])
        && !t.contains(char::is_whitespace);
    if bare {
        format!("hostname:'{t}'")
    } else {
        t.to_string()
    }
}

/// The one device an FQL filter matches, or an error naming the filter and the count.
pub fn find(ctx: &Context, fql: &str) -> Result<Value> {
    let filter = normalize_filter(fql);
    let resp = caller::send(
        ctx,
        OpId::QueryDevicesByFilter,
        json!({ "filter": filter, "limit": 2 }),
    )
    .map_err(|e| e.context(format!("`hosts::find` with filter `{filter}`")))?;
    let ids: Vec<String> = caller::resources(&resp)
        .iter()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect();
    let total = caller::total_of(&resp).unwrap_or(ids.len() as u64);
    if total != 1 || ids.len() != 1 {
        let near = if total == 0 {
            near_hostname(ctx, fql.trim())
        } else {
            None
        };
        let hint = match (total, &near) {
            (0, Some(n)) => format!("no host; did you mean `{n}`?"),
            (0, None) => "no host".to_string(),
            _ => "more than one host; narrow the filter or use `hosts::find_all`".to_string(),
        };
        return Err(Error::new(format!(
            "`hosts::find`: filter `{filter}` matched {total} hosts, expected exactly one ({hint})"
        ))
        .with("filter", filter)
        .with("count", total));
    }
    details(ctx, &ids)?
        .into_iter()
        .next()
        .map(|h| Arc::unwrap_or_clone(h.record))
        .ok_or_else(|| Error::new(format!("device `{}` has no details", ids[0])))
}

/// For a bare host name that matched nothing (`WS-0042`): the tenant's hostname nearest to it, among
/// those sharing its first two characters (one read, only on this failure path; any error there
/// just means no suggestion).
fn near_hostname(ctx: &Context, name: &str) -> Option<String> {
    if normalize_filter(name) == name || name.chars().count() < 3 {
        return None; // not a bare name, or too short to guess from
    }
    let prefix: String = name.chars().take(2).collect();
    let resp = caller::send(
        ctx,
        OpId::CombinedDevicesByFilter,
        json!({ "filter": format!("hostname:*'{prefix}*'"), "limit": 500 }),
    )
    .ok()?;
    let records = caller::resources(&resp);
    let names: Vec<&str> = records
        .iter()
        .filter_map(|r| r.get("hostname").and_then(Value::as_str))
        .collect();
    let lower = name.to_lowercase();
    let lowered: Vec<String> = names.iter().map(|n| n.to_lowercase()).collect();
    let candidates: Vec<&str> = lowered.iter().map(String::as_str).collect();
    let hit = crate::ops::suggest::closest(&lower, &candidates)?;
    let at = candidates.iter().position(|c| *c == hit)?;
    Some(crate::terminal::line(names[at]).into_owned())
}

/// Every device an FQL filter matches (all pages). Each record stays shared with the recent-hosts
/// cache: unwrapping them copied every record of the fleet once more (10,000 hosts: a sixth of the
/// client's CPU for `hosts::find_all()`, perf, issue 28).
pub fn find_all(ctx: &Context, fql: &str) -> Result<Vec<HostInfo>> {
    let filter = normalize_filter(fql);
    let ids = query_all_ids(ctx, &filter)
        .map_err(|e| e.context(format!("`hosts::find_all` with filter `{filter}`")))?;
    details(ctx, &ids)
}

/// Every device id matching `filter`, following the scroll token (no 10,000-offset ceiling).
pub fn query_all_ids(ctx: &Context, filter: &str) -> Result<Vec<String>> {
    let mut ids = Vec::new();
    let mut token = String::new();
    loop {
        let mut args = json!({ "limit": SCROLL_PAGE });
        if !filter.is_empty() {
            args["filter"] = json!(filter);
        }
        if !token.is_empty() {
            args["offset"] = json!(token);
        }
        let resp = caller::send(ctx, OpId::QueryDevicesByFilterScroll, args)?;
        let page: Vec<String> = caller::resources(&resp)
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect();
        let total = caller::total_of(&resp).unwrap_or(0) as usize;
        let empty = page.is_empty();
        ids.extend(page);
        token = resp
            .body
            .pointer("/meta/pagination/offset")
            .map(|v| match v {
                Value::String(s) => s.clone(),
                Value::Null => String::new(),
                other => other.to_string(),
            })
            .unwrap_or_default();
        if empty || token.is_empty() || ids.len() >= total {
            return Ok(ids);
        }
    }
}

/// Device records for `ids`, in the order given; unknown ids are an error naming them.
pub fn details(ctx: &Context, ids: &[String]) -> Result<Vec<HostInfo>> {
    let mut found = lookup(ctx, ids)?;
    ids.iter()
        .map(|id| {
            found.remove(id).ok_or_else(|| {
                Error::new(format!("device `{id}` not found")).with("device_id", id.clone())
            })
        })
        .collect()
}

/// Device records by id; ids the API does not know are left out. Records read moments ago are
/// reused (`engine::recent_hosts` says when), so a batch over `hosts::find_all()` reads them once.
pub fn lookup(ctx: &Context, ids: &[String]) -> Result<HashMap<String, HostInfo>> {
    let since = ctx.recent_hosts.generation();
    let (mut by_id, ids) = ctx.recent_hosts.known(ids);
    let mut fetched = Vec::new();
    for chunk in ids.chunks(DETAILS_PAGE) {
        let records = match caller::send(ctx, OpId::PostDeviceDetailsV2, json!({ "ids": chunk })) {
            Ok(mut resp) => caller::take_resources(&mut resp),
            // One unknown id fails the whole request: ask one by one to find the known ones.
            Err(e) if e.status() == Some(404) && chunk.len() > 1 => {
                let mut records = Vec::new();
                for id in chunk {
                    match caller::send(ctx, OpId::PostDeviceDetailsV2, json!({ "ids": [id] })) {
                        Ok(resp) => records.extend(caller::resources(&resp)),
                        Err(e) if e.status() == Some(404) => {}
                        Err(e) => return Err(e),
                    }
                }
                records
            }
            Err(e) if e.status() == Some(404) => Vec::new(),
            Err(e) => return Err(e),
        };
        // A record answering an id that was not asked for is not kept for later lookups: the
        // answer and the request disagree, and a later lookup of that id asks for itself.
        let asked: std::collections::HashSet<&str> = chunk.iter().map(String::as_str).collect();
        for record in records {
            let info = HostInfo::from_record(record);
            if asked.contains(info.device_id.as_str()) {
                fetched.push(info.clone());
            }
            by_id.insert(info.device_id.clone(), info);
        }
    }
    // Only what was read now: a record reused above keeps its first read's age.
    ctx.recent_hosts.remember(since, fetched);
    Ok(by_id)
}

#[cfg(test)]
mod tests {
    use super::normalize_filter;

    /// A batch's host keeps what messages and the effective policy read, and no more.
    #[test]
    fn a_slim_host_keeps_its_names_and_groups() {
        let full = super::HostInfo::from_record(serde_json::json!({
            "device_id": "d1", "hostname": "WS-1", "platform_name": "Windows",
            "groups": ["g1"], "local_ip": "10.0.0.1", "os_version": "Windows 11",
        }));
        let slim = full.slim();
        assert_eq!(
            (
                slim.device_id.as_str(),
                slim.hostname.as_str(),
                slim.platform.as_str()
            ),
            ("d1", "WS-1", "Windows")
        );
        assert_eq!(*slim.record, serde_json::json!({ "groups": ["g1"] }));
    }

    #[test]
    fn a_bare_name_is_a_hostname_filter() {
        assert_eq!(normalize_filter("WS-042"), "hostname:'WS-042'");
        assert_eq!(normalize_filter(" web-01 "), "hostname:'web-01'");
        assert_eq!(
            normalize_filter("platform_name:'Linux'"),
            "platform_name:'Linux'"
        );
        assert_eq!(normalize_filter("WS-*"), "WS-*");
        assert_eq!(normalize_filter(""), "");
    }
}
