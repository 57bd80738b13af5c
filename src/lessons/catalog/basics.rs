//! What Kafka is; the first topic; consumer groups; partitions; keys.

use super::{cmd, ctrl_c, eof, l, wait, wrong};
use crate::lessons::{Goal, Lesson, LookAt, Step};

pub const LOG_NOT_QUEUE: Lesson = Lesson {
    id: "log-not-queue",
    title: "Kafka is a log, not a queue",
    summary: "What Kafka stores, why every reader can read everything, and the cluster you are about to use.",
    challenge: false,
    brokers: 3,
    setup: &[],
    steps: &[
        Step {
            title: "The cluster is already running",
            narrative: &[
                "Many people first file Kafka under \"message queues\". It is something else: an append-only log. Producers add records at the end; records are never changed in place; readers keep their own bookmark (an offset) and read at their own pace. Nobody \"takes\" a record off the log.",
                "A queue broker (RabbitMQ, ActiveMQ, SQS) also stores messages durably, but consuming is destructive: once a consumer acknowledges a message, the queue deletes it, and a second application needs its own copy of the queue, set up before the messages arrive. A log is read by offset and keeps records for its retention time whoever reads them: a new reader, or a slow one, simply reads older records.",
                "A real cluster is usually started with `docker-compose up`; here three brokers are already running in KRaft mode. Instead of a separate ZooKeeper ensemble, controllers keep the cluster's metadata (topics, partitions, leaders) in a replicated log of their own, agreed by a pull-based dialect of the Raft protocol. Here, as in a development setup, brokers 1 to 3 double as controllers; production clusters run dedicated controller nodes. Run `docker-compose up` (it only says the cluster is up), then `sim status` to see the brokers and which one is the active controller.",
            ],
            commands: &[cmd(1, "docker-compose up"), cmd(1, "sim status")],
            look_at: &[LookAt::Broker(1), LookAt::Broker(2), LookAt::Broker(3)],
            goal_text: "Show the cluster's status with `sim status`.",
            goal: Goal::Ran { pattern: "sim status" },
            hints: &["Click the commands, or type `sim status` and press Enter."],
            solution: &[l(1, "docker-compose up"), l(1, "sim status")],
            wrong: &[wrong("a typo: `sim stat` fails", &[l(1, "sim stat")])],
        },
        Step {
            title: "Append to a log",
            narrative: &[
                "A database keeps two things: a redo log (a journal of every change, in order) and tables built from it (materialised views you can query). Kafka's insight is that the log itself is worth sharing, and that views need not be SQL tables: a search index, a cache, a key/value store or a graph database can all be built from the same log.",
                "Create a topic, the log's name, and write three records to it. The console producer sends each line you type as one record; Ctrl-D ends it.",
            ],
            commands: &[
                cmd(1, "kafka-topics --bootstrap-server localhost:9092 --create --topic greetings --partitions 1 --replication-factor 1"),
                cmd(1, "kafka-console-producer --bootstrap-server localhost:9092 --topic greetings"),
            ],
            look_at: &[LookAt::Topic("greetings")],
            goal_text: "The topic `greetings` holds at least three records.",
            goal: Goal::Records { topic: "greetings", at_least: 3 },
            hints: &["After starting the producer, type three lines (for example `hello`, `log`, `world`), then press Ctrl-D."],
            solution: &[
                l(1, "kafka-topics --bootstrap-server localhost:9092 --create --topic greetings --partitions 1 --replication-factor 1"),
                l(1, "kafka-console-producer --bootstrap-server localhost:9092 --topic greetings"),
                l(1, "hello"),
                l(1, "log"),
                l(1, "world"),
                eof(1),
            ],
            wrong: &[
                wrong("only two records", &[
                    l(1, "kafka-topics --bootstrap-server localhost:9092 --create --topic greetings --partitions 1 --replication-factor 1"),
                    l(1, "kafka-console-producer --bootstrap-server localhost:9092 --topic greetings"),
                    l(1, "hello"),
                    l(1, "world"),
                    eof(1),
                ]),
                wrong("three records to a misspelt topic", &[
                    l(1, "kafka-console-producer --bootstrap-server localhost:9092 --topic greeting"),
                    l(1, "hello"),
                    l(1, "log"),
                    l(1, "world"),
                    eof(1),
                ]),
            ],
        },
        Step {
            title: "Read it twice",
            narrative: &[
                "Now read the log from its start, twice. Reading does not remove anything: the second reader gets exactly what the first one got. That is fan-out without copies, and it is why Kafka can store data without presuming who will read it, or when.",
                "`--max-messages 3` makes the consumer stop after three records instead of waiting for more. Without `--from-beginning` a consumer starts at the end of the log and waits for new records: it would show nothing here.",
            ],
            commands: &[cmd(1, "kafka-console-consumer --bootstrap-server localhost:9092 --topic greetings --from-beginning --max-messages 3")],
            look_at: &[LookAt::Topic("greetings"), LookAt::Terminal(1)],
            goal_text: "Read `greetings` from the beginning twice, each read to its end.",
            goal: Goal::All(&[
                Goal::Say {
                    goal: &Goal::RanTimes { pattern: "kafka-console-consumer*--topic greetings*--from-beginning", times: 2 },
                    why: "Read `greetings` from its beginning twice (`--from-beginning`), letting each consumer finish",
                },
                Goal::Records { topic: "greetings", at_least: 3 },
            ]),
            hints: &["Run the consumer command, wait for it to finish, then run it again."],
            solution: &[
                l(1, "kafka-console-consumer --bootstrap-server localhost:9092 --topic greetings --from-beginning --max-messages 3"),
                wait(2_000),
                l(1, "kafka-console-consumer --bootstrap-server localhost:9092 --topic greetings --from-beginning --max-messages 3"),
                wait(2_000),
            ],
            wrong: &[wrong("the second read without --from-beginning waits at the end of the log", &[
                l(1, "kafka-console-consumer --bootstrap-server localhost:9092 --topic greetings --from-beginning --max-messages 3"),
                wait(2_000),
                l(1, "kafka-console-consumer --bootstrap-server localhost:9092 --topic greetings --max-messages 3"),
                wait(5_000),
            ])],
        },
    ],
};

