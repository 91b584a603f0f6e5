//! Small hostile HTTP peers for tests: a server whose every answer a closure decides (redirects, endless
//! bodies, echoed requests, silence), and a proxy in front of the emulator that may rewrite answers.
//! Plain `std` sockets, one request per connection (`connection: close`), so each stays tiny.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A request as the peer received it.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: String,
    /// Path and query, as sent.
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Seen {
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or_default()
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// What the peer answers.
pub enum Reply {
    Full {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    /// A 200 whose JSON body never ends (until the client hangs up).
    Endless,
    /// Says nothing for this long, then hangs up.
    Silence(Duration),
    /// A 200 that promises a body, sends a few bytes of it, then says nothing for this long.
    Stall(Duration),
    /// An answer with this status that promises a body, sends a few bytes of it and hangs up.
    Cut(u16),
}

impl Reply {
    pub fn json(status: u16, body: &str) -> Reply {
        Reply::Full {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.as_bytes().to_vec(),
        }
    }

    /// The token answer every peer gives first.
    pub fn token() -> Reply {
        Reply::json(
            201,
            r#"{"access_token":"peer-bearer-token-0xBEEF","expires_in":1800,"token_type":"bearer"}"#,
        )
    }

    pub fn redirect(status: u16, location: &str) -> Reply {
        Reply::Full {
            status,
            headers: vec![("location".into(), location.into())],
            body: Vec::new(),
        }
    }
}

pub type Handler = Arc<dyn Fn(&Seen) -> Reply + Send + Sync>;

pub struct Peer {
    pub url: String,
    pub seen: Arc<Mutex<Vec<Seen>>>,
}

impl Peer {
    pub fn requests(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

/// A server on a loopback port whose answers `handler` decides.
pub fn peer(handler: impl Fn(&Seen) -> Reply + Send + Sync + 'static) -> Peer {
    let handler: Handler = Arc::new(handler);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let (handler, log) = (handler.clone(), log.clone());
            std::thread::spawn(move || {
                let Some(req) = read_request(&stream) else {
                    return;
                };
                log.lock().unwrap().push(req.clone());
                write_reply(stream, handler(&req));
            });
        }
    });
    Peer { url, seen }
}

/// A proxy to `upstream` (the emulator): every answer passes through `rewrite` first.
pub fn proxy(
    upstream: &str,
    rewrite: impl Fn(&Seen, Reply) -> Reply + Send + Sync + 'static,
) -> Peer {
    let upstream = upstream.trim_start_matches("http://").to_string();
    peer(move |req| rewrite(req, forward(&upstream, req)))
}

/// Sends `req` to `addr` as HTTP/1.0 (so the answer ends at close, never chunked) and reads the answer.
fn forward(addr: &str, req: &Seen) -> Reply {
    let mut up = TcpStream::connect(addr).expect("upstream answers");
    let mut head = format!("{} {} HTTP/1.0\r\n", req.method, req.target);
    for (k, v) in &req.headers {
        if k != "connection" && k != "content-length" {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
    }
    head.push_str(&format!("content-length: {}\r\n\r\n", req.body.len()));
    up.write_all(head.as_bytes()).unwrap();
    up.write_all(&req.body).unwrap();
    let mut raw = Vec::new();
    let _ = up.read_to_end(&mut raw);
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or(raw.len());
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let body = raw.get(split + 4..).unwrap_or_default().to_vec();
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(502);
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .filter(|(k, _)| k != "content-length" && k != "connection" && k != "transfer-encoding")
        .collect();
    Reply::Full {
        status,
        headers,
        body,
    }
}

fn read_request(stream: &TcpStream) -> Option<Seen> {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut first = String::new();
    reader.read_line(&mut first).ok()?;
    let mut words = first.split_whitespace();
    let method = words.next()?.to_string();
    let target = words.next()?.to_string();
    let mut headers = Vec::new();
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
        if let Some((k, v)) = line.split_once(':') {
            let (k, v) = (k.trim().to_ascii_lowercase(), v.trim().to_string());
            if k == "content-length" {
                length = v.parse().unwrap_or(0);
            }
            headers.push((k, v));
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(Seen {
        method,
        target,
        headers,
        body,
    })
}

fn write_reply(mut stream: TcpStream, reply: Reply) {
    match reply {
        Reply::Full {
            status,
            headers,
            body,
        } => {
            let mut head = format!("HTTP/1.1 {status} Peer\r\n");
            for (k, v) in headers {
                head.push_str(&format!("{k}: {v}\r\n"));
            }
            head.push_str(&format!(
                "content-length: {}\r\nconnection: close\r\n\r\n",
                body.len()
            ));
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&body);
        }
        Reply::Endless => {
            let head =
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n";
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(b"{\"resources\":[\"");
            let chunk = vec![b'a'; 1 << 16];
            while stream.write_all(&chunk).is_ok() {}
        }
        Reply::Silence(d) => std::thread::sleep(d),
        Reply::Cut(status) => {
            let head = format!(
                "HTTP/1.1 {status} Peer\r\ncontent-type: application/json\r\ncontent-length: 1000\r\nconnection: close\r\n\r\n{{\"errors\": ["
            );
            let _ = stream.write_all(head.as_bytes());
        }
        Reply::Stall(d) => {
            let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1000\r\nconnection: close\r\n\r\n{\"resources\": [";
            let _ = stream.write_all(head.as_bytes());
            std::thread::sleep(d);
        }
    }
}

/// The client secret of [`tenant`]'s emulator.
pub const TENANT_SECRET: &str = "hostile-tenant-secret";

/// An emulator loaded from a scenario in TOML (hostile host names, policies...), on loopback.
pub fn tenant(dir: &std::path::Path, toml: &str) -> falconry::sim::SimHandle {
    let scenario = dir.join("tenant.toml");
    std::fs::write(&scenario, toml).unwrap();
    falconry::sim::start(falconry::sim::SimConfig {
        scenario: Some(scenario),
        client_id: "falconry-test".into(),
        client_secret: TENANT_SECRET.into(),
        ..falconry::sim::SimConfig::default()
    })
    .expect("the scenario loads")
}

/// The binary, with credentials for `sim` in its environment.
pub fn against(sim: &falconry::sim::SimHandle) -> crate::common::Test {
    crate::common::Test::new()
        .env("FALCON_CLIENT_ID", "falconry-test")
        .env("FALCON_CLIENT_SECRET", TENANT_SECRET)
        .env("FALCON_BASE_URL", &sim.base_url())
}

/// A proxy to `upstream` that rewrites the body of every complete answer with `rewrite`.
pub fn rewriting(
    upstream: &str,
    rewrite: impl Fn(&Seen, Vec<u8>) -> Vec<u8> + Send + Sync + 'static,
) -> Peer {
    proxy(upstream, move |req, reply| match reply {
        Reply::Full {
            status,
            headers,
            body,
        } => Reply::Full {
            status,
            headers,
            body: rewrite(req, body),
        },
        other => other,
    })
}
