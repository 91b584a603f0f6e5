//! Emulator behaviour per operation: a handler function for every operation id in the table.

mod alerts;
mod auth;
mod batch;
mod commands;
mod files;
mod groups;
mod hosts;
mod incidents;
mod ioc;
mod library;
mod policies;
mod query;
mod sessions;

pub use super::replay::Handler;
use crate::ops::OpId;

/// The handler of an operation: an exhaustive match, so a new row of the table without emulator behaviour
/// does not compile.
pub fn handler(key: OpId) -> Handler {
    match key {
        OpId::Oauth2AccessToken => auth::token,
        OpId::Oauth2RevokeToken => auth::revoke,

        OpId::QueryCombinedRTResponsePolicyMembers => policies::query_combined_members,
        OpId::QueryCombinedRTResponsePolicies => policies::query_combined,
        OpId::PerformRTResponsePoliciesAction => policies::perform_action,
        OpId::SetRTResponsePoliciesPrecedence => policies::set_precedence,
        OpId::GetRTResponsePolicies => policies::get,
        OpId::CreateRTResponsePolicies => policies::create,
        OpId::UpdateRTResponsePolicies => policies::update,
        OpId::DeleteRTResponsePolicies => policies::delete,
        OpId::QueryRTResponsePolicyMembers => policies::query_members,
        OpId::QueryRTResponsePolicies => policies::query,

        OpId::QueryCombinedGroupMembers => groups::query_combined_members,
        OpId::QueryCombinedHostGroups => groups::query_combined,
        OpId::PerformGroupAction => groups::perform_action,
        OpId::GetHostGroups => groups::get,
        OpId::CreateHostGroups => groups::create,
        OpId::UpdateHostGroups => groups::update,
        OpId::DeleteHostGroups => groups::delete,
        OpId::QueryGroupMembers => groups::query_members,
        OpId::QueryHostGroups => groups::query,

        OpId::CombinedDevicesByFilter => hosts::combined,
        OpId::PerformActionV2 => hosts::perform_action,
        OpId::GetDeviceDetailsV2 => hosts::details_get,
        OpId::PostDeviceDetailsV2 => hosts::details_post,
        OpId::GetOnlineStateV1 => hosts::online_state,
        OpId::QueryDevicesByFilterScroll => hosts::query_scroll,
        OpId::QueryDevicesByFilter => hosts::query,

        OpId::RtrGetFalconScripts => library::get_falcon_scripts,
        OpId::RtrListFalconScripts => library::list_falcon_scripts,
        OpId::RtrGetPutFileContents => library::get_put_file_contents,
        OpId::RtrGetPutFiles => library::get_put_files,
        OpId::RtrGetPutFilesV2 => library::get_put_files_v2,
        OpId::RtrCreatePutFiles => library::create_put_file,
        OpId::RtrCreatePutFilesV2 => library::create_put_file_v2,
        OpId::RtrDeletePutFiles => library::delete_put_file,
        OpId::RtrListPutFiles => library::list_put_files,
        OpId::RtrGetScripts => library::get_scripts,
        OpId::RtrGetScriptsV2 => library::get_scripts_v2,
        OpId::RtrCreateScripts => library::create_script,
        OpId::RtrCreateScriptsV2 => library::create_script_v2,
        OpId::RtrUpdateScripts => library::update_script,
        OpId::RtrUpdateScriptsV2 => library::update_script_v2,
        OpId::RtrDeleteScripts => library::delete_script,
        OpId::RtrListScripts => library::list_scripts,

        OpId::RtrInitSession => sessions::init,
        OpId::RtrPulseSession => sessions::pulse,
        OpId::RtrDeleteSession => sessions::delete,
        OpId::RtrListAllSessions => sessions::list_all,
        OpId::RtrListSessions => sessions::list,
        OpId::RtrAggregateSessions => sessions::aggregate,
        OpId::RtrListQueuedSessions => sessions::list_queued,
        OpId::RtrDeleteQueuedSession => sessions::delete_queued,

        OpId::RtrExecuteCommand => commands::execute_read_only,
        OpId::RtrExecuteActiveResponderCommand => commands::execute_active_responder,
        OpId::RtrExecuteAdminCommand => commands::execute_admin,
        OpId::RtrCheckCommandStatus => commands::status,
        OpId::RtrCheckActiveResponderCommandStatus => commands::status,
        OpId::RtrCheckAdminCommandStatus => commands::status,

        OpId::RtrListFiles => files::list_v1,
        OpId::RtrListFilesV2 => files::list_v2,
        OpId::RtrDeleteFile => files::delete,
        OpId::RtrDeleteFileV2 => files::delete,
        OpId::RtrGetExtractedFileContents => files::contents,

        OpId::BatchInitSessions => batch::init,
        OpId::BatchRefreshSessions => batch::refresh,
        OpId::BatchCmd => batch::read_only,
        OpId::BatchActiveResponderCmd => batch::active_responder,
        OpId::BatchAdminCmd => batch::admin,
        OpId::BatchGetCmd => batch::get,
        OpId::BatchGetCmdStatus => batch::get_status,

        OpId::QueryHiddenDevices => hosts::query_hidden,
        OpId::CombinedHiddenDevicesByFilter => hosts::combined_hidden,
        OpId::UpdateDeviceTags => hosts::update_tags,

        OpId::GetQueriesAlertsV1 | OpId::GetQueriesAlertsV2 => alerts::query,
        OpId::PostEntitiesAlertsV1 => alerts::get_v1,
        OpId::PostEntitiesAlertsV2 => alerts::get_v2,
        OpId::PostCombinedAlertsV1 => alerts::combined,
        OpId::PostAggregatesAlertsV1 | OpId::PostAggregatesAlertsV2 => alerts::aggregate,
        OpId::PatchEntitiesAlertsV2 => alerts::update_v2,
        OpId::PatchEntitiesAlertsV3 => alerts::update_v3,

        OpId::IndicatorCreateV1 => ioc::create,
        OpId::IndicatorUpdateV1 => ioc::update,
        OpId::IndicatorDeleteV1 => ioc::delete,
        OpId::IndicatorGetV1 => ioc::get,
        OpId::IndicatorSearchV1 => ioc::search,
        OpId::IndicatorCombinedV1 => ioc::combined,
        OpId::IndicatorGetDeviceCountV1 => ioc::devices_count,
        OpId::IndicatorGetDevicesRanOnV1 => ioc::devices_ran_on,
        OpId::IndicatorGetProcessesRanOnV1 => ioc::processes_ran_on,

        OpId::QueryIncidents => incidents::query,
        OpId::GetIncidents => incidents::get,
        OpId::PerformIncidentAction => incidents::perform_action,
        OpId::QueryBehaviors => incidents::query_behaviors,
        OpId::GetBehaviors => incidents::get_behaviors,
    }
}
