//! Saved sessions: the JSON document kept in localStorage, exported to a file and carried by a
//! share link, and the checks every loaded document passes before it is replayed.
//!
//! The document is `{"app":"kafka-sandbox","format":1,"seed":S,"brokers":B,"transcript":[...]}`
//! where each transcript entry is `{"op":"run","term":1,"line":"..."}`, `{"op":"eof","term":1}`,
//! `{"op":"interrupt","term":1}`, `{"op":"open","term":2}`, `{"op":"close","term":2}` or
//! `{"op":"advance","ms":500}`. A share link is the page address with the fragment
//! `#s=<base64url of that JSON, no padding>`.
//!
//! Anything loaded is untrusted (a share link is written by whoever sent it): it is size-limited
//! before parsing, parsed strictly, its version checked, its transcript validated
//! ([`super::transcript::validate`]). Every failure is a [`LoadError`] with a message for the
//! learner; nothing here can panic on any input. Lines are only ever shown as text.

use super::transcript::{self, Entry, TranscriptError};
use crate::json::{self, Value};
use crate::engine::cluster::BROKERS_MAX;

/// The version of the saved-session document. Bump it when old documents can no longer be
/// replayed faithfully (a changed entry meaning, or a simulation change that alters outcomes).
pub const FORMAT_VERSION: u64 = 1;
/// The `app` field: tells our documents from any other JSON.
pub const APP_TAG: &str = "kafka-sandbox";
/// The JSON a share link may carry (URLs beyond ~100 KB are not portable across browsers).
pub const SHARE_JSON_BYTES_MAX: usize = 64 * 1024;
/// The JSON kept in localStorage or imported from a file.
pub const SAVED_JSON_BYTES_MAX: usize = 1024 * 1024;
/// The fragment key of a share link: `#s=...`.
pub const SHARE_FRAGMENT_PREFIX: &str = "#s=";

/// A session as stored: enough to rebuild it exactly by replay.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SavedSession {
    pub app: String,
    pub format: u64,
    pub seed: u64,
    pub brokers: u32,
    pub transcript: Vec<Entry>,
}

impl SavedSession {
    pub fn new(seed: u64, brokers: u32, transcript: Vec<Entry>) -> SavedSession {
        SavedSession { app: APP_TAG.to_string(), format: FORMAT_VERSION, seed, brokers, transcript }
    }
}

// The parser's own limit must not refuse what ours accepts.
const _: () = assert!(SAVED_JSON_BYTES_MAX <= json::INPUT_BYTES_MAX && SHARE_JSON_BYTES_MAX <= SAVED_JSON_BYTES_MAX);

/// Why a saved session could not be loaded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LoadError {
    TooLarge { bytes: usize, bytes_max: usize },
    NotBase64,
    NotJson(String),
    NotASession,
    OtherVersion { found: String },
    Malformed(String),
    Brokers { brokers: u32 },
    Transcript(TranscriptError),
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoadError::TooLarge { bytes, bytes_max } => write!(f, "it is too large ({bytes} bytes, at most {bytes_max})"),
            LoadError::NotBase64 => write!(f, "it is not valid base64url"),
            LoadError::NotJson(e) => write!(f, "it is not valid JSON ({e})"),
            LoadError::NotASession => write!(f, "it is not a Kafka sandbox session"),
            LoadError::OtherVersion { found } => write!(
                f,
                "it was saved in format {found} by another version of the sandbox (this one reads format {FORMAT_VERSION})"
            ),
            LoadError::Malformed(e) => write!(f, "it is malformed ({e})"),
            LoadError::Brokers { brokers } => write!(f, "it asks for {brokers} brokers (1..={BROKERS_MAX})"),
            LoadError::Transcript(e) => write!(f, "its transcript is invalid: {e}"),
        }
    }
}

/// The document as compact JSON, fields in declaration order.
pub fn encode(saved: &SavedSession) -> String {
    let mut out = String::with_capacity(96 + saved.transcript.len() * 40);
    out.push_str("{\"app\":");
    json::push_str(&mut out, &saved.app);
    out.push_str(",\"format\":");
    json::push_u64(&mut out, saved.format);
    out.push_str(",\"seed\":");
    json::push_u64(&mut out, saved.seed);
    out.push_str(",\"brokers\":");
    json::push_u64(&mut out, u64::from(saved.brokers));
    out.push_str(",\"transcript\":[");
    for (i, entry) in saved.transcript.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        entry.write_json(&mut out);
    }
    out.push_str("]}");
    out
}

