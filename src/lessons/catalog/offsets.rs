//! Offsets: latest versus from the beginning, commit after processing, lag over many partitions,
//! resetting offsets, idempotence and exactly-once.

use super::{cmd, ctrl_c, eof, l, wait, wrong};
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
            goal_text: "The consumer of group `billing-app` in terminal 2 shows `invoice 6` and none of the older invoices.",
            goal: Goal::All(&[
                Goal::Say { goal: &Goal::Showed { pattern: "--group billing-app", text: "invoice 6" }, why: "The consumer of group `billing-app` has not shown `invoice 6` yet: start it in terminal 2, then produce `invoice 6` in terminal 1" },
                Goal::Never { goal: &Goal::Output { term: 2, text: "invoice 1" }, why: "Terminal 2 showed `invoice 1`: that consumer read from the beginning (`--from-beginning`), not from the end." },
            ]),
            hints: &["Start the consumer first, then produce: a consumer that joins after the record was written starts past it."],
            solution: &[l(2, BILLING_CONSUMER), wait(6_000), l(1, "echo 'invoice 6' | kafka-console-producer --bootstrap-server localhost:9092 --topic billing"), wait(2_000)],
            wrong: &[wrong("--from-beginning reads the old invoices too", &[
                l(2, "kafka-console-consumer --bootstrap-server localhost:9092 --topic billing --group billing-app --from-beginning"),
                wait(6_000),
                l(1, "echo 'invoice 6' | kafka-console-producer --bootstrap-server localhost:9092 --topic billing"),
                wait(2_000),
            ])],
        },
        Step {
            title: "Committed offsets",
            narrative: &[
                "Stop the consumer with Ctrl-C. On the way out it commits its position: the offset of the next record it would read. Describe the group: CURRENT-OFFSET is that commit, LOG-END-OFFSET the end of the partition, LAG the difference.",
            ],
            commands: &[cmd(1, "kafka-consumer-groups --bootstrap-server localhost:9092 --describe --group billing-app")],
            look_at: &[LookAt::Group("billing-app")],
            goal_text: "The consumer is stopped, and describing `billing-app` shows its committed offset.",
            goal: Goal::All(&[
                Goal::Say { goal: &Goal::GroupMembers { group: "billing-app", count: 0 }, why: "The consumer of `billing-app` still runs: press Ctrl-C in terminal 2" },
                Goal::CommittedAtLeast { group: "billing-app", topic: "billing", sum: 6 },
                Goal::Say { goal: &Goal::Showed { pattern: "kafka-consumer-groups*--describe*billing-app", text: "LOG-END-OFFSET" }, why: "Describe the group `billing-app` once the consumer has stopped" },
            ]),
            hints: &["Press Ctrl-C in terminal 2 first."],
            solution: &[ctrl_c(2), wait(1_000), l(1, "kafka-consumer-groups --bootstrap-server localhost:9092 --describe --group billing-app")],
            wrong: &[wrong("described while the consumer still runs", &[l(1, "kafka-consumer-groups --bootstrap-server localhost:9092 --describe --group billing-app")])],
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
            goal_text: "Group `billing-app`, even with `--from-beginning`, carries on at `invoice 7`.",
            goal: Goal::All(&[
                Goal::Say { goal: &Goal::Showed { pattern: "--group billing-app", text: "invoice 7" }, why: "No consumer of group `billing-app` has shown `invoice 7` yet: produce it, then read one record with the group" },
                Goal::Never { goal: &Goal::Output { term: 1, text: "invoice 1" }, why: "Terminal 1 showed `invoice 1`: that read did not use the group `billing-app` and its committed offset." },
            ]),
            hints: &["Produce first, then consume: a consumer started first waits for records, and lines you click then go into it, not to the shell (press Ctrl-C to get the prompt back)."],
            solution: &[
                l(1, "echo 'invoice 7' | kafka-console-producer --bootstrap-server localhost:9092 --topic billing"),
                l(1, "kafka-console-consumer --bootstrap-server localhost:9092 --topic billing --group billing-app --from-beginning --max-messages 1"),
                wait(5_000),
            ],
            wrong: &[wrong("a group-less consumer starts afresh", &[
                l(1, "echo 'invoice 7' | kafka-console-producer --bootstrap-server localhost:9092 --topic billing"),
                l(1, "kafka-console-consumer --bootstrap-server localhost:9092 --topic billing --from-beginning --max-messages 1"),
                wait(5_000),
            ])],
        },
        Step {
            title: "Commit after processing",
            narrative: &[
                "Reliable consumers follow one pattern: start from the last committed offset, read a record, perform its action (write to a database, send an email), and only when that succeeded commit the next offset. Then repeat. If the process dies between the action and the commit, the record is read again after the restart: at-least-once delivery, so actions should tolerate repeats.",
                "Play the crash: group `audit` reads three invoices with automatic commits switched off and never commits, as if it died before committing. Run it twice: both runs read the same three invoices, and the group's offsets stay empty.",
            ],
            commands: &[cmd(1, AUDIT_CONSUMER), cmd(1, "kafka-consumer-groups --bootstrap-server localhost:9092 --describe --group audit")],
            look_at: &[LookAt::Group("audit")],
            goal_text: "Group `audit` has read the same invoices twice without committing anything.",
            goal: Goal::All(&[
                Goal::RanTimes { pattern: "--group audit*enable.auto.commit=false", times: 2 },
                Goal::Never { goal: &Goal::CommittedAtLeast { group: "audit", topic: "billing", sum: 0 }, why: "Group `audit` has committed an offset: a run without `enable.auto.commit=false` committed on its way out." },
            ]),
            hints: &[],
            solution: &[l(1, AUDIT_CONSUMER), wait(5_000), l(1, AUDIT_CONSUMER), wait(5_000), l(1, "kafka-consumer-groups --bootstrap-server localhost:9092 --describe --group audit")],
            wrong: &[wrong("run once only", &[l(1, AUDIT_CONSUMER), wait(5_000), l(1, "kafka-consumer-groups --bootstrap-server localhost:9092 --describe --group audit")])],
        },
        Step {
            title: "When to move on",
            narrative: &[
                "What if the action fails every time, say invoice 1 is malformed? A consumer that commits only after success retries it forever: consumption is stuck and lag grows behind it. The code has to decide when skipping is acceptable (often after sending the record to a dead-letter topic); most of the time the action is what needs fixing, so that data stays consistent.",
                "If you do decide to skip, move the group's committed offset past the record. The group must have no active members. Skip invoice 1 (offset 0) for `audit`:",
            ],
            commands: &[cmd(1, "kafka-consumer-groups --bootstrap-server localhost:9092 --group audit --reset-offsets --to-offset 1 --topic billing --execute")],
            look_at: &[LookAt::Group("audit")],
            goal_text: "Group `audit` has committed offset 1 on `billing`: invoice 1 is skipped.",
            goal: Goal::CommittedAtLeast { group: "audit", topic: "billing", sum: 1 },
            hints: &["Without `--execute` the tool only shows what it would do (a dry run). Its table prints header and row on one line, as Kafka 3.9 does."],
            solution: &[l(1, "kafka-consumer-groups --bootstrap-server localhost:9092 --group audit --reset-offsets --to-offset 1 --topic billing --execute")],
            wrong: &[wrong("a dry run changes nothing", &[l(1, "kafka-consumer-groups --bootstrap-server localhost:9092 --group audit --reset-offsets --to-offset 1 --topic billing")])],
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
            goal_text: "Group `dashboard` has read (and committed) part of `clicks`, not all of it.",
            goal: Goal::All(&[Goal::CommittedAtLeast { group: "dashboard", topic: "clicks", sum: 5000 }, Goal::LagAtLeast { group: "dashboard", topic: "clicks", lag: 1 }]),
            hints: &["`> /dev/null` spares you 5000 lines of random characters."],
            solution: &[l(1, "kafka-console-consumer --bootstrap-server localhost:9092 --topic clicks --group dashboard --from-beginning --max-messages 5000 > /dev/null"), wait(5_000)],
            wrong: &[wrong("no --group: nothing is committed", &[l(1, "kafka-console-consumer --bootstrap-server localhost:9092 --topic clicks --from-beginning --max-messages 5000 > /dev/null"), wait(5_000)])],
        },
        Step {
            title: "Lag, partition by partition",
            narrative: &[
                "Describe the group: one row per partition, each with its own CURRENT-OFFSET, LOG-END-OFFSET and LAG. To know whether a consumer keeps up you must watch all of them: a total can hide one stuck partition. Tools such as Burrow watch every partition's committed offset over time and alert on the ones that stop moving.",
            ],
            commands: &[cmd(1, "kafka-consumer-groups --bootstrap-server localhost:9092 --describe --group dashboard")],
            look_at: &[LookAt::Group("dashboard")],
            goal_text: "Describe group `dashboard`: one row per partition of `clicks`.",
            goal: Goal::Say { goal: &Goal::Showed { pattern: "kafka-consumer-groups*--describe*--group dashboard", text: "clicks" }, why: "Describe the group `dashboard` (`--describe --group dashboard`)" },
            hints: &[],
            solution: &[l(1, "kafka-consumer-groups --bootstrap-server localhost:9092 --describe --group dashboard")],
            wrong: &[wrong("a misspelt group does not exist", &[l(1, "kafka-consumer-groups --bootstrap-server localhost:9092 --describe --group dashbaord")])],
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
            goal_text: "Group `dashboard` is rewound to the start of every partition.",
            goal: Goal::CommittedAtMost { group: "dashboard", topic: "clicks", sum: 0 },
            hints: &["A reset needs a scope: `--topic clicks` (or `--all-topics`)."],
            solution: &[
                l(1, "kafka-consumer-groups --bootstrap-server localhost:9092 --group dashboard --reset-offsets --to-earliest --topic clicks --dry-run"),
                l(1, "kafka-consumer-groups --bootstrap-server localhost:9092 --group dashboard --reset-offsets --to-earliest --topic clicks --execute"),
            ],
            wrong: &[
                wrong("the dry run only", &[l(1, "kafka-consumer-groups --bootstrap-server localhost:9092 --group dashboard --reset-offsets --to-earliest --topic clicks --dry-run")]),
                wrong("no --topic: no reset scope", &[l(1, "kafka-consumer-groups --bootstrap-server localhost:9092 --group dashboard --reset-offsets --to-earliest --execute")]),
            ],
        },
        Step {
            title: "Skip to the end",
            narrative: &[
                "The opposite move skips everything not yet read: `--to-latest`. Handy for a dashboard that only cares about now; a loss of data for anything else. Other scenarios: `--to-offset`, `--shift-by`, `--to-datetime`, `--by-duration`.",
            ],
            commands: &[cmd(1, "kafka-consumer-groups --bootstrap-server localhost:9092 --group dashboard --reset-offsets --to-latest --topic clicks --execute")],
            look_at: &[LookAt::Group("dashboard")],
            goal_text: "Group `dashboard` is moved to the end of every partition: no lag.",
            goal: Goal::LagAtMost { group: "dashboard", topic: "clicks", lag: 0 },
            hints: &[],
            solution: &[l(1, "kafka-consumer-groups --bootstrap-server localhost:9092 --group dashboard --reset-offsets --to-latest --topic clicks --execute")],
            wrong: &[wrong("the dry run only", &[l(1, "kafka-consumer-groups --bootstrap-server localhost:9092 --group dashboard --reset-offsets --to-latest --topic clicks")])],
        },
    ],
};

