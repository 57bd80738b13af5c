//! The app's state and its reducer: the [`Session`] plus what only the page needs (playing, speed,
//! theme, the message banner, a share link on show). No DOM access here, except through the
//! action that loads a session, which the caller has already read and checked.
use std::cell::RefCell;
use std::rc::Rc;

use yew::prelude::*;

use super::clock;
use super::codec::SavedSession;
use super::layout::Filter;
use super::session::{Replay, ReplayJob, ReplayPurpose, Session};
use super::storage;
use super::transcript::{Entry, TermId};
use super::watch::Watch;

/// A fresh session's cluster (the tutorial's single `docker compose` file has 3 brokers).
pub const BROKERS_DEFAULT: u32 = 3;
pub const SEED_DEFAULT: u64 = 1;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoticeKind {
    Info,
    Error,
}

/// A message in the banner under the header. Always rendered as text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    pub kind: NoticeKind,
    pub text: String,
}

impl Notice {
    pub fn info(text: impl Into<String>) -> Notice {
        Notice { kind: NoticeKind::Info, text: text.into() }
    }
    pub fn error(text: impl Into<String>) -> Notice {
        Notice { kind: NoticeKind::Error, text: text.into() }
    }
}

/// The colour theme: the system's (prefers-color-scheme) unless the learner picked one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Theme {
    System,
    Light,
    Dark,
}

impl Theme {
    pub fn name(self) -> &'static str {
        match self {
            Theme::System => "system",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }
    pub fn from_name(name: &str) -> Theme {
        match name {
            "light" => Theme::Light,
            "dark" => Theme::Dark,
            _ => Theme::System,
        }
    }
    /// The toggle cycles system -> light -> dark -> system.
    pub fn next(self) -> Theme {
        match self {
            Theme::System => Theme::Light,
            Theme::Light => Theme::Dark,
            Theme::Dark => Theme::System,
        }
    }
}

/// A replay going on, shared by the states the reducer makes; emptied when it ends.
pub type SharedReplay = Rc<RefCell<Option<ReplayJob>>>;

pub struct AppState {
    /// Shared with the previous state value: the reducer mutates it in place (a Shell is not
    /// cheap to clone) and bumps `revision`, which is what components compare.
    pub session: Rc<RefCell<Session>>,
    pub revision: u64,
    pub notice: Option<Notice>,
    pub playing: bool,
    /// Position of the logarithmic speed slider ([`clock::speed_at`]).
    pub speed: u32,
    pub theme: Theme,
    /// The share link being shown, if any.
    pub share_url: Option<AttrValue>,
    /// What the cluster views show, fed once per action that touched the session.
    pub watch: Rc<RefCell<Watch>>,
    /// The cluster views' own state (not recorded: it changes what the learner looks at).
    pub view: ViewState,
    /// A long replay (load, share link, undo) going on a slice at a time ([`Action::ReplaySlice`]),
    /// with its progress bar and Cancel; the session shown is unchanged until it ends.
    pub replay: Option<SharedReplay>,
}

/// What the learner looks at in the cluster area.
#[derive(Clone, Debug, PartialEq)]
pub struct ViewState {
    pub filter: Filter,
    /// The partition shown in the partition log view.
    pub selected: Option<(Rc<str>, i32)>,
    /// The record whose detail is shown.
    pub record: Option<i64>,
    /// The end of the record window (None: follow the log's end).
    pub window_end: Option<i64>,
    /// Replication animations on.
    pub animate: bool,
    /// Position of the animation speed control ([`anim_speed_at`]).
    pub anim_speed: u32,
    /// What the open lesson step says to look at: highlighted ([`super::look`]). Set by the app
    /// from the lesson panel on every render.
    pub look_at: &'static [crate::lessons::LookAt],
    /// An element to scroll into view after the next render (its id), with a counter so that
    /// asking twice scrolls twice.
    pub scroll_to: Option<(String, u64)>,
    /// The welcome card was closed.
    pub welcomed: bool,
    /// The terminal's share of the main area's height, in percent (the resizable split).
    pub terminal_share: u8,
}

/// The split's bounds: neither the cluster view nor the terminal disappears.
pub const SHARE_MIN: u8 = 15;
pub const SHARE_MAX: u8 = 85;
pub const SHARE_DEFAULT: u8 = 42;

pub fn clamp_share(percent: i16) -> u8 {
    u8::try_from(percent.clamp(i16::from(SHARE_MIN), i16::from(SHARE_MAX))).expect("within u8")
}

