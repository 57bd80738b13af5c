//! Option tables of the Kafka tools, taken from their 3.9.0-rc3 declarations (names, argument
//! descriptions, defaults and help texts), for parsing and for faithful `--help` tables.

use crate::shell::jopt::{opt, Table};

/// Options of the tool, as declared in `TopicCommand.java` at 3.9.0-rc3.
pub const TOPICS: Table = Table(concat!(
    opt!("bootstrap-server", "REQUIRED: The Kafka server to connect to.", Required("server to connect to", String)),
    opt!("command-config", "Property file containing configs to be passed to Admin Client. This is used only with --bootstrap-server option for describing and altering broker configs.", Required("command config property file", String)),
    opt!("list", "List all available topics."),
    opt!("create", "Create a new topic."),
    opt!("delete", "Delete a topic"),
    opt!("alter", "Alter the number of partitions and replica assignment. Update the configuration of an existing topic via --alter is no longer supported here (the kafka-configs CLI supports altering topic configs with a --bootstrap-server option)."),
    opt!("describe", "List details for the given topics."),
    opt!("topic", "The topic to create, alter, describe or delete. It also accepts a regular expression, except for --create option. Put topic name in double quotes and use the '\\' prefix to escape regular expression symbols; e.g. \"test\\.topic\".", Required("topic", String)),
    opt!("topic-id", "The topic-id to describe.This is used only with --bootstrap-server option for describing topics.", Required("topic-id", String)),
    opt!("config", "A topic configuration override for the topic being created. The following is a list of valid configurations: \n\tcleanup.policy\n\tcompression.gzip.level\n\tcompression.lz4.level\n\tcompression.type\n\tcompression.zstd.level\n\tdelete.retention.ms\n\tfile.delete.delay.ms\n\tflush.messages\n\tflush.ms\n\tfollower.replication.throttled.replicas\n\tindex.interval.bytes\n\tleader.replication.throttled.replicas\n\tlocal.retention.bytes\n\tlocal.retention.ms\n\tmax.compaction.lag.ms\n\tmax.message.bytes\n\tmessage.downconversion.enable\n\tmessage.format.version\n\tmessage.timestamp.after.max.ms\n\tmessage.timestamp.before.max.ms\n\tmessage.timestamp.difference.max.ms\n\tmessage.timestamp.type\n\tmin.cleanable.dirty.ratio\n\tmin.compaction.lag.ms\n\tmin.insync.replicas\n\tpreallocate\n\tremote.log.copy.disable\n\tremote.log.delete.on.disable\n\tremote.storage.enable\n\tretention.bytes\n\tretention.ms\n\tsegment.bytes\n\tsegment.index.bytes\n\tsegment.jitter.ms\n\tsegment.ms\n\tunclean.leader.election.enable\nSee the Kafka documentation for full details on the topic configs. It is supported only in combination with --create if --bootstrap-server option is used (the kafka-configs CLI supports altering topic configs with a --bootstrap-server option).", Required("name=value", String)),
    opt!("delete-config", "A topic configuration override to be removed for an existing topic (see the list of configurations under the --config option). Not supported with the --bootstrap-server option.", Required("name", String)),
    opt!("partitions", "The number of partitions for the topic being created or altered (WARNING: If partitions are increased for a topic that has a key, the partition logic or ordering of the messages will be affected). If not supplied for create, defaults to the cluster default.", Required("# of partitions", Integer)),
    opt!("replication-factor", "The replication factor for each partition in the topic being created. If not supplied, defaults to the cluster default.", Required("replication factor", Integer)),
    opt!("replica-assignment", "A list of manual partition-to-broker assignments for the topic being created or altered.", Required("broker_id_for_part1_replica1 : broker_id_for_part1_replica2 , broker_id_for_part2_replica1 : broker_id_for_part2_replica2 , ...", String)),
    opt!("under-replicated-partitions", "if set when describing topics, only show under replicated partitions"),
    opt!("unavailable-partitions", "if set when describing topics, only show partitions whose leader is not available"),
    opt!("under-min-isr-partitions", "if set when describing topics, only show partitions whose isr count is less than the configured minimum."),
    opt!("at-min-isr-partitions", "if set when describing topics, only show partitions whose isr count is equal to the configured minimum."),
    opt!("topics-with-overrides", "if set when describing topics, only show topics that have overridden configs"),
    opt!("if-exists", "if set when altering or deleting or describing topics, the action will only execute if the topic exists."),
    opt!("if-not-exists", "if set when creating topics, the action will only execute if the topic does not already exist."),
    opt!("exclude-internal", "exclude internal topics when running list or describe command. The internal topics will be listed by default"),
    opt!("partition-size-limit-per-response", "the maximum partition size to be included in one DescribeTopicPartitions response.", Required("maximum number of partitions in one response.", Integer)),
));

