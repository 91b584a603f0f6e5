//! `falconry sim` as a child process on an ephemeral port, for tests that must drive the served
//! binary over raw TCP (hostile peers) or hand it to an outside tool (schemathesis).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// `falconry sim` with a scenario, killed when dropped.
pub struct Served {
    child: Child,
    pub addr: String,
    _dir: tempfile::TempDir,
}

impl Served {
    pub fn start(scenario: &str) -> Served {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let path = dir.path().join("scenario.toml");
        std::fs::write(&path, scenario).expect("write the scenario");
        let mut child = Command::new(env!("CARGO_BIN_EXE_falconry"))
            .args(["sim", "--listen", "127.0.0.1:0", "--scenario"])
            .arg(&path)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start falconry sim");
        let mut lines = BufReader::new(child.stderr.take().expect("stderr")).lines();
        let url = lines
            .by_ref()
            .map_while(Result::ok)
            .find_map(|l| {
                l.strip_prefix("falconry sim listening on ")
                    .map(str::to_string)
            })
            .expect("the listening address");
        // Keep draining stderr so the child never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        Served {
            child,
            addr: url.trim_start_matches("http://").to_string(),
            _dir: dir,
        }
    }

    /// Sends SIGINT (Ctrl-C) and waits: whether the emulator exited successfully.
    pub fn stop_with_ctrl_c(&mut self) -> bool {
        let _ = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status();
        self.child.wait().is_ok_and(|s| s.success())
    }

    pub fn connect(&self) -> TcpStream {
        let s = TcpStream::connect(&self.addr).expect("connect");
        s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        s
    }

    /// Sends the head of a request and reads the status line of the answer.
    pub fn status_after_head(&self, head: &str) -> (TcpStream, String) {
        let mut s = self.connect();
        s.write_all(head.as_bytes()).expect("send the head");
        let mut line = String::new();
        BufReader::new(s.try_clone().unwrap())
            .read_line(&mut line)
            .expect("an answer before the body");
        (s, line)
    }

    pub fn token(&self) -> String {
        let body = "client_id=falconry-sim&client_secret=falconry-sim-secret";
        let mut s = self.connect();
        write!(
            s,
            "POST /oauth2/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        let mut answer = String::new();
        s.read_to_string(&mut answer).unwrap();
        let json = &answer[answer.find("\r\n\r\n").expect("a body") + 4..];
        let v: serde_json::Value = serde_json::from_str(json).expect("token JSON");
        v["access_token"].as_str().expect("a token").to_string()
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
