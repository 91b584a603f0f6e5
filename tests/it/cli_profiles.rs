//! `falconry profile` (issue 26): named tenants with the secret in the OS keyring or, when asked, a
//! 0600 file; `--profile` / `FALCON_PROFILE` select one, the banner names the source, the MSSP
//! `member_cid` reaches the token request, and the secret appears in no output, file or case.

use falconry::sim::{self, SimConfig};
use std::path::Path;
use std::process::{Command, Output, Stdio};

const SECRET: &str = "profile-secret-Zq81-never-shown";
const PLAYBOOK: &str =
    "let n = hosts::query_devices_by_filter().body.resources.len(); print(`hosts: ${n}`); n";

struct Setup {
    sim: sim::SimHandle,
    dir: tempfile::TempDir,
}

impl Setup {
    fn new() -> Setup {
        let sim = sim::start(SimConfig {
            client_id: "profile-tests".into(),
            client_secret: SECRET.into(),
            ..SimConfig::default()
        })
        .expect("start the emulator");
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("count.rhai"), PLAYBOOK).unwrap();
        Setup { sim, dir }
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_falconry"));
        c.args(args)
            .current_dir(self.dir.path())
            .env("FALCONRY_CONFIG_DIR", self.dir.path().join("config"))
            .env("HOME", self.dir.path())
            .env("XDG_DATA_HOME", self.dir.path().join("data"))
            .env_remove("FALCON_CLIENT_ID")
            .env_remove("FALCON_CLIENT_SECRET")
            .env_remove("FALCON_BASE_URL")
            .env_remove("FALCON_CLOUD")
            .env_remove("FALCON_MEMBER_CID")
            .env_remove("FALCON_PROFILE");
        c
    }

    /// `profile add` with the secret on standard input.
    fn add(&self, name: &str, extra: &[&str], secret: &str) -> Output {
        let mut args = vec!["profile", "add", name];
        args.extend_from_slice(extra);
        self.with_stdin(&args, &format!("{secret}\n"))
    }

    /// Runs falconry with `input` on its standard input.
    fn with_stdin(&self, args: &[&str], input: &str) -> Output {
        let mut child = self
            .cmd(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write;
        // A command that refuses its arguments exits without reading stdin: the pipe is then
        // closed, which is that command's answer, not the test's failure (it flaked once in CI).
        match child.stdin.take().unwrap().write_all(input.as_bytes()) {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
            other => other.unwrap(),
        }
        child.wait_with_output().unwrap()
    }

    fn add_lab(&self) {
        let url = self.sim.base_url();
        let out = self.add(
            "lab",
            &[
                "--base-url",
                &url,
                "--client-id",
                "profile-tests",
                "--member-cid",
                "c0ffee0000000000000000000000beef",
                "--secret-store",
                "file",
            ],
            SECRET,
        );
        assert!(out.status.success(), "{}", text(&out));
    }
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Every file below `dir` holding `needle`, except the one secrets file the user asked for.
fn files_holding(dir: &Path, needle: &str, except: &Path) -> Vec<String> {
    crate::common::walk(dir)
        .into_iter()
        .filter(|p| p != except)
        .filter(|p| {
            std::fs::read(p)
                .map(|b| b.windows(needle.len()).any(|w| w == needle.as_bytes()))
                .unwrap_or(false)
        })
        .map(|p| p.display().to_string())
        .collect()
}

#[test]
fn a_file_profile_runs_a_playbook_with_its_member_cid_and_never_shows_the_secret() {
    let s = Setup::new();
    s.add_lab();
    let secrets = s.dir.path().join("config/secrets.toml");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&secrets).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    }

    let list = s.cmd(&["profile", "list"]).output().unwrap();
    assert!(list.status.success());
    let listed = text(&list);
    assert!(listed.contains("lab"), "{listed}");
    assert!(listed.contains("client id profile-tests"), "{listed}");
    assert!(listed.contains("member CID c0ffee"), "{listed}");
    assert!(listed.contains("secret in file"), "{listed}");
    let json = s.cmd(&["profile", "list", "--json"]).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v[0]["name"], "lab");
    assert_eq!(v[0]["secret_store"], "file");

    let run = s
        .cmd(&[
            "run",
            "count.rhai",
            "--profile",
            "lab",
            "--json",
            "--out",
            "out",
        ])
        .output()
        .unwrap();
    let shown = text(&run);
    assert!(run.status.success(), "{shown}");
    assert!(
        shown.contains("credentials from profile `lab` (secret from the secrets file"),
        "{shown}"
    );
    assert_eq!(
        s.sim.state().member_cids(),
        ["c0ffee0000000000000000000000beef"]
    );

    // FALCON_PROFILE selects it too, and wins over credentials in the environment, saying so.
    let run = s
        .cmd(&["run", "count.rhai", "--json", "--out", "out"])
        .env("FALCON_PROFILE", "lab")
        .env("FALCON_CLIENT_ID", "someone-else")
        .env("FALCON_CLIENT_SECRET", "other-secret")
        .output()
        .unwrap();
    let shown2 = text(&run);
    assert!(run.status.success(), "{shown2}");
    assert!(
        shown2.contains("profile `lab`")
            && shown2.contains("`FALCON_CLIENT_ID` in the environment is not used"),
        "{shown2}"
    );

    for out in [&list, &json] {
        assert!(!text(out).contains(SECRET));
    }
    assert!(!shown.contains(SECRET) && !shown2.contains(SECRET));
    let leaked = files_holding(s.dir.path(), SECRET, &secrets);
    assert!(leaked.is_empty(), "the secret is in {leaked:?}");
    // The case folder exists and was searched.
    assert!(s.dir.path().join("out").is_dir());
}