const IDEMPOTENT_PRODUCER: &str = "kafka-console-producer --bootstrap-server localhost:9092 --topic transfers --producer-property enable.idempotence=true --producer-property acks=all";
/// The same producer with requests that outlast the failover (the console producer's own
/// default, 1.5 s and 3 retries, gives up before the cluster fences a crashed broker after 9 s).
const PATIENT_PRODUCER: &str = "kafka-console-producer --bootstrap-server localhost:9092 --topic transfers --producer-property enable.idempotence=true --producer-property acks=all --request-timeout-ms 12000";
const READ_COMMITTED: &str = "kafka-console-consumer --bootstrap-server localhost:9092 --topic transfers --from-beginning --isolation-level read_committed";

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
            goal_text: "An idempotent producer (`enable.idempotence=true`) has written `transfer 1` to `transfer 3`.",
            goal: Goal::All(&[Goal::Ran { pattern: "enable.idempotence=true" }, Goal::ValueExists { topic: "transfers", value: "transfer 3" }]),
            hints: &["Type `transfer 1`, `transfer 2`, `transfer 3`, then Ctrl-D. Boolean settings take `true` or `false` only."],
            solution: &[l(1, IDEMPOTENT_PRODUCER), l(1, "transfer 1"), l(1, "transfer 2"), l(1, "transfer 3"), eof(1)],
            wrong: &[wrong("`enable.idempotence=yes` is not a boolean", &[
                l(1, "kafka-console-producer --bootstrap-server localhost:9092 --topic transfers --producer-property enable.idempotence=yes"),
                l(1, "transfer 1"),
                l(1, "transfer 2"),
                l(1, "transfer 3"),
                eof(1),
            ])],
        },
        Step {
            title: "Through a leader crash",
            narrative: &[
                "Crash broker 1, the leader, and write `transfer 4` at once. The cluster notices the crash only when the broker's session times out (`broker.session.timeout.ms`, 9 seconds); until then the producer's requests to broker 1 go unanswered. The console producer normally gives up after 3 tries of 1.5 s, too soon, so this command gives each request 12 seconds (`--request-timeout-ms 12000`): the retry reaches the new leader, and the transfer is stored once.",
                "A Java application's producer needs no such flag: it keeps retrying for two minutes by default (`delivery.timeout.ms`). Idempotence is what makes all those retries safe.",
            ],
            commands: &[cmd(1, "sim crash 1"), cmd(1, PATIENT_PRODUCER)],
            look_at: &[LookAt::Broker(1), LookAt::Topic("transfers")],
            goal_text: "With broker 1 down, `transfer 4` is written successfully, and stored exactly once.",
            goal: Goal::All(&[
                Goal::BrokerDown { broker: 1 },
                Goal::WroteOk { topic: "transfers" },
                Goal::ValueOnce { topic: "transfers", value: "transfer 4" },
            ]),
            hints: &["Type `transfer 4`, then Ctrl-D, and give it up to 20 seconds."],
            solution: &[l(1, "sim crash 1"), l(1, PATIENT_PRODUCER), l(1, "transfer 4"), eof(1), wait(2_000)],
            wrong: &[wrong("the console producer's defaults give up before the failover", &[l(1, "sim crash 1"), l(1, IDEMPOTENT_PRODUCER), l(1, "transfer 4"), eof(1)])],
        },
        Step {
            title: "Transactions and read_committed",
            narrative: &[
                "Exactly-once goes one step further. A transactional producer writes to several partitions (and commits a consumer group's offsets) atomically: either all of it becomes visible or none. Consumers with `isolation.level=read_committed` skip records of aborted transactions. Kafka Streams uses this for exactly-once processing from Kafka to Kafka.",
                "It needs cooperation at both ends, and it stops at Kafka's edge: restoring data into an external system that may already hold some of it still needs idempotent writes there (upserts by key). Read the topic as a read_committed consumer; press Ctrl-C when you have seen the transfers. (The console producer writes no transactions, so here it reads the same records a plain consumer would.)",
            ],
            commands: &[cmd(1, READ_COMMITTED)],
            look_at: &[LookAt::Topic("transfers")],
            goal_text: "A `read_committed` consumer shows the transfers, `transfer 4` included.",
            goal: Goal::Say { goal: &Goal::Showed { pattern: "--isolation-level read_committed", text: "transfer 4" }, why: "No consumer with `--isolation-level read_committed` has shown `transfer 4` yet" },
            hints: &["The level is spelt with an underscore: `read_committed`."],
            solution: &[l(1, READ_COMMITTED), wait(3_000), ctrl_c(1)],
            wrong: &[wrong("`read-committed` with a hyphen is not a level", &[l(1, "kafka-console-consumer --bootstrap-server localhost:9092 --topic transfers --from-beginning --isolation-level read-committed"), wait(3_000), ctrl_c(1)])],
        },
    ],
};
