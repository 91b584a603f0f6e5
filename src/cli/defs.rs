//! `falconry defs [DIR]`: Rhai definition files for editors. The Rhai language server reads
//! `*.d.rhai` files to complete and document functions a host program registers; these are written
//! from the very engine `falconry run` builds (every operation, helper, method and text function,
//! each with its help), and the built-in library's modules are copied beside them as source, so an
//! `import "falcon/hunt" as hunt;` resolves with its `///` docs.

use super::error::Error;
use crate::engine::{Cancel, Offline, Options};
use std::path::Path;
use std::sync::Arc;

pub fn defs(dir: &Path) -> Result<(), Error> {
    let io = |what: &Path, e: std::io::Error| {
        Error::Io(format!("cannot write `{}`: {e}", what.display()))
    };
    // Offline: building the engine sends nothing, and nothing here runs a playbook.
    let runtime = crate::helpers::runtime(Arc::new(Offline), &Options::default(), Cancel::new());
    std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
    let mut written = 0;
    for (name, text) in runtime
        .engine()
        .definitions()
        .with_headers(true)
        .include_standard_packages(true)
        .iter_files()
    {
        let path = dir.join(&name);
        std::fs::write(&path, returns(&text)).map_err(|e| io(&path, e))?;
        written += 1;
    }
    for (import, source) in crate::engine::stdlib::STDLIB {
        let path = dir.join(format!("{import}.rhai"));
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| io(parent, e))?;
        }
        std::fs::write(&path, source).map_err(|e| io(&path, e))?;
        written += 1;
    }
    println!(
        "wrote {written} definition and library files to {}",
        dir.display()
    );
    Ok(())
}

/// rhai 1.27 names the result of a native function that returns `Result<T, Box<EvalAltResult>>`
/// by the last `::` segment of the Rust type (`-> EvalAltResult>>`), or not at all (`-> ;`); a
/// language server reads either as a syntax error. Such a result is any value (`?`).
fn returns(text: &str) -> String {
    text.lines()
        .map(|l| {
            // `op` is how rhai writes a function named by a keyword (`log::debug`).
            let function = l.starts_with("fn ") || l.starts_with("op ");
            if function && (l.ends_with("-> ;") || l.ends_with(">>;")) {
                let head = l.rsplit_once("->").map_or(l, |(h, _)| h);
                format!("{}-> ?;\n", head)
            } else {
                format!("{l}\n")
            }
        })
        .collect()
}
