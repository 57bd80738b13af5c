//! Listing topics, replication, acknowledgements, min.insync.replicas.

use super::{cmd, l, wait, wrong};
use crate::lessons::{Goal, Lesson, LookAt, Step};

const DESCRIBE_ACCOUNTS: &str = "kafka-topics --bootstrap-server localhost:9092 --describe --topic account-event";
const CREATE_LEDGER: &str = "kafka-topics --bootstrap-server localhost:9092 --create --topic ledger --replica-assignment 1:2:3";
const DESCRIBE_LEDGER: &str = "kafka-topics --bootstrap-server localhost:9092 --describe --topic ledger";
const SLOW_LOAD: &str = "kafka-producer-perf-test --topic ledger --num-records 45 --record-size 100 --throughput 1 --producer-props bootstrap.servers=localhost:9092 acks=1";
const ELECT_PREFERRED: &str = "kafka-leader-election --bootstrap-server localhost:9092 --election-type PREFERRED --all-topic-partitions";

pub const REPLICATION: Lesson = Lesson {
    id: "replication",
    title: "Listing topics and replication",
    summary: "List and describe topics; leaders, followers and in-sync replicas; a broker dies and leaders move; a slow follower leaves the ISR.",
    challenge: false,
    brokers: 3,
    setup: &[
        l(1, "kafka-topics --create --bootstrap-server localhost:9092 --replication-factor 1 --partitions 1 --topic test"),
        l(1, "kafka-topics --create --bootstrap-server localhost:9092 --replication-factor 1 --partitions 6 --topic test2"),
    ],
    steps: &[
        Step {
            title: "List the topics",
            narrative: &["This cluster already has two topics, `test` and `test2`. List them."],
            commands: &[cmd(1, "/app/confluent/bin/kafka-topics --bootstrap-server localhost:9092 --list ")],
            look_at: &[],
            goal_text: "List the topics: `test` and `test2` appear.",
            goal: Goal::All(&[Goal::Ran { pattern: "kafka-topics*--list" }, Goal::Output { term: 1, text: "test2" }]),
            hints: &[],
            solution: &[l(1, "/app/confluent/bin/kafka-topics --bootstrap-server localhost:9092 --list ")],
            wrong: &[wrong("a misspelt option", &[l(1, "/app/confluent/bin/kafka-topics --bootstrap-server localhost:9092 --lsit")])],
        },
        Step {
            title: "Describe",
            narrative: &[
                "`--describe` shows each partition's leader, its replicas and its in-sync replicas (the ISR, printed as `Isr:`). A common trap: `--describe test` passes `test` as a stray argument, which the tool ignores, so it describes every topic. `--describe --topic test` describes only `test`. (`Elr` and `LastKnownElr` belong to a newer feature, eligible leader replicas, which is off in Kafka 3.9: `N/A`.)",
            ],
            commands: &[cmd(1, "/app/confluent/bin/kafka-topics --bootstrap-server localhost:9092 --describe test"), cmd(1, "kafka-topics --bootstrap-server localhost:9092 --describe --topic test")],
            look_at: &[LookAt::Topic("test")],
            goal_text: "Describe the topics: each partition's leader, replicas and ISR.",
            goal: Goal::Say { goal: &Goal::Showed { pattern: "kafka-topics*--describe", text: "Leader:" }, why: "No `kafka-topics --describe` has shown a partition yet" },
            hints: &[],
            solution: &[l(1, "/app/confluent/bin/kafka-topics --bootstrap-server localhost:9092 --describe test")],
            wrong: &[wrong("a topic that does not exist", &[l(1, "kafka-topics --bootstrap-server localhost:9092 --describe --topic tset")])],
        },
        Step {
            title: "Replicas, leaders and followers",
            narrative: &[
                "With a replication factor of 3, every partition lives on three brokers. One replica is the leader: producers write to it and, by default, consumers read from it. The others are followers that fetch from the leader, like consumers do. A follower that keeps up is in sync (in the ISR). Leaders are spread over the brokers so that the load is too.",
                "Create an `account-event` topic, 120 partitions with three replicas each, and describe it. The first replica listed is the preferred leader. Kafka introductions often print such an `account-event` table taken from a ZooKeeper-era cluster; KRaft places replicas differently, so yours will not match theirs line for line, but it is spread just as evenly: a KRaft controller rotates one order of the brokers (`1,2,3`, `2,3,1`, `3,1,2`, from a random start), shuffles the order after every block of as many partitions as there are live brokers, and never makes a fenced broker the leader of a new partition.",
            ],
            commands: &[
                cmd(1, "kafka-topics --bootstrap-server localhost:9092 --create --topic account-event --partitions 120 --replication-factor 3"),
                cmd(1, DESCRIBE_ACCOUNTS),
            ],
            look_at: &[LookAt::Topic("account-event")],
            goal_text: "`account-event` has 120 partitions of three replicas, and you have described it.",
            goal: Goal::All(&[
                Goal::Partitions { topic: "account-event", count: 120 },
                Goal::ReplicationFactor { topic: "account-event", factor: 3 },
                Goal::Say { goal: &Goal::Showed { pattern: "kafka-topics*--describe", text: "Topic: account-event\tPartition: 119" }, why: "Describe `account-event` to see its partitions" },
            ]),
            hints: &[],
            solution: &[l(1, "kafka-topics --bootstrap-server localhost:9092 --create --topic account-event --partitions 120 --replication-factor 3"), l(1, DESCRIBE_ACCOUNTS)],
            wrong: &[wrong("described before it exists", &[l(1, DESCRIBE_ACCOUNTS)])],
        },
        Step {
            title: "A broker dies",
            narrative: &[
                "Crash broker 2. The cluster does not notice at once: only when its session times out (`broker.session.timeout.ms`, 9 seconds without a heartbeat) does the controller fence it, remove it from every ISR and move leadership of its partitions to other in-sync replicas. Wait about 10 seconds, then describe the topic again: no partition is led by 2 and the ISR lists are shorter.",
                "For `account-event` nothing was lost: the remaining replicas had everything that was committed. `test` and `test2` are another story: with a single replica, their partitions on broker 2 are now offline (the page counts them). Nobody can read or write them until broker 2 returns, and had its disk died with it, their records would be gone. That is what replication factor 1 means.",
            ],
            commands: &[cmd(1, "sim crash 2"), cmd(1, DESCRIBE_ACCOUNTS)],
            look_at: &[LookAt::Broker(2), LookAt::Topic("account-event"), LookAt::Events],
            goal_text: "Broker 2 is down, and the cluster has moved its leaderships and shrunk the ISR lists of `account-event`.",
            goal: Goal::All(&[
                Goal::BrokerDown { broker: 2 },
                Goal::Say { goal: &Goal::NotLeader { topic: "account-event", broker: 2 }, why: "Broker 2 still leads partitions of `account-event`: the cluster notices a crash only after the broker's session times out (9 s). Wait a little" },
                Goal::IsrAtMost { topic: "account-event", size: 2 },
            ]),
            hints: &["The failover takes about 9 seconds (the broker's session timeout)."],
            solution: &[l(1, "sim crash 2"), wait(15_000), l(1, DESCRIBE_ACCOUNTS)],
            wrong: &[wrong("the wrong broker crashes", &[l(1, "sim crash 3"), wait(15_000), l(1, DESCRIBE_ACCOUNTS)])],
        },
        Step {
            title: "It comes back",
            narrative: &[
                "Start broker 2. It catches up as a follower and rejoins the ISR, but it leads nothing until leadership is handed back. Ask for a preferred leader election (the cluster would also do it on its own after a while, `auto.leader.rebalance.enable`).",
            ],
            commands: &[cmd(1, "sim start 2"), cmd(1, ELECT_PREFERRED), cmd(1, DESCRIBE_ACCOUNTS)],
            look_at: &[LookAt::Broker(2), LookAt::Topic("account-event")],
            goal_text: "Broker 2 is back in every ISR and leads its preferred partitions again.",
            goal: Goal::All(&[Goal::BrokerUp { broker: 2 }, Goal::FullIsr { topic: "account-event" }, Goal::PreferredLeaders { topic: "account-event" }]),
            hints: &["Wait until `sim status` shows broker 2 running before electing leaders."],
            solution: &[l(1, "sim start 2"), wait(10_000), l(1, ELECT_PREFERRED), wait(2_000), l(1, DESCRIBE_ACCOUNTS)],
            wrong: &[wrong("broker 2 restarted, but no election", &[l(1, "sim start 2"), wait(10_000), l(1, DESCRIBE_ACCOUNTS)])],
        },
        Step {
            title: "A slow follower",
            narrative: &[
                "A broker need not die to leave the ISR. Create a topic `ledger` led by broker 1 and followed by brokers 2 and 3, then make broker 3 slow: each fetch it sends to its leaders now waits 40 s (a slow disk or link). It keeps its session with the controller, so it is not fenced, but as a follower it falls behind while records arrive.",
                "A leader drops a follower from the ISR when the follower has not caught up for `replica.lag.time.max.ms` (30 s; leaders check every 15 s), through an AlterPartition request to the controller. Produce a record a second for 45 s with `acks=1` (with `acks=all` each write would wait for the slow follower until it leaves the ISR), then describe the topic: its ISR lacks broker 3 while `sim status` shows broker 3 running and unfenced.",
            ],
            commands: &[cmd(1, CREATE_LEDGER), cmd(1, "sim slow 3 40s"), cmd(1, SLOW_LOAD), cmd(1, DESCRIBE_LEDGER), cmd(1, "sim status")],
            look_at: &[LookAt::Broker(3), LookAt::Topic("ledger"), LookAt::Events],
            goal_text: "Broker 3 is slow but up and unfenced, and `ledger`'s ISR has dropped it.",
            goal: Goal::All(&[Goal::Ran { pattern: "sim slow 3" }, Goal::BrokerUp { broker: 3 }, Goal::IsrAtMost { topic: "ledger", size: 2 }]),
            hints: &["The shrink comes 30 to 45 s after broker 3 fell behind: let the load run (or `sim advance 15s`)."],
            solution: &[l(1, CREATE_LEDGER), l(1, "sim slow 3 40s"), l(1, SLOW_LOAD), wait(15_000), l(1, DESCRIBE_LEDGER)],
            wrong: &[wrong("slow, but never 30 s behind", &[l(1, CREATE_LEDGER), l(1, "sim slow 3 5s"), l(1, SLOW_LOAD), wait(15_000), l(1, DESCRIBE_LEDGER)])],
        },
        Step {
            title: "Back to speed",
            narrative: &["`sim heal` makes broker 3 fast again. It catches up within a few fetches, and broker 1 adds it back to the ISR (AlterPartition again)."],
            commands: &[cmd(1, "sim heal"), cmd(1, DESCRIBE_LEDGER)],
            look_at: &[LookAt::Broker(3), LookAt::Topic("ledger")],
            goal_text: "After `sim heal`, broker 3 is back in `ledger`'s ISR.",
            goal: Goal::All(&[Goal::Ran { pattern: "sim heal" }, Goal::FullIsr { topic: "ledger" }]),
            hints: &[],
            solution: &[l(1, "sim heal"), wait(2_000), l(1, DESCRIBE_LEDGER)],
            wrong: &[wrong("still slow: no heal", &[wait(2_000), l(1, DESCRIBE_LEDGER)])],
        },
    ],
};

