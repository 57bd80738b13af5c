//! Group liveness at the coordinator (issue 19 item 8), driven with raw group requests from
//! members that are only ids (no client behind them), so a member "crashes" by simply sending
//! nothing more. Each test is named after the bug it guards.

use super::coordinator::{JoinRequest, SyncRequest};
use super::*;
#[cfg(target_arch = "wasm32")]
use crate::browser_test as test;
use crate::engine::assignor::coordinator_partition;
use crate::engine::cluster::{Cluster, ClusterConfig};

const SESSION_MS: i64 = 6_000;
const LEADER: u32 = CONSUMER_ID_BASE + 100;
const FOLLOWER: u32 = CONSUMER_ID_BASE + 101;
const NEWCOMER: u32 = CONSUMER_ID_BASE + 102;

/// A 3-broker cluster with `__consumer_offsets` created and led; returns the cluster and the
/// broker coordinating group `g`.
fn coordinated_cluster() -> (Cluster, BrokerId) {
    let mut c = Cluster::new(ClusterConfig::new(3, 5)).expect("valid cluster");
    c.advance(2_000);
    // The first FindCoordinator makes the broker forward the topic's creation to the controller.
    assert_eq!(c.find_coordinator_on(1, "g"), Err(ErrorCode::COORDINATOR_NOT_AVAILABLE));
    c.advance(2_000);
    let p = coordinator_partition("g", OFFSETS_PARTITIONS);
    let idx = c.ctl.by_name[OFFSETS_TOPIC];
    let b = c.ctl.topics[&idx].partitions[p as usize].leader.expect("offsets partition led");
    (c, b)
}

fn group(c: &Cluster, b: BrokerId) -> &Group {
    let p = coordinator_partition("g", OFFSETS_PARTITIONS);
    &c.groups.coordinators[&b].shards[&p].groups["g"]
}

fn join(c: &mut Cluster, b: BrokerId, consumer: u32, member_id: &str) {
    let sub = Subscription { topics: ["t".to_string()].into_iter().collect(), owned_partitions: Vec::new(), generation: None, group_instance_id: None };
    let req_id = c.next_id();
    let req = JoinRequest {
        consumer,
        req_id,
        group: "g".into(),
        member_id: member_id.into(),
        client_id: "app".into(),
        host: "/127.0.0.1".into(),
        session_timeout_ms: SESSION_MS,
        rebalance_timeout_ms: 300_000,
        protocols: vec![(Strategy::Range, sub)],
    };
    c.with_group_coordinator(b, |gc, host, ctx| gc.on_join(host, ctx, req));
}

/// JoinGroup twice (MEMBER_ID_REQUIRED, then with the id handed out): the member's id.
fn join_new(c: &mut Cluster, b: BrokerId, consumer: u32) -> String {
    join(c, b, consumer, "");
    let id = group(c, b).pending_members.last().expect("a pending member").clone();
    join(c, b, consumer, &id);
    id
}

fn sync(c: &mut Cluster, b: BrokerId, consumer: u32, member_id: &str, assignment: Option<BTreeMap<String, Vec<TopicPartition>>>) {
    let (req_id, generation) = (c.next_id(), group(c, b).generation);
    let req = SyncRequest { consumer, req_id, group: "g".into(), member_id: member_id.into(), generation, assignment };
    c.with_group_coordinator(b, |gc, host, ctx| gc.on_sync(host, ctx, req));
}

/// Advances `ms`, the leader heartbeating every second (it stays alive throughout).
fn advance_leader_alive(c: &mut Cluster, b: BrokerId, leader: &str, ms: i64) {
    for _ in 0..ms / 1_000 {
        c.advance(1_000);
        let generation = group(c, b).generation;
        c.with_group_coordinator(b, |gc, host, ctx| gc.on_heartbeat(host, ctx, LEADER, 0, "g", leader, generation));
    }
}

