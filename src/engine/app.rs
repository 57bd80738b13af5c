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
use super::consumer::state::{ConsumerConfig, ConsumerRecord, OffsetReset};
use super::ids::{ConsumerId, ProducerId, SendId};
use super::error::{ErrorCode, KResult, KafkaError};
use super::msg::Isolation;
use super::producer::state::{ProducerConfig, ProducerRecord, SendResult};
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

impl Cluster {
    /// `sim app start`: starts the app, or a new instance of a crashed one (same arguments).
    pub fn app_start(&mut self, spec: AppSpec) -> KResult<()> {
        let bad = |m: String| Err(KafkaError::new(ErrorCode::INVALID_REQUEST, m));
        if spec.name.is_empty() || spec.from.is_empty() || spec.to.is_empty() || spec.group.is_empty() {
            return bad("an app needs a name, --from, --to and --group".into());
        }
        if spec.from == spec.to {
            return bad("--from and --to must be different topics".into());
        }
        for t in [&spec.from, &spec.to] {
            if !self.ctl.by_name.contains_key(t.as_str()) {
                return Err(KafkaError::new(ErrorCode::UNKNOWN_TOPIC_OR_PARTITION, format!("Topic '{t}' does not exist.")));
            }
        }
        let instance = match self.apps.get(&spec.name) {
            Some(a) if !a.crashed && !matches!(a.phase, Phase::Dead(_)) => return bad(format!("app {} is already running (crash it first: sim app crash {})", spec.name, spec.name)),
            Some(a) if a.spec != spec => {
                return bad(format!(
                    "app {} was started with other arguments (--from {} --to {} --group {} --guarantee {})",
                    spec.name, a.spec.from, a.spec.to, a.spec.group, a.spec.guarantee.name()
                ))
            }
            Some(a) => a.instance + 1,
            None => {
                if self.apps.len() >= APPS_MAX {
                    return bad(format!("at most {APPS_MAX} apps"));
                }
                1
            }
        };
        let consumer = self.create_consumer(ConsumerConfig {
            group_id: Some(spec.group.clone()),
            client_id: format!("{}-{instance}", spec.name),
            auto_offset_reset: OffsetReset::Earliest,
            enable_auto_commit: false,
            isolation_level: Isolation::ReadCommitted,
            max_poll_records: 50,
            ..Default::default()
        })?;
        self.subscribe(consumer, &[spec.from.as_str()])?;
        let mut pc = ProducerConfig { client_id: format!("{}-{instance}", spec.name), ..Default::default() };
        if spec.guarantee == Guarantee::ExactlyOnce {
            pc.transactional_id = Some(spec.name.clone());
        }
        let producer = self.create_producer(pc)?;
        let phase = if spec.guarantee == Guarantee::ExactlyOnce {
            self.start_init_transactions(producer)?;
            Phase::Init
        } else {
            Phase::Idle
        };
        let (records_in, records_out) = self.apps.get(&spec.name).map_or((0, 0), |a| (a.records_in, a.records_out));
        let name = spec.name.clone();
        self.apps.insert(name.clone(), App { spec, instance, consumer: Some(consumer), producer: Some(producer), phase, crashed: false, records_in, records_out, txn_first: BTreeMap::new() });
        self.schedule(0, Ev::AppTick { name, instance });
        Ok(())
    }

    /// `sim app crash`: the app's process dies at once.
    pub fn app_crash(&mut self, name: &str) -> KResult<()> {
        let Some(a) = self.apps.get_mut(name) else {
            return Err(KafkaError::new(ErrorCode::INVALID_REQUEST, format!("no app named {name}")));
        };
        if a.crashed {
            return Ok(());
        }
        a.crashed = true;
        let (c, p) = (a.consumer.take(), a.producer.take());
        if let Some(c) = c {
            let _ = self.crash_consumer(c);
        }
        if let Some(p) = p {
            self.crash_producer(p);
        }
        Ok(())
    }

