//! Files `get` extracted in a session: list (v1 and v2), delete, and download as a 7z archive
//! with the password `infected`, as the real API delivers them.

use crate::envelope::{Fail, Outcome, Reply};
use crate::input::Input;
use crate::state::State;
use falconry_model::text::ticked;

fn list(state: &mut State, input: &Input, v2: bool) -> Outcome {
    let session_id = input.required_query("session_id")?.to_string();
    let session = state.live_session(&session_id)?;
    let records = session
        .files
        .iter()
        .filter(|f| !f.deleted)
        .map(|f| f.record(&session_id, v2))
        .collect();
    Ok(Reply::resources(200, records))
}

pub fn list_v1(state: &mut State, input: &Input) -> Outcome {
    list(state, input, false)
}

pub fn list_v2(state: &mut State, input: &Input) -> Outcome {
    list(state, input, true)
}

/// `ids` are the file ids (v1 integers or v2 strings) or the files' sha256.
pub fn delete(state: &mut State, input: &Input) -> Outcome {
    let ids = input.required_list("ids")?;
    let session_id = input.required_query("session_id")?.to_string();
    let session = state.live_session(&session_id)?;
    let mut deleted = 0;
    for f in session.files.iter_mut().filter(|f| !f.deleted) {
        if ids
            .iter()
            .any(|id| *id == f.id.to_string() || *id == f.uuid || *id == f.sha256)
        {
            f.deleted = true;
            deleted += 1;
        }
    }
    if deleted == 0 {
        return Err(Fail::not_found(format!(
            "no file {} in session `{session_id}`",
            ticked(&ids)
        )));
    }
    Ok(Reply::empty())
}

pub fn contents(state: &mut State, input: &Input) -> Outcome {
    let session_id = input.required_query("session_id")?.to_string();
    let sha256 = input.required_query("sha256")?.to_ascii_lowercase();
    let filename = input.query("filename").map(String::from);
    let fault = state.scenario.faults.extracted_archive;
    let session = state.live_session(&session_id)?;
    let file = session
        .files
        .iter()
        .find(|f| !f.deleted && f.sha256 == sha256)
        .ok_or_else(|| {
            Fail::not_found(format!(
                "no file with sha256 `{sha256}` in session `{session_id}`"
            ))
        })?;
    let name = filename.unwrap_or_else(|| {
        file.name
            .rsplit(['\\', '/'])
            .next()
            .unwrap_or(&file.name)
            .to_string()
    });
    Ok(Reply::archive(name, file.bytes.clone(), fault))
}
