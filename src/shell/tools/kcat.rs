//! `kcat` / `kafkacat` (edenhill/kcat `kcat.c`): getopt parsing with the optstring
//! `:PCG:LQM:t:p:b:z:o:eED:K:k:H:Od:qvF:X:c:Tuf:ZlVhs:r:Jm:U` and its checks, in its order.
//! Because the optstring starts with `:`, getopt prints nothing itself: an unknown option or a
//! missing argument ends in kcat's `Error: unknown argument` and its usage text (we print the
//! error and a one-line hint).

use std::collections::BTreeMap;

use super::{Bootstrap, Env};
use crate::shell::{Chunk, Outcome};

/// Options taking an argument, per the optstring.
const WITH_ARG: &str = "GMtpbzoDKkHdFXcfsrm";
const FLAGS: &str = "PCLQeEOqvTuZlVhJU";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Produce,
    Consume,
    Metadata,
    Query,
    Group,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KcatCommand {
    pub bootstrap: Bootstrap,
    pub mode: Mode,
    /// True when kcat chose the mode itself (it then prints `% Auto-selecting ...`).
    pub auto_mode: bool,
    pub topic: Option<String>,
    pub partition: Option<i32>,
    /// `-o`: beginning, end, stored, an absolute or negative relative offset, `s@ts`, `e@ts`.
    pub offset: Option<String>,
    pub exit_at_end: bool,
    pub count: Option<i64>,
    pub key_delimiter: Option<String>,
    pub delimiter: String,
    pub fixed_key: Option<String>,
    pub format: Option<String>,
    pub json: bool,
    pub null_empty: bool,
    pub quiet: bool,
    pub headers: Vec<String>,
    /// `-X prop=val` (librdkafka properties, e.g. partitioner=murmur2_random).
    pub properties: BTreeMap<String, String>,
    /// Topics (balanced consumer) or files (producer) after the options.
    pub rest: Vec<String>,
}

fn usage_error(invoked: &str, reason: &str) -> Outcome {
    Outcome::fail(vec![Chunk::err(format!("Error: {reason}\n\nRun '{invoked} -h' for the full usage.\n"))], 1)
}

fn fatal(message: &str) -> Outcome {
    Outcome::fail(vec![Chunk::err(format!("% ERROR: {message}\n"))], 1)
}

pub fn parse(invoked: &str, args: &[String], env: &Env) -> Result<KcatCommand, Outcome> {
    let mut mode: Option<char> = None;
    let mut cmd = KcatCommand {
        bootstrap: Bootstrap::new("", env),
        mode: Mode::Consume,
        auto_mode: false,
        topic: None,
        partition: None,
        offset: None,
        exit_at_end: false,
        count: None,
        key_delimiter: None,
        delimiter: "\n".into(),
        fixed_key: None,
        format: None,
        json: false,
        null_empty: false,
        quiet: false,
        headers: Vec::new(),
        properties: BTreeMap::new(),
        rest: Vec::new(),
    };
    let mut brokers_seen = false;
    let mut index = 0;
    // GNU getopt permutes: options may follow operands.
    let mut operands = Vec::new();
    while index < args.len() {
        let arg = &args[index];
        index += 1;
        if arg == "--" {
            operands.extend(args[index..].iter().cloned());
            break;
        }
        if !arg.starts_with('-') || arg == "-" {
            operands.push(arg.clone());
            continue;
        }
        let chars: Vec<char> = arg[1..].chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let opt = chars[i];
            i += 1;
            let value = if WITH_ARG.contains(opt) {
                if i < chars.len() {
                    let v: String = chars[i..].iter().collect();
                    i = chars.len();
                    v
                } else if index < args.len() {
                    index += 1;
                    args[index - 1].clone()
                } else {
                    return Err(usage_error(invoked, "unknown argument"));
                }
            } else if FLAGS.contains(opt) {
                String::new()
            } else {
                return Err(usage_error(invoked, "unknown argument"));
            };
            match opt {
                'P' | 'C' | 'L' | 'Q' | 'G' => {
                    if let Some(m) = mode.filter(|m| *m != opt) {
                        return Err(fatal(&format!("Do not mix modes: -{opt} seen when -{m} already set")));
                    }
                    mode = Some(opt);
                    if opt == 'G' {
                        cmd.rest.push(value);
                    }
                }
                't' => cmd.topic = Some(value),
                'p' => match value.parse::<i32>() {
                    Ok(p) => cmd.partition = Some(p),
                    Err(_) => cmd.partition = Some(0),
                },
                'b' => {
                    cmd.bootstrap = Bootstrap::new(&value, env);
                    brokers_seen = true;
                }
                'o' => cmd.offset = Some(value),
                'e' => cmd.exit_at_end = true,
                'c' => cmd.count = Some(value.parse().unwrap_or(0)),
                'D' => cmd.delimiter = value,
                'K' => cmd.key_delimiter = Some(value),
                'k' => cmd.fixed_key = Some(value),
                'f' => cmd.format = Some(value),
                'J' => cmd.json = true,
                'Z' => cmd.null_empty = true,
                'q' => cmd.quiet = true,
                'H' => cmd.headers.push(value),
                'X' => match value.split_once('=') {
                    Some((k, v)) => {
                        cmd.properties.insert(k.to_string(), v.to_string());
                    }
                    None if value == "list" || value == "dump" || value.ends_with("help") => {}
                    None => return Err(fatal(&format!("Expected -X property=value, not {value}"))),
                },
                'h' => {
                    return Err(Outcome::ok(vec![Chunk::out(format!(
                        "Usage: {invoked} <options> [file1 file2 .. | topic1 topic2 ..]]\nkcat - Apache Kafka producer and consumer tool\n(the sandbox implements -P -C -L -b -t -p -o -e -c -K -k -D -f -J -Z -q -H -X)\n"
                    ))]))
                }
                'V' => return Err(Outcome::ok(vec![Chunk::out("kcat - Apache Kafka producer and consumer tool\nCopyright (c) 2014-2021, Magnus Edenhill\nVersion 1.7.1 (JSON, Avro, Transactions, IncrementalAssign, JSONVerbose, librdkafka 2.3.0)\n")])),
                _ => {}
            }
        }
    }
    cmd.rest.extend(operands);
    if !brokers_seen && mode != Some('M') {
        return Err(usage_error(invoked, "-b <broker,..> missing"));
    }
    let mode = match mode {
        Some(m) => m,
        None => {
            cmd.auto_mode = true;
            if env.stdin_piped || !env.interactive {
                'P'
            } else {
                'C'
            }
        }
    };
    cmd.mode = match mode {
        'P' => Mode::Produce,
        'C' => Mode::Consume,
        'L' => Mode::Metadata,
        'Q' => Mode::Query,
        _ => Mode::Group,
    };
    if !"GLQM".contains(mode) && cmd.topic.is_none() {
        return Err(usage_error(invoked, "-t <topic> missing"));
    }
    if mode == 'Q' && cmd.topic.is_none() {
        return Err(usage_error(invoked, "-t <topic>:<partition>:<offset_or_timestamp> missing"));
    }
    if let Some(p) = cmd.properties.get("partitioner") {
        let known = ["random", "consistent", "consistent_random", "murmur2", "murmur2_random", "fnv1a", "fnv1a_random"];
        if !known.contains(&p.as_str()) {
            return Err(fatal(&format!("Invalid value \"{p}\" for configuration property \"partitioner\"")));
        }
    }
    Ok(cmd)
}
