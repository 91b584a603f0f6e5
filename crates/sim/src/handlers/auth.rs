//! `/oauth2/token` and `/oauth2/revoke`: form credentials in, bearer tokens with expiry out.

use crate::envelope::{Fail, Outcome, Reply};
use crate::input::Input;
use crate::state::State;
use base64::Engine;
use serde_json::json;

/// `201 {access_token, token_type, expires_in}`; `X-Cs-Region` only when the scenario names one.
pub fn token(state: &mut State, input: &Input) -> Outcome {
    let id = input.form("client_id").unwrap_or("");
    let secret = input.form("client_secret").unwrap_or("");
    if id != state.client_id || secret != state.client_secret {
        return Err(Fail::new(403, "access denied, invalid client credentials"));
    }
    // An MSSP parent asks for a child's token with `member_cid`; the emulator has one tenant and
    // records which child was asked for.
    if let Some(cid) = input.form("member_cid").filter(|c| !c.is_empty()) {
        state.member_cids.push(cid.to_string());
    }
    let (token, expires_in) = state.issue_token();
    let mut reply = Reply::json(
        201,
        json!({ "access_token": token, "token_type": "bearer", "expires_in": expires_in }),
    );
    if let Some(region) = &state.scenario.region {
        reply = reply.header("X-Cs-Region", region.clone());
    }
    Ok(reply)
}

/// Revokes a token; the caller proves itself with basic credentials.
pub fn revoke(state: &mut State, input: &Input) -> Outcome {
    let basic = input
        .authorization
        .as_deref()
        .and_then(|h| {
            h.strip_prefix("basic ")
                .or_else(|| h.strip_prefix("Basic "))
        })
        .and_then(|b| {
            base64::engine::general_purpose::STANDARD
                .decode(b.trim())
                .ok()
        })
        .map(|b| String::from_utf8_lossy(&b).into_owned());
    let expected = format!("{}:{}", state.client_id, state.client_secret);
    if basic.as_deref() != Some(expected.as_str()) {
        // The spec documents 403 (not 401) for refused credentials on both token calls.
        return Err(Fail::new(403, "access denied, invalid basic credentials"));
    }
    let token = input.form("token").unwrap_or("");
    state.revoke_token(token);
    Ok(Reply::meta_only(200))
}
