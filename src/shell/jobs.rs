//! Background jobs (`cmd &`, `jobs`, `fg`, `kill %N`) with bash's formats:
//! `[1] 4242` on start, `[1]+  Running                 sleep 10 &` in `jobs`, and
//! `[1]+  Done                    sleep 10` once finished (shown before the next prompt).

use super::process::{ProcId, Signal};
use super::{Chunk, Outcome};

/// More jobs than this at once is refused (bash has no such limit; a browser tab does).
pub const JOBS_MAX: usize = 32;
/// The first fake process id: pids are deterministic, counted from here.
const PID_FIRST: u32 = 4242;

/// What a job is doing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JobKind {
    /// `sleep N &`: ends when simulated time reaches `until_ms`.
    Sleep { until_ms: u64 },
    /// A command that already ran to its end, with what it printed.
    Finished { status: i32, output: Vec<Chunk> },
    /// A tool running on the simulated clock (its output goes to the terminal as it comes).
    Process { proc: ProcId },
}

#[derive(Clone, Debug)]
pub struct Job {
    pub id: u32,
    pub pid: u32,
    pub text: String,
    pub kind: JobKind,
}

#[derive(Clone, Debug, Default)]
pub struct Jobs {
    jobs: Vec<Job>,
    next_pid: u32,
    /// Lines like `[1]+  Done ...` waiting to be shown.
    notifications: Vec<Chunk>,
}

impl Jobs {
    /// Starts a job; returns its number and pid.
    pub fn start(&mut self, text: String, kind: JobKind) -> (u32, u32) {
        if self.next_pid == 0 {
            self.next_pid = PID_FIRST;
        }
        if self.jobs.len() >= JOBS_MAX {
            self.jobs.remove(0);
        }
        let id = self.jobs.iter().map(|j| j.id).max().unwrap_or(0) + 1;
        let pid = self.next_pid;
        self.next_pid += 1;
        self.jobs.push(Job { id, pid, text, kind });
        (id, pid)
    }

    /// The number the next job will get.
    pub fn next_id(&self) -> u32 {
        self.jobs.iter().map(|j| j.id).max().unwrap_or(0) + 1
    }

    /// The processes of running jobs.
    pub fn process_ids(&self) -> Vec<ProcId> {
        self.jobs
            .iter()
            .filter_map(|j| match j.kind {
                JobKind::Process { proc } => Some(proc),
                _ => None,
            })
            .collect()
    }

    /// A job's process ended with `status`.
    pub fn process_ended(&mut self, proc: ProcId, status: i32) {
        for job in &mut self.jobs {
            if job.kind == (JobKind::Process { proc }) {
                job.kind = JobKind::Finished { status, output: Vec::new() };
            }
        }
    }

    fn running(kind: &JobKind) -> bool {
        matches!(kind, JobKind::Sleep { .. } | JobKind::Process { .. })
    }

    /// `+` marks the current job (the newest), `-` the previous one.
    fn marker(&self, index: usize) -> char {
        let n = self.jobs.len();
        if index + 1 == n {
            '+'
        } else if index + 2 == n {
            '-'
        } else {
            ' '
        }
    }

    fn status_word(kind: &JobKind) -> String {
        match kind {
            JobKind::Sleep { .. } | JobKind::Process { .. } => "Running".into(),
            JobKind::Finished { status: 0, .. } => "Done".into(),
            JobKind::Finished { status, .. } => format!("Exit {status}"),
        }
    }

    /// `jobs`: running jobs show ` &` after their command, finished ones are reported and dropped.
    pub fn list(&mut self) -> String {
        let mut out = String::new();
        for (index, job) in self.jobs.iter().enumerate() {
            let running = Self::running(&job.kind);
            crate::shell::push_fmt(&mut out, format_args!(
                "[{}]{}  {:<24}{}{}\n",
                job.id,
                self.marker(index),
                Self::status_word(&job.kind),
                job.text,
                if running { " &" } else { "" }
            ));
        }
        self.jobs.retain(|j| Self::running(&j.kind));
        out
    }

    /// Simulated time moved on: sleeping jobs whose time has come are done.
    pub fn advance(&mut self, now_ms: u64) {
        for job in &mut self.jobs {
            if let JobKind::Sleep { until_ms } = job.kind {
                if until_ms <= now_ms {
                    job.kind = JobKind::Finished { status: 0, output: Vec::new() };
                }
            }
        }
    }

    /// bash reports finished jobs before the next prompt, with their output first.
    pub fn take_notifications(&mut self) -> Vec<Chunk> {
        let mut out = std::mem::take(&mut self.notifications);
        let mut index = 0;
        while index < self.jobs.len() {
            if let JobKind::Finished { status, .. } = &self.jobs[index].kind {
                let job = &self.jobs[index];
                let line = format!(
                    "[{}]{}  {:<24}{}\n",
                    job.id,
                    self.marker(index),
                    Self::status_word(&JobKind::Finished { status: *status, output: Vec::new() }),
                    job.text
                );
                if let JobKind::Finished { output, .. } = &job.kind {
                    out.extend(output.iter().cloned());
                }
                out.push(Chunk::out(line));
                self.jobs.remove(index);
            } else {
                index += 1;
            }
        }
        out
    }

