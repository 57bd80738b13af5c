//! Challenges: a goal, hints, no walkthrough. Their solutions exist for `--verify` (and for a
//! learner who gives up and asks for them).

use super::{l, wait};
use crate::lessons::{Goal, Lesson, LookAt, Step};

pub const TWO_BROKERS_DOWN: Lesson = Lesson {
    id: "challenge-two-brokers-down",
    title: "Challenge: keep writing with two brokers down",
    summary: "Design a topic that keeps accepting safe writes while any two of five brokers are down.",
    challenge: true,
    brokers: 5,
    setup: &[],
    steps: &[Step {
        title: "Survive two failures",
        narrative: &[
            "You have five brokers. Create a topic `ledger` whose writes need at least two in-sync replicas (`min.insync.replicas` of 2 or more), take two brokers down (`sim crash` or `sim stop`), and get a write committed while they are down.",
        ],
        commands: &[],
        look_at: &[LookAt::Topic("ledger")],
        goal: Goal::All(&[
            Goal::Any(&[
                Goal::TopicConfig { topic: "ledger", key: "min.insync.replicas", value: "2" },
                Goal::TopicConfig { topic: "ledger", key: "min.insync.replicas", value: "3" },
            ]),
            Goal::BrokersDown { at_least: 2 },
            Goal::CommittedWithBrokersDown { topic: "ledger", down: 2 },
        ]),
        hints: &[
            "A write needs min.insync.replicas live in-sync replicas. How many replicas must the partition have so that enough are left after two failures?",
            "The cluster needs a few seconds to notice a crash; writes wait for it.",
        ],
        solution: &[
            l(1, "kafka-topics --bootstrap-server localhost:9092 --create --topic ledger --partitions 1 --replication-factor 5 --config min.insync.replicas=3"),
            l(1, "sim crash 4"),
            l(1, "sim crash 5"),
            wait(12_000),
            l(1, "echo 'entry 1' | kafka-console-producer --bootstrap-server localhost:9092 --topic ledger"),
            wait(2_000),
        ],
    }],
};

pub const STUCK_CONSUMER: Lesson = Lesson {
    id: "challenge-stuck-consumer",
    title: "Challenge: the stuck consumer",
    summary: "One group has stopped making progress. Find it and get it moving without losing a record.",
    challenge: true,
    brokers: 3,
    setup: &[
        l(1, "kafka-topics --bootstrap-server localhost:9092 --create --topic jobs --partitions 1 --replication-factor 3"),
        l(1, "printf 'job 1\\njob 2\\njob 3\\njob 4\\njob 5\\n' | kafka-console-producer --bootstrap-server localhost:9092 --topic jobs"),
        l(1, "kafka-console-consumer --bootstrap-server localhost:9092 --topic jobs --group workers --from-beginning --max-messages 5"),
        l(1, "kafka-console-consumer --bootstrap-server localhost:9092 --topic jobs --group reports --from-beginning --max-messages 5"),
        l(1, "printf 'job 6\\njob 7\\njob 8\\n' | kafka-console-producer --bootstrap-server localhost:9092 --topic jobs"),
        l(1, "kafka-console-consumer --bootstrap-server localhost:9092 --topic jobs --group reports --max-messages 3"),
        l(1, "clear"),
    ],
    steps: &[Step {
        title: "Find it, move it, lose nothing",
        narrative: &[
            "Jobs keep arriving in `jobs`, and two groups read them. One of them has stopped. Find which, and get it to process everything it missed, starting with the first job it has not done. Skipping to the end would lose jobs: don't.",
        ],
        commands: &[],
        look_at: &[LookAt::Topic("jobs")],
        goal: Goal::All(&[
            Goal::LagAtMost { group: "workers", topic: "jobs", lag: 0 },
            Goal::Output { term: 0, text: "job 6" },
            Goal::Not(&Goal::Ran { pattern: "--to-latest" }),
        ]),
        hints: &["`kafka-consumer-groups --describe --all-groups` shows the LAG of every group.", "A consumer in the stuck group resumes from its committed offset."],
        solution: &[
            l(1, "kafka-consumer-groups --bootstrap-server localhost:9092 --describe --all-groups"),
            l(2, "kafka-console-consumer --bootstrap-server localhost:9092 --topic jobs --group workers"),
            wait(10_000),
        ],
    }],
};

