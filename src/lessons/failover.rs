//! What the lesson panel says about a failover in progress, so that a learner knows why writes
//! wait: the countdown to a crashed broker's fencing (its session times out after
//! `broker.session.timeout.ms`, 9 s, and only then does the controller move its leaderships and
//! shrink the ISR lists), and a lost controller quorum (no active controller: metadata is frozen,
//! nothing is fenced and no leader moves).

use super::history::History;
use crate::engine::cluster::BROKER_SESSION_TIMEOUT_MS;
use crate::engine::Cluster;

/// Plain sentences about the failover in progress (none when all is quiet).
pub fn failover_notes(history: &History, cluster: &Cluster) -> Vec<String> {
    let mut notes = Vec::new();
    let voters: Vec<String> = cluster.broker_status().iter().filter(|b| b.is_voter).map(|b| b.id.to_string()).collect();
    let quorum_lost = cluster.active_controller().is_none();
    if quorum_lost {
        notes.push(format!(
            "No active controller: metadata is frozen. A majority of the controller voters (brokers {}) is down, so no crashed broker is fenced, no leader moves and writes that wait for a dead replica never complete. Start a crashed voter again to restore the quorum.",
            voters.join(", ")
        ));
    }
    for (broker, crashed_ms) in history.crashed_unfenced() {
        let since_ms = cluster.now_ms().saturating_sub(*crashed_ms).max(0);
        if quorum_lost {
            notes.push(format!("Broker {broker} crashed {} s ago and stays unfenced while there is no active controller.", since_ms / 1000));
        } else {
            let left_s = ((BROKER_SESSION_TIMEOUT_MS - since_ms).max(0) + 999) / 1000;
            notes.push(format!(
                "Broker {broker} crashed {} s ago. The controller fences it when its session times out (broker.session.timeout.ms, 9 s): about {left_s} s left. Until then its partitions keep it as leader or in-sync replica, and writes that need it wait.",
                since_ms / 1000
            ));
        }
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shell::Sandbox;
    #[cfg(target_arch = "wasm32")]
    use crate::browser_test as test;

    fn sync(sandbox: &mut Sandbox, history: &mut History, cursor: &mut u64) {
        let events = sandbox.events_since(cursor);
        history.sync(sandbox, &events, &[]);
    }

    #[test]
    fn a_crash_counts_down_to_fencing_and_a_lost_quorum_says_metadata_is_frozen() {
        let mut sandbox = Sandbox::new(5, 1);
        let t = sandbox.open_terminal().expect("room");
        let (mut history, mut cursor) = (History::new(), 0);
        sandbox.advance(2_000);
        sync(&mut sandbox, &mut history, &mut cursor);
        assert!(failover_notes(&history, sandbox.cluster()).is_empty());
        sandbox.run(t, "sim crash 5");
        sandbox.advance(3_000);
        sync(&mut sandbox, &mut history, &mut cursor);
        let notes = failover_notes(&history, sandbox.cluster());
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert!(notes[0].starts_with("Broker 5 crashed 3 s ago") && notes[0].contains("about 6 s left"), "{notes:?}");
        sandbox.advance(10_000);
        sync(&mut sandbox, &mut history, &mut cursor);
        assert!(failover_notes(&history, sandbox.cluster()).is_empty(), "fenced by now");
        sandbox.run(t, "sim crash 1");
        sandbox.run(t, "sim crash 2");
        sandbox.advance(15_000);
        sync(&mut sandbox, &mut history, &mut cursor);
        let notes = failover_notes(&history, sandbox.cluster());
        assert!(notes[0].starts_with("No active controller: metadata is frozen"), "{notes:?}");
        assert!(notes.iter().any(|n| n.contains("stays unfenced")), "{notes:?}");
    }
}
