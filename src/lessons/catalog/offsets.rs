//! Offsets: latest versus from the beginning, commit after processing, lag over many partitions,
//! resetting offsets, idempotence and exactly-once.

use super::{cmd, ctrl_c, eof, l, wait};
use crate::lessons::{Goal, Lesson, LookAt, Step};

const BILLING_CONSUMER: &str = "kafka-console-consumer --bootstrap-server localhost:9092 --topic billing --group billing-app";
const AUDIT_CONSUMER: &str =
    "kafka-console-consumer --bootstrap-server localhost:9092 --topic billing --group audit --from-beginning --max-messages 3 --consumer-property enable.auto.commit=false";

pub const OFFSETS: Lesson = Lesson {
    id: "offsets",
    title: "Offsets: where a consumer reads from",
    summary: "Latest versus --from-beginning, committed offsets, and committing only after the work is done.",
    challenge: false,
    brokers: 3,
    setup: &[
        l(1, "kafka-topics --bootstrap-server localhost:9092 --create --topic billing --partitions 1 --replication-factor 3"),
        l(1, "printf 'invoice 1\\ninvoice 2\\ninvoice 3\\ninvoice 4\\ninvoice 5\\n' | kafka-console-producer --bootstrap-server localhost:9092 --topic billing"),
    ],
    steps: &[
        Step {
            title: "By default: only what comes next",
            narrative: &[
                "The log is immutable: producers always append at the end, and each record keeps its offset forever. Where a consumer starts is its own choice. This lesson starts with five invoices in `billing`.",
                "A new group has no committed offset, so the consumer applies `auto.offset.reset`, which is `latest` by default: it starts at the end and sees only records written from now on. Start a consumer in group `billing-app` in terminal 2, then produce `invoice 6` from terminal 1.",
            ],
            commands: &[cmd(2, BILLING_CONSUMER), cmd(1, "echo 'invoice 6' | kafka-console-producer --bootstrap-server localhost:9092 --topic billing")],
            look_at: &[LookAt::Terminal(2), LookAt::Group("billing-app")],
            goal: Goal::All(&[Goal::Output { term: 2, text: "invoice 6" }, Goal::Not(&Goal::Output { term: 2, text: "invoice 1" })]),
            hints: &["Wait until the consumer has joined (a few seconds) before producing, or the new invoice is already \"old\" for it."],
            solution: &[l(2, BILLING_CONSUMER), wait(6_000), l(1, "echo 'invoice 6' | kafka-console-producer --bootstrap-server localhost:9092 --topic billing"), wait(2_000)],
        },
        Step {
            title: "Committed offsets",
            narrative: &[
                "Stop the consumer with Ctrl-C. On the way out it commits its position: the offset of the next record it would read. Describe the group: CURRENT-OFFSET is that commit, LOG-END-OFFSET the end of the partition, LAG the difference.",
            ],
            commands: &[cmd(1, "kafka-consumer-groups --bootstrap-server localhost:9092 --describe --group billing-app")],
            look_at: &[LookAt::Group("billing-app")],
            goal: Goal::All(&[Goal::CommittedAtLeast { group: "billing-app", topic: "billing", sum: 6 }, Goal::Output { term: 1, text: "LOG-END-OFFSET" }]),
            hints: &["Press Ctrl-C in terminal 2 first."],
            solution: &[ctrl_c(2), wait(1_000), l(1, "kafka-consumer-groups --bootstrap-server localhost:9092 --describe --group billing-app")],
        },
        Step {
            title: "--from-beginning is for new groups",
            narrative: &[
                "`--from-beginning` sets `auto.offset.reset=earliest`, which applies only when the group has no committed offset. `billing-app` has one, so even with `--from-beginning` it carries on where it stopped. Produce `invoice 7` and read one record: you get invoice 7, not invoice 1. A consumer without a group, as in the first lessons, always starts afresh.",
            ],
            commands: &[
                cmd(1, "echo 'invoice 7' | kafka-console-producer --bootstrap-server localhost:9092 --topic billing"),
                cmd(1, "kafka-console-consumer --bootstrap-server localhost:9092 --topic billing --group billing-app --from-beginning --max-messages 1"),
            ],
            look_at: &[LookAt::Group("billing-app")],
            goal: Goal::All(&[Goal::Output { term: 1, text: "invoice 7" }, Goal::Not(&Goal::Output { term: 1, text: "invoice 1" })]),
            hints: &[],
            solution: &[
                l(1, "echo 'invoice 7' | kafka-console-producer --bootstrap-server localhost:9092 --topic billing"),
                l(1, "kafka-console-consumer --bootstrap-server localhost:9092 --topic billing --group billing-app --from-beginning --max-messages 1"),
                wait(5_000),
            ],
        },
        Step {
            title: "Commit after processing",
            narrative: &[
                "Reliable consumers follow one pattern: start from the last committed offset, read a record, perform its action (write to a database, send an email), and only when that succeeded commit the next offset. Then repeat. If the process dies between the action and the commit, the record is read again after the restart: at-least-once delivery, so actions should tolerate repeats.",
                "Play the crash: group `audit` reads three invoices with automatic commits switched off and never commits, as if it died before committing. Run it twice: both runs read the same three invoices, and the group's offsets stay empty.",
            ],
            commands: &[cmd(1, AUDIT_CONSUMER), cmd(1, "kafka-consumer-groups --bootstrap-server localhost:9092 --describe --group audit")],
            look_at: &[LookAt::Group("audit")],
            goal: Goal::All(&[Goal::RanTimes { pattern: "--group audit*enable.auto.commit=false", times: 2 }, Goal::GroupNoCommits { group: "audit" }]),
            hints: &[],
            solution: &[l(1, AUDIT_CONSUMER), wait(5_000), l(1, AUDIT_CONSUMER), wait(5_000), l(1, "kafka-consumer-groups --bootstrap-server localhost:9092 --describe --group audit")],
        },
        Step {
            title: "When to move on",
            narrative: &[
                "What if the action fails every time, say invoice 1 is malformed? A consumer that commits only after success retries it forever: consumption is stuck and lag grows behind it. The code has to decide when skipping is acceptable (often after sending the record to a dead-letter topic); most of the time the action is what needs fixing, so that data stays consistent.",
                "If you do decide to skip, move the group's committed offset past the record. The group must have no active members. Skip invoice 1 (offset 0) for `audit`:",
            ],
            commands: &[cmd(1, "kafka-consumer-groups --bootstrap-server localhost:9092 --group audit --reset-offsets --to-offset 1 --topic billing --execute")],
            look_at: &[LookAt::Group("audit")],
            goal: Goal::CommittedAtLeast { group: "audit", topic: "billing", sum: 1 },
            hints: &["Without `--execute` the tool only shows what it would do (a dry run)."],
            solution: &[l(1, "kafka-consumer-groups --bootstrap-server localhost:9092 --group audit --reset-offsets --to-offset 1 --topic billing --execute")],
        },
    ],
};

