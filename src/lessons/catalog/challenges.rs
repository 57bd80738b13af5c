//! Challenges: a goal, hints, no walkthrough. Their solutions exist for `--verify` (and for a
//! learner who gives up and asks for them).

use super::{l, wait, wrong};
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
            "You have five brokers. Design a topic `ledger` whose acknowledged writes are always on at least two brokers (`min.insync.replicas` of 2 or more) and that keeps accepting writes while any two of the five brokers are down, whichever two. Then prove it: take two brokers down (`sim crash` or `sim stop`) and get a write committed while they are down.",
            "One thing no topic design can fix: the KRaft controller quorum. Brokers 1, 2 and 3 double as the controller voters, and a majority of them must be up. With two of them down there is no active controller: metadata is frozen, a crashed broker is never fenced, leaders never move, and writes stall whatever the topic. For your proof, take down brokers that leave the quorum its majority.",
        ],
        commands: &[],
        look_at: &[LookAt::Topic("ledger")],
        goal_text: "`ledger` survives any two broker failures by design, and a write was committed while two brokers were down.",
        goal: Goal::All(&[
            Goal::SurvivesFailures { topic: "ledger", failures: 2 },
            Goal::BrokersDown { at_least: 2 },
            Goal::ControllerActive,
            Goal::WroteOk { topic: "ledger" },
            Goal::CommittedWithBrokersDown { topic: "ledger", down: 2 },
        ]),
        hints: &[
            "A write needs min.insync.replicas live in-sync replicas. How many replicas must the partition have so that enough are left after any two failures?",
            "The cluster notices a crash only after the broker's session times out (9 s); a write sent before that waits for the dead broker and times out. Wait about 10 seconds after the crashes.",
            "`sim status` shows which brokers are controller voters and whether there is an active controller.",
        ],
        solution: &[
            l(1, "kafka-topics --bootstrap-server localhost:9092 --create --topic ledger --partitions 1 --replication-factor 5 --config min.insync.replicas=3"),
            l(1, "sim crash 4"),
            l(1, "sim crash 5"),
            wait(12_000),
            l(1, "echo 'entry 1' | kafka-console-producer --bootstrap-server localhost:9092 --topic ledger"),
            wait(2_000),
        ],
        wrong: &[
            wrong("two replicas that the two crashed brokers do not hold", &[
                l(1, "kafka-topics --bootstrap-server localhost:9092 --create --topic ledger --replica-assignment 3:1 --config min.insync.replicas=2"),
                l(1, "sim crash 4"),
                l(1, "sim crash 5"),
                wait(12_000),
                l(1, "echo 'entry 1' | kafka-console-producer --bootstrap-server localhost:9092 --topic ledger"),
                wait(2_000),
            ]),
            wrong("two controller voters crashed: no active controller", &[
                l(1, "kafka-topics --bootstrap-server localhost:9092 --create --topic ledger --partitions 1 --replication-factor 5 --config min.insync.replicas=3"),
                l(1, "sim crash 1"),
                l(1, "sim crash 2"),
                wait(12_000),
                l(1, "echo 'entry 1' | kafka-console-producer --bootstrap-server localhost:9092 --topic ledger"),
                wait(2_000),
            ]),
        ],
    }],
};