/// Animation speeds: a quarter, half, normal, twice, four times.
pub const ANIM_SPEEDS: [f64; 5] = [0.25, 0.5, 1.0, 2.0, 4.0];
pub const ANIM_SPEED_DEFAULT: u32 = 2;
/// How long a record takes to fly from a leader to a follower at normal speed.
pub const FLOW_WALL_MS: f64 = 700.0;

pub fn anim_speed_at(position: u32) -> f64 {
    ANIM_SPEEDS[usize::try_from(position).unwrap_or(usize::MAX).min(ANIM_SPEEDS.len() - 1)]
}

impl ViewState {
    pub fn new(animate: bool) -> ViewState {
        ViewState { filter: Filter::default(), selected: None, record: None, window_end: None, animate, anim_speed: ANIM_SPEED_DEFAULT, look_at: &[], scroll_to: None, welcomed: false, terminal_share: SHARE_DEFAULT }
    }
}

impl PartialEq for AppState {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.session, &other.session)
            && self.revision == other.revision
            && self.notice == other.notice
            && self.playing == other.playing
            && self.speed == other.speed
            && self.theme == other.theme
            && self.share_url == other.share_url
            && Rc::ptr_eq(&self.watch, &other.watch)
            && self.view == other.view
            && self.replay.as_ref().map(Rc::as_ptr) == other.replay.as_ref().map(Rc::as_ptr)
    }
}

impl AppState {
    pub fn new(session: Session, notice: Option<Notice>, theme: Theme) -> AppState {
        AppState::with_view(session, notice, theme, ViewState::new(true))
    }

    pub fn with_view(session: Session, notice: Option<Notice>, theme: Theme, view: ViewState) -> AppState {
        let watch = Rc::new(RefCell::new(Watch::new(session.cluster())));
        AppState {
            watch,
            view,
            session: Rc::new(RefCell::new(session)),
            revision: 0,
            notice,
            playing: false,
            speed: clock::SPEED_POSITION_DEFAULT,
            theme,
            share_url: None,
            replay: None,
        }
    }

    /// The state with `job` going on (started by [`super::storage::initial_session`]).
    pub fn with_replay(mut self, job: Option<ReplayJob>) -> AppState {
        self.replay = job.map(|job| Rc::new(RefCell::new(Some(job))));
        self
    }

    fn with(&self, revision: u64) -> AppState {
        AppState {
            session: self.session.clone(),
            revision,
            notice: self.notice.clone(),
            playing: self.playing,
            speed: self.speed,
            theme: self.theme,
            share_url: self.share_url.clone(),
            watch: self.watch.clone(),
            view: self.view.clone(),
            replay: self.replay.clone(),
        }
    }

    /// Starts a replay: its first slice now, the rest (if any) slice by slice, with progress.
    fn start_replay(&mut self, job: ReplayJob) {
        self.playing = false;
        if job.purpose == ReplayPurpose::Seek {
            // The views follow the replay from its first moment (ghosts need every step).
            self.watch.borrow_mut().observe(job.replay.cluster(), true);
        }
        self.replay = Some(Rc::new(RefCell::new(Some(job))));
        self.replay_slice();
    }

    /// Runs one slice of the replay going on; installs the session when it ends.
    fn replay_slice(&mut self) {
        let Some(cell) = self.replay.clone() else { return };
        let mut slot = cell.borrow_mut();
        let result = match slot.as_mut() {
            Some(job) if job.purpose == ReplayPurpose::Seek => {
                let watch = &self.watch;
                job.replay.step_observed(&mut storage::out_of_time_after(storage::REPLAY_SLICE_MS), &mut |cluster, fresh| watch.borrow_mut().observe(cluster, fresh))
            }
            Some(job) => job.replay.step(&mut storage::out_of_time_after(storage::REPLAY_SLICE_MS)),
            None => Ok(true),
        };
        if result == Ok(false) {
            return;
        }
        // Ended (or failed): taken out of the cell, which earlier states still share.
        let job = slot.take();
        self.replay = None;
        match (result, job) {
            (Ok(_), Some(job)) => {
                let (session, message) = job.finish();
                *self.session.borrow_mut() = session;
                if let Some(message) = message {
                    self.notice = Some(Notice::info(message));
                }
            }
            (Err(e), _) => self.notice = Some(Notice::error(format!("Could not load that session: {e}."))),
            (Ok(_), None) => {}
        }
    }

    /// (actions replayed, actions in all) of the replay going on.
    pub fn replay_progress(&self) -> Option<(usize, usize)> {
        self.replay.as_ref().and_then(|cell| cell.borrow().as_ref().map(|job| job.replay.progress()))
    }

