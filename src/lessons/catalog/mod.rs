//! The lessons, in the order the learner meets them. Each file holds a few lessons as `static`
//! data; [`LESSONS`] lists them all. The Kafka introduction the lessons follow has its commands
//! used verbatim (`/app/confluent/bin/kafka-topics ...`, `kafkacat -b localhost:9092 -t compacted
//! -e`), but no lesson assumes the learner has read it: each stands on its own. Every step has at
//! least one near miss ([`WrongPath`]) that `--verify` checks its goal refuses.

mod basics;
mod challenges;
mod durability;
mod offsets;
mod storage;

use super::{Action, Command, Lesson, WrongPath};
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

pub(crate) const fn wrong(what: &'static str, inputs: &'static [Action]) -> WrongPath {
    WrongPath { what, inputs }
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
