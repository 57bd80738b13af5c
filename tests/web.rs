//! Browser tests: mount the real app in headless Chromium and read the DOM.
//! Run by `make test` through `wasm-pack test --headless --chrome`.
#![cfg(target_arch = "wasm32")]

use kafka_sandbox::ui::codec::{self, SavedSession};
use kafka_sandbox::ui::storage;
use kafka_sandbox::ui::transcript::Entry;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

async fn next_frame() {
    yew::platform::time::sleep(std::time::Duration::from_millis(20)).await;
}

/// A mounted app, unmounted and removed from the page when dropped (tests share one page).
struct Mounted {
    root: web_sys::Element,
    handle: Option<yew::AppHandle<kafka_sandbox::ui::App>>,
}

impl Drop for Mounted {
    fn drop(&mut self) {
        if let Some(handle) = self.handle.take() {
            handle.destroy();
        }
        self.root.remove();
    }
}

impl std::ops::Deref for Mounted {
    type Target = web_sys::Element;
    fn deref(&self) -> &web_sys::Element {
        &self.root
    }
}

fn clear_storage() {
    for key in [storage::KEY_SESSION, storage::KEY_UNREADABLE, storage::KEY_PREVIOUS, storage::KEY_THEME] {
        storage::remove(key);
    }
}

/// Mounts the app with whatever is saved (and in the address).
async fn mount_keeping_storage() -> Mounted {
    let document = gloo::utils::document();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    let handle = kafka_sandbox::ui::mount(root.clone());
    next_frame().await;
    Mounted { root, handle: Some(handle) }
}

/// Mounts the app on a fresh session.
async fn mount() -> Mounted {
    clear_storage();
    mount_keeping_storage().await
}

fn command_input(root: &web_sys::Element) -> web_sys::HtmlInputElement {
    root.query_selector("#command-input").unwrap().expect("the command input").dyn_into().unwrap()
}

fn press(root: &web_sys::Element, key: &str, ctrl: bool) {
    let init = web_sys::KeyboardEventInit::new();
    init.set_key(key);
    init.set_ctrl_key(ctrl);
    init.set_bubbles(true);
    init.set_cancelable(true);
    let event = web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    command_input(root).dispatch_event(&event).unwrap();
}

fn type_command(root: &web_sys::Element, line: &str) {
    command_input(root).set_value(line);
    press(root, "Enter", false);
}

async fn run(root: &web_sys::Element, line: &str) {
    type_command(root, line);
    next_frame().await;
}

fn text_of(root: &web_sys::Element, selector: &str) -> String {
    root.query_selector(selector).unwrap().and_then(|e| e.text_content()).unwrap_or_default()
}

fn scrollback(root: &web_sys::Element) -> String {
    let lines = root.query_selector_all(".terminal.active .scrollback .line").unwrap();
    (0..lines.length()).filter_map(|i| lines.item(i)).filter_map(|n| n.text_content()).collect::<Vec<_>>().join("\n")
}

fn click(root: &web_sys::Element, selector: &str) {
    let el: web_sys::HtmlElement = root.query_selector(selector).unwrap().unwrap_or_else(|| panic!("no {selector}")).dyn_into().unwrap();
    el.click();
}

/// Clicks the button whose text is `label`.
fn click_button(root: &web_sys::Element, label: &str) {
    let buttons = root.query_selector_all("button").unwrap();
    let button = (0..buttons.length())
        .filter_map(|i| buttons.item(i))
        .find(|b| b.text_content().as_deref() == Some(label))
        .unwrap_or_else(|| panic!("no button {label}"));
    button.dyn_into::<web_sys::HtmlElement>().unwrap().click();
}

fn set_hash(hash: &str) {
    let window = gloo::utils::window();
    let path = window.location().pathname().unwrap();
    window.history().unwrap().replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&format!("{path}{hash}"))).unwrap();
}

#[wasm_bindgen_test]
async fn app_shows_header_cluster_and_terminal() {
    let root = mount().await;
    let text = root.text_content().unwrap_or_default();
    assert!(text.contains("Kafka sandbox"), "header missing: {text}");
    assert!(root.query_selector("[aria-label=Cluster]").unwrap().is_some());
    assert_eq!(attr(&root, "#command-input", "aria-label"), "Terminal 1: Command");
    assert!(text.contains("Broker 1") && text.contains("Broker 3"), "broker columns: {text}");
    assert!(text.contains("seed 1 · 3 brokers"), "seed shown: {text}");
    assert_eq!(text_of(&root, ".clock-time"), "0:00:00.000");
}

