//! The cluster area: the invariant monitor, the brokers panel (brokers as columns, replicas as
//! tiles or a heat map, fault buttons, replication animations), the partition log view, what just
//! happened, and the consumer groups (members, lag, lag over time: [`GroupsPanel`]). A lesson
//! step's "look at" is a style sheet rendered by the brokers panel ([`super::look`]).
//!
//! Rendering cost is kept flat at scale: the layout is memoised on the snapshot and the filter;
//! each broker column is its own component whose props compare by value, so a column whose
//! replicas did not change is not rendered again; the heat map's cells carry no handlers (one
//! delegated click handler per column reads `data-row`); animations are a bounded set of
//! elements keyed by a sequence number, driven by CSS.
use std::collections::VecDeque;
use std::fmt::Write as _;
use std::rc::Rc;

use super::{class_names, when};
use wasm_bindgen::JsCast;
use web_sys::HtmlElement;
use yew::prelude::*;

use super::clock;
use super::ghosts::{Ghost, LostCount};
use super::groups::{GroupView, GroupsView, LagHistory};
use super::topiclogs::{plural, TopicLogs};
use super::layout::{layout, Column, Filter, Layout, Mode, Role};
use super::logview::{self, LogView, RecordCell};
use super::monitor::{Alarm, Loss, EXPECTED_WHEN};
use super::snapshot::{BrokerState, Change, Snapshot};
use super::state::{anim_speed_at, send, Action, AppState, ViewState, ANIM_SPEEDS, FLOW_WALL_MS};
use super::watch::{Flow, Logged};

/// Entries of the "what just happened" list shown (the log keeps more).
const LOG_SHOWN_MAX: usize = 40;

type Dispatch = UseReducerDispatcher<AppState>;

/// A property of the element an event came from (read as a property: web-sys's
/// HtmlSelectElement is not among the features this crate builds).
fn target_property(e: &Event, name: &str) -> Option<wasm_bindgen::JsValue> {
    let target = e.target()?;
    js_sys::Reflect::get(&target, &name.into()).ok()
}

/// What a form control's new value sets: one handler ([`on_value`]) for every control that reads
/// its value (each distinct closure is its own code in the wasm).
#[derive(Clone)]
pub enum ValueTarget {
    /// The clock's speed slider.
    Speed,
    AnimSpeed,
    /// The brokers panel's topic `<select>` (the rest of the filter as it is).
    FilterTopic(Filter),
    /// The brokers panel's "internal topics" checkbox.
    FilterInternal(Filter),
    /// The partition log's topic `<select>`.
    LogTopic,
    /// The partition log's partition number, in this topic.
    LogPartition(String),
}

fn value_action(target: &ValueTarget, e: &Event) -> Option<Action> {
    if let ValueTarget::FilterInternal(filter) = target {
        let checked = target_property(e, "checked")?.as_bool()?;
        return Some(Action::SetFilter(Filter { show_internal: checked, ..filter.clone() }));
    }
    let value = target_property(e, "value")?.as_string()?;
    Some(match target {
        ValueTarget::Speed => Action::SetSpeed(value.parse().ok()?),
        ValueTarget::AnimSpeed => Action::SetAnimSpeed(value.parse().ok()?),
        ValueTarget::FilterTopic(filter) => Action::SetFilter(Filter { topic: (!value.is_empty()).then_some(value), ..filter.clone() }),
        ValueTarget::FilterInternal(_) => return None,
        ValueTarget::LogTopic => Action::SelectPartition((!value.is_empty()).then(|| (Rc::from(value.as_str()), 0))),
        ValueTarget::LogPartition(topic) => {
            let p = value.parse::<i32>().ok()?;
            if topic.is_empty() {
                return None;
            }
            Action::SelectPartition(Some((Rc::from(topic.as_str()), p)))
        }
    })
}

/// A handler for a form control's `change` or `input` event: what its value sets, dispatched.
pub fn on_value<E: AsRef<Event> + 'static>(d: &Dispatch, target: ValueTarget) -> Callback<E> {
    let d = d.clone();
    Callback::from(move |e: E| {
        if let Some(action) = value_action(&target, e.as_ref()) {
            d.dispatch(action);
        }
    })
}
type PartitionKey = (Rc<str>, i32);

/// What the cluster area shows (from the app's state and its [`super::watch::Watch`]).
pub struct ClusterProps {
    pub snapshot: Rc<Snapshot>,
    /// The brokers panel's layout, memoised on the snapshot and the filter.
    pub laid: Rc<Laid>,
    pub log: Rc<VecDeque<Logged>>,
    pub flows: Rc<Vec<Flow>>,
    pub alarm: Option<Alarm>,
    pub losses: Rc<Vec<Loss>>,
    pub view: ViewState,
    pub log_view: Option<Rc<LogView>>,
    pub groups: Rc<GroupsView>,
    /// The topic in view drawn as logs (None: no topic yet).
    pub topic_logs: Option<Rc<TopicLogs>>,
    /// Per partition with lost records: its newest ghost and how many were lost.
    pub ghosts: Rc<Vec<(Ghost, LostCount)>>,
    pub dispatch: Dispatch,
}

