"""FalconPy (CrowdStrike's Python SDK) against `falconry sim`: the Alerts, IOC and Incidents service
classes and the Hosts additions of issue 26 (device tags, hidden hosts), on the built-in fleet where
WS-042 runs evil.exe and web-01 a miner. Every operation of the three collections is called, through
its PEP 8 name and where FalconPy keeps one, its alias.

Environment: FALCONRY_SIM_URL (required), FALCONRY_SIM_CLIENT_ID / FALCONRY_SIM_CLIENT_SECRET.
"""

import sys

from test_seed_ops import URL, auth, failed, ok
from falconpy import IOC, Alerts, Hosts, Incidents

WS_042 = "4d2c8e1f0a9b47c3b6e5d4c3b2a19f80"


def test_alerts():
    alerts = Alerts(auth_object=auth())
    body = ok(alerts.query_alerts_v2(filter="device.hostname:'WS-042'", limit=10))
    assert body["meta"]["pagination"]["total"] == 1, body
    cid = body["resources"][0]
    alert = ok(alerts.get_alerts_v2(composite_ids=[cid]))["resources"][0]
    assert alert["device"]["device_id"] == WS_042
    assert alert["filename"] == "evil.exe" and alert["process_id"] == "6612"
    assert alert["cmdline"].endswith("-k netsvc") and len(alert["sha256"]) == 64
    assert alert["status"] == "new"

    # The v1 aliases FalconPy keeps: query_alerts / get_alerts.
    assert cid in ok(alerts.query_alerts(filter="status:'new'"))["resources"]
    assert ok(alerts.get_alerts(ids=[cid]))["resources"][0]["composite_id"] == cid

    # Combined: `after` paging, one alert a page.
    first = ok(alerts.get_alerts_combined(filter="status:'new'", limit=1, sort="created_timestamp|desc"))
    assert first["meta"]["pagination"]["total"] == 2, first
    after = first["meta"]["pagination"]["after"]
    second = ok(alerts.get_alerts_combined(filter="status:'new'", limit=1, after=after))
    assert second["resources"][0]["composite_id"] != first["resources"][0]["composite_id"]

    # Aggregates (v2 and the v1 alias): alerts per host.
    request = [{"name": "hosts", "type": "terms", "field": "device.hostname", "size": 10}]
    buckets = ok(alerts.get_aggregate_alerts_v2(body=request))["resources"][0]["buckets"]
    assert sorted(b["label"] for b in buckets) == ["WS-042", "web-01"], buckets
    assert ok(alerts.get_aggregate_alerts(body=request))["resources"][0]["name"] == "hosts"

    # Triage through v3, then v2 (the `update_alerts` alias), the comment beside the status.
    ok(alerts.update_alerts_v3(composite_ids=[cid], update_status="in_progress",
                               append_comment="looking", add_tag="falconpy"))
    changed = ok(alerts.get_alerts_v2(composite_ids=[cid]))["resources"][0]
    assert changed["status"] == "in_progress" and changed["tags"] == ["falconpy"], changed
    ok(alerts.update_alerts(ids=[cid], update_status="closed", remove_tag="falconpy"))
    closed = ok(alerts.get_alerts_v2(composite_ids=[cid]))["resources"][0]
    assert closed["status"] == "closed" and closed["tags"] == [], closed
    failed(alerts.update_alerts_v3(composite_ids=[cid], update_status="done"), 400, "done")
    failed(alerts.get_alerts_v2(composite_ids=["nope"]), 404, "nope")

    # Hidden from the UI: still there with include_hidden (the default), gone without.
    ok(alerts.update_alerts_v3(composite_ids=[cid], show_in_ui=False))
    assert ok(alerts.query_alerts_v2(include_hidden=False))["meta"]["pagination"]["total"] == 1
    assert ok(alerts.query_alerts_v2())["meta"]["pagination"]["total"] == 2


