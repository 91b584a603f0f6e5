//! Custom scripts, put-files and the Falcon script catalogue (multipart uploads, exact bytes back).

use super::query::{require_known, select};
use crate::envelope::{Fail, Outcome, Reply};
use crate::input::Input;
use crate::library::{FALCON_SCRIPTS, Item, falcon_script_record, sha256_hex};
use crate::stamp::{API_USER, now_stamp};
use crate::state::State;
use bytes::Bytes;
use serde_json::{Value, json};

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Script,
    PutFile,
}

impl Kind {
    fn items(self, state: &State) -> &Vec<Item> {
        match self {
            Kind::Script => &state.scripts,
            Kind::PutFile => &state.put_files,
        }
    }

    fn items_mut(self, state: &mut State) -> &mut Vec<Item> {
        match self {
            Kind::Script => &mut state.scripts,
            Kind::PutFile => &mut state.put_files,
        }
    }

    fn file_type(self) -> &'static str {
        match self {
            Kind::Script => "script",
            Kind::PutFile => "binary",
        }
    }

    fn noun(self) -> &'static str {
        match self {
            Kind::Script => "script",
            Kind::PutFile => "put-file",
        }
    }
}

fn list(kind: Kind, state: &State, input: &Input) -> Outcome {
    let items = kind.items(state);
    let all: Vec<usize> = (0..items.len()).collect();
    let page = select(input, all, |&i| items[i].record(kind.file_type()), 100)?;
    let ids = page.items.iter().map(|&i| json!(items[i].id)).collect();
    Ok(Reply::resources(200, ids).paged(json!(page.offset), page.limit, page.total))
}

fn get(kind: Kind, state: &State, ids: &[String], v2: bool) -> Outcome {
    let items = kind.items(state);
    require_known(kind.noun(), ids, |id| items.iter().any(|it| it.id == id))?;
    let records = ids
        .iter()
        .filter_map(|id| items.iter().find(|it| &it.id == id))
        .map(|it| versioned(it.record(kind.file_type()), v2))
        .collect();
    Ok(Reply::resources(200, records))
}

/// The v2 records (`empowerapi.RemoteCommandPutFileV2`, scripts alike) add the workflow flags.
fn versioned(mut record: Value, v2: bool) -> Value {
    if v2 {
        record["share_with_workflow"] = json!(false);
        record["workflow_is_disruptive"] = json!(false);
    }
    record
}

fn delete(kind: Kind, state: &mut State, input: &Input) -> Outcome {
    let ids = input.required_list("ids")?;
    get(kind, state, &ids, false)?;
    kind.items_mut(state).retain(|it| !ids.contains(&it.id));
    // `msa.ReplyMetaOnly`: no `resources`.
    Ok(Reply::meta_only(200).writes(ids.len()))
}

/// The uploaded bytes: the `file` part, or the `content` field for scripts.
fn upload(kind: Kind, input: &Input) -> Option<(Option<String>, Bytes, String)> {
    if let Some(file) = input.file("file") {
        return Some((
            Some(file.filename.clone()),
            file.bytes.clone(),
            file.sha256.clone(),
        ));
    }
    if kind == Kind::Script
        && let Some(content) = input.form("content")
    {
        let bytes = Bytes::copy_from_slice(content.as_bytes());
        let sha = sha256_hex(&bytes);
        return Some((None, bytes, sha));
    }
    None
}

fn platforms(input: &Input) -> Result<Option<Vec<String>>, Fail> {
    let values: Vec<String> = input
        .form_all("platform")
        .iter()
        .flat_map(|v| v.split(','))
        .map(|v| v.trim().to_ascii_lowercase())
        .filter(|v| !v.is_empty())
        .collect();
    if let Some(bad) = values
        .iter()
        .find(|v| !["windows", "mac", "linux"].contains(&v.as_str()))
    {
        return Err(Fail::bad(format!(
            "`platform` must be windows, mac or linux, got `{bad}`"
        )));
    }
    Ok((!values.is_empty()).then_some(values))
}