/// A plain function, not a component: every part below is its own component (or cheap), and a
/// component costs about 2 KB of wasm in yew's generic lifecycle code.
pub fn cluster_area(props: &ClusterProps) -> Html {
    let v = &props.view;
    html! {
        <section class="cluster" id="cluster" aria-label="Cluster">
            <div class="visually-hidden" id="cluster-description">
                <h2>{ "The cluster in words" }</h2>
                <p>{ super::topiclogs::describe_cluster(&props.snapshot, &props.groups) }</p>
            </div>
            { monitor_panel(props.alarm.as_ref(), &props.losses, &props.ghosts, &props.dispatch) }
            { super::strips::logs_panel(props.topic_logs.as_deref(), &props.laid.layout.topics, &v.filter, &props.dispatch) }
            { brokers_panel(props) }
            { partition_panel(props) }
            { events_panel(&props.log) }
            { groups_panel(&props.groups, v.look_at) }
        </section>
    }
}

// ----- invariant monitor -----

/// A quiet line while every property holds; an alarm panel when one does not, or when
/// acknowledged records disappeared.
fn monitor_panel(alarm: Option<&Alarm>, losses: &[Loss], ghosts: &[(Ghost, LostCount)], dispatch: &Dispatch) -> Html {
    if alarm.is_none() && losses.is_empty() && ghosts.is_empty() {
        return html! {
            <p class="monitor-ok" role="status">
                { "Invariant monitor: every safety property holds (checked after each action)." }
            </p>
        };
    }
    let dismiss = send(dispatch, Action::ClearLosses);
    html! {
        <section class="panel alarm" role="alert" aria-labelledby="alarm-title">
            <h2 id="alarm-title">{ "⚠ Invariant monitor: alarm" }</h2>
            if let Some(a) = alarm {
                <p class="alarm-property">
                    <code>{ a.property.clone() }</code>{ format!(" violated since {}: ", clock::format_clock(u64::try_from(a.since_ms).unwrap_or(0))) }
                    <span class="alarm-detail">{ a.detail.clone() }</span>
                </p>
                <p>{ a.explanation }</p>
            }
            if !losses.is_empty() {
                <ul class="losses">
                    { for losses.iter().map(|l| html! {
                        <li>{ format!("{}: {}", clock::format_clock(u64::try_from(l.at_ms).unwrap_or(0)), l.describe()) }</li>
                    }) }
                </ul>
            }
            { lost_links(ghosts, dispatch) }
            if !losses.is_empty() || !ghosts.is_empty() {
                <button class="dismiss-losses" onclick={dismiss}>{ "Dismiss the losses" }</button>
            }
            <p class="alarm-expected">{ EXPECTED_WHEN }</p>
        </section>
    }
}

/// One line per partition with ghosts, each a button that shows them in the logs panel.
fn lost_links(ghosts: &[(Ghost, LostCount)], dispatch: &Dispatch) -> Html {
    let parts = ghosts;
    if parts.is_empty() {
        return html! {};
    }
    html! {
        <ul class="losses ghost-links">
            { for parts.iter().map(|(g, n)| html! {
                <li>
                    <button class="show-lost" onclick={send(dispatch, Action::ShowLost(g.topic.clone(), g.partition))}>
                        { format!("{}-{}: {} {} (show)", g.topic, g.partition, n.text(), g.label()) }
                    </button>
                </li>
            }) }
        </ul>
    }
}

// ----- brokers -----

/// The layout and its rows, shared by every column (compared by value: equal rows, no render).
/// Memoised by the app on the snapshot and the filter ([`lay_out`]).
#[derive(PartialEq)]
pub struct Laid {
    pub layout: Layout,
    rows: Rc<Vec<PartitionKey>>,
}

/// The brokers panel's layout for `snapshot` under `filter`.
pub fn lay_out(snapshot: &Snapshot, filter: &Filter) -> Laid {
    let layout = layout(snapshot, filter);
    let rows = Rc::new(layout.rows.clone());
    Laid { layout, rows }
}

