//! Typed ids for the three kinds of number that cross the core's boundary, so that a node's
//! position can never be passed where its object id is meant. All are `u32` underneath and
//! serialize as plain numbers. A leaf module.
//!
//! Inside the analyses the columns are indexed by plain integers; these types are for the
//! queries and the edges.

use serde::{Deserialize, Serialize};

/// A node's position in the snapshot (0 is the first node in `nodes`): the handle the views use
/// to ask about a node. Meaningful only for the snapshot it came from.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct NodeOrdinal(pub u32);

/// V8's object id (`@12345` in DevTools): stable for the same object across snapshots of one
/// process, which is what comparison by id relies on.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct ObjectId(pub u32);

/// A class's index in one snapshot's class table. Classes are matched across snapshots by their
/// identity (name and constructor location), never by this index.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct ClassId(pub u32);

macro_rules! index {
    ($t:ty) => {
        impl $t {
            /// The number as an index into a column.
            #[inline]
            pub fn index(self) -> usize {
                self.0 as usize
            }
        }

        impl std::fmt::Display for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

index!(NodeOrdinal);
index!(ClassId);

impl ObjectId {
    /// Reads `@12345` or `12345`.
    pub fn parse(text: &str) -> Option<ObjectId> {
        let digits = text.strip_prefix('@').unwrap_or(text);
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        digits.parse().ok().map(ObjectId)
    }
}

impl std::fmt::Display for ObjectId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "@{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_ids_read_with_or_without_the_at_sign() {
        assert_eq!(ObjectId::parse("@42"), Some(ObjectId(42)));
        assert_eq!(ObjectId::parse("42"), Some(ObjectId(42)));
        assert_eq!(ObjectId::parse("@"), None);
        assert_eq!(ObjectId::parse("+4"), None);
        assert_eq!(ObjectId::parse("@99999999999"), None);
        assert_eq!(ObjectId(7).to_string(), "@7");
    }

    #[test]
    fn ids_serialize_as_plain_numbers() {
        assert_eq!(serde_json::to_string(&NodeOrdinal(3)).unwrap(), "3");
        assert_eq!(serde_json::to_string(&ObjectId(5)).unwrap(), "5");
    }
}
