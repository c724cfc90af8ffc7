//! Session ids and channel facts from a request (issue 5).
//!
//! The agent backend tags each request with its conversation: the `X-Phiwall-Session` header
//! (or the older `x-session-id`), or, when the app allows it, the OpenAI `user` field or a key of
//! the `metadata` object. Ids are opaque to phiwall and must be 1 to 64 characters of ASCII
//! letters, digits, `-` and `_`: that keeps e-mail addresses and phone numbers (which agents
//! sometimes put in `user`) out of the store and the events.
//!
//! Channel facts: `X-Phiwall-Caller-Number` is the caller number as the telephony platform
//! reported it. It is spoofable, so it never verifies anyone; it keys the attempt limiter and is
//! kept only as a keyed reference. `X-Phiwall-Break-Glass` carries a staff member's reason for
//! emergency access; it is never stored or logged, only its use is flagged.

use crate::error::ApiError;
use crate::identity_config::SessionField;
use axum::http::HeaderMap;
use serde_json::Value;

/// The session header.
pub const SESSION_HEADER: &str = "x-phiwall-session";
/// The older session header, still accepted.
pub const LEGACY_SESSION_HEADER: &str = "x-session-id";
/// Caller number reported by telephony (spoofable).
pub const CALLER_NUMBER_HEADER: &str = "x-phiwall-caller-number";
/// Break-glass reason (staff apps).
pub const BREAK_GLASS_HEADER: &str = "x-phiwall-break-glass";

/// Whether `v` is an acceptable session id.
pub fn is_valid_id(v: &str) -> bool {
    !v.is_empty()
        && v.len() <= 64
        && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The session id from the headers: `Ok(None)` when absent, an error when present but invalid
/// (so a typo does not silently become an unverified session without anyone noticing).
pub fn from_headers(h: &HeaderMap) -> Result<Option<String>, ApiError> {
    for name in [SESSION_HEADER, LEGACY_SESSION_HEADER] {
        if let Some(v) = h.get(name) {
            let v = v.to_str().map_err(|_| ApiError::InvalidRequest("X-Phiwall-Session"))?;
            if !is_valid_id(v) {
                return Err(ApiError::InvalidRequest("X-Phiwall-Session"));
            }
            return Ok(Some(v.to_string()));
        }
    }
    Ok(None)
}

/// The session id from the body field the app allows, if any.
pub fn from_body(body: &Value, field: &SessionField) -> Result<Option<String>, ApiError> {
    let v = match field {
        SessionField::None => return Ok(None),
        SessionField::User => body.get("user"),
        SessionField::Metadata(k) => body.get("metadata").and_then(|m| m.get(k)),
    };
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if is_valid_id(s) => Ok(Some(s.clone())),
        Some(_) => Err(ApiError::InvalidRequest(match field {
            SessionField::User => "user (a session id: 1-64 letters, digits, '-' or '_')",
            _ => "metadata session id (1-64 letters, digits, '-' or '_')",
        })),
    }
}

/// The caller number header, when present and plausible (digits, spaces, `+-().`; 7 to 15
/// digits). The value is returned for the limiter only; callers must not store or log it.
pub fn caller_number(h: &HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(v) = h.get(CALLER_NUMBER_HEADER) else { return Ok(None) };
    let bad = || ApiError::InvalidRequest("X-Phiwall-Caller-Number");
    let v = v.to_str().map_err(|_| bad())?.trim();
    let digits = v.bytes().filter(u8::is_ascii_digit).count();
    let is_ok = v.len() <= 32
        && (7..=15).contains(&digits)
        && v.bytes().all(|b| b.is_ascii_digit() || b" +-().".contains(&b));
    if !is_ok {
        return Err(bad());
    }
    Ok(Some(v.to_string()))
}

/// The break-glass reason header (staff apps), trimmed; at most 500 characters are kept.
pub fn break_glass_reason(h: &HeaderMap) -> Option<String> {
    let v = h.get(BREAK_GLASS_HEADER)?.to_str().ok()?.trim();
    (!v.is_empty()).then(|| v.chars().take(500).collect())
}

/// The text of every `user` message of a chat request, in order (string content or the text
/// parts of multi-part content). Caller turns only: the agent's own words never become claims.
pub fn user_turns(body: &Value) -> Vec<&str> {
    let mut out = Vec::new();
    let Some(msgs) = body.get("messages").and_then(Value::as_array) else { return out };
    for m in msgs {
        if m.get("role").and_then(Value::as_str) != Some("user") {
            continue;
        }
        match m.get("content") {
            Some(Value::String(s)) => out.push(s.as_str()),
            Some(Value::Array(parts)) => {
                for p in parts {
                    if p.get("type").and_then(Value::as_str) == Some("text") {
                        if let Some(t) = p.get("text").and_then(Value::as_str) {
                            out.push(t);
                        }
                    }
                }
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;
    use serde_json::json;

    #[test]
    fn header_ids() {
        let mut h = HeaderMap::new();
        assert_eq!(from_headers(&h), Ok(None));
        h.insert(LEGACY_SESSION_HEADER, HeaderValue::from_static("old-1"));
        assert_eq!(from_headers(&h), Ok(Some("old-1".into())));
        h.insert(SESSION_HEADER, HeaderValue::from_static("call_42"));
        assert_eq!(from_headers(&h), Ok(Some("call_42".into())));
        h.insert(SESSION_HEADER, HeaderValue::from_static("jane@example.com"));
        assert!(from_headers(&h).is_err());
    }

    #[test]
    fn body_ids() {
        let b = json!({"user": "call-7", "metadata": {"phiwall_session": "m-1"}});
        assert_eq!(from_body(&b, &SessionField::None), Ok(None));
        assert_eq!(from_body(&b, &SessionField::User), Ok(Some("call-7".into())));
        assert_eq!(
            from_body(&b, &SessionField::Metadata("phiwall_session".into())),
            Ok(Some("m-1".into()))
        );
        let email = json!({"user": "jane.doe@example.com"});
        assert!(from_body(&email, &SessionField::User).is_err());
    }

    #[test]
    fn caller_numbers() {
        let mut h = HeaderMap::new();
        h.insert(CALLER_NUMBER_HEADER, HeaderValue::from_static("+1 (617) 555-0123"));
        assert_eq!(caller_number(&h), Ok(Some("+1 (617) 555-0123".into())));
        h.insert(CALLER_NUMBER_HEADER, HeaderValue::from_static("anonymous"));
        assert!(caller_number(&h).is_err());
    }

    #[test]
    fn only_user_turns() {
        let b = json!({"messages": [
            {"role": "system", "content": "sys"},
            {"role": "user", "content": "one"},
            {"role": "assistant", "content": "agent"},
            {"role": "user", "content": [{"type": "text", "text": "two"}, {"type": "image_url"}]}
        ]});
        assert_eq!(user_turns(&b), vec!["one", "two"]);
    }
}