/// The records of the first topic, written by setups of later lessons.
const PRODUCE_THREE: &str = "printf 'first message\\nsecond message\\nthird message\\n' | kafka-console-producer --bootstrap-server localhost:9092 --topic test";
const CREATE_TEST: &str = "/app/confluent/bin/kafka-topics --create --bootstrap-server localhost:9092 --replication-factor 1 --partitions 1 --topic test";

pub const FIRST_TOPIC: Lesson = Lesson {
    id: "first-topic",
    title: "Your first topic: produce and consume",
    summary: "List consumer groups on a fresh cluster, create `test`, write to it and read it back.",
    challenge: false,
    brokers: 3,
    setup: &[],
    steps: &[
        Step {
            title: "Nobody is reading yet",
            narrative: &[
                "Consumers that read together form a consumer group, and the cluster remembers each group's progress. On a fresh cluster there are none. Ask for the list: it comes back empty.",
                "Confluent's images keep the tools in `/app/confluent/bin`; here that path works, and so do the plain names (`kafka-consumer-groups`). Every tool needs to know where the cluster is: `--bootstrap-server localhost:9092`.",
            ],
            commands: &[cmd(1, "/app/confluent/bin/kafka-consumer-groups --bootstrap-server localhost:9092 --list")],
            look_at: &[],
            goal_text: "List the consumer groups (the list is empty).",
            goal: Goal::Ran { pattern: "kafka-consumer-groups*--list" },
            hints: &["Click the command. No output is the right answer here."],
            solution: &[l(1, "/app/confluent/bin/kafka-consumer-groups --bootstrap-server localhost:9092 --list")],
            wrong: &[wrong("no --bootstrap-server: the tool refuses", &[l(1, "kafka-consumer-groups --list")])],
        },
        Step {
            title: "Create the topic `test`",
            narrative: &[
                "A topic is split into partitions (each one a separate log) and each partition is copied to one or more brokers (the replication factor). Start small: one partition, one copy.",
            ],
            commands: &[cmd(1, CREATE_TEST)],
            look_at: &[LookAt::Topic("test")],
            goal_text: "The topic `test` exists, with one partition and one replica.",
            goal: Goal::All(&[
                Goal::TopicExists { topic: "test" },
                Goal::Partitions { topic: "test", count: 1 },
                Goal::ReplicationFactor { topic: "test", factor: 1 },
            ]),
            hints: &["The command prints `Created topic test.` when it worked. A `test` with other settings can be deleted (`kafka-topics --bootstrap-server localhost:9092 --delete --topic test`) and created again."],
            solution: &[l(1, CREATE_TEST)],
            wrong: &[
                wrong("four replicas on three brokers: refused", &[l(1, "kafka-topics --bootstrap-server localhost:9092 --create --topic test --partitions 1 --replication-factor 4")]),
                wrong("two partitions", &[l(1, "kafka-topics --bootstrap-server localhost:9092 --create --topic test --partitions 2 --replication-factor 1")]),
            ],
        },
        Step {
            title: "Produce",
            narrative: &[
                "Start the console producer and type a few lines; each line becomes one record. `--broker-list` is the producer's older name for `--bootstrap-server`; both work. Press Ctrl-D when you are done.",
                "Mind the topic's name: writing to a topic that does not exist creates it on the fly (`auto.create.topics.enable`, with an `UNKNOWN_TOPIC_OR_PARTITION` warning while it is created), so a typo silently makes a new topic.",
            ],
            commands: &[cmd(1, "/app/confluent/bin/kafka-console-producer --broker-list localhost:9092 --topic test")],
            look_at: &[LookAt::Partition("test", 0)],
            goal_text: "The topic `test` holds at least three records.",
            goal: Goal::Records { topic: "test", at_least: 3 },
            hints: &["Type `first message`, `second message`, `third message`, each followed by Enter, then Ctrl-D."],
            solution: &[
                l(1, "/app/confluent/bin/kafka-console-producer --broker-list localhost:9092 --topic test"),
                l(1, "first message"),
                l(1, "second message"),
                l(1, "third message"),
                eof(1),
            ],
            wrong: &[wrong("three records to `tset`, a typo", &[
                l(1, "kafka-console-producer --broker-list localhost:9092 --topic tset"),
                l(1, "first message"),
                l(1, "second message"),
                l(1, "third message"),
                eof(1),
            ])],
        },
        Step {
            title: "Consume from the beginning",
            narrative: &[
                "Open a second terminal and read the topic from its first record. The consumer keeps running, waiting for new records, until you press Ctrl-C.",
            ],
            commands: &[cmd(2, "/app/confluent/bin/kafka-console-consumer --bootstrap-server localhost:9092 --topic test --from-beginning")],
            look_at: &[LookAt::Terminal(2), LookAt::Partition("test", 0)],
            goal_text: "A consumer in terminal 2 shows the records of `test`, `third message` included.",
            goal: Goal::Output { term: 2, text: "third message" },
            hints: &["The command runs in terminal 2; the records appear after a moment."],
            solution: &[l(2, "/app/confluent/bin/kafka-console-consumer --bootstrap-server localhost:9092 --topic test --from-beginning"), wait(3_000)],
            wrong: &[wrong("the consumer runs in terminal 1", &[l(1, "/app/confluent/bin/kafka-console-consumer --bootstrap-server localhost:9092 --topic test --from-beginning"), wait(3_000)])],
        },
        Step {
            title: "A stream, not a batch",
            narrative: &[
                "Leave the consumer running. Back in terminal 1, produce another line: it shows up in terminal 2 a moment later. Producers and consumers never talk to each other; both talk to the log.",
            ],
            commands: &[cmd(1, "/app/confluent/bin/kafka-console-producer --broker-list localhost:9092 --topic test")],
            look_at: &[LookAt::Terminal(2)],
            goal_text: "`fourth message`, produced in terminal 1, shows up in terminal 2.",
            goal: Goal::Output { term: 2, text: "fourth message" },
            hints: &["Type `fourth message` in the producer in terminal 1, then Ctrl-D. Click the tab of terminal 2 to see it arrive."],
            solution: &[
                l(1, "/app/confluent/bin/kafka-console-producer --broker-list localhost:9092 --topic test"),
                l(1, "fourth message"),
                eof(1),
                wait(2_000),
            ],
            wrong: &[wrong("produced to another topic", &[
                l(1, "/app/confluent/bin/kafka-console-producer --broker-list localhost:9092 --topic tset"),
                l(1, "fourth message"),
                eof(1),
                wait(2_000),
            ])],
        },
    ],
};