pub const REPLAY_YESTERDAY: Lesson = Lesson {
    id: "challenge-replay-yesterday",
    title: "Challenge: replay yesterday into a new view",
    summary: "A new service needs yesterday's sales and today's: build its view from the log.",
    challenge: true,
    brokers: 3,
    setup: &[
        l(1, "kafka-topics --bootstrap-server localhost:9092 --create --topic sales --partitions 1 --replication-factor 3"),
        l(1, "printf 'yesterday sale 1\\nyesterday sale 2\\n' | kafka-console-producer --bootstrap-server localhost:9092 --topic sales"),
        l(1, "sim advance 1d"),
        l(1, "printf 'today sale 1\\n' | kafka-console-producer --bootstrap-server localhost:9092 --topic sales"),
        l(1, "clear"),
    ],
    steps: &[Step {
        title: "Build `sales-v2.txt`",
        narrative: &[
            "The `sales` topic holds yesterday's sales and today's. A new version of the reporting service, consumer group `sales-v2`, needs all of them: fill the file `sales-v2.txt` with every sale, read through group `sales-v2` so that it can carry on from there tomorrow.",
        ],
        commands: &[],
        look_at: &[LookAt::Topic("sales"), LookAt::Group("sales-v2")],
        goal: Goal::All(&[
            Goal::FileContains { path: "sales-v2.txt", text: "yesterday sale 1" },
            Goal::FileContains { path: "sales-v2.txt", text: "today sale 1" },
            Goal::CommittedAtLeast { group: "sales-v2", topic: "sales", sum: 3 },
        ]),
        hints: &["A new group starts at the end unless told otherwise.", "`--reset-offsets --by-duration P1DT1H` or `--from-beginning` both work."],
        solution: &[
            l(1, "kafka-console-consumer --bootstrap-server localhost:9092 --topic sales --group sales-v2 --from-beginning --timeout-ms 5000 > sales-v2.txt"),
            wait(2_000),
        ],
    }],
};

const FAST_ACKS1: &str = "kafka-producer-perf-test --topic fragile --num-records 200000 --record-size 100 --throughput -1 --producer-props bootstrap.servers=localhost:9092 acks=1 &";

pub const ACKS_LOSS: Lesson = Lesson {
    id: "challenge-acks-loss",
    title: "Challenge: lose data with acks=1, then make it impossible",
    summary: "Make a leader acknowledge writes that are then thrown away; then set up a topic where that cannot happen.",
    challenge: true,
    brokers: 3,
    setup: &[],
    steps: &[
        Step {
            title: "Lose acknowledged writes",
            narrative: &[
                "Create a topic `fragile` with three replicas and write to it fast with `acks=1`: the leader answers as soon as the record is in its own log, before any follower has a copy. Then make the leader acknowledge records its followers never get, and lose them: when it comes back after a crash, it must throw away records its producer was told were written.",
            ],
            commands: &[],
            look_at: &[LookAt::Topic("fragile")],
            goal: Goal::WritesLost { topic: "fragile" },
            hints: &[
                "A producer in the background (`&` at the end of the line) keeps writing while you type other commands. `--replica-assignment 1:2:3` makes broker 1 the leader.",
                "Followers copy new records within a millisecond or two, so a crash in the middle of the stream rarely catches the leader ahead of them. Make them fall behind first: `sim isolate` cuts a broker off the network, while the producer still reaches the leader.",
                "With both followers cut off, the leader keeps acknowledging alone (acks=1 does not wait for anyone). Crash it, mend the network with `sim heal`, give the cluster 15 seconds to elect a follower, then `sim start` the old leader: it truncates its log to the new leader's.",
            ],
            solution: &[
                l(1, "kafka-topics --bootstrap-server localhost:9092 --create --topic fragile --replica-assignment 1:2:3"),
                l(1, FAST_ACKS1),
                l(1, "sim isolate 2"),
                l(1, "sim isolate 3"),
                wait(1_000),
                l(1, "sim crash 1"),
                l(1, "sim heal"),
                wait(15_000),
                l(1, "sim start 1"),
                wait(15_000),
            ],
        },
        Step {
            title: "Make it impossible",
            narrative: &[
                "Now create a topic `safe` where an acknowledged write survives the crash of any one broker, and prove it keeps committing writes while a broker is down.",
            ],
            commands: &[],
            look_at: &[LookAt::Topic("safe")],
            goal: Goal::All(&[
                Goal::Any(&[
                    Goal::TopicConfig { topic: "safe", key: "min.insync.replicas", value: "2" },
                    Goal::TopicConfig { topic: "safe", key: "min.insync.replicas", value: "3" },
                ]),
                Goal::ReplicationFactor { topic: "safe", factor: 3 },
                Goal::Not(&Goal::Ran { pattern: "--topic safe*acks=1" }),
                Goal::Not(&Goal::Ran { pattern: "--topic safe*acks=0" }),
                Goal::CommittedWithBrokersDown { topic: "safe", down: 1 },
            ]),
            hints: &["Two settings matter: one on the topic, one on the producer (whose default is already right)."],
            solution: &[
                l(1, "kafka-topics --bootstrap-server localhost:9092 --create --topic safe --replication-factor 3 --partitions 1 --config min.insync.replicas=2"),
                l(1, "sim crash 2"),
                wait(12_000),
                l(1, "kafka-producer-perf-test --topic safe --num-records 1000 --record-size 100 --throughput -1 --producer-props bootstrap.servers=localhost:9092 acks=all"),
                wait(2_000),
            ],
        },
    ],
};
