//! Lessons: the catalog is well formed, deep links and progress behave, goals explain themselves,
//! and every lesson's solution replays natively (goal unmet before each step, met after).
//!
//! `every_lesson_replays` lists every failing lesson with its step and reason; lessons whose tools
//! have not landed yet are listed in `EXPECTED_FAILING` (printed, not failed) so the suite stays
//! green while colleagues' work lands. The list must shrink to nothing.

use std::collections::BTreeSet;

use kafka_sandbox::engine::partitioner::{crc32_partition, murmur2_partition};
use kafka_sandbox::lessons::goal::{glob_contains, normalize_line};
use kafka_sandbox::lessons::{self, format_link, parse_link, Action, Goal, History, LessonRun, LinkError, Observed, Progress, Route, Verdict, LESSONS};
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

#[test]
fn goals_say_what_is_missing() {
    let mut sandbox = Sandbox::new(3, 1);
    let t = sandbox.open_terminal().expect("room");
    let mut history = History::new();
    const EXISTS: Goal = Goal::TopicExists { topic: "test" };
    assert_eq!(EXISTS.check(&observe(&sandbox, &history)), Err("Topic `test` does not exist yet".to_string()));
    assert_eq!(Goal::Not(&EXISTS).check(&observe(&sandbox, &history)), Ok(()));
    assert_eq!(Goal::BrokerDown { broker: 2 }.check(&observe(&sandbox, &history)), Err("Broker 2 is still running".to_string()));
    assert_eq!(Goal::BrokerUp { broker: 7 }.check(&observe(&sandbox, &history)), Err("There is no broker 7".to_string()));
    assert_eq!(
        Goal::Ran { pattern: "sim status" }.check(&observe(&sandbox, &history)),
        Err("You have not run `sim status` yet".to_string())
    );
    let out = sandbox.run(t, "sim status");
    history.record_output(t, &out);
    assert_eq!(Goal::Ran { pattern: "sim status" }.check(&observe(&sandbox, &history)), Ok(()));
    assert_eq!(Goal::RanTimes { pattern: "sim status", times: 2 }.check(&observe(&sandbox, &history)), Err("You have run `sim status` 1 time(s); 2 wanted".to_string()));
    history.record_output(t, &[Chunk::out("hello there\n")]);
    assert_eq!(Goal::Output { term: t, text: "hello" }.check(&observe(&sandbox, &history)), Ok(()));
    assert_eq!(Goal::Output { term: 0, text: "hello" }.check(&observe(&sandbox, &history)), Ok(()));
    history.mark_step();
    assert_eq!(Goal::Output { term: t, text: "hello" }.check(&observe(&sandbox, &history)), Err(format!("Terminal {t} has not shown `hello` yet")));
    let any = Goal::Any(&[Goal::TopicExists { topic: "a" }, Goal::TopicExists { topic: "b" }]);
    assert_eq!(any.check(&observe(&sandbox, &history)), Err("None of these holds yet: Topic `a` does not exist yet; Topic `b` does not exist yet".to_string()));
    let all = Goal::All(&[Goal::Ran { pattern: "sim status" }, Goal::TopicAbsent { topic: "x" }, Goal::TopicExists { topic: "x" }]);
    assert_eq!(all.check(&observe(&sandbox, &history)), Err("Topic `x` does not exist yet".to_string()));
    assert_eq!(Goal::FileContains { path: "f", text: "x" }.check(&observe(&sandbox, &history)), Err("There is no file `f` yet".to_string()));
    sandbox.run(t, "echo abc > f");
    assert_eq!(Goal::FileContains { path: "f", text: "b" }.check(&observe(&sandbox, &history)), Ok(()));
    assert_eq!(Goal::Not(&Goal::FileContains { path: "f", text: "b" }).check(&observe(&sandbox, &history)), Err("This should not be so: file `f` contains `b`".to_string()));
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
            Verdict::Passed => {
                println!("ok {id}");
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
