//! Compacted topics, schemas, and the log as the golden source of truth.

use super::{cmd, eof, l, wait};
use crate::lessons::{Goal, Lesson, LookAt, Step};

const CREATE_COMPACTED: &str = "/app/confluent/bin/kafka-topics --create --bootstrap-server localhost:9092 --replication-factor 1 --partitions 1 --topic compacted --config min.cleanable.dirty.ratio=0.01 --config cleanup.policy=compact --config segment.ms=100 --config delete.retention.ms=100";
const PRODUCE_COMPACTED: &str =
    "/app/confluent/bin/kafka-console-producer --broker-list localhost:9092 --topic compacted --property \"parse.key=true\" --property \"key.separator=:\"";
const KCAT_COMPACTED: &str = "kafkacat -b localhost:9092 -t compacted -e";

pub const COMPACTION: Lesson = Lesson {
    id: "compaction",
    title: "Compacted topics: the latest value per key",
    summary: "Create the tutorial's compacted topic, watch older values of a key disappear, and delete a key with a tombstone.",
    challenge: false,
    brokers: 3,
    setup: &[],
    steps: &[
        Step {
            title: "A topic that keeps the last word",
            narrative: &[
                "A normal topic deletes old records by age or size (`cleanup.policy=delete`). A compacted topic instead keeps, for every key, at least the latest record, and throws older ones away. An unbounded stream of updates then takes bounded space: it converges to one record per key, exactly what a table needs.",
                "The tutorial's settings make compaction happen almost at once: a new segment file every 100 ms (`segment.ms`), a log considered worth cleaning as soon as 1% of it is dirty (`min.cleanable.dirty.ratio`), and deletion markers kept only 100 ms (`delete.retention.ms`).",
            ],
            commands: &[cmd(1, CREATE_COMPACTED)],
            look_at: &[LookAt::Topic("compacted")],
            goal: Goal::All(&[
                Goal::TopicConfig { topic: "compacted", key: "cleanup.policy", value: "compact" },
                Goal::TopicConfig { topic: "compacted", key: "segment.ms", value: "100" },
            ]),
            hints: &[],
            solution: &[l(1, CREATE_COMPACTED)],
        },
        Step {
            title: "Several values for one key",
            narrative: &[
                "Produce keyed records. A small slip in the tutorial: after creating `compacted` it produces to `test2`. Produce to `compacted`, as here, or there is nothing to compact.",
            ],
            commands: &[cmd(1, PRODUCE_COMPACTED)],
            look_at: &[LookAt::Partition("compacted", 0)],
            goal: Goal::All(&[Goal::ValueExists { topic: "compacted", value: "v3" }, Goal::ValueExists { topic: "compacted", value: "k2-v1" }]),
            hints: &["Type `k1:v1`, `k2:k2-v1`, `k1:v2`, `k1:v3`, then Ctrl-D."],
            solution: &[l(1, PRODUCE_COMPACTED), l(1, "k1:v1"), l(1, "k2:k2-v1"), l(1, "k1:v2"), l(1, "k1:v3"), eof(1)],
        },
        Step {
            title: "Read with kcat",
            narrative: &["Read the topic with kcat, a client built on librdkafka. `-e` makes it exit at the end of the partition instead of waiting."],
            commands: &[cmd(1, KCAT_COMPACTED)],
            look_at: &[LookAt::Partition("compacted", 0)],
            goal: Goal::Output { term: 1, text: "v3" },
            hints: &[],
            solution: &[l(1, KCAT_COMPACTED)],
        },
        Step {
            title: "Duplicates cleaned away",
            narrative: &[
                "The cleaner never touches the active segment (the one being written), so produce a little more to roll a new one, wait a few seconds, and read again. Only the latest value of `k1` remains. Compaction keeps offsets: the survivors keep theirs, leaving gaps.",
                "Real topics compact far less often: segments roll after a week or a gigabyte and the cleaner waits until half the log is dirty. That is fine, because compaction is about bounding storage, not about hiding history from readers. A view built from the topic must use the same key, so that a newer record overwrites an older one there too.",
            ],
            commands: &[cmd(1, PRODUCE_COMPACTED), cmd(1, KCAT_COMPACTED)],
            look_at: &[LookAt::Partition("compacted", 0)],
            goal: Goal::KeyCopiesAtMost { topic: "compacted", key: "k1", at_most: 1 },
            hints: &["Type `k3:k3-v1` in the producer, Ctrl-D, wait about 20 seconds, then run kcat again."],
            solution: &[l(1, PRODUCE_COMPACTED), l(1, "k3:k3-v1"), eof(1), wait(20_000), l(1, PRODUCE_COMPACTED), l(1, "k3:k3-v2"), eof(1), wait(20_000), l(1, KCAT_COMPACTED)],
        },
        Step {
            title: "Tombstones delete a key",
            narrative: &[
                "To delete a key from a compacted topic, write a record with that key and no value (null): a tombstone. Compaction then removes the older values, and after `delete.retention.ms` the tombstone itself, giving readers time to see the deletion. With `null.marker=NULL` the console producer sends a null value when you type `NULL`.",
            ],
            commands: &[cmd(1, "kafka-console-producer --bootstrap-server localhost:9092 --topic compacted --property parse.key=true --property key.separator=: --property null.marker=NULL")],
            look_at: &[LookAt::Partition("compacted", 0)],
            goal: Goal::KeyDeleted { topic: "compacted", key: "k2" },
            hints: &["Type `k2:NULL`, then Ctrl-D."],
            solution: &[
                l(1, "kafka-console-producer --bootstrap-server localhost:9092 --topic compacted --property parse.key=true --property key.separator=: --property null.marker=NULL"),
                l(1, "k2:NULL"),
                eof(1),
                wait(1_000),
            ],
        },
    ],
};

