//! Idle time costs nothing: the event loop jumps over stretches where only periodic no-op
//! traffic would run (broker heartbeats, controller ticks, empty follower fetches that long-poll
//! `replica.fetch.wait.max.ms`, ISR checks, cleaner and retention wake-ups that find nothing).
//!
//! How, and why it is exact:
//! 1. At an instant boundary, when the run still has at least two windows to go, the cluster is
//!    a candidate if every queued event is one of the known periodic kinds (anything else, a
//!    client's timer, a group or transaction timer, a fault's consequence, steps normally).
//! 2. It is snapshotted, simulated step by step for one window [`IDLE_WINDOW_MS`] (the least
//!    common multiple of the fetch cycle, the heartbeat interval and the controller tick), and
//!    snapshotted again. The window is real progress, never wasted.
//! 3. The two snapshots must show a time-shifted copy of each other: the same structure (logs,
//!    ISRs, views, fetch sessions, RNG, events recorded...), every timestamp either unchanged or
//!    moved by exactly the window, every request id either unchanged or moved by the ids the
//!    window used, the fast queue entries the same events one window later in the same order,
//!    and the slow timers (ISR check, cleaner, retention, the controller's unclean-election and
//!    leader-balance checks) where their own periods put them.
//! 4. Then the state is periodic: `k` more windows are applied at once by shifting those fields
//!    by `k` windows. `k` stops before anything real could happen (the first segment a time
//!    rule would delete, a leader balance that would move a leader, a compacted log the cleaner
//!    might clean) and before the run's end; the loop steps normally from there.
//!
//! Counters follow: `seq` (in the digest) and `steps` gain exactly what the skipped events would
//! have added; the queue keeps the order step-by-step simulation gives its entries.
//! `Cluster::set_idle_skip` (in `cluster/views.rs`) turns the skip off (the equivalence tests compare both).

use super::cluster::*;
use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};
use std::fmt::Write;
use std::hash::Hasher;
use twox_hash::XxHash64;

pub(crate) mod state;

const fn gcd(a: i64, b: i64) -> i64 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

const fn lcm(a: i64, b: i64) -> i64 {
    a / gcd(a, b) * b
}

/// One idle follower fetch: sent, parked for `replica.fetch.wait.max.ms`, answered.
const FETCH_CYCLE_MS: i64 = REPLICA_FETCH_WAIT_MAX_MS + 2 * NET_LATENCY_MS;
/// The period every fast idle chain shares (125.5 s with the defaults). Broker heartbeats are
/// computed per broker instead (their 2 s would make it 502 s, four times the stepping).
pub const IDLE_WINDOW_MS: i64 = lcm(FETCH_CYCLE_MS, CONTROLLER_TICK_MS);

/// What a queued event is to the skip.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    /// Part of a chain with a period dividing the window: `delay_ms` after the event that
    /// scheduled it, which itself ran `parent_delay_ms` after its own scheduling.
    Fast { delay_ms: i64, parent_delay_ms: i64 },
    /// A timer that re-arms itself every `period_ms` and does nothing else while idle.
    Slow { period_ms: i64 },
    /// A broker's heartbeat timer or its heartbeat on the way (see [`Beat`]).
    Beat,
}

/// One broker's heartbeats while idle: its timer, the heartbeat on the way to the controller,
/// and the controller's record of the last one (`last_heartbeat_ms`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Beat {
    timer_ms: Option<i64>,
    deliver_ms: Option<i64>,
    last_ms: i64,
}

