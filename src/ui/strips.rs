//! The topic's logs panel: renders a [`TopicLogs`] as it is (the pure model is
//! [`super::topiclogs`]). Every partition is a row of offset cells coloured by key, with the log
//! start, high watermark and log end marked, each replica's copy as a lane, groups' committed
//! offsets as markers and lost records as ghosts; past a dozen partitions, a heat map.
//!
//! Positions are CSS: every mark carries `--at` (its slot in the window, in cells) and the
//! stylesheet multiplies it by the cell's width, so the code never measures the DOM.
use wasm_bindgen::JsCast;
use web_sys::HtmlElement;
use yew::prelude::*;

use super::cluster::{on_value, ValueTarget};
use super::ghosts::anchor;
use super::layout::Filter;
use super::state::{Action, AppState};
use super::topiclogs::{self, plural, Body, HeatCell, Strip, TopicLogs};
use super::{class_names, when};

type Dispatch = UseReducerDispatcher<AppState>;

/// The panel; `topics` fills the topic picker (it sets the brokers panel's filter too).
pub fn logs_panel(logs: Option<&TopicLogs>, topics: &[std::rc::Rc<str>], filter: &Filter, d: &Dispatch) -> Html {
    let on_topic = on_value::<Event>(d, ValueTarget::FilterTopic(filter.clone()));
    let shown = logs.map(|l| l.topic.to_string()).unwrap_or_default();
    let body = match logs {
        None => html! { <p class="placeholder">{ "No topic yet. Create one (kafka-topics --bootstrap-server localhost:9092 --create --topic demo) and produce to it: each partition's log appears here, record by record." }</p> },
        Some(l) => match &l.body {
            Body::Strips(strips) => html! { <ol class="strips">{ for strips.iter().map(|s| strip(s, d)) }</ol> },
            Body::HeatMap { cells, by_lag } => heat_map(&l.topic, cells, *by_lag, d),
        },
    };
    html! {
        <section class="panel logs" id="topic-logs" aria-labelledby="logs-title">
            <div class="panel-head">
                <h2 id="logs-title">{ "Logs" }</h2>
                <label class="filter">
                    <span>{ "Topic" }</span>
                    <select onchange={on_topic} aria-label="Show the logs of">
                        <option value="" selected={filter.topic.is_none()}>{ "(automatic)" }</option>
                        { for topics.iter().map(|t| html! { <option value={t.to_string()} selected={filter.topic.as_deref() == Some(&**t)}>{ t.to_string() }</option> }) }
                    </select>
                </label>
                if let Some(l) = logs {
                    <span class="partition-flags">{ format!("{}: {}", shown, plural(l.partitions, "partition")) }</span>
                }
                { legend() }
            </div>
            { body }
        </section>
    }
}

fn legend() -> Html {
    html! {
        <span class="logs-legend" aria-hidden="true">
            <span class="lg committed">{ "committed" }</span>
            <span class="lg pending">{ "not yet" }</span>
            <span class="lg hw">{ "HW high watermark" }</span>
            <span class="lg group">{ "▲ group's committed offset" }</span>
            <span class="lg ghost">{ "lost" }</span>
            <span class="lg twice">{ "×2 read twice by a group" }</span>
        </span>
    }
}

fn at(slot: i64) -> String {
    format!("--at: {slot}")
}

fn strip(s: &Strip, d: &Dispatch) -> Html {
    let select = {
        let (d, key) = (d.clone(), (s.topic.clone(), s.partition));
        Callback::from(move |_: MouseEvent| {
            d.dispatch(Action::SelectPartition(Some(key.clone())));
            d.dispatch(Action::ScrollTo("partition-log".to_string()));
        })
    };
    let owner_style = s.owner().map(|(_, hue)| format!("--owner: {hue}"));
    let older = s.from - s.log_start;
    let head = format!("P{} · leader {}", s.partition, s.leader.map_or_else(|| "none".to_string(), |l| l.to_string()));
    html! {
        <li key={s.partition} ~className={class_names(&["strip", when(s.owner().is_some(), "owned")])} style={owner_style}
            data-partition={s.partition.to_string()} aria-label={s.describe()}>
            <div class="strip-head">
                <button class="strip-name" onclick={select} title="Open this partition's log below">{ head }</button>
                if let Some((owner, _)) = s.owner() { <span class="strip-owner">{ format!("read by {owner}") }</span> }
                <span class="strip-marks">{ format!("start {} · HW {} · end {}", s.log_start, s.high_watermark, s.log_end) }</span>
            </div>
            <div class="strip-track" style={format!("--cells: {}", s.to - s.from)}>
                if older > 0 { <span class="older" title={format!("{older} older records")}>{ format!("…{older}") }</span> }
                <ol class="cells">{ for s.cells.iter().map(cell) }</ol>
                <span class="mark hw" style={at(s.slot(s.high_watermark))} title={format!("high watermark {}", s.high_watermark)}>{ "HW" }</span>
                <span class="mark leo" style={at(s.slot(s.log_end))} title={format!("log end offset {}", s.log_end)}></span>
                { group_marks(s) }
                { lanes(s) }
            </div>
            { ghost_lane(s) }
        </li>
    }
}

