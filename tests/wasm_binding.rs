//! The WebAssembly binding (src/wasm.rs) as the worker uses it, tested in headless Chromium inside
//! a dedicated worker, the environment the page runs it in:
//!
//!   CHROMEDRIVER=/usr/bin/chromedriver cargo test --target wasm32-unknown-unknown --no-default-features --test wasm_binding
//!
//! Natively this file compiles to nothing: the binding only exists on wasm32.
#![cfg(target_arch = "wasm32")]

use heaplens::wasm::{Engine, Loader};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_dedicated_worker);

/// A small real snapshot (an idle Node process) and the numbers DevTools computed for it.
const EMPTY_GZ: &[u8] = include_bytes!("fixtures/node-empty.heapsnapshot.gz");
const EMPTY_EXPECTED: &str = include_str!("fixtures/expected/node-empty.json");

fn expected() -> serde_json::Value {
    serde_json::from_str(EMPTY_EXPECTED).expect("the expected numbers are JSON")
}

fn to_json(value: JsValue) -> serde_json::Value {
    serde_wasm_bindgen::from_value(value).expect("the binding returns plain data")
}

/// The message of the JS Error a binding call threw.
fn message(error: JsError) -> String {
    let value: JsValue = error.into();
    let error: js_sys::Error = value.dyn_into().expect("the binding throws Error objects");
    String::from(error.message())
}

/// Feeds `bytes` in `chunks` pieces of about equal size and finishes, recording the phases.
fn load(bytes: &[u8], chunks: usize) -> Result<(Engine, Vec<String>), String> {
    let mut loader = Loader::new();
    let step = bytes.len().div_ceil(chunks).max(1);
    for chunk in bytes.chunks(step) {
        loader.feed(chunk).map_err(message)?;
    }
    assert_eq!(loader.bytes_fed(), bytes.len() as f64);
    let phases = Rc::new(RefCell::new(Vec::new()));
    let seen = phases.clone();
    let on_phase = Closure::<dyn FnMut(JsValue)>::new(move |label: JsValue| {
        seen.borrow_mut()
            .push(label.as_string().unwrap_or_default());
    });
    let engine = loader
        .finish(on_phase.as_ref().unchecked_ref())
        .map_err(message)?;
    drop(on_phase);
    let phases = phases.borrow().clone();
    Ok((engine, phases))
}