pub const SCHEMAS: Lesson = Lesson {
    id: "schemas",
    title: "Schemas are your API",
    summary: "A producer changes its message format and a consumer written for the old one breaks; schemas and compatibility rules prevent it.",
    challenge: false,
    brokers: 3,
    setup: &[l(1, "kafka-topics --bootstrap-server localhost:9092 --create --topic signups --partitions 1 --replication-factor 1")],
    steps: &[
        Step {
            title: "Version 1 of a message",
            narrative: &[
                "To Kafka a record is just bytes. The meaning lives in the code of the producers and consumers, and that makes the message format an API between teams. Write a few sign-ups as JSON with a top-level `email` field, the format a billing team's consumer was written against.",
            ],
            commands: &[cmd(1, "kafka-console-producer --bootstrap-server localhost:9092 --topic signups")],
            look_at: &[LookAt::Topic("signups")],
            goal: Goal::ValueExists { topic: "signups", value: "{\"user\":\"ann\",\"email\":\"ann@example.com\"}" },
            hints: &["Type `{\"user\":\"ann\",\"email\":\"ann@example.com\"}`, then Ctrl-D."],
            solution: &[l(1, "kafka-console-producer --bootstrap-server localhost:9092 --topic signups"), l(1, "{\"user\":\"ann\",\"email\":\"ann@example.com\"}"), eof(1)],
        },
        Step {
            title: "The producer changes the format",
            narrative: &[
                "The producing team moves `email` into a `contact` object. Nothing stops them: the broker accepts any bytes. Write one record in the new format.",
            ],
            commands: &[cmd(1, "kafka-console-producer --bootstrap-server localhost:9092 --topic signups")],
            look_at: &[LookAt::Topic("signups")],
            goal: Goal::ValueExists { topic: "signups", value: "{\"user\":\"bob\",\"contact\":{\"email\":\"bob@example.com\"}}" },
            hints: &["Type `{\"user\":\"bob\",\"contact\":{\"email\":\"bob@example.com\"}}`, then Ctrl-D."],
            solution: &[l(1, "kafka-console-producer --bootstrap-server localhost:9092 --topic signups"), l(1, "{\"user\":\"bob\",\"contact\":{\"email\":\"bob@example.com\"}}"), eof(1)],
        },
        Step {
            title: "The consumer sees both",
            narrative: &[
                "Read the topic as the billing team does. The log now holds both formats, forever (or until retention). A consumer that looks for a top-level `email` finds none in bob's record: it crashes, or worse, bills nobody. With ten services this is manageable by talking; with hundreds it breaks weekly.",
                "Schemas make the format explicit. With Avro (Confluent's choice) or Protobuf, producers register the schema of what they write in a schema registry, and records carry the schema's id. The registry enforces compatibility rules: under BACKWARD compatibility (the registry's default) a new schema must be readable by consumers of the previous one, so fields may be added with defaults or removed, but not renamed or moved as bob's producer did. FORWARD and FULL protect the other direction. The schema becomes the API documentation of the stream.",
            ],
            commands: &[cmd(1, "kafka-console-consumer --bootstrap-server localhost:9092 --topic signups --from-beginning --max-messages 2")],
            look_at: &[LookAt::Topic("signups")],
            goal: Goal::All(&[Goal::Output { term: 1, text: "\"contact\"" }, Goal::Output { term: 1, text: "ann@example.com" }]),
            hints: &[],
            solution: &[l(1, "kafka-console-consumer --bootstrap-server localhost:9092 --topic signups --from-beginning --max-messages 2"), wait(2_000)],
        },
    ],
};