/// A state field the skip may shift.
enum Field<'a> {
    Time(&'a mut i64),
    Id(&'a mut u64),
}

struct FastEntry {
    time_ms: i64,
    shape: String,
    ids: Vec<u64>,
}

struct SlowEntry {
    key: String,
    time_ms: i64,
    period_ms: i64,
}

/// The cluster as the skip compares it.
struct Snap {
    now_ms: i64,
    seq: u64,
    steps: u64,
    next_id: u64,
    shape: u64,
    times: Vec<i64>,
    ids: Vec<u64>,
    fast: Vec<FastEntry>,
    slow: Vec<SlowEntry>,
    unclean_ms: i64,
    balance_ms: Option<i64>,
    beats: BTreeMap<BrokerId, Beat>,
}

/// How one window moved the state: applied `k` times at once.
struct Plan {
    ids_per_window: u64,
    seq_per_window: u64,
    steps_per_window: u64,
    time_shifts: Vec<bool>,
    id_shifts: Vec<bool>,
    fast_id_shifts: Vec<Vec<bool>>,
}

/// Firings of a timer due at `next_ms` every `period_ms` within (.., `end_ms`].
fn firings(next_ms: i64, period_ms: i64, end_ms: i64) -> i64 {
    if next_ms > end_ms {
        0
    } else {
        (end_ms - next_ms) / period_ms + 1
    }
}

fn ev_ids(ev: &mut Ev) -> Vec<&mut u64> {
    match ev {
        Ev::FetchExpire { fetch_id, .. } | Ev::FollowerFetchTimeout { fetch_id, .. } => vec![fetch_id],
        Ev::Deliver { msg: Msg::Fetch { fetch_id, .. } | Msg::FetchResp { fetch_id, .. }, .. } => vec![fetch_id],
        _ => Vec::new(),
    }
}

/// The event with its request ids zeroed, as text: what must repeat one window later.
fn ev_shape(ev: &Ev) -> String {
    let mut ev = ev.clone();
    for id in ev_ids(&mut ev) {
        *id = 0;
    }
    format!("{ev:?}")
}

fn hash(text: &str) -> u64 {
    let mut h = XxHash64::with_seed(0);
    h.write(text.as_bytes());
    h.finish()
}

/// When (wall clock) `retention.ms` first deletes the log's first segment, if it ever does. The
/// size and log-start rules do not depend on time: while idle they act at once or never.
fn retention_due_ms(log: &super::log::PartitionLog, settings: &super::config::TopicSettings) -> Option<i64> {
    let first = &log.segments[0];
    if !settings.cleanup_delete || settings.retention_ms < 0 || (log.segments.len() == 1 && first.size_bytes == 0) {
        return None;
    }
    Some(super::retention::largest_timestamp(first).saturating_add(settings.retention_ms).saturating_add(1))
}

/// When (wall clock) time alone may make a compacted log cleanable (`min.compaction.lag.ms`
/// ageing a dirty segment, `max.compaction.lag.ms` forcing one), if it can: a log whose dirty
/// part is all in the active segment has nothing the cleaner may take, however long it waits;
/// without the lags, cleanability does not change with time, and the window saw it.
fn cleanable_due_ms(log: &super::log::PartitionLog, settings: &super::config::TopicSettings) -> Option<i64> {
    let checkpoint = log.cleaner_checkpoint.unwrap_or(log.log_start_offset);
    let first_dirty = if checkpoint < log.log_start_offset || checkpoint > log.log_end_offset { log.log_start_offset } else { checkpoint };
    let segs = &log.segments;
    let dirty = (0..segs.len() - 1).filter(|&i| segs[i + 1].base_offset > first_dirty).map(|i| &segs[i]);
    let mut due: Option<i64> = None;
    for s in dirty {
        let mut at = i64::MAX;
        if settings.min_compaction_lag_ms > 0 {
            at = s.max_timestamp_ms.saturating_add(settings.min_compaction_lag_ms);
        }
        if let Some(first_ts) = s.first_batch_timestamp_ms.filter(|&t| t > 0) {
            at = at.min(first_ts.saturating_add(settings.max_compaction_lag_ms.max(0)).saturating_add(1));
        }
        due = Some(due.map_or(at, |d| d.min(at)));
    }
    due
}

impl Beat {
    /// This broker's heartbeats once every event up to `end_ms` ran (`reaches`: its heartbeats
    /// reach the controller), with the events run and scheduled on the way: each timer firing
    /// re-arms itself and sends a heartbeat that arrives [`NET_LATENCY_MS`] later (if it
    /// reaches) and sets the session.
    fn after(self, reaches: bool, end_ms: i64) -> (Beat, u64, u64) {
        let mut out = self;
        let (mut steps, mut scheduled) = (0u64, 0u64);
        if let Some(d) = self.deliver_ms.filter(|d| *d <= end_ms) {
            steps += 1;
            out.deliver_ms = None;
            if reaches {
                out.last_ms = d;
            }
        }
        let Some(n) = self.timer_ms else { return (out, steps, scheduled) };
        let fired = firings(n, BROKER_HEARTBEAT_INTERVAL_MS, end_ms);
        if fired == 0 {
            return (out, steps, scheduled);
        }
        let last_fire = n + (fired - 1) * BROKER_HEARTBEAT_INTERVAL_MS;
        out.timer_ms = Some(last_fire + BROKER_HEARTBEAT_INTERVAL_MS);
        steps += fired as u64;
        scheduled += fired as u64;
        if reaches {
            scheduled += fired as u64;
            let arrived = if last_fire + NET_LATENCY_MS <= end_ms { fired } else { fired - 1 };
            steps += arrived as u64;
            if arrived > 0 {
                out.last_ms = n + (arrived - 1) * BROKER_HEARTBEAT_INTERVAL_MS + NET_LATENCY_MS;
            }
            if arrived < fired {
                out.deliver_ms = Some(last_fire + NET_LATENCY_MS);
            }
        }
        (out, steps, scheduled)
    }
}

/// What the periodic arithmetic needs to know of the cluster besides the snapshots, read once
/// after the window (none of it changes while the cluster idles).
struct Rules {
    /// Per registered broker, whether its heartbeats reach the controller (and only refresh its
    /// session); None if some broker's heartbeats would do more.
    reaches: Option<BTreeMap<BrokerId, bool>>,
    /// Some partition is led by another than its preferred replica, and the automatic leader
    /// balance is on.
    balancing: bool,
    /// How often the leader balance checks: `leader.imbalance.check.interval` plus one tick.
    balance_period_ms: i64,
}

impl Rules {
    fn read(c: &Cluster) -> Rules {
        let reaches = c.ctl.regs.keys().map(|b| beat_reaches(c, *b).map(|r| (*b, r))).collect();
        let balancing = leaders_imbalanced(c).next().is_some() && c.broker_bool("auto.leader.rebalance.enable");
        let balance_period_ms = c.broker_int("leader.imbalance.check.interval.seconds").max(1) * 1000 + CONTROLLER_TICK_MS;
        Rules { reaches, balancing, balance_period_ms }
    }

    /// Every broker's heartbeats up to `end_ms`, with the events run and scheduled.
    fn beats_after(&self, beats: &BTreeMap<BrokerId, Beat>, end_ms: i64) -> Option<(BTreeMap<BrokerId, Beat>, u64, u64)> {
        let reaches = self.reaches.as_ref()?;
        let (mut out, mut steps, mut scheduled) = (BTreeMap::new(), 0, 0);
        for (b, beat) in beats {
            let (after, st, sc) = beat.after(*reaches.get(b)?, end_ms);
            out.insert(*b, after);
            steps += st;
            scheduled += sc;
        }
        Some((out, steps, scheduled))
    }

    /// `balance_leaders_at_ms` once every tick up to `end_ms` ran, while idle: each check finds
    /// nothing to move and the tick after it arms the next one, `leader.imbalance.check.interval`
    /// later (so the checks repeat every interval plus one tick).
    fn balance_at_after(&self, at: Option<i64>, end_ms: i64) -> Option<i64> {
        let a = at?;
        if a > end_ms {
            return Some(a);
        }
        if !self.balancing {
            return None;
        }
        let period_ms = self.balance_period_ms;
        let last = a + (firings(a, period_ms, end_ms) - 1) * period_ms;
        (end_ms >= last + CONTROLLER_TICK_MS).then_some(last + period_ms)
    }
}

impl Plan {
    /// The two snapshots one window apart as a shift, or None if the state did not just repeat.
    fn between(a: &Snap, b: &Snap, rules: &Rules) -> Option<Plan> {
        let w = IDLE_WINDOW_MS;
        if a.shape != b.shape || a.times.len() != b.times.len() || a.ids.len() != b.ids.len() || a.fast.len() != b.fast.len() || a.slow.len() != b.slow.len() {
            return None;
        }
        let ids_per_window = b.next_id.checked_sub(a.next_id)?;
        let id_shift = |x: u64, y: u64| if x == y { Some(false) } else { (y.checked_sub(x) == Some(ids_per_window)).then_some(true) };
        let time_shifts = a.times.iter().zip(&b.times).map(|(x, y)| if x == y { Some(false) } else { (y - x == w).then_some(true) }).collect::<Option<Vec<_>>>()?;
        let id_shifts = a.ids.iter().zip(&b.ids).map(|(x, y)| id_shift(*x, *y)).collect::<Option<Vec<_>>>()?;
        let mut fast_id_shifts = Vec::with_capacity(a.fast.len());
        for (x, y) in a.fast.iter().zip(&b.fast) {
            if y.time_ms - x.time_ms != w || x.shape != y.shape {
                return None;
            }
            fast_id_shifts.push(x.ids.iter().zip(&y.ids).map(|(p, q)| id_shift(*p, *q)).collect::<Option<Vec<_>>>()?);
        }
        let end = a.now_ms + w;
        let slow_fired = slow_fired_between(a, b, end)?;
        let unclean_ok = a.unclean_ms + firings(a.unclean_ms, UNCLEAN_ELECTION_INTERVAL_MS, end) * UNCLEAN_ELECTION_INTERVAL_MS == b.unclean_ms;
        if !unclean_ok || rules.balance_at_after(a.balance_ms, end) != b.balance_ms {
            return None;
        }
        let (beats, beat_steps, beat_scheduled) = rules.beats_after(&a.beats, end)?;
        if beats != b.beats {
            return None;
        }
        let seq_per_window = (b.seq - a.seq).checked_sub(slow_fired + beat_scheduled)?;
        let steps_per_window = (b.steps - a.steps).checked_sub(slow_fired + beat_steps)?;
        Some(Plan { ids_per_window, seq_per_window, steps_per_window, time_shifts, id_shifts, fast_id_shifts })
    }
}

/// The slow timers' firings in the window (`a` to `b`, ending at `end`): None unless each went
/// where its own period puts it.
fn slow_fired_between(a: &Snap, b: &Snap, end: i64) -> Option<u64> {
    let mut fired = 0;
    for (x, y) in a.slow.iter().zip(&b.slow) {
        let n = firings(x.time_ms, x.period_ms, end);
        if x.key != y.key || x.time_ms + n * x.period_ms != y.time_ms {
            return None;
        }
        fired += n as u64;
    }
    Some(fired)
}

/// What a queued event is to the skip, None if it is no idle traffic.
fn role(c: &Cluster, ev: &Ev) -> Option<Role> {
    let fast = |delay_ms, parent_delay_ms| Some(Role::Fast { delay_ms, parent_delay_ms });
    match ev {
        Ev::BrokerHeartbeat { .. } | Ev::Deliver { msg: Msg::Heartbeat { .. }, .. } => Some(Role::Beat),
        Ev::ControllerTick => fast(CONTROLLER_TICK_MS, CONTROLLER_TICK_MS),
        Ev::FetchExpire { .. } => fast(REPLICA_FETCH_WAIT_MAX_MS, NET_LATENCY_MS),
        Ev::FollowerFetchTimeout { .. } => fast(REPLICA_FETCH_TIMEOUT_MS, NET_LATENCY_MS),
        Ev::Deliver { msg: Msg::Fetch { .. }, .. } => fast(NET_LATENCY_MS, NET_LATENCY_MS),
        Ev::Deliver { msg: Msg::FetchResp { .. }, .. } => fast(NET_LATENCY_MS, REPLICA_FETCH_WAIT_MAX_MS),
        // A broker's timer re-arms only in the incarnation that set it: a stale one fires
        // once more, then is gone (not a periodic timer: the cluster is no candidate).
        Ev::BrokerIsrCheck { broker, incarnation } | Ev::LogCleanerWake { broker, incarnation } | Ev::LogRetentionCheck { broker, incarnation }
            if !c.broker_up(*broker) || c.brokers[broker].incarnation != *incarnation =>
        {
            None
        }
        Ev::BrokerIsrCheck { .. } => Some(Role::Slow { period_ms: REPLICA_LAG_TIME_MAX_MS / 2 }),
        Ev::LogCleanerWake { .. } => Some(Role::Slow { period_ms: c.cleaner_backoff_ms() }),
        Ev::LogRetentionCheck { .. } => Some(Role::Slow { period_ms: c.retention_check_interval_ms() }),
        Ev::Txn(super::txn::TxnEv::Tick) => Some(Role::Slow { period_ms: super::txn::TXN_ABORT_CHECK_INTERVAL_MS }),
        _ => None,
    }
    .filter(|r| !matches!(r, Role::Slow { period_ms } if *period_ms < 1))
}

/// Every timestamp and request id the idle traffic may move, in a fixed order.
fn visit_idle_fields(c: &mut Cluster, f: &mut dyn FnMut(Field<'_>)) {
    f(Field::Id(&mut c.next_id));
    if let Some(t) = &mut c.ctl.election_due_ms {
        f(Field::Time(t));
    }
    for b in c.brokers.values_mut() {
        for r in b.replicas.values_mut() {
            for fp in r.vol.followers.values_mut() {
                f(Field::Time(&mut fp.last_caught_up_ms));
                f(Field::Time(&mut fp.last_fetch_ms));
            }
            if let Some((_, t)) = &mut r.vol.pending_isr {
                f(Field::Time(t));
            }
        }
        for p in &mut b.parked_fetches {
            f(Field::Id(&mut p.fetch_id));
        }
        for fe in b.fetchers.values_mut() {
            fe.parts.values_mut().for_each(|t| f(Field::Time(t)));
            if let Some((id, _)) = &mut fe.in_flight {
                f(Field::Id(id));
            }
            for t in [&mut fe.backoff_until_ms, &mut fe.slow_until_ms].into_iter().flatten() {
                f(Field::Time(t));
            }
        }
        if let Some(t) = &mut b.shutdown_deadline_ms {
            f(Field::Time(t));
        }
        for p in b.purgatory.values_mut().flatten() {
            f(Field::Time(&mut p.append_time));
        }
    }
}

/// Everything else the idle traffic must leave as it is, hashed.
fn idle_shape(c: &Cluster) -> u64 {
    let mut s = String::new();
    let ctl = &c.ctl;
    let _ = write!(s, "{:?}{:?}{}{:?}{:?}", ctl.active, ctl.voters, ctl.version, ctl.dynamic_broker_configs, ctl.per_broker_configs);
    for (id, r) in &ctl.regs {
        let _ = write!(s, "|r{id} {} {} {}", r.incarnation, r.fenced, r.in_controlled_shutdown);
    }
    for b in c.brokers.values() {
        broker_shape(&mut s, b);
    }
    let _ = write!(s, "|{:?}|{:?}|{:?}|{:?}", c.rng, c.producers.keys().collect::<Vec<_>>(), c.consumers.keys().collect::<Vec<_>>(), c.apps.keys().collect::<Vec<_>>());
    let _ = write!(s, "|{:?}|{:?}|{:?}", c.groups, c.txns, c.cleaner);
    let ledger: usize = c.ledger.values().map(Vec::len).sum();
    let _ = write!(s, "|{} {} {} {:?} {} {} {}", c.events.len(), c.events.dropped, c.violations.len(), c.unclean_tainted, ledger, c.instant_overflows(), c.budget.log_bytes);
    hash(&s)
}

/// A broker's part of [`idle_shape`]: its process, replicas, parked fetches, fetchers, purgatory.
fn broker_shape(s: &mut String, b: &Broker) {
    let _ = write!(s, "|b{} {:?} {} {} {} {} {}", b.id, b.process, b.isolated, b.incarnation, b.view_version, b.slow_ms, b.view.len());
    for (tp, r) in &b.replicas {
        let (l, v) = (&r.log, &r.vol);
        let _ = write!(s, "|{tp:?} {} {} {} {} {:?} {:?}", l.log_start_offset, l.log_end_offset, l.high_watermark, l.segments.len(), l.epochs, l.cleaner_checkpoint);
        let _ = write!(s, " {} {} {} {:?} {:?}", v.leader_epoch, v.is_leader, v.epoch_start_offset, v.pending_isr.as_ref().map(|p| &p.0), v.truncated_for_epoch);
        for (f, fp) in &v.followers {
            let _ = write!(s, " f{f} {} {}", fp.leo, fp.last_fetch_leader_leo);
        }
    }
    for p in &b.parked_fetches {
        let _ = write!(s, "|p{} {:?}", p.follower, p.parts);
    }
    for (l, fe) in &b.fetchers {
        let _ = write!(s, "|F{l} {:?} {:?}", fe.parts.keys().collect::<Vec<_>>(), fe.in_flight.as_ref().map(|x| &x.1));
    }
    let _ = write!(s, "|q{:?}", b.purgatory.values().map(Vec::len).collect::<Vec<_>>());
}

/// The queue's entries by role: the fast ones and the slow timers as the snapshot keeps them,
/// the heartbeat entries for [`beats`]. None if an entry is no idle traffic.
fn queue_entries(c: &Cluster) -> Option<(Vec<FastEntry>, Vec<SlowEntry>, Vec<(i64, Ev)>)> {
    let mut entries: Vec<(u64, i64, &Ev)> = c.queue.iter().map(|Reverse(s)| (s.seq, s.time_ms, &s.ev)).collect();
    entries.sort_unstable_by_key(|e| e.0);
    let (mut fast, mut slow, mut beat_entries) = (Vec::new(), Vec::new(), Vec::new());
    for (_, time_ms, ev) in entries {
        match role(c, ev)? {
            Role::Fast { .. } => {
                let mut ev = ev.clone();
                let ids = ev_ids(&mut ev).into_iter().map(|x| *x).collect();
                fast.push(FastEntry { time_ms, shape: ev_shape(&ev), ids });
            }
            Role::Slow { period_ms } => slow.push(SlowEntry { key: format!("{ev:?}"), time_ms, period_ms }),
            Role::Beat => beat_entries.push((time_ms, ev.clone())),
        }
    }
    slow.sort_by(|a, b| a.key.cmp(&b.key));
    Some((fast, slow, beat_entries))
}

impl Snap {
    /// The cluster as the skip compares it, None if it is no candidate (no active controller,
    /// something due now, or queued work that is no idle traffic).
    fn take(c: &mut Cluster) -> Option<Snap> {
        if c.ctl.active.is_none() || c.next_event_time_ms().is_none_or(|t| t <= c.now_ms) {
            return None;
        }
        let (fast, slow, beat_entries) = queue_entries(c)?;
        let beats = beats(c, beat_entries)?;
        let (mut times, mut ids) = (Vec::new(), Vec::new());
        visit_idle_fields(c, &mut |f| match f {
            Field::Time(t) => times.push(*t),
            Field::Id(x) => ids.push(*x),
        });
        Some(Snap {
            now_ms: c.now_ms,
            seq: c.seq,
            steps: c.steps,
            next_id: c.next_id,
            shape: idle_shape(c),
            times,
            ids,
            fast,
            slow,
            unclean_ms: c.ctl.next_unclean_check_ms,
            balance_ms: c.ctl.balance_leaders_at_ms,
            beats,
        })
    }
}

/// Every registered broker's heartbeats, from its queued timer and heartbeat: None unless
/// each is its current incarnation's, at most one of each, the broker running.
fn beats(c: &Cluster, entries: Vec<(i64, Ev)>) -> Option<BTreeMap<BrokerId, Beat>> {
    let mut beats: BTreeMap<BrokerId, Beat> = c.ctl.regs.iter().map(|(id, r)| (*id, Beat { timer_ms: None, deliver_ms: None, last_ms: r.last_heartbeat_ms })).collect();
    for (time_ms, ev) in entries {
        let (b, slot) = match ev {
            Ev::BrokerHeartbeat { broker, incarnation } if c.brokers.get(&broker)?.incarnation == incarnation => (broker, 0),
            Ev::Deliver { from: Some(broker), from_incarnation, msg: Msg::Heartbeat { .. }, .. } if c.brokers.get(&broker)?.incarnation == from_incarnation => (broker, 1),
            _ => return None,
        };
        if c.brokers.get(&b)?.process != ProcessState::Running {
            return None;
        }
        let beat = beats.get_mut(&b)?;
        let at = if slot == 0 { &mut beat.timer_ms } else { &mut beat.deliver_ms };
        if at.replace(time_ms).is_some() {
            return None;
        }
    }
    Some(beats)
}

/// Whether broker `b`'s heartbeats reach the controller and only refresh its session (no
/// unfencing, no metadata to send, no new incarnation); None if they would do more.
fn beat_reaches(c: &Cluster, b: BrokerId) -> Option<bool> {
    let Some(ctl) = c.ctl.active else { return Some(false) };
    if !c.endpoint_ok(Some(b), Dest::Controller(ctl)) {
        return Some(false);
    }
    let (br, reg) = (c.brokers.get(&b)?, c.ctl.regs.get(&b)?);
    let quiet = reg.incarnation == br.incarnation && br.view_version == c.ctl.version && (!reg.fenced || reg.in_controlled_shutdown);
    quiet.then_some(true)
}

/// Partitions led by another than their preferred replica.
fn leaders_imbalanced(c: &Cluster) -> impl Iterator<Item = &PartitionMeta> {
    c.ctl.topics.values().flat_map(|t| t.partitions.iter()).filter(|pm| pm.leader != pm.replicas.first().copied())
}

/// Whether the automatic leader balance would move a leader (then it is no idle traffic).
fn balance_would_act(c: &Cluster) -> bool {
    leaders_imbalanced(c).any(|pm| pm.replicas.first().is_some_and(|p| pm.isr.contains(p) && c.broker_active(*p)))
}

/// The first instant (simulated ms) at which something real might happen while idle: a time
/// rule deleting a first segment, the cleaner finding a log newly cleanable, the leader
/// balance moving a leader, an open transaction timing out.
fn idle_horizon_ms(c: &Cluster) -> i64 {
    let mut horizon = i64::MAX;
    if balance_would_act(c) {
        horizon = c.ctl.balance_leaders_at_ms.unwrap_or(c.now_ms);
    }
    let cleaner = c.broker_bool("log.cleaner.enable");
    for (id, b) in c.brokers.iter().filter(|(id, _)| c.broker_up(**id)) {
        debug_assert_eq!(*id, b.id);
        for (tp, r) in &b.replicas {
            // Retention and the cleaner act on the settings the broker learned.
            let Some(settings) = b.topic_settings(tp.topic) else { continue };
            let mut due_wall_ms = retention_due_ms(&r.log, settings).unwrap_or(i64::MAX);
            if settings.cleanup_compact && cleaner {
                due_wall_ms = due_wall_ms.min(cleanable_due_ms(&r.log, settings).unwrap_or(i64::MAX));
            }
            horizon = horizon.min(due_wall_ms.saturating_sub(WALL_CLOCK_EPOCH_MS));
        }
    }
    for s in c.txns.coordinators.values().flat_map(|co| co.shards.values()) {
        for m in s.txns.values().filter(|m| m.state == super::txn::TransactionState::Ongoing) {
            horizon = horizon.min(m.start_ms.saturating_add(m.timeout_ms).saturating_add(1));
        }
    }
    horizon
}

/// A queue entry with the key that orders it among the others scheduled (see [`requeue`]).
type Keyed = ((i64, Reverse<i64>), Scheduled);

/// The queue moved `span_ms` on: fast entries shifted (ids by `ids`), slow timers to where
/// their periods put them (with how many firings that skipped), heartbeat entries by
/// (broker, time, is the heartbeat on the way) for [`beat_entries`].
fn shift_queue(c: &Cluster, old: Vec<Scheduled>, plan: &Plan, span_ms: i64, ids: u64, end: i64) -> (Vec<Keyed>, Vec<Keyed>, u64, BTreeMap<(BrokerId, i64, bool), Scheduled>) {
    let (mut fast, mut slow, mut slow_fired) = (Vec::new(), Vec::new(), 0u64);
    let (mut fast_i, mut beat_entries) = (0, BTreeMap::new());
    for mut s in old {
        let Some(r) = role(c, &s.ev) else { unreachable!("the snapshot saw only idle traffic") };
        match r {
            Role::Fast { delay_ms, parent_delay_ms } => {
                s.time_ms += span_ms;
                for (id, shift) in ev_ids(&mut s.ev).into_iter().zip(&plan.fast_id_shifts[fast_i]) {
                    *id += if *shift { ids } else { 0 };
                }
                fast_i += 1;
                fast.push(((s.time_ms - delay_ms, Reverse(parent_delay_ms)), s));
            }
            Role::Slow { period_ms } => {
                let n = firings(s.time_ms, period_ms, end);
                s.time_ms += n * period_ms;
                slow_fired += n as u64;
                slow.push(((s.time_ms - period_ms, Reverse(period_ms)), s));
            }
            Role::Beat => {
                let (broker, deliver) = match s.ev {
                    Ev::Deliver { from, .. } => (from.unwrap_or(0), true),
                    Ev::BrokerHeartbeat { broker, .. } => (broker, false),
                    _ => unreachable!("beats are heartbeat timers and heartbeats"),
                };
                beat_entries.insert((broker, s.time_ms, deliver), s);
            }
        }
    }
    (fast, slow, slow_fired, beat_entries)
}

/// Applies `windows` more windows of the periodic state at once (`b`: the snapshot after the
/// stepped window, `plan`: how one window moved it).
fn jump(c: &mut Cluster, b: &Snap, plan: &Plan, rules: &Rules, windows: i64) {
    let span_ms = windows * IDLE_WINDOW_MS;
    let ids = windows as u64 * plan.ids_per_window;
    let (mut ti, mut ii) = (0, 0);
    visit_idle_fields(c, &mut |f| match f {
        Field::Time(t) => {
            *t += if plan.time_shifts[ti] { span_ms } else { 0 };
            ti += 1;
        }
        Field::Id(x) => {
            *x += if plan.id_shifts[ii] { ids } else { 0 };
            ii += 1;
        }
    });
    let end = b.now_ms + span_ms;
    let mut old: Vec<Scheduled> = std::mem::take(&mut c.queue).into_iter().map(|Reverse(s)| s).collect();
    old.sort_unstable_by_key(|s| s.seq);
    let (fast, mut slow, slow_fired, mut queued_beats) = shift_queue(c, old, plan, span_ms, ids, end);
    let Some((beats, beat_steps, beat_scheduled)) = rules.beats_after(&b.beats, end) else {
        unreachable!("checked by the plan")
    };
    for (id, beat) in &beats {
        if let Some(reg) = c.ctl.regs.get_mut(id) {
            reg.last_heartbeat_ms = beat.last_ms;
        }
        slow.extend(beat_entries(c, *id, beat, &mut queued_beats));
    }
    let unclean = c.ctl.next_unclean_check_ms;
    c.ctl.next_unclean_check_ms = unclean + firings(unclean, UNCLEAN_ELECTION_INTERVAL_MS, end) * UNCLEAN_ELECTION_INTERVAL_MS;
    c.ctl.balance_leaders_at_ms = rules.balance_at_after(c.ctl.balance_leaders_at_ms, end);
    c.seq = b.seq + windows as u64 * plan.seq_per_window + slow_fired + beat_scheduled;
    c.steps = b.steps + windows as u64 * plan.steps_per_window + slow_fired + beat_steps;
    c.now_ms = end;
    c.instant_events = 0;
    c.idle.skipped_ms += span_ms;
    c.idle.jumps += 1;
    let total = fast.len() + slow.len();
    c.queue = requeue(fast, slow, c.seq - total as u64);
}

/// A broker's heartbeat timer and heartbeat on the way, as queue entries with their order
/// keys (both scheduled by the timer's last firing, the timer first): the queued ones where
/// they did not move, new ones otherwise.
fn beat_entries(c: &Cluster, b: BrokerId, beat: &Beat, queued: &mut BTreeMap<(BrokerId, i64, bool), Scheduled>) -> Vec<Keyed> {
    let mut out = Vec::new();
    let key = |t: i64| (t, Reverse(BROKER_HEARTBEAT_INTERVAL_MS));
    let Some(br) = c.brokers.get(&b) else { return out };
    if let Some(t) = beat.timer_ms {
        let ev = Ev::BrokerHeartbeat { broker: b, incarnation: br.incarnation };
        let s = queued.remove(&(b, t, false)).unwrap_or(Scheduled { time_ms: t, seq: 0, ev });
        out.push((key(t - BROKER_HEARTBEAT_INTERVAL_MS), s));
    }
    if let Some(t) = beat.deliver_ms {
        let queued_beat = queued.remove(&(b, t, true));
        // A heartbeat on the way reaches the active controller (the plan checked it).
        let s = queued_beat.or_else(|| {
            let ctl = c.ctl.active?;
            let msg = Msg::Heartbeat { broker: b, incarnation: br.incarnation, view_version: br.view_version };
            let ev = Ev::Deliver { from: Some(b), from_incarnation: br.incarnation, to: Dest::Controller(ctl), incarnation: c.brokers.get(&ctl)?.incarnation, msg };
            Some(Scheduled { time_ms: t, seq: 1, ev })
        });
        debug_assert!(s.is_some(), "a heartbeat on the way reaches the active controller");
        out.extend(s.map(|s| (key(t - NET_LATENCY_MS), s)));
    }
    out
}

/// The queue in the order step-by-step simulation gives it: the fast entries keep theirs; a
/// slow timer goes where its scheduling instant puts it (an event scheduled earlier has a
/// smaller sequence number; at one instant, the handler that itself waited longer ran first).
/// Sequence numbers are reassigned from `base_seq`, which only their order matters to.
fn requeue(fast: Vec<Keyed>, mut slow: Vec<Keyed>, base_seq: u64) -> BinaryHeap<Reverse<Scheduled>> {
    slow.sort_by_key(|(k, s)| (*k, s.seq));
    let mut order = Vec::with_capacity(fast.len() + slow.len());
    let mut slow = slow.into_iter().peekable();
    for (key, s) in fast {
        while let Some((_, x)) = slow.next_if(|(k, _)| *k < key) {
            order.push(x);
        }
        order.push(s);
    }
    order.extend(slow.map(|(_, x)| x));
    order
        .into_iter()
        .enumerate()
        .map(|(i, mut s)| {
            s.seq = base_seq + i as u64;
            Reverse(s)
        })
        .collect()
}

/// One attempt of the skip (the run loop's `Cluster::idle_skip`): snapshot, one window stepped
/// normally, snapshot, and the jump if the window repeated. False if the action's event budget
/// ran out in the window.
pub(crate) fn attempt(c: &mut Cluster, until_ms: i64, after_step: &mut impl FnMut(&mut Cluster)) -> bool {
    let Some(a) = Snap::take(c) else {
        c.idle.retry_at_ms = c.now_ms + IDLE_WINDOW_MS;
        return true;
    };
    let end = c.now_ms + IDLE_WINDOW_MS;
    c.idle.windows += 1;
    while let Some(t) = c.next_event_time_ms() {
        if t > end {
            break;
        }
        if !c.charge_event() {
            return false;
        }
        c.step();
        after_step(c);
    }
    c.now_ms = end;
    let Some(b) = Snap::take(c) else { return true };
    let rules = Rules::read(c);
    let Some(plan) = Plan::between(&a, &b, &rules) else { return true };
    let last_ms = until_ms.min(idle_horizon_ms(c).saturating_sub(1));
    let windows = (last_ms - end) / IDLE_WINDOW_MS;
    if windows >= 1 {
        jump(c, &b, &plan, &rules, windows);
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use crate::browser_test as test;

    const HB: i64 = BROKER_HEARTBEAT_INTERVAL_MS;

    /// The jump's heartbeat arithmetic: a timer firing at the window's end sends a heartbeat
    /// that is still on the way; the session is set by the last one that arrived.
    #[test]
    fn beat_after_leaves_the_last_heartbeat_on_the_way() {
        let beat = Beat { timer_ms: Some(1000), deliver_ms: None, last_ms: 0 };
        let end = 1000 + 3 * HB;
        let (after, steps, scheduled) = beat.after(true, end);
        assert_eq!(after.timer_ms, Some(end + HB), "four firings, the timer re-armed past the end");
        assert_eq!(after.deliver_ms, Some(end + NET_LATENCY_MS));
        assert_eq!(after.last_ms, 1000 + 2 * HB + NET_LATENCY_MS);
        assert_eq!((steps, scheduled), (4 + 3, 4 + 4));
    }

    /// A broker cut off from the controller keeps firing its timer, but no heartbeat arrives.
    #[test]
    fn beat_after_an_unreachable_controller_never_refreshes_the_session() {
        let beat = Beat { timer_ms: Some(1000), deliver_ms: Some(900), last_ms: 7 };
        let (after, steps, scheduled) = beat.after(false, 1000 + HB);
        assert_eq!((after.timer_ms, after.deliver_ms, after.last_ms), (Some(1000 + 2 * HB), None, 7));
        assert_eq!((steps, scheduled), (1 + 2, 2));
    }

    /// The rebuilt queue runs a slow timer where its scheduling instant puts it among the fast
    /// entries, with fresh sequence numbers in that order.
    #[test]
    fn requeue_puts_slow_timers_between_fast_entries_by_scheduling_instant() {
        let at = |time_ms, seq| Scheduled { time_ms, seq, ev: Ev::ControllerTick };
        let fast = vec![((10, Reverse(5)), at(20, 7)), ((30, Reverse(5)), at(40, 8))];
        let slow = vec![((20, Reverse(100)), at(120, 3))];
        let mut q = requeue(fast, slow, 100);
        let mut order = Vec::new();
        while let Some(Reverse(s)) = q.pop() {
            order.push((s.time_ms, s.seq));
        }
        assert_eq!(order, vec![(20, 100), (40, 102), (120, 101)]);
    }

    /// A timer due every `period` from `next` fires at `end` itself, never after it.
    #[test]
    fn firings_count_the_end_instant() {
        assert_eq!(firings(100, 50, 99), 0);
        assert_eq!(firings(100, 50, 100), 1);
        assert_eq!(firings(100, 50, 249), 3);
        assert_eq!(firings(100, 50, 250), 4);
    }
}