/// Brokers as columns, with the filter, the heal button, the legend and the animations. A plain
/// function (a component costs about 2 KB of wasm): the snapshot carries the clock, so it
/// rendered on every tick anyway; each column is still a component that renders only when its
/// replicas change.
fn brokers_panel(props: &ClusterProps) -> Html {
    let laid = &props.laid;
    let v = &props.view;
    let l = &laid.layout;
    let d = props.dispatch.clone();
    // Cheap (a scan of the rows), and only while a lesson step names something.
    let look_css = if v.look_at.is_empty() { String::new() } else { super::look::css(v.look_at, &laid.rows, l.mode == Mode::HeatMap) };
    let on_topic = on_value::<Event>(&d, ValueTarget::FilterTopic(v.filter.clone()));
    let on_internal = on_value::<Event>(&d, ValueTarget::FilterInternal(v.filter.clone()));
    let on_heal = send(&d, Action::RunInActive("sim heal".to_string()));
    let on_animate = send(&d, Action::SetAnimate(!v.animate));
    let on_anim_speed = on_value::<InputEvent>(&d, ValueTarget::AnimSpeed);
    let any_isolated = props.snapshot.brokers.iter().any(|b| b.isolated);
    let selected_topic = v.filter.topic.clone().unwrap_or_default();
    let n = props.snapshot.brokers.len().max(1);
    let flow_ms = FLOW_WALL_MS / anim_speed_at(v.anim_speed);
    let flows = v.animate.then(|| {
        let position = |b: i32| props.snapshot.brokers.iter().position(|x| x.id == b);
        html! {
            <div class="flows" aria-hidden="true" style={format!("--flow-ms: {flow_ms:.0}ms")}>
                { for props.flows.iter().filter_map(|f| {
                    let (from, to) = (position(f.from)?, position(f.to)?);
                    let x = |i: usize| (i as f64 + 0.5) * 100.0 / n as f64;
                    Some(html! {
                        <span class="flow" key={f.seq} title={format!("{}-{}: {} record(s) {} → {}", f.topic, f.partition, f.records, f.from, f.to)}
                            style={format!("--x0: {:.2}%; --x1: {:.2}%", x(from), x(to))}></span>
                    })
                }) }
            </div>
        }
    });
    html! {
        <section class="panel brokers" aria-labelledby="brokers-title">
            <div class="panel-head">
                <h2 id="brokers-title">{ "Brokers" }</h2>
                <label class="filter">
                    <span>{ "Topic" }</span>
                    <select onchange={on_topic} aria-label="Show the partitions of">
                        <option value="" selected={selected_topic.is_empty()}>{ "All topics" }</option>
                        { for l.topics.iter().map(|t| html! {
                            <option value={t.to_string()} selected={**t == *selected_topic}>{ t.to_string() }</option>
                        }) }
                    </select>
                </label>
                <label class="filter">
                    <input type="checkbox" checked={v.filter.show_internal} onchange={on_internal} />
                    <span>{ if l.hidden_internal > 0 { format!("internal topics ({} hidden)", l.hidden_internal) } else { "internal topics".to_string() } }</span>
                </label>
                <span class="partition-flags">
                    { plural(l.rows.len(), "partition") }
                    if l.under_replicated > 0 { <span class="flag under">{ format!("{} under-replicated", l.under_replicated) }</span> }
                    if l.offline > 0 { <span class="flag offline">{ format!("{} offline", l.offline) }</span> }
                </span>
                <span class="panel-tools">
                    <button class="heal" onclick={on_heal} disabled={!any_isolated} title="Mend every network cut (sim heal)">{ "Heal network" }</button>
                    <button class="animate" aria-pressed={v.animate.to_string()} onclick={on_animate}
                        title="Animate records replicating from leaders to followers">{ if v.animate { "Animation: on" } else { "Animation: off" } }</button>
                    <label class="anim-speed">
                        <span class="visually-hidden">{ "Animation speed" }</span>
                        <input type="range" min="0" max={(ANIM_SPEEDS.len() - 1).to_string()} step="1" value={v.anim_speed.to_string()}
                            disabled={!v.animate} aria-valuetext={format!("{}x", anim_speed_at(v.anim_speed))} oninput={on_anim_speed} />
                        <output>{ format!("{}x", anim_speed_at(v.anim_speed)) }</output>
                    </label>
                </span>
            </div>
            <div ~className={class_names(&["broker-area", when(l.mode == Mode::HeatMap, "heat-mode")])}>
                { for flows }
                <ul class="broker-columns" style={format!("--brokers: {n}")}>
                    { for l.columns.iter().map(|c| html! {
                        <BrokerColumn key={c.broker.id} column={c.clone()} mode={l.mode} rows={laid.rows.clone()}
                            selected={v.selected.clone()} dispatch={props.dispatch.clone()} />
                    }) }
                </ul>
            </div>
            { legend(l.mode) }
            if !look_css.is_empty() {
                <style class="look-at-style">{ look_css }</style>
            }
        </section>
    }
}

fn legend(mode: Mode) -> Html {
    let item = |class: &'static str, text: &'static str| html! {
        <li><span ~className={class_names(&["swatch", class])} aria-hidden="true"></span>{ text }</li>
    };
    html! {
        <ul class="legend" aria-label="Legend">
            { item("leader", "leader") }
            { item("in-sync", "follower in ISR") }
            { item("out-of-sync", "follower out of ISR") }
            { item("offline", "offline (no leader)") }
            { item("under", "under-replicated partition") }
            if mode == Mode::HeatMap {
                <li class="legend-note">{ "Heat map: one cell per partition, on the same spot in every column. Click a cell for its log." }</li>
            }
        </ul>
    }
}

#[derive(Properties, PartialEq)]
pub struct ColumnProps {
    pub column: Rc<Column>,
    pub mode: Mode,
    pub rows: Rc<Vec<PartitionKey>>,
    pub selected: Option<PartitionKey>,
    pub dispatch: Dispatch,
}

