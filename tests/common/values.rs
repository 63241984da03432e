//! Reading values out of responses and writing the values inputs take: ids, names,
//! instants.

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde_json::Value;

/// The `id` of an object in a response.
pub fn id_of(v: &Value) -> String {
    v["id"].as_str().expect("an id").to_owned()
}

/// The names on a page of a connection (its `edges`, else its `nodes`), in order.
pub fn names(conn: &Value) -> Vec<String> {
    let items = conn["edges"].as_array().map_or_else(
        || conn["nodes"].as_array().expect("edges or nodes").clone(),
        |edges| edges.iter().map(|e| e["node"].clone()).collect(),
    );
    items
        .iter()
        .map(|n| n["name"].as_str().expect("name").to_owned())
        .collect()
}

/// A `DateTime` field's value.
pub fn instant(v: &Value) -> DateTime<Utc> {
    v.as_str()
        .expect("a DateTime string")
        .parse()
        .expect("RFC 3339")
}

/// `days` days before now, as a `DateTime` input (to the microsecond, as PostgreSQL
/// stores it).
pub fn days_ago(days: f64) -> String {
    let t = Utc::now() - Duration::milliseconds((days * 86_400_000.0) as i64);
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// base64url without padding, as the server's global ids and JWT segments use.
pub fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..=chunk.len() {
            out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

/// A global id of `kind` for `raw` (a uuid, or anything else to make a malformed one).
pub fn global_id(kind: &str, raw: &str) -> String {
    base64url(format!("{kind}:{raw}").as_bytes())
}

/// A well-formed global id of `kind` that names no row.
pub fn unknown_id(kind: &str) -> String {
    global_id(kind, &uuid::Uuid::new_v4().to_string())
}