pub const ACKS: Lesson = Lesson {
    id: "acks",
    title: "Acknowledgements: what the producer waits for",
    summary: "acks=0, acks=1 and acks=all: their latency, and what each risks when a broker crashes (the last challenge makes acks=1 lose data).",
    challenge: false,
    brokers: 3,
    setup: &[l(1, "kafka-topics --bootstrap-server localhost:9092 --create --topic payments --replica-assignment 1:2:3 --config min.insync.replicas=2")],
    steps: &[
        Step {
            title: "Three ways to wait",
            narrative: &[
                "This lesson starts with a topic `payments`: one partition on brokers 1, 2 and 3, led by broker 1, with `min.insync.replicas=2`. A producer chooses how long to wait before it considers a write done (`acks`):",
                "`acks=0`: fire and forget. The producer does not wait for any answer. Fastest; anything lost on the way is lost silently.",
                "`acks=1`: the leader has written the record to its log. If the leader dies before a follower copied it, the record is gone although the producer was told it succeeded.",
                "`acks=all` (the default since Kafka 3.0): every in-sync replica has it, and there are at least `min.insync.replicas` of them. It costs a round trip to the followers; in exchange an acknowledged record survives the loss of any single broker.",
                "Run the performance test with each setting and compare the average latency it reports.",
            ],
            commands: &[
                cmd(1, "kafka-producer-perf-test --topic payments --num-records 2000 --record-size 100 --throughput -1 --producer-props bootstrap.servers=localhost:9092 acks=0"),
                cmd(1, "kafka-producer-perf-test --topic payments --num-records 2000 --record-size 100 --throughput -1 --producer-props bootstrap.servers=localhost:9092 acks=1"),
                cmd(1, "kafka-producer-perf-test --topic payments --num-records 2000 --record-size 100 --throughput -1 --producer-props bootstrap.servers=localhost:9092 acks=all"),
            ],
            look_at: &[LookAt::Partition("payments", 0)],
            goal_text: "Run the performance test on `payments` with acks=0, acks=1 and acks=all.",
            goal: Goal::All(&[
                Goal::Ran { pattern: "kafka-producer-perf-test*--topic payments*acks=0" },
                Goal::Ran { pattern: "kafka-producer-perf-test*--topic payments*acks=1" },
                Goal::Ran { pattern: "kafka-producer-perf-test*--topic payments*acks=all" },
            ]),
            hints: &["Each run prints a summary line with `ms avg latency`. `acks` accepts `all`, `-1`, `0` and `1` only."],
            solution: &[l(1, "kafka-producer-perf-test --topic payments --num-records 2000 --record-size 100 --throughput -1 --producer-props bootstrap.servers=localhost:9092 acks=0"), l(1, "kafka-producer-perf-test --topic payments --num-records 2000 --record-size 100 --throughput -1 --producer-props bootstrap.servers=localhost:9092 acks=1"), l(1, "kafka-producer-perf-test --topic payments --num-records 2000 --record-size 100 --throughput -1 --producer-props bootstrap.servers=localhost:9092 acks=all")],
            wrong: &[wrong("acks=2 is refused, and acks=all never ran", &[
                l(1, "kafka-producer-perf-test --topic payments --num-records 2000 --record-size 100 --throughput -1 --producer-props bootstrap.servers=localhost:9092 acks=0"),
                l(1, "kafka-producer-perf-test --topic payments --num-records 2000 --record-size 100 --throughput -1 --producer-props bootstrap.servers=localhost:9092 acks=1"),
                l(1, "kafka-producer-perf-test --topic payments --num-records 2000 --record-size 100 --throughput -1 --producer-props bootstrap.servers=localhost:9092 acks=2"),
            ])],
        },
        Step {
            title: "The leader crashes",
            narrative: &[
                "Crash broker 1, the leader, and write again with `acks=all`. The producer gets errors for a while: the old leader does not answer, and the cluster only notices the crash when the broker's session times out (`broker.session.timeout.ms`, 9 seconds). Then the controller elects a new leader; the producer refreshes its metadata, finds it and retries (the perf test's producer keeps retrying for up to two minutes, `delivery.timeout.ms`). Every acknowledged record is on the new leader, because it was in sync when it was acknowledged.",
            ],
            commands: &[cmd(1, "sim crash 1"), cmd(1, "kafka-producer-perf-test --topic payments --num-records 2000 --record-size 100 --throughput -1 --producer-props bootstrap.servers=localhost:9092 acks=all")],
            look_at: &[LookAt::Broker(1), LookAt::Partition("payments", 0), LookAt::Events],
            goal_text: "With broker 1 down, a new leader of `payments` commits your acks=all writes.",
            goal: Goal::All(&[
                Goal::BrokerDown { broker: 1 },
                Goal::LeaderMoved { topic: "payments" },
                Goal::CommittedWithBrokersDown { topic: "payments", down: 1 },
                Goal::WroteOk { topic: "payments" },
            ]),
            hints: &["Errors for the first seconds are expected: the perf test waits them out."],
            solution: &[l(1, "sim crash 1"), wait(12_000), l(1, "kafka-producer-perf-test --topic payments --num-records 2000 --record-size 100 --throughput -1 --producer-props bootstrap.servers=localhost:9092 acks=all")],
            wrong: &[wrong("broker 1 crashes, but nothing is written", &[l(1, "sim crash 1"), wait(12_000)])],
        },
    ],
};

