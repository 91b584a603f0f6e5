//! Finds `import "falcon/hunt" as hunt;`: a `--lib` folder first, then the embedded stdlib.

use super::sources::Sources;
use super::stdlib;
use rhai::{Engine, EvalAltResult, Module, Position, Scope};
use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};

type SharedModule = Arc<Module>;

pub struct Resolver {
    lib_dir: Option<PathBuf>,
    sources: Sources,
    /// Each module is evaluated once per engine, however often it is imported.
    cache: Mutex<HashMap<String, SharedModule>>,
}

/// Where an import's text comes from.
pub struct Found {
    /// Shown in errors: the file path, or `stdlib:falcon/util`.
    pub display: String,
    pub text: String,
}

impl Resolver {
    pub fn new(lib_dir: Option<PathBuf>, sources: Sources) -> Resolver {
        Resolver {
            lib_dir,
            sources,
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// The text an import path names, or why there is none.
    pub fn find(&self, path: &str) -> Result<Found, String> {
        let rel = Path::new(path);
        if path.is_empty() || rel.components().any(|c| !matches!(c, Component::Normal(_))) {
            return Err(format!(
                "module path `{path}` must be relative, like `falcon/util`, without `..`"
            ));
        }
        if let Some(dir) = &self.lib_dir {
            let file = dir.join(rel).with_extension("rhai");
            if file.is_file() {
                return std::fs::read_to_string(&file)
                    .map(|text| Found {
                        display: file.display().to_string(),
                        text,
                    })
                    .map_err(|e| format!("cannot read `{}`: {e}", file.display()));
            }
        }
        stdlib::get(path)
            .map(|text| Found {
                display: format!("stdlib:{path}"),
                text: text.to_string(),
            })
            .ok_or_else(|| {
                let mut names: Vec<&str> = stdlib::STDLIB.iter().map(|(p, _)| *p).collect();
                names.sort_unstable();
                format!(
                    "no module `{path}`{}; built-in modules: {}",
                    self.lib_dir
                        .as_ref()
                        .map(|d| format!(" in `{}` or the built-in library", d.display()))
                        .unwrap_or_default(),
                    crate::text::ticked(&names)
                )
            })
    }
}

impl rhai::ModuleResolver for Resolver {
    fn resolve(
        &self,
        engine: &Engine,
        _source: Option<&str>,
        path: &str,
        pos: Position,
    ) -> Result<SharedModule, Box<EvalAltResult>> {
        if let Some(m) = self.cache.lock().ok().and_then(|c| c.get(path).cloned()) {
            return Ok(m);
        }
        let found = self
            .find(path)
            .map_err(|m| EvalAltResult::ErrorRuntime(m.into(), pos))?;
        self.sources.add(path, &found.display, &found.text);
        let in_module = |e: Box<EvalAltResult>| {
            Box::new(EvalAltResult::ErrorInModule(path.to_string(), e, pos))
        };
        let mut ast = engine
            .compile(&found.text)
            .map_err(|e| in_module(e.into()))?;
        ast.set_source(path);
        let mut module = Module::eval_ast_as_new(Scope::new(), &ast, engine).map_err(in_module)?;
        module.set_id(path);
        module.build_index();
        let module: SharedModule = module.into();
        if let Ok(mut c) = self.cache.lock() {
            c.insert(path.to_string(), module.clone());
        }
        Ok(module)
    }
}