/// Parses and validates a document of at most `bytes_max` bytes.
pub fn decode(json: &str, bytes_max: usize) -> Result<SavedSession, LoadError> {
    if json.len() > bytes_max {
        return Err(LoadError::TooLarge { bytes: json.len(), bytes_max });
    }
    let document = json::parse(json).map_err(|e| LoadError::NotJson(e.to_string()))?;
    // `app` and `format` first, so that a document from another version is told apart from a
    // corrupted one.
    let Value::Object(_) = document else { return Err(LoadError::NotASession) };
    let [app, format] = json::fields(&document, ["app", "format"], true).map_err(LoadError::NotJson)?;
    if app.and_then(Value::as_str) != Some(APP_TAG) {
        return Err(LoadError::NotASession);
    }
    match format {
        Some(n) if n.as_u64() == Some(FORMAT_VERSION) => {}
        None | Some(Value::Null) => return Err(LoadError::OtherVersion { found: "(none)".to_string() }),
        Some(other) => {
            // Shown to the learner, so bounded: a hostile document could put a novel here.
            let mut found = other.to_json();
            if found.len() > 40 {
                found = format!("{}...", found.chars().take(40).collect::<String>());
            }
            return Err(LoadError::OtherVersion { found });
        }
    }
    let saved = session_from_json(&document).map_err(LoadError::Malformed)?;
    if saved.brokers == 0 || saved.brokers > BROKERS_MAX {
        return Err(LoadError::Brokers { brokers: saved.brokers });
    }
    transcript::validate(&saved.transcript).map_err(LoadError::Transcript)?;
    Ok(saved)
}

/// The session's fields, strictly: no unknown or repeated keys, each of its type.
fn session_from_json(document: &Value) -> Result<SavedSession, String> {
    let [app, format, seed, brokers, entries] = json::fields(document, ["app", "format", "seed", "brokers", "transcript"], false)?;
    let entries = json::required(entries, "transcript")?;
    let entries = entries.as_array().ok_or_else(|| format!("field `transcript`: expected an array, found {}", entries.kind()))?;
    let mut transcript = Vec::with_capacity(entries.len());
    for (i, entry) in entries.iter().enumerate() {
        transcript.push(Entry::from_json(entry).map_err(|e| format!("transcript entry {}: {e}", i + 1))?);
    }
    Ok(SavedSession {
        app: json::string_field(app, "app")?,
        format: json::integer_field(format, "format", u64::MAX)?,
        seed: json::integer_field(seed, "seed", u64::MAX)?,
        brokers: json::integer_field(brokers, "brokers", u64::from(u32::MAX))? as u32,
        transcript,
    })
}

/// The fragment of a share link for `saved`, or None when it would exceed the share limit.
pub fn share_fragment(saved: &SavedSession) -> Option<String> {
    let json = encode(saved);
    if json.len() > SHARE_JSON_BYTES_MAX {
        return None;
    }
    Some(format!("{SHARE_FRAGMENT_PREFIX}{}", base64url_encode(json.as_bytes())))
}

/// Reads a share link's fragment (`location.hash`, with its `#`). None when the fragment is not
/// a share link at all; otherwise the validated session or why it was refused.
pub fn parse_share_fragment(hash: &str) -> Option<Result<SavedSession, LoadError>> {
    let encoded = hash.strip_prefix(SHARE_FRAGMENT_PREFIX)?;
    // Checked before decoding: base64 grows 4/3, plus slack for padding a hand-edited link added.
    let encoded_max = SHARE_JSON_BYTES_MAX.div_ceil(3) * 4 + 4;
    if encoded.len() > encoded_max {
        return Some(Err(LoadError::TooLarge { bytes: encoded.len() / 4 * 3, bytes_max: SHARE_JSON_BYTES_MAX }));
    }
    let bytes = match base64url_decode(encoded) {
        Some(bytes) => bytes,
        None => return Some(Err(LoadError::NotBase64)),
    };
    let json = match String::from_utf8(bytes) {
        Ok(json) => json,
        Err(_) => return Some(Err(LoadError::NotJson("not UTF-8".to_string()))),
    };
    Some(decode(&json, SHARE_JSON_BYTES_MAX))
}

const BASE64URL: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// RFC 4648 base64url, without padding.
pub fn base64url_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for group in bytes.chunks(3) {
        let b = [group[0], *group.get(1).unwrap_or(&0), *group.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let chars = group.len() + 1; // 1 byte -> 2 chars, 2 -> 3, 3 -> 4
        for i in 0..chars {
            out.push(char::from(BASE64URL[((n >> (18 - 6 * i)) & 63) as usize]));
        }
    }
    out
}

