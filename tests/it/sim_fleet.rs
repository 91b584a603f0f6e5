//! Hosts and host groups in the emulator: FQL filters, sort, paging and scroll, details,
//! online state, containment, static and dynamic groups, and a 10,000-host generated fleet.

use crate::sim_support::Sim;
use serde_json::{Value, json};
use std::time::Duration;

const FLEET: &str = r#"
command_latency_ms = 100

[[host_groups]]
name = "Linux boxes"
group_type = "dynamic"
assignment_rule = "platform_name:'Linux'"

[[hosts]]
hostname = "WS-1"
platform = "Windows"
groups = ["Workstations"]

[[hosts]]
hostname = "WS-2"
platform = "Windows"
online = false

[[hosts]]
hostname = "SRV-1"
platform = "Linux"

[[hosts]]
hostname = "MAC-1"
platform = "Mac"
"#;

fn ids(a: &Value) -> usize {
    a["resources"].as_array().unwrap().len()
}

#[tokio::test]
async fn device_queries_filter_sort_and_page() {
    let sim = Sim::with_scenario(FLEET).await;
    let a = sim.get("/devices/queries/devices/v1").await.expect(200);
    assert_eq!(a.body["meta"]["pagination"]["total"], 4);
    let a = sim
        .get("/devices/queries/devices/v1?filter=platform_name:'Windows'")
        .await
        .expect(200);
    assert_eq!(ids(&a.body), 2);
    let a = sim
        .get("/devices/queries/devices/v1?filter=hostname:'WS-*'%2Bplatform_name:'Windows'")
        .await
        .expect(200);
    assert_eq!(ids(&a.body), 2);
    let a = sim
        .get("/devices/queries/devices/v1?filter=hostname:'WS-1',hostname:'MAC-1'")
        .await
        .expect(200);
    assert_eq!(ids(&a.body), 2);
    let a = sim
        .get("/devices/queries/devices/v1?filter=!platform_name:'Windows'")
        .await
        .expect(200);
    assert_eq!(ids(&a.body), 2);
    let a = sim
        .get("/devices/combined/devices/v1?sort=hostname|desc&limit=2")
        .await
        .expect(200);
    let names: Vec<&str> = a
        .resources()
        .iter()
        .map(|d| d["hostname"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["WS-2", "WS-1"]);
    assert_eq!(a.body["meta"]["pagination"]["total"], 4);
    let a = sim
        .get("/devices/queries/devices/v1?sort=hostname.asc&offset=3&limit=2")
        .await
        .expect(200);
    assert_eq!(a.resources(), &vec![json!(sim.device("WS-2"))]);
    assert_eq!(a.body["meta"]["pagination"]["offset"], 3);
    assert_eq!(a.body["meta"]["pagination"]["total"], 4);
}

#[tokio::test]
async fn scroll_walks_the_whole_fleet() {
    let sim = Sim::with_scenario(FLEET).await;
    let mut seen = Vec::new();
    let mut offset = String::new();
    loop {
        let a = sim
            .get(&format!(
                "/devices/queries/devices-scroll/v1?limit=3&offset={offset}"
            ))
            .await
            .expect(200);
        seen.extend(a.resources().iter().cloned());
        assert_eq!(a.body["meta"]["pagination"]["total"], 4);
        assert!(a.body["meta"]["pagination"]["expires_at"].is_u64());
        // The same opaque token comes back on every page, the last one included (JupiterOne's
        // recording of the real API): a client stops once it has `total` ids or an empty page.
        let token = a.body["meta"]["pagination"]["offset"]
            .as_str()
            .unwrap()
            .to_string();
        let sent = token
            .replace('+', "%2B")
            .replace('/', "%2F")
            .replace('=', "%3D");
        assert!(
            offset.is_empty() || sent == offset,
            "{token} after {offset}"
        );
        offset = sent;
        if a.resources().is_empty() || seen.len() >= 4 {
            break;
        }
    }
    assert_eq!(seen.len(), 4);
}

#[tokio::test]
async fn details_online_state_and_containment() {
    let sim = Sim::with_scenario(FLEET).await;
    let (ws1, ws2) = (sim.device("WS-1"), sim.device("WS-2"));
    let d = sim
        .get(&format!("/devices/entities/devices/v2?ids={ws1}&ids={ws2}"))
        .await
        .expect(200);
    assert_eq!(d.resources().len(), 2);
    assert_eq!(d.first()["hostname"], "WS-1");
    assert_eq!(d.first()["status"], "normal");
    assert!(d.first()["groups"].as_array().unwrap().len() == 1);
    assert!(d.first()["device_policies"]["remote_response"]["policy_id"].is_string());
    let p = sim
        .post("/devices/entities/devices/v2", json!({"ids": [ws2]}))
        .await
        .expect(200);
    assert_eq!(p.first()["hostname"], "WS-2");
    sim.get("/devices/entities/devices/v2?ids=0000")
        .await
        .expect(404);

    let o = sim
        .get(&format!(
            "/devices/entities/online-state/v1?ids={ws1},{ws2}"
        ))
        .await
        .expect(200);
    assert_eq!(o.resources()[0]["state"], "online");
    assert_eq!(o.resources()[1]["state"], "offline");

    let c = sim
        .post(
            "/devices/entities/devices-actions/v2?action_name=contain",
            json!({"ids": [ws1]}),
        )
        .await
        .expect(202);
    assert_eq!(c.first()["id"], ws1.as_str());
    assert_eq!(status(&sim, &ws1).await, "containment_pending");
    tokio::time::sleep(Duration::from_millis(150)).await;
    assert_eq!(status(&sim, &ws1).await, "contained");
    let a = sim
        .get("/devices/queries/devices/v1?filter=status:'contained'")
        .await
        .expect(200);
    assert_eq!(a.resources(), &vec![json!(ws1)]);
    sim.post(
        "/devices/entities/devices-actions/v2?action_name=lift_containment",
        json!({"ids": [ws1]}),
    )
    .await
    .expect(202);
    assert_eq!(status(&sim, &ws1).await, "lift_containment_pending");
    tokio::time::sleep(Duration::from_millis(150)).await;
    assert_eq!(status(&sim, &ws1).await, "normal");
    let a = sim
        .post(
            "/devices/entities/devices-actions/v2?action_name=explode",
            json!({"ids": [ws1]}),
        )
        .await
        .expect(400);
    assert!(a.message().contains("`explode`"));
}

#[tokio::test]
async fn static_and_dynamic_groups() {
    let sim = Sim::with_scenario(FLEET).await;
    let a = sim
        .get("/devices/combined/host-groups/v1?sort=name.asc")
        .await
        .expect(200);
    let names: Vec<&str> = a
        .resources()
        .iter()
        .map(|g| g["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Linux boxes", "Workstations"]);
    let dynamic = a.first()["id"].as_str().unwrap().to_string();
    let m = sim
        .get(&format!(
            "/devices/queries/host-group-members/v1?id={dynamic}"
        ))
        .await
        .expect(200);
    assert_eq!(m.resources(), &vec![json!(sim.device("SRV-1"))]);

    let g = sim
        .post(
            "/devices/entities/host-groups/v1",
            json!({"resources": [{"name": "IR", "group_type": "static", "description": "triage"}]}),
        )
        .await
        .expect(201);
    let ir = g.first()["id"].as_str().unwrap().to_string();
    let filter = format!(
        "device_id:['{}','{}']",
        sim.device("WS-1"),
        sim.device("MAC-1")
    );
    sim.post(
        "/devices/entities/host-group-actions/v1?action_name=add-hosts",
        json!({"ids": [ir], "action_parameters": [{"name": "filter", "value": filter}]}),
    )
    .await
    .expect(200);
    let m = sim
        .get(&format!(
            "/devices/combined/host-group-members/v1?id={ir}&sort=hostname.asc"
        ))
        .await
        .expect(200);
    let names: Vec<&str> = m
        .resources()
        .iter()
        .map(|d| d["hostname"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["MAC-1", "WS-1"]);
    let a = sim
        .post(
            "/devices/entities/host-group-actions/v1?action_name=add-hosts",
            json!({"ids": [dynamic], "action_parameters": [{"name": "filter", "value": filter}]}),
        )
        .await
        .expect(400);
    assert!(a.message().contains("dynamic"));

    sim.patch(
        "/devices/entities/host-groups/v1",
        json!({"resources": [{"id": ir, "name": "IR team"}]}),
    )
    .await
    .expect(200);
    let g = sim
        .get(&format!("/devices/entities/host-groups/v1?ids={ir}"))
        .await
        .expect(200);
    assert_eq!(g.first()["name"], "IR team");
    sim.delete(&format!("/devices/entities/host-groups/v1?ids={ir}"))
        .await
        .expect(200);
    sim.get(&format!("/devices/entities/host-groups/v1?ids={ir}"))
        .await
        .expect(404);
    let a = sim
        .post(
            "/devices/entities/host-groups/v1",
            json!({"resources": [{"name": "Bad", "group_type": "dynamic", "assignment_rule": "x"}]}),
        )
        .await
        .expect(400);
    assert!(a.message().contains("`assignment_rule`"), "{}", a.message());
}

#[tokio::test]
async fn a_generated_fleet_of_ten_thousand_hosts() {
    let sim = Sim::with_scenario(
        "[fleet]\ncount = 10000\nhostname_pattern = \"WS-{n:05}\"\ngroups = [\"All\"]\noffline_fraction = 0.1\n",
    )
    .await;
    let a = sim
        .get("/devices/queries/devices/v1?limit=5000")
        .await
        .expect(200);
    assert_eq!(a.body["meta"]["pagination"]["total"], 10000);
    assert_eq!(a.resources().len(), 5000);
    let a = sim
        .get("/devices/queries/devices/v1?filter=hostname:'WS-0999*'")
        .await
        .expect(200);
    assert_eq!(a.body["meta"]["pagination"]["total"], 10);
    assert!(sim.handle.state().device_id_of("WS-10000").is_some());
}

async fn status(sim: &Sim, device: &str) -> Value {
    sim.get(&format!("/devices/entities/devices/v2?ids={device}"))
        .await
        .first()["status"]
        .clone()
}