pub const LAG_AND_RESET: Lesson = Lesson {
    id: "lag-and-reset",
    title: "An offset per partition: lag and resets",
    summary: "A 600-partition topic has 600 offsets per group: describe lag, then check and update offsets with --reset-offsets.",
    challenge: false,
    brokers: 3,
    setup: &[
        l(1, "kafka-topics --bootstrap-server localhost:9092 --create --topic clicks --partitions 600 --replication-factor 1"),
        l(1, "kafka-producer-perf-test --topic clicks --num-records 20000 --record-size 100 --throughput -1 --producer-props bootstrap.servers=localhost:9092"),
    ],
    steps: &[
        Step {
            title: "Consume part of it",
            narrative: &[
                "This lesson starts with `clicks`: 600 partitions and 20000 records. A group does not have one offset per topic but one per partition, here 600, each committed separately. Read 5000 records with group `dashboard` and stop.",
            ],
            commands: &[cmd(1, "kafka-console-consumer --bootstrap-server localhost:9092 --topic clicks --group dashboard --from-beginning --max-messages 5000 > /dev/null")],
            look_at: &[LookAt::Group("dashboard")],
            goal: Goal::All(&[Goal::CommittedAtLeast { group: "dashboard", topic: "clicks", sum: 5000 }, Goal::LagAtLeast { group: "dashboard", topic: "clicks", lag: 1 }]),
            hints: &["`> /dev/null` spares you 5000 lines of random characters."],
            solution: &[l(1, "kafka-console-consumer --bootstrap-server localhost:9092 --topic clicks --group dashboard --from-beginning --max-messages 5000 > /dev/null"), wait(5_000)],
        },
        Step {
            title: "Lag, partition by partition",
            narrative: &[
                "Describe the group: one row per partition, each with its own CURRENT-OFFSET, LOG-END-OFFSET and LAG. To know whether a consumer keeps up you must watch all of them: a total can hide one stuck partition. Tools such as Burrow watch every partition's committed offset over time and alert on the ones that stop moving.",
            ],
            commands: &[cmd(1, "kafka-consumer-groups --bootstrap-server localhost:9092 --describe --group dashboard")],
            look_at: &[LookAt::Group("dashboard")],
            goal: Goal::Output { term: 1, text: "clicks" },
            hints: &[],
            solution: &[l(1, "kafka-consumer-groups --bootstrap-server localhost:9092 --describe --group dashboard")],
        },
        Step {
            title: "Check, then update",
            narrative: &[
                "`--reset-offsets` is the offset checker and updater. Without `--execute` it is a dry run: it prints the offsets it would set. Rewind `dashboard` to the start of every partition, first as a dry run, then for real, to reprocess everything.",
            ],
            commands: &[
                cmd(1, "kafka-consumer-groups --bootstrap-server localhost:9092 --group dashboard --reset-offsets --to-earliest --topic clicks --dry-run"),
                cmd(1, "kafka-consumer-groups --bootstrap-server localhost:9092 --group dashboard --reset-offsets --to-earliest --topic clicks --execute"),
            ],
            look_at: &[LookAt::Group("dashboard")],
            goal: Goal::CommittedAtMost { group: "dashboard", topic: "clicks", sum: 0 },
            hints: &[],
            solution: &[
                l(1, "kafka-consumer-groups --bootstrap-server localhost:9092 --group dashboard --reset-offsets --to-earliest --topic clicks --dry-run"),
                l(1, "kafka-consumer-groups --bootstrap-server localhost:9092 --group dashboard --reset-offsets --to-earliest --topic clicks --execute"),
            ],
        },
        Step {
            title: "Skip to the end",
            narrative: &[
                "The opposite move skips everything not yet read: `--to-latest`. Handy for a dashboard that only cares about now; a loss of data for anything else. Other scenarios: `--to-offset`, `--shift-by`, `--to-datetime`, `--by-duration`.",
            ],
            commands: &[cmd(1, "kafka-consumer-groups --bootstrap-server localhost:9092 --group dashboard --reset-offsets --to-latest --topic clicks --execute")],
            look_at: &[LookAt::Group("dashboard")],
            goal: Goal::LagAtMost { group: "dashboard", topic: "clicks", lag: 0 },
            hints: &[],
            solution: &[l(1, "kafka-consumer-groups --bootstrap-server localhost:9092 --group dashboard --reset-offsets --to-latest --topic clicks --execute")],
        },
    ],
};