/// Options of the tool, as declared in `ConsoleProducer.scala` at 3.9.0-rc3.
pub const CONSOLE_PRODUCER: Table = Table(concat!(
    opt!("topic", "REQUIRED: The topic id to produce messages to.", Required("topic", String)),
    opt!("broker-list", "DEPRECATED, use --bootstrap-server instead; ignored if --bootstrap-server is specified.  The broker list string in the form HOST1:PORT1,HOST2:PORT2.", Required("broker-list", String)),
    opt!("bootstrap-server", "REQUIRED unless --broker-list(deprecated) is specified. The server(s) to connect to. The broker list string in the form HOST1:PORT1,HOST2:PORT2.", Required("server to connect to", String)),
    opt!("sync", "If set message send requests to the brokers are synchronously, one at a time as they arrive."),
    opt!("compression-codec", "The compression codec: either 'none', 'gzip', 'snappy', 'lz4', or 'zstd'.If specified without value, then it defaults to 'gzip'", Optional("compression-codec", String)),
    opt!("batch-size", "Number of messages to send in a single batch if they are not being sent synchronously. please note that this option will be replaced if max-partition-memory-bytes is also set", Required("size", Integer), default = "16384"),
    opt!("message-send-max-retries", "Brokers can fail receiving the message for multiple reasons, and being unavailable transiently is just one of them. This property specifies the number of retries before the producer give up and drop this message. This is the option to control `retries` in producer configs.", Required("", Integer), default = "3"),
    opt!("retry-backoff-ms", "Before each retry, the producer refreshes the metadata of relevant topics. Since leader election takes a bit of time, this property specifies the amount of time that the producer waits before refreshing the metadata. This is the option to control `retry.backoff.ms` in producer configs.", Required("", Long), default = "100"),
    opt!("timeout", "If set and the producer is running in asynchronous mode, this gives the maximum amount of time a message will queue awaiting sufficient batch size. The value is given in ms. This is the option to control `linger.ms` in producer configs.", Required("timeout_ms", Long), default = "1000"),
    opt!("request-required-acks", "The required `acks` of the producer requests", Required("request required acks", String), default = "-1"),
    opt!("request-timeout-ms", "The ack timeout of the producer requests. Value must be non-negative and non-zero.", Required("request timeout ms", Integer), default = "1500"),
    opt!("metadata-expiry-ms", "The period of time in milliseconds after which we force a refresh of metadata even if we haven't seen any leadership changes. This is the option to control `metadata.max.age.ms` in producer configs.", Required("metadata expiration interval", Long), default = "300000"),
    opt!("max-block-ms", "The max time that the producer will block for during a send request.", Required("max block on send", Long), default = "60000"),
    opt!("max-memory-bytes", "The total memory used by the producer to buffer records waiting to be sent to the server. This is the option to control `buffer.memory` in producer configs.", Required("total memory in bytes", Long), default = "33554432"),
    opt!("max-partition-memory-bytes", "The buffer size allocated for a partition. When records are received which are smaller than this size the producer will attempt to optimistically group them together until this size is reached. This is the option to control `batch.size` in producer configs.", Required("memory in bytes per partition", Integer), default = "16384"),
    opt!("line-reader", "The class name of the class to use for reading lines from standard in. By default each line is read as a separate message.", Required("reader_class", String), default = "kafka.tools.LineMessageReader"),
    opt!("socket-buffer-size", "The size of the tcp RECV size. This is the option to control `send.buffer.bytes` in producer configs.", Required("size", Integer), default = "102400"),
    opt!("property", "A mechanism to pass user-defined properties in the form key=value to the message reader. This allows custom configuration for a user-defined message reader.\nDefault properties include:\n parse.key=false\n parse.headers=false\n ignore.error=false\n key.separator=\\t\n headers.delimiter=\\t\n headers.separator=,\n headers.key.separator=:\n null.marker=   When set, any fields (key, value and headers) equal to this will be replaced by null\nDefault parsing pattern when:\n parse.headers=true and parse.key=true:\n  \"h1:v1,h2:v2...\\tkey\\tvalue\"\n parse.key=true:\n  \"key\\tvalue\"\n parse.headers=true:\n  \"h1:v1,h2:v2...\\tvalue\"\n      ", Required("prop", String)),
    opt!("reader-config", "Config properties file for the message reader. Note that $propertyOpt takes precedence over this config.", Required("config file", String)),
    opt!("producer-property", "A mechanism to pass user-defined properties in the form key=value to the producer. ", Required("producer_prop", String)),
    opt!("producer.config", "Producer config properties file. Note that $producerPropertyOpt takes precedence over this config.", Required("config file", String)),
));