/// The sim commands a broker's buttons run: (label, verb, enabled).
fn broker_actions(state: BrokerState, isolated: bool) -> [(&'static str, &'static str, bool); 4] {
    let running = matches!(state, BrokerState::Alive | BrokerState::ShuttingDown);
    [
        ("Crash", "crash", running),
        ("Stop", "stop", state == BrokerState::Alive),
        ("Start", "start", !running),
        ("Isolate", "isolate", !isolated),
    ]
}

/// One broker: its state, its fault buttons, its replicas.
#[function_component(BrokerColumn)]
pub fn broker_column(props: &ColumnProps) -> Html {
    let c = &props.column;
    let b = &c.broker;
    let id = b.id;
    let mut state_words = vec![b.state.name()];
    if b.fenced {
        state_words.push("fenced");
    }
    if b.isolated {
        state_words.push("isolated");
    }
    let state_text = state_words.join(" · ");
    let buttons = broker_actions(b.state, b.isolated).map(|(label, verb, enabled)| {
        let line = format!("sim {verb} {id}");
        let title = format!("Run `{line}` in the active terminal");
        html! {
            <button ~className={class_names(&["broker-action", verb])} disabled={!enabled} aria-label={format!("{label} broker {id}")} {title}
                onclick={send(&props.dispatch, Action::RunInActive(line))}>{ label }</button>
        }
    });
    let select = |key: PartitionKey| send(&props.dispatch, Action::SelectPartition(Some(key)));
    let body = match props.mode {
        Mode::Tiles => html! {
            <ul class="tiles" aria-label={format!("Replicas on broker {id}")}>
                { for c.tiles.iter().map(|t| {
                    let key = (t.topic.clone(), t.partition);
                    let selected = props.selected.as_ref() == Some(&key);
                    let mut label = format!("{}-{}: {}", t.topic, t.partition, t.role.describe());
                    if t.under_replicated { label.push_str(", partition under-replicated"); }
                    if t.lag > 0 { label.push_str(&format!(", {} record(s) behind", t.lag)); }
                    html! {
                        <li key={format!("{}-{}", t.topic, t.partition)}>
                            <button ~className={class_names(&["tile", t.role.class(), when(t.under_replicated, "under"), when(selected, "selected")])}
                                aria-label={label.clone()} title={label} aria-pressed={selected.to_string()} onclick={select(key)}>
                                if t.role == Role::Leader { <span class="tile-mark" aria-hidden="true">{ "★" }</span> }
                                { format!("{}-{}", t.topic, t.partition) }
                            </button>
                        </li>
                    }
                }) }
            </ul>
        },
        Mode::HeatMap => {
            let on_click = {
                let (d, rows) = (props.dispatch.clone(), props.rows.clone());
                Callback::from(move |e: MouseEvent| {
                    let Some(cell) = e.target().and_then(|t| t.dyn_into::<HtmlElement>().ok()) else { return };
                    let Some(row) = cell.get_attribute("data-row").and_then(|r| r.parse::<usize>().ok()) else { return };
                    if let Some(key) = rows.get(row) {
                        d.dispatch(Action::SelectPartition(Some(key.clone())));
                    }
                })
            };
            let selected_row = props.selected.as_ref().and_then(|s| props.rows.iter().position(|r| r == s));
            html! {
                <div class="heat" aria-hidden="true" onclick={on_click}>
                    { for c.cells.iter().enumerate().map(|(i, cell)| {
                        let class = class_names(&[
                            "c",
                            cell.role.map_or("", Role::class),
                            when(cell.under_replicated, "under"),
                            when(selected_row == Some(i), "selected"),
                        ]);
                        html! { <span ~className={class} data-row={i.to_string()}></span> }
                    }) }
                </div>
            }
        }
    };
    html! {
        <li ~className={class_names(&["broker", &format!("state-{}", b.state.name().replace(' ', "-")), when(b.isolated, "isolated"), when(b.fenced, "fenced"), when(b.controller, "controller")])}
            aria-label={format!("Broker {id}")}>
            <div class="broker-head">
                <span class="broker-name">{ format!("Broker {id}") }</span>
                if b.controller { <span class="badge controller" title="The active KRaft controller">{ "controller" }</span> }
            </div>
            <div class="broker-state">{ state_text }</div>
            <div class="broker-actions" role="group" aria-label={format!("Faults for broker {id}")}>{ for buttons }</div>
            <div class="broker-summary">{ c.summary() }</div>
            { body }
        </li>
    }
}

// ----- partition log view -----