fn permission(input: &Input, required: bool) -> Result<Option<String>, Fail> {
    match input.form("permission_type") {
        Some(p @ ("private" | "group" | "public")) => Ok(Some(p.to_string())),
        Some(other) if !other.is_empty() => Err(Fail::bad(format!(
            "`permission_type` must be private, group or public, got `{other}`"
        ))),
        _ if required => Err(Fail::bad("missing required form field `permission_type`")),
        _ => Ok(None),
    }
}

fn create(kind: Kind, state: &mut State, input: &Input) -> Result<usize, Fail> {
    let description = input.form("description").unwrap_or("").to_string();
    if description.is_empty() {
        return Err(Fail::bad("missing required form field `description`"));
    }
    let (filename, bytes, sha) = upload(kind, input).ok_or_else(|| {
        Fail::bad(match kind {
            Kind::Script => "a script needs a `file` part or a `content` field",
            Kind::PutFile => "missing required form field `file`",
        })
    })?;
    let name = input
        .form("name")
        .filter(|n| !n.is_empty())
        .map(String::from)
        .or(filename)
        .ok_or_else(|| Fail::bad("missing `name` (and the upload has no filename)"))?;
    if kind.items(state).iter().any(|it| it.name == name) {
        return Err(Fail::new(
            // 409, though the spec lists only 200/400/403/429/500: FalconPy's maintainer gives
            // "file already exists (409)" as the API's answer (falconpy#261), and akto's client
            // (akto-api-security/akto#5965) handles a 409 for a script name taken tenant-wide.
            // No captured body: the text is ours (DEVIATIONS.md).
            409,
            format!("a {} named `{name}` already exists", kind.noun()),
        ));
    }
    let permission_type = match kind {
        Kind::Script => permission(input, true)?,
        Kind::PutFile => None,
    };
    let platform = platforms(input)?;
    let mut item = state.new_item(&name, &description, bytes, sha);
    item.comments_for_audit_log = input.form("comments_for_audit_log").unwrap_or("").into();
    if kind == Kind::Script {
        item.permission_type = permission_type.unwrap_or_else(|| "private".into());
        item.platform = platform.unwrap_or_else(|| vec!["windows".into()]);
    }
    let items = kind.items_mut(state);
    items.push(item);
    Ok(items.len() - 1)
}

fn update(state: &mut State, input: &Input) -> Result<usize, Fail> {
    let id = input
        .form("id")
        .filter(|v| !v.is_empty())
        .ok_or_else(|| Fail::bad("missing required form field `id`"))?;
    let i = state
        .scripts
        .iter()
        .position(|s| s.id == id)
        .ok_or_else(|| Fail::not_found(format!("script `{id}` not found")))?;
    let permission_type = permission(input, false)?;
    let platform = platforms(input)?;
    let content = upload(Kind::Script, input);
    if let Some(name) = input.form("name").filter(|n| !n.is_empty()) {
        if state.scripts.iter().any(|s| s.name == name && s.id != id) {
            return Err(Fail::new(
                // 409 as for a new script of that name (falconpy#261; see `create`).
                409,
                format!("a script named `{name}` already exists"),
            ));
        }
        state.scripts[i].name = name.to_string();
    }
    let script = &mut state.scripts[i];
    if let Some((_, bytes, sha)) = content {
        script.set_content(bytes, sha);
    }
    if let Some(d) = input.form("description").filter(|d| !d.is_empty()) {
        script.description = d.to_string();
    }
    if let Some(c) = input.form("comments_for_audit_log") {
        script.comments_for_audit_log = c.to_string();
    }
    if let Some(p) = permission_type {
        script.permission_type = p;
    }
    if let Some(p) = platform {
        script.platform = p;
    }
    script.modified_by = API_USER.into();
    script.modified_timestamp = now_stamp();
    Ok(i)
}