/// Options of the tool, as declared in `ConsoleConsumerOptions.java` at 3.9.0-rc3.
pub const CONSOLE_CONSUMER: Table = Table(concat!(
    opt!("topic", "The topic to consume on.", Required("topic", String)),
    opt!("whitelist", "DEPRECATED, use --include instead; ignored if --include specified. Regular expression specifying list of topics to include for consumption.", Required("Java regex (String)", String)),
    opt!("include", "Regular expression specifying list of topics to include for consumption.", Required("Java regex (String)", String)),
    opt!("partition", "The partition to consume from. Consumption starts from the end of the partition unless '--offset' is specified.", Required("partition", Integer)),
    opt!("offset", "The offset to consume from (a non-negative number), or 'earliest' which means from beginning, or 'latest' which means from end", Required("consume offset", String), default = "latest"),
    opt!("consumer-property", "A mechanism to pass user-defined properties in the form key=value to the consumer.", Required("consumer_prop", String)),
    opt!("consumer.config", "Consumer config properties file. Note that [consumer-property] takes precedence over this config.", Required("config file", String)),
    opt!("formatter", "The name of a class to use for formatting kafka messages for display.", Required("class", String), default = "org.apache.kafka.tools.consumer.DefaultMessageFormatter"),
    opt!("property", "The properties to initialize the message formatter. Default properties include: \n print.timestamp=true|false\n print.key=true|false\n print.offset=true|false\n print.partition=true|false\n print.headers=true|false\n print.value=true|false\n key.separator=<key.separator>\n line.separator=<line.separator>\n headers.separator=<line.separator>\n null.literal=<null.literal>\n key.deserializer=<key.deserializer>\n value.deserializer=<value.deserializer>\n header.deserializer=<header.deserializer>\n\nUsers can also pass in customized properties for their formatter; more specifically, users can pass in properties keyed with 'key.deserializer.', 'value.deserializer.' and 'headers.deserializer.' prefixes to configure their deserializers.", Required("prop", String)),
    opt!("formatter-config", "Config properties file to initialize the message formatter. Note that [property] takes precedence over this config.", Required("config file", String)),
    opt!("from-beginning", "If the consumer does not already have an established offset to consume from, start with the earliest message present in the log rather than the latest message."),
    opt!("max-messages", "The maximum number of messages to consume before exiting. If not set, consumption is continual.", Required("num_messages", Integer)),
    opt!("timeout-ms", "If specified, exit if no message is available for consumption for the specified interval.", Required("timeout_ms", Long)),
    opt!("skip-message-on-error", "If there is an error when processing a message, skip it instead of halt."),
    opt!("bootstrap-server", "REQUIRED: The server(s) to connect to.", Required("server to connect to", String)),
    opt!("key-deserializer", "", Required("deserializer for key", String)),
    opt!("value-deserializer", "", Required("deserializer for values", String)),
    opt!("enable-systest-events", "Log lifecycle events of the consumer in addition to logging consumed messages. (This is specific for system tests.)"),
    opt!("isolation-level", "Set to read_committed in order to filter out transactional messages which are not committed. Set to read_uncommitted to read all messages.", Required("", String), default = "read_uncommitted"),
    opt!("group", "The consumer group id of the consumer.", Required("consumer group id", String)),
));

