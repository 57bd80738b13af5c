//! A broken safety property, as the invariant checks report it (see `invariants.rs`). A leaf
//! module: the cluster keeps the violations found, the checks live with the nodes they watch.

/// A named property (`HwWithinIsrLeo`, ...) and what broke it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    pub property: &'static str,
    pub detail: String,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.property, self.detail)
    }
}

/// An optional offset in a violation's detail: the number, or `none`.
pub(crate) fn offset_or_none(offset: Option<i64>) -> String {
    offset.map_or_else(|| "none".to_string(), |o| o.to_string())
}
