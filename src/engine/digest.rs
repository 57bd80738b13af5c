//! `digest()`: xxh64 of a canonical encoding of the whole cluster state, to prove two runs (or a
//! native and a wasm run) are identical.

use super::cluster::*;
use super::log::{Batch, PartitionLog};
use twox_hash::XxHash64;
use std::hash::Hasher;

struct Enc(XxHash64);

impl Enc {
    fn u64(&mut self, v: u64) {
        self.0.write(&v.to_le_bytes());
    }
    fn i64(&mut self, v: i64) {
        self.u64(v as u64);
    }
    fn bytes(&mut self, b: &[u8]) {
        self.u64(b.len() as u64);
        self.0.write(b);
    }
    fn opt_bytes(&mut self, b: Option<&[u8]>) {
        match b {
            Some(b) => {
                self.u64(1);
                self.bytes(b);
            }
            None => self.u64(0),
        }
    }
    fn ids(&mut self, v: &[i32]) {
        self.u64(v.len() as u64);
        for x in v {
            self.i64(*x as i64);
        }
    }
}

/// A hash of the whole state: time, controller image, broker states, every replica's log
/// (every record's bytes), producers' pending work. The encoding's order is fixed: changing it
/// changes every golden digest.
pub(crate) fn digest_of(c: &Cluster) -> u64 {
    let mut e = Enc(XxHash64::with_seed(0));
    e.i64(c.now_ms);
    e.u64(c.seq);
    controller(&mut e, &c.ctl);
    for b in c.brokers.values() {
        broker(&mut e, b);
    }
    for id in c.producers.keys() {
        e.u64(*id as u64);
        e.u64(c.pending_sends(*id));
    }
    e.0.finish()
}

/// The controller's image: the active controller, topics with their configs and partitions,
/// broker registrations.
fn controller(e: &mut Enc, ctl: &Controller) {
    e.i64(ctl.active.map_or(-1, |a| a as i64));
    e.u64(ctl.version);
    e.i64(ctl.balance_leaders_at_ms.unwrap_or(-1));
    for t in ctl.topics.values() {
        e.bytes(t.name.as_bytes());
        e.bytes(t.id.as_bytes());
        for (k, v) in &t.configs {
            e.bytes(k.as_bytes());
            e.bytes(v.as_bytes());
        }
        for pm in &t.partitions {
            e.ids(&pm.replicas);
            e.ids(&pm.isr);
            e.i64(pm.leader.map_or(-1, |l| l as i64));
            e.i64(pm.leader_epoch as i64);
            e.i64(pm.partition_epoch as i64);
        }
    }
    for (id, r) in &ctl.regs {
        e.i64(*id as i64);
        e.u64(r.incarnation);
        e.u64(r.fenced as u64);
        e.i64(r.last_heartbeat_ms);
    }
}

/// One broker's process state and every replica's log.
fn broker(e: &mut Enc, b: &Broker) {
    e.i64(b.id as i64);
    e.u64(b.process as u64);
    e.u64(b.isolated as u64);
    e.u64(b.incarnation);
    e.u64(b.view_version);
    for (tp, r) in &b.replicas {
        e.u64(tp.topic as u64);
        e.i64(tp.partition as i64);
        log(e, &r.log);
    }
}

fn log(e: &mut Enc, log: &PartitionLog) {
    e.i64(log.log_start_offset);
    e.i64(log.log_end_offset);
    e.i64(log.high_watermark);
    e.i64(log.cleaner_checkpoint.unwrap_or(-1));
    for (ep, start) in &log.epochs {
        e.i64(*ep as i64);
        e.i64(*start);
    }
    for s in &log.segments {
        e.i64(s.base_offset);
        e.u64(s.size_bytes);
        for bt in &s.batches {
            batch(e, bt);
        }
    }
}

/// A batch's header and every record's bytes.
fn batch(e: &mut Enc, bt: &Batch) {
    e.i64(bt.base_offset);
    e.i64(bt.leader_epoch as i64);
    e.i64(bt.next_offset());
    e.i64(bt.delete_horizon_ms.unwrap_or(-1));
    let pi = &bt.data.producer;
    e.i64(pi.producer_id);
    e.i64(((pi.producer_epoch as i64) << 32) | (pi.base_sequence as u32 as i64));
    e.i64(pi.transactional as i64 | (pi.control.map_or(0, |c| c as i64 + 1) << 1));
    for rec in bt.records() {
        e.i64(rec.offset);
        e.i64(rec.timestamp_ms);
        e.opt_bytes(rec.key);
        e.opt_bytes(rec.value);
        for h in rec.headers {
            e.bytes(h.key.as_bytes());
            e.opt_bytes(h.value.as_deref());
        }
    }
}
