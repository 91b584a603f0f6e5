//! Case 6: the per-host fan-out against the emulator's limit of 6,000 requests a minute: how many
//! 429s, and how long next to the same run without a limit and to the time the limit imposes on the
//! API minimum of requests (not on the requests falconry chose to send).

use super::Bench;
use super::fanout::EACH_MINIMUM;
use crate::emulator::Emulator;
use crate::report::Section;
use crate::stats::Samples;

const CONCURRENCY: usize = 64;
const HANDFUL: usize = 5;

pub fn run(b: &Bench) -> Result<Section, String> {
    let mut limited = b.scenario("ratelimit.toml")?;
    if let Some(fleet) = limited.fleet.as_mut() {
        fleet.count = b.o.scale.rate_hosts;
    }
    let limit = limited.rate_limit_per_minute as f64;
    let hosts = b.o.scale.rate_hosts;
    let mut s = Section::new(
        "6. Rate limit",
        &format!(
            "`rtr::each` (concurrency {CONCURRENCY}) running `ps` on {hosts} hosts with 300 ms latency, \
             against a limit of {limit:.0} requests a minute (sliding window), next to the same run \
             without a limit. The limit imposes at least 60 s × ⌊(N − 1) / {limit:.0}⌋ for N requests \
             (request {limit:.0} + 1 must wait until a minute after the first); N here is the API \
             minimum for this fan-out ({EACH_MINIMUM} per host, plus the token and the two host \
             lookups), so the figure is what the limit imposes on any client, and the time it imposes \
             is the larger of that and the unlimited run's time."
        ),
    );
    if !b.rtr {
        let why = "`rtr::each` is not in this build (the playbook layer has not landed in main)";
        s.not_run("a handful of 429s at most", why);
        s.not_run("within 1.3x of the run without a limit", why);
        return Ok(s);
    }
    let mut free = limited.clone();
    free.rate_limit_per_minute = 0;
    let concurrency = format!("concurrency={CONCURRENCY}");
    let runs = b.o.scale.runs.min(2);
    let mut wall_free = Samples::new("s", 1);
    let mut wall_limited = Samples::new("s", 1);
    let mut too_many = Samples::new("429s", 0);
    let mut requests = Samples::new("requests", 0);
    let mut floors = Samples::new("s", 1);
    for run in 0..runs {
        for (scenario, wall, label) in [
            (&free, &mut wall_free, "no limit"),
            (&limited, &mut wall_limited, "limited"),
        ] {
            b.progress(&format!("rate limit: {label}, run {}/{runs}", run + 1));
            let sim = Emulator::start(scenario.clone())?;
            let cmd = b.playbook("fanout_each.rhai", &["--arg", &concurrency], &sim);
            if run == 0 {
                s.commands
                    .push(format!("{}   # {label}", crate::client::show(&cmd)));
            }
            // The process's wall time: the limit counts every request, `find_all` and token included.
            let done = b.run(&cmd, false)?;
            wall.push(done.wall.as_secs_f64());
            if label == "limited" {
                let t = sim.traffic();
                too_many.push(t.too_many as f64);
                requests.push(t.total as f64);
                floors.push(60.0 * ((t.total.saturating_sub(1)) as f64 / limit).floor());
            }
        }
    }
    s.row("without a limit: wall time (whole process)", &wall_free, "");
    s.row("limited: wall time (whole process)", &wall_limited, "");
    s.row(
        "limited: requests sent",
        &requests,
        format!(
            "API minimum ≈ {:.0} ({EACH_MINIMUM} per host)",
            EACH_MINIMUM * hosts as f64
        ),
    );
    s.row("limited: 429 answers", &too_many, "");
    // Token, `hosts::find_all` (query and details) and the API minimum per host.
    let minimum = EACH_MINIMUM * hosts as f64 + 3.0;
    let imposed = (60.0 * ((minimum - 1.0) / limit).floor()).max(wall_free.median());
    s.row(
        "limited: time the limit imposes on the requests sent",
        &floors,
        "60 s × ⌊(sent − 1) / limit⌋",
    );
    s.notes.push(format!(
        "The API minimum for this fan-out is {minimum:.0} requests, which a {limit:.0}/minute limit \
         delays by {:.0} s: the time the limit imposes is therefore the unlimited run's, {:.1} s.",
        60.0 * ((minimum - 1.0) / limit).floor(),
        imposed
    ));
    s.target(
        "a handful of 429s at most",
        too_many.max() <= HANDFUL as f64,
        format!("at most {} (handful: {HANDFUL})", too_many.max()),
    );
    let ratio = wall_limited.median() / wall_free.median();
    s.ratios
        .push(("limited wall time / unlimited wall time".into(), ratio));
    s.ratios.push((
        "limited wall time / time the limit imposes (API minimum)".into(),
        wall_limited.median() / imposed,
    ));
    s.target(
        "within 1.3x of the run without a limit",
        ratio <= 1.3,
        format!(
            "{:.1} s vs {:.1} s: {ratio:.2}x",
            wall_limited.median(),
            wall_free.median()
        ),
    );
    Ok(s)
}
