//! `falconry sim` serves the emulator; a playbook run elsewhere reaches it by `FALCON_BASE_URL`.

use crate::common::Test;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// Kills the served emulator if the test fails before stopping it.
struct Served(Child);

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn a_served_emulator_answers_a_playbook_and_stops_on_ctrl_c() {
    let mut sim = Served(
        Command::new(env!("CARGO_BIN_EXE_falconry"))
            .args(["sim", "--listen", "127.0.0.1:0", "--seed", "7"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start falconry sim"),
    );
    let mut lines = BufReader::new(sim.0.stderr.take().expect("stderr")).lines();
    let url = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|l| {
            l.strip_prefix("falconry sim listening on ")
                .map(str::to_string)
        })
        .expect("the listening address");

    Test::new()
        .playbook("hosts::query_devices_by_filter(#{ limit: 5 }).status_code")
        .arg("--json")
        .env("FALCON_CLIENT_ID", falconry::sim::DEFAULT_CLIENT_ID)
        .env("FALCON_CLIENT_SECRET", falconry::sim::DEFAULT_CLIENT_SECRET)
        .env("FALCON_BASE_URL", &url)
        .run()
        .status(0)
        .stdout_is("200\n")
        .stderr_lacks("embedded emulator");

    let _ = Command::new("kill")
        .args(["-INT", &sim.0.id().to_string()])
        .status();
    assert!(sim.0.wait().expect("wait for sim").success());
}

#[test]
fn a_bad_listen_address_is_a_usage_error() {
    Test::new()
        .command(&["sim", "--listen", "nowhere"])
        .run()
        .status(2)
        .stderr_is("error: `--listen nowhere` is not an address like `127.0.0.1:8787`\n");
}