#[wasm_bindgen_test]
fn chunked_feed_gives_the_devtools_summary() {
    let expected = expected();
    // Uneven chunk boundaries: 7 pieces cut the gzip stream (and the JSON in it) anywhere.
    let (engine, phases) = load(EMPTY_GZ, 7).expect("the fixture loads");
    let summary = to_json(engine.summary().unwrap());
    assert_eq!(summary["node_count"], expected["node_count"]);
    assert_eq!(summary["edge_count"], expected["edge_count"]);
    assert_eq!(summary["total_size"], expected["total_size"]);
    // The worker shows these labels as progress: every phase reports itself, in order.
    assert_eq!(
        phases,
        [
            "indexing",
            "DOM state",
            "retainers",
            "dominators",
            "classes"
        ],
    );

    // The class table's first page equals DevTools' top classes by retained size.
    let page = to_json(engine.classes("retained_size", true, "", 0, 10).unwrap());
    let rows = page["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 10);
    assert!(page["total"].as_u64().unwrap() >= 10);
    let top = expected["classes"].as_array().unwrap();
    let mut by_name: Vec<&serde_json::Value> = top.iter().collect();
    by_name.sort_by(|a, b| {
        b["retained_size"]
            .as_u64()
            .cmp(&a["retained_size"].as_u64())
            .then_with(|| a["name"].as_str().cmp(&b["name"].as_str()))
    });
    for (row, want) in rows.iter().zip(by_name) {
        assert_eq!(row["name"], want["name"]);
        assert_eq!(row["retained_size"], want["retained_size"]);
        assert_eq!(row["count"], want["count"]);
    }

    let stats = to_json(engine.statistics().unwrap());
    assert_eq!(stats["total"], expected["statistics"]["total"]);
}

#[wasm_bindgen_test]
fn whole_file_and_single_bytes_agree() {
    // One chunk, and then a first chunk of one byte (the gzip header split mid-way).
    let (whole, _) = load(EMPTY_GZ, 1).unwrap();
    let mut loader = Loader::new();
    loader.feed(&EMPTY_GZ[..1]).unwrap();
    loader.feed(&EMPTY_GZ[1..2]).unwrap();
    loader.feed(&EMPTY_GZ[2..]).unwrap();
    let split = loader
        .finish(&js_sys::Function::new_no_args(""))
        .map_err(message)
        .unwrap();
    assert_eq!(
        to_json(whole.summary().unwrap()),
        to_json(split.summary().unwrap())
    );
}

#[wasm_bindgen_test]
fn queries_page_and_round_trip() {
    let (mut engine, _) = load(EMPTY_GZ, 3).unwrap();
    let classes = to_json(engine.classes("count", true, "", 0, 1).unwrap());
    let biggest = &classes["rows"][0];
    let class = biggest["class"].as_u64().unwrap() as u32;
    let count = biggest["count"].as_u64().unwrap();

    // Instances come in pages whose total is the class's count, by retained size.
    let first = to_json(engine.instances(class, 0, 50).unwrap());
    assert_eq!(first["total"].as_u64().unwrap(), count);
    let rows = first["rows"].as_array().unwrap();
    assert_eq!(rows.len() as u64, count.min(50));
    for pair in rows.windows(2) {
        assert!(pair[0]["retained_size"].as_u64() >= pair[1]["retained_size"].as_u64());
    }
    let last = to_json(engine.instances(class, count as u32 - 1, 50).unwrap());
    assert_eq!(last["rows"].as_array().unwrap().len(), 1);

    // An object found by its @id is the same object.
    let row = &rows[0];
    let ordinal = engine
        .find_id(row["id"].as_u64().unwrap() as u32)
        .expect("the id exists");
    assert_eq!(ordinal as u64, row["node"].as_u64().unwrap());
    assert_eq!(engine.find_id(u32::MAX - 1), None);
    let details = to_json(engine.node(ordinal).unwrap());
    assert_eq!(details["id"], row["id"]);

    // Every retainer listed has the node among its outgoing edges, and paths end at the node.
    let retainers = to_json(engine.retainers(ordinal, 0, 20).unwrap());
    for r in retainers["rows"].as_array().unwrap() {
        assert_ne!(r["edge_type"], "weak");
        let source = r["node"]["node"].as_u64().unwrap() as u32;
        let edges = to_json(engine.edges(source, 0, 100_000).unwrap());
        assert!(edges["rows"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["node"]["node"].as_u64() == Some(ordinal as u64)));
    }
    let paths = to_json(engine.paths(ordinal, 3).unwrap());
    for path in paths.as_array().unwrap() {
        let steps = path["steps"].as_array().unwrap();
        assert_eq!(
            steps.last().unwrap()["node"]["node"].as_u64(),
            Some(ordinal as u64)
        );
        assert!(steps.iter().all(|s| s["edge_type"] != "weak"));
    }
}

/// The fixture's JSON, decompressed.
fn empty_json() -> Vec<u8> {
    use std::io::Read;
    let mut json = Vec::new();
    flate2::read::GzDecoder::new(EMPTY_GZ)
        .read_to_end(&mut json)
        .expect("the fixture is gzip");
    json
}

#[wasm_bindgen_test]
fn truncated_file_names_the_byte() {
    let json = empty_json();
    // Cut inside the nodes or edges array.
    let cut = &json[..json.len() / 3];
    let error = load(cut, 4)
        .err()
        .expect("a truncated snapshot must not load");
    assert!(
        error.contains(&format!("at byte {}", cut.len())),
        "the error should say where the input ended: {error}"
    );
}

#[wasm_bindgen_test]
fn truncated_gzip_throws() {
    let cut = &EMPTY_GZ[..EMPTY_GZ.len() / 2];
    let error = load(cut, 4)
        .err()
        .expect("a truncated gzip file must not load");
    assert!(!error.is_empty());
}

#[wasm_bindgen_test]
fn garbage_is_rejected_with_a_position() {
    let error = load(b"this is not a heap snapshot at all", 2)
        .err()
        .expect("garbage must not load");
    assert!(error.contains("byte"), "{error}");
}

#[wasm_bindgen_test]
fn bad_requests_throw_instead_of_trapping() {
    let (mut engine, _) = load(EMPTY_GZ, 2).unwrap();
    let error = message(
        engine
            .classes("size", true, "", 0, 10)
            .err()
            .expect("unknown sort"),
    );
    assert!(error.contains("size"), "{error}");
    assert!(engine.node(u32::MAX).is_err());
    assert!(engine.instances(u32::MAX, 0, 10).is_err());
    assert!(engine.retainers(u32::MAX, 0, 10).is_err());
    // The engine is still usable after refusing bad requests.
    assert!(engine.summary().is_ok());
}

#[wasm_bindgen_test]
fn a_finished_loader_refuses_more_input() {
    let mut loader = Loader::new();
    loader.feed(EMPTY_GZ).unwrap();
    let _engine = loader
        .finish(&js_sys::Function::new_no_args(""))
        .map_err(message)
        .unwrap();
    let error = message(loader.feed(b"{}").err().expect("feeding after finish"));
    assert!(error.contains("finished"), "{error}");
}
