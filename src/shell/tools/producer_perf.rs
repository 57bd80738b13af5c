//! `kafka-producer-perf-test` (`ProducerPerformance.java`, argparse4j, not jopt-simple): its
//! arguments and argparse4j-style errors (`producer-performance: error: ...`).

use std::collections::BTreeMap;

use super::{key_values, Bootstrap, Env};
use crate::shell::{Chunk, Outcome};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProducerPerfCommand {
    pub topic: String,
    pub num_records: i64,
    pub record_size: Option<i32>,
    /// Records per second; -1: no throttling.
    /// Records per second times 1000 (milli-records/s) to keep the request `Eq`; -1000: unthrottled.
    pub throughput_milli: i64,
    pub producer_props: BTreeMap<String, String>,
    pub bootstrap: Bootstrap,
}

const USAGE: &str = "usage: producer-performance [-h] --topic TOPIC --num-records NUM-RECORDS [--payload-delimiter PAYLOAD-DELIMITER] --throughput THROUGHPUT [--producer-props PROP-NAME=PROP-VALUE [PROP-NAME=PROP-VALUE ...]] [--producer.config CONFIG-FILE] [--print-metrics] [--transactional-id TRANSACTIONAL-ID] [--transaction-duration-ms TRANSACTION-DURATION] (--record-size RECORD-SIZE | --payload-file PAYLOAD-FILE | --payload-monotonic)\n";

fn error(message: &str) -> Outcome {
    Outcome::fail(vec![Chunk::err(format!("{USAGE}producer-performance: error: {message}\n"))], 1)
}

pub fn parse(_invoked: &str, args: &[String], env: &Env) -> Result<ProducerPerfCommand, Outcome> {
    let known = ["--topic", "--num-records", "--payload-delimiter", "--throughput", "--producer-props", "--producer.config", "--print-metrics", "--transactional-id", "--transaction-duration-ms", "--record-size", "--payload-file", "--payload-monotonic", "-h", "--help"];
    let mut values: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    let mut i = 0;
    while i < args.len() {
        let arg = args[i].as_str();
        i += 1;
        if arg == "-h" || arg == "--help" {
            return Err(Outcome::ok(vec![Chunk::out(format!("{USAGE}\nThis tool is used to verify the producer performance.\n"))]));
        }
        let Some(name) = known.iter().copied().find(|k| *k == arg) else {
            return Err(error(&format!("unrecognized arguments: '{arg}'")));
        };
        let entry = values.entry(name).or_default();
        if name == "--producer-props" {
            while i < args.len() && !args[i].starts_with("--") {
                entry.push(args[i].clone());
                i += 1;
            }
            if entry.is_empty() {
                return Err(error("argument --producer-props: expected at least one argument"));
            }
        } else if name == "--print-metrics" || name == "--payload-monotonic" {
        } else if i < args.len() {
            entry.push(args[i].clone());
            i += 1;
        } else {
            return Err(error(&format!("argument {name}: expected one argument")));
        }
    }
    for required in ["--topic", "--num-records", "--throughput"] {
        if !values.contains_key(required) {
            return Err(error(&format!("argument {required} is required")));
        }
    }
    let sources = ["--record-size", "--payload-file", "--payload-monotonic"].iter().filter(|s| values.contains_key(*s)).count();
    if sources == 0 {
        return Err(error("one of the arguments --record-size --payload-file --payload-monotonic is required"));
    }
    let last = |k: &str| values.get(k).and_then(|v| v.last().cloned()).unwrap_or_default();
    let num_records = last("--num-records").parse::<i64>().map_err(|_| error(&format!("argument --num-records: could not convert '{}' to Long", last("--num-records"))))?;
    let throughput = last("--throughput").parse::<f64>().map_err(|_| error(&format!("argument --throughput: could not convert '{}' to Double", last("--throughput"))))?;
    let record_size = match values.get("--record-size") {
        Some(_) => Some(last("--record-size").parse::<i32>().map_err(|_| error(&format!("argument --record-size: could not convert '{}' to Integer", last("--record-size"))))?),
        None => None,
    };
    let producer_props = key_values(values.get("--producer-props").map(|v| v.as_slice()).unwrap_or(&[]));
    if !values.contains_key("--producer-props") && !values.contains_key("--producer.config") {
        return Err(Outcome::fail(vec![Chunk::err(format!("{USAGE}producer-performance: error: Either --producer-props or --producer.config must be specified.\n"))], 1));
    }
    let bootstrap = Bootstrap::new(producer_props.get("bootstrap.servers").map(String::as_str).unwrap_or(""), env);
    Ok(ProducerPerfCommand { topic: last("--topic"), num_records, record_size, throughput_milli: (throughput * 1000.0) as i64, producer_props, bootstrap })
}
