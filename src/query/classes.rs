//! The class table (DevTools' Summary view) and the members of a class.

use super::{ClassId, Location, NodeOrdinal, Page};
use crate::snapshot::Snapshot;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClassSort {
    Name,
    Distance,
    Count,
    SelfSize,
    RetainedSize,
}

impl ClassSort {
    pub fn parse(s: &str) -> Option<ClassSort> {
        Some(match s {
            "name" => ClassSort::Name,
            "distance" => ClassSort::Distance,
            "count" => ClassSort::Count,
            "self_size" => ClassSort::SelfSize,
            "retained_size" => ClassSort::RetainedSize,
            _ => return None,
        })
    }
}

/// A class's numbers, as `heaplens summary --json` prints each class.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ClassTotals {
    pub name: String,
    /// Members with a non-zero self size.
    pub count: u32,
    pub self_size: u64,
    /// The sum of the retained sizes of members not dominated by another member.
    pub retained_size: u64,
    /// The smallest distance among members.
    pub distance: i32,
}

/// One row of the class table: the class's handle, numbers and constructor location.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ClassRow {
    /// The class's index, for [`class_members`].
    pub class: ClassId,
    #[serde(flatten)]
    pub totals: ClassTotals,
    pub location: Option<Location>,
}

/// What a class is across snapshots: its name and, for classes DevTools keys by constructor
/// location, that location. Two constructors with one name are two identities.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ClassIdentity {
    pub name: String,
    pub location: Option<Location>,
}

impl ClassRow {
    pub fn identity(&self) -> ClassIdentity {
        ClassIdentity {
            name: self.totals.name.clone(),
            location: self.location,
        }
    }
}

/// The whole class table with the snapshot's totals: `heaplens summary --json`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ClassTable {
    pub node_count: usize,
    pub edge_count: usize,
    pub total_size: u64,
    pub classes: Vec<ClassTotals>,
}

impl ClassTable {
    pub fn new(s: &Snapshot, rows: Vec<ClassRow>) -> ClassTable {
        ClassTable {
            node_count: s.node_count(),
            edge_count: s.edge_count(),
            total_size: s.total_size(),
            classes: rows.into_iter().map(|r| r.totals).collect(),
        }
    }
}

fn row(s: &Snapshot, class: u32) -> ClassRow {
    let info = &s.classes.classes[class as usize];
    ClassRow {
        class: ClassId(class),
        totals: ClassTotals {
            name: info.name.clone(),
            count: info.count,
            self_size: info.self_size,
            retained_size: info.retained_size,
            distance: info.distance,
        },
        location: info.location.map(Location::from),
    }
}

/// Every class with at least one member of non-zero size, in the requested order (ties by
/// name, then index, so the order is total), keeping those whose name contains `filter`
/// (case-insensitive).
pub fn class_rows(s: &Snapshot, sort: ClassSort, descending: bool, filter: &str) -> Vec<ClassRow> {
    let needle = filter.to_lowercase();
    let classes = &s.classes.classes;
    let mut indexes: Vec<u32> = (0..classes.len() as u32)
        .filter(|&c| {
            let info = &classes[c as usize];
            info.count > 0 && (needle.is_empty() || info.name.to_lowercase().contains(&needle))
        })
        .collect();
    indexes.sort_by(|&a, &b| {
        let (x, y) = (&classes[a as usize], &classes[b as usize]);
        let primary = match sort {
            ClassSort::Name => x.name.cmp(&y.name),
            ClassSort::Distance => x.distance.cmp(&y.distance),
            ClassSort::Count => x.count.cmp(&y.count),
            ClassSort::SelfSize => x.self_size.cmp(&y.self_size),
            ClassSort::RetainedSize => x.retained_size.cmp(&y.retained_size),
        };
        let primary = if descending {
            primary.reverse()
        } else {
            primary
        };
        primary.then_with(|| x.name.cmp(&y.name)).then(a.cmp(&b))
    });
    indexes.into_iter().map(|c| row(s, c)).collect()
}

/// A page of [`class_rows`].
pub fn class_page(
    s: &Snapshot,
    sort: ClassSort,
    descending: bool,
    filter: &str,
    offset: usize,
    limit: usize,
) -> Page<ClassRow> {
    Page::from_vec(class_rows(s, sort, descending, filter), offset, limit)
}

/// The members of a class that the class table counts (non-zero self size), by retained size
/// descending, then id. Callers that page through a big class keep this list.
pub fn class_members(s: &Snapshot, class: ClassId) -> Vec<NodeOrdinal> {
    let g = &s.graph;
    let mut members: Vec<u32> = (0..g.node_count() as u32)
        .filter(|&n| s.classes.class_of[n as usize] == class.0 && g.self_size.get(n) != 0)
        .collect();
    members.sort_by(|&a, &b| {
        s.retained[b as usize]
            .cmp(&s.retained[a as usize])
            .then(g.node_id[a as usize].cmp(&g.node_id[b as usize]))
    });
    members.into_iter().map(NodeOrdinal).collect()
}
