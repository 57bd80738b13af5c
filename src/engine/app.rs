//! Sandbox applications: a consume-transform-produce loop learners can start, watch and crash
//! (Kafka's CLI has no transactional producer). Each copies every record of `--from` to `--to`
//! with its value upper-cased and its key kept, as a consumer in `--group`, with one of three
//! delivery guarantees:
//!
//! - **at-most-once**: commit the polled records' offsets, then produce. A crash between the two
//!   loses the records (the restarted instance resumes after them).
//! - **at-least-once**: produce, wait for the acknowledgements, then commit. A crash between the
//!   two makes the restarted instance copy the records again: duplicates.
//! - **exactly-once**: a transactional producer (`transactional.id` = the app's name): begin,
//!   produce, `sendOffsetsToTransaction`, commit. A crash leaves an open transaction that the
//!   next instance's `initTransactions` aborts (fencing the old one); read_committed consumers
//!   of the output see each input record once.
//!
//! The app is a node of the simulation: it runs on its own timer (every [`APP_POLL_MS`]) with
//! the engine's asynchronous client calls, so a crash can land between any two steps.
//! `app_crash` kills it without closing anything (its consumer's session expires, its open
//! transaction stays open); `app_start` with the same name starts a new instance that resumes
//! from the group's committed offsets.

use std::collections::{BTreeMap, BTreeSet};
use super::assignor::TopicPartition;
use super::cluster::*;
use super::consumer::state::ConsumerRecord;
use super::ids::{ConsumerId, ProducerId, SendId};
use super::error::{ErrorCode, KResult};
use super::producer::state::{ProducerRecord, SendResult};
use super::txn::state::TxnClientState;

/// How often an app polls.
pub const APP_POLL_MS: i64 = 100;
/// Apps a cluster may run.
pub const APPS_MAX: usize = 16;

pub(crate) mod state;
pub use state::{AppSpec, AppStatus, Guarantee};
pub(crate) use state::*;

fn transform(r: &ConsumerRecord, to: &str) -> ProducerRecord {
    let value = r.value.as_ref().map(|v| v.to_ascii_uppercase());
    ProducerRecord { topic: to.to_string(), partition: None, key: r.key.clone(), value, headers: r.headers.clone(), timestamp_ms: None }
}

/// What a sandbox app drives: the client calls a program (or the shell's tools) makes, through
/// the Cluster's public client API. The router implements it ([`Cluster`]'s glue below); the
/// app's own decisions are [`App`]'s.
pub(crate) trait AppClients {
    fn poll(&mut self, c: ConsumerId) -> KResult<Vec<ConsumerRecord>>;
    fn seek(&mut self, c: ConsumerId, tp: &TopicPartition, offset: i64) -> KResult<()>;
    fn commit_tracked(&mut self, c: ConsumerId, offsets: BTreeMap<TopicPartition, i64>) -> KResult<u64>;
    fn take_commit_result(&mut self, c: ConsumerId, commit: u64) -> Option<KResult<()>>;
    fn send(&mut self, p: ProducerId, record: ProducerRecord) -> KResult<SendId>;
    fn take_send_results(&mut self, p: ProducerId) -> Vec<(SendId, SendResult)>;
    fn begin_transaction(&mut self, p: ProducerId) -> KResult<()>;
    fn start_send_offsets_to_transaction(&mut self, p: ProducerId, offsets: Vec<(TopicPartition, i64)>, group: &str) -> KResult<()>;
    fn start_end_transaction(&mut self, p: ProducerId, commit: bool) -> KResult<()>;
    fn take_transaction_result(&mut self, p: ProducerId) -> Option<KResult<()>>;
    fn transaction_client_state(&self, p: ProducerId) -> Option<TxnClientState>;
}

fn offsets_after(records: &[ConsumerRecord]) -> BTreeMap<TopicPartition, i64> {
    let mut m = BTreeMap::new();
    for r in records {
        m.insert(TopicPartition { topic: r.topic.clone(), partition: r.partition }, r.offset + 1);
    }
    m
}

impl App {
    /// Whether a tick of `instance` is this app's to run: the live instance, not crashed or done.
    pub(crate) fn ticks(&self, instance: u32) -> bool {
        self.instance == instance && !self.crashed && !matches!(self.phase, Phase::Dead(_))
    }

