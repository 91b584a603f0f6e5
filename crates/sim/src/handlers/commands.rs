//! Single-host RTR commands: execute on the read-only, active-responder and admin endpoints, and
//! poll their status by `cloud_request_id` and `sequence_id`.

use crate::envelope::{Fail, Outcome, Reply};
use crate::input::Input;
use crate::ops::commands::Tier;
use crate::state::State;
use serde_json::json;

fn execute(state: &mut State, input: &Input, endpoint: Tier) -> Outcome {
    let base_command = input.body_str("base_command")?.to_string();
    let command_string = input.body_str("command_string")?.to_string();
    let session_id = input.body_str("session_id")?.to_string();
    let persist = input.body_bool("persist");
    let session = state.live_session(&session_id)?;
    let (host, queued_session) = (session.host, session.offline_queued);
    if let Some(device_id) = input.body_opt_str("device_id").filter(|d| !d.is_empty())
        && device_id != session.device_id
    {
        return Err(Fail::bad(format!(
            "`device_id` `{device_id}` is not the device of session `{session_id}`"
        )));
    }
    state.check_command(host, endpoint, &base_command, &command_string)?;
    if !state.hosts[host].host.online && !persist && !queued_session {
        // psfalcon#76 (the maintainer: "use the `-QueueOffline $true`"); the HTTP status follows
        // the code (404).
        return Err(Fail::rtr(40401, "Could not establish sensor comms"));
    }
    let (id, queued) = state.submit(&session_id, &base_command, &command_string);
    Ok(Reply::resources(
        201,
        vec![json!({
            "cloud_request_id": id,
            "session_id": session_id,
            "queued_command_offline": queued,
        })],
    ))
}

pub fn execute_read_only(state: &mut State, input: &Input) -> Outcome {
    execute(state, input, Tier::ReadOnly)
}

pub fn execute_active_responder(state: &mut State, input: &Input) -> Outcome {
    execute(state, input, Tier::ActiveResponder)
}

pub fn execute_admin(state: &mut State, input: &Input) -> Outcome {
    execute(state, input, Tier::Admin)
}

/// `complete: false` until the scenario's latency has passed (or while queued for an offline host).
pub fn status(state: &mut State, input: &Input) -> Outcome {
    let id = input.required_query("cloud_request_id")?;
    let sequence = input.int("sequence_id")?.unwrap_or(0);
    if sequence < 0 {
        return Err(Fail::bad("`sequence_id` must be 0 or more"));
    }
    let status = state.command_status(id, sequence as usize)?;
    Ok(Reply::resources(200, vec![status]))
}
