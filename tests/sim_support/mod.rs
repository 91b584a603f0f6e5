//! Test helper for the emulator's integration tests: start a sim (default or from scenario TOML),
//! take a token, and send raw HTTP with reqwest (the emulator is tested, not our client).

#![allow(dead_code)]

use falconry::sim::{self, Scenario, SimConfig, SimHandle, State};
use reqwest::Method;
use reqwest::header::HeaderMap;
use serde_json::{Value, json};

pub struct Sim {
    pub handle: SimHandle,
    pub http: reqwest::Client,
    pub token: String,
}

pub struct Answer {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Value,
    pub bytes: Vec<u8>,
}

impl Answer {
    pub fn message(&self) -> String {
        self.body["errors"][0]["message"]
            .as_str()
            .unwrap_or("")
            .to_string()
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(String::from)
    }

    pub fn resources(&self) -> &Vec<Value> {
        self.body["resources"]
            .as_array()
            .unwrap_or_else(|| panic!("no resources array in {}", self.body))
    }

    pub fn first(&self) -> &Value {
        &self.resources()[0]
    }

    #[track_caller]
    pub fn expect(self, status: u16) -> Answer {
        assert_eq!(self.status, status, "body: {}", self.body);
        self
    }
}

impl Sim {
    pub async fn start() -> Sim {
        Sim::from_handle(sim::start(SimConfig::default()).expect("sim starts")).await
    }

    pub async fn with_scenario(toml: &str) -> Sim {
        let config = SimConfig::default();
        let scenario = Scenario::parse(toml).expect("scenario parses");
        let state = State::new(
            scenario,
            7,
            config.client_id.clone(),
            config.client_secret.clone(),
        )
        .expect("scenario loads");
        Sim::from_handle(sim::start_with_state(&config, state).expect("sim starts")).await
    }

    async fn from_handle(handle: SimHandle) -> Sim {
        falconry::api::tls::install();
        let http = reqwest::Client::new();
        let mut sim = Sim {
            handle,
            http,
            token: String::new(),
        };
        sim.token = sim.new_token().await;
        sim
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.handle.base_url())
    }

    pub async fn new_token(&self) -> String {
        let a = self
            .token_answer(&self.handle.client_id, &self.handle.client_secret)
            .await;
        assert_eq!(a.status, 201, "{}", a.body);
        a.body["access_token"].as_str().unwrap().to_string()
    }

    pub async fn token_answer(&self, id: &str, secret: &str) -> Answer {
        let r = self
            .http
            .post(self.url("/oauth2/token"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form(&[("client_id", id), ("client_secret", secret)]))
            .send()
            .await
            .unwrap();
        answer(r).await
    }

    pub async fn send(&self, method: Method, path: &str, body: Option<Value>) -> Answer {
        let mut req = self
            .http
            .request(method, self.url(path))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            req = req.json(&body);
        }
        answer(req.send().await.unwrap()).await
    }

    pub async fn get(&self, path: &str) -> Answer {
        self.send(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Answer {
        self.send(Method::POST, path, Some(body)).await
    }

    pub async fn patch(&self, path: &str, body: Value) -> Answer {
        self.send(Method::PATCH, path, Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> Answer {
        self.send(Method::DELETE, path, None).await
    }

    pub async fn multipart(
        &self,
        method: Method,
        path: &str,
        form: reqwest::multipart::Form,
    ) -> Answer {
        let r = self
            .http
            .request(method, self.url(path))
            .bearer_auth(&self.token)
            .multipart(form)
            .send()
            .await
            .unwrap();
        answer(r).await
    }

    pub fn device(&self, hostname: &str) -> String {
        self.handle
            .state()
            .device_id_of(hostname)
            .unwrap_or_else(|| panic!("no host `{hostname}`"))
    }

    /// Opens a session and returns its id.
    pub async fn session(&self, device_id: &str) -> String {
        let a = self
            .post(
                "/real-time-response/entities/sessions/v1",
                json!({ "device_id": device_id, "origin": "test", "queue_offline": false }),
            )
            .await
            .expect(201);
        a.first()["session_id"].as_str().unwrap().to_string()
    }

    /// Runs a command on an endpoint (`command`, `active-responder-command`, `admin-command`).
    pub async fn run(&self, endpoint: &str, session: &str, line: &str) -> Answer {
        let base = line.split_whitespace().next().unwrap_or("");
        self.post(
            &format!("/real-time-response/entities/{endpoint}/v1"),
            json!({ "base_command": base, "command_string": line, "session_id": session,
                    "device_id": "", "id": 0, "persist": false }),
        )
        .await
    }

    /// Polls status until the command finished (complete, or a first chunk of output with more
    /// to follow); returns the sequence-0 status.
    pub async fn wait(&self, endpoint: &str, cloud_request_id: &str) -> Value {
        for _ in 0..200 {
            let a = self
                .get(&format!(
                    "/real-time-response/entities/{endpoint}/v1?cloud_request_id={cloud_request_id}&sequence_id=0"
                ))
                .await
                .expect(200);
            if a.first()["complete"] == true || a.first()["stdout"] != "" {
                return a.first().clone();
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        panic!("command `{cloud_request_id}` never completed");
    }
}

pub async fn answer(r: reqwest::Response) -> Answer {
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    let bytes = r.bytes().await.unwrap().to_vec();
    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    Answer {
        status,
        headers,
        body,
        bytes,
    }
}

/// An `application/x-www-form-urlencoded` body.
pub fn form(pairs: &[(&str, &str)]) -> String {
    use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
    pairs
        .iter()
        .map(|(k, v)| {
            format!(
                "{}={}",
                utf8_percent_encode(k, NON_ALPHANUMERIC),
                utf8_percent_encode(v, NON_ALPHANUMERIC)
            )
        })
        .collect::<Vec<_>>()
        .join("&")
}