pub fn list_scripts(state: &mut State, input: &Input) -> Outcome {
    list(Kind::Script, state, input)
}

pub fn get_scripts(state: &mut State, input: &Input) -> Outcome {
    get(Kind::Script, state, &input.required_list("ids")?, false)
}

pub fn get_scripts_v2(state: &mut State, input: &Input) -> Outcome {
    get(Kind::Script, state, &input.required_list("ids")?, true)
}

pub fn create_script(state: &mut State, input: &Input) -> Outcome {
    create(Kind::Script, state, input)?;
    Ok(Reply::meta_only(200).writes(1))
}

pub fn create_script_v2(state: &mut State, input: &Input) -> Outcome {
    let i = create(Kind::Script, state, input)?;
    Ok(Reply::resources(
        200,
        vec![versioned(state.scripts[i].record("script"), true)],
    )
    .writes(1))
}

pub fn update_script(state: &mut State, input: &Input) -> Outcome {
    update(state, input)?;
    Ok(Reply::meta_only(200).writes(1))
}

pub fn update_script_v2(state: &mut State, input: &Input) -> Outcome {
    let i = update(state, input)?;
    Ok(Reply::resources(
        202,
        vec![versioned(state.scripts[i].record("script"), true)],
    )
    .writes(1))
}

pub fn delete_script(state: &mut State, input: &Input) -> Outcome {
    delete(Kind::Script, state, input)
}

pub fn list_put_files(state: &mut State, input: &Input) -> Outcome {
    list(Kind::PutFile, state, input)
}

pub fn get_put_files(state: &mut State, input: &Input) -> Outcome {
    get(Kind::PutFile, state, &input.required_list("ids")?, false)
}

pub fn get_put_files_v2(state: &mut State, input: &Input) -> Outcome {
    get(Kind::PutFile, state, &input.required_list("ids")?, true)
}

pub fn create_put_file(state: &mut State, input: &Input) -> Outcome {
    create(Kind::PutFile, state, input)?;
    Ok(Reply::meta_only(200).writes(1))
}

pub fn create_put_file_v2(state: &mut State, input: &Input) -> Outcome {
    let i = create(Kind::PutFile, state, input)?;
    Ok(Reply::resources(
        200,
        vec![versioned(state.put_files[i].record("binary"), true)],
    )
    .writes(1))
}

pub fn delete_put_file(state: &mut State, input: &Input) -> Outcome {
    delete(Kind::PutFile, state, input)
}

/// The put-file's exact bytes.
pub fn get_put_file_contents(state: &mut State, input: &Input) -> Outcome {
    let id = input.required_query("id")?;
    let file = state
        .put_files
        .iter()
        .find(|f| f.id == id)
        .ok_or_else(|| Fail::not_found(format!("put-file `{id}` not found")))?;
    Ok(Reply::bytes(
        "application/octet-stream",
        file.content.clone(),
    ))
}

pub fn list_falcon_scripts(_state: &mut State, input: &Input) -> Outcome {
    let all: Vec<usize> = (0..FALCON_SCRIPTS.len()).collect();
    let page = select(
        input,
        all,
        |&i| falcon_script_record(&FALCON_SCRIPTS[i], false),
        100,
    )?;
    let ids = page
        .items
        .iter()
        .map(|&i| Value::String(FALCON_SCRIPTS[i].0.into()))
        .collect();
    Ok(Reply::resources(200, ids).paged(json!(page.offset), page.limit, page.total))
}

pub fn get_falcon_scripts(_state: &mut State, input: &Input) -> Outcome {
    let ids = input.required_list("ids")?;
    require_known("falcon script", &ids, |id| {
        FALCON_SCRIPTS.iter().any(|f| f.0 == id)
    })?;
    let records = ids
        .iter()
        .filter_map(|id| FALCON_SCRIPTS.iter().find(|f| f.0 == id.as_str()))
        .map(|f| falcon_script_record(f, true))
        .collect();
    Ok(Reply::resources(200, records))
}