/// One partition's log: record cells, each replica's marks, and the chosen record's detail. A
/// plain function (a component costs about 2 KB of wasm): the log view is rebuilt on every render
/// of the app anyway, and it is bounded (48 records, one row per replica).
fn partition_panel(props: &ClusterProps) -> Html {
    let d = props.dispatch.clone();
    let picker = {
        let topic = props.view.selected.as_ref().map(|(t, _)| t.to_string()).unwrap_or_default();
        let partition = props.view.selected.as_ref().map_or(0, |(_, p)| *p);
        let partitions = props.snapshot.topic(&topic).map_or(0, |t| t.partitions.len());
        let on_topic = on_value::<Event>(&d, ValueTarget::LogTopic);
        let on_partition = on_value::<Event>(&d, ValueTarget::LogPartition(topic.clone()));
        html! {
            <span class="log-picker">
                <label>
                    <span>{ "Topic" }</span>
                    <select onchange={on_topic} aria-label="Partition log: topic">
                        <option value="" selected={topic.is_empty()}>{ "(click a replica)" }</option>
                        { for props.snapshot.topics.iter().map(|t| html! {
                            <option value={t.name.to_string()} selected={*t.name == *topic}>{ t.name.to_string() }</option>
                        }) }
                    </select>
                </label>
                <label>
                    <span>{ "Partition" }</span>
                    // Keyed by what it shows: yew leaves an unchanged `value` alone, so a number typed
                    // for another lesson's topic stayed in the field; a new key is a new field.
                    <input key={format!("{topic}/{partition}")} type="number" min="0" max={partitions.saturating_sub(1).to_string()} value={partition.to_string()}
                        disabled={topic.is_empty()} onchange={on_partition} aria-label="Partition log: partition" />
                </label>
            </span>
        }
    };
    let body = match &props.log_view {
        None => html! { <p class="placeholder">{ "Click a replica tile (or a heat-map cell) to see that partition's log." }</p> },
        Some(v) => log_body(v, props.view.record, &props.groups, &d),
    };
    html! {
        <section class="panel partitions" id="partition-log" aria-labelledby="partitions-title">
            <div class="panel-head">
                <h2 id="partitions-title">{ "Partition log" }</h2>
                { picker }
            </div>
            { body }
        </section>
    }
}

fn percent(offset: i64, start: i64, end: i64) -> f64 {
    if end <= start {
        return 0.0;
    }
    ((offset - start) as f64 * 100.0 / (end - start) as f64).clamp(0.0, 100.0)
}

fn log_body(v: &LogView, record: Option<i64>, groups: &GroupsView, d: &Dispatch) -> Html {
    let leader = v.leader.map_or_else(|| "none (offline)".to_string(), |l| format!("broker {l}"));
    let hw = v.high_watermark.map_or_else(|| "unknown".to_string(), |h| h.to_string());
    let (start, end) = (v.scale_start, v.scale_end.max(v.scale_start + 1));
    let rows = v.replicas.iter().map(|r| {
        let marks = r.marks;
        let track = marks.map(|m| {
            let committed = (percent(m.log_start, start, end), percent(m.high_watermark, start, end));
            let pending = percent(m.log_end, start, end);
            html! {
                <div class="track" aria-hidden="true">
                    <span class="committed" style={format!("left: {:.2}%; width: {:.2}%", committed.0, committed.1 - committed.0)}></span>
                    <span class="pending" style={format!("left: {:.2}%; width: {:.2}%", committed.1, (pending - committed.1).max(0.0))}></span>
                    { for r.segments.iter().skip(1).map(|s| html! {
                        <span class="segment" style={format!("left: {:.2}%", percent(*s, start, end))}></span>
                    }) }
                    if let Some(c) = v.cleaner_point {
                        <span class="cleaner" style={format!("left: {:.2}%", percent(c, start, end))}></span>
                    }
                </div>
            }
        });
        let text = marks.map_or_else(
            || "no log on this broker".to_string(),
            |m| format!("log start {} · HW {} · LEO {} · {} segment{}", m.log_start, m.high_watermark, m.log_end, r.segments.len(), if r.segments.len() == 1 { "" } else { "s" }),
        );
        html! {
            <li ~className={class_names(&["replica-row", r.role.class()])}>
                <span class="replica-name">{ format!("Broker {}", r.broker) }<span class="replica-role">{ format!(" {}", r.role.describe()) }</span></span>
                { for track }
                <span class="replica-marks">{ text }</span>
            </li>
        }
    });
    let older = send(d, Action::SetWindowEnd(Some(v.from)));
    let next = v.to + logview::RECORDS_SHOWN_MAX;
    let newer = send(d, Action::SetWindowEnd((next < v.scale_end).then_some(next)));
    let reference_start = v.replicas.iter().find(|r| Some(r.broker) == v.reference).and_then(|r| r.marks).map_or(0, |m| m.log_start);
    let cells = v.records.iter().map(|r| record_cell(r, record == Some(r.offset), d));
    let detail = record.and_then(|o| v.records.iter().find(|r| r.offset == o)).map(|r| record_detail(r, v, groups));
    html! {
        <>
            <p class="log-summary">
                <strong>{ format!("{}-{}", v.topic, v.partition) }</strong>
                { format!(" · leader {leader} (epoch {}) · high watermark {hw} · replicas {}", v.leader_epoch,
                    v.replicas.iter().map(|r| r.broker.to_string()).collect::<Vec<_>>().join(",")) }
            </p>
            <ul class="replica-rows">{ for rows }</ul>
            if !v.group_offsets.is_empty() {
                <p class="group-offsets">{ "Committed by groups: " }
                    { v.group_offsets.iter().map(|(g, o)| format!("{g} at {o}")).collect::<Vec<_>>().join(", ") }</p>
            }
            <div class="records-head">
                <span>{ if v.records.is_empty() { "No records in this log yet.".to_string() }
                        else { format!("Offsets {}..{} (read from broker {})", v.from, v.to - 1, v.reference.unwrap_or(0)) } }</span>
                <button onclick={older} disabled={v.from <= reference_start}>{ "◀ Older" }</button>
                <button onclick={newer} disabled={v.to >= v.scale_end}>{ "Newer ▶" }</button>
            </div>
            <ol class="records" aria-label="Records">{ for cells }</ol>
            { for detail }
        </>
    }
}