/// Two members joined (generation 1, CompletingRebalance); the follower sent SyncGroup and then
/// died; the leader has not synced yet. Returns (leader id, follower id).
fn follower_waits_in_sync_then_dies(c: &mut Cluster, b: BrokerId) -> (String, String) {
    let a = join_new(c, b, LEADER);
    let f = join_new(c, b, FOLLOWER);
    // The second member joined during the initial delay, which extends it once.
    c.advance(2 * GROUP_INITIAL_REBALANCE_DELAY_MS + 100);
    let g = group(c, b);
    assert_eq!((g.state, g.generation), (GroupState::CompletingRebalance, 1));
    let (leader, follower) = if g.leader.as_deref() == Some(a.as_str()) { (a, f) } else { (f, a) };
    sync(c, b, FOLLOWER, &follower, None);
    // The follower's session expires while it waits in SyncGroup: ignored (it is waiting).
    advance_leader_alive(c, b, &leader, SESSION_MS + 2_000);
    assert!(group(c, b).member(&follower).is_some(), "a member waiting in SyncGroup is kept");
    (leader, follower)
}

/// Kafka's `propagateAssignment` restarts the session of every member whose SyncGroup it
/// answers; the engine dropped the expired timer instead, so a member that died while waiting
/// in SyncGroup stayed in the group for good (holding the next rebalance until the rebalance
/// timeout: group swarm seeds 52, 704, 1095, 1115).
#[test]
fn member_that_died_waiting_in_sync_group_expires_after_the_assignment() {
    let (mut c, b) = coordinated_cluster();
    let (leader, follower) = follower_waits_in_sync_then_dies(&mut c, b);
    let assignment = BTreeMap::from([(leader.clone(), vec![TopicPartition::new("t", 0)]), (follower.clone(), Vec::new())]);
    sync(&mut c, b, LEADER, &leader, Some(assignment));
    advance_leader_alive(&mut c, b, &leader, 1_000);
    assert_eq!(group(&c, b).state, GroupState::Stable, "the assignment was written");
    advance_leader_alive(&mut c, b, &leader, SESSION_MS);
    let g = group(&c, b);
    assert!(g.member(&follower).is_none(), "the dead follower is removed one session after its SyncGroup was answered");
    assert_eq!(g.state, GroupState::PreparingRebalance);
}

/// The same when the SyncGroup is answered with an error because a new member's join starts
/// the next rebalance: the dead member must expire within its session, so that the join phase
/// completes with the live members instead of waiting for the rebalance timeout (5 minutes).
#[test]
fn member_that_died_waiting_in_sync_group_does_not_hold_the_next_rebalance() {
    let (mut c, b) = coordinated_cluster();
    let (leader, follower) = follower_waits_in_sync_then_dies(&mut c, b);
    let newcomer = join_new(&mut c, b, NEWCOMER);
    assert_eq!(group(&c, b).state, GroupState::PreparingRebalance);
    join(&mut c, b, LEADER, &leader);
    advance_leader_alive(&mut c, b, &leader, SESSION_MS + 1_000);
    let g = group(&c, b);
    assert!(g.member(&follower).is_none(), "the dead follower expired");
    assert_eq!((g.state, g.generation), (GroupState::CompletingRebalance, 2), "generation 2 formed without the rebalance timeout");
    assert_eq!(g.members.len(), 2);
    assert!(g.member(&newcomer).is_some());
}

/// The coordinator's write of the assignment completes inside its broker (Kafka's append
/// callback); the engine sent the completion over the network, so isolating the coordinator
/// lost it and the group stayed in CompletingRebalance with its members waiting in SyncGroup.
/// Kafka's write times out after `offsets.commit.timeout.ms` and the group rebalances
/// (`storeGroup`: REQUEST_TIMED_OUT answers REBALANCE_IN_PROGRESS).
#[test]
fn group_write_completes_while_the_coordinator_is_isolated() {
    let (mut c, b) = coordinated_cluster();
    let a = join_new(&mut c, b, LEADER);
    c.advance(GROUP_INITIAL_REBALANCE_DELAY_MS + 100);
    assert_eq!(group(&c, b).state, GroupState::CompletingRebalance);
    let assignment = BTreeMap::from([(a.clone(), vec![TopicPartition::new("t", 0)])]);
    sync(&mut c, b, LEADER, &a, Some(assignment));
    // Isolated before its followers fetched the write: acks=all cannot be met.
    c.isolate(b).expect("isolate");
    c.advance(OFFSETS_COMMIT_TIMEOUT_MS + 500);
    assert!(c.groups.coordinators[&b].appends.is_empty(), "the write completed (timed out)");
    assert_eq!(group(&c, b).state, GroupState::PreparingRebalance, "the failed write restarts the rebalance");
}
