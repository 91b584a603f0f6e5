//! Case 4: one command the emulator completes after 5 s: how many status polls the playbook sends,
//! and how late it sees the completion.

use super::{Bench, CHUNK_READ_NOTE};
use crate::emulator::Emulator;
use crate::report::Section;
use crate::stats::Samples;

const MAX_POLLS: f64 = 10.0;
const MAX_DELAY_MS: f64 = 500.0;

pub fn run(b: &Bench) -> Result<Section, String> {
    let mut scenario = b.scenario("polling.toml")?;
    scenario.command_latency_ms = b.o.scale.poll_latency_ms;
    let latency = scenario.command_latency_ms as f64 / 1000.0;
    let mut s = Section::new(
        "4. Polling",
        &format!(
            "`s.run(\"pwd\")` on a session whose commands take {latency:.1} s. Polls are the status \
             requests in the emulator's log. The delay is the playbook's own time for the call minus \
             the latency: an upper bound, since it also holds the execute request and the last \
             poll's round trip."
        ),
    );
    if !b.rtr {
        let why = "`rtr::session` is not in this build (the playbook layer has not landed in main)";
        s.not_run("under 10 polls", why);
        s.not_run("under 500 ms delay", why);
        return Ok(s);
    }
    let mut polls = Samples::new("polls", 0);
    let mut delay = Samples::new("ms", 0);
    for run in 0..b.o.scale.runs {
        b.progress(&format!("polling: run {}/{}", run + 1, b.o.scale.runs));
        let sim = Emulator::start(scenario.clone())?;
        let cmd = b.playbook("polling.rhai", &[], &sim);
        if run == 0 {
            s.commands.push(crate::client::show(&cmd));
        }
        let out = b.run(&cmd, false)?.json()?;
        let secs = crate::client::secs(&out)?;
        delay.push((secs - latency) * 1000.0);
        let traffic = sim.traffic();
        // Every status request is a poll: a short answer that says `complete` needs no chunk read.
        polls.push(traffic.status_polls as f64);
        if run == 0 {
            s.notes.push(format!(
                "Requests by operation, first run: {}.",
                traffic.summary()
            ));
        }
    }
    s.row("status polls", &polls, "every status request");
    s.notes.push(CHUNK_READ_NOTE.into());
    s.row("completion seen after (upper bound)", &delay, "");
    s.target(
        "under 10 polls",
        polls.max() < MAX_POLLS,
        format!("at most {} polls", polls.max()),
    );
    s.target(
        "under 500 ms delay",
        delay.max() < MAX_DELAY_MS,
        format!("at most {:.0} ms", delay.max()),
    );
    Ok(s)
}