/// Each group's committed offset (a marker, the lag as a hatched gap up to the high watermark)
/// and, ahead of it, where the owning member reads next.
fn group_marks(s: &Strip) -> Html {
    let committed = s.markers.iter().filter_map(|m| {
        let c = m.committed?;
        let text = format!("{} {}", m.group, if c < s.from { format!("◀{c}") } else { c.to_string() });
        let (a, b) = (s.slot(c), s.slot(s.high_watermark));
        let lag = m.lag.unwrap_or(0);
        Some(html! { <>
            if lag > 0 {
                <span class="lag-gap" style={format!("--at: {a}; --len: {}", (b - a).max(0))} title={format!("group {}: lag {lag}", m.group)}>
                    { format!("lag {lag}") }</span>
            }
            <span class="marker" data-group={m.group.to_string()} style={at(a)}
                title={format!("group {} committed offset {c}, lag {lag}", m.group)}>{ format!("▲{text}") }</span>
        </> })
    });
    let positions = s.markers.iter().filter_map(|m| {
        let p = m.position.filter(|p| Some(*p) != m.committed)?;
        let who = m.owner.as_ref().map_or_else(|| m.group.to_string(), |(o, _)| o.clone());
        Some(html! { <span class="position" style={at(s.slot(p))} title={format!("{who} ({}) reads next at offset {p}", m.group)}>{ "▼" }</span> })
    });
    html! { <>{ for committed }{ for positions }</> }
}

/// Each replica's copy of the window: followers catching up show as shorter bars.
fn lanes(s: &Strip) -> Html {
    html! {
        <ul class="lanes">{ for s.lanes.iter().map(|l| {
            let (a, b) = (s.slot(l.log_start.max(s.from)), s.slot(l.log_end));
            let name = if l.behind > 0 { format!("B{} −{}", l.broker, l.behind) } else { format!("B{}", l.broker) };
            html! {
                <li ~className={class_names(&["lane", l.role.class()])} title={format!("broker {}: {}, log end {}", l.broker, l.role.describe(), l.log_end)}>
                    <span class="lane-bar" style={format!("--at: {a}; --len: {}", (b - a).max(0))}></span>
                    <span class="lane-name">{ name }</span>
                </li>
            }
        }) }</ul>
    }
}

/// The records lost with a leader, struck through, with what happened to them.
fn ghost_lane(s: &Strip) -> Html {
    let Some(newest) = s.ghosts.last() else { return html! {} };
    let drawn = if (s.ghosts.len() as i64) < s.lost.records { format!(" (the newest {} drawn)", s.ghosts.len()) } else { String::new() };
    html! {
        <div class="ghosts" id={anchor(&s.topic, s.partition)} role="group" aria-label={format!("Lost records of partition {}", s.partition)}>
            <ol class="cells">{ for s.ghosts.iter().map(|g| {
                let label = format!("offset {}, key {}: {}", g.offset, g.key.as_deref().unwrap_or("null"), g.label());
                html! {
                    <li key={g.offset} ~className={class_names(&["cell", "ghost", when(g.key_hue.is_none(), "no-key")])}
                        style={g.key_hue.map(|h| format!("--hue: {h}"))} title={label.clone()} aria-label={label}>
                        <span class="cell-offset">{ g.offset }</span>
                        <span class="cell-key">{ g.key.clone().unwrap_or_else(|| "∅".into()) }</span>
                    </li>
                }
            }) }</ol>
            <p class="ghost-label">{ format!("{} {}{drawn}", s.lost.text(), newest.label()) }</p>
        </div>
    }
}