#[wasm_bindgen_test]
async fn typing_help_shows_the_shells_help() {
    let root = mount().await;
    run(&root, "help").await;
    let scrollback = text_of(&root, ".terminal.active .scrollback");
    assert!(scrollback.contains("$ help"), "the command is echoed: {scrollback}");
    assert!(scrollback.contains("kafka-console-consumer"), "help text shown: {scrollback}");
}

#[wasm_bindgen_test]
async fn stderr_lines_are_styled_and_clear_empties_the_terminal() {
    let root = mount().await;
    run(&root, "cat missing.txt").await;
    assert_eq!(text_of(&root, ".line.stderr"), "cat: missing.txt: No such file or directory");
    assert_eq!(text_of(&root, ".line.input"), "$ cat missing.txt");
    run(&root, "clear").await;
    assert_eq!(scrollback(&root), "");
}

#[wasm_bindgen_test]
async fn up_and_down_browse_the_history() {
    let root = mount().await;
    run(&root, "echo one").await;
    run(&root, "echo two").await;
    command_input(&root).set_value("draft");
    press(&root, "ArrowUp", false);
    assert_eq!(command_input(&root).value(), "echo two");
    press(&root, "ArrowUp", false);
    assert_eq!(command_input(&root).value(), "echo one");
    press(&root, "ArrowDown", false);
    assert_eq!(command_input(&root).value(), "echo two");
    press(&root, "ArrowDown", false);
    assert_eq!(command_input(&root).value(), "draft");
}

#[wasm_bindgen_test]
async fn tab_completes_and_lists_candidates() {
    let root = mount().await;
    command_input(&root).set_value("kafka-top");
    press(&root, "Tab", false);
    assert_eq!(command_input(&root).value(), "kafka-topics ");
    command_input(&root).set_value("kafka-console-");
    press(&root, "Tab", false);
    next_frame().await;
    let candidates = text_of(&root, ".candidates");
    assert!(candidates.contains("kafka-console-consumer") && candidates.contains("kafka-console-producer"), "{candidates}");
}

#[wasm_bindgen_test]
async fn ctrl_c_abandons_a_continued_line() {
    let root = mount().await;
    run(&root, "echo 'open quote").await;
    assert_eq!(text_of(&root, ".terminal.active .prompt"), "> ");
    assert_eq!(command_input(&root).get_attribute("aria-label").as_deref(), Some("Terminal 1: Command (continued)"));
    press(&root, "c", true);
    next_frame().await;
    assert_eq!(text_of(&root, ".terminal.active .prompt"), "$ ");
    assert!(scrollback(&root).ends_with("> ^C"), "{}", scrollback(&root));
}

#[wasm_bindgen_test]
async fn tabs_are_separate_sessions() {
    let root = mount().await;
    run(&root, "echo in-first").await;
    click(&root, ".tab-open");
    next_frame().await;
    assert_eq!(root.query_selector_all("[role=tab]").unwrap().length(), 2);
    assert_eq!(text_of(&root, "[role=tab][aria-selected=true]"), "Terminal 2");
    assert_eq!(scrollback(&root), "", "a new terminal starts empty");
    run(&root, "echo in-second").await;
    click(&root, "#tab-1");
    next_frame().await;
    assert_eq!(scrollback(&root), "$ echo in-first\nin-first");
    click(&root, "[aria-label='Close terminal 2']");
    next_frame().await;
    assert_eq!(root.query_selector_all("[role=tab]").unwrap().length(), 1);
}

#[wasm_bindgen_test]
async fn undo_and_redo_replay_the_transcript() {
    let root = mount().await;
    run(&root, "echo a").await;
    run(&root, "echo b").await;
    click_button(&root, "Undo");
    next_frame().await;
    assert_eq!(scrollback(&root), "$ echo a\na");
    click_button(&root, "Redo");
    next_frame().await;
    assert_eq!(scrollback(&root), "$ echo a\na\n$ echo b\nb");
    click_button(&root, "Reset");
    next_frame().await;
    assert_eq!(scrollback(&root), "");
    click_button(&root, "Undo");
    next_frame().await;
    assert_eq!(scrollback(&root), "$ echo a\na\n$ echo b\nb", "Undo takes a reset back");
}

#[wasm_bindgen_test]
async fn step_advances_the_clock_through_the_transcript() {
    let root = mount().await;
    click(&root, ".step");
    next_frame().await;
    assert_eq!(text_of(&root, ".clock-time"), "0:00:01.000");
    let saved = codec::decode(&storage::get(storage::KEY_SESSION).unwrap(), codec::SAVED_JSON_BYTES_MAX).unwrap();
    assert_eq!(saved.transcript, vec![Entry::Advance { ms: 1000 }]);
}