    /// The app's tick (every [`APP_POLL_MS`]): one poll-loop iteration. Returns the delay of the
    /// next tick, None once the app has no clients left.
    pub(crate) fn on_tick(&mut self, io: &mut dyn AppClients) -> Option<i64> {
        let (Some(c), Some(p)) = (self.consumer, self.producer) else { return None };
        debug_assert!(!self.crashed, "a crashed app never ticks");
        let phase = std::mem::replace(&mut self.phase, Phase::Idle);
        self.phase = self.step(io, c, p, phase);
        debug_assert!(self.records_out <= self.records_in, "an app acknowledges at most the records it consumed");
        Some(APP_POLL_MS)
    }

    fn count(&mut self, consumed: u64, produced: u64) {
        self.records_in += consumed;
        self.records_out += produced;
    }

    /// One poll-loop iteration in `phase`: the phase it moves to.
    fn step(&mut self, io: &mut dyn AppClients, c: ConsumerId, p: ProducerId, phase: Phase) -> Phase {
        match phase {
            Phase::Dead(w) => Phase::Dead(w),
            Phase::Init => match io.take_transaction_result(p) {
                None => Phase::Init,
                Some(Ok(())) => Phase::Idle,
                Some(Err(e)) if e.code == ErrorCode::PRODUCER_FENCED => Phase::Dead("fenced"),
                Some(Err(_)) => Phase::Dead("failed"),
            },
            Phase::Idle => self.poll(io, c, p),
            Phase::CommitFirst { commit, records } => match io.take_commit_result(c, commit) {
                None => Phase::CommitFirst { commit, records },
                Some(_) => {
                    // Committed (or not: at-most-once moves on either way).
                    let n = records.len() as u64;
                    for r in records {
                        let _ = io.send(p, r);
                    }
                    self.count(0, n);
                    Phase::Idle
                }
            },
            Phase::Sending { sends, records, offsets } => self.sending(io, c, p, sends, records, offsets),
            Phase::CommitAfter { commit } => match io.take_commit_result(c, commit) {
                None => Phase::CommitAfter { commit },
                Some(_) => Phase::Idle,
            },
            Phase::TxnOffsets { .. } | Phase::TxnCommit { .. } | Phase::TxnAbort { .. } => self.txn_step(io, c, p, phase),
        }
    }

    /// Idle: poll, and hand what came to the guarantee's processing.
    fn poll(&mut self, io: &mut dyn AppClients, c: ConsumerId, p: ProducerId) -> Phase {
        let records = match io.poll(c) {
            Ok(r) => r,
            Err(_) => return Phase::Idle,
        };
        if records.is_empty() {
            return Phase::Idle;
        }
        let offsets = offsets_after(&records);
        let out: Vec<ProducerRecord> = records.iter().map(|r| transform(r, &self.spec.to)).collect();
        let n = records.len() as u64;
        match self.spec.guarantee {
            Guarantee::AtMostOnce => match io.commit_tracked(c, offsets) {
                Ok(commit) => {
                    self.count(n, 0);
                    Phase::CommitFirst { commit, records: out }
                }
                Err(_) => Phase::Idle,
            },
            Guarantee::AtLeastOnce => {
                self.count(n, 0);
                let mut sends = BTreeSet::new();
                let mut map = BTreeMap::new();
                for r in out {
                    if let Ok(id) = io.send(p, r.clone()) {
                        sends.insert(id);
                        map.insert(id, r);
                    }
                }
                Phase::Sending { sends, records: map, offsets }
            }
            Guarantee::ExactlyOnce => self.process_in_transaction(io, p, &records, out, offsets),
        }
    }

    /// Exactly-once: the outputs and the consumed offsets go in one transaction.
    fn process_in_transaction(&mut self, io: &mut dyn AppClients, p: ProducerId, records: &[ConsumerRecord], out: Vec<ProducerRecord>, offsets: BTreeMap<TopicPartition, i64>) -> Phase {
        if io.begin_transaction(p).is_err() {
            return self.txn_failed(io, p);
        }
        let mut first = BTreeMap::new();
        for r in records {
            first.entry(TopicPartition { topic: r.topic.clone(), partition: r.partition }).or_insert(r.offset);
        }
        self.txn_first = first;
        let n = records.len() as u64;
        self.count(n, 0);
        for r in out {
            let _ = io.send(p, r);
        }
        let offs: Vec<(TopicPartition, i64)> = offsets.into_iter().collect();
        match io.start_send_offsets_to_transaction(p, offs, &self.spec.group) {
            Ok(()) => Phase::TxnOffsets { count: n },
            Err(_) => self.txn_failed(io, p),
        }
    }

