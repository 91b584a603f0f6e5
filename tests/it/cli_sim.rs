//! `falconry sim` serves the emulator; a playbook run elsewhere reaches it by `FALCON_BASE_URL`.

use crate::common::Test;
use crate::served::Served;

#[test]
fn a_served_emulator_answers_a_playbook_and_stops_on_ctrl_c() {
    let mut sim = Served::start("seed = 7\n");
    Test::new()
        .playbook("hosts::query_devices_by_filter(#{ limit: 5 }).status_code")
        .arg("--json")
        .env("FALCON_CLIENT_ID", falconry::sim::DEFAULT_CLIENT_ID)
        .env("FALCON_CLIENT_SECRET", falconry::sim::DEFAULT_CLIENT_SECRET)
        .env("FALCON_BASE_URL", &format!("http://{}", sim.addr))
        .run()
        .status(0)
        .stdout_is("200\n")
        .stderr_lacks("embedded emulator");
    assert!(
        sim.stop_with_ctrl_c(),
        "falconry sim did not exit cleanly on Ctrl-C"
    );
}

#[test]
fn a_bad_listen_address_is_a_usage_error() {
    Test::new()
        .command(&["sim", "--listen", "nowhere"])
        .run()
        .status(2)
        .stderr_is("error: `--listen nowhere` is not an address like `127.0.0.1:8787`\n");
}