    /// Stops the replay going on and keeps the session shown (as it was before an undo; a fresh
    /// one at page load). The learner's own autosave is set aside first, or the replay goes on.
    fn cancel_replay(&mut self) {
        let Some(cell) = self.replay.take() else { return };
        let Some(purpose) = cell.borrow().as_ref().map(|job| job.purpose.clone()) else { return };
        let text = match purpose {
            ReplayPurpose::Undo => "Undo cancelled: the session is as it was.".to_string(),
            ReplayPurpose::Seek => "Timeline move cancelled: the session is as it was.".to_string(),
            ReplayPurpose::Load { .. } => "Loading cancelled: nothing more from it was run.".to_string(),
            ReplayPurpose::Autosave => match storage::keep_own_session() {
                Ok(Some(key)) => format!("Restoring your saved session was cancelled: you start with a fresh session; the saved one is kept as {key} in this browser's storage."),
                Ok(None) => "Restoring your saved session was cancelled: you start with a fresh session.".to_string(),
                Err(why) => {
                    self.replay = Some(cell);
                    self.notice = Some(Notice::error(format!("Not cancelled: your saved session could not be set aside ({why}), and a fresh session would replace it.")));
                    return;
                }
            },
        };
        cell.borrow_mut().take();
        self.notice = Some(Notice::info(text));
    }
}

#[derive(Clone)]
pub enum Action {
    /// Record and apply one learner action.
    Act(Entry),
    /// A line typed into a terminal.
    Run { term: TermId, line: String },
    OpenTerminal,
    CloseTerminal(TermId),
    SelectTerminal(TermId),
    /// One play tick: time passes at the current speed.
    Tick,
    /// The step button: one wall-clock second's worth of time at the current speed.
    Step,
    SetPlaying(bool),
    SetSpeed(u32),
    Undo,
    Redo,
    Reset,
    /// Replace the session by a loaded one (import, share link); the caller checked it.
    Load(Box<SavedSession>, String),
    /// The next slice of the replay going on.
    ReplaySlice,
    /// Stop the replay going on.
    CancelReplay,
    SetNotice(Option<Notice>),
    SetTheme(Theme),
    ShowShare(Option<AttrValue>),
    /// A command line run in the active terminal (broker buttons, lesson commands).
    RunInActive(String),
    SetFilter(Filter),
    SelectPartition(Option<(Rc<str>, i32)>),
    SelectRecord(Option<i64>),
    SetWindowEnd(Option<i64>),
    SetAnimate(bool),
    SetAnimSpeed(u32),
    ClearLosses,
    /// Show a partition's lost records (the monitor's link): its topic in view, scrolled to.
    ShowLost(Rc<str>, i32),
    /// The timeline: go to the moment after this many actions (replayed from the seed).
    Seek(usize),
    /// Close the welcome card.
    Welcomed,
    /// Scroll the element with this id into view after the render.
    ScrollTo(String),
    SetTerminalShare(u8),
}

/// A handler that dispatches `action`, whatever the event: one closure type for every control
/// that only sends an action (each distinct closure is its own code and glue in the wasm).
pub fn send<E: 'static>(d: &UseReducerDispatcher<AppState>, action: Action) -> Callback<E> {
    let d = d.clone();
    Callback::from(move |_| d.dispatch(action.clone()))
}