    /// Finds the job a `%N` / `%+` / `%-` spec (or none: the current job) names.
    pub fn resolve(&self, spec: Option<&str>, builtin: &str) -> Result<u32, Outcome> {
        let no_such = |what: &str| Outcome::stderr(format!("bash: {builtin}: {what}: no such job\n"), 1);
        match spec {
            None | Some("%+") | Some("%%") | Some("+") => match self.jobs.last() {
                Some(job) => Ok(job.id),
                None => Err(no_such("current")),
            },
            Some("%-") | Some("-") => match self.jobs.len() {
                n if n >= 2 => Ok(self.jobs[n - 2].id),
                _ => Err(no_such("previous")),
            },
            Some(spec) => {
                let number = spec.strip_prefix('%').unwrap_or(spec);
                match number.parse::<u32>() {
                    Ok(id) if self.jobs.iter().any(|j| j.id == id) => Ok(id),
                    _ => Err(no_such(spec)),
                }
            }
        }
    }

    pub fn remove(&mut self, id: u32) -> Option<Job> {
        let index = self.jobs.iter().position(|j| j.id == id)?;
        Some(self.jobs.remove(index))
    }

    /// `kill [-9|-s KILL|...] %N` (or `PID`): the job ends as `Terminated` (`Killed` for
    /// SIGKILL). Returns the processes to signal and the signal.
    pub fn kill(&mut self, args: &[String]) -> (Outcome, Vec<ProcId>, Signal) {
        let mut killed = Vec::new();
        let (signal, targets) = match kill_signal(args) {
            Ok(parsed) => parsed,
            Err(outcome) => return (outcome, killed, Signal::Terminate),
        };
        if targets.is_empty() {
            let usage = "kill: usage: kill [-s sigspec | -n signum | -sigspec] pid | jobspec ... or kill -l [sigspec]\n";
            return (Outcome::stderr(usage, 2), killed, signal);
        }
        let mut chunks = Vec::new();
        let mut status = 0;
        for target in targets {
            let id = if target.starts_with('%') {
                match self.resolve(Some(target), "kill") {
                    Ok(id) => Some(id),
                    Err(outcome) => {
                        chunks.extend(outcome.chunks);
                        status = 1;
                        None
                    }
                }
            } else {
                match target.parse::<u32>() {
                    Ok(pid) => match self.jobs.iter().find(|j| j.pid == pid) {
                        Some(job) => Some(job.id),
                        None => {
                            chunks.push(Chunk::err(format!("bash: kill: ({pid}) - No such process\n")));
                            status = 1;
                            None
                        }
                    },
                    Err(_) => {
                        chunks.push(Chunk::err(format!(
                            "bash: kill: {target}: arguments must be process or job IDs\n"
                        )));
                        status = 1;
                        None
                    }
                }
            };
            if let Some(id) = id {
                let index = self.jobs.iter().position(|j| j.id == id).unwrap_or(0);
                let marker = self.marker(index);
                if let Some(job) = self.remove(id) {
                    if matches!(job.kind, JobKind::Finished { .. }) {
                        // Already over: bash reports it done, the kill finds no process.
                        chunks.push(Chunk::err(format!("bash: kill: ({}) - No such process\n", job.pid)));
                        status = 1;
                    } else {
                        if let JobKind::Process { proc } = job.kind {
                            killed.push(proc);
                        }
                        self.notifications.push(Chunk::out(format!("[{}]{}  {:<24}{}\n", job.id, marker, signal.job_status(), job.text)));
                    }
                }
            }
        }
        (Outcome { chunks, status }, killed, signal)
    }
}

/// `kill`'s options: `-9`/`-KILL`/`-SIGKILL`, `-s <sigspec>`, `-n <signum>` (SIGTERM without
/// one), and the targets after them.
fn kill_signal(args: &[String]) -> Result<(Signal, Vec<&String>), Outcome> {
    let mut signal = Signal::Terminate;
    let mut targets = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let arg = &args[i];
        i += 1;
        if !arg.starts_with('-') || arg.starts_with("-%") || arg.len() < 2 {
            targets.push(arg);
            continue;
        }
        let spec = if arg == "-s" || arg == "-n" {
            let Some(spec) = args.get(i) else {
                let text = format!("bash: kill: {arg}: option requires an argument\nkill: usage: kill [-s sigspec | -n signum | -sigspec] pid | jobspec ... or kill -l [sigspec]\n");
                return Err(Outcome::stderr(text, 2));
            };
            i += 1;
            spec.as_str()
        } else {
            &arg[1..]
        };
        match Signal::parse(spec) {
            Some(s) => signal = s,
            None => return Err(Outcome::stderr(format!("bash: kill: {spec}: invalid signal specification\n"), 1)),
        }
    }
    Ok((signal, targets))
}
