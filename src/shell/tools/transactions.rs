//! `kafka-transactions`: `list` and `describe --transactional-id X` (Kafka 3.9's
//! `TransactionsCommand`, argparse4j subcommands), printed with `ToolsUtils.prettyPrintTable`
//! (each cell padded to its column's width and followed by a tab).

use super::{Bootstrap, Env};
use crate::shell::{Outcome, Session};

const USAGE: &str = "usage: kafka-transactions.sh [-h] [-v] [--command-config FILE]\n                             --bootstrap-server host:port COMMAND ...\n";

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TxnCommandKind {
    List,
    Describe { transactional_id: String },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TransactionsCommand {
    pub bootstrap: Bootstrap,
    pub kind: TxnCommandKind,
}

fn usage_error(message: std::fmt::Arguments<'_>) -> Outcome {
    Outcome::stderr(format!("{USAGE}kafka-transactions.sh: error: {message}\n"), 1)
}

pub fn parse(_invoked: &str, args: &[String], env: &Env) -> Result<TransactionsCommand, Outcome> {
    let mut bootstrap = None;
    let mut command: Option<&str> = None;
    let mut txn_id = None;
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        let (flag, inline) = match a.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v.to_string())),
            _ => (a, None),
        };
        let mut value = |name: &str| -> Result<String, Outcome> {
            if let Some(v) = inline.clone() {
                return Ok(v);
            }
            i += 1;
            args.get(i).cloned().ok_or_else(|| usage_error(format_args!("argument {name}: expected one argument")))
        };
        match flag {
            "-h" | "--help" => return Err(Outcome::stdout(USAGE)),
            "-v" | "--version" => return Err(Outcome::stdout(format!("{}\n", super::KAFKA_VERSION))),
            "--bootstrap-server" => bootstrap = Some(value("--bootstrap-server")?),
            "--command-config" => {
                value("--command-config")?;
            }
            "--transactional-id" if command == Some("describe") => txn_id = Some(value("--transactional-id")?),
            "list" | "describe" | "describe-producers" | "abort" | "find-hanging" if command.is_none() => command = Some(flag),
            other if other.starts_with('-') => return Err(usage_error(format_args!("unrecognized arguments: '{other}'"))),
            other => {
                if command.is_none() {
                    return Err(usage_error(format_args!(
                        "argument COMMAND: invalid choice: '{other}' (choose from 'list', 'describe', 'describe-producers', 'abort', 'find-hanging')"
                    )));
                }
                return Err(usage_error(format_args!("unrecognized arguments: '{other}'")));
            }
        }
        i += 1;
    }
    let Some(bootstrap) = bootstrap else { return Err(usage_error(format_args!("argument --bootstrap-server is required"))) };
    let kind = match command {
        None => return Err(usage_error(format_args!("too few arguments"))),
        Some("list") => TxnCommandKind::List,
        Some("describe") => match txn_id {
            Some(transactional_id) => TxnCommandKind::Describe { transactional_id },
            None => return Err(usage_error(format_args!("argument --transactional-id is required"))),
        },
        Some(other) => {
            return Err(Outcome::stderr(format!("kafka-transactions: the sandbox does not simulate '{other}' yet\n"), 1));
        }
    };
    Ok(TransactionsCommand { bootstrap: Bootstrap::new(&bootstrap, env), kind })
}

/// `ToolsUtils.prettyPrintTable`.
pub fn pretty_table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(c.chars().count());
            }
        }
    }
    let mut out = String::new();
    let mut line = |cells: Vec<String>| {
        for (i, c) in cells.iter().enumerate() {
            super::push_row(&mut out, "", &[(c.as_str(), widths.get(i).copied().unwrap_or(0))], "", "\t");
        }
        out.push('\n');
    };
    line(headers.iter().map(|h| h.to_string()).collect());
    for r in rows {
        line(r.clone());
    }
    out
}

pub fn execute(session: &mut Session<'_>, command: &TransactionsCommand) -> Outcome {
    if !command.bootstrap.reachable() {
        let call = match command.kind {
            TxnCommandKind::List => "listTransactions",
            TxnCommandKind::Describe { .. } => "describeTransactions",
        };
        return super::admin_unreachable(session, &command.bootstrap, call, |m| {
            Outcome::stderr(format!("Failed to list transactions: {m}. Enable debug logging for additional detail.\n"), 1)
        });
    }
    let now = session.now_ms() as i64;
    match &command.kind {
        TxnCommandKind::List => match session.cluster_mut().list_transactions() {
            Ok(list) => {
                let rows: Vec<Vec<String>> =
                    list.into_iter().map(|t| vec![t.transactional_id, t.coordinator.to_string(), t.producer_id.to_string(), t.state.name().to_string()]).collect();
                Outcome::stdout(pretty_table(&["TransactionalId", "Coordinator", "ProducerId", "TransactionState"], &rows))
            }
            Err(e) => Outcome::stderr(format!("Failed to list transactions: {}. Enable debug logging for additional detail.\n", e.message), 1),
        },
        TxnCommandKind::Describe { transactional_id } => match session.cluster_mut().describe_transaction(transactional_id) {
            Ok(d) => {
                let (start, duration) = match d.start_time_ms {
                    Some(s) => ((super::SIM_EPOCH_MS + s).to_string(), (now - s).to_string()),
                    None => ("None".to_string(), "None".to_string()),
                };
                let parts: Vec<String> = d.partitions.iter().map(|tp| format!("{}-{}", tp.topic, tp.partition)).collect();
                let row = vec![
                    d.coordinator.to_string(),
                    d.transactional_id,
                    d.producer_id.to_string(),
                    d.producer_epoch.to_string(),
                    d.state.name().to_string(),
                    d.timeout_ms.to_string(),
                    start,
                    duration,
                    parts.join(","),
                ];
                let headers = [
                    "CoordinatorId",
                    "TransactionalId",
                    "ProducerId",
                    "ProducerEpoch",
                    "TransactionState",
                    "TransactionTimeoutMs",
                    "CurrentTransactionStartTimeMs",
                    "TransactionDurationMs",
                    "TopicPartitions",
                ];
                Outcome::stdout(pretty_table(&headers, &[row]))
            }
            Err(e) => Outcome::stderr(format!(
                    "Failed to describe transaction state of transactional-id `{transactional_id}`: {}. Enable debug logging for additional detail.\n",
                    e.message
                ), 1),
        },
    }
}