impl Reducible for AppState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = self.with(self.revision + 1);
        // Whether the session changed (the views look at the cluster again), and whether it was
        // rebuilt by a replay (nothing to compare the cluster with).
        let (touched, fresh) = match &action {
            Action::Act(_) | Action::Run { .. } | Action::RunInActive(_) | Action::OpenTerminal | Action::CloseTerminal(_) => (true, false),
            Action::Tick | Action::Step | Action::Redo => (true, false),
            Action::Undo | Action::Reset | Action::Load(..) | Action::ReplaySlice | Action::CancelReplay => (true, true),
            _ => (false, false),
        };
        let act = |next: &mut AppState, entry: Entry| {
            let result = next.session.borrow_mut().act(entry);
            if let Err(e) = result {
                next.notice = Some(Notice::error(e.to_string()));
                next.playing = false;
            }
        };
        match action {
            Action::Tick if next.replay.is_some() => return self,
            // While a replay goes on, the session it will replace takes no other change.
            Action::Act(_) | Action::Run { .. } | Action::RunInActive(_) | Action::OpenTerminal | Action::CloseTerminal(_)
            | Action::Step | Action::Undo | Action::Redo | Action::Reset | Action::Load(..) | Action::Seek(_)
                if next.replay.is_some() =>
            {
                next.notice = Some(Notice::info("A session is being replayed: wait for it, or cancel it."));
            }
            Action::Act(entry) => act(&mut next, entry),
            Action::Run { term, line } => act(&mut next, Entry::Run { term, line }),
            Action::OpenTerminal => {
                let term = next.session.borrow().next_terminal();
                act(&mut next, Entry::Open { term });
            }
            Action::CloseTerminal(term) => act(&mut next, Entry::Close { term }),
            Action::SelectTerminal(term) => next.session.borrow_mut().select(term),
            Action::Tick => {
                if !next.playing {
                    return self;
                }
                let ms = clock::tick_sim_ms(next.speed);
                act(&mut next, Entry::Advance { ms });
            }
            Action::Step => {
                let ms = clock::step_sim_ms(next.speed);
                act(&mut next, Entry::Advance { ms });
            }
            Action::SetPlaying(playing) => next.playing = playing,
            Action::SetSpeed(position) => next.speed = position.min(clock::SPEED_POSITION_MAX),
            Action::ReplaySlice => {
                let seek = next.replay.as_ref().is_some_and(|cell| cell.borrow().as_ref().is_some_and(|job| job.purpose == ReplayPurpose::Seek));
                next.replay_slice();
                if seek {
                    // The views looked at every replayed action already; looking again as
                    // `fresh` would drop what they remembered (ghosts).
                    return Rc::new(next);
                }
            }
            Action::CancelReplay => next.cancel_replay(),
            Action::Undo => {
                let replay = next.session.borrow().undo_replay();
                if let Some(replay) = replay {
                    next.start_replay(ReplayJob { replay, purpose: ReplayPurpose::Undo });
                }
            }
            Action::Redo => {
                next.session.borrow_mut().redo();
            }
            Action::Reset => {
                next.playing = false;
                next.session.borrow_mut().reset();
                next.notice = Some(Notice::info("Started over: a fresh cluster from the same seed. Undo brings the previous session back."));
            }
            Action::Load(saved, message) => match Replay::restore(&saved) {
                Ok(replay) => next.start_replay(ReplayJob { replay, purpose: ReplayPurpose::Load { message } }),
                Err(e) => next.notice = Some(Notice::error(format!("Could not load that session: {e}."))),
            },
            Action::SetNotice(notice) => next.notice = notice,
            Action::SetTheme(theme) => next.theme = theme,
            Action::ShowShare(url) => next.share_url = url,
            Action::RunInActive(line) => {
                let term = next.session.borrow().active();
                act(&mut next, Entry::Run { term, line });
            }
            Action::SetFilter(filter) => next.view.filter = filter,
            Action::SelectPartition(selected) => {
                next.view.selected = selected;
                next.view.record = None;
                next.view.window_end = None;
            }
            Action::SelectRecord(record) => next.view.record = record,
            Action::SetWindowEnd(end) => next.view.window_end = end,
            Action::SetAnimate(on) => next.view.animate = on,
            Action::SetAnimSpeed(position) => {
                next.view.anim_speed = position.min(u32::try_from(ANIM_SPEEDS.len() - 1).expect("a few speeds"))
            }
            Action::ClearLosses => {
                let mut watch = next.watch.borrow_mut();
                watch.monitor_mut().clear_losses();
                watch.ghosts_mut().clear();
            }
            Action::ShowLost(topic, partition) => {
                next.view.filter.topic = Some(topic.to_string());
                let seq = next.view.scroll_to.as_ref().map_or(0, |(_, n)| n + 1);
                next.view.scroll_to = Some((super::ghosts::anchor(&topic, partition), seq));
            }
            Action::Seek(at) => {
                // A slice at a time with the progress bar and Cancel, as undo and loads replay.
                let replay = next.session.borrow().seek_replay(at);
                next.start_replay(ReplayJob { replay, purpose: ReplayPurpose::Seek });
                // Already observed action by action (ghosts need every step).
                return Rc::new(next);
            }
            Action::Welcomed => next.view.welcomed = true,
            Action::ScrollTo(id) => {
                let seq = next.view.scroll_to.as_ref().map_or(0, |(_, n)| n + 1);
                next.view.scroll_to = Some((id, seq));
            }
            Action::SetTerminalShare(share) => next.view.terminal_share = clamp_share(i16::from(share)),
        }
        if touched {
            let session = next.session.borrow();
            next.watch.borrow_mut().observe(session.cluster(), fresh);
            // What the views point at may be gone (another lesson's cluster, a deleted topic):
            // a stale partition or topic must not stay in the pickers.
            let exists = |t: &str| session.cluster().topic_meta(t).is_some();
            if next.view.selected.as_ref().is_some_and(|(t, _)| !exists(t)) {
                next.view.selected = None;
                next.view.record = None;
                next.view.window_end = None;
            }
            if next.view.filter.topic.as_deref().is_some_and(|t| !exists(t)) {
                next.view.filter.topic = None;
            }
        }
        Rc::new(next)
    }
}
