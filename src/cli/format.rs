//! Tables and JSON for the terminal. The only place sizes become "12.3 MB".

use anyhow::Result;
use heaplens::query::{ClassRow, EdgeRow, NodeDetails, NodeRow, Page, RetainingPath, Statistics};
use heaplens::Snapshot;
use serde::Serialize;
use std::io::Write;

/// Bytes in DevTools' units (1 kB = 1000 bytes, as DevTools prints them).
pub fn size(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "kB", "MB", "GB", "TB"];
    let mut v = bytes as f64;
    let mut unit = 0;
    while v >= 1000.0 && unit < UNITS.len() - 1 {
        v /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{v:.1} {}", UNITS[unit])
    }
}

fn percent(part: u64, total: u64) -> String {
    if total == 0 {
        "-".into()
    } else {
        format!("{:.1}%", part as f64 * 100.0 / total as f64)
    }
}

fn distance(d: i32) -> String {
    if d < 0 {
        "-".into()
    } else {
        d.to_string()
    }
}

/// One JSON document on one line: the form `summary --json` promises.
pub fn json_line(out: &mut dyn Write, value: &impl Serialize) -> Result<()> {
    serde_json::to_writer(&mut *out, value)?;
    writeln!(out)?;
    Ok(())
}

/// One JSON document, indented for people.
pub fn json_pretty(out: &mut dyn Write, value: &impl Serialize) -> Result<()> {
    serde_json::to_writer_pretty(&mut *out, value)?;
    writeln!(out)?;
    Ok(())
}

/// Cuts long names for the table; the JSON output always has them whole.
fn clip(name: &str, width: usize) -> String {
    let one_line: String = name
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if one_line.chars().count() <= width {
        one_line
    } else {
        let mut s: String = one_line.chars().take(width - 1).collect();
        s.push('…');
        s
    }
}

pub fn summary_table(out: &mut dyn Write, s: &Snapshot, rows: &[ClassRow]) -> Result<()> {
    let total = s.total_size();
    writeln!(
        out,
        "{} nodes, {} edges, total {}",
        s.node_count(),
        s.edge_count(),
        size(total)
    )?;
    writeln!(out)?;
    writeln!(
        out,
        "{:<50} {:>9} {:>10} {:>12} {:>12} {:>7}",
        "Constructor", "Distance", "Count", "Shallow", "Retained", "%"
    )?;
    for r in rows {
        writeln!(
            out,
            "{:<50} {:>9} {:>10} {:>12} {:>12} {:>7}",
            clip(&r.totals.name, 50),
            distance(r.totals.distance),
            r.totals.count,
            size(r.totals.self_size),
            size(r.totals.retained_size),
            percent(r.totals.retained_size, total)
        )?;
    }
    Ok(())
}

/// The statistics with the snapshot's counts in front.
#[derive(Serialize)]
struct StatsJson<'a> {
    node_count: usize,
    edge_count: usize,
    #[serde(flatten)]
    statistics: &'a Statistics,
}

pub fn stats_json(out: &mut dyn Write, s: &Snapshot) -> Result<()> {
    let value = StatsJson {
        node_count: s.node_count(),
        edge_count: s.edge_count(),
        statistics: &s.statistics,
    };
    serde_json::to_writer_pretty(&mut *out, &value)?;
    writeln!(out)?;
    Ok(())
}

pub fn stats_table(out: &mut dyn Write, s: &Snapshot) -> Result<()> {
    let st = &s.statistics;
    writeln!(out, "{} nodes, {} edges", s.node_count(), s.edge_count())?;
    let rows = [
        ("Total", st.total),
        ("  V8 heap", st.v8heap),
        ("    Code", st.code),
        ("    Strings", st.strings),
        ("    JS arrays", st.js_arrays),
        ("    System objects", st.system),
        ("    Other", st.other),
        ("  Native", st.native),
        ("    Typed arrays", st.typed_arrays),
    ];
    for (label, value) in rows {
        writeln!(
            out,
            "{label:<22} {:>12} {:>7}",
            size(value),
            percent(value, st.total)
        )?;
    }
    Ok(())
}

fn node_line(n: &NodeRow) -> String {
    format!(
        "{} @{}  [{}]  self {}  retained {}  distance {}{}",
        clip(&n.name, 60),
        n.id,
        n.class_name,
        size(n.self_size),
        size(n.retained_size),
        distance(n.distance),
        if n.detached { "  (detached)" } else { "" }
    )
}

pub fn node_text(out: &mut dyn Write, d: &NodeDetails) -> Result<()> {
    writeln!(out, "{}", node_line(&d.row))?;
    writeln!(out, "  type:        {}", d.row.node_type)?;
    if let Some(dom) = &d.dominator {
        writeln!(out, "  dominator:   {} @{}", clip(&dom.name, 60), dom.id)?;
    }
    writeln!(out, "  edges:       {}", d.edge_count)?;
    writeln!(out, "  retainers:   {}", d.retainer_count)?;
    if let Some(l) = d.location {
        writeln!(
            out,
            "  defined at:  script {} line {} column {}",
            l.script_id,
            l.line + 1,
            l.column + 1
        )?;
    }
    if !d.allocation_stack.is_empty() {
        writeln!(out, "  allocated at:")?;
        for f in &d.allocation_stack {
            let name = if f.function_name.is_empty() {
                "(anonymous)"
            } else {
                &f.function_name
            };
            writeln!(
                out,
                "    {name}  {}:{}:{}",
                f.script_name,
                f.line + 1,
                f.column + 1
            )?;
        }
    }
    Ok(())
}

fn edge_text(edge_type: &str, name: &str) -> String {
    match edge_type {
        "element" => format!("[{name}]"),
        "context" => format!("->{name}"),
        "weak" => format!("[[{name}]]"),
        "property" | "shortcut" if name.contains(' ') => format!("[\"{name}\"]"),
        "property" | "shortcut" => format!(".{name}"),
        _ => format!("{{{name}}}"),
    }
}

pub fn retainers_text(
    out: &mut dyn Write,
    node: &NodeRow,
    retainers: &Page<EdgeRow>,
    paths: &[RetainingPath],
) -> Result<()> {
    writeln!(out, "{}", node_line(node))?;
    writeln!(out)?;
    if paths.is_empty() {
        writeln!(out, "Not reachable from the GC roots.")?;
    }
    for (i, p) in paths.iter().enumerate() {
        writeln!(out, "Path {} ({} steps):", i + 1, p.steps.len())?;
        writeln!(out, "  (root)")?;
        for step in &p.steps {
            writeln!(
                out,
                "  {} {} @{}  [{}]",
                edge_text(&step.edge_type, &step.edge_name),
                clip(&step.node.name, 50),
                step.node.id,
                step.node.class_name
            )?;
        }
    }
    writeln!(out)?;
    writeln!(
        out,
        "Retainers ({} in all, nearest first):",
        retainers.total
    )?;
    for r in &retainers.rows {
        writeln!(
            out,
            "  {:<24} in {}",
            clip(&edge_text(&r.edge_type, &r.edge_name), 24),
            node_line(&r.node)
        )?;
    }
    Ok(())
}