const IDEMPOTENT_PRODUCER: &str = "kafka-console-producer --bootstrap-server localhost:9092 --topic transfers --producer-property enable.idempotence=true --producer-property acks=all";

pub const EXACTLY_ONCE: Lesson = Lesson {
    id: "exactly-once",
    title: "Idempotence and exactly-once",
    summary: "Why retries can duplicate records, how the idempotent producer prevents it, and what transactions add.",
    challenge: false,
    brokers: 3,
    setup: &[l(1, "kafka-topics --bootstrap-server localhost:9092 --create --topic transfers --replica-assignment 1:2:3 --config min.insync.replicas=2")],
    steps: &[
        Step {
            title: "Retries and duplicates",
            narrative: &[
                "A producer that gets no answer cannot know whether its write failed or only the answer got lost, so it retries. Without protection a retry can store the record twice. The idempotent producer (on by default since Kafka 3.0) gets a producer id from the cluster and numbers its batches per partition; the leader drops a batch whose number it has already written. Duplicates from retries become impossible, within one producer session.",
                "Write a few transfers with idempotence asked for explicitly.",
            ],
            commands: &[cmd(1, IDEMPOTENT_PRODUCER)],
            look_at: &[LookAt::Topic("transfers")],
            goal: Goal::All(&[Goal::Ran { pattern: "enable.idempotence=true" }, Goal::ValueExists { topic: "transfers", value: "transfer 3" }]),
            hints: &["Type `transfer 1`, `transfer 2`, `transfer 3`, then Ctrl-D."],
            solution: &[l(1, IDEMPOTENT_PRODUCER), l(1, "transfer 1"), l(1, "transfer 2"), l(1, "transfer 3"), eof(1)],
        },
        Step {
            title: "Through a leader crash",
            narrative: &[
                "Crash broker 1, the leader, and write again. The producer's requests time out and are retried against the new leader; each transfer is stored once.",
            ],
            commands: &[cmd(1, "sim crash 1"), cmd(1, IDEMPOTENT_PRODUCER)],
            look_at: &[LookAt::Broker(1), LookAt::Topic("transfers")],
            goal: Goal::All(&[Goal::BrokerDown { broker: 1 }, Goal::ValueExists { topic: "transfers", value: "transfer 4" }]),
            hints: &["Type `transfer 4`, then Ctrl-D."],
            solution: &[l(1, "sim crash 1"), wait(12_000), l(1, IDEMPOTENT_PRODUCER), l(1, "transfer 4"), eof(1)],
        },
        Step {
            title: "Transactions and read_committed",
            narrative: &[
                "Exactly-once goes one step further. A transactional producer writes to several partitions (and commits a consumer group's offsets) atomically: either all of it becomes visible or none. Consumers with `isolation.level=read_committed` skip records of aborted transactions. Kafka Streams uses this for exactly-once processing from Kafka to Kafka.",
                "It needs cooperation at both ends, and it stops at Kafka's edge: restoring data into an external system that may already hold some of it still needs idempotent writes there (upserts by key). Read the topic as a read_committed consumer.",
            ],
            commands: &[cmd(1, "kafka-console-consumer --bootstrap-server localhost:9092 --topic transfers --from-beginning --isolation-level read_committed --max-messages 4")],
            look_at: &[LookAt::Topic("transfers")],
            goal: Goal::All(&[Goal::Ran { pattern: "--isolation-level read_committed" }, Goal::Output { term: 1, text: "transfer 4" }]),
            hints: &[],
            solution: &[l(1, "kafka-console-consumer --bootstrap-server localhost:9092 --topic transfers --from-beginning --isolation-level read_committed --max-messages 4"), wait(3_000)],
        },
    ],
};