pub const CONSUMER_GROUPS: Lesson = Lesson {
    id: "consumer-groups",
    title: "Consumer groups: who reads what",
    summary: "The group a console consumer gets when you name none, and two consumers sharing one partition.",
    challenge: false,
    brokers: 3,
    setup: &[l(1, CREATE_TEST), l(1, PRODUCE_THREE)],
    steps: &[
        Step {
            title: "A group you did not ask for",
            narrative: &[
                "This lesson starts with the topic `test` and three records in it. Every consumer that subscribes to a topic belongs to a group. Start a consumer without `--group` in terminal 2, then list the groups in terminal 1: the console consumer made one up, `console-consumer-` followed by a random number.",
            ],
            commands: &[
                cmd(2, "/app/confluent/bin/kafka-console-consumer --bootstrap-server localhost:9092 --topic test --from-beginning"),
                cmd(1, "/app/confluent/bin/kafka-consumer-groups --bootstrap-server localhost:9092 --list"),
            ],
            look_at: &[LookAt::Group("console-consumer-*")],
            goal_text: "A consumer runs in terminal 2, and the group list in terminal 1 shows its `console-consumer-...` group.",
            goal: Goal::All(&[
                Goal::Say { goal: &Goal::GroupExists { group: "console-consumer-*" }, why: "No console consumer has joined a group yet: start the consumer in terminal 2 first" },
                Goal::Say { goal: &Goal::Output { term: 1, text: "console-consumer-" }, why: "The group list in terminal 1 has not shown a `console-consumer-...` group yet: list the groups once the consumer runs" },
            ]),
            hints: &["Start the consumer first; the group appears once it has joined (a few seconds)."],
            solution: &[
                l(2, "/app/confluent/bin/kafka-console-consumer --bootstrap-server localhost:9092 --topic test --from-beginning"),
                wait(5_000),
                l(1, "/app/confluent/bin/kafka-consumer-groups --bootstrap-server localhost:9092 --list"),
            ],
            wrong: &[wrong("groups listed before any consumer runs", &[l(1, "/app/confluent/bin/kafka-consumer-groups --bootstrap-server localhost:9092 --list")])],
        },
        Step {
            title: "It commits nothing",
            narrative: &[
                "A group normally commits its position (the offset of the next record to read) so that it can carry on where it stopped. The console consumer's made-up group switches that off: its name is random, so nobody could ever resume it anyway. Describe every group: the CURRENT-OFFSET column shows `-`.",
            ],
            commands: &[cmd(1, "kafka-consumer-groups --bootstrap-server localhost:9092 --describe --all-groups")],
            look_at: &[LookAt::Group("console-consumer-*")],
            goal_text: "Describe the console consumer's group: it has committed no offset.",
            goal: Goal::All(&[Goal::GroupNoCommits { group: "console-consumer-*" }, Goal::Ran { pattern: "kafka-consumer-groups*--describe" }]),
            hints: &["`--all-groups` saves you from copying the random name."],
            solution: &[l(1, "kafka-consumer-groups --bootstrap-server localhost:9092 --describe --all-groups")],
            wrong: &[wrong("a group that does not exist", &[l(1, "kafka-consumer-groups --bootstrap-server localhost:9092 --describe --group console-consumer")])],
        },
        Step {
            title: "Name your group",
            narrative: &[
                "Stop the consumer in terminal 2 with Ctrl-C and start it again with a group of your own, `consumer-1`. Joining a new group takes about three seconds: the coordinator waits a little (`group.initial.rebalance.delay.ms`) in case more members arrive together.",
            ],
            commands: &[cmd(2, "/app/confluent/bin/kafka-console-consumer --bootstrap-server localhost:9092 --topic test --from-beginning --group consumer-1")],
            look_at: &[LookAt::Group("consumer-1"), LookAt::Terminal(2)],
            goal_text: "A consumer of group `consumer-1` in terminal 2 owns the partition and shows the records.",
            goal: Goal::All(&[Goal::GroupMembersOwn { group: "consumer-1", topic: "test", members: 1 }, Goal::Output { term: 2, text: "third message" }]),
            hints: &["Press Ctrl-C in terminal 2 first: a terminal runs one foreground command at a time."],
            solution: &[
                ctrl_c(2),
                l(2, "/app/confluent/bin/kafka-console-consumer --bootstrap-server localhost:9092 --topic test --from-beginning --group consumer-1"),
                wait(5_000),
            ],
            wrong: &[wrong("the new command typed into the running consumer (no Ctrl-C)", &[
                l(2, "/app/confluent/bin/kafka-console-consumer --bootstrap-server localhost:9092 --topic test --from-beginning --group consumer-1"),
                wait(5_000),
            ])],
        },
        Step {
            title: "A second consumer in the same group",
            narrative: &[
                "Start the very same command in terminal 3. The group rebalances and now has two members, but `test` has a single partition, and within a group each partition is read by exactly one member. One consumer gets the partition; the other gets nothing and waits, ready to take over.",
                "Check with `kafka-consumer-groups --describe --group consumer-1 --members`: one member has 1 partition, the other 0.",
            ],
            commands: &[
                cmd(3, "/app/confluent/bin/kafka-console-consumer --bootstrap-server localhost:9092 --topic test --from-beginning --group consumer-1"),
                cmd(1, "kafka-consumer-groups --bootstrap-server localhost:9092 --describe --group consumer-1 --members"),
            ],
            look_at: &[LookAt::Group("consumer-1"), LookAt::Terminal(3)],
            goal_text: "Group `consumer-1` has two members, one of them idle.",
            goal: Goal::All(&[Goal::GroupMembers { group: "consumer-1", count: 2 }, Goal::GroupIdleMember { group: "consumer-1" }]),
            hints: &["The rebalance takes a few seconds: the first member learns about it on its next heartbeat."],
            solution: &[
                l(3, "/app/confluent/bin/kafka-console-consumer --bootstrap-server localhost:9092 --topic test --from-beginning --group consumer-1"),
                wait(8_000),
                l(1, "kafka-consumer-groups --bootstrap-server localhost:9092 --describe --group consumer-1 --members"),
            ],
            wrong: &[wrong("the second consumer joins another group", &[
                l(3, "/app/confluent/bin/kafka-console-consumer --bootstrap-server localhost:9092 --topic test --from-beginning --group consumer-2"),
                wait(8_000),
            ])],
        },
        Step {
            title: "Only one of them reads",
            narrative: &[
                "Produce one more line from terminal 1. It appears in exactly one of the two consumers: the one that owns partition 0. With one partition, a group can never read faster than one consumer can, however many you start.",
            ],
            commands: &[cmd(1, "/app/confluent/bin/kafka-console-producer --broker-list localhost:9092 --topic test")],
            look_at: &[LookAt::Terminal(2), LookAt::Terminal(3)],
            goal_text: "`fourth message` shows up in exactly one of terminals 2 and 3.",
            goal: Goal::All(&[
                Goal::Say {
                    goal: &Goal::Any(&[Goal::Output { term: 2, text: "fourth message" }, Goal::Output { term: 3, text: "fourth message" }]),
                    why: "Neither terminal 2 nor terminal 3 has shown `fourth message` yet",
                },
                Goal::Never {
                    goal: &Goal::All(&[Goal::Output { term: 2, text: "fourth message" }, Goal::Output { term: 3, text: "fourth message" }]),
                    why: "Both terminals showed `fourth message`: they no longer share one group.",
                },
            ]),
            hints: &["Type `fourth message`, Enter, then Ctrl-D. Then look at terminals 2 and 3 (their tabs)."],
            solution: &[
                l(1, "/app/confluent/bin/kafka-console-producer --broker-list localhost:9092 --topic test"),
                l(1, "fourth message"),
                eof(1),
                wait(2_000),
            ],
            wrong: &[wrong("the line typed into a consumer instead of a producer", &[l(2, "fourth message"), wait(2_000)])],
        },
    ],
};

