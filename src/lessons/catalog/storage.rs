//! Compacted topics, schemas, and the log as the golden source of truth.

use super::{cmd, ctrl_c, eof, l, wait, wrong};
use crate::lessons::{Goal, Lesson, LookAt, Step};

const CREATE_COMPACTED: &str = "/app/confluent/bin/kafka-topics --create --bootstrap-server localhost:9092 --replication-factor 1 --partitions 1 --topic compacted --config min.cleanable.dirty.ratio=0.01 --config cleanup.policy=compact --config segment.ms=100 --config delete.retention.ms=100";
const PRODUCE_COMPACTED: &str =
    "/app/confluent/bin/kafka-console-producer --broker-list localhost:9092 --topic compacted --property \"parse.key=true\" --property \"key.separator=:\"";
const KCAT_COMPACTED: &str = "kafkacat -b localhost:9092 -t compacted -e";

pub const COMPACTION: Lesson = Lesson {
    id: "compaction",
    title: "Compacted topics: the latest value per key",
    summary: "Create a compacted topic, watch older values of a key disappear, and delete a key with a tombstone.",
    challenge: false,
    brokers: 3,
    setup: &[],
    steps: &[
        Step {
            title: "A topic that keeps the last word",
            narrative: &[
                "A normal topic deletes old records by age or size (`cleanup.policy=delete`). A compacted topic instead keeps, for every key, at least the latest record, and throws older ones away. An unbounded stream of updates then takes bounded space: it converges to one record per key, exactly what a table needs.",
                "These settings make compaction happen almost at once: a new segment file every 100 ms (`segment.ms`), a log considered worth cleaning as soon as 1% of it is dirty (`min.cleanable.dirty.ratio`), and deletion markers kept only 100 ms (`delete.retention.ms`).",
            ],
            commands: &[cmd(1, CREATE_COMPACTED)],
            look_at: &[LookAt::Topic("compacted")],
            goal_text: "The topic `compacted` exists with `cleanup.policy=compact` and 100 ms segments.",
            goal: Goal::All(&[
                Goal::TopicConfig { topic: "compacted", key: "cleanup.policy", value: "compact" },
                Goal::TopicConfig { topic: "compacted", key: "segment.ms", value: "100" },
            ]),
            hints: &["The policy's value is `compact`."],
            solution: &[l(1, CREATE_COMPACTED)],
            wrong: &[wrong("`compacted` is not a cleanup policy", &[l(1, "/app/confluent/bin/kafka-topics --create --bootstrap-server localhost:9092 --replication-factor 1 --partitions 1 --topic compacted --config min.cleanable.dirty.ratio=0.01 --config cleanup.policy=compacted --config segment.ms=100 --config delete.retention.ms=100")])],
        },
        Step {
            title: "Several values for one key",
            narrative: &[
                "Produce keyed records to `compacted`: several values for key `k1`, one for `k2`. (Some write-ups of this example produce to `test2` at this point, by mistake: then there is nothing to compact.)",
            ],
            commands: &[cmd(1, PRODUCE_COMPACTED)],
            look_at: &[LookAt::Partition("compacted", 0)],
            goal_text: "`compacted` holds several values for key `k1` (the last one `v3`) and one for `k2`.",
            goal: Goal::All(&[
                Goal::KeyInOnePartition { topic: "compacted", key: "k1", at_least: 2 },
                Goal::ValueExists { topic: "compacted", value: "v3" },
                Goal::ValueExists { topic: "compacted", value: "k2-v1" },
            ]),
            hints: &["Type `k1:v1`, `k2:k2-v1`, `k1:v2`, `k1:v3`, then Ctrl-D. Key and value are separated by a colon."],
            solution: &[l(1, PRODUCE_COMPACTED), l(1, "k1:v1"), l(1, "k2:k2-v1"), l(1, "k1:v2"), l(1, "k1:v3"), eof(1)],
            wrong: &[wrong("`=` is not the key separator: the producer stops", &[l(1, PRODUCE_COMPACTED), l(1, "k1=v1"), l(1, "k2=k2-v1"), l(1, "k1=v2"), l(1, "k1=v3"), eof(1)])],
        },
        Step {
            title: "Read with kcat",
            narrative: &["Read the topic with kcat, a client built on librdkafka. `-e` makes it exit at the end of the partition instead of waiting."],
            commands: &[cmd(1, KCAT_COMPACTED)],
            look_at: &[LookAt::Partition("compacted", 0)],
            goal_text: "kcat shows the records of `compacted`, `v3` included.",
            goal: Goal::Say { goal: &Goal::Showed { pattern: "-t compacted", text: "v3" }, why: "kcat has not shown `v3` from `compacted` yet" },
            hints: &[],
            solution: &[l(1, KCAT_COMPACTED)],
            wrong: &[wrong("a topic that does not exist", &[l(1, "kafkacat -b localhost:9092 -t compact -e")])],
        },
        Step {
            title: "Duplicates cleaned away",
            narrative: &[
                "The cleaner never touches the active segment (the one being written), so produce a little more to roll a new one, wait a few seconds, and read again. Only the latest value of `k1` remains. Compaction keeps offsets: the survivors keep theirs, leaving gaps.",
                "Real topics compact far less often: segments roll after a week or a gigabyte and the cleaner waits until half the log is dirty. That is fine, because compaction is about bounding storage, not about hiding history from readers. A view built from the topic must use the same key, so that a newer record overwrites an older one there too.",
            ],
            commands: &[cmd(1, PRODUCE_COMPACTED), cmd(1, KCAT_COMPACTED)],
            look_at: &[LookAt::Partition("compacted", 0)],
            goal_text: "Only the latest value of `k1` remains in `compacted`.",
            goal: Goal::Say {
                goal: &Goal::KeyCopiesAtMost { topic: "compacted", key: "k1", at_most: 1 },
                why: "Older values of `k1` are still in `compacted`: the cleaner never touches the active segment. Produce another record, wait about 20 seconds, produce once more and wait again",
            },
            hints: &["Type `k3:k3-v1` in the producer, Ctrl-D, wait about 20 seconds; do it again with `k3:k3-v2`, then run kcat again."],
            solution: &[l(1, PRODUCE_COMPACTED), l(1, "k3:k3-v1"), eof(1), wait(20_000), l(1, PRODUCE_COMPACTED), l(1, "k3:k3-v2"), eof(1), wait(20_000), l(1, KCAT_COMPACTED)],
            wrong: &[wrong("reading again without writing: nothing rolls, nothing is cleaned", &[l(1, KCAT_COMPACTED)])],
        },
        Step {
            title: "Tombstones delete a key",
            narrative: &[
                "To delete a key from a compacted topic, write a record with that key and no value (null): a tombstone. Compaction then removes the older values, and after `delete.retention.ms` the tombstone itself, giving readers time to see the deletion. With `null.marker=NULL` the console producer sends a null value when you type `NULL`.",
            ],
            commands: &[cmd(1, "kafka-console-producer --bootstrap-server localhost:9092 --topic compacted --property parse.key=true --property key.separator=: --property null.marker=NULL")],
            look_at: &[LookAt::Partition("compacted", 0)],
            goal_text: "Key `k2` is deleted from `compacted` by a tombstone.",
            goal: Goal::KeyDeleted { topic: "compacted", key: "k2" },
            hints: &["Type `k2:NULL`, then Ctrl-D. `k2:` with nothing after the colon is an empty value, not a tombstone."],
            solution: &[
                l(1, "kafka-console-producer --bootstrap-server localhost:9092 --topic compacted --property parse.key=true --property key.separator=: --property null.marker=NULL"),
                l(1, "k2:NULL"),
                eof(1),
                wait(1_000),
            ],
            wrong: &[wrong("an empty value is not a tombstone", &[
                l(1, "kafka-console-producer --bootstrap-server localhost:9092 --topic compacted --property parse.key=true --property key.separator=: --property null.marker=NULL"),
                l(1, "k2:"),
                eof(1),
                wait(1_000),
            ])],
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
            goal_text: "`signups` holds a sign-up written as a JSON object with a top-level `email` field.",
            goal: Goal::JsonField { topic: "signups", field: "email" },
            hints: &["Type `{\"user\":\"ann\",\"email\":\"ann@example.com\"}`, then Ctrl-D. Any spacing works; the quotes are part of JSON."],
            solution: &[l(1, "kafka-console-producer --bootstrap-server localhost:9092 --topic signups"), l(1, "{\"user\": \"ann\", \"email\": \"ann@example.com\"}"), eof(1)],
            wrong: &[wrong("not JSON: no quotes, no braces", &[l(1, "kafka-console-producer --bootstrap-server localhost:9092 --topic signups"), l(1, "user ann, email ann@example.com"), eof(1)])],
        },
        Step {
            title: "The producer changes the format",
            narrative: &[
                "The producing team moves `email` into a `contact` object. Nothing stops them: the broker accepts any bytes. Write one record in the new format.",
            ],
            commands: &[cmd(1, "kafka-console-producer --bootstrap-server localhost:9092 --topic signups")],
            look_at: &[LookAt::Topic("signups")],
            goal_text: "`signups` also holds a record in the new format: a JSON object with a top-level `contact` field.",
            goal: Goal::JsonField { topic: "signups", field: "contact" },
            hints: &["Type `{\"user\":\"bob\",\"contact\":{\"email\":\"bob@example.com\"}}`, then Ctrl-D."],
            solution: &[l(1, "kafka-console-producer --bootstrap-server localhost:9092 --topic signups"), l(1, "{\"user\":\"bob\",\"contact\":{\"email\":\"bob@example.com\"}}"), eof(1)],
            wrong: &[wrong("another record in the old format", &[l(1, "kafka-console-producer --bootstrap-server localhost:9092 --topic signups"), l(1, "{\"user\":\"bob\",\"email\":\"bob@example.com\"}"), eof(1)])],
        },
        Step {
            title: "The consumer sees both",
            narrative: &[
                "Read the topic as the billing team does. The log now holds both formats, forever (or until retention). A consumer that looks for a top-level `email` finds none in bob's record: it crashes, or worse, bills nobody. With ten services this is manageable by talking; with hundreds it breaks weekly.",
                "Schemas make the format explicit. With Avro (Confluent's choice) or Protobuf, producers register the schema of what they write in a schema registry, and records carry the schema's id. The registry checks each new schema against the previous one. BACKWARD compatibility (the registry's default) means consumers using the new schema can read data written with the old one: fields may be removed, or added with defaults. It lets you upgrade consumers first, but it does not protect consumers still on the old schema from a producer's change: removing `email`, as bob's producer did in effect, is BACKWARD-compatible. FORWARD compatibility is the other direction, data written with the new schema readable by consumers of the old one, and that is what protects the billing team; FULL means both. (Avro, Protobuf and JSON Schema are all supported.) The schema becomes the API documentation of the stream.",
                "Read the topic as the billing team does; press Ctrl-C when you have seen both records.",
            ],
            commands: &[cmd(1, "kafka-console-consumer --bootstrap-server localhost:9092 --topic signups --from-beginning")],
            look_at: &[LookAt::Topic("signups")],
            goal_text: "A consumer shows both formats: a record with a top-level `email` and bob's with `contact`.",
            goal: Goal::All(&[
                Goal::Say { goal: &Goal::Showed { pattern: "kafka-console-consumer*--topic signups", text: "\"contact\"" }, why: "No consumer of `signups` has shown bob's record (with `\"contact\"`) yet: read from the beginning" },
                Goal::Say { goal: &Goal::Showed { pattern: "kafka-console-consumer*--topic signups", text: "\"email\"" }, why: "No consumer of `signups` has shown a record with `\"email\"` yet: read from the beginning" },
            ]),
            hints: &["`--from-beginning` reads what is already there."],
            solution: &[l(1, "kafka-console-consumer --bootstrap-server localhost:9092 --topic signups --from-beginning"), wait(3_000), ctrl_c(1)],
            wrong: &[wrong("without --from-beginning the consumer waits for new records", &[l(1, "kafka-console-consumer --bootstrap-server localhost:9092 --topic signups"), wait(3_000), ctrl_c(1)])],
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
        // Later writes roll the segment holding ann's move: the cleaner then drops her old address.
        wait(20_000),
        l(1, "echo 'carl:Rome' | kafka-console-producer --bootstrap-server localhost:9092 --topic customers --property parse.key=true --property key.separator=:"),
        wait(20_000),
        l(1, "echo 'dana:Oslo' | kafka-console-producer --bootstrap-server localhost:9092 --topic customers --property parse.key=true --property key.separator=:"),
        wait(20_000),
        l(1, "clear"),
    ],
    steps: &[
        Step {
            title: "Build a view",
            narrative: &[
                "This lesson starts with a compacted topic `customers`: addresses keyed by customer name. ann was written with London, then moved to Berlin; the cleaner has since compacted the log, so only her latest address, Berlin, is left. Treat the topic as the source of truth and everything else as a view built from it. Build a very simple view: a file with each key and value.",
                "`--timeout-ms 10000` stops the consumer once a poll has waited ten seconds without a record (joining its new group takes about three of them); it then reports a timeout, which is expected.",
            ],
            commands: &[cmd(1, BUILD_VIEW), cmd(1, "cat view.txt")],
            look_at: &[LookAt::Topic("customers")],
            goal_text: "The file `view.txt` lists the customers with their latest addresses (ann in Berlin).",
            goal: Goal::All(&[Goal::FileContains { path: "view.txt", text: "Berlin" }, Goal::FileLacks { path: "view.txt", text: "London" }]),
            hints: &["`> view.txt` sends the consumer's output to the file; `cat view.txt` shows it."],
            solution: &[l(1, BUILD_VIEW), l(1, "cat view.txt")],
            wrong: &[wrong("reading the file before building it", &[l(1, "cat view.txt")])],
        },
        Step {
            title: "Lose the view",
            narrative: &["Disks fail, caches get flushed, a bad deploy corrupts an index. Empty the file to play the disaster."],
            commands: &[cmd(1, "printf '' > view.txt")],
            look_at: &[],
            goal_text: "The view is lost: `view.txt` no longer holds ann's address.",
            goal: Goal::FileLacks { path: "view.txt", text: "Berlin" },
            hints: &["`rm view.txt` works too."],
            solution: &[l(1, "printf '' > view.txt")],
            wrong: &[wrong("another file emptied", &[l(1, "printf '' > view2.txt")])],
        },
        Step {
            title: "Rebuild it from the log",
            narrative: &[
                "Because the topic still holds every key's latest value, the view can be rebuilt by reading it from the beginning again. This is the point of keeping the log: views (SQL, search indexes, caches) are disposable; the log is not. Compaction keeps the topic small enough to replay. A real view is keyed like the topic (a table with one row per customer), so that a newer record overwrites an older one even before the cleaner has run; this file simply lists what the topic holds.",
            ],
            commands: &[cmd(1, BUILD_VIEW), cmd(1, "cat view.txt")],
            look_at: &[LookAt::Topic("customers")],
            goal_text: "`view.txt` is rebuilt from the log: every customer with the latest address.",
            goal: Goal::All(&[
                Goal::FileContains { path: "view.txt", text: "Berlin" },
                Goal::FileContains { path: "view.txt", text: "Paris" },
                Goal::FileLacks { path: "view.txt", text: "London" },
            ]),
            hints: &["The consumer must read from the beginning of the topic."],
            solution: &[l(1, BUILD_VIEW), l(1, "cat view.txt")],
            wrong: &[wrong("without --from-beginning the consumer only waits for new records", &[
                l(1, "kafka-console-consumer --bootstrap-server localhost:9092 --topic customers --property print.key=true --timeout-ms 10000 > view.txt"),
                l(1, "cat view.txt"),
            ])],
        },
    ],
};