    /// At-least-once: collect the send results, resend failures, commit once all are delivered.
    fn sending(&mut self, io: &mut dyn AppClients, c: ConsumerId, p: ProducerId, mut sends: BTreeSet<SendId>, mut records: BTreeMap<SendId, ProducerRecord>, offsets: BTreeMap<TopicPartition, i64>) -> Phase {
        for (id, r) in io.take_send_results(p) {
            if !sends.remove(&id) {
                continue;
            }
            let rec = records.remove(&id);
            match r {
                SendResult::Delivered { .. } => self.count(0, 1),
                SendResult::Failed(_) => {
                    // Send it again: at-least-once never gives up on a record.
                    if let Some(rec) = rec {
                        if let Ok(nid) = io.send(p, rec.clone()) {
                            sends.insert(nid);
                            records.insert(nid, rec);
                        }
                    }
                }
            }
        }
        if !sends.is_empty() {
            return Phase::Sending { sends, records, offsets };
        }
        match io.commit_tracked(c, offsets) {
            Ok(commit) => Phase::CommitAfter { commit },
            Err(_) => Phase::Idle,
        }
    }

    /// Exactly-once after the records went out: offsets added, then commit (or abort and rewind).
    fn txn_step(&mut self, io: &mut dyn AppClients, c: ConsumerId, p: ProducerId, phase: Phase) -> Phase {
        let Some(result) = io.take_transaction_result(p) else { return phase };
        match (phase, result) {
            (_, Err(_)) => self.txn_failed(io, p),
            (Phase::TxnOffsets { count }, Ok(())) => match io.start_end_transaction(p, true) {
                Ok(()) => Phase::TxnCommit { count },
                Err(_) => self.txn_failed(io, p),
            },
            (Phase::TxnCommit { count }, Ok(())) => {
                self.count(0, count);
                Phase::Idle
            }
            (Phase::TxnAbort { rewind }, Ok(())) => {
                // Process the aborted records again.
                for (tp, o) in rewind {
                    let _ = io.seek(c, &tp, o);
                }
                Phase::Idle
            }
            (other, Ok(())) => other,
        }
    }

    /// A transactional step failed: abort if the error allows it, otherwise the instance is done.
    fn txn_failed(&mut self, io: &mut dyn AppClients, p: ProducerId) -> Phase {
        match io.transaction_client_state(p) {
            Some(TxnClientState::FatalError) | None => Phase::Dead("fenced"),
            _ => match io.start_end_transaction(p, false) {
                Ok(()) => Phase::TxnAbort { rewind: self.txn_first.clone() },
                Err(_) => Phase::Dead("failed"),
            },
        }
    }

    /// Instance `instance` of `spec` with its clients, starting in `phase`; the counts go on from
    /// the `previous` instance's.
    pub(crate) fn start(spec: AppSpec, instance: u32, (consumer, producer): (ConsumerId, ProducerId), phase: Phase, previous: Option<&App>) -> App {
        let (records_in, records_out) = previous.map_or((0, 0), |a| (a.records_in, a.records_out));
        App { spec, instance, consumer: Some(consumer), producer: Some(producer), phase, crashed: false, records_in, records_out, txn_first: BTreeMap::new() }
    }

    /// The instance `spec` would start next after this app (same arguments, not running), or
    /// why it cannot start.
    pub(crate) fn next_instance(&self, spec: &AppSpec) -> Result<u32, String> {
        if !self.crashed && !matches!(self.phase, Phase::Dead(_)) {
            return Err(format!("app {} is already running (crash it first: sim app crash {})", spec.name, spec.name));
        }
        if self.spec != *spec {
            let a = &self.spec;
            return Err(format!("app {} was started with other arguments (--from {} --to {} --group {} --guarantee {})", spec.name, a.from, a.to, a.group, a.guarantee.name()));
        }
        Ok(self.instance + 1)
    }

    /// The process dies at once: its clients, to be crashed without closing anything.
    pub(crate) fn crash(&mut self) -> (Option<ConsumerId>, Option<ProducerId>) {
        if self.crashed {
            return (None, None);
        }
        self.crashed = true;
        (self.consumer.take(), self.producer.take())
    }

    /// The app's line in `sim app list`.
    pub(crate) fn status(&self) -> AppStatus {
        let state = match self.phase {
            _ if self.crashed => "crashed",
            Phase::Init => "starting",
            Phase::Dead(why) => why,
            _ => "running",
        };
        AppStatus { spec: self.spec.clone(), state, instance: self.instance, records_in: self.records_in, records_out: self.records_out }
    }
}

