//! The streaming parser: identical results for every way of splitting the input, edge cases of
//! the format, and a clear error (never a panic) for every kind of bad input.

mod common;

use common::{fixture_gz, fixture_json, Synthetic, OBJECT, PROPERTY, SYNTHETIC};
use heaplens::error::{ErrorKind, Location};
use heaplens::parse::{Parser, RawSnapshot};
use heaplens::{Error, Snapshot};

fn parse_in_chunks(bytes: &[u8], chunk: usize) -> Result<RawSnapshot, Error> {
    let mut p = Parser::new();
    for piece in bytes.chunks(chunk.max(1)) {
        p.feed(piece)?;
    }
    p.finish()
}

/// Everything the parser produced, in a comparable form.
fn fingerprint(
    raw: &RawSnapshot,
) -> (
    Vec<u8>,
    Vec<u32>,
    Vec<u32>,
    Vec<u64>,
    Vec<u8>,
    Vec<u32>,
    Vec<u32>,
    Vec<String>,
    Vec<u64>,
    usize,
) {
    (
        raw.node_type.clone(),
        raw.node_name.clone(),
        raw.node_id.clone(),
        (0..raw.self_size.len() as u32)
            .map(|i| raw.self_size.get(i))
            .collect(),
        raw.edge_type.clone(),
        raw.edge_name.clone(),
        raw.edge_to.clone(),
        (0..raw.strings.len() as u32)
            .map(|i| raw.strings.get(i).to_owned())
            .collect(),
        raw.locations.clone(),
        raw.trace_tree.len(),
    )
}

#[test]
fn every_chunk_size_gives_the_same_snapshot() {
    // node-tracked has every section: allocation traces, samples-free trace tree, locations.
    let json = fixture_json("node-tracked");
    let whole = fingerprint(&parse_in_chunks(&json, json.len()).unwrap());
    for chunk in [1, 7, 4096] {
        assert!(
            fingerprint(&parse_in_chunks(&json, chunk).unwrap()) == whole,
            "chunk size {chunk}"
        );
    }
    // The gzip path, split at odd places too.
    let gz = fixture_gz("node-tracked");
    for chunk in [1, 7, 4096, gz.len()] {
        assert!(
            fingerprint(&parse_in_chunks(&gz, chunk).unwrap()) == whole,
            "gzip, chunk size {chunk}"
        );
    }
}

/// A tiny snapshot with every awkward construct: escapes of every kind, a surrogate pair, lone
/// surrogates, raw UTF-8, unknown sections of every JSON shape, a byte order mark, odd
/// whitespace, a trace tree, samples and locations.
fn awkward_snapshot() -> String {
    let header = concat!(
        r#"{"meta":{"node_fields":["type","name","id","self_size","edge_count","trace_node_id","detachedness"],"#,
        r#""node_types":[["hidden","array","string","object","code","closure","regexp","number","native","synthetic","concatenated string","sliced string","symbol","bigint","object shape"],"string","number","number","number","number","number"],"#,
        r#""edge_fields":["type","name_or_index","to_node"],"#,
        r#""edge_types":[["context","element","property","internal","hidden","shortcut","weak"],"string_or_number","node"],"#,
        r#""trace_function_info_fields":["function_id","name","script_name","script_id","line","column"],"#,
        r#""trace_node_fields":["id","function_info_index","count","size","children"],"#,
        r#""sample_fields":["timestamp_us","last_assigned_id"],"#,
        r#""location_fields":["object_index","script_id","line","column"]},"#,
        r#""node_count":3,"edge_count":3,"trace_function_count":1,"weird \"key\"":[{"x":"]}"}]}"#
    );
    format!(
        "\u{feff}{{ \"snapshot\" : {header} ,\r\n\t\"scopes\":{{\"a\":[1,{{\"b\":\"}}\\\"\"}}]}},\"flag\":true,\"n\":-1.5e3,\"nothing\":null,\n\
         \"nodes\":[9,0,1,0,2,0,0,\n3,1,3,4294967296,1,2,0 , 2,2,5,32,0,0,0],\n\
         \"edges\":[2,3,7,5,4,14,\n2,5,14],\n\
         \"trace_function_infos\":[1,3,4,7,10,2],\n\
         \"trace_tree\":[1,0,1,32,[2,0,1,32,[]]],\n\
         \"samples\":[100,5,200,7],\n\
         \"locations\":[7,7,10,2],\n\
         \"strings\":[\"\",\"Obj\\\\ect \\\"q\\\" \\/ \\b\\f\\n\\r\\t\",\"caf\\u00e9 \\ud83d\\ude00 lone:\\ud800 \\udc00x\",\"a\",\"raw caf\u{e9} \u{1F600}\",\"f\",\"s.js\"]}}\n"
    )
}