#[wasm_bindgen_test]
async fn lesson_commands_run_in_the_terminal_they_name() {
    // Step 1 of `offsets` runs its consumer in terminal 2: a click opens it and runs it there.
    let root = mount_lessons("#/lesson/offsets/step/1", None).await;
    next_frame().await;
    assert_eq!(text_of(&root, ".step-title"), "By default: only what comes next");
    assert!(root.query_selector("#tab-2").unwrap().is_none());
    click(&root, ".lesson-commands li:nth-child(1) .run-command");
    next_frame().await;
    assert!(root.query_selector("#tab-2[aria-selected=true]").unwrap().is_some(), "terminal 2 opened and selected");
    assert!(scrollback(&root).starts_with("$ kafka-console-consumer --bootstrap-server localhost:9092 --topic billing --group billing-app"), "{}", scrollback(&root));
    set_hash("");
}

#[wasm_bindgen_test]
async fn the_session_is_restored_after_a_reload() {
    let first = mount().await;
    run(&first, "echo persisted").await;
    click(&first, ".tab-open");
    next_frame().await;
    run(&first, "echo second tab").await;
    drop(first);
    let second = mount_keeping_storage().await;
    assert_eq!(second.query_selector_all("[role=tab]").unwrap().length(), 2);
    assert_eq!(scrollback(&second), "$ echo second tab\nsecond tab");
    click(&second, "#tab-1");
    next_frame().await;
    assert_eq!(scrollback(&second), "$ echo persisted\npersisted");
}

#[wasm_bindgen_test]
async fn a_corrupt_saved_session_gives_a_message_and_a_fresh_start() {
    clear_storage();
    storage::set(storage::KEY_SESSION, "{\"app\":\"kafka-sandbox\",\"format\":1,\"seed\":");
    let root = mount_keeping_storage().await;
    let notice = text_of(&root, ".notice.error");
    assert!(notice.contains("Your saved session could not be restored"), "{notice}");
    assert_eq!(scrollback(&root), "");
    assert!(storage::get(storage::KEY_UNREADABLE).is_some(), "the unreadable copy is kept aside");
    run(&root, "echo works").await;
    assert_eq!(scrollback(&root), "$ echo works\nworks");
}