#[test]
fn environment_credentials_keep_working_and_the_banner_says_so_once_profiles_exist() {
    let s = Setup::new();
    let quiet = s
        .cmd(&["run", "count.rhai", "--json", "--no-case"])
        .env("FALCON_CLIENT_ID", "profile-tests")
        .env("FALCON_CLIENT_SECRET", SECRET)
        .env("FALCON_BASE_URL", s.sim.base_url())
        .output()
        .unwrap();
    assert!(quiet.status.success(), "{}", text(&quiet));
    assert!(
        !text(&quiet).contains("credentials from"),
        "{}",
        text(&quiet)
    );
    s.add_lab();
    let run = s
        .cmd(&["run", "count.rhai", "--json", "--no-case"])
        .env("FALCON_CLIENT_ID", "profile-tests")
        .env("FALCON_CLIENT_SECRET", SECRET)
        .env("FALCON_BASE_URL", s.sim.base_url())
        .output()
        .unwrap();
    let shown = text(&run);
    assert!(run.status.success(), "{shown}");
    assert!(
        shown.contains("credentials from the environment (`FALCON_CLIENT_ID`), not a profile"),
        "{shown}"
    );
    assert!(!shown.contains(SECRET));
}

#[test]
fn unknown_profiles_bad_names_and_missing_secrets_are_refused_before_anything_is_sent() {
    let s = Setup::new();
    s.add_lab();
    let before = s.sim.state().request_log().len();
    let run = s
        .cmd(&["run", "count.rhai", "--profile", "prod", "--no-case"])
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(2), "{}", text(&run));
    assert!(
        text(&run).contains("no profile named `prod`; profiles: `lab`"),
        "{}",
        text(&run)
    );
    assert_eq!(s.sim.state().request_log().len(), before);

    let bad = s.add("a b", &["--client-id", "x", "--secret-store", "file"], "s");
    assert!(
        text(&bad).contains("must be 1 to 64 letters"),
        "{}",
        text(&bad)
    );
    let empty = s.add("empty", &["--client-id", "x", "--secret-store", "file"], "");
    assert!(
        text(&empty).contains("no client secret on standard input"),
        "{}",
        text(&empty)
    );
    let cloud = s.add("c", &["--client-id", "x", "--cloud", "mars-1"], "s");
    assert!(
        text(&cloud).contains("`--cloud mars-1` is not a Falcon cloud"),
        "{}",
        text(&cloud)
    );
}

/// The OS keyring is the default store. Where this machine has none working (a container, CI), adding
/// fails naming the file store and keeps nothing; where it has one, the profile runs from it.
#[test]
fn the_keyring_store_works_or_says_there_is_none_and_how_to_use_a_file() {
    let s = Setup::new();
    let url = s.sim.base_url();
    let out = s.add(
        "kr",
        &["--base-url", &url, "--client-id", "profile-tests"],
        SECRET,
    );
    let shown = text(&out);
    assert!(!shown.contains(SECRET));
    if out.status.success() {
        let run = s
            .cmd(&["run", "count.rhai", "--profile", "kr", "--no-case"])
            .output()
            .unwrap();
        assert!(
            text(&run).contains("secret from the OS keyring"),
            "{}",
            text(&run)
        );
        let rm = s.cmd(&["profile", "remove", "kr"]).output().unwrap();
        assert!(rm.status.success(), "{}", text(&rm));
    } else {
        assert!(shown.contains("--secret-store file"), "{shown}");
        assert!(!s.dir.path().join("config/secrets.toml").exists());
        let list = s.cmd(&["profile", "list"]).output().unwrap();
        assert!(text(&list).contains("no profiles"), "{}", text(&list));
    }
    let leaked = files_holding(s.dir.path(), SECRET, Path::new("/nonexistent"));
    assert!(leaked.is_empty(), "the secret is in {leaked:?}");
}

#[test]
fn the_repl_on_a_profile_keeps_its_secret_out_of_the_history() {
    let s = Setup::new();
    s.add_lab();
    let out = s.with_stdin(
        &["repl", "--profile", "lab"],
        &format!("let s = \"{SECRET}\";\nlet x = 1;\n"),
    );
    assert!(
        text(&out).contains("as client `profile-tests` (profile `lab`"),
        "{}",
        text(&out)
    );
    let history = s.dir.path().join("data/falconry/history");
    let kept = std::fs::read_to_string(&history).unwrap();
    assert!(kept.contains("let x = 1;"), "{kept}");
    assert!(!kept.contains(SECRET), "{kept}");
}