/// Options of the tool, as declared in `ConsumerGroupCommandOptions.java` at 3.9.0-rc3.
pub const CONSUMER_GROUPS: Table = Table(concat!(
    opt!("bootstrap-server", "REQUIRED: The server(s) to connect to.", Required("server to connect to", String)),
    opt!("group", "The consumer group we wish to act on.", Required("consumer group", String)),
    opt!("topic", "The topic whose consumer group information should be deleted or topic whose should be included in the reset offset process. In `reset-offsets` case, partitions can be specified using this format: `topic1:0,1,2`, where 0,1,2 are the partition to be included in the process. Reset-offsets also supports multiple topic inputs.", Required("topic", String)),
    opt!("all-topics", "Consider all topics assigned to a group in the `reset-offsets` process."),
    opt!("list", "List all consumer groups."),
    opt!("describe", "Describe consumer group and list offset lag (number of messages not yet processed) related to given group."),
    opt!("all-groups", "Apply to all consumer groups."),
    opt!("delete", "Pass in groups to delete topic partition offsets and ownership information over the entire consumer group. For instance --group g1 --group g2"),
    opt!("timeout", "The timeout that can be set for some use cases. For example, it can be used when describing the group to specify the maximum amount of time in milliseconds to wait before the group stabilizes (when the group is just created, or is going through some changes).", Required("timeout (ms)", Long), default = "5000"),
    opt!("command-config", "Property file containing configs to be passed to Admin Client and Consumer.", Required("command config property file", String)),
    opt!("reset-offsets", "Reset offsets of consumer group. Supports one consumer group at the time, and instances should be inactive\nHas 2 execution options: --dry-run (the default) to plan which offsets to reset, and --execute to update the offsets. Additionally, the --export option is used to export the results to a CSV format.\nYou must choose one of the following reset specifications: --to-datetime, --by-duration, --to-earliest, --to-latest, --shift-by, --from-file, --to-current, --to-offset.\nTo define the scope use --all-topics or --topic. One scope must be specified unless you use '--from-file'."),
    opt!("delete-offsets", "Delete offsets of consumer group. Supports one consumer group at the time, and multiple topics."),
    opt!("dry-run", "Only show results without executing changes on Consumer Groups. Supported operations: reset-offsets."),
    opt!("execute", "Execute operation. Supported operations: reset-offsets."),
    opt!("export", "Export operation execution to a CSV file. Supported operations: reset-offsets."),
    opt!("to-offset", "Reset offsets to a specific offset.", Required("offset", Long)),
    opt!("from-file", "Reset offsets to values defined in CSV file.", Required("path to CSV file", String)),
    opt!("to-datetime", "Reset offsets to offset from datetime. Format: 'YYYY-MM-DDTHH:mm:SS.sss'", Required("datetime", String)),
    opt!("by-duration", "Reset offsets to offset by duration from current timestamp. Format: 'PnDTnHnMnS'", Required("duration", String)),
    opt!("to-earliest", "Reset offsets to earliest offset."),
    opt!("to-latest", "Reset offsets to latest offset."),
    opt!("to-current", "Reset offsets to current offset."),
    opt!("shift-by", "Reset offsets shifting current offset by 'n', where 'n' can be positive or negative.", Required("number-of-offsets", Long)),
    opt!("members", "Describe members of the group. This option may be used with '--describe' and '--bootstrap-server' options only.\nExample: --bootstrap-server localhost:9092 --describe --group group1 --members"),
    opt!("verbose", "Provide additional information, if any, when describing the group. This option may be used with '--offsets'/'--members'/'--state' and '--bootstrap-server' options only.\nExample: --bootstrap-server localhost:9092 --describe --group group1 --members --verbose"),
    opt!("offsets", "Describe the group and list all topic partitions in the group along with their offset lag. This is the default sub-action of and may be used with '--describe' and '--bootstrap-server' options only.\nExample: --bootstrap-server localhost:9092 --describe --group group1 --offsets"),
    opt!("state", "When specified with '--describe', includes the state of the group.\nExample: --bootstrap-server localhost:9092 --describe --group group1 --state\nWhen specified with '--list', it displays the state of all groups. It can also be used to list groups with specific states.\nExample: --bootstrap-server localhost:9092 --list --state stable,empty\nThis option may be used with '--describe', '--list' and '--bootstrap-server' options only.", Optional("", String)),
    opt!("type", "When specified with '--list', it displays the types of all the groups. It can also be used to list groups with specific types.\nExample: --bootstrap-server localhost:9092 --list --type classic,consumer\nThis option may be used with the '--list' option only.", Optional("", String)),
));