/// `spec`'s arguments as `sim app start` checks them before anything starts.
pub(crate) fn check_spec(spec: &AppSpec) -> Result<(), String> {
    if spec.name.is_empty() || spec.from.is_empty() || spec.to.is_empty() || spec.group.is_empty() {
        return Err("an app needs a name, --from, --to and --group".into());
    }
    if spec.from == spec.to {
        return Err("--from and --to must be different topics".into());
    }
    Ok(())
}

impl AppClients for Cluster {
    fn poll(&mut self, c: ConsumerId) -> KResult<Vec<ConsumerRecord>> {
        Cluster::poll(self, c)
    }
    fn seek(&mut self, c: ConsumerId, tp: &TopicPartition, offset: i64) -> KResult<()> {
        Cluster::seek(self, c, tp, offset)
    }
    fn commit_tracked(&mut self, c: ConsumerId, offsets: BTreeMap<TopicPartition, i64>) -> KResult<u64> {
        Cluster::commit_tracked(self, c, offsets)
    }
    fn take_commit_result(&mut self, c: ConsumerId, commit: u64) -> Option<KResult<()>> {
        Cluster::take_commit_result(self, c, commit)
    }
    fn send(&mut self, p: ProducerId, record: ProducerRecord) -> KResult<SendId> {
        Cluster::send(self, p, record)
    }
    fn take_send_results(&mut self, p: ProducerId) -> Vec<(SendId, SendResult)> {
        Cluster::take_send_results(self, p)
    }
    fn begin_transaction(&mut self, p: ProducerId) -> KResult<()> {
        Cluster::begin_transaction(self, p)
    }
    fn start_send_offsets_to_transaction(&mut self, p: ProducerId, offsets: Vec<(TopicPartition, i64)>, group: &str) -> KResult<()> {
        Cluster::start_send_offsets_to_transaction(self, p, offsets, group)
    }
    fn start_end_transaction(&mut self, p: ProducerId, commit: bool) -> KResult<()> {
        Cluster::start_end_transaction(self, p, commit)
    }
    fn take_transaction_result(&mut self, p: ProducerId) -> Option<KResult<()>> {
        Cluster::take_transaction_result(self, p)
    }
    fn transaction_client_state(&self, p: ProducerId) -> Option<TxnClientState> {
        Cluster::transaction_client_state(self, p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use crate::browser_test as test;

    fn spec(guarantee: Guarantee) -> AppSpec {
        AppSpec { name: "upper".into(), from: "in".into(), to: "out".into(), group: "g".into(), guarantee }
    }

    /// `sim app start` of a running app is refused; a crashed one restarts as the next
    /// instance, only with the same arguments, and its counts go on.
    #[test]
    fn an_app_restarts_only_after_a_crash_and_with_the_same_arguments() {
        let mut a = App::start(spec(Guarantee::AtLeastOnce), 1, (1, 2), Phase::Idle, None);
        a.records_in = 5;
        assert!(a.next_instance(&spec(Guarantee::AtLeastOnce)).unwrap_err().contains("already running"));
        assert_eq!(a.crash(), (Some(1), Some(2)));
        assert_eq!(a.crash(), (None, None), "a crashed app has no clients left to crash");
        assert!(a.next_instance(&spec(Guarantee::ExactlyOnce)).unwrap_err().contains("--guarantee at-least-once"));
        assert_eq!(a.next_instance(&spec(Guarantee::AtLeastOnce)), Ok(2));
        let b = App::start(spec(Guarantee::AtLeastOnce), 2, (3, 4), Phase::Idle, Some(&a));
        assert_eq!((b.status().records_in, b.status().state), (5, "running"));
        assert_eq!(a.status().state, "crashed");
    }

    /// A crashed app's pending tick does nothing, nor a tick of an older instance.
    #[test]
    fn only_the_live_instance_ticks() {
        let mut a = App::start(spec(Guarantee::ExactlyOnce), 3, (1, 2), Phase::Init, None);
        assert_eq!(a.status().state, "starting");
        assert!(a.ticks(3) && !a.ticks(2));
        a.crash();
        assert!(!a.ticks(3));
    }

    #[test]
    fn a_spec_needs_every_argument_and_two_topics() {
        assert!(check_spec(&spec(Guarantee::AtMostOnce)).is_ok());
        let same = AppSpec { to: "in".into(), ..spec(Guarantee::AtMostOnce) };
        assert_eq!(check_spec(&same).unwrap_err(), "--from and --to must be different topics");
        let nameless = AppSpec { name: String::new(), ..spec(Guarantee::AtMostOnce) };
        assert!(check_spec(&nameless).unwrap_err().starts_with("an app needs a name"));
    }
}