const CREATE_TEST_100: &str = "/app/confluent/bin/kafka-topics --create --bootstrap-server localhost:9092 --replication-factor 1 --partitions 100 --topic test";
const CONSUME_GROUP_1: &str = "/app/confluent/bin/kafka-console-consumer --bootstrap-server localhost:9092 --topic test --from-beginning --group consumer-1";

pub const PARTITIONS: Lesson = Lesson {
    id: "partitions",
    title: "More partitions, more consumers",
    summary: "Delete `test`, recreate it with 100 partitions, and watch a group split them.",
    challenge: false,
    brokers: 3,
    setup: &[l(1, CREATE_TEST), l(1, PRODUCE_THREE)],
    steps: &[
        Step {
            title: "Create it again?",
            narrative: &[
                "This lesson starts with a topic `test` of one partition, holding three records. Try to create a `test` with 100 partitions: the cluster refuses, because the name is taken.",
            ],
            commands: &[cmd(1, CREATE_TEST_100)],
            look_at: &[LookAt::Topic("test")],
            goal_text: "Try to create `test` again and see the cluster refuse: the name is taken.",
            goal: Goal::Say { goal: &Goal::Output { term: 1, text: "already exists" }, why: "Terminal 1 has not shown the error `Topic 'test' already exists` yet" },
            hints: &["An error is the expected outcome of this step."],
            solution: &[l(1, CREATE_TEST_100)],
            wrong: &[wrong("a topic of another name is created", &[l(1, "/app/confluent/bin/kafka-topics --create --bootstrap-server localhost:9092 --replication-factor 1 --partitions 100 --topic test3")])],
        },
        Step {
            title: "Delete the topic",
            narrative: &[
                "Deleting a topic deletes its partitions and every record in them, on every broker. There is no undo, so real clusters often restrict who may do it (`delete.topic.enable`, ACLs). Here it is only a test topic.",
            ],
            commands: &[cmd(1, "/app/confluent/bin/kafka-topics --bootstrap-server localhost:9092  --delete --topic test")],
            look_at: &[LookAt::Topic("test")],
            goal_text: "The topic `test` is deleted.",
            goal: Goal::TopicAbsent { topic: "test" },
            hints: &["`kafka-topics --list` confirms it is gone. An error `Topic 'Optional[x]' does not exist as expected` is Kafka's way of saying there is no topic `x`."],
            solution: &[l(1, "/app/confluent/bin/kafka-topics --bootstrap-server localhost:9092  --delete --topic test")],
            wrong: &[wrong("a misspelt topic to delete", &[l(1, "/app/confluent/bin/kafka-topics --bootstrap-server localhost:9092  --delete --topic tset")])],
        },
        Step {
            title: "A hundred partitions",
            narrative: &["Now the command of the first step works. Each of the 100 partitions is its own log with its own leader, spread over the three brokers."],
            commands: &[cmd(1, CREATE_TEST_100)],
            look_at: &[LookAt::Topic("test")],
            goal_text: "The topic `test` exists again, with 100 partitions.",
            goal: Goal::Partitions { topic: "test", count: 100 },
            hints: &["Same command as the first step of this lesson."],
            solution: &[l(1, CREATE_TEST_100)],
            wrong: &[wrong("ten partitions", &[l(1, "/app/confluent/bin/kafka-topics --create --bootstrap-server localhost:9092 --replication-factor 1 --partitions 10 --topic test")])],
        },
        Step {
            title: "Two consumers, one group",
            narrative: &[
                "Start the same consumer in terminals 2 and 3, both in group `consumer-1`. This time the group has 100 partitions to share: the default assignor (range) gives partitions 0 to 49 to one member and 50 to 99 to the other. `kafka-consumer-groups --describe --group consumer-1` shows who owns what.",
            ],
            commands: &[cmd(2, CONSUME_GROUP_1), cmd(3, CONSUME_GROUP_1), cmd(1, "kafka-consumer-groups --bootstrap-server localhost:9092 --describe --group consumer-1")],
            look_at: &[LookAt::Group("consumer-1")],
            goal_text: "Two consumers of group `consumer-1` each own part of the 100 partitions.",
            goal: Goal::GroupMembersOwn { group: "consumer-1", topic: "test", members: 2 },
            hints: &["Start both consumers, wait a few seconds, then describe the group."],
            solution: &[l(2, CONSUME_GROUP_1), l(3, CONSUME_GROUP_1), wait(8_000), l(1, "kafka-consumer-groups --bootstrap-server localhost:9092 --describe --group consumer-1")],
            wrong: &[wrong("only one consumer", &[l(2, CONSUME_GROUP_1), wait(8_000), l(1, "kafka-consumer-groups --bootstrap-server localhost:9092 --describe --group consumer-1")])],
        },
        Step {
            title: "The data is split",
            narrative: &[
                "Produce some data and see both consumers print part of it. A producer without keys does not spread single records evenly: it sticks to one partition until it has sent about a batch (`batch.size`, 16 KB) there, then picks another. A handful of typed lines therefore lands in one partition and one consumer; volume spreads out. `kafka-producer-perf-test` writes 1000 records of 100 bytes at once.",
                "Each partition is read by one member only, so the number of partitions caps how many consumers of a group can work at the same time. Choose it with the future in mind.",
            ],
            commands: &[cmd(1, "kafka-producer-perf-test --topic test --num-records 1000 --record-size 100 --throughput -1 --producer-props bootstrap.servers=localhost:9092")],
            look_at: &[LookAt::Terminal(2), LookAt::Terminal(3)],
            goal_text: "Records of `test` sit in several partitions, and group `consumer-1` has read them all.",
            goal: Goal::All(&[Goal::PartitionsWithRecords { topic: "test", at_least: 2 }, Goal::LagAtMost { group: "consumer-1", topic: "test", lag: 0 }]),
            hints: &["The group commits its progress every 5 seconds; the goal waits for that."],
            solution: &[l(1, "kafka-producer-perf-test --topic test --num-records 1000 --record-size 100 --throughput -1 --producer-props bootstrap.servers=localhost:9092"), wait(8_000)],
            wrong: &[wrong("a few typed lines all land in one partition", &[
                l(1, "kafka-console-producer --bootstrap-server localhost:9092 --topic test"),
                l(1, "one"),
                l(1, "two"),
                l(1, "three"),
                l(1, "four"),
                eof(1),
                wait(8_000),
            ])],
        },
    ],
};