/// Options of the tool, as declared in `ConfigCommand.scala` at 3.9.0-rc3.
pub const CONFIGS: Table = Table(concat!(
    opt!("zookeeper", "DEPRECATED. The connection string for the zookeeper connection in the form host:port. Multiple URLS can be given to allow fail-over. Required when configuring SCRAM credentials for users or dynamic broker configs when the relevant broker(s) are down. Not allowed otherwise.", Required("urls", String)),
    opt!("bootstrap-server", "The Kafka servers to connect to.", Required("server to connect to", String)),
    opt!("bootstrap-controller", "The Kafka controllers to connect to.", Required("controller to connect to", String)),
    opt!("command-config", "Property file containing configs to be passed to Admin Client. This is used only with --bootstrap-server option for describing and altering broker configs.", Required("command config property file", String)),
    opt!("alter", "Alter the configuration for the entity."),
    opt!("describe", "List configs for the given entity."),
    opt!("all", "List all configs for the given topic, broker, or broker-logger entity (includes static configuration when the entity type is brokers)"),
    opt!("entity-type", "Type of entity (topics/clients/users/brokers/broker-loggers/ips/client-metrics)", Required("", String)),
    opt!("entity-name", "Name of entity (topic name/client id/user principal name/broker id/ip/client metrics)", Required("", String)),
    opt!("entity-default", "Default entity name for clients/users/brokers/ips (applies to corresponding entity type in command line)"),
    opt!("add-config", "Key Value pairs of configs to add. Square brackets can be used to group values which contain commas: 'k1=v1,k2=[v1,v2,v2],k3=v3'. The following is a list of valid configurations: For entity-type 'topics': \n\tcleanup.policy\n\tcompression.gzip.level\n\tcompression.lz4.level\n\tcompression.type\n\tcompression.zstd.level\n\tdelete.retention.ms\n\tfile.delete.delay.ms\n\tflush.messages\n\tflush.ms\n\tfollower.replication.throttled.replicas\n\tindex.interval.bytes\n\tleader.replication.throttled.replicas\n\tlocal.retention.bytes\n\tlocal.retention.ms\n\tmax.compaction.lag.ms\n\tmax.message.bytes\n\tmessage.downconversion.enable\n\tmessage.format.version\n\tmessage.timestamp.after.max.ms\n\tmessage.timestamp.before.max.ms\n\tmessage.timestamp.difference.max.ms\n\tmessage.timestamp.type\n\tmin.cleanable.dirty.ratio\n\tmin.compaction.lag.ms\n\tmin.insync.replicas\n\tpreallocate\n\tremote.log.copy.disable\n\tremote.log.delete.on.disable\n\tremote.storage.enable\n\tretention.bytes\n\tretention.ms\n\tsegment.bytes\n\tsegment.index.bytes\n\tsegment.jitter.ms\n\tsegment.ms\n\tunclean.leader.election.enable\nFor entity-type 'brokers': \n\t(see the Kafka documentation)\nFor entity-type 'users': \n\t(see the Kafka documentation)\nFor entity-type 'clients': \n\t(see the Kafka documentation)\nFor entity-type 'ips': \n\t(see the Kafka documentation)\nFor entity-type 'client-metrics': \n\t(see the Kafka documentation)\nEntity types 'users' and 'clients' may be specified together to update config for clients of a specific user.", Required("", String)),
    opt!("add-config-file", "Path to a properties file with configs to add. See add-config for a list of valid configurations.", Required("", String)),
    opt!("delete-config", "config keys to remove 'k1,k2'", Required("", String)),
    opt!("force", "Suppress console prompts"),
    opt!("topic", "The topic's name.", Required("", String)),
    opt!("client", "The client's ID.", Required("", String)),
    opt!("client-defaults", "The config defaults for all clients."),
    opt!("user", "The user's principal name.", Required("", String)),
    opt!("user-defaults", "The config defaults for all users."),
    opt!("broker", "The broker's ID.", Required("", String)),
    opt!("broker-defaults", "The config defaults for all brokers."),
    opt!("broker-logger", "The broker's ID for its logger config.", Required("", String)),
    opt!("ip-defaults", "The config defaults for all IPs."),
    opt!("ip", "The IP address.", Required("", String)),
    opt!("zk-tls-config-file", "Identifies the file where ZooKeeper client TLS connectivity properties are defined.  Any properties other than zookeeper.ssl.* settings are ignored.", Required("ZooKeeper TLS configuration", String)),
));