/// Decodes base64url with or without padding; None on any other character or a bad length.
pub fn base64url_decode(text: &str) -> Option<Vec<u8>> {
    let text = text.trim_end_matches('=');
    if text.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(text.len() / 4 * 3 + 2);
    for group in text.as_bytes().chunks(4) {
        let mut n: u32 = 0;
        for (i, c) in group.iter().enumerate() {
            let v = BASE64URL.iter().position(|b| b == c)? as u32;
            n |= v << (18 - 6 * i);
        }
        let bytes = group.len() - 1; // 2 chars -> 1 byte, 3 -> 2, 4 -> 3
        for i in 0..bytes {
            out.push((n >> (16 - 8 * i)) as u8);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    fn sample() -> SavedSession {
        SavedSession::new(
            42,
            3,
            vec![
                Entry::Run { term: 1, line: "kafka-topics --list --bootstrap-server localhost:9092".to_string() },
                Entry::Open { term: 2 },
                Entry::Run { term: 2, line: "<img src=x onerror=alert(1)> \"quoted\" ü".to_string() },
                Entry::Interrupt { term: 2 },
                Entry::Eof { term: 1 },
                Entry::Advance { ms: 1500 },
                Entry::Close { term: 2 },
            ],
        )
    }

    #[wasm_bindgen_test]
    fn documents_round_trip_through_json_and_share_links() {
        let saved = sample();
        assert_eq!(decode(&encode(&saved), SAVED_JSON_BYTES_MAX), Ok(saved.clone()));
        let fragment = share_fragment(&saved).expect("small enough to share");
        assert!(fragment.starts_with("#s="));
        assert!(fragment[3..].bytes().all(|b| BASE64URL.contains(&b)), "URL-safe: {fragment}");
        assert_eq!(parse_share_fragment(&fragment), Some(Ok(saved)));
    }

    #[wasm_bindgen_test]
    fn the_entry_format_is_stable() {
        let json = encode(&SavedSession::new(7, 1, vec![Entry::Run { term: 1, line: "ls".into() }, Entry::Advance { ms: 5 }]));
        assert_eq!(
            json,
            r#"{"app":"kafka-sandbox","format":1,"seed":7,"brokers":1,"transcript":[{"op":"run","term":1,"line":"ls"},{"op":"advance","ms":5}]}"#
        );
    }

    /// What the serde_json version of this module wrote for a session with every entry kind and
    /// every kind of character escaping (generated with it, before it was replaced).
    const WRITTEN_BY_SERDE: &str = concat!(
        r#"{"app":"kafka-sandbox","format":1,"seed":18446744073709551615,"brokers":9,"transcript":[{"op":"run","term":1,"#,
        r#""line":"echo \"q\" back\\slash tab\t bell\u0007 esc\u001b del"#,
        "\u{7f} </script> ü 🦀 \u{2028}",
        r#""},{"op":"open","term":2},{"op":"eof","term":2},{"op":"interrupt","term":2},{"op":"close","term":2},{"op":"advance","ms":31536000000}]}"#
    );

    #[wasm_bindgen_test]
    fn a_document_the_serde_version_wrote_loads_and_is_written_back_byte_for_byte() {
        let saved = decode(WRITTEN_BY_SERDE, SAVED_JSON_BYTES_MAX).expect("loads");
        assert_eq!(saved.seed, u64::MAX);
        assert_eq!(
            saved.transcript[0],
            Entry::Run { term: 1, line: "echo \"q\" back\\slash tab\t bell\u{7} esc\u{1b} del\u{7f} </script> ü 🦀 \u{2028}".to_string() }
        );
        assert_eq!(saved.transcript[5], Entry::Advance { ms: 31_536_000_000 });
        assert_eq!(encode(&saved), WRITTEN_BY_SERDE);
        // Whitespace, another member order and escapes the writer does not use read the same.
        let reordered = r#" { "transcript" : [ { "line" : "\u0065cho\/", "term" : 1 , "op" : "run" } ] , "brokers" : 3 , "seed" : 5 , "format" : 1 , "app" : "kafka-sandbox" } "#;
        assert_eq!(decode(reordered, SAVED_JSON_BYTES_MAX), Ok(SavedSession::new(5, 3, vec![Entry::Run { term: 1, line: "echo/".into() }])));
    }

    #[wasm_bindgen_test]
    fn repeated_stray_and_out_of_range_fields_are_malformed() {
        let session = |transcript: &str| format!(r#"{{"app":"kafka-sandbox","format":1,"seed":1,"brokers":3,"transcript":[{transcript}]}}"#);
        let malformed = |json: &str| match decode(json, SAVED_JSON_BYTES_MAX) {
            Err(LoadError::Malformed(e)) => e,
            other => panic!("{json}: {other:?}"),
        };
        assert_eq!(malformed(&session(r#"{"op":"advance","ms":5,"term":1}"#)), "transcript entry 1: unknown field `term` in an `advance` entry");
        assert_eq!(malformed(&session(r#"{"op":"eof","term":1,"line":"x"}"#)), "transcript entry 1: unknown field `line` in an `eof` entry");
        assert_eq!(malformed(&session(r#"{"op":"run","term":1,"line":"a","line":"b"}"#)), "transcript entry 1: duplicate field `line`");
        assert_eq!(malformed(&session(r#"{"term":1}"#)), "transcript entry 1: missing field `op`");
        assert_eq!(malformed(&session(r#"{"op":"run","term":1}"#)), "transcript entry 1: missing field `line`");
        assert_eq!(malformed(&session(r#"{"op":"open","term":4294967296}"#)), "transcript entry 1: field `term`: expected an integer from 0 to 4294967295, found 4294967296");
        assert_eq!(malformed(&session(r#"{"op":"advance","ms":1.5}"#)), "transcript entry 1: field `ms`: expected an integer from 0 to 18446744073709551615, found 1.5");
        assert_eq!(malformed(&session(r#"{"op":"run","term":1,"line":7}"#)), "transcript entry 1: field `line`: expected a string, found a number");
        assert_eq!(
            malformed(&session(r#"{"op":"rm -rf","term":1}"#)),
            "transcript entry 1: unknown op `rm -rf`, expected one of `run`, `eof`, `interrupt`, `open`, `close`, `advance`"
        );
        assert_eq!(malformed(&session("7")), "transcript entry 1: expected an object, found a number");
        assert_eq!(malformed(r#"{"app":"kafka-sandbox","format":1,"seed":1,"seed":2,"brokers":3,"transcript":[]}"#), "duplicate field `seed`");
        assert_eq!(malformed(r#"{"app":"kafka-sandbox","format":1,"seed":1,"brokers":3,"transcript":{}}"#), "field `transcript`: expected an array, found an object");
        assert_eq!(malformed(r#"{"app":"kafka-sandbox","format":1,"seed":1,"brokers":4294967296,"transcript":[]}"#), "field `brokers`: expected an integer from 0 to 4294967295, found 4294967296");
        // The header is read first: a repeated `app` or `format` is refused as serde_json's first pass did.
        assert!(matches!(decode(r#"{"app":"kafka-sandbox","app":"kafka-sandbox","format":1}"#, SAVED_JSON_BYTES_MAX), Err(LoadError::NotJson(_))));
        // A lone surrogate is not JSON text we read (serde_json refused it in the second pass).
        assert!(matches!(decode(&session(r#"{"op":"run","term":1,"line":"\ud800"}"#), SAVED_JSON_BYTES_MAX), Err(LoadError::NotJson(_))));
    }

    #[wasm_bindgen_test]
    fn another_format_is_shown_as_written_and_bounded() {
        let found = |format: &str| match decode(&format!(r#"{{"app":"kafka-sandbox","format":{format}}}"#), SAVED_JSON_BYTES_MAX) {
            Err(LoadError::OtherVersion { found }) => found,
            other => panic!("{format}: {other:?}"),
        };
        assert_eq!(found("2"), "2");
        assert_eq!(found("1.0"), "1.0");
        assert_eq!(found("-1"), "-1");
        assert_eq!(found(r#""1""#), r#""1""#);
        assert_eq!(found("null"), "(none)");
        assert_eq!(found(r#"{"v":[1,true]}"#), r#"{"v":[1,true]}"#);
        assert_eq!(found(&format!("\"{}\"", "x".repeat(100))), format!("\"{}...", "x".repeat(39)));
        assert_eq!(
            LoadError::OtherVersion { found: "2".into() }.to_string(),
            "it was saved in format 2 by another version of the sandbox (this one reads format 1)"
        );
    }

    #[wasm_bindgen_test]
    fn base64url_matches_rfc4648_vectors() {
        for (plain, encoded) in [("", ""), ("f", "Zg"), ("fo", "Zm8"), ("foo", "Zm9v"), ("foob", "Zm9vYg"), ("fooba", "Zm9vYmE"), ("foobar", "Zm9vYmFy")] {
            assert_eq!(base64url_encode(plain.as_bytes()), encoded);
            assert_eq!(base64url_decode(encoded).as_deref(), Some(plain.as_bytes()));
        }
        assert_eq!(base64url_encode(&[0xfb, 0xff]), "-_8");
        assert_eq!(base64url_decode("Zg=="), Some(b"f".to_vec()));
        assert_eq!(base64url_decode("Z"), None);
        assert_eq!(base64url_decode("Zm9v+A"), None, "standard alphabet is refused");
        assert_eq!(base64url_decode("Zm 9"), None);
    }

    #[wasm_bindgen_test]
    fn other_versions_and_foreign_documents_are_told_apart_from_corruption() {
        let old = r#"{"app":"kafka-sandbox","format":0,"seed":1,"brokers":3,"commands":["ls"]}"#;
        assert_eq!(decode(old, SAVED_JSON_BYTES_MAX), Err(LoadError::OtherVersion { found: "0".into() }));
        let unversioned = r#"{"app":"kafka-sandbox","seed":1}"#;
        assert_eq!(decode(unversioned, SAVED_JSON_BYTES_MAX), Err(LoadError::OtherVersion { found: "(none)".into() }));
        assert_eq!(decode(r#"{"hello":1}"#, SAVED_JSON_BYTES_MAX), Err(LoadError::NotASession));
        assert_eq!(decode("[1,2]", SAVED_JSON_BYTES_MAX), Err(LoadError::NotASession));
        assert!(matches!(decode("{\"app\":\"kafka-sandbox\",", SAVED_JSON_BYTES_MAX), Err(LoadError::NotJson(_))));
        assert!(matches!(decode("\u{0}garbage", SAVED_JSON_BYTES_MAX), Err(LoadError::NotJson(_))));
    }

    #[wasm_bindgen_test]
    fn malformed_documents_are_refused_with_a_reason() {
        let bad_op = r#"{"app":"kafka-sandbox","format":1,"seed":1,"brokers":3,"transcript":[{"op":"rm -rf","term":1}]}"#;
        assert!(matches!(decode(bad_op, SAVED_JSON_BYTES_MAX), Err(LoadError::Malformed(_))));
        let extra = r#"{"app":"kafka-sandbox","format":1,"seed":1,"brokers":3,"transcript":[],"html":"<b>"}"#;
        assert!(matches!(decode(extra, SAVED_JSON_BYTES_MAX), Err(LoadError::Malformed(_))));
        let negative_seed = r#"{"app":"kafka-sandbox","format":1,"seed":-1,"brokers":3,"transcript":[]}"#;
        assert!(matches!(decode(negative_seed, SAVED_JSON_BYTES_MAX), Err(LoadError::Malformed(_))));
        let brokers = r#"{"app":"kafka-sandbox","format":1,"seed":1,"brokers":0,"transcript":[]}"#;
        assert_eq!(decode(brokers, SAVED_JSON_BYTES_MAX), Err(LoadError::Brokers { brokers: 0 }));
        let closed = r#"{"app":"kafka-sandbox","format":1,"seed":1,"brokers":3,"transcript":[{"op":"run","term":9,"line":"ls"}]}"#;
        assert!(matches!(decode(closed, SAVED_JSON_BYTES_MAX), Err(LoadError::Transcript(TranscriptError::UnknownTerminal { .. }))));
    }

    #[wasm_bindgen_test]
    fn oversized_input_is_refused_before_parsing() {
        let huge = format!("{{\"app\":\"kafka-sandbox\",\"pad\":\"{}\"}}", "x".repeat(SHARE_JSON_BYTES_MAX));
        assert!(matches!(decode(&huge, SHARE_JSON_BYTES_MAX), Err(LoadError::TooLarge { .. })));
        let link = format!("#s={}", "A".repeat(SHARE_JSON_BYTES_MAX * 2));
        assert!(matches!(parse_share_fragment(&link), Some(Err(LoadError::TooLarge { .. }))));
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        assert!(matches!(decode(&deep, SAVED_JSON_BYTES_MAX), Err(LoadError::NotJson(_))), "recursion limit, no stack overflow");
    }

    #[wasm_bindgen_test]
    fn share_fragments_that_are_not_links_or_not_base64_are_handled() {
        assert_eq!(parse_share_fragment(""), None);
        assert_eq!(parse_share_fragment("#lesson-3"), None);
        assert_eq!(parse_share_fragment("#s=%3Cscript%3E"), Some(Err(LoadError::NotBase64)));
        assert_eq!(parse_share_fragment("#s=_w"), Some(Err(LoadError::NotJson("not UTF-8".into()))));
    }

    #[wasm_bindgen_test]
    fn a_session_too_large_to_share_gives_no_link() {
        let transcript = (0..40).map(|_| Entry::Run { term: 1, line: "y".repeat(2_000) }).collect();
        assert_eq!(share_fragment(&SavedSession::new(1, 3, transcript)), None);
    }
}