    /// `sim app list`, by name.
    pub fn app_list(&self) -> Vec<AppStatus> {
        self.apps
            .values()
            .map(|a| AppStatus {
                spec: a.spec.clone(),
                state: if a.crashed {
                    "crashed"
                } else {
                    match a.phase {
                        Phase::Init => "starting",
                        Phase::Dead(why) => why,
                        _ => "running",
                    }
                },
                instance: a.instance,
                records_in: a.records_in,
                records_out: a.records_out,
            })
            .collect()
    }

    pub(crate) fn app_tick(&mut self, name: &str, instance: u32) {
        let Some(a) = self.apps.get(name) else { return };
        if a.instance != instance || a.crashed || matches!(a.phase, Phase::Dead(_)) {
            return;
        }
        let (Some(c), Some(p)) = (a.consumer, a.producer) else { return };
        let phase = a.phase.clone();
        let spec = a.spec.clone();
        let next = self.app_step(name, &spec, c, p, phase);
        if let Some(a) = self.apps.get_mut(name) {
            a.phase = next;
        }
        self.schedule(APP_POLL_MS, Ev::AppTick { name: name.to_string(), instance });
    }

    fn app_offsets(records: &[ConsumerRecord]) -> BTreeMap<TopicPartition, i64> {
        let mut m = BTreeMap::new();
        for r in records {
            m.insert(TopicPartition { topic: r.topic.clone(), partition: r.partition }, r.offset + 1);
        }
        m
    }

    fn app_count(&mut self, name: &str, consumed: u64, produced: u64) {
        if let Some(a) = self.apps.get_mut(name) {
            a.records_in += consumed;
            a.records_out += produced;
        }
    }

    /// One poll-loop iteration of app `name` in `phase`: the phase it moves to.
    fn app_step(&mut self, name: &str, spec: &AppSpec, c: ConsumerId, p: ProducerId, phase: Phase) -> Phase {
        match phase {
            Phase::Dead(w) => Phase::Dead(w),
            Phase::Init => match self.take_transaction_result(p) {
                None => Phase::Init,
                Some(Ok(())) => Phase::Idle,
                Some(Err(e)) if e.code == ErrorCode::PRODUCER_FENCED => Phase::Dead("fenced"),
                Some(Err(_)) => Phase::Dead("failed"),
            },
            Phase::Idle => self.app_poll(name, spec, c, p),
            Phase::CommitFirst { commit, records } => match self.take_commit_result(c, commit) {
                None => Phase::CommitFirst { commit, records },
                Some(_) => {
                    // Committed (or not: at-most-once moves on either way).
                    let n = records.len() as u64;
                    for r in records {
                        let _ = self.send(p, r);
                    }
                    self.app_count(name, 0, n);
                    Phase::Idle
                }
            },
            Phase::Sending { sends, records, offsets } => self.app_sending(name, c, p, sends, records, offsets),
            Phase::CommitAfter { commit } => match self.take_commit_result(c, commit) {
                None => Phase::CommitAfter { commit },
                Some(_) => Phase::Idle,
            },
            Phase::TxnOffsets { .. } | Phase::TxnCommit { .. } | Phase::TxnAbort { .. } => self.app_txn_step(name, c, p, phase),
        }
    }

    /// Idle: poll, and hand what came to the guarantee's processing.
    fn app_poll(&mut self, name: &str, spec: &AppSpec, c: ConsumerId, p: ProducerId) -> Phase {
        let records = match self.poll(c) {
            Ok(r) => r,
            Err(_) => return Phase::Idle,
        };
        if records.is_empty() {
            return Phase::Idle;
        }
        let offsets = Self::app_offsets(&records);
        let out: Vec<ProducerRecord> = records.iter().map(|r| transform(r, &spec.to)).collect();
        let n = records.len() as u64;
        match spec.guarantee {
            Guarantee::AtMostOnce => match self.commit_tracked(c, offsets) {
                Ok(commit) => {
                    self.app_count(name, n, 0);
                    Phase::CommitFirst { commit, records: out }
                }
                Err(_) => Phase::Idle,
            },
            Guarantee::AtLeastOnce => {
                self.app_count(name, n, 0);
                let mut sends = BTreeSet::new();
                let mut map = BTreeMap::new();
                for r in out {
                    if let Ok(id) = self.send(p, r.clone()) {
                        sends.insert(id);
                        map.insert(id, r);
                    }
                }
                Phase::Sending { sends, records: map, offsets }
            }
            Guarantee::ExactlyOnce => self.app_process_in_transaction(name, &spec.group, p, &records, out, offsets),
        }
    }