/// Options of the tool, as declared in `LeaderElectionCommand.java` at 3.9.0-rc3.
pub const LEADER_ELECTION: Table = Table(concat!(
    opt!("bootstrap-server", "A hostname and port for the broker to connect to, in the form host:port. Multiple comma separated URLs can be given. REQUIRED.", Required("host:port", String)),
    opt!("admin.config", "Configuration properties files to pass to the admin client", Required("config file", String)),
    opt!("path-to-json-file", "The JSON file with the list  of partition for which leader elections should be performed. This is an example format. \n{\"partitions\":\n\t[{\"topic\": \"foo\", \"partition\": 1},\n\t {\"topic\": \"foobar\", \"partition\": 2}]\n}\nNot allowed if --all-topic-partitions or --topic flags are specified.", Required("Path to JSON file", String)),
    opt!("topic", "Name of topic for which to perform an election. Not allowed if --path-to-json-file or --all-topic-partitions is specified.", Required("topic name", String)),
    opt!("partition", "Partition id for which to perform an election. REQUIRED if --topic is specified.", Required("partition id", Integer)),
    opt!("all-topic-partitions", "Perform election on all of the eligible topic partitions based on the type of election (see the --election-type flag). Not allowed if --topic or --path-to-json-file is specified."),
    opt!("election-type", "Type of election to attempt. Possible values are \"preferred\" for preferred leader election or \"unclean\" for unclean leader election. If preferred election is selection, the election is only performed if the current leader is not the preferred leader for the topic partition. If unclean election is selected, the election is only performed if there are no leader for the topic partition. REQUIRED.", Required("election type", String)),
));