const KEYED_PRODUCER: &str =
    "/app/confluent/bin/kafka-console-producer --broker-list localhost:9092 --topic test2 --property \"parse.key=true\" --property \"key.separator=:\"";

pub const KEYS: Lesson = Lesson {
    id: "keys",
    title: "Keys decide partitions",
    summary: "The same key always lands in the same partition; no key spreads the load; kcat hashes differently.",
    challenge: false,
    brokers: 3,
    setup: &[],
    steps: &[
        Step {
            title: "A topic with room to spread",
            narrative: &[
                "Every record has a key and a value; the key is optional. Writing keyed records to a topic that does not exist yet would create it on the fly with the broker default of one partition (`num.partitions=1`), and with one partition every key lands in the same place. Create `test2` with six partitions first.",
            ],
            commands: &[cmd(1, "kafka-topics --bootstrap-server localhost:9092 --create --topic test2 --partitions 6 --replication-factor 1")],
            look_at: &[LookAt::Topic("test2")],
            goal_text: "The topic `test2` exists with six partitions.",
            goal: Goal::Partitions { topic: "test2", count: 6 },
            hints: &["The replication factor is a number: `--replication-factor 1`."],
            solution: &[l(1, "kafka-topics --bootstrap-server localhost:9092 --create --topic test2 --partitions 6 --replication-factor 1")],
            wrong: &[wrong("`one` is not a number", &[l(1, "kafka-topics --bootstrap-server localhost:9092 --create --topic test2 --partitions 6 --replication-factor one")])],
        },
        Step {
            title: "Keyed records",
            narrative: &[
                "With `parse.key=true` and `key.separator=:`, the console producer splits each line at the first `:` into key and value. The default partitioner hashes the key (murmur2) and takes it modulo the number of partitions, so the same key always goes to the same partition, and the records of one key stay in order.",
            ],
            commands: &[cmd(1, KEYED_PRODUCER)],
            look_at: &[LookAt::Topic("test2")],
            goal_text: "Three or more records with key `alice` sit together in one partition of `test2`.",
            goal: Goal::KeyInOnePartition { topic: "test2", key: "alice", at_least: 3 },
            hints: &["Type `alice:signed up`, `bob:signed up`, `alice:added to basket`, `carol:signed up`, `alice:paid`, then Ctrl-D."],
            solution: &[
                l(1, KEYED_PRODUCER),
                l(1, "alice:signed up"),
                l(1, "bob:signed up"),
                l(1, "alice:added to basket"),
                l(1, "carol:signed up"),
                l(1, "alice:paid"),
                eof(1),
            ],
            wrong: &[wrong("no key separator: the producer stops at the first line", &[l(1, KEYED_PRODUCER), l(1, "alice signed up"), l(1, "alice added to basket"), l(1, "alice paid"), eof(1)])],
        },
        Step {
            title: "Where did they go?",
            narrative: &[
                "Ask the consumer to print each record's partition and key. All of alice's records come from one partition, in the order you typed them. Keys are also handy for filtering and for compaction, as a later lesson shows.",
            ],
            commands: &[cmd(1, "kafka-console-consumer --bootstrap-server localhost:9092 --topic test2 --from-beginning --property print.partition=true --property print.key=true --max-messages 5")],
            look_at: &[LookAt::Topic("test2")],
            goal_text: "A consumer shows each record of `test2` with its partition and key.",
            goal: Goal::Say {
                goal: &Goal::Showed { pattern: "kafka-console-consumer*print.partition=true", text: "Partition:" },
                why: "No consumer has shown records with their partition yet: ask for it with `--property print.partition=true`",
            },
            hints: &[],
            solution: &[l(1, "kafka-console-consumer --bootstrap-server localhost:9092 --topic test2 --from-beginning --property print.partition=true --property print.key=true --max-messages 5"), wait(2_000)],
            wrong: &[
                wrong("a consumer without print.partition", &[l(1, "kafka-console-consumer --bootstrap-server localhost:9092 --topic test2 --from-beginning --max-messages 5"), wait(2_000)]),
                wrong("kafka-topics --describe also prints `Partition:`", &[l(1, "kafka-topics --bootstrap-server localhost:9092 --describe --topic test2")]),
            ],
        },
        Step {
            title: "No key spreads the load",
            narrative: &[
                "Without a key there is no reason to pick any particular partition. The producer fills a batch for one partition, then moves on, so over many records every partition gets a share; not an equal one (a batch at a time, and the next partition is picked at random), so expect counts that differ by a factor of two. Write ten thousand unkeyed records and look at the offsets with `kafka-get-offsets`.",
            ],
            commands: &[
                cmd(1, "kafka-producer-perf-test --topic test2 --num-records 10000 --record-size 100 --throughput -1 --producer-props bootstrap.servers=localhost:9092"),
                cmd(1, "kafka-get-offsets --bootstrap-server localhost:9092 --topic test2"),
            ],
            look_at: &[LookAt::Topic("test2")],
            goal_text: "Every one of the six partitions of `test2` holds records.",
            goal: Goal::PartitionsWithRecords { topic: "test2", at_least: 6 },
            hints: &[],
            solution: &[
                l(1, "kafka-producer-perf-test --topic test2 --num-records 10000 --record-size 100 --throughput -1 --producer-props bootstrap.servers=localhost:9092"),
                l(1, "kafka-get-offsets --bootstrap-server localhost:9092 --topic test2"),
            ],
            wrong: &[wrong("a few more keyed records stay in their keys' partitions", &[l(1, KEYED_PRODUCER), l(1, "alice:again"), l(1, "bob:again"), eof(1)])],
        },
        Step {
            title: "kcat places keys differently",
            narrative: &[
                "The partitioner runs in the client, not in the broker, so two clients can disagree. kcat is built on librdkafka, whose default partitioner hashes keys with CRC32 rather than murmur2. Send another record for alice with kcat (`-K:` splits key and value at the colon): it lands in a different partition from alice's other records, and her story is now split across two logs, out of order for any reader.",
            ],
            commands: &[cmd(1, "kcat -P -b localhost:9092 -t test2 -K:")],
            look_at: &[LookAt::Topic("test2")],
            goal_text: "Records with key `alice` now sit in two different partitions of `test2`.",
            goal: Goal::KeyInPartitions { topic: "test2", key: "alice", at_least: 2 },
            hints: &["Type `alice:from kcat`, then Ctrl-D."],
            solution: &[l(1, "kcat -P -b localhost:9092 -t test2 -K:"), l(1, "alice:from kcat"), eof(1)],
            wrong: &[wrong("without -K: the whole line is the value and the key is null", &[l(1, "kcat -P -b localhost:9092 -t test2"), l(1, "alice:from kcat"), eof(1)])],
        },
        Step {
            title: "Make them agree",
            narrative: &[
                "librdkafka can use Java's hashing: `-X partitioner=murmur2_random`. Send a record for bob that way; it joins bob's earlier record. The partitioner is pluggable in every client (in Java, `partitioner.class`); custom ones are used for advanced sharding, but every producer of a topic must agree on it.",
            ],
            commands: &[cmd(1, "kcat -P -b localhost:9092 -t test2 -K: -X partitioner=murmur2_random")],
            look_at: &[LookAt::Topic("test2")],
            goal_text: "bob's records, from both clients, sit together in one partition of `test2`.",
            goal: Goal::KeyInOnePartition { topic: "test2", key: "bob", at_least: 2 },
            hints: &["Type `bob:from kcat`, then Ctrl-D."],
            solution: &[l(1, "kcat -P -b localhost:9092 -t test2 -K: -X partitioner=murmur2_random"), l(1, "bob:from kcat"), eof(1)],
            wrong: &[wrong("kcat's default partitioner (CRC32) again", &[l(1, "kcat -P -b localhost:9092 -t test2 -K:"), l(1, "bob:from kcat"), eof(1)])],
        },
    ],
};
