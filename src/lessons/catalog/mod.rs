//! The lessons, in the order the learner meets them. Each file holds a few lessons as `static`
//! data; [`LESSONS`] lists them all. The tutorial's commands are used verbatim where it has them
//! (`/app/confluent/bin/kafka-topics ...`, `kafkacat -b localhost:9092 -t compacted -e`); the
//! narrative is our own.

mod basics;
mod challenges;
mod durability;
mod offsets;
mod storage;

use super::{Action, Command, Lesson};
use crate::shell::TermId;

pub(crate) const fn l(term: TermId, text: &'static str) -> Action {
    Action::Line { term, text }
}

pub(crate) const fn eof(term: TermId) -> Action {
    Action::Eof { term }
}

pub(crate) const fn ctrl_c(term: TermId) -> Action {
    Action::Interrupt { term }
}

pub(crate) const fn wait(ms: u64) -> Action {
    Action::Wait { ms }
}

pub(crate) const fn cmd(term: TermId, line: &'static str) -> Command {
    Command { term, line }
}

/// Every lesson, in order (lessons first, then challenges).
pub static LESSONS: &[Lesson] = &[
    basics::LOG_NOT_QUEUE,
    basics::FIRST_TOPIC,
    basics::CONSUMER_GROUPS,
    basics::PARTITIONS,
    basics::KEYS,
    storage::COMPACTION,
    durability::REPLICATION,
    durability::ACKS,
    durability::MIN_ISR,
    offsets::OFFSETS,
    offsets::LAG_AND_RESET,
    offsets::EXACTLY_ONCE,
    storage::SCHEMAS,
    storage::GOLDEN_SOURCE,
    challenges::TWO_BROKERS_DOWN,
    challenges::STUCK_CONSUMER,
    challenges::REPLAY_YESTERDAY,
    challenges::ACKS_LOSS,
];
