//! The case of a run or REPL session from the command line: which folder (`--case`, `--resume`, the
//! default under the output folder), the checks `--resume` makes, and `case verify` / `case report`.

use super::arguments::{CaseArgs, CaseCommand};
use super::error::Error;
use crate::engine::case::{Case, CaseInfo, Outputs, claim_default_dir, render_report, verify};
use crate::engine::convert;
use crate::safety::Playbook;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use rhai::Map;
use std::path::{Path, PathBuf};

/// What a run does about its case.
pub enum CaseChoice {
    None,
    New(PathBuf),
    /// A new folder under this output folder, named when the run starts.
    Default(PathBuf),
    Resume(PathBuf),
}

/// Picks the playbook and case of `run`. With `--resume` the playbook and arguments must be those the
/// case was started with (either may be left out: the case's are used).
pub fn choose_for_run(
    playbook: Option<&Path>,
    args: &mut Map,
    resume: Option<&Path>,
    case: &CaseArgs,
    out: &Path,
) -> Result<(PathBuf, CaseChoice), Error> {
    let Some(dir) = resume else {
        let playbook = playbook
            .ok_or_else(|| Error::Usage("`run` needs a playbook file".into()))?
            .to_path_buf();
        let choice = match (&case.case, case.no_case) {
            (_, true) => CaseChoice::None,
            (Some(dir), false) => CaseChoice::New(dir.clone()),
            (None, false) => CaseChoice::Default(out.to_path_buf()),
        };
        return Ok((playbook, choice));
    };
    let info = crate::engine::case::CaseInfo::read(dir).map_err(Error::Usage)?;
    if info.kind != "run" {
        return Err(Error::Usage(format!(
            "`{}` is the case of a {} session, not of a run: only runs resume",
            dir.display(),
            info.kind
        )));
    }
    let playbook = match (playbook, &info.playbook_path) {
        (Some(p), _) => p.to_path_buf(),
        (None, Some(p)) => p.clone(),
        (None, None) => {
            return Err(Error::Usage(format!(
                "the case `{}` names no playbook file; give it",
                dir.display()
            )));
        }
    };
    let now = Playbook::from_file(&playbook).sha256;
    if now.is_none() || now != info.sha256 {
        return Err(Error::Usage(format!(
            "`--resume {}`: the playbook `{}` has changed (sha256 {} when the case started, {} now); a case resumes only the playbook it ran",
            dir.display(),
            playbook.display(),
            info.sha256.as_deref().unwrap_or("unknown"),
            now.as_deref().unwrap_or("unreadable"),
        )));
    }
    let given = convert::to_json(&rhai::Dynamic::from_map(args.clone()))
        .map_err(|e| Error::Usage(format!("the arguments cannot be compared: {e}")))?;
    if args.is_empty() {
        if let Some(m) = convert::from_json(&info.arguments).try_cast::<Map>() {
            *args = m;
        }
    } else if given != info.arguments {
        return Err(Error::Usage(format!(
            "`--resume {}`: the arguments differ from the case's ({} then, {given} now); a case resumes only with the arguments it ran with",
            dir.display(),
            info.arguments
        )));
    }
    Ok((playbook, CaseChoice::Resume(dir.to_path_buf())))
}

/// Opens the case a run chose: a new one with the playbook copied in, or the one to resume.
pub fn open_for_run(
    choice: &CaseChoice,
    playbook: &Path,
    args: &Map,
) -> Result<Option<Case>, Error> {
    let dir = match choice {
        CaseChoice::None => return Ok(None),
        CaseChoice::Resume(dir) => {
            let case = Case::resume(dir).map_err(Error::Usage)?;
            case.transcript()
                .event("start", serde_json::json!({ "resumed": true }));
            return Ok(Some(case));
        }
        CaseChoice::New(dir) => Some(dir),
        CaseChoice::Default(_) => None,
    };
    // An unreadable playbook fails the run as it always did, with no case left behind.
    let Ok(text) = std::fs::read(playbook) else {
        return Ok(None);
    };
    let p = Playbook::from_file(playbook);
    let dir = match (dir, choice) {
        (Some(d), _) => d.clone(),
        (None, CaseChoice::Default(out)) => {
            claim_default_dir(out, &p.name).map_err(Error::Usage)?
        }
        (None, _) => return Ok(None),
    };
    let arguments =
        convert::to_json(&rhai::Dynamic::from_map(args.clone())).unwrap_or(serde_json::Value::Null);
    let info = CaseInfo::new("run", &p.name, p.path.clone(), p.sha256.clone(), arguments);
    let case = Case::create(&dir, info, Some(&text)).map_err(Error::Usage)?;
    case.transcript()
        .event("start", serde_json::json!({ "resumed": false }));
    Ok(Some(case))
}

/// The case of a REPL session.
pub fn open_for_repl(case: &CaseArgs, out: &Path, args: &Map) -> Result<Option<Case>, Error> {
    if case.no_case {
        return Ok(None);
    }
    let dir = match &case.case {
        Some(d) => d.clone(),
        None => claim_default_dir(out, "repl").map_err(Error::Usage)?,
    };
    let arguments =
        convert::to_json(&rhai::Dynamic::from_map(args.clone())).unwrap_or(serde_json::Value::Null);
    let info = CaseInfo::new("repl", "repl", None, None, arguments);
    let case = Case::create(&dir, info, None).map_err(Error::Usage)?;
    case.transcript().event("start", serde_json::json!({}));
    Ok(Some(case))
}

/// `falconry case verify DIR` and `falconry case report DIR`.
pub fn command(c: CaseCommand) -> Result<(), Error> {
    match c {
        CaseCommand::Verify { dir } => {
            let v = verify(&dir).map_err(Error::Usage)?;
            for (what, files) in [
                ("changed", &v.changed),
                ("added", &v.added),
                ("missing", &v.missing),
            ] {
                for f in files {
                    println!("{what}: {}", crate::terminal::line(f));
                }
            }
            if v.intact() {
                println!("intact: {} files match the manifest", v.checked);
                Ok(())
            } else {
                Err(Error::Io(format!(
                    "the case `{}` is not as it was written: {} changed, {} added, {} missing",
                    dir.display(),
                    v.changed.len(),
                    v.added.len(),
                    v.missing.len()
                )))
            }
        }
        CaseCommand::Report { dir, out } => {
            let out = out.unwrap_or_else(|| {
                let name = dir
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_else(|| "case".into());
                dir.with_file_name(format!("{name}.html"))
            });
            let outputs = outputs_beside(&out);
            let html = render_report(&dir, &outputs).map_err(Error::Usage)?;
            std::fs::write(&out, html)
                .map_err(|e| Error::Io(format!("cannot write `{}`: {e}", out.display())))?;
            println!("{}", out.display());
            Ok(())
        }
    }
}

/// What a path segment of a link keeps as it is (RFC 3986's unreserved characters).
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The folder beside the page for the long outputs it links: `X.html` gets `X-outputs/`.
fn outputs_beside(page: &Path) -> Outputs {
    let stem = page
        .file_stem()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "case".into());
    let name = format!("{stem}-outputs");
    Outputs {
        dir: page.with_file_name(&name),
        // A name is a path segment of the link: all but the unreserved characters are escaped.
        link: format!("{}/", utf8_percent_encode(&name, SEGMENT)),
    }
}
