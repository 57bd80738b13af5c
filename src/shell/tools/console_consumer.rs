//! `kafka-console-consumer` (3.9: `tools/.../consumer/ConsoleConsumerOptions.java`): options and
//! the checks of `checkRequiredArgs`, `checkConsumerGroup`, `parseOffset` and the
//! `auto.offset.reset` rule.

use std::collections::BTreeMap;

use super::{key_values, parse_jopt, specs, usage_error, value_error, Bootstrap, Env};
use crate::shell::Outcome;

/// Where a `--partition` consumer starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StartOffset {
    Earliest,
    Latest,
    At(i64),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsumerCommand {
    pub bootstrap: Bootstrap,
    /// `--topic` or, with `include`, a regular expression.
    pub topic: Option<String>,
    pub include: Option<String>,
    pub partition: Option<i32>,
    pub offset: StartOffset,
    /// The group given (`--group` or `group.id` property); None: `console-consumer-<random>`
    /// without offset commits (unless `enable.auto.commit` is set explicitly).
    pub group: Option<String>,
    pub from_beginning: bool,
    /// `auto.offset.reset` after the precedence rule.
    pub auto_offset_reset: String,
    pub max_messages: Option<i32>,
    pub timeout_ms: Option<i64>,
    pub isolation_level: String,
    pub consumer_props: BTreeMap<String, String>,
    /// `--property` values for the formatter (print.key, key.separator, ...).
    pub formatter_props: BTreeMap<String, String>,
    pub skip_message_on_error: bool,
}

pub fn parse(invoked: &str, args: &[String], env: &Env) -> Result<ConsumerCommand, Outcome> {
    let p = parse_jopt(
        invoked,
        specs::CONSOLE_CONSUMER,
        args,
        "This tool helps to read data from Kafka topics and outputs it to standard output.",
    )?;
    let v = |name: &'static str| p.value(name).map_err(|e| value_error(invoked, e));
    let topic = v("topic")?;
    let include = match v("include")? {
        Some(i) => Some(i),
        None => v("whitelist")?,
    };
    if topic.is_some() as u8 + include.is_some() as u8 != 1 {
        let mut message = "Exactly one of --include/--topic is required. ".to_string();
        if p.has("whitelist") {
            message.push_str("--whitelist is DEPRECATED use --include instead; ignored if --include specified.");
        }
        return Err(usage_error(invoked, &message));
    }
    let partition = p.int("partition").map_err(|e| value_error(invoked, e))?;
    if partition.is_some() {
        if !p.has("topic") {
            return Err(usage_error(invoked, "The topic is required when partition is specified."));
        }
        if p.has("from-beginning") && p.has("offset") {
            return Err(usage_error(invoked, "Options from-beginning and offset cannot be specified together."));
        }
    } else if p.has("offset") {
        return Err(usage_error(invoked, "The partition is required when offset is specified."));
    }
    if !p.has("bootstrap-server") {
        return Err(super::missing_required(invoked, "bootstrap-server"));
    }
    let consumer_props = key_values(&p.values("consumer-property"));
    let mut groups: Vec<String> = Vec::new();
    if let Some(g) = v("group")? {
        groups.push(g);
    }
    if let Some(g) = consumer_props.get("group.id") {
        if !groups.contains(g) {
            groups.push(g.clone());
        }
    }
    if groups.len() > 1 {
        let detected: Vec<String> = groups.iter().map(|g| format!("'{g}'")).collect();
        return Err(usage_error(
            invoked,
            &format!(
                "The group ids provided in different places (directly using '--group', via '--consumer-property', or via '--consumer.config') do not match. Detected group ids: {}",
                detected.join(", ")
            ),
        ));
    }
    if !groups.is_empty() && partition.is_some() {
        return Err(usage_error(invoked, "Options group and partition cannot be specified together."));
    }
    let from_beginning = p.has("from-beginning");
    let auto_offset_reset = match consumer_props.get("auto.offset.reset") {
        Some(reset) => {
            if from_beginning && reset != "earliest" {
                return Err(usage_error(
                    invoked,
                    &format!(
                        "Can't simultaneously specify --from-beginning and 'auto.offset.reset={reset}', please remove one option"
                    ),
                ));
            }
            reset.clone()
        }
        None if from_beginning => "earliest".into(),
        None => "latest".into(),
    };
    let offset_text = v("offset")?.unwrap_or_else(|| "latest".into());
    let offset = if partition.is_some() && !p.has("offset") && from_beginning {
        StartOffset::Earliest
    } else {
        match offset_text.to_ascii_lowercase().as_str() {
            "earliest" => StartOffset::Earliest,
            "latest" => StartOffset::Latest,
            _ => match offset_text.parse::<i64>() {
                Ok(n) if n >= 0 => StartOffset::At(n),
                _ => {
                    return Err(usage_error(
                        invoked,
                        &format!(
                            "The provided offset value '{offset_text}' is incorrect. Valid values are 'earliest', 'latest', or a non-negative long."
                        ),
                    ))
                }
            },
        }
    };
    let max_messages = p.int("max-messages").map_err(|e| value_error(invoked, e))?;
    let timeout_ms = p.long("timeout-ms").map_err(|e| value_error(invoked, e))?;
    let isolation_level = consumer_props
        .get("isolation.level")
        .filter(|_| !p.has("isolation-level"))
        .cloned()
        .unwrap_or(v("isolation-level")?.unwrap_or_else(|| "read_uncommitted".into()));
    Ok(ConsumerCommand {
        bootstrap: Bootstrap::new(&v("bootstrap-server")?.unwrap_or_default(), env),
        topic,
        include,
        partition,
        offset,
        group: groups.into_iter().next(),
        from_beginning,
        auto_offset_reset,
        max_messages,
        timeout_ms,
        isolation_level,
        consumer_props,
        formatter_props: key_values(&p.values("property")),
        skip_message_on_error: p.has("skip-message-on-error"),
    })
}

/// Runs `kafka-console-consumer` against the cluster: a process printing records as they come
/// (owned by the consumer-groups work; until then the tool says it is not connected).
pub fn execute(session: &mut crate::shell::Session<'_>, command: &ConsumerCommand) -> crate::shell::Exec {
    let _ = (session, command);
    crate::shell::Exec::Done(super::not_connected("kafka-console-consumer"))
}