const CREATE_CUSTOMERS: &str = "kafka-topics --bootstrap-server localhost:9092 --create --topic customers --partitions 1 --replication-factor 3 --config cleanup.policy=compact --config segment.ms=100 --config min.cleanable.dirty.ratio=0.01";
const BUILD_VIEW: &str = "kafka-console-consumer --bootstrap-server localhost:9092 --topic customers --from-beginning --property print.key=true --timeout-ms 10000 > view.txt";

pub const GOLDEN_SOURCE: Lesson = Lesson {
    id: "golden-source",
    title: "The golden source of truth",
    summary: "Build a view from a compacted topic, lose it, and rebuild it from the log.",
    challenge: false,
    brokers: 3,
    setup: &[
        l(1, CREATE_CUSTOMERS),
        l(1, "kafka-console-producer --bootstrap-server localhost:9092 --topic customers --property parse.key=true --property key.separator=:"),
        l(1, "ann:London"),
        l(1, "bob:Paris"),
        l(1, "ann:Berlin"),
        eof(1),
    ],
    steps: &[
        Step {
            title: "Build a view",
            narrative: &[
                "This lesson starts with a compacted topic `customers`: each customer's latest address, keyed by name (ann moved from London to Berlin). Treat the topic as the source of truth and everything else as a view built from it. Build a very simple view: a file with each key and value.",
                "`--timeout-ms 10000` stops the consumer once a poll has waited ten seconds without a record (joining its new group takes about three of them); it then reports a timeout, which is expected.",
            ],
            commands: &[cmd(1, BUILD_VIEW), cmd(1, "cat view.txt")],
            look_at: &[LookAt::Topic("customers")],
            goal: Goal::FileContains { path: "view.txt", text: "Berlin" },
            hints: &[],
            solution: &[l(1, BUILD_VIEW), l(1, "cat view.txt")],
        },
        Step {
            title: "Lose the view",
            narrative: &["Disks fail, caches get flushed, a bad deploy corrupts an index. Empty the file to play the disaster."],
            commands: &[cmd(1, "printf '' > view.txt")],
            look_at: &[],
            goal: Goal::Not(&Goal::FileContains { path: "view.txt", text: "Berlin" }),
            hints: &[],
            solution: &[l(1, "printf '' > view.txt")],
        },
        Step {
            title: "Rebuild it from the log",
            narrative: &[
                "Because the topic still holds every key's latest value, the view can be rebuilt by reading it from the beginning again. This is the point of keeping the log: views (SQL, search indexes, caches) are disposable; the log is not. Compaction keeps the topic small enough to replay, and keying the view like the topic makes the newer value win.",
            ],
            commands: &[cmd(1, BUILD_VIEW), cmd(1, "cat view.txt")],
            look_at: &[LookAt::Topic("customers")],
            goal: Goal::All(&[Goal::FileContains { path: "view.txt", text: "Berlin" }, Goal::FileContains { path: "view.txt", text: "Paris" }]),
            hints: &[],
            solution: &[l(1, BUILD_VIEW), l(1, "cat view.txt")],
        },
    ],
};