fn record_cell(r: &RecordCell, selected: bool, d: &Dispatch) -> Html {
    let key = r.key.as_deref().map_or_else(|| "null".to_string(), |k| logview::shorten(k, logview::CELL_CHARS_MAX));
    let value = r.value.as_deref().map_or_else(|| "null".to_string(), |v| logview::shorten(v, logview::CELL_CHARS_MAX));
    let style = r.key_hue.map(|h| format!("--hue: {h}"));
    let onclick = send(d, Action::SelectRecord(if selected { None } else { Some(r.offset) }));
    let label = format!(
        "offset {}, key {key}, value {value}, {}",
        r.offset,
        if r.committed { "committed" } else { "not committed yet" }
    );
    html! {
        <li key={r.offset}>
            <button ~className={class_names(&["record", if r.committed { "committed" } else { "pending" }, when(r.key_hue.is_none(), "no-key"), when(selected, "selected")])}
                {style} aria-label={label} aria-pressed={selected.to_string()} {onclick}>
                <span class="record-offset">{ r.offset }</span>
                <span class="record-key">{ key }</span>
                <span class="record-value">{ value }</span>
            </button>
        </li>
    }
}

/// Which groups have read and committed the record at `offset`: one line per group with a commit
/// or a reading member on the partition.
fn record_groups(offset: i64, v: &LogView, groups: &GroupsView) -> Vec<String> {
    groups
        .on_partition(&v.topic, v.partition)
        .into_iter()
        .map(|(g, committed, position)| {
            let read = position.is_some_and(|p| p > offset);
            match committed {
                Some(c) if c > offset => format!("{g}: read and committed (committed offset {c})"),
                Some(c) if read => format!("{g}: read (position {}), not committed yet (committed offset {c})", position.unwrap_or(0)),
                Some(c) => format!("{g}: not read yet (committed offset {c})"),
                None if read => format!("{g}: read (position {}), nothing committed", position.unwrap_or(0)),
                None => format!("{g}: not read yet, nothing committed"),
            }
        })
        .collect()
}

fn record_detail(r: &RecordCell, v: &LogView, groups: &GroupsView) -> Html {
    let by_groups = record_groups(r.offset, v, groups);
    let holders: Vec<String> = r.held_by.iter().map(|b| b.to_string()).collect();
    let missing: Vec<String> = v.replicas.iter().filter(|x| !r.held_by.contains(&x.broker)).map(|x| x.broker.to_string()).collect();
    let status = if r.committed {
        format!(
            "Committed: below the leader's high watermark ({}), so every in-sync replica has it and acks=all producers were told it is written. Consumers can read it.",
            v.high_watermark.unwrap_or(0)
        )
    } else {
        "Not committed yet: at or above the high watermark. Consumers cannot read it; an acks=all producer is still waiting; an acks=1 producer was already told it is written, and it is lost if the leader fails before a follower copies it.".to_string()
    };
    let brokers = |list: &[String]| format!("broker{} {}", if list.len() == 1 { "" } else { "s" }, list.join(", "));
    // (term, the value's class, the value): one loop, not one element per line in the code.
    let mut pairs: Vec<(&'static str, Option<&'static str>, Html)> = vec![
        ("Key", None, r.key.clone().unwrap_or_else(|| "null".into()).into()),
        ("Value", None, r.value.clone().unwrap_or_else(|| "null".into()).into()),
        ("Timestamp", None, format!("{} ms since the epoch", r.timestamp_ms).into()),
        ("Leader epoch", None, r.leader_epoch.to_string().into()),
        ("Held by", Some("held-by"), brokers(&holders).into()),
    ];
    if !missing.is_empty() {
        pairs.push(("Not on", None, brokers(&missing).into()));
    }
    let groups_text = if by_groups.is_empty() {
        html! { "no consumer group has read or committed on this partition" }
    } else {
        html! { <ul>{ for by_groups.into_iter().map(|line| html! { <li>{ line }</li> }) }</ul> }
    };
    pairs.push(("Groups", Some("record-groups"), groups_text));
    html! {
        <div class="record-detail" role="region" aria-label={format!("Record at offset {}", r.offset)}>
            <h3>{ format!("Offset {}", r.offset) }</h3>
            <dl>
                { for pairs.into_iter().map(|(term, class, value)| html! { <><dt>{ term }</dt><dd ~className={class.unwrap_or_default()}>{ value }</dd></> }) }
            </dl>
            <p ~className={class_names(&["commit-status", if r.committed { "committed" } else { "pending" }])}>{ status }</p>
        </div>
    }
}

