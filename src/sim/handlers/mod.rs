//! Emulator behaviour per operation: a handler function for every operation id in the table.

mod auth;
mod batch;
mod commands;
mod files;
mod groups;
mod hosts;
mod library;
mod policies;
mod sessions;

use super::envelope::{Fail, Outcome};
use super::fql::{self, Sort};
use super::input::Input;
use super::state::State;
use serde_json::Value;

pub type Handler = fn(&mut State, &Input) -> Outcome;

/// The handler for an operation id; every id in `ops::OPERATIONS` has one (tested).
pub fn lookup(id: &str) -> Option<Handler> {
    Some(match id {
        "oauth2AccessToken" => auth::token,
        "oauth2RevokeToken" => auth::revoke,

        "queryCombinedRTResponsePolicyMembers" => policies::query_combined_members,
        "queryCombinedRTResponsePolicies" => policies::query_combined,
        "performRTResponsePoliciesAction" => policies::perform_action,
        "setRTResponsePoliciesPrecedence" => policies::set_precedence,
        "getRTResponsePolicies" => policies::get,
        "createRTResponsePolicies" => policies::create,
        "updateRTResponsePolicies" => policies::update,
        "deleteRTResponsePolicies" => policies::delete,
        "queryRTResponsePolicyMembers" => policies::query_members,
        "queryRTResponsePolicies" => policies::query,

        "queryCombinedGroupMembers" => groups::query_combined_members,
        "queryCombinedHostGroups" => groups::query_combined,
        "performGroupAction" => groups::perform_action,
        "getHostGroups" => groups::get,
        "createHostGroups" => groups::create,
        "updateHostGroups" => groups::update,
        "deleteHostGroups" => groups::delete,
        "queryGroupMembers" => groups::query_members,
        "queryHostGroups" => groups::query,

        "CombinedDevicesByFilter" => hosts::combined,
        "PerformActionV2" => hosts::perform_action,
        "GetDeviceDetailsV2" => hosts::details_get,
        "PostDeviceDetailsV2" => hosts::details_post,
        "GetOnlineState.V1" => hosts::online_state,
        "QueryDevicesByFilterScroll" => hosts::query_scroll,
        "QueryDevicesByFilter" => hosts::query,

        "RTR-GetFalconScripts" => library::get_falcon_scripts,
        "RTR-ListFalconScripts" => library::list_falcon_scripts,
        "RTR-GetPutFileContents" => library::get_put_file_contents,
        "RTR-GetPut-Files" => library::get_put_files,
        "RTR-GetPut-FilesV2" => library::get_put_files,
        "RTR-CreatePut-Files" => library::create_put_file,
        "RTR-CreatePut-FilesV2" => library::create_put_file_v2,
        "RTR-DeletePut-Files" => library::delete_put_file,
        "RTR-ListPut-Files" => library::list_put_files,
        "RTR-GetScripts" => library::get_scripts,
        "RTR-GetScriptsV2" => library::get_scripts,
        "RTR-CreateScripts" => library::create_script,
        "RTR-CreateScriptsV2" => library::create_script_v2,
        "RTR-UpdateScripts" => library::update_script,
        "RTR-UpdateScriptsV2" => library::update_script_v2,
        "RTR-DeleteScripts" => library::delete_script,
        "RTR-ListScripts" => library::list_scripts,

        "RTR-InitSession" => sessions::init,
        "RTR-PulseSession" => sessions::pulse,
        "RTR-DeleteSession" => sessions::delete,
        "RTR-ListAllSessions" => sessions::list_all,
        "RTR-ListSessions" => sessions::list,
        "RTR-AggregateSessions" => sessions::aggregate,
        "RTR-ListQueuedSessions" => sessions::list_queued,
        "RTR-DeleteQueuedSession" => sessions::delete_queued,

        "RTR-ExecuteCommand" => commands::execute_read_only,
        "RTR-ExecuteActiveResponderCommand" => commands::execute_active_responder,
        "RTR-ExecuteAdminCommand" => commands::execute_admin,
        "RTR-CheckCommandStatus" => commands::status,
        "RTR-CheckActiveResponderCommandStatus" => commands::status,
        "RTR-CheckAdminCommandStatus" => commands::status,

        "RTR-ListFiles" => files::list_v1,
        "RTR-ListFilesV2" => files::list_v2,
        "RTR-DeleteFile" => files::delete,
        "RTR-DeleteFileV2" => files::delete,
        "RTR-GetExtractedFileContents" => files::contents,

        "BatchInitSessions" => batch::init,
        "BatchRefreshSessions" => batch::refresh,
        "BatchCmd" => batch::read_only,
        "BatchActiveResponderCmd" => batch::active_responder,
        "BatchAdminCmd" => batch::admin,
        "BatchGetCmd" => batch::get,
        "BatchGetCmdStatus" => batch::get_status,
        _ => return None,
    })
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
        let mut pairs: Vec<(T, Value)> = items
            .into_iter()
            .map(|item| {
                let r = record(&item);
                (item, r)
            })
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

/// Unknown ids among `ids` answer 404 naming them.
pub fn require_known(kind: &str, ids: &[String], known: impl Fn(&str) -> bool) -> Result<(), Fail> {
    let missing: Vec<String> = ids
        .iter()
        .filter(|id| !known(id))
        .map(|id| format!("`{id}`"))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(Fail::not_found(format!(
        "{kind} not found: {}",
        missing.join(", ")
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
    Ok(crate::sim::envelope::Reply::resources(200, items).paged(
        serde_json::json!(page.offset),
        page.limit,
        page.total,
    ))
}

#[cfg(test)]
mod tests {
    use crate::ops::OPERATIONS;

    #[test]
    fn every_operation_has_emulator_behaviour() {
        let missing: Vec<&str> = OPERATIONS
            .iter()
            .filter(|op| super::lookup(op.id).is_none())
            .map(|op| op.id)
            .collect();
        assert!(missing.is_empty(), "no handler for {missing:?}");
    }
}
