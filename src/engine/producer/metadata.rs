//! The producer's metadata cache as the producer node's own methods: a MetadataResponse updates
//! what the producer knows of topics and leaders, and records that waited for a topic go to the
//! accumulator, all through a [`Ctx`].

use super::super::error::{ErrorCode, KafkaError};
use super::super::ids::ProducerId;
use super::super::msg::{Dest, Msg, TopicAnswer};
use super::super::node::Ctx;
use super::state::{Producer, ProducerWarning, SendResult, TopicCache, Waiting};
use std::collections::VecDeque;

impl Producer {
    /// Asks any broker the client reaches for the topics the producer wants (unless a request is
    /// in flight and not yet timed out, or a retry's backoff runs); backs off when none is in
    /// reach.
    pub(super) fn request_metadata(&mut self, id: ProducerId, ctx: &mut Ctx) {
        let now = ctx.now_ms;
        let (timeout_ms, backoff_ms) = (self.config.request_timeout_ms, self.config.retry_backoff_ms);
        let due = self.metadata_inflight.is_none_or(|(_, sent)| now - sent >= timeout_ms) && now >= self.metadata_retry_at_ms;
        if self.metadata_wanted.is_empty() || !due {
            return;
        }
        let Some(b) = ctx.any_reachable() else {
            self.metadata_retry_at_ms = now + backoff_ms;
            return self.wake(id, now + backoff_ms.max(1), ctx);
        };
        let topics: Vec<String> = self.metadata_wanted.iter().cloned().collect();
        self.correlation_id += 1;
        let req_id = ctx.next_id();
        self.metadata_inflight = Some((req_id, now));
        ctx.send(None, Dest::Broker(b), Msg::MetadataReq { producer: id, req_id, topics });
        self.wake(id, now + timeout_ms.max(1), ctx);
    }

    /// Producer `id`'s MetadataResponse `req_id`: false when it answers no request in flight.
    pub(crate) fn on_metadata_answer(&mut self, id: ProducerId, req_id: u64, topics: Vec<TopicAnswer>, ctx: &mut Ctx) -> bool {
        if self.metadata_inflight.map(|m| m.0) != Some(req_id) {
            return false;
        }
        self.metadata_inflight = None;
        if self.cache_topics(topics) {
            self.metadata_retry_at_ms = ctx.now_ms + self.config.retry_backoff_ms;
            let at = self.metadata_retry_at_ms;
            self.wake(id, at, ctx);
        }
        // Records waiting for metadata of now-known topics get partitioned.
        let (ready, keep): (VecDeque<Waiting>, VecDeque<Waiting>) = std::mem::take(&mut self.waiting).into_iter().partition(|w| self.topics.contains_key(&w.record.topic));
        self.waiting = keep;
        for w in ready {
            let _ = self.accumulate(id, w.send_id, w.record, ctx);
        }
        debug_assert!(self.waiting.iter().all(|w| !self.topics.contains_key(&w.record.topic)), "no record waits for a known topic");
        true
    }

    /// Caches every topic answered without error; true when some topic needs asking again
    /// (a partition without leader, or a retriable error).
    fn cache_topics(&mut self, topics: Vec<TopicAnswer>) -> bool {
        let corr = self.correlation_id;
        let mut retry = false;
        for t in topics {
            match (t.error, t.index) {
                (None, None) => retry = true,
                (None, Some(index)) => {
                    let complete = t.leaders.iter().all(|l| l.is_some());
                    self.topics.insert(t.name.clone(), TopicCache { index, leaders: t.leaders });
                    if complete {
                        self.metadata_wanted.remove(&t.name);
                    } else {
                        retry = true;
                    }
                }
                (Some(e), _) => {
                    self.warnings.push(ProducerWarning::MetadataIssue { correlation_id: corr, topic: t.name.clone(), error: e });
                    if e == ErrorCode::INVALID_TOPIC_EXCEPTION {
                        self.fail_waiting_for_invalid_topic(&t.name);
                    } else {
                        retry = true;
                    }
                }
            }
        }
        retry
    }

    /// Fails the records waiting for an invalid topic right away.
    fn fail_waiting_for_invalid_topic(&mut self, name: &str) {
        let mut keep = VecDeque::new();
        for w in self.waiting.drain(..) {
            if w.record.topic == name {
                self.results.push_back((w.send_id, SendResult::Failed(KafkaError::new(ErrorCode::INVALID_TOPIC_EXCEPTION, format!("Invalid topics: [{name}]")))));
                self.pending -= 1;
            } else {
                keep.push_back(w);
            }
        }
        self.waiting = keep;
        self.metadata_wanted.remove(name);
    }
}
