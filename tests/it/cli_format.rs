//! `falconry run --format table|csv|json|jsonl` and `--output`, through the real binary against the
//! emulator: the CSV a standard reader reads back is the playbook's value, cell for cell.

use crate::common::Test;
use serde_json::Value;

/// Rows from the tenant's hosts, with cells that need quoting: commas, quotes, newlines, CRLF.
const ROWS: &str = r#"
let rows = [];
for h in hosts::find_all() {
    rows.push(#{
        hostname: h.hostname,
        device_id: h.device_id,
        note: "a, \"quoted\"\nsecond line,\r\nthird",
        platform: h.platform_name,
        seen: 3,
    });
}
rows
"#;

fn tenant() -> falconry::sim::SimHandle {
    falconry::sim::start(falconry::sim::SimConfig::default()).expect("start the emulator")
}

/// The records a CSV reader finds in `text`: the header, then each row.
fn read_csv(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let header = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|rec| rec.unwrap().iter().map(String::from).collect())
        .collect();
    (header, rows)
}

/// A JSON cell as CSV holds it.
fn as_cell(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[test]
fn csv_read_back_by_a_standard_reader_equals_the_playbooks_value() {
    let sim = tenant();
    let json = Test::new()
        .playbook(ROWS)
        .tenant(&sim)
        .arg("--format")
        .arg("json")
        .run();
    json.status(0);
    let value: Value = serde_json::from_str(&json.stdout).unwrap();
    let rows = value.as_array().unwrap();
    assert!(rows.len() >= 3, "{value}");

    let csv = Test::new()
        .playbook(ROWS)
        .tenant(&sim)
        .arg("--format")
        .arg("csv")
        .run();
    csv.status(0).stderr_lacks("formula");
    let (header, records) = read_csv(&csv.stdout);
    // Rhai keeps a map's keys sorted: that is the playbook's value, and so the columns.
    assert_eq!(
        header,
        ["device_id", "hostname", "note", "platform", "seen"]
    );
    assert_eq!(records.len(), rows.len());
    for (record, row) in records.iter().zip(rows) {
        let expected: Vec<String> = header.iter().map(|c| as_cell(&row[c])).collect();
        assert_eq!(record, &expected);
    }
    assert_eq!(records[0][2], "a, \"quoted\"\nsecond line,\r\nthird");
}

#[test]
fn a_map_of_maps_is_rows_keyed_by_its_keys_and_output_writes_a_file() {
    let sim = tenant();
    let out = Test::new()
        .playbook(
            "let m = #{};\nfor h in hosts::find_all() { m[h.device_id] = #{ hostname: h.hostname }; }\nm\n",
        )
        .tenant(&sim)
        .arg("--format").arg("csv").arg("--output").arg("hosts.csv")
        .run();
    out.status(0);
    assert_eq!(out.stdout, "");
    let text = std::fs::read_to_string(out.dir.join("hosts.csv")).unwrap();
    let (header, records) = read_csv(&text);
    assert_eq!(header, ["key", "hostname"]);
    let ids = sim.state().device_ids();
    assert_eq!(records.len(), ids.len());
    for r in &records {
        assert!(ids.contains(&r[0]), "{r:?} not a device id");
    }
}

#[test]
fn a_cell_a_spreadsheet_would_run_gets_a_quote_unless_csv_raw() {
    let playbook = r#"[#{ name: "=cmd|' /C calc'!A0", delta: -2, flag: "-x" }]"#;
    let out = Test::new()
        .playbook(playbook)
        .emulator()
        .arg("--format")
        .arg("csv")
        .run();
    out.status(0)
        .stderr_has("2 CSV cells starting with =, +, - or @ written with a leading '");
    let (_, records) = read_csv(&out.stdout);
    assert_eq!(records, [["-2", "'-x", "'=cmd|' /C calc'!A0"]]);
    let raw = Test::new()
        .playbook(playbook)
        .emulator()
        .arg("--format")
        .arg("csv")
        .arg("--csv-raw")
        .run();
    raw.status(0).stderr_lacks("leading '");
    let (_, records) = read_csv(&raw.stdout);
    assert_eq!(records, [["-2", "-x", "=cmd|' /C calc'!A0"]]);
}

#[test]
fn jsonl_is_a_row_a_line_and_table_is_what_the_repl_shows() {
    let playbook = "[#{ name: \"a\", pid: 1, tags: [\"x\", \"y\", \"z\", \"w\"] }, #{ name: \"b\", pid: 2, tags: [] }]";
    let out = Test::new()
        .playbook(playbook)
        .emulator()
        .arg("--format")
        .arg("jsonl")
        .run();
    out.status(0);
    assert_eq!(
        out.stdout,
        "{\"name\":\"a\",\"pid\":1,\"tags\":[\"x\",\"y\",\"z\",\"w\"]}\n{\"name\":\"b\",\"pid\":2,\"tags\":[]}\n"
    );
    let table = Test::new()
        .playbook(playbook)
        .emulator()
        .arg("--format")
        .arg("table")
        .run();
    table.status(0);
    let header = table.stdout.lines().next().unwrap();
    assert!(
        header.contains("name") && header.contains("pid") && header.contains("tags"),
        "{}",
        table.stdout
    );
    table.stdout_has("4: x, y, z, …").stdout_has("2 rows");
}

#[test]
fn csv_of_a_value_that_is_not_rows_says_what_it_needs() {
    Test::new()
        .playbook("\"just text\"")
        .emulator()
        .arg("--format").arg("csv")
        .run()
        .status(2)
        .stderr_has("`--format csv` needs rows: an array of maps or a map of maps; the playbook's value is a string");
}