/// Options of the tool, as declared in `GetOffsetShell.java` at 3.9.0-rc3.
pub const GET_OFFSETS: Table = Table(concat!(
    opt!("broker-list", "DEPRECATED, use --bootstrap-server instead; ignored if --bootstrap-server is specified. The server(s) to connect to in the form HOST1:PORT1,HOST2:PORT2.", Required("HOST1:PORT1,...,HOST3:PORT3", String)),
    opt!("bootstrap-server", "REQUIRED. The server(s) to connect to in the form HOST1:PORT1,HOST2:PORT2.", Required("HOST1:PORT1,...,HOST3:PORT3", String)),
    opt!("topic-partitions", "Comma separated list of topic-partition patterns to get the offsets for, with the format of '([^:,]*)(?::(?:([0-9]*)|(?:([0-9]*)-([0-9]*))))?'. The first group is an optional regex for the topic name, if omitted, it matches any topic name. The section after ':' describes a 'partition' pattern, which can be: a number, a range in the format of 'NUMBER-NUMBER' (lower inclusive, upper exclusive), an inclusive lower bound in the format of 'NUMBER-', an exclusive upper bound in the format of '-NUMBER' or may be omitted to accept all partitions.", Required("topic1:1,topic2:0-3,topic3,topic4:5-,topic5:-3", String)),
    opt!("topic", "The topic to get the offsets for. It also accepts a regular expression. If not present, all authorized topics are queried. Cannot be used if --topic-partitions is present.", Required("topic", String)),
    opt!("partitions", "Comma separated list of partition ids to get the offsets for. If not present, all partitions of the authorized topics are queried. Cannot be used if --topic-partitions is present.", Required("partition ids", String)),
    opt!("time", "timestamp of the offsets before that. [Note: No offset is returned, if the timestamp greater than recently committed record timestamp is given.]", Required("<timestamp> / -1 or latest / -2 or earliest / -3 or max-timestamp / -4 or earliest-local / -5 or latest-tiered", String), default = "latest"),
    opt!("command-config", "Property file containing configs to be passed to Admin Client.", Required("config file", String)),
    opt!("exclude-internal-topics", "By default, internal topics are included. If specified, internal topics are excluded."),
));

/// Options of the tool, as declared in `ConsumerPerformance.java` at 3.9.0-rc3.
pub const CONSUMER_PERF: Table = Table(concat!(
    opt!("broker-list", "DEPRECATED, use --bootstrap-server instead; ignored if --bootstrap-server is specified. The broker list string in the form HOST1:PORT1,HOST2:PORT2.", Required("broker-list", String)),
    opt!("bootstrap-server", "REQUIRED unless --broker-list(deprecated) is specified. The server(s) to connect to.", Required("server to connect to", String)),
    opt!("topic", "REQUIRED: The topic to consume from.", Required("topic", String)),
    opt!("group", "The group id to consume on.", Required("gid", String), default = "{\"perf-consumer-\" + RND.nextInt(100_000)}"),
    opt!("fetch-size", "The amount of data to fetch in a single request.", Required("size", Integer), default = "1048576"),
    opt!("from-latest", "If the consumer does not already have an established offset to consume from, start with the latest message present in the log rather than the earliest message."),
    opt!("socket-buffer-size", "The size of the tcp RECV size.", Required("size", Integer), default = "2097152"),
    opt!("threads", "DEPRECATED AND IGNORED: Number of processing threads.", Required("count", Integer), default = "10"),
    opt!("num-fetch-threads", "DEPRECATED AND IGNORED: Number of fetcher threads.", Required("count", Integer), default = "1"),
    opt!("consumer.config", "Consumer config properties file.", Required("config file", String)),
    opt!("print-metrics", "Print out the metrics."),
    opt!("show-detailed-stats", "If set, stats are reported for each reporting interval as configured by reporting-interval"),
    opt!("timeout", "The maximum allowed time in milliseconds between returned records.", Optional("milliseconds", Long), default = "10000"),
    opt!("messages", "REQUIRED: The number of messages to send or consume", Required("count", Long)),
    opt!("reporting-interval", "Interval in milliseconds at which to print progress info.", Required("interval_ms", Long), default = "5000"),
    opt!("date-format", "The date format to use for formatting the time field. See java.text.SimpleDateFormat for options.", Required("date format", String), default = "yyyy-MM-dd HH:mm:ss:SSS"),
    opt!("hide-header", "If set, skips printing the header for the stats"),
));