def test_ioc():
    ioc = IOC(auth_object=auth())
    alerts = Alerts(auth_object=auth())
    cid = ok(alerts.query_alerts_v2(filter="device.hostname:'WS-042'"))["resources"][0]
    sha = ok(alerts.get_alerts_v2(composite_ids=[cid]))["resources"][0]["sha256"]

    created = ok(ioc.indicator_create(type="sha256", value=sha, action="prevent", severity="high",
                                      platforms=["windows"], applied_globally=True,
                                      description="evil.exe", comment="from FalconPy"), 201)
    iid = created["resources"][0]["id"]
    failed(ioc.indicator_create(type="sha256", value=sha, action="prevent", applied_globally=True),
           400, "Duplicate")
    failed(ioc.indicator_create(type="sha256", value="abc", action="prevent", applied_globally=True),
           400, "sha256")
    found = ok(ioc.indicator_search(filter=f"value:'{sha}'"))
    assert found["resources"] == [iid], found
    assert ok(ioc.indicator_get(ids=[iid]))["resources"][0]["action"] == "prevent"
    combined = ok(ioc.indicator_combined(filter="action:'prevent'", sort="created_on.desc"))
    assert combined["resources"][0]["value"] == sha

    ok(ioc.indicator_update(id=iid, severity="critical", comment="raised"))
    assert ok(ioc.indicator_get(ids=[iid]))["resources"][0]["severity"] == "critical"

    count = ok(ioc.devices_count(type="sha256", value=sha))["resources"][0]
    assert count["device_count"] == 1, count
    assert ok(ioc.devices_ran_on(type="sha256", value=sha))["resources"] == [WS_042]
    procs = ok(ioc.processes_ran_on(type="sha256", value=sha, device_id=WS_042))["resources"]
    assert procs == [f"pid:{WS_042}:6612"], procs

    assert ok(ioc.indicator_delete(ids=[iid], comment="done"))["resources"] == [iid]
    assert ok(ioc.indicator_search())["resources"] == []


def test_incidents():
    inc = Incidents(auth_object=auth())
    ids = ok(inc.query_incidents(sort="start.asc"))["resources"]
    assert len(ids) == 2, ids
    incidents = ok(inc.get_incidents(ids=ids))["resources"]
    ws = [i for i in incidents if i["host_ids"] == [WS_042]][0]
    assert ws["status"] == 20 and ws["state"] == "open"
    behaviors = ok(inc.query_behaviors(filter=f"aid:'{WS_042}'"))["resources"]
    assert len(behaviors) == 1, behaviors
    behavior = ok(inc.get_behaviors(ids=behaviors))["resources"][0]
    assert behavior["incident_id"] == ws["incident_id"] and len(behavior["sha256"]) == 64

    done = ok(inc.perform_incident_action(ids=[ws["incident_id"]], update_status="40",
                                          add_comment="contained", add_tag="falconpy",
                                          update_detects=True))
    assert done["resources"][0]["detections_updated"] == [behavior["behavior_id"]], done
    after = ok(inc.get_incidents(ids=[ws["incident_id"]]))["resources"][0]
    assert after["status"] == 40 and after["state"] == "closed" and after["tags"] == ["falconpy"]
    alerts = Alerts(auth_object=auth())
    cid = behavior["alert_ids"][0]
    assert ok(alerts.get_alerts_v2(composite_ids=[cid]))["resources"][0]["status"] == "closed"
    failed(inc.perform_incident_action(ids=[ws["incident_id"]], update_status="50"), 400, "50")


def test_hosts_tags_and_hidden():
    hosts = Hosts(auth_object=auth())
    result = hosts.update_device_tags(action_name="add", ids=[WS_042], tags=["ir-hold"])
    body = ok(result, 202)
    assert body["resources"][0]["updated"] is True, body
    record = ok(hosts.get_device_details(ids=[WS_042]))["resources"][0]
    assert "FalconGroupingTags/ir-hold" in record["tags"], record
    ok(hosts.update_device_tags(action_name="remove", ids=WS_042, tags="ir-hold"), 202)

    assert ok(hosts.query_hidden_devices())["resources"] == []
    ok(hosts.perform_action(action_name="hide_host", ids=[WS_042]), 202)
    assert ok(hosts.query_hidden_devices())["resources"] == [WS_042]
    hidden = ok(hosts.query_hidden_devices_combined(fields="hostname"))["resources"]
    assert [h["hostname"] for h in hidden] == ["WS-042"], hidden
    ok(hosts.perform_action(action_name="unhide_host", ids=[WS_042]), 202)
    assert ok(hosts.query_hidden_devices())["resources"] == []


if __name__ == "__main__":
    if not URL:
        sys.exit("FALCONRY_SIM_URL is not set")
    tests = [test_alerts, test_ioc, test_incidents, test_hosts_tags_and_hidden]
    for test in tests:
        test()
        print(f"ok {test.__name__}")
    print(f"{len(tests)} passed")
