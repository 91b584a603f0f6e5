//! The `log` module: `log::info(msg)` and friends, to stderr with a timestamp and level.

use rhai::{Dynamic, Engine, FuncRegistration, Module};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Debug,
    Info,
    Warn,
    Error,
}

impl Level {
    pub const ALL: [Level; 4] = [Level::Debug, Level::Info, Level::Warn, Level::Error];

    /// The Rhai function name, which is also the level's name.
    pub fn name(self) -> &'static str {
        match self {
            Level::Debug => "debug",
            Level::Info => "info",
            Level::Warn => "warn",
            Level::Error => "error",
        }
    }
}

/// Registers `log::debug/info/warn/error`; messages below `min` are dropped.
pub fn register_log(engine: &mut Engine, min: Level) {
    let mut module = Module::new();
    for level in Level::ALL {
        FuncRegistration::new(level.name())
            .with_volatility(true)
            .with_purity(false)
            .set_into_module(&mut module, move |msg: Dynamic| {
                if level >= min {
                    let now = crate::time::now_stamp();
                    let msg = msg.to_string();
                    let msg = crate::terminal::text(&crate::ops::redact::clean(&msg)).into_owned();
                    eprintln!("{now} {:<5} {msg}", level.name().to_uppercase());
                }
            });
    }
    module.build_index();
    engine.register_static_module("log", module.into());
}