// ----- what just happened -----

fn change_class(c: &Change) -> Option<&'static str> {
    match c {
        Change::LeaderChanged { unclean: true, .. } | Change::Truncated { .. } => Some("bad"),
        Change::BrokerState { to: BrokerState::Crashed, .. } | Change::LeaderChanged { to: None, .. } => Some("bad"),
        Change::IsrChanged { from, to, .. } if to.len() < from.len() => Some("warn"),
        Change::BrokerIsolated { isolated: true, .. } | Change::BrokerFenced { fenced: true, .. } => Some("warn"),
        Change::Group(g) if g.is_warning() => Some("warn"),
        _ => None,
    }
}

/// The notable changes, newest first.
/// A plain function (a component costs about 2 KB of wasm): at most [`LOG_SHOWN_MAX`] keyed rows.
fn events_panel(log: &VecDeque<Logged>) -> Html {
    html! {
        <section class="panel events" aria-labelledby="events-title">
            <h2 id="events-title">{ "What just happened" }</h2>
            if log.is_empty() {
                <p class="placeholder">{ "Leader elections, ISR changes and broker faults appear here as they happen." }</p>
            } else {
                <ol class="event-log" role="log">
                    { for log.iter().rev().take(LOG_SHOWN_MAX).map(|l| html! {
                        <li key={l.seq} ~className={change_class(&l.change).unwrap_or_default()}>
                            <span class="event-time">{ clock::format_clock(u64::try_from(l.at_ms).unwrap_or(0)) }</span>
                            { " " }{ l.change.describe() }
                        </li>
                    }) }
                </ol>
            }
        </section>
    }
}

// ----- consumer groups -----

/// Consumer groups: state, generation, coordinator, members and their partitions, committed
/// offsets against the high watermark, lag, and lag over simulated time. Groups the open lesson
/// step's `look_at` names come first. A plain function (a component costs about 2 KB of wasm):
/// while a group exists its lag history changes with the clock, so it rendered on every tick.
fn groups_panel(view: &GroupsView, look_at: &[crate::lessons::LookAt]) -> Html {
    let groups = &view.groups;
    let looked = |g: &GroupView| {
        look_at.iter().any(|l| matches!(l, crate::lessons::LookAt::Group(p) if g.matches(p)))
    };
    // Groups a lesson step points at first (the sort is stable: otherwise by id).
    let mut order: Vec<&GroupView> = groups.iter().collect();
    order.sort_by_key(|g| !looked(g));
    html! {
        <section class="panel groups" aria-labelledby="groups-title">
            <h2 id="groups-title">{ "Consumer groups" }</h2>
            if groups.is_empty() {
                <p class="placeholder">{ "No consumer group yet. Start a consumer in a group (kafka-console-consumer --bootstrap-server localhost:9092 --topic <t> --group <g>): its members, their partitions and the lag appear here." }</p>
            } else {
                <ul class="group-list">{ for order.into_iter().map(group_card) }</ul>
            }
        </section>
    }
}