#[test]
fn awkward_but_valid_input_parses_identically_at_every_split() {
    let text = awkward_snapshot();
    let bytes = text.as_bytes();
    let whole = parse_in_chunks(bytes, bytes.len()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(whole.strings.get(1), "Obj\\ect \"q\" / \u{8}\u{c}\n\r\t");
    assert_eq!(
        whole.strings.get(2),
        "caf\u{e9} \u{1F600} lone:\u{FFFD} \u{FFFD}x"
    );
    assert_eq!(whole.strings.get(4), "raw caf\u{e9} \u{1F600}");
    // Self sizes past 4 GiB do not wrap.
    assert_eq!(whole.self_size.get(1), 4_294_967_296);
    assert_eq!(whole.trace_tree.len(), 2);
    assert_eq!(whole.samples, vec![100, 5, 200, 7]);
    assert_eq!(whole.trace_node_id, vec![0, 2, 0]);
    let expected = fingerprint(&whole);
    for split in 0..=bytes.len() {
        let mut p = Parser::new();
        p.feed(&bytes[..split])
            .unwrap_or_else(|e| panic!("split {split}: {e}"));
        p.feed(&bytes[split..])
            .unwrap_or_else(|e| panic!("split {split}: {e}"));
        assert!(
            fingerprint(&p.finish().unwrap()) == expected,
            "split at {split}"
        );
    }
    let s = Snapshot::build(whole, &mut |_| {}).unwrap();
    assert_eq!(s.retained[0], 4_294_967_296 + 32);
}

#[test]
fn every_prefix_of_a_snapshot_is_an_error_not_a_panic() {
    let text = awkward_snapshot();
    let bytes = text.as_bytes();
    // The last bytes are a newline after the closing brace: those prefixes are complete.
    let complete = text.trim_end().len();
    for len in 0..complete {
        let result =
            parse_in_chunks(&bytes[..len], 3).and_then(|raw| Snapshot::build(raw, &mut |_| {}));
        assert!(result.is_err(), "prefix of {len} bytes was accepted");
    }
    // Prefixes of a real fixture, compressed and not, at many places.
    let json = fixture_json("node-empty");
    for i in 1..400 {
        let len = json.len() * i / 400;
        assert!(
            parse_in_chunks(&json[..len], 65536).is_err(),
            "prefix of {len} bytes was accepted"
        );
    }
    let gz = fixture_gz("node-empty");
    for i in 1..100 {
        let len = gz.len() * i / 100;
        assert!(
            parse_in_chunks(&gz[..len], 4096).is_err(),
            "gzip prefix of {len} bytes was accepted"
        );
    }
}

fn error_of(bytes: &[u8]) -> Error {
    match parse_in_chunks(bytes, 5).and_then(|raw| Snapshot::build(raw, &mut |_| {})) {
        Ok(_) => panic!("accepted: {}", String::from_utf8_lossy(bytes)),
        Err(e) => e,
    }
}

/// A valid tiny snapshot with a hook to break it.
fn tiny(nodes: &str, edges: &str, strings: &str, node_count: usize, edge_count: usize) -> String {
    let mut g = Synthetic::new();
    let root = g.node(SYNTHETIC, "", 0);
    let a = g.node(OBJECT, "A", 8);
    g.edge(root, PROPERTY, "a", a);
    let json = g.to_json();
    let start = json.find("\n\"nodes\"").unwrap();
    format!(
        "{}\n\"nodes\":[{nodes}],\n\"edges\":[{edges}],\n\"strings\":[{strings}]}}",
        json[..start].replace(
            "\"node_count\":2,\"edge_count\":1",
            &format!("\"node_count\":{node_count},\"edge_count\":{edge_count}")
        )
    )
}

#[test]
fn bad_input_gets_a_precise_error() {
    let valid = tiny(
        "9,1,1,0,1,0,0,3,2,3,8,0,0,0",
        "2,3,7",
        r#""","","A","a""#,
        2,
        1,
    );
    assert!(
        parse_in_chunks(valid.as_bytes(), 4).is_ok(),
        "the base case is valid"
    );
    let random: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let cases: Vec<(&str, Vec<u8>, fn(&ErrorKind) -> bool, Option<Location>)> = vec![
        (
            "empty",
            vec![],
            |k| matches!(k, ErrorKind::Empty),
            Some(Location::File),
        ),
        (
            "whitespace only",
            b"  \n".to_vec(),
            |k| matches!(k, ErrorKind::UnexpectedEnd { .. }),
            None,
        ),
        (
            "random bytes",
            random,
            |k| matches!(k, ErrorKind::UnexpectedByte { .. }),
            Some(Location::Byte(0)),
        ),
        (
            "a JSON array",
            b"[1,2,3]".to_vec(),
            |k| matches!(k, ErrorKind::UnexpectedByte { found: b'[', .. }),
            Some(Location::Byte(0)),
        ),
        (
            "JSON that is not a snapshot",
            br#"{"name":"package","version":"1.0.0"}"#.to_vec(),
            |k| matches!(k, ErrorKind::NotASnapshot(_)),
            Some(Location::File),
        ),
        (
            "nodes before the header",
            br#"{"nodes":[1,2]}"#.to_vec(),
            |k| matches!(k, ErrorKind::NotASnapshot(_)),
            Some(Location::Byte(8)),
        ),
        (
            "a bad header",
            br#"{"snapshot":{"meta":{}},"nodes":[]}"#.to_vec(),
            |k| matches!(k, ErrorKind::BadHeader(_)),
            None,
        ),
        (
            "truncated",
            valid.as_bytes()[..valid.len() - 20].to_vec(),
            |k| matches!(k, ErrorKind::UnexpectedEnd { .. }),
            None,
        ),
        (
            "an edge past the last node",
            tiny(
                "9,1,1,0,1,0,0,3,2,3,8,0,0,0",
                "2,3,14",
                r#""","","A","a""#,
                2,
                1,
            )
            .into_bytes(),
            |k| matches!(k, ErrorKind::BadEdgeTarget(14)),
            None,
        ),
        (
            "an edge into the middle of a node",
            tiny(
                "9,1,1,0,1,0,0,3,2,3,8,0,0,0",
                "2,3,8",
                r#""","","A","a""#,
                2,
                1,
            )
            .into_bytes(),
            |k| matches!(k, ErrorKind::BadEdgeTarget(8)),
            None,
        ),
        (
            "a node name out of range",
            tiny(
                "9,1,1,0,1,0,0,3,9,3,8,0,0,0",
                "2,3,7",
                r#""","","A","a""#,
                2,
                1,
            )
            .into_bytes(),
            |k| {
                matches!(
                    k,
                    ErrorKind::StringIndexOutOfRange {
                        index: 9,
                        strings: 4
                    }
                )
            },
            Some(Location::Node(1)),
        ),
        (
            "an edge name out of range",
            tiny(
                "9,1,1,0,1,0,0,3,2,3,8,0,0,0",
                "2,30,7",
                r#""","","A","a""#,
                2,
                1,
            )
            .into_bytes(),
            |k| matches!(k, ErrorKind::StringIndexOutOfRange { index: 30, .. }),
            Some(Location::Edge(0)),
        ),
        (
            "edge counts that claim too many edges",
            tiny(
                "9,1,1,0,2,0,0,3,2,3,8,0,0,0",
                "2,3,7",
                r#""","","A","a""#,
                2,
                1,
            )
            .into_bytes(),
            |k| matches!(k, ErrorKind::CountMismatch { .. }),
            Some(Location::Node(0)),
        ),
        (
            "edge counts that claim too few edges",
            tiny(
                "9,1,1,0,0,0,0,3,2,3,8,0,0,0",
                "2,3,7",
                r#""","","A","a""#,
                2,
                1,
            )
            .into_bytes(),
            |k| matches!(k, ErrorKind::CountMismatch { .. }),
            Some(Location::File),
        ),
        (
            "more nodes than node_count",
            tiny(
                "9,1,1,0,1,0,0,3,2,3,8,0,0,0,3,2,3,8,0,0,0",
                "2,3,7",
                r#""","","A","a""#,
                2,
                1,
            )
            .into_bytes(),
            |k| matches!(k, ErrorKind::CountMismatch { what: "nodes", .. }),
            None,
        ),
        (
            "fewer edges than edge_count",
            tiny(
                "9,1,1,0,1,0,0,3,2,3,8,0,0,0",
                "2,3,7",
                r#""","","A","a""#,
                2,
                2,
            )
            .into_bytes(),
            |k| matches!(k, ErrorKind::CountMismatch { what: "edges", .. }),
            None,
        ),
        (
            "a node type not in meta",
            tiny(
                "9,1,1,0,1,0,0,99,2,3,8,0,0,0",
                "2,3,7",
                r#""","","A","a""#,
                2,
                1,
            )
            .into_bytes(),
            |k| matches!(k, ErrorKind::BadNodeType(99)),
            None,
        ),
        (
            "a negative number",
            tiny(
                "9,1,1,0,1,0,0,3,2,3,-8,0,0,0",
                "2,3,7",
                r#""","","A","a""#,
                2,
                1,
            )
            .into_bytes(),
            |k| matches!(k, ErrorKind::UnexpectedByte { found: b'-', .. }),
            None,
        ),
        (
            "a number too large",
            tiny(
                "9,1,1,0,1,0,0,3,2,3,99999999999999999999999,0,0,0",
                "2,3,7",
                r#""","","A","a""#,
                2,
                1,
            )
            .into_bytes(),
            |k| matches!(k, ErrorKind::NumberTooLarge { .. }),
            None,
        ),
        (
            "a bad escape",
            tiny(
                "9,1,1,0,1,0,0,3,2,3,8,0,0,0",
                "2,3,7",
                r#""","","A\q","a""#,
                2,
                1,
            )
            .into_bytes(),
            |k| matches!(k, ErrorKind::BadEscape),
            None,
        ),
        (
            "garbage after the end",
            format!("{valid} x").into_bytes(),
            |k| matches!(k, ErrorKind::UnexpectedByte { found: b'x', .. }),
            None,
        ),
        (
            "a corrupt gzip stream",
            {
                let mut gz = fixture_gz("node-empty");
                gz.truncate(5000);
                gz.extend_from_slice(&[0u8; 64]);
                gz
            },
            |_| true,
            None,
        ),
    ];
    for (what, bytes, kind, location) in cases {
        let e = error_of(&bytes);
        assert!(kind(&e.kind), "{what}: wrong error kind: {e}");
        if let Some(location) = location {
            assert_eq!(e.location, location, "{what}: wrong location: {e}");
        }
        // The message is one line that says where.
        let message = e.to_string();
        assert!(!message.contains('\n'), "{what}: {message}");
        if matches!(e.location, Location::Byte(_)) {
            assert!(message.contains("at byte"), "{what}: {message}");
        }
    }
}

#[test]
fn an_error_in_gzip_input_names_the_decompressed_byte() {
    let mut json = fixture_json("node-empty");
    let at = json.len() / 2;
    json[at] = b'#';
    let mut gz = Vec::new();
    {
        use std::io::Write;
        let mut enc = flate2::write::GzEncoder::new(&mut gz, flate2::Compression::fast());
        enc.write_all(&json).unwrap();
    }
    let e = parse_in_chunks(&gz, 8192).unwrap_err();
    assert_eq!(e.location, Location::DecompressedByte(at as u64), "{e}");
    assert!(e.to_string().contains("of the decompressed data"));
}

#[test]
fn two_halves_joined_at_an_edge_record_equal_the_whole() {
    let json = fixture_json("node-classes");
    let whole = fingerprint(&parse_in_chunks(&json, 1 << 20).unwrap());
    let edges_start = json.windows(9).position(|w| w == b"\"edges\":[").unwrap();
    let edges_end = edges_start + json[edges_start..].iter().position(|&b| b == b']').unwrap();
    // Record boundaries: a newline followed by the comma that starts the next record.
    let boundaries: Vec<usize> = (edges_start..edges_end - 1)
        .filter(|&i| json[i] == b'\n' && json[i + 1] == b',')
        .map(|i| i + 1)
        .collect();
    assert!(boundaries.len() > 1000);
    for &split in [
        boundaries[0],
        boundaries[boundaries.len() / 3],
        *boundaries.last().unwrap(),
    ]
    .iter()
    {
        let mut first = Parser::new();
        for piece in json[..split].chunks(1 << 16) {
            first.feed(piece).unwrap();
        }
        let header = first.header().expect("the header was read").clone();
        let mut second = Parser::resume_in_edges(header, split as u64).unwrap();
        for piece in json[split..].chunks(1 << 16) {
            second.feed(piece).unwrap();
        }
        let joined =
            Parser::join(first, second).unwrap_or_else(|e| panic!("split at {split}: {e}"));
        assert!(fingerprint(&joined) == whole, "split at {split}");
    }
    // A split inside the nodes array is refused at the join, not silently accepted.
    let nodes_start = json.windows(9).position(|w| w == b"\"nodes\":[").unwrap();
    let bad = nodes_start
        + json[nodes_start..]
            .windows(2)
            .position(|w| w == b"\n,")
            .unwrap()
        + 1;
    let mut first = Parser::new();
    first.feed(&json[..bad]).unwrap();
    let header = first.header().unwrap().clone();
    let mut second = Parser::resume_in_edges(header, bad as u64).unwrap();
    let fed = second.feed(&json[bad..]);
    assert!(fed.is_err() || Parser::join(first, second).is_err());
}

#[test]
fn a_truncated_gzip_file_says_where_its_json_stops() {
    let gz = fixture_gz("node-empty");
    let e = parse_in_chunks(&gz[..gz.len() / 2], 4096).unwrap_err();
    assert!(matches!(e.kind, ErrorKind::UnexpectedEnd { .. }), "{e}");
    assert!(matches!(e.location, Location::DecompressedByte(_)), "{e}");
}
