//! The `heaplens` command line, run as a user runs it.

mod common;

use common::{expected, fixtures_dir};
use std::process::{Command, Output};

fn heaplens(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_heaplens"))
        .args(args)
        .output()
        .expect("heaplens runs")
}

fn fixture(name: &str) -> String {
    fixtures_dir()
        .join(format!("{name}.heapsnapshot.gz"))
        .display()
        .to_string()
}

#[test]
fn summary_json_has_the_documented_shape_and_devtools_numbers() {
    let out = heaplens(&["summary", &fixture("node-leak"), "--json"]);
    assert!(out.status.success());
    // Nothing on stderr when it is not a terminal: no progress bar, no chatter.
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with(r#"{"node_count":"#), "{}", &text[..80]);
    let got: serde_json::Value = serde_json::from_str(&text).unwrap();
    let want = expected("node-leak", ".json");
    for key in ["node_count", "edge_count", "total_size"] {
        assert_eq!(got[key], want[key], "{key}");
    }
    let classes = got["classes"].as_array().unwrap();
    assert_eq!(classes.len(), want["classes"].as_array().unwrap().len());
    // Every class, sorted by retained size, descending, with exactly these keys.
    let first = &text[text.find(r#""classes":[{"#).unwrap()..];
    let first = &first[..first.find('}').unwrap()];
    let order: Vec<usize> = [
        "\"name\":",
        "\"count\":",
        "\"self_size\":",
        "\"retained_size\":",
        "\"distance\":",
    ]
    .iter()
    .map(|k| {
        first
            .find(k)
            .unwrap_or_else(|| panic!("{k} missing in {first}"))
    })
    .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "key order: {first}");
    assert_eq!(classes[0].as_object().unwrap().len(), 5);
    let retained: Vec<u64> = classes
        .iter()
        .map(|c| c["retained_size"].as_u64().unwrap())
        .collect();
    assert!(retained.windows(2).all(|w| w[0] >= w[1]));
    assert_eq!(classes[0], want["classes"][0]);
}

#[test]
fn summary_table_is_aligned_with_readable_sizes() {
    let out = heaplens(&["summary", &fixture("node-leak"), "--top", "5"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].contains("137517 nodes"), "{text}");
    assert!(lines[2].starts_with("Constructor"), "{text}");
    assert_eq!(lines.len(), 3 + 5, "{text}");
    assert!(lines[3..].iter().all(|l| l.ends_with('%')), "{text}");
    assert!(text.contains(" MB") || text.contains(" kB"), "{text}");
}

#[test]
fn stats_node_and_retainers_answer_in_json() {
    let file = fixture("node-leak");
    let out = heaplens(&["stats", &file, "--json"]);
    assert!(out.status.success());
    let stats: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let want = expected("node-leak", ".json");
    assert_eq!(stats["total"], want["statistics"]["total"]);
    assert_eq!(
        stats["typed_arrays"],
        want["statistics"]["native"]["typedArrays"]
    );

    // A MemFsNode: its details name its class, and its retainers lead back to the root.
    let summary: serde_json::Value =
        serde_json::from_slice(&heaplens(&["summary", &file, "--json"]).stdout).unwrap();
    assert!(summary["classes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["name"] == "MemFsNode"));
    let retainers = expected("node-leak", ".retainers.json");
    let id = retainers[0]["node_id"].as_u64().unwrap();
    let out = heaplens(&["node", &file, &format!("@{id}"), "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let node: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(node["id"].as_u64(), Some(id));
    let out = heaplens(&[
        "retainers",
        &file,
        &format!("{id}"),
        "--paths",
        "2",
        "--json",
    ]);
    assert!(out.status.success());
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let paths = r["paths"].as_array().unwrap();
    assert!(!paths.is_empty());
    let last = paths[0]["steps"].as_array().unwrap().last().unwrap();
    assert_eq!(
        last["node"]["id"].as_u64(),
        Some(id),
        "a path ends at the node"
    );
    let out = heaplens(&["retainers", &file, &format!("@{id}")]);
    assert!(String::from_utf8(out.stdout).unwrap().contains("Path 1"));
}

#[test]
fn bad_input_exits_2_with_one_line_saying_where() {
    let dir = std::env::temp_dir().join(format!("heaplens-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cases: [(&str, &[u8], &str); 4] = [
        ("empty", b"", "the input is empty"),
        ("random", b"\x00\x9f\x13garbage", "at byte 0"),
        (
            "package.json",
            br#"{"name":"x","version":"1.0.0"}"#,
            "not a V8 heap snapshot",
        ),
        (
            "truncated",
            br#"{"snapshot":{"meta":{"node_fields":["type"]"#,
            "ends too early",
        ),
    ];
    for (name, bytes, says) in cases {
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        let out = heaplens(&["summary", path.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(2), "{name}");
        assert!(out.stdout.is_empty(), "{name}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(err.lines().count(), 1, "{name}: {err}");
        assert!(
            err.starts_with("heaplens: ") && err.contains(says),
            "{name}: {err}"
        );
    }
    let out = heaplens(&["summary", dir.join("missing").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let out = heaplens(&["node", &fixture("node-empty"), "@not-an-id"]);
    assert_eq!(out.status.code(), Some(1));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn parsing_a_file_in_two_halves_gives_the_serial_result() {
    // Large files are parsed in two halves on two threads; the threshold is lowered here so a
    // small fixture takes that path too.
    let dir = std::env::temp_dir().join(format!("heaplens-split-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("node-leak.heapsnapshot");
    std::fs::write(&path, common::fixture_json("node-leak")).unwrap();
    let path = path.to_str().unwrap();
    let serial = heaplens(&["summary", path, "--json"]);
    let split = Command::new(env!("CARGO_BIN_EXE_heaplens"))
        .args(["summary", path, "--json"])
        .env("HEAPLENS_SPLIT_MIN_BYTES", "0")
        .output()
        .unwrap();
    assert!(serial.status.success() && split.status.success());
    assert_eq!(serial.stdout, split.stdout);
    // A broken file gives the serial parser's error either way.
    let mut broken = common::fixture_json("node-leak");
    let at = broken.len() * 3 / 4;
    broken[at] = b'x';
    std::fs::write(dir.join("broken"), &broken).unwrap();
    let broken = dir.join("broken");
    let broken = broken.to_str().unwrap();
    let serial = heaplens(&["summary", broken]);
    let split = Command::new(env!("CARGO_BIN_EXE_heaplens"))
        .args(["summary", broken])
        .env("HEAPLENS_SPLIT_MIN_BYTES", "0")
        .output()
        .unwrap();
    assert_eq!(split.status.code(), Some(2));
    assert_eq!(serial.stderr, split.stderr);
    let _ = std::fs::remove_dir_all(&dir);
}
