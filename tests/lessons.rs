//! Lessons: the catalog is well formed, deep links and progress behave, goals explain themselves,
//! every lesson's solution replays natively (goal unmet before each step, met after) and every
//! step's near misses leave its goal unmet; the near misses a newcomer's walkthrough found (issue
//! 17) are refused for the reason a learner should read.
//!
//! `every_lesson_replays` lists every failing lesson with its step and reason; lessons whose tools
//! have not landed yet are listed in `EXPECTED_FAILING` (printed, not failed) so the suite stays
//! green while colleagues' work lands. The list must shrink to nothing.

use std::collections::BTreeSet;

use kafka_sandbox::engine::partitioner::{crc32_partition, murmur2_partition};
use kafka_sandbox::lessons::goal::{glob_contains, normalize_line};
use kafka_sandbox::lessons::{self, check_path, format_link, parse_link, parse_path, Action, Goal, History, LessonRun, LinkError, Observed, Progress, Route, Verdict, LESSONS};
use kafka_sandbox::shell::{Chunk, Sandbox};

/// Lessons that cannot pass until other branches land (see the report). Empty once they have.
const EXPECTED_FAILING: &[&str] = &[];

#[test]
fn catalog_ids_are_unique_slugs_and_every_step_is_complete() {
    let mut ids = BTreeSet::new();
    assert!(LESSONS.len() >= 14, "{} lessons", LESSONS.len());
    for l in LESSONS {
        assert!(ids.insert(l.id), "duplicate id {}", l.id);
        assert!(!l.id.is_empty() && l.id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'), "{}", l.id);
        assert!(!l.steps.is_empty() && !l.title.is_empty() && !l.summary.is_empty(), "{}", l.id);
        assert!((1..=9).contains(&l.brokers));
        for (i, s) in l.steps.iter().enumerate() {
            assert!(!s.title.is_empty() && !s.narrative.is_empty(), "{} step {}", l.id, i + 1);
            assert!(!s.solution.is_empty(), "{} step {} has no solution", l.id, i + 1);
            if !l.challenge {
                assert!(!s.commands.is_empty(), "{} step {} offers no command", l.id, i + 1);
            }
            assert!(!s.wrong.is_empty(), "{} step {} has no near miss", l.id, i + 1);
            assert!(!s.goal_text.is_empty() && !s.goal_text.contains("one of:") && !s.goal_text.contains("not ("), "{} step {}", l.id, i + 1);
            for text in s.narrative.iter().chain(s.hints).chain([&s.goal_text, &l.summary]) {
                assert!(!text.contains("the tutorial") && !text.contains("The tutorial"), "{} step {}: every lesson stands alone: {text}", l.id, i + 1);
            }
            for c in s.commands {
                assert!((1..=4).contains(&c.term) && !c.line.trim().is_empty(), "{} step {}", l.id, i + 1);
            }
        }
    }
    let challenges = LESSONS.iter().filter(|l| l.challenge).count();
    assert!(challenges >= 4, "{challenges} challenges");
}

#[test]
fn the_tutorials_commands_are_used_verbatim() {
    let lines: Vec<&str> = LESSONS
        .iter()
        .flat_map(|l| l.steps.iter())
        .flat_map(|s| s.commands.iter().map(|c| c.line).chain(s.solution.iter().filter_map(|a| if let Action::Line { text, .. } = a { Some(*text) } else { None })))
        .collect();
    for verbatim in [
        "/app/confluent/bin/kafka-consumer-groups --bootstrap-server localhost:9092 --list",
        "/app/confluent/bin/kafka-topics --create --bootstrap-server localhost:9092 --replication-factor 1 --partitions 1 --topic test",
        "/app/confluent/bin/kafka-console-producer --broker-list localhost:9092 --topic test",
        "/app/confluent/bin/kafka-console-consumer --bootstrap-server localhost:9092 --topic test --from-beginning",
        "/app/confluent/bin/kafka-console-consumer --bootstrap-server localhost:9092 --topic test --from-beginning --group consumer-1",
        "/app/confluent/bin/kafka-topics --create --bootstrap-server localhost:9092 --replication-factor 1 --partitions 100 --topic test",
        "/app/confluent/bin/kafka-console-producer --broker-list localhost:9092 --topic test2 --property \"parse.key=true\" --property \"key.separator=:\"",
        "/app/confluent/bin/kafka-topics --create --bootstrap-server localhost:9092 --replication-factor 1 --partitions 1 --topic compacted --config min.cleanable.dirty.ratio=0.01 --config cleanup.policy=compact --config segment.ms=100 --config delete.retention.ms=100",
        "kafkacat -b localhost:9092 -t compacted -e",
        "/app/confluent/bin/kafka-topics --bootstrap-server localhost:9092 --list ",
        "/app/confluent/bin/kafka-topics --bootstrap-server localhost:9092 --describe test",
        "/app/confluent/bin/kafka-topics --bootstrap-server localhost:9092  --delete --topic test",
        "docker-compose up",
    ] {
        assert!(lines.contains(&verbatim), "the tutorial's `{verbatim}` is not in any lesson");
    }
}

#[test]
fn deep_links_round_trip_and_reject_bad_input() {
    assert_eq!(parse_link("#/lesson/keys/step/2"), Ok(Route::Lesson { id: "keys", step: 1 }));
    assert_eq!(parse_link("/lesson/keys/step/1/"), Ok(Route::Lesson { id: "keys", step: 0 }));
    assert_eq!(parse_link("#/lesson/keys"), Ok(Route::Lesson { id: "keys", step: 0 }));
    assert_eq!(parse_link(""), Ok(Route::Home));
    assert_eq!(parse_link("#/"), Ok(Route::Home));
    assert_eq!(parse_link("#/sandbox"), Ok(Route::Sandbox));
    for l in LESSONS {
        for step in 0..l.steps.len() {
            let route = Route::Lesson { id: l.id, step };
            assert_eq!(parse_link(&format_link(&route)), Ok(route));
        }
    }
    assert_eq!(parse_link("#/lesson/nope/step/1"), Err(LinkError::UnknownLesson("nope".into())));
    let keys_steps = lessons::lesson("keys").expect("keys").steps.len();
    for bad in ["0", "-1", "+1", " 1", "99", "1.0", "99999999999999999999"] {
        let link = format!("#/lesson/keys/step/{bad}");
        assert_eq!(parse_link(&link), Err(LinkError::BadStep { id: "keys".into(), step: bad.into(), steps: keys_steps }), "{link}");
    }
    assert!(matches!(parse_link("#/lesson/keys/stop/1"), Err(LinkError::Malformed(_))));
    assert!(matches!(parse_link("#/lessons"), Err(LinkError::Malformed(_))));
    assert!(matches!(parse_link("#/lesson/keys/step/"), Err(LinkError::Malformed(_))));
    assert!(matches!(parse_link(&"#/lesson/".repeat(100)), Err(LinkError::Malformed(_))));
    assert_eq!(LinkError::UnknownLesson("x".into()).to_string(), "there is no lesson `x`");
}

#[test]
fn progress_counts_steps_and_forgets_what_no_longer_exists() {
    let mut p = Progress::new();
    assert!(p.mark_done("keys", 0));
    assert!(p.mark_done("keys", 2));
    assert!(!p.mark_done("keys", 99));
    assert!(!p.mark_done("nope", 0));
    let total = lessons::lesson("keys").expect("keys").steps.len();
    assert_eq!(p.lesson_progress("keys"), (2, total));
    assert_eq!(p.resume_step("keys"), 1);
    assert!(!p.lesson_complete("keys"));
    for i in 0..total {
        p.mark_done("keys", i);
    }
    assert!(p.lesson_complete("keys"));
    assert_eq!(p.overall(), (1, LESSONS.len()));
    // An old save with lessons and steps that are gone.
    p.done.entry("retired-lesson".into()).or_default().insert(0);
    p.done.entry("acks".into()).or_default().insert(50);
    p.sanitize();
    assert_eq!(p.done.keys().collect::<Vec<_>>(), vec!["keys"]);
    p.reset_lesson("keys");
    assert_eq!(p.lesson_progress("keys"), (0, total));
}

#[test]
fn command_patterns_ignore_quotes_and_spacing() {
    assert_eq!(normalize_line("a  --property \"parse.key=true\"  'x'"), "a --property parse.key=true x");
    assert!(glob_contains("kafka-topics*--list", "/app/confluent/bin/kafka-topics --bootstrap-server localhost:9092 --list"));
    assert!(!glob_contains("kafka-topics*--list", "kafka-topics --describe"));
    assert!(glob_contains("", "anything"));
}

fn observe<'a>(sandbox: &'a Sandbox, history: &'a History) -> Observed<'a> {
    Observed { sandbox, history }
}

/// Runs `line` at `t` and hands the history what it printed, as a lesson runner does.
fn run_synced(sandbox: &mut Sandbox, history: &mut History, t: u32, line: &str) {
    let out = sandbox.run(t, line);
    history.sync(sandbox, &[], &[(t, out)]);
}

#[test]
fn goals_say_what_is_missing() {
    let mut sandbox = Sandbox::new(3, 1);
    let t = sandbox.open_terminal().expect("room");
    let mut history = History::new();
    const EXISTS: Goal = Goal::TopicExists { topic: "test" };
    assert_eq!(EXISTS.check(&observe(&sandbox, &history)), Err("Topic `test` does not exist yet".to_string()));
    assert_eq!(Goal::Never { goal: &EXISTS, why: "x" }.check(&observe(&sandbox, &history)), Ok(()));
    assert_eq!(Goal::BrokerDown { broker: 2 }.check(&observe(&sandbox, &history)), Err("Broker 2 is still running".to_string()));
    assert_eq!(Goal::BrokerUp { broker: 7 }.check(&observe(&sandbox, &history)), Err("There is no broker 7".to_string()));
    assert_eq!(
        Goal::Ran { pattern: "sim status" }.check(&observe(&sandbox, &history)),
        Err("You have not run `sim status` yet in this step".to_string())
    );
    run_synced(&mut sandbox, &mut history, t, "sim status");
    assert_eq!(Goal::Ran { pattern: "sim status" }.check(&observe(&sandbox, &history)), Ok(()));
    assert_eq!(
        Goal::RanTimes { pattern: "sim status", times: 2 }.check(&observe(&sandbox, &history)),
        Err("You have run it successfully 1 time(s) so far; 2 wanted. Run `sim status` again".to_string())
    );
    history.record_output(t, &[Chunk::out("hello there\n")]);
    assert_eq!(Goal::Output { term: t, text: "hello" }.check(&observe(&sandbox, &history)), Ok(()));
    assert_eq!(Goal::Output { term: 0, text: "hello" }.check(&observe(&sandbox, &history)), Ok(()));
    history.mark_step();
    assert_eq!(Goal::Output { term: t, text: "hello" }.check(&observe(&sandbox, &history)), Err(format!("Terminal {t} has not shown `hello` yet")));
    // Commands of earlier steps do not count.
    assert!(Goal::Ran { pattern: "sim status" }.check(&observe(&sandbox, &history)).is_err());
    let any = Goal::Any(&[Goal::TopicExists { topic: "a" }, Goal::TopicExists { topic: "b" }]);
    assert_eq!(any.check(&observe(&sandbox, &history)), Err("Topic `a` does not exist yet".to_string()));
    let all = Goal::All(&[Goal::TopicAbsent { topic: "x" }, Goal::TopicExists { topic: "x" }]);
    assert_eq!(all.check(&observe(&sandbox, &history)), Err("Topic `x` does not exist yet (Already done: topic `x` is gone.)".to_string()));
    assert_eq!(Goal::FileContains { path: "f", text: "x" }.check(&observe(&sandbox, &history)), Err("There is no file `f` yet".to_string()));
    sandbox.run(t, "echo abc > f");
    assert_eq!(Goal::FileContains { path: "f", text: "b" }.check(&observe(&sandbox, &history)), Ok(()));
    let never = Goal::Never { goal: &Goal::FileContains { path: "f", text: "b" }, why: "The file has a b." };
    assert_eq!(
        never.check(&observe(&sandbox, &history)),
        Err("The file has a b. This step can no longer be met: press Reset step to try again.".to_string())
    );
    assert!(never.blocked(&observe(&sandbox, &history)));
    assert!(!Goal::FileContains { path: "f", text: "b" }.blocked(&observe(&sandbox, &history)));
    assert_eq!(Goal::FileLacks { path: "f", text: "b" }.check(&observe(&sandbox, &history)), Err("File `f` still contains `b`".to_string()));
}

/// A command counts once it succeeded: exit status 0 and no error printed (Kafka's tools exit 0
/// after some errors, e.g. describing a group that does not exist).
#[test]
fn failed_commands_do_not_count_as_run() {
    let mut sandbox = Sandbox::new(3, 1);
    let t = sandbox.open_terminal().expect("room");
    let mut history = History::new();
    const LIST: Goal = Goal::Ran { pattern: "kafka-consumer-groups*--list" };
    run_synced(&mut sandbox, &mut history, t, "kafka-consumer-groups --list");
    let why = LIST.check(&observe(&sandbox, &history)).expect_err("a failed --list does not count");
    assert!(why.contains("did not succeed") && why.contains("exit status 1"), "{why}");
    const DESCRIBE: Goal = Goal::Ran { pattern: "kafka-consumer-groups*--describe" };
    run_synced(&mut sandbox, &mut history, t, "kafka-consumer-groups --bootstrap-server localhost:9092 --describe --group console-consumer");
    assert_eq!(sandbox.last_status(t), 0, "Kafka's tool exits 0 here");
    let why = DESCRIBE.check(&observe(&sandbox, &history)).expect_err("an unknown group does not count");
    assert!(why.contains("Consumer group 'console-consumer' does not exist"), "{why}");
    run_synced(&mut sandbox, &mut history, t, "kafka-consumer-groups --bootstrap-server localhost:9092 --list");
    assert_eq!(LIST.check(&observe(&sandbox, &history)), Ok(()));
}

#[test]
fn a_crashed_broker_is_down_for_goals() {
    let mut sandbox = Sandbox::new(3, 1);
    let t = sandbox.open_terminal().expect("room");
    let history = History::new();
    sandbox.run(t, "sim crash 2");
    assert_eq!(Goal::BrokerDown { broker: 2 }.check(&observe(&sandbox, &history)), Ok(()));
    assert_eq!(Goal::BrokersDown { at_least: 1 }.check(&observe(&sandbox, &history)), Ok(()));
    assert_eq!(Goal::BrokersDown { at_least: 2 }.check(&observe(&sandbox, &history)), Err("1 broker(s) down; 2 wanted".to_string()));
}

#[test]
fn kcat_and_the_java_client_disagree_on_alice_but_agree_with_murmur2() {
    // The keys lesson relies on this: alice lands elsewhere with kcat's default (CRC32).
    assert_ne!(murmur2_partition(b"alice", 6), crc32_partition(b"alice", 6));
}

#[test]
fn reset_step_rebuilds_the_state_the_step_starts_from() {
    let lesson = lessons::lesson("log-not-queue").expect("lesson");
    let run = LessonRun::at_step(lesson, 1);
    assert_eq!(run.step(), 1);
    assert!(run.sandbox().history(1).iter().any(|l| l == "sim status"));
    let fresh = LessonRun::start(lesson);
    assert_eq!(fresh.step(), 0);
    assert!(fresh.sandbox().history(1).is_empty());
    // Clamped past the end.
    assert_eq!(LessonRun::at_step(lesson, 99).step(), lesson.steps.len());
}

/// Goals read the coordinators' groups without running the simulation: checking twice changes
/// nothing (the admin calls `describe_group` and friends would advance time).
#[test]
fn group_goals_are_read_only_and_see_the_group() {
    let lesson = lessons::lesson("offsets").expect("lesson");
    let run = LessonRun::at_step(lesson, 2);
    let (sandbox, history) = (run.sandbox(), run.history());
    let (now_ms, digest) = (sandbox.cluster().now_ms(), sandbox.cluster().digest());
    let o = observe(sandbox, &history);
    assert_eq!(Goal::CommittedAtLeast { group: "billing-app", topic: "billing", sum: 6 }.check(&o), Ok(()));
    assert_eq!(Goal::GroupMembers { group: "billing-app", count: 0 }.check(&o), Ok(()));
    assert_eq!(Goal::GroupExists { group: "nobody" }.check(&o), Err("Group `nobody` does not exist yet".to_string()));
    assert_eq!(
        Goal::CommittedAtLeast { group: "billing-app", topic: "billing", sum: 7 }.check(&o),
        Err("Group `billing-app` has committed offsets summing to 6 on `billing`; at least 7 needed".to_string())
    );
    assert_eq!((sandbox.cluster().now_ms(), sandbox.cluster().digest()), (now_ms, digest));
}

/// The UI's "reset step" records a run's inputs as its transcript: replayed on a fresh sandbox
/// they must rebuild exactly the cluster the run built.
#[test]
fn a_runs_inputs_replay_to_the_same_cluster() {
    for (id, step) in [("offsets", 3), ("challenge-acks-loss", 1), ("partitions", 2)] {
        let lesson = lessons::lesson(id).expect("lesson");
        let run = LessonRun::at_step(lesson, step);
        let mut sandbox = Sandbox::new(lesson.brokers, lessons::run::LESSON_SEED);
        sandbox.open_terminal().expect("room");
        for input in run.inputs() {
            match *input {
                Action::Line { term, text } => {
                    while !sandbox.terminals().contains(&term) {
                        sandbox.open_terminal().expect("room");
                    }
                    sandbox.run(term, text);
                }
                Action::Eof { term } => {
                    sandbox.eof(term);
                }
                Action::Interrupt { term } => {
                    sandbox.interrupt(term);
                }
                Action::Wait { ms } => {
                    sandbox.advance(ms);
                }
            }
        }
        assert_eq!(sandbox.now_ms(), run.sandbox().now_ms(), "{id}");
        assert_eq!(sandbox.cluster().digest(), run.sandbox().cluster().digest(), "{id}");
    }
}

#[test]
fn every_lesson_replays() {
    let mut unexpected = Vec::new();
    for (id, verdict) in lessons::verify_all() {
        match verdict {
            Verdict::Passed { steps, refused } => {
                println!("ok {id} ({steps} steps, {refused} wrong paths refused)");
                assert!(refused >= steps, "{id}: every step needs a near miss");
                if EXPECTED_FAILING.contains(&id) {
                    unexpected.push(format!("{id} passes but is listed in EXPECTED_FAILING: remove it"));
                }
            }
            Verdict::Failed { step, why } => {
                println!("FAILED {id}: step {step}: {why}");
                if !EXPECTED_FAILING.contains(&id) {
                    unexpected.push(format!("{id}: step {step}: {why}"));
                }
            }
        }
    }
    assert!(unexpected.is_empty(), "lessons failing:\n{}", unexpected.join("\n"));
}

/// The near misses of the issue-17 walkthrough, as `sandbox-shell lessons --check` reads them:
/// each leaves its step unmet, and says why in words a learner can act on.
#[test]
fn issue_17_near_misses_are_refused_with_a_reason() {
    let cases: &[(&str, usize, &str, &str)] = &[
        ("first-topic", 1, "kafka-consumer-groups --list", "did not succeed"),
        ("consumer-groups", 2, "kafka-consumer-groups --bootstrap-server localhost:9092 --describe --group console-consumer", "does not exist"),
        // min.insync.replicas step 5: crash, then write at once: TimeoutException, though the
        // record lands later.
        (
            "min-insync-replicas",
            5,
            "sim reset --brokers 5\nkafka-topics --bootstrap-server localhost:9092 --create --topic orders --partitions 1 --replication-factor 5 --config min.insync.replicas=3\nsim crash 5\necho 'order 4' | kafka-console-producer --bootstrap-server localhost:9092 --topic orders",
            "TimeoutException",
        ),
        // Two replicas that the two crashed brokers do not hold: not "any two failures".
        (
            "challenge-two-brokers-down",
            1,
            "kafka-topics --bootstrap-server localhost:9092 --create --topic ledger --replica-assignment 3:1 --config min.insync.replicas=2\nsim crash 4\nsim crash 5\n(wait 12 s)\necho 'entry 1' | kafka-console-producer --bootstrap-server localhost:9092 --topic ledger",
            "min.insync.replicas + 2",
        ),
        // Crashing two of the three controller voters freezes metadata.
        (
            "challenge-two-brokers-down",
            1,
            "kafka-topics --bootstrap-server localhost:9092 --create --topic ledger --partitions 1 --replication-factor 5 --config min.insync.replicas=3\nsim crash 1\nsim crash 2\n(wait 12 s)\necho 'entry 1' | kafka-console-producer --bootstrap-server localhost:9092 --topic ledger",
            "no active controller",
        ),
        // Skipping the missed jobs is not "lose nothing".
        (
            "challenge-stuck-consumer",
            1,
            "kafka-consumer-groups --bootstrap-server localhost:9092 --group workers --reset-offsets --shift-by 3 --topic jobs --execute\nkafka-console-consumer --bootstrap-server localhost:9092 --topic jobs --from-beginning --max-messages 8\n(wait 5 s)",
            "Skipped jobs do not count",
        ),
        // exactly-once step 2: the console producer's defaults give up before the failover.
        ("exactly-once", 2, "sim crash 1\nkafka-console-producer --bootstrap-server localhost:9092 --topic transfers\ntransfer 4\nCtrl-D", "broker.session.timeout.ms"),
    ];
    for (id, step, path, reason) in cases {
        let lesson = lessons::lesson(id).expect("lesson");
        let inputs = parse_path(path).expect("a well-formed path");
        let (result, _) = check_path(lesson, step - 1, &inputs, lessons::run::WRONG_WATCH_MS);
        let why = result.expect_err(&format!("{id} step {step}: `{path}` must leave the goal unmet"));
        assert!(why.contains(reason), "{id} step {step}: `{why}` should say `{reason}`");
        assert!(!why.contains("one of:") && !why.contains("not ("), "{why}");
    }
    // The stuck consumer's explanation does not name the stuck group.
    let stuck = &lessons::lesson("challenge-stuck-consumer").expect("lesson").steps[0];
    assert!(!stuck.goal_text.contains("workers"));
}

/// The dead ends of the walkthrough: one acks=1 experiment on `safe`, an extra record before a
/// bounded read, JSON with spaces. Each path still reaches the goal.
#[test]
fn issue_17_dead_ends_are_gone() {
    let cases: &[(&str, usize, &str)] = &[
        (
            "challenge-acks-loss",
            2,
            "kafka-topics --bootstrap-server localhost:9092 --create --topic safe --replication-factor 3 --partitions 1 --config min.insync.replicas=2\nkafka-producer-perf-test --topic safe --num-records 100 --record-size 100 --throughput -1 --producer-props bootstrap.servers=localhost:9092 acks=1\nsim crash 2\n(wait 12 s)\nkafka-producer-perf-test --topic safe --num-records 1000 --record-size 100 --throughput -1 --producer-props bootstrap.servers=localhost:9092 acks=all",
        ),
        (
            "exactly-once",
            3,
            "echo 'transfer 1' | kafka-console-producer --bootstrap-server localhost:9092 --topic transfers\nkafka-console-consumer --bootstrap-server localhost:9092 --topic transfers --from-beginning --isolation-level read_committed\n(wait 3 s)\nCtrl-C",
        ),
        ("schemas", 1, "kafka-console-producer --bootstrap-server localhost:9092 --topic signups\n{ \"user\" : \"ann\",  \"email\" : \"ann@example.com\" }\nCtrl-D"),
        (
            "schemas",
            3,
            "echo '{\"user\":\"cid\",\"email\":\"c@example.com\"}' | kafka-console-producer --bootstrap-server localhost:9092 --topic signups\nkafka-console-consumer --bootstrap-server localhost:9092 --topic signups --from-beginning\n(wait 3 s)\nCtrl-C",
        ),
        // Waiting for fencing, then writing with the console producer's defaults, also works.
        (
            "exactly-once",
            2,
            "sim crash 1\n(wait 12 s)\nkafka-console-producer --bootstrap-server localhost:9092 --topic transfers\ntransfer 4\nCtrl-D",
        ),
    ];
    for (id, step, path) in cases {
        let lesson = lessons::lesson(id).expect("lesson");
        let inputs = parse_path(path).expect("a well-formed path");
        let (result, _) = check_path(lesson, step - 1, &inputs, lessons::run::WRONG_WATCH_MS);
        assert_eq!(result, Ok(()), "{id} step {step}: `{path}`");
    }
}

/// A step that can no longer be met says so (the panel then shows "Reset step").
#[test]
fn a_step_that_cannot_be_met_any_more_is_blocked() {
    let lesson = lessons::lesson("offsets").expect("lesson");
    let path = "[terminal 2] kafka-console-consumer --bootstrap-server localhost:9092 --topic billing --group billing-app --from-beginning\n(wait 6 s)";
    let (result, run) = check_path(lesson, 0, &parse_path(path).expect("path"), 0);
    let why = result.expect_err("invoice 1 was shown");
    assert!(why.contains("Reset step"), "{why}");
    let goal = &lesson.steps[0].goal;
    assert!(goal.blocked(&Observed { sandbox: run.sandbox(), history: run.history() }));
    // The solution's state is not blocked.
    let fresh = LessonRun::at_step(lesson, 0);
    assert!(!goal.blocked(&Observed { sandbox: fresh.sandbox(), history: fresh.history() }));
}

#[test]
fn paths_parse_in_the_solution_listings_words() {
    let inputs = parse_path("# a comment\n\n[terminal 2] kafka-topics --list\nhello\n^D\n[1] Ctrl-C\n(wait 1.5 s)\n(wait 200 ms)\n$ sim status").expect("path");
    assert_eq!(
        inputs,
        vec![
            Action::Line { term: 2, text: "kafka-topics --list" },
            Action::Line { term: 2, text: "hello" },
            Action::Eof { term: 2 },
            Action::Interrupt { term: 1 },
            Action::Wait { ms: 1500 },
            Action::Wait { ms: 200 },
            Action::Line { term: 1, text: "sim status" },
        ]
    );
    assert_eq!(parse_path("[terminal 9] x"), Err("line 1: no terminal `terminal 9` (terminals 1 to 4)".to_string()));
    assert_eq!(parse_path("ok\n(wait soon)"), Err("line 2: cannot read the wait `(wait soon)` (try `(wait 12 s)`)".to_string()));
    assert_eq!(parse_path("(wait 99999999 s)").map(|_| ()), Err("line 1: cannot read the wait `(wait 99999999 s)` (try `(wait 12 s)`)".to_string()));
    // The solution listings' own lines parse back to the solutions.
    for l in LESSONS {
        for s in l.steps {
            let listing: String = s.solution.iter().map(|a| a.display() + "\n").collect();
            let listing: &'static str = Box::leak(listing.into_boxed_str());
            assert_eq!(parse_path(listing).as_deref(), Ok(s.solution), "{}", l.id);
        }
    }
}