fn cell(c: &super::topiclogs::Cell) -> Html {
    let key = c.key.clone().unwrap_or_else(|| "∅".into());
    let twice = !c.read_twice_by.is_empty();
    let mut label = format!("offset {}, key {}, value {}{}", c.offset, c.key.as_deref().unwrap_or("null"), c.value.as_deref().unwrap_or("null"),
        if c.committed { "" } else { ", not committed yet" });
    if twice {
        let groups: Vec<&str> = c.read_twice_by.iter().map(|g| &**g).collect();
        label.push_str(&format!(", read twice by group {}", groups.join(" and ")));
    }
    html! {
        <li key={c.offset} ~className={class_names(&["cell", if c.committed { "committed" } else { "pending" }, when(c.key_hue.is_none(), "no-key"), when(twice, "twice")])}
            style={c.key_hue.map(|h| format!("--hue: {h}"))} title={label.clone()} aria-label={label}>
            <span class="cell-offset">{ c.offset }</span>
            <span class="cell-key">{ key }</span>
            if twice { <span class="twice-badge" aria-hidden="true">{ "×2" }</span> }
        </li>
    }
}

fn heat_map(topic: &std::rc::Rc<str>, cells: &[HeatCell], by_lag: bool, d: &Dispatch) -> Html {
    let open = {
        let (d, topic) = (d.clone(), topic.clone());
        move |el: &HtmlElement| {
            if let Some(p) = el.get_attribute("data-p").and_then(|p| p.parse::<i32>().ok()) {
                d.dispatch(Action::SelectPartition(Some((topic.clone(), p))));
                d.dispatch(Action::ScrollTo("partition-log".to_string()));
            }
        }
    };
    let on_click = {
        let open = open.clone();
        Callback::from(move |e: MouseEvent| {
            if let Some(el) = e.target().and_then(|t| t.dyn_into::<HtmlElement>().ok()) {
                open(&el);
            }
        })
    };
    // One tab stop for the whole map (a roving tabindex): arrows move, Enter or Space opens.
    let on_key = {
        let count = cells.len();
        Callback::from(move |e: KeyboardEvent| {
            let Some(el) = e.target().and_then(|t| t.dyn_into::<HtmlElement>().ok()) else { return };
            let Some(index) = el.get_attribute("data-i").and_then(|i| i.parse::<usize>().ok()) else { return };
            if e.key() == "Enter" || e.key() == " " {
                e.prevent_default();
                open(&el);
                return;
            }
            let Some(grid) = el.parent_element() else { return };
            // The grid's columns as the browser laid them out: cells on the first row.
            let top = grid.first_element_child().map_or(0, |f| f.dyn_into::<HtmlElement>().map_or(0, |f| f.offset_top()));
            let columns = (0..grid.child_element_count()).take_while(|i| grid.children().item(*i).and_then(|c| c.dyn_into::<HtmlElement>().ok()).is_some_and(|c| c.offset_top() == top)).count();
            let Some(to) = topiclogs::heat_step(index, count, usize::try_from(columns).unwrap_or(1), &e.key()) else { return };
            e.prevent_default();
            if let Some(next) = grid.children().item(u32::try_from(to).unwrap_or(0)).and_then(|n| n.dyn_into::<HtmlElement>().ok()) {
                let _ = el.set_attribute("tabindex", "-1");
                let _ = next.set_attribute("tabindex", "0");
                let _ = next.focus();
            }
        })
    };
    let what = if by_lag { "group lag" } else { "records" };
    html! {
        <>
            <p class="heat-note" id="heat-note">{ format!("{} partitions: one cell each, darker = more {what}. Click a cell (or Tab to the map, arrows, Enter) to open its log.", cells.len()) }</p>
            <div class="heat-logs" role="group" aria-label={format!("Partitions of {topic}")} aria-describedby="heat-note" onclick={on_click} onkeydown={on_key}>
                { for cells.iter().enumerate().map(|(i, c)| {
                    let label = topiclogs::heat_label(c);
                    html! {
                        <span ~className={class_names(&["h", &format!("l{}", c.level), when(c.offline, "offline")])} data-p={c.partition.to_string()} data-i={i.to_string()}
                            role="button" tabindex={if i == 0 { "0" } else { "-1" }} aria-label={label.clone()} title={label}></span>
                    }
                }) }
            </div>
        </>
    }
}