pub const STUCK_CONSUMER: Lesson = Lesson {
    id: "challenge-stuck-consumer",
    title: "Challenge: the stuck consumer",
    summary: "One group stopped early and missed jobs. Find it and get it to process them without losing a record.",
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
            "Jobs were written to `jobs` in two batches, and two consumer groups read them. No consumer runs right now, so both groups show no active members; but one group stopped before the second batch and has not processed it. Find which, and get it to process everything it missed, starting with the first job it has not done. Skipping jobs (moving its offset past them) would lose them: every missed job must be processed by that group.",
        ],
        commands: &[],
        look_at: &[LookAt::Topic("jobs")],
        goal_text: "The group that fell behind has processed every job it missed, and has caught up.",
        goal: Goal::Say {
            goal: &Goal::All(&[
                Goal::Showed { pattern: "--group workers", text: "job 6" },
                Goal::Showed { pattern: "--group workers", text: "job 7" },
                Goal::Showed { pattern: "--group workers", text: "job 8" },
                Goal::LagAtMost { group: "workers", topic: "jobs", lag: 0 },
            ]),
            why: "The group that fell behind has not processed every job it missed yet: a consumer in that group has to read them (and commit) itself. Skipped jobs do not count",
        },
        hints: &["`kafka-consumer-groups --describe --all-groups` shows the LAG of every group.", "A consumer in the stuck group resumes from its committed offset."],
        solution: &[
            l(1, "kafka-consumer-groups --bootstrap-server localhost:9092 --describe --all-groups"),
            l(2, "kafka-console-consumer --bootstrap-server localhost:9092 --topic jobs --group workers"),
            wait(10_000),
        ],
        wrong: &[
            wrong("skipping the missed jobs with --shift-by 3, then reading them without the group", &[
                l(1, "kafka-consumer-groups --bootstrap-server localhost:9092 --group workers --reset-offsets --shift-by 3 --topic jobs --execute"),
                l(1, "kafka-console-consumer --bootstrap-server localhost:9092 --topic jobs --from-beginning --max-messages 8"),
                wait(5_000),
            ]),
            wrong("the group that is not behind", &[l(2, "kafka-console-consumer --bootstrap-server localhost:9092 --topic jobs --group reports"), wait(10_000)]),
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
        goal_text: "`sales-v2.txt` holds yesterday's and today's sales, read through group `sales-v2`, which has committed its position.",
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
        wrong: &[wrong("a new group without --from-beginning starts at the end", &[
            l(1, "kafka-console-consumer --bootstrap-server localhost:9092 --topic sales --group sales-v2 --timeout-ms 5000 > sales-v2.txt"),
            wait(2_000),
        ])],
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
            goal_text: "A replica of `fragile` had to throw away records its leader had acknowledged.",
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
            wrong: &[wrong("a crash after the fast writer finished: the followers had everything", &[
                l(1, "kafka-topics --bootstrap-server localhost:9092 --create --topic fragile --replica-assignment 1:2:3"),
                l(1, FAST_ACKS1),
                wait(2_000),
                l(1, "sim crash 1"),
                wait(15_000),
                l(1, "sim start 1"),
                wait(15_000),
            ])],
        },
        Step {
            title: "Make it impossible",
            narrative: &[
                "Now create a topic `safe` where an acknowledged write survives the crash of any one broker, and prove it: with a broker down, write to it in a way that only counts a record as written once it is safe. Experiments along the way are fine; what counts is a successful safe write.",
            ],
            commands: &[],
            look_at: &[LookAt::Topic("safe")],
            goal_text: "`safe` keeps every acknowledged write on two brokers or more, and an acks=all write to it succeeded while a broker was down.",
            goal: Goal::All(&[
                Goal::SurvivesFailures { topic: "safe", failures: 1 },
                Goal::BrokersDown { at_least: 1 },
                Goal::WroteAcksAll { topic: "safe" },
                Goal::CommittedWithBrokersDown { topic: "safe", down: 1 },
            ]),
            hints: &[
                "Two settings matter: one on the topic, one on the producer (whose default is already right).",
                "After a crash, wait about 10 seconds for the cluster to fence the broker before writing.",
            ],
            solution: &[
                l(1, "kafka-topics --bootstrap-server localhost:9092 --create --topic safe --replication-factor 3 --partitions 1 --config min.insync.replicas=2"),
                l(1, "sim crash 2"),
                wait(12_000),
                l(1, "kafka-producer-perf-test --topic safe --num-records 1000 --record-size 100 --throughput -1 --producer-props bootstrap.servers=localhost:9092 acks=all"),
                wait(2_000),
            ],
            wrong: &[
                wrong("min.insync.replicas left at 1", &[
                    l(1, "kafka-topics --bootstrap-server localhost:9092 --create --topic safe --replication-factor 3 --partitions 1"),
                    l(1, "sim crash 2"),
                    wait(12_000),
                    l(1, "kafka-producer-perf-test --topic safe --num-records 1000 --record-size 100 --throughput -1 --producer-props bootstrap.servers=localhost:9092 acks=all"),
                    wait(2_000),
                ]),
                wrong("the right topic, but written with acks=1", &[
                    l(1, "kafka-topics --bootstrap-server localhost:9092 --create --topic safe --replication-factor 3 --partitions 1 --config min.insync.replicas=2"),
                    l(1, "sim crash 2"),
                    wait(12_000),
                    l(1, "kafka-producer-perf-test --topic safe --num-records 1000 --record-size 100 --throughput -1 --producer-props bootstrap.servers=localhost:9092 acks=1"),
                    wait(2_000),
                ]),
            ],
        },
    ],
};
