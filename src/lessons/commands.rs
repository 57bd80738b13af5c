//! How goals judge the commands a learner ran: did one succeed (exit status 0 and no error in its
//! output: Kafka's console producer and `kafka-consumer-groups --describe` of an unknown group
//! both exit 0 after printing an error), which commands write to a topic, and why a write failed
//! in the learner's words.

use super::goal::{glob_contains, normalize_line};
use super::history::{CommandRun, History};

/// The error a command's output shows, in a few words (the exception's name and message, or the
/// tool's `Error:` line); None when it shows none.
pub fn failure_in(output: &str) -> Option<String> {
    let mut logged_error = false;
    for line in output.lines() {
        let line = line.trim_end();
        if let Some(i) = line.find("org.apache.kafka.common.errors.") {
            return Some(line[i + "org.apache.kafka.common.errors.".len()..].to_string());
        }
        if line.starts_with("Error:") || line.starts_with("Error while") || line.starts_with("ERROR ") {
            return Some(line.trim_start_matches("Error:").trim().to_string());
        }
        if line.contains("] ERROR ") {
            logged_error = true;
        } else if logged_error && line.contains("Exception") {
            return Some(line.rsplit('.').next().unwrap_or(line).to_string());
        }
    }
    logged_error.then(|| "an error (see the terminal)".to_string())
}

/// Why a finished command did not succeed (None: it succeeded, or it still runs).
pub fn failure(h: &History, c: &CommandRun) -> Option<String> {
    if !c.ended {
        return None;
    }
    match c.status {
        Some(0) => failure_in(h.command_output(c)),
        Some(status) => Some(failure_in(h.command_output(c)).unwrap_or_else(|| format!("it ended with exit status {status}"))),
        None => Some("its end was not seen".to_string()),
    }
}

pub fn succeeded(h: &History, c: &CommandRun) -> bool {
    c.ended && failure(h, c).is_none()
}

/// The command line matches a goal's pattern (`*` globbing, quotes and spacing ignored).
pub fn matches(pattern: &str, c: &CommandRun) -> bool {
    glob_contains(&normalize_line(pattern), &normalize_line(&c.line))
}

/// The command writes records to `topic` (console producer, perf test, kcat -P, or a pipe into
/// one of them).
pub fn writes_to(c: &CommandRun, topic: &str) -> bool {
    let line = normalize_line(&c.line);
    let producer = line.contains("kafka-console-producer") || line.contains("kafka-producer-perf-test") || ((line.contains("kcat") || line.contains("kafkacat")) && line.contains(" -P"));
    let words: Vec<&str> = line.split(' ').collect();
    let names_topic = words.windows(2).any(|w| (w[0] == "--topic" || w[0] == "-t") && w[1] == topic) || words.iter().any(|w| *w == format!("-t{topic}"));
    producer && names_topic
}

/// Why a write failed, with what to do about it where the error says.
pub fn explain_write_failure(error: &str) -> String {
    let name = error.split(':').next().unwrap_or(error).trim();
    let advice = match name {
        "TimeoutException" => " The producer gave up before the cluster noticed the failure: a crashed broker is fenced only after its session times out (broker.session.timeout.ms, 9 s). Wait about 10 seconds, or give the producer more time (`--request-timeout-ms 10000`), and write again.",
        "NotEnoughReplicasException" | "NotEnoughReplicasAfterAppendException" => " Too few replicas are in sync for the topic's min.insync.replicas.",
        _ => "",
    };
    format!("{error}.{advice}")
}

/// The value is a JSON object with `field` among its top-level keys. A small scanner, not a full
/// parser: strings, escapes and nesting are followed, so `{"a":{"email":1}}` has no top-level
/// `email`; unbalanced brackets or text around the object fail.
pub fn json_has_top_level_field(value: &str, field: &str) -> bool {
    let text = value.trim();
    if !text.starts_with('{') || !text.ends_with('}') {
        return false;
    }
    let (mut depth, mut in_string, mut escaped) = (0i32, false, false);
    let mut current = String::new();
    let mut last_string_at_depth1: Option<String> = None;
    let mut found = false;
    for ch in text.chars() {
        if in_string {
            if escaped {
                escaped = false;
                current.push(ch);
            } else if ch == '\\' {
                escaped = true;
            } else if ch == '"' {
                in_string = false;
                if depth == 1 {
                    last_string_at_depth1 = Some(std::mem::take(&mut current));
                }
            } else {
                current.push(ch);
            }
            continue;
        }
        match ch {
            '"' => {
                in_string = true;
                current.clear();
            }
            '{' | '[' => depth += 1,
            '}' | ']' => {
                depth -= 1;
                if depth < 0 {
                    return false;
                }
            }
            ':' if depth == 1 => found |= last_string_at_depth1.take().as_deref() == Some(field),
            c if c.is_whitespace() => {}
            _ => last_string_at_depth1 = None,
        }
    }
    found && depth == 0 && !in_string
}

/// The matching commands of the current step.
pub fn step_matching<'a>(h: &'a History, pattern: &'a str) -> impl Iterator<Item = &'a CommandRun> + 'a {
    h.step_commands().filter(move |c| matches(pattern, c))
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use crate::browser_test as test;

    #[test]
    fn errors_are_found_in_tool_output() {
        assert_eq!(failure_in("Created topic a.\n"), None);
        assert_eq!(failure_in("\nError: Consumer group 'x' does not exist.\n").as_deref(), Some("Consumer group 'x' does not exist."));
        let producer = "[2024-11-06 09:00:07,309] ERROR Error when sending message to topic orders with key: null, value: 7 bytes with error: (org.apache.kafka.clients.producer.internals.ErrorLoggingCallback)\norg.apache.kafka.common.errors.TimeoutException: Disconnected from node 3 due to timeout\n";
        assert_eq!(failure_in(producer).as_deref(), Some("TimeoutException: Disconnected from node 3 due to timeout"));
    }

    #[test]
    fn json_fields_are_found_whatever_the_spacing() {
        assert!(json_has_top_level_field(r#"{"user":"ann","email":"a@b"}"#, "email"));
        assert!(json_has_top_level_field(r#"{ "user" : "ann", "email" : "a@b" }"#, "email"));
        assert!(!json_has_top_level_field(r#"{"user":"bob","contact":{"email":"b@c"}}"#, "email"));
        assert!(!json_has_top_level_field(r#"{"user":"email"}"#, "email"));
        assert!(!json_has_top_level_field(r#"email: a@b"#, "email"));
        assert!(!json_has_top_level_field(r#"{"email":"a"}}"#, "email"));
    }
}
