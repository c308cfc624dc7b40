//! The `parse` target: the push parser fed an input in a chunking the input itself chooses,
//! plain or gzip-compressed, then `Snapshot::build` and a few questions of every kind about the
//! result (graphs no real snapshot has reach the queries only this way).
//!
//! Input layout: a control byte, two bytes that seed the chunk sizes, then the snapshot text.
//! Control bit 0 gzips the text before feeding it; bits 1-2 choose the chunking: 0 the whole input
//! at once, 1 one byte at a time, 2 pieces of 1 to 16 bytes, 3 pieces of 1 to 512 bytes (sizes
//! from a small generator seeded by the two bytes, so a mutation can move every split point).
//!
//! Besides not panicking, hanging or blowing up, the parser must give the same answer however the
//! input is split (ARCHITECTURE.md): each input is also parsed whole and plain, and the two
//! results compared. Gzip input must give the same snapshot, or the same error with its offset
//! counted in decompressed bytes. Text that is itself gzip is held to less: the parser decompresses
//! one level only, so it is not compared with its gzipped self; and when such a stream is corrupt,
//! the error reported depends on the chunking (the decompressor notices the corruption at the end
//! of the chunk that holds it, and the JSON decompressed before it may or may not have reached the
//! parser by then), so the two parses must only agree on failing.

use super::limits::Budget;
use super::query::Call;
use heaplens::error::{Error, Location};
use heaplens::parse::RawSnapshot;
use heaplens::{Parser, Snapshot};
use std::hash::{Hash, Hasher};
use std::io::Write;

pub fn run(data: &[u8]) {
    let (control, seed, text) = match data {
        [control, a, b, text @ ..] => (*control, u16::from_le_bytes([*a, *b]), text),
        _ => return,
    };
    let gzip = control & 1 != 0;
    // Compressing is the harness's work, not heaplens': it happens before the budget starts.
    let compressed = gzip.then(|| compress(text));
    let budget = Budget::start();

    let reference = parse_whole(text).map(|raw| digest(&raw));
    let input = compressed.as_deref().unwrap_or(text);
    let chunked = parse_in_chunks(input, (control >> 1) & 3, seed);
    let text_is_gzip = text.starts_with(&[0x1f, 0x8b]);
    match (gzip, text_is_gzip) {
        (true, true) => {}
        (false, true) => assert_eq!(
            reference.as_ref().ok(),
            chunked.as_ref().ok().map(digest).as_ref(),
            "gzip text parsed whole and in chunks gave different results"
        ),
        (_, false) => compare(&reference, &chunked, gzip),
    }
    if let Ok(raw) = chunked {
        if let Ok(snapshot) = Snapshot::build(raw, &mut |_| {}) {
            ask_everything(&snapshot);
        }
    }
    budget.check(data.len());
}

fn compress(text: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(text).expect("writing to memory");
    encoder.finish().expect("writing to memory")
}

fn parse_whole(text: &[u8]) -> Result<RawSnapshot, Error> {
    let mut parser = Parser::new();
    parser.feed(text)?;
    parser.finish()
}

/// Chunk sizes from a xorshift generator: cheap, and every seed gives a different split.
fn parse_in_chunks(input: &[u8], mode: u8, seed: u16) -> Result<RawSnapshot, Error> {
    let most = match mode {
        0 => usize::MAX,
        1 => 1,
        2 => 16,
        _ => 512,
    };
    let mut state = u32::from(seed) << 16 | 0x9e37;
    let mut parser = Parser::new();
    let mut rest = input;
    while !rest.is_empty() {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let size = if most == usize::MAX {
            rest.len()
        } else {
            (state as usize % most + 1).min(rest.len())
        };
        let (piece, after) = rest.split_at(size);
        let fed = parser.feed(piece);
        // After an error, every later call must report that same error.
        if let Err(e) = fed {
            let again = parser.feed(after);
            assert_eq!(
                again.as_ref().err(),
                Some(&e),
                "a later feed forgot the error"
            );
            let finished = parser.finish();
            assert_eq!(finished.as_ref().err(), Some(&e), "finish forgot the error");
            return Err(e);
        }
        rest = after;
    }
    parser.finish()
}

/// Everything the parser produced, reduced to a hash (holding a copy would double the memory
/// the run is measured for).
fn digest(raw: &RawSnapshot) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    let header = &raw.header;
    (
        header.node_count,
        header.edge_count,
        header.trace_function_count,
    )
        .hash(&mut h);
    (header.extra_native_bytes, header.root_index, &header.title).hash(&mut h);
    format!("{:?}", header.meta).hash(&mut h);
    (
        &raw.node_type,
        &raw.node_name,
        &raw.node_id,
        &raw.edge_count,
    )
        .hash(&mut h);
    (0..raw.self_size.len() as u32)
        .map(|i| raw.self_size.get(i))
        .for_each(|s| s.hash(&mut h));
    (&raw.trace_node_id, &raw.detachedness).hash(&mut h);
    (&raw.edge_type, &raw.edge_name, &raw.edge_to).hash(&mut h);
    (0..raw.strings.len() as u32).for_each(|i| raw.strings.get(i).hash(&mut h));
    (&raw.trace_function_infos, &raw.samples, &raw.locations).hash(&mut h);
    for t in &raw.trace_tree {
        (t.id, t.function_info_index, t.count, t.size, t.parent).hash(&mut h);
    }
    h.finish()
}

fn compare(reference: &Result<u64, Error>, chunked: &Result<RawSnapshot, Error>, gzip: bool) {
    match (reference, chunked) {
        (Ok(whole), Ok(raw)) => assert_eq!(
            *whole,
            digest(raw),
            "the chunked parse produced a different snapshot"
        ),
        (Err(whole), Err(e)) => {
            let mut expected = whole.clone();
            if gzip {
                if let Location::Byte(b) = expected.location {
                    expected.location = Location::DecompressedByte(b);
                }
            }
            assert_eq!(&expected, e, "the chunked parse failed differently");
        }
        (Ok(_), Err(e)) => panic!("only the chunked parse failed: {e}"),
        (Err(e), Ok(_)) => panic!("only the whole parse failed: {e}"),
    }
}

/// A few questions of every kind, about nodes spread over the graph and the first classes.
fn ask_everything(s: &Snapshot) {
    let nodes = s.node_count() as u32;
    let mut picks: Vec<u32> = (0..nodes).step_by((nodes as usize / 8).max(1)).collect();
    picks.extend([s.graph.root, nodes - 1]);
    let mut calls = vec![Call::ClassRows {
        sort: 4,
        descending: true,
        filter: String::new(),
    }];
    for class in 0..4 {
        calls.push(Call::ClassMembers {
            class,
            offset: 0,
            limit: 4,
        });
    }
    for node in picks {
        calls.extend([
            Call::NodeDetails { node },
            Call::Edges {
                node,
                offset: 0,
                limit: 4,
            },
            Call::Retainers {
                node,
                offset: 1,
                limit: 4,
            },
            Call::RetainingPaths { node, k: 2 },
            Call::Dominated {
                node,
                offset: 0,
                limit: 4,
            },
        ]);
        if let Some(&id) = s.graph.node_id.get(node as usize) {
            calls.push(Call::FindById { id });
        }
    }
    for call in calls {
        call.run(s);
    }
}
