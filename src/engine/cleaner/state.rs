//! What the log cleaner keeps across passes: recent reports for the UI and, per partition, the
//! highest cleaner point any replica reached (the invariants' allowance).

use super::super::event::CleanReport;
use super::super::ids::{BrokerId, Tp};
use std::collections::{BTreeMap, VecDeque};
use std::rc::Rc;

/// One recorded pass: which replica, and the report.
#[derive(Clone, Debug, PartialEq)]
pub struct CleanerPass {
    pub broker: BrokerId,
    pub topic: Rc<str>,
    pub partition: i32,
    pub report: CleanReport,
}

/// A broker's log cleaner thread (`LogCleaner`'s `CleanerThread`) in one incarnation of the
/// broker's process: it works on its own broker's logs only, and its timer names it (a restart
/// starts a new thread; the old one's timer then finds no thread to wake). Everything it
/// remembers between passes is in the logs themselves (the cleaner checkpoints).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct LogCleaner {
    pub broker: BrokerId,
    pub incarnation: u64,
}

/// The cleaner's bookkeeping in the cluster, as the observer keeps it: recent passes for the
/// UI, compaction points for the invariants.
#[derive(Clone, Debug, Default)]
pub(crate) struct CleanerState {
    pub passes: VecDeque<CleanerPass>,
    /// Per partition, the highest cleaner point any replica ever reached: below it replicas may
    /// legitimately differ in which records they still hold (invariants use it).
    pub compacted_upto: BTreeMap<Tp, i64>,
}
