//! Consumer groups as goals see them, read from the coordinators' in-memory state without
//! changing the sandbox: the engine's admin calls (`describe_group`, `list_group_offsets`) find
//! the coordinator by running the simulation, so goals use the read-only
//! [`Cluster::peek_groups`] instead. A goal checked twice in a row gives the same answer.

use super::goal::GroupView;
use crate::engine::Cluster;

/// Groups whose id matches `pattern` (see [`matches_group`]), in id order.
pub fn groups(cluster: &Cluster, pattern: &str) -> Result<Vec<GroupView>, String> {
    Ok(cluster
        .peek_groups()
        .into_iter()
        .filter(|(d, _)| matches_group(pattern, &d.group_id))
        .map(|(d, offsets)| GroupView {
            id: d.group_id,
            state: d.state.name().to_string(),
            members: d.members.into_iter().map(|m| m.assignment.into_iter().map(|tp| (tp.topic, tp.partition)).collect()).collect(),
            committed: offsets.into_iter().map(|(tp, o)| ((tp.topic, tp.partition), o)).collect(),
        })
        .collect())
}

/// Group ids ending in `*` match by prefix (the console consumer's `console-consumer-<n>`).
pub fn matches_group(pattern: &str, id: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => id.starts_with(prefix),
        None => id == pattern,
    }
}