#[wasm_bindgen_test]
async fn a_session_from_an_older_format_gives_a_message_and_a_fresh_start() {
    clear_storage();
    storage::set(storage::KEY_SESSION, r#"{"app":"kafka-sandbox","format":0,"seed":1,"commands":["ls"]}"#);
    let root = mount_keeping_storage().await;
    let notice = text_of(&root, ".notice.error");
    assert!(notice.contains("saved in format 0 by another version"), "{notice}");
    click(&root, ".notice-close");
    next_frame().await;
    assert!(root.query_selector(".notice").unwrap().is_none());
}

#[wasm_bindgen_test]
async fn a_share_link_replays_and_hostile_text_stays_text() {
    clear_storage();
    let hostile = "<img src=x onerror=alert(1)>";
    let saved = SavedSession::new(
        7,
        2,
        vec![Entry::Run { term: 1, line: format!("echo '{hostile}'") }, Entry::Advance { ms: 2500 }],
    );
    set_hash(&codec::share_fragment(&saved).unwrap());
    let root = mount_keeping_storage().await;
    assert_eq!(gloo::utils::window().location().hash().unwrap(), "", "the fragment is consumed");
    assert_eq!(scrollback(&root), format!("$ echo '{hostile}'\n{hostile}"));
    assert!(root.query_selector("img").unwrap().is_none(), "no element was created from the text");
    assert!(text_of(&root, ".notice").contains("Opened a shared session: seed 7, 2 brokers, 2 actions replayed."));
    assert_eq!(text_of(&root, ".clock-time"), "0:00:02.500");
}

#[wasm_bindgen_test]
async fn an_invalid_share_link_is_refused_with_a_message() {
    clear_storage();
    set_hash("#s=<script>alert(1)</script>");
    let root = mount_keeping_storage().await;
    let notice = text_of(&root, ".notice.error");
    assert!(notice.contains("This share link could not be opened: it is not valid base64url"), "{notice}");
    assert!(root.query_selector("script").unwrap().is_none());
    let json = r#"{"app":"kafka-sandbox","format":1,"seed":1,"brokers":3,"transcript":[{"op":"run","term":4,"line":"<b>x</b>"}]}"#;
    set_hash(&format!("#s={}", codec::base64url_encode(json.as_bytes())));
    drop(root);
    let root = mount_keeping_storage().await;
    let notice = text_of(&root, ".notice.error");
    assert!(notice.contains("entry 1 uses terminal 4, which is not open"), "{notice}");
    assert!(root.query_selector(".scrollback b").unwrap().is_none());
}

#[wasm_bindgen_test]
async fn the_panic_panel_offers_export_and_reset_as_text() {
    clear_storage();
    storage::set(storage::KEY_SESSION, &codec::encode(&SavedSession::new(1, 3, vec![])));
    kafka_sandbox::ui::panic::show_panel("boom <b>bold</b>");
    let panel = gloo::utils::document().get_element_by_id(kafka_sandbox::ui::panic::PANEL_ID).expect("the panel");
    let text = panel.text_content().unwrap();
    assert!(text.contains("Something went wrong") && text.contains("boom <b>bold</b>"), "{text}");
    assert!(panel.query_selector("b").unwrap().is_none());
    assert!(panel.query_selector("a[download]").unwrap().is_some(), "export link");
    assert_eq!(panel.query_selector("a[href='./?reset']").unwrap().map(|a| a.text_content().unwrap()).as_deref(), Some("Reset: start a fresh session"));
    panel.remove();
}

#[wasm_bindgen_test]
async fn the_theme_toggle_sets_data_theme_and_is_remembered() {
    let root = mount().await;
    let html = gloo::utils::document().document_element().unwrap();
    assert_eq!(html.get_attribute("data-theme"), None);
    click(&root, ".theme");
    next_frame().await;
    assert_eq!(html.get_attribute("data-theme").as_deref(), Some("light"));
    click(&root, ".theme");
    next_frame().await;
    assert_eq!(html.get_attribute("data-theme").as_deref(), Some("dark"));
    assert_eq!(storage::get(storage::KEY_THEME).as_deref(), Some("dark"));
    click(&root, ".theme");
    next_frame().await;
    assert_eq!(html.get_attribute("data-theme"), None);
}

#[wasm_bindgen_test]
async fn play_advances_the_clock_as_one_merged_transcript_entry() {
    let root = mount().await;
    click(&root, ".play");
    yew::platform::time::sleep(std::time::Duration::from_millis(700)).await;
    assert_eq!(command_input(&root).get_attribute("aria-label").as_deref(), Some("Terminal 1: Command"));
    assert_eq!(root.query_selector(".play").unwrap().unwrap().get_attribute("aria-pressed").as_deref(), Some("true"));
    click(&root, ".play");
    next_frame().await;
    let saved = codec::decode(&storage::get(storage::KEY_SESSION).unwrap(), codec::SAVED_JSON_BYTES_MAX).unwrap();
    let [Entry::Advance { ms }] = saved.transcript.as_slice() else { panic!("one advance entry: {:?}", saved.transcript) };
    // 200 ms of simulated time per 200 ms tick at 1x: three ticks in 700 ms (timers may run late).
    assert!((200..=800).contains(ms) && ms % 200 == 0, "advanced {ms} ms");
    assert_eq!(text_of(&root, ".clock-time"), kafka_sandbox::ui::clock::format_clock(*ms));
    let paused = text_of(&root, ".clock-time");
    yew::platform::time::sleep(std::time::Duration::from_millis(450)).await;
    assert_eq!(text_of(&root, ".clock-time"), paused, "paused: the clock stands still");
}

// ---- The lesson panel ------------------------------------------------------------------------

use kafka_sandbox::ui::lesson_model::{KEY_POSITION, KEY_PROGRESS};

/// Mounts on a fresh session and fresh lesson progress, at address fragment `hash`.
async fn mount_lessons(hash: &str, progress: Option<&str>) -> Mounted {
    clear_storage();
    storage::remove(KEY_POSITION);
    storage::remove(KEY_PROGRESS);
    if let Some(p) = progress {
        storage::set(KEY_PROGRESS, p);
    }
    set_hash(hash);
    let mounted = mount_keeping_storage().await;
    next_frame().await;
    mounted
}

// ----- cluster views -----

fn count(root: &web_sys::Element, selector: &str) -> u32 {
    root.query_selector_all(selector).unwrap().length()
}

fn attr(root: &web_sys::Element, selector: &str, name: &str) -> String {
    root.query_selector(selector).unwrap().unwrap_or_else(|| panic!("no {selector}")).get_attribute(name).unwrap_or_default()
}

const CREATE_ORDERS: &str = "kafka-topics --create --topic orders --partitions 1 --replication-factor 3 --bootstrap-server localhost:9092";

#[wasm_bindgen_test]
async fn broker_columns_show_replicas_and_a_crash_click_runs_sim_crash_in_the_transcript() {
    let root = mount().await;
    run(&root, CREATE_ORDERS).await;
    assert_eq!(count(&root, ".broker"), 3);
    assert_eq!(count(&root, ".tile"), 3, "RF 3: one tile per broker");
    assert_eq!(count(&root, ".tile.leader"), 1);
    assert_eq!(count(&root, ".broker .badge.controller"), 1, "the controller is marked");
    let leader_column = root.query_selector(".tile.leader").unwrap().unwrap().closest(".broker").unwrap().unwrap();
    let leader: i32 = leader_column.get_attribute("aria-label").unwrap().trim_start_matches("Broker ").parse().unwrap();
    click(&root, &format!("[aria-label='Crash broker {leader}']"));
    next_frame().await;
    let lines = scrollback(&root);
    assert!(lines.contains(&format!("$ sim crash {leader}\nbroker {leader} crashed (kill -9)")), "{lines}");
    assert!(text_of(&root, &format!("[aria-label='Broker {leader}'] .broker-state")).starts_with("crashed"));
    assert!(root.query_selector(&format!("[aria-label='Crash broker {leader}']")).unwrap().unwrap().has_attribute("disabled"));
    let saved = codec::decode(&storage::get(storage::KEY_SESSION).unwrap(), codec::SAVED_JSON_BYTES_MAX).unwrap();
    assert_eq!(saved.transcript.last(), Some(&Entry::Run { term: 1, line: format!("sim crash {leader}") }), "recorded: it replays");
    // Time passes: the controller fences the broker, elects a new leader and shrinks the ISR.
    click_button(&root, "Step +1s");
    for _ in 0..9 {
        click(&root, ".step");
    }
    next_frame().await;
    let new_leader = root.query_selector(".tile.leader").unwrap().unwrap().closest(".broker").unwrap().unwrap();
    assert_ne!(new_leader.get_attribute("aria-label").unwrap(), format!("Broker {leader}"));
    assert_eq!(attr(&root, &format!("[aria-label='Broker {leader}'] .tile"), "aria-label"), "orders-0: follower, out of the ISR, partition under-replicated");
    assert!(text_of(&root, ".panel.brokers .partition-flags").contains("1 under-replicated"));
    let events = text_of(&root, ".event-log");
    assert!(events.contains(&format!("Broker {leader}: alive → crashed")) && events.contains("orders-0: ISR shrank"), "{events}");
    // Start it again: the start button runs `sim start`.
    click(&root, &format!("[aria-label='Start broker {leader}']"));
    next_frame().await;
    assert!(scrollback(&root).contains(&format!("$ sim start {leader}")));
}

#[wasm_bindgen_test]
async fn clicking_a_tile_opens_the_partition_log_and_a_record_shows_its_replicas() {
    let root = mount().await;
    run(&root, CREATE_ORDERS).await;
    run(&root, "printf 'k:one\\nk:two\\nj:three\\n' | kafka-console-producer --topic orders --property parse.key=true --property key.separator=: --bootstrap-server localhost:9092").await;
    click(&root, ".step");
    next_frame().await;
    click(&root, ".tile.leader");
    next_frame().await;
    assert_eq!(count(&root, ".record"), 3);
    assert_eq!(attr(&root, ".record", "aria-label"), "offset 0, key k, value one, committed");
    assert_eq!(count(&root, ".replica-row"), 3);
    assert_eq!(count(&root, ".replica-row.leader"), 1);
    assert!(text_of(&root, ".log-summary").contains("high watermark 3"));
    let records = root.query_selector_all(".record").unwrap();
    let hue = |i: u32| records.item(i).unwrap().dyn_into::<web_sys::Element>().unwrap().get_attribute("style").unwrap_or_default();
    assert_eq!(hue(0), hue(1), "one key, one colour");
    assert_ne!(hue(0), hue(2));
    records.item(2).unwrap().dyn_into::<web_sys::HtmlElement>().unwrap().click();
    next_frame().await;
    assert_eq!(text_of(&root, ".record-detail h3"), "Offset 2");
    assert_eq!(text_of(&root, ".held-by"), "brokers 1, 2, 3");
    assert!(text_of(&root, ".commit-status").starts_with("Committed"));
}

#[wasm_bindgen_test]
async fn a_large_topic_folds_into_a_heat_map_and_the_topic_filter_unfolds_a_small_one() {
    let root = mount().await;
    run(&root, "kafka-topics --create --topic big --partitions 120 --replication-factor 3 --bootstrap-server localhost:9092").await;
    run(&root, "kafka-topics --create --topic small --partitions 2 --replication-factor 3 --bootstrap-server localhost:9092").await;
    assert_eq!(count(&root, ".heat"), 3);
    assert_eq!(count(&root, ".heat .c"), 3 * 122, "one cell per partition in every column");
    assert_eq!(count(&root, ".heat .c.leader"), 122);
    assert_eq!(count(&root, ".tile"), 0);
    let select: web_sys::HtmlElement = root.query_selector(".brokers select").unwrap().unwrap().dyn_into().unwrap();
    js_sys::Reflect::set(&select, &"value".into(), &"small".into()).unwrap();
    select.dispatch_event(&web_sys::Event::new("change").unwrap()).unwrap();
    next_frame().await;
    assert_eq!(count(&root, ".heat"), 0);
    assert_eq!(count(&root, ".tile"), 6);
}

#[wasm_bindgen_test]
async fn an_unclean_election_raises_the_acknowledged_records_lost_alarm() {
    let root = mount().await;
    assert!(text_of(&root, ".monitor-ok").contains("every safety property holds"));
    // The topic on brokers 2 (leader) and 1, whatever the placer would choose.
    for line in [
        "kafka-topics --create --topic u --replica-assignment 2:1 --config unclean.leader.election.enable=true --bootstrap-server localhost:9092",
        "seq 5 | kafka-console-producer --topic u --bootstrap-server localhost:9092",
        "sim crash 1",
        "sim advance 10s",
        "seq 7 | kafka-console-producer --topic u --bootstrap-server localhost:9092",
        "sim advance 2s",
        "sim crash 2",
        "sim start 1",
        "sim advance 30s",
    ] {
        run(&root, line).await;
    }
    let alarm = text_of(&root, ".panel.alarm");
    assert!(alarm.contains("u-0: 7 acknowledged records lost (offsets 5..11) after an unclean leader election"), "{alarm}");
    assert!(alarm.contains("expected with acks=1"), "{alarm}");
    assert!(text_of(&root, ".event-log").contains("UNCLEAN election"));
    click(&root, ".dismiss-losses");
    next_frame().await;
    assert_eq!(count(&root, ".panel.alarm"), 0);
}

#[wasm_bindgen_test]
async fn the_animation_toggle_and_flows_follow_replication() {
    let root = mount().await;
    run(&root, CREATE_ORDERS).await;
    run(&root, "seq 50 | kafka-console-producer --topic orders --bootstrap-server localhost:9092").await;
    // The followers fetch after the append: the flows appear on a later action.
    click(&root, ".step");
    next_frame().await;
    assert!(count(&root, ".flows .flow") >= 1, "records flowing to followers are animated");
    assert!(count(&root, ".flows .flow") <= 36, "bounded");
    click(&root, ".animate");
    next_frame().await;
    assert_eq!(count(&root, ".flows"), 0, "animation off");
    assert_eq!(attr(&root, ".animate", "aria-pressed"), "false");
}

#[wasm_bindgen_test]
async fn the_lesson_list_shows_every_lesson_with_its_saved_progress() {
    let root = mount_lessons("", Some(r#"{"done":{"first-topic":[0,1],"gone-lesson":[0]}}"#)).await;
    assert_eq!(count(&root, ".lesson-item"), kafka_sandbox::lessons::LESSONS.len() as u32);
    assert_eq!(text_of(&root, ".lesson-item:nth-child(2) .lesson-progress-text"), "2/5");
    assert_eq!(text_of(&root, ".lesson-item:nth-child(1) .lesson-progress-text"), "0/3");
    assert_eq!(text_of(&root, ".lesson-overall"), "0 of 18 lessons complete");
    click(&root, ".free-sandbox");
    next_frame().await;
    assert_eq!(text_of(&root, "#lesson-title"), "Free sandbox");
    set_hash("");
}

#[wasm_bindgen_test]
async fn a_clicked_command_runs_in_the_terminal_and_ticks_the_goal() {
    let root = mount_lessons("", None).await;
    click(&root, ".lesson-open[data-lesson=log-not-queue]");
    next_frame().await;
    next_frame().await;
    assert!(root.query_selector(".goal.unmet").unwrap().is_some(), "{}", text_of(&root, ".lesson"));
    assert_eq!(text_of(&root, ".goal-missing"), "Not yet: You have not run sim status yet in this step");
    assert_eq!(gloo::utils::window().location().hash().unwrap(), "#/lesson/log-not-queue/step/1");
    click(&root, ".lesson-commands li:nth-child(2) .run-command");
    next_frame().await;
    assert!(scrollback(&root).contains("$ sim status"), "{}", scrollback(&root));
    assert!(root.query_selector(".goal.met").unwrap().is_some(), "{}", text_of(&root, ".goal"));
    assert_eq!(storage::get(KEY_PROGRESS).as_deref(), Some(r#"{"done":{"log-not-queue":[0]}}"#));
    click(&root, ".next-step");
    next_frame().await;
    assert_eq!(text_of(&root, ".step-title"), "Append to a log");
    assert_eq!(gloo::utils::window().location().hash().unwrap(), "#/lesson/log-not-queue/step/2");
    set_hash("");
}

#[wasm_bindgen_test]
async fn a_deep_link_opens_its_step_and_show_solution_only_fills_the_input() {
    let root = mount_lessons("#/lesson/first-topic/step/2", None).await;
    next_frame().await;
    assert_eq!(text_of(&root, ".step-title"), "Create the topic test");
    assert!(scrollback(&root).contains("kafka-consumer-groups"), "step 1's solution was replayed: {}", scrollback(&root));
    click(&root, ".show-solution");
    yew::platform::time::sleep(std::time::Duration::from_millis(100)).await;
    let line = "/app/confluent/bin/kafka-topics --create --bootstrap-server localhost:9092 --replication-factor 1 --partitions 1 --topic test";
    assert_eq!(command_input(&root).value(), line);
    assert!(!scrollback(&root).contains("--topic test"), "not run");
    assert!(root.query_selector(".goal.unmet").unwrap().is_some());
    set_hash("");
}

#[wasm_bindgen_test]
async fn a_bad_deep_link_says_why_as_text() {
    let root = mount_lessons("#/lesson/%3Cb%3Enope%3C%2Fb%3E/step/1", None).await;
    let error = text_of(&root, ".lesson-error");
    assert!(error.starts_with("That lesson link does not work: there is no lesson"), "{error}");
    assert!(root.query_selector(".lesson-error b").unwrap().is_none());
    assert_eq!(text_of(&root, "#lesson-title"), "Lessons");
    set_hash("");
}

// ----- consumer groups view and lesson highlights -----

const CREATE_CLICKS: &str = "kafka-topics --create --topic clicks --partitions 2 --replication-factor 1 --bootstrap-server localhost:9092";
const CONSUME_CLICKS: &str = "kafka-console-consumer --bootstrap-server localhost:9092 --topic clicks --group web";

async fn steps(root: &web_sys::Element, n: usize) {
    for _ in 0..n {
        click(root, ".step");
    }
    next_frame().await;
}

#[wasm_bindgen_test]
async fn two_console_consumers_show_as_members_with_their_partitions_and_the_lag_after_they_stop() {
    let root = mount().await;
    assert!(text_of(&root, ".panel.groups").contains("No consumer group yet"));
    run(&root, CREATE_CLICKS).await;
    run(&root, CONSUME_CLICKS).await;
    click(&root, ".tab-open");
    next_frame().await;
    run(&root, CONSUME_CLICKS).await;
    steps(&root, 8).await;
    let card = ".group-card[data-group='web']";
    assert_eq!(count(&root, card), 1, "{}", text_of(&root, ".panel.groups"));
    assert_eq!(text_of(&root, &format!("{card} .group-state")), "Stable");
    assert!(text_of(&root, &format!("{card} .group-meta")).contains("2 members"));
    let mut parts: Vec<String> = (0..2)
        .map(|i| root.query_selector_all(&format!("{card} .member-partitions")).unwrap().item(i).unwrap().text_content().unwrap())
        .collect();
    parts.sort();
    assert_eq!(parts, vec!["clicks: 0".to_string(), "clicks: 1".to_string()]);
    let events = text_of(&root, ".event-log");
    assert!(events.contains("Group web: rebalanced, generation") && events.contains("2 members"), "{events}");
    // Both stop (Ctrl-C commits and leaves), then three records arrive: the group lags by 3.
    press(&root, "c", true);
    click(&root, "#tab-1");
    next_frame().await;
    press(&root, "c", true);
    steps(&root, 2).await;
    run(&root, "printf 'a\\nb\\nc\\n' | kafka-console-producer --topic clicks --bootstrap-server localhost:9092").await;
    steps(&root, 2).await;
    assert_eq!(text_of(&root, &format!("{card} .group-state")), "Empty");
    assert_eq!(text_of(&root, &format!("{card} .group-lag")), "total lag 3");
    assert_eq!(count(&root, &format!("{card} .group-partitions tbody tr")), 2);
    assert!(root.query_selector(&format!("{card} .lag-chart svg polyline.lag-total")).unwrap().is_some(), "the lag chart is drawn");
    // The partition log view says which groups committed a record.
    // The console producer's sticky partitioner put all three on one partition: open that one.
    let leaders = root.query_selector_all(".tile.leader").unwrap();
    for i in 0..leaders.length() {
        leaders.item(i).unwrap().dyn_into::<web_sys::HtmlElement>().unwrap().click();
        next_frame().await;
        if count(&root, ".record") > 0 {
            break;
        }
    }
    let records = root.query_selector_all(".record").unwrap();
    assert_eq!(records.length(), 3);
    records.item(0).unwrap().dyn_into::<web_sys::HtmlElement>().unwrap().click();
    next_frame().await;
    let groups = text_of(&root, ".record-groups");
    assert!(groups.starts_with("web: not read yet (committed offset 0)"), "{groups}");
}

fn outline_of(root: &web_sys::Element, selector: &str) -> String {
    let el = root.query_selector(selector).unwrap().unwrap_or_else(|| panic!("no {selector}"));
    // getComputedStyle through js-sys (web-sys's CssStyleDeclaration is not a built feature).
    let window = gloo::utils::window();
    let f: js_sys::Function = js_sys::Reflect::get(&window, &"getComputedStyle".into()).unwrap().dyn_into().unwrap();
    let style = f.call1(&window, &el).unwrap();
    js_sys::Reflect::get(&style, &"outlineStyle".into()).unwrap().as_string().unwrap_or_default()
}

#[wasm_bindgen_test]
async fn a_lesson_steps_look_at_outlines_its_brokers_then_its_partition() {
    let root = mount_lessons("#/lesson/log-not-queue/step/1", None).await;
    next_frame().await;
    assert_eq!(outline_of(&root, "[aria-label='Broker 2']"), "solid", "{}", text_of(&root, ".look-at-style"));
    assert_eq!(outline_of(&root, "#tab-1"), "none");
    drop(root);
    let root = mount_lessons("#/lesson/first-topic/step/3", None).await;
    next_frame().await;
    assert_eq!(text_of(&root, ".step-title"), "Produce");
    assert_eq!(outline_of(&root, ".tile[aria-label^='test-0:']"), "solid");
    assert_eq!(outline_of(&root, "[aria-label='Broker 1']"), "none", "the previous step's highlight is gone");
    // Leaving the lesson clears the highlight.
    click(&root, ".lesson-home");
    next_frame().await;
    assert!(root.query_selector(".look-at-style").unwrap().is_none());
    set_hash("");
}

#[wasm_bindgen_test]
async fn keyed_records_are_cells_in_the_cluster_region_without_a_click() {
    let root = mount().await;
    run(&root, "kafka-topics --create --topic k --partitions 1 --replication-factor 3 --bootstrap-server localhost:9092").await;
    run(&root, "printf 'a:1\\nb:2\\na:3\\n' | kafka-console-producer --topic k --property parse.key=true --property key.separator=: --bootstrap-server localhost:9092").await;
    run(&root, "sim advance 1s").await;
    let keys = root.query_selector_all("[aria-label=Cluster] .strip .cell-key").unwrap();
    let keys: Vec<String> = (0..keys.length()).filter_map(|i| keys.item(i)?.text_content()).collect();
    assert_eq!(keys, vec!["a", "b", "a"]);
    assert_eq!(text_of(&root, "[aria-label=Cluster] .strip-marks"), "start 0 · HW 3 · end 3");
}

#[wasm_bindgen_test]
async fn the_touch_keys_end_a_tools_input_and_interrupt_it_once() {
    let root = mount().await;
    run(&root, "kafka-topics --create --topic t --bootstrap-server localhost:9092").await;
    run(&root, "kafka-console-producer --topic t --bootstrap-server localhost:9092").await;
    assert_eq!(text_of(&root, ".terminal.active .prompt"), ">");
    click(&root, ".terminal.active .touch-key[aria-label^='End the tool']");
    next_frame().await;
    assert_eq!(text_of(&root, ".terminal.active .prompt"), "$ ");
    run(&root, "kafka-console-consumer --topic t --bootstrap-server localhost:9092").await;
    click(&root, ".terminal.active .touch-key[aria-label^='Interrupt']");
    next_frame().await;
    assert_eq!(scrollback(&root).matches("^C").count(), 1, "{}", scrollback(&root));
}
