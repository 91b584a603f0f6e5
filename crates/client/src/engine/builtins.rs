//! Global functions playbooks need beyond Rhai's own: waiting that a time limit or Ctrl-C can cut short.

use super::call::terminated;
use super::cancel::Cancel;
use rhai::{Engine, EvalAltResult, FuncRegistration, NativeCallContext};
use std::time::Duration;

pub fn register_builtins(engine: &mut Engine, cancel: &Cancel) {
    let c = cancel.clone();
    FuncRegistration::new("sleep")
        .with_volatility(true)
        .with_purity(false)
        .register_into_engine(engine, move |native: NativeCallContext, secs: f64| {
            pause(&c, &native, secs)
        });
    let c = cancel.clone();
    FuncRegistration::new("sleep")
        .with_volatility(true)
        .with_purity(false)
        .register_into_engine(engine, move |native: NativeCallContext, secs: i64| {
            pause(&c, &native, secs as f64)
        });
}

fn pause(cancel: &Cancel, native: &NativeCallContext, secs: f64) -> Result<(), Box<EvalAltResult>> {
    let d = Duration::try_from_secs_f64(secs.max(0.0)).unwrap_or(Duration::MAX);
    if cancel.sleep(d) {
        Ok(())
    } else {
        Err(terminated(cancel, native.call_position()))
    }
}