pub const MIN_ISR: Lesson = Lesson {
    id: "min-insync-replicas",
    title: "min.insync.replicas and losing brokers",
    summary: "With RF 3 and min ISR 3 one dead broker stops writes but not reads; min ISR 2 keeps writing; why 5 brokers.",
    challenge: false,
    brokers: 3,
    setup: &[],
    steps: &[
        Step {
            title: "Three copies, all required",
            narrative: &[
                "`min.insync.replicas` is the number of in-sync replicas an `acks=all` write needs. Create `orders` with three replicas and require all three, then write one order.",
            ],
            commands: &[
                cmd(1, "kafka-topics --bootstrap-server localhost:9092 --create --topic orders --partitions 1 --replication-factor 3 --config min.insync.replicas=3"),
                cmd(1, "echo 'order 1' | kafka-console-producer --bootstrap-server localhost:9092 --topic orders"),
            ],
            look_at: &[LookAt::Topic("orders")],
            goal_text: "`orders` has three replicas, all required (min.insync.replicas=3), and holds `order 1`.",
            goal: Goal::All(&[
                Goal::ReplicationFactor { topic: "orders", factor: 3 },
                Goal::TopicConfig { topic: "orders", key: "min.insync.replicas", value: "3" },
                Goal::ValueExists { topic: "orders", value: "order 1" },
            ]),
            hints: &["`min.insync.replicas` is set with `--config`; the option's name has no typo allowance."],
            solution: &[
                l(1, "kafka-topics --bootstrap-server localhost:9092 --create --topic orders --partitions 1 --replication-factor 3 --config min.insync.replicas=3"),
                l(1, "echo 'order 1' | kafka-console-producer --bootstrap-server localhost:9092 --topic orders"),
            ],
            wrong: &[wrong("a misspelt config name: the topic is not created", &[
                l(1, "kafka-topics --bootstrap-server localhost:9092 --create --topic orders --partitions 1 --replication-factor 3 --config min.insync.replica=3"),
                l(1, "echo 'order 1' | kafka-console-producer --bootstrap-server localhost:9092 --topic orders"),
            ])],
        },
        Step {
            title: "One broker down: writes stop",
            narrative: &[
                "Crash broker 3 and wait about 10 seconds for the cluster to notice: its session times out (`broker.session.timeout.ms`, 9 s) and it leaves the ISR. Then try to write: the leader refuses with NOT_ENOUGH_REPLICAS, because only two replicas are in sync and three are required. The producer retries, then gives up.",
                "Write at once instead, and you see something else: the request times out (REQUEST_TIMED_OUT), because the leader still counts broker 3 as in sync and waits for it. The console producer gives up after 3 tries of 1.5 s each, before the cluster has noticed anything.",
            ],
            commands: &[cmd(1, "sim crash 3"), cmd(1, "echo 'order 2' | kafka-console-producer --bootstrap-server localhost:9092 --topic orders")],
            look_at: &[LookAt::Broker(3), LookAt::Topic("orders"), LookAt::Events],
            goal_text: "With broker 3 down and out of the ISR, a write to `orders` is refused with NOT_ENOUGH_REPLICAS.",
            goal: Goal::Say {
                goal: &Goal::WriteRefused { topic: "orders", error: "NOT_ENOUGH_REPLICAS" },
                why: "No write to `orders` has been refused with NOT_ENOUGH_REPLICAS yet. A write right after the crash only times out: wait about 10 seconds after `sim crash 3`, until the cluster has fenced the broker, then write",
            },
            hints: &["Wait about 10 seconds after the crash before producing."],
            solution: &[l(1, "sim crash 3"), wait(12_000), l(1, "echo 'order 2' | kafka-console-producer --bootstrap-server localhost:9092 --topic orders"), wait(5_000)],
            wrong: &[wrong("writing right after the crash only times out", &[l(1, "sim crash 3"), l(1, "echo 'order 2' | kafka-console-producer --bootstrap-server localhost:9092 --topic orders")])],
        },
        Step {
            title: "Reads still work",
            narrative: &["`min.insync.replicas` only guards writes. The leader still serves what it has: read the topic."],
            commands: &[cmd(1, "kafka-console-consumer --bootstrap-server localhost:9092 --topic orders --from-beginning --max-messages 1")],
            look_at: &[LookAt::Topic("orders")],
            goal_text: "A consumer reads `order 1` from `orders` while writes are refused.",
            goal: Goal::Say { goal: &Goal::Showed { pattern: "kafka-console-consumer*--topic orders", text: "order 1" }, why: "No consumer of `orders` has shown `order 1` yet (read it `--from-beginning`)" },
            hints: &[],
            solution: &[l(1, "kafka-console-consumer --bootstrap-server localhost:9092 --topic orders --from-beginning --max-messages 1"), wait(2_000)],
            wrong: &[wrong("without --from-beginning the consumer waits at the end", &[l(1, "kafka-console-consumer --bootstrap-server localhost:9092 --topic orders --max-messages 1"), wait(5_000)])],
        },
        Step {
            title: "min ISR 2 keeps writing",
            narrative: &[
                "On three brokers, `min.insync.replicas=2` is the usual compromise: one broker may be down (for a crash or a rolling upgrade) and every acknowledged write is still on two machines. Change the topic's setting and write again.",
            ],
            commands: &[
                cmd(1, "kafka-configs --bootstrap-server localhost:9092 --alter --entity-type topics --entity-name orders --add-config min.insync.replicas=2"),
                cmd(1, "echo 'order 3' | kafka-console-producer --bootstrap-server localhost:9092 --topic orders"),
            ],
            look_at: &[LookAt::Topic("orders")],
            goal_text: "`orders` needs two in-sync replicas now, and a write to it succeeds with broker 3 down.",
            goal: Goal::All(&[Goal::TopicConfig { topic: "orders", key: "min.insync.replicas", value: "2" }, Goal::WroteOk { topic: "orders" }]),
            hints: &["Topic configs change with `kafka-configs`, not `kafka-topics`."],
            solution: &[
                l(1, "kafka-configs --bootstrap-server localhost:9092 --alter --entity-type topics --entity-name orders --add-config min.insync.replicas=2"),
                l(1, "echo 'order 3' | kafka-console-producer --bootstrap-server localhost:9092 --topic orders"),
            ],
            wrong: &[wrong("kafka-topics --alter cannot change configs: the write is refused again", &[
                l(1, "kafka-topics --bootstrap-server localhost:9092 --alter --topic orders --config min.insync.replicas=2"),
                l(1, "echo 'order 3' | kafka-console-producer --bootstrap-server localhost:9092 --topic orders"),
            ])],
        },
        Step {
            title: "Why five brokers",
            narrative: &[
                "With three brokers and min ISR 2, a second failure during maintenance stops writes, and two copies is thin protection. With five brokers, five replicas and `min.insync.replicas=3`, every acknowledged write is on three machines and two brokers can be down at once.",
                "One caveat in KRaft: the cluster also needs its controller quorum. Here brokers 1 to 3 double as the controller voters, and a majority of them (2 of 3) must be up. Lose two of them and there is no active controller: metadata is frozen, no crashed broker is fenced and no leader moves, so writes stall whatever the topic's settings. Production clusters run dedicated controllers (often 3 or 5) apart from the brokers for this reason.",
                "Start a fresh five-broker cluster (`sim reset` throws this one away), create such a topic, crash broker 5, wait about 10 seconds for the cluster to fence it, and write.",
            ],
            commands: &[
                cmd(1, "sim reset --brokers 5"),
                cmd(1, "kafka-topics --bootstrap-server localhost:9092 --create --topic orders --partitions 1 --replication-factor 5 --config min.insync.replicas=3"),
                cmd(1, "sim crash 5"),
                cmd(1, "echo 'order 4' | kafka-console-producer --bootstrap-server localhost:9092 --topic orders"),
            ],
            look_at: &[LookAt::Topic("orders")],
            goal_text: "On five brokers, `orders` has five replicas and min.insync.replicas=3, and a write succeeds with broker 5 down.",
            goal: Goal::All(&[
                Goal::TopicConfig { topic: "orders", key: "min.insync.replicas", value: "3" },
                Goal::ReplicationFactor { topic: "orders", factor: 5 },
                Goal::BrokerDown { broker: 5 },
                Goal::WroteOk { topic: "orders" },
            ]),
            hints: &["A write right after the crash waits for broker 5 and times out; wait about 10 seconds first."],
            solution: &[
                l(1, "sim reset --brokers 5"),
                l(1, "kafka-topics --bootstrap-server localhost:9092 --create --topic orders --partitions 1 --replication-factor 5 --config min.insync.replicas=3"),
                l(1, "sim crash 5"),
                wait(12_000),
                l(1, "echo 'order 4' | kafka-console-producer --bootstrap-server localhost:9092 --topic orders"),
            ],
            wrong: &[wrong("writing right after the crash: the producer gives up with TimeoutException (the record may still land later)", &[
                l(1, "sim reset --brokers 5"),
                l(1, "kafka-topics --bootstrap-server localhost:9092 --create --topic orders --partitions 1 --replication-factor 5 --config min.insync.replicas=3"),
                l(1, "sim crash 5"),
                l(1, "echo 'order 4' | kafka-console-producer --bootstrap-server localhost:9092 --topic orders"),
            ])],
        },
    ],
};