    /// Exactly-once: the outputs and the consumed offsets go in one transaction.
    fn app_process_in_transaction(&mut self, name: &str, group: &str, p: ProducerId, records: &[ConsumerRecord], out: Vec<ProducerRecord>, offsets: BTreeMap<TopicPartition, i64>) -> Phase {
        if self.begin_transaction(p).is_err() {
            return self.app_txn_failed(p);
        }
        let mut first = BTreeMap::new();
        for r in records {
            first.entry(TopicPartition { topic: r.topic.clone(), partition: r.partition }).or_insert(r.offset);
        }
        if let Some(a) = self.apps.get_mut(name) {
            a.txn_first = first;
        }
        let n = records.len() as u64;
        self.app_count(name, n, 0);
        for r in out {
            let _ = self.send(p, r);
        }
        let offs: Vec<(TopicPartition, i64)> = offsets.into_iter().collect();
        match self.start_send_offsets_to_transaction(p, offs, group) {
            Ok(()) => Phase::TxnOffsets { count: n },
            Err(_) => self.app_txn_failed(p),
        }
    }

    /// At-least-once: collect the send results, resend failures, commit once all are delivered.
    fn app_sending(&mut self, name: &str, c: ConsumerId, p: ProducerId, mut sends: BTreeSet<SendId>, mut records: BTreeMap<SendId, ProducerRecord>, offsets: BTreeMap<TopicPartition, i64>) -> Phase {
        for (id, r) in self.take_send_results(p) {
            if !sends.remove(&id) {
                continue;
            }
            let rec = records.remove(&id);
            match r {
                SendResult::Delivered { .. } => self.app_count(name, 0, 1),
                SendResult::Failed(_) => {
                    // Send it again: at-least-once never gives up on a record.
                    if let Some(rec) = rec {
                        if let Ok(nid) = self.send(p, rec.clone()) {
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
        match self.commit_tracked(c, offsets) {
            Ok(commit) => Phase::CommitAfter { commit },
            Err(_) => Phase::Idle,
        }
    }

    /// Exactly-once after the records went out: offsets added, then commit (or abort and rewind).
    fn app_txn_step(&mut self, name: &str, c: ConsumerId, p: ProducerId, phase: Phase) -> Phase {
        let Some(result) = self.take_transaction_result(p) else { return phase };
        match (phase, result) {
            (_, Err(_)) => self.app_txn_failed(p),
            (Phase::TxnOffsets { count }, Ok(())) => match self.start_end_transaction(p, true) {
                Ok(()) => Phase::TxnCommit { count },
                Err(_) => self.app_txn_failed(p),
            },
            (Phase::TxnCommit { count }, Ok(())) => {
                self.app_count(name, 0, count);
                Phase::Idle
            }
            (Phase::TxnAbort { rewind }, Ok(())) => {
                // Process the aborted records again.
                for (tp, o) in rewind {
                    let _ = self.seek(c, &tp, o);
                }
                Phase::Idle
            }
            (other, Ok(())) => other,
        }
    }

    /// A transactional step failed: abort if the error allows it, otherwise the instance is done.
    fn app_txn_failed(&mut self, p: ProducerId) -> Phase {
        match self.transaction_client_state(p) {
            Some(TxnClientState::FatalError) | None => Phase::Dead("fenced"),
            _ => {
                let rewind = self.apps.values().find(|a| a.producer == Some(p)).map(|a| a.txn_first.clone()).unwrap_or_default();
                match self.start_end_transaction(p, false) {
                    Ok(()) => Phase::TxnAbort { rewind },
                    Err(_) => Phase::Dead("failed"),
                }
            }
        }
    }
}