/// A table's head row: one loop over the column names (each element written out in `html!` is
/// its own code in the wasm).
fn head_row(cols: &[&'static str]) -> Html {
    html! { <thead><tr>{ for cols.iter().map(|c| html! { <th scope="col">{ *c }</th> }) }</tr></thead> }
}

fn or_dash(v: Option<i64>) -> String {
    v.map_or_else(|| "-".to_string(), |v| v.to_string())
}

fn group_card(g: &GroupView) -> Html {
    let (rows, folded) = g.rows_shown();
    let head = {
        let mut parts = vec![format!("generation {}", g.generation), format!("coordinator broker {}", g.coordinator)];
        if !g.assignment_strategy.is_empty() {
            parts.push(format!("assignor {}", g.assignment_strategy));
        }
        parts.push(format!("{} member{}", g.members.len(), if g.members.len() == 1 { "" } else { "s" }));
        parts.join(" · ")
    };
    let owner = |i: Option<usize>| i.and_then(|i| g.members.get(i)).map_or_else(|| "-".to_string(), |m| m.client_id.clone());
    html! {
        <li ~className={class_names(&["group-card", &format!("state-{}", g.state.name())])} key={&*g.id} data-group={g.id.to_string()}
            aria-label={format!("Group {}", g.id)}>
            <div class="group-head">
                <strong class="group-id">{ g.id.to_string() }</strong>
                <span class="group-state">{ g.state.name() }</span>
                <span class="group-meta">{ head }</span>
                <span class="group-lag">{ format!("total lag {}", g.total_lag) }</span>
            </div>
            if !g.members.is_empty() {
                <table class="group-members">
                    <caption class="visually-hidden">{ format!("Members of {}", g.id) }</caption>
                    { head_row(&["Client id", "Host", "Partitions"]) }
                    <tbody>
                        { for g.members.iter().map(|m| html! {
                            <tr title={m.member_id.clone()}>
                                <td class="member-client">{ m.client_id.clone() }</td>
                                <td class="member-host">{ m.host.clone() }</td>
                                <td class="member-partitions">{ m.assignment_text() }</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
            }
            if !g.partitions.is_empty() {
                <table class="group-partitions">
                    <caption class="visually-hidden">{ format!("Offsets of {}", g.id) }</caption>
                    { head_row(&["Partition", "Committed", "High watermark", "Lag", "Consumer"]) }
                    <tbody>
                        { for rows.iter().map(|p| html! {
                            <tr ~className={when(p.lag().is_some_and(|l| l > 0), "lagging")}>
                                <td>{ format!("{}-{}", p.topic, p.partition) }</td>
                                { for [("num", p.committed), ("num", p.high_watermark), ("num lag", p.lag())].map(|(class, v)| html! {
                                    <td ~className={class}>{ or_dash(v) }</td>
                                }) }
                                <td>{ owner(p.owner) }</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
                if folded {
                    <p class="group-folded">{ format!("The {} laggiest of {} partitions; total lag {}.", rows.len(), g.partitions.len(), g.total_lag) }</p>
                }
            }
            { lag_chart(g) }
        </li>
    }
}

/// The lag chart's size in SVG units (it scales to the panel's width).
const CHART_W: f64 = 320.0;
const CHART_H: f64 = 72.0;
/// Stroke colours of the top partitions' lines (the total is the text colour).
const CHART_COLOURS: [&str; 3] = ["#e4572e", "#4e79a7", "#59a14f"];

fn polyline(h: &LagHistory, values: impl Iterator<Item = (i64, Option<i64>)>, y_max: i64) -> String {
    let (t0, t1) = match (h.samples.first(), h.samples.last()) {
        (Some(a), Some(b)) => (a.at_ms, b.at_ms.max(a.at_ms + 1)),
        _ => return String::new(),
    };
    let mut out = String::new();
    for (at, v) in values {
        let Some(v) = v else { continue };
        let x = (at - t0) as f64 * CHART_W / (t1 - t0) as f64;
        let y = CHART_H - (v as f64 * (CHART_H - 2.0) / y_max.max(1) as f64) - 1.0;
        if !out.is_empty() {
            out.push(' ');
        }
        let _ = write!(out, "{x:.1},{y:.1}");
    }
    out
}

/// Total lag over simulated time, with the laggiest partitions' own lines: readable at 600
/// partitions (never one line per partition).
fn lag_chart(g: &GroupView) -> Html {
    let h = &g.history;
    if h.samples.len() < 2 {
        return html! { <p class="lag-chart-empty">{ "Lag over time: the chart starts as simulated time passes." }</p> };
    }
    let y_max = h.samples.iter().map(|s| s.total).max().unwrap_or(0);
    let (first, last) = (h.samples[0].at_ms, h.samples[h.samples.len() - 1].at_ms);
    let span_s = (last - first) as f64 / 1000.0;
    let top = g.chart_top();
    let label = format!("Lag over the last {span_s:.1} s of simulated time: total lag now {}, peak {y_max}", g.total_lag);
    html! {
        <figure class="lag-chart">
            <svg viewBox={format!("0 0 {CHART_W} {CHART_H}")} preserveAspectRatio="none" role="img" aria-label={label}>
                <line class="axis" x1="0" y1={format!("{:.1}", CHART_H - 1.0)} x2={CHART_W.to_string()} y2={format!("{:.1}", CHART_H - 1.0)}
                    stroke="currentColor" stroke-opacity="0.3" stroke-width="1" />
                { for top.iter().enumerate().map(|(i, (c, _))| html! {
                    <polyline class="lag-partition" fill="none" stroke={CHART_COLOURS[i % CHART_COLOURS.len()]} stroke-width="1.5"
                        vector-effect="non-scaling-stroke" points={polyline(h, h.series(*c), y_max)} />
                }) }
                <polyline class="lag-total" fill="none" stroke="currentColor" stroke-width="2" vector-effect="non-scaling-stroke"
                    points={polyline(h, h.samples.iter().map(|s| (s.at_ms, Some(s.total))), y_max)} />
            </svg>
            <figcaption>
                <span class="lag-key total">{ format!("total lag (now {}, peak {y_max}, last {span_s} s)", g.total_lag) }</span>
                { for top.iter().enumerate().map(|(i, (c, (t, p)))| {
                    let now = h.samples.last().and_then(|s| s.lags.get(*c)).copied().unwrap_or(0);
                    html! {
                        <span class="lag-key" style={format!("--key: {}", CHART_COLOURS[i % CHART_COLOURS.len()])}>{ format!("{t}-{p}: {now}") }</span>
                    }
                }) }
            </figcaption>
        </figure>
    }
}
