//! Reversible tokens: `[NAME_3F9A0C71D2E4]`. The same key, type and value give the same token, so
//! a conversation's repeated mentions stay linked; the map back to values stays with the caller.

use super::key::RedactionKey;
use crate::types::PhiType;
use std::collections::BTreeMap;

/// A description of the token shape, for documentation and for prompts that ask the model to
/// keep tokens verbatim.
pub const TOKEN_PATTERN: &str = r"\[[A-Z_]+_[0-9A-F]{12}\]";

const ID_HEX: usize = 12;

/// Token -> original value. Holds PHI: keep it in memory or encrypted storage only.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct TokenMap {
    map: BTreeMap<String, String>,
}

impl std::fmt::Debug for TokenMap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TokenMap({} entries)", self.map.len())
    }
}

impl TokenMap {
    /// Number of tokens.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// True when no tokens were made.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// The original value of a token.
    pub fn get(&self, token: &str) -> Option<&str> {
        self.map.get(token).map(String::as_str)
    }

    /// Iterate over `(token, value)` pairs.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.map.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// Add every entry of `other`.
    pub fn extend(&mut self, other: TokenMap) {
        self.map.extend(other.map);
    }

    /// Create (or reuse) the token for `value` and return it.
    pub(crate) fn insert(&mut self, key: &RedactionKey, kind: PhiType, value: &str) -> String {
        let token = token_for(key, kind, value);
        self.map.entry(token.clone()).or_insert_with(|| value.to_string());
        token
    }
}

/// The token for a value, without recording it.
pub fn token_for(key: &RedactionKey, kind: PhiType, value: &str) -> String {
    let mac = key.mac("token", &[kind.as_str().as_bytes(), value.as_bytes()]);
    let mut s = String::with_capacity(kind.as_str().len() + ID_HEX + 3);
    s.push('[');
    s.push_str(kind.as_str());
    s.push('_');
    for b in &mac[..ID_HEX / 2] {
        s.push(char::from(HEX[(b >> 4) as usize]));
        s.push(char::from(HEX[(b & 15) as usize]));
    }
    s.push(']');
    s
}

const HEX: &[u8; 16] = b"0123456789ABCDEF";

/// Replace every known token in `text` with its value; unknown tokens stay as they are.
pub fn restore(text: &str, map: &TokenMap) -> String {
    if map.is_empty() {
        return text.to_string();
    }
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    let mut i = 0;
    while let Some(off) = memchr::memchr(b'[', &bytes[i..]) {
        let start = i + off;
        if let Some(end) = token_end(bytes, start) {
            if let Some(v) = map.get(&text[start..end]) {
                out.push_str(&text[last..start]);
                out.push_str(v);
                last = end;
                i = end;
                continue;
            }
        }
        i = start + 1;
    }
    out.push_str(&text[last..]);
    out
}

/// If a token starts at `start`, the byte offset one past its `]`.
fn token_end(b: &[u8], start: usize) -> Option<usize> {
    // Longest type name is 14 bytes; look for the closing bracket within that bound.
    let limit = (start + 2 + 16 + ID_HEX).min(b.len());
    let close = start + 1 + b.get(start + 1..limit)?.iter().position(|&c| c == b']')?;
    if close < start + 3 + ID_HEX {
        return None;
    }
    let id = &b[close - ID_HEX..close];
    let prefix = &b[start + 1..close - ID_HEX];
    let is_hex = id.iter().all(|c| c.is_ascii_digit() || (b'A'..=b'F').contains(c));
    let is_prefix = prefix.len() >= 2
        && prefix.last() == Some(&b'_')
        && prefix.iter().all(|c| c.is_ascii_uppercase() || *c == b'_');
    (is_hex && is_prefix).then_some(close + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> RedactionKey {
        RedactionKey::new(vec![1u8; 32]).unwrap()
    }

    #[test]
    fn tokens_have_the_documented_shape() {
        let t = token_for(&key(), PhiType::HealthPlanId, "W123");
        assert!(t.starts_with("[HEALTH_PLAN_ID_") && t.ends_with(']'));
        assert_eq!(t.len(), "[HEALTH_PLAN_ID_]".len() + 12);
        assert_eq!(token_end(t.as_bytes(), 0), Some(t.len()));
    }

    #[test]
    fn same_value_same_token_and_distinct_types() {
        let mut m = TokenMap::default();
        let a = m.insert(&key(), PhiType::Name, "Ana");
        let b = m.insert(&key(), PhiType::Name, "Ana");
        let c = m.insert(&key(), PhiType::Employer, "Ana");
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(m.len(), 2);
    }

    #[test]
    fn restore_ignores_unknown_and_malformed() {
        let mut m = TokenMap::default();
        let t = m.insert(&key(), PhiType::Name, "Ana");
        let text = format!("[x] [NAME_123] {t} [NAME_000000000000] [{t}");
        assert_eq!(restore(&text, &m), "[x] [NAME_123] Ana [NAME_000000000000] [Ana");
    }

    #[test]
    fn debug_does_not_print_values() {
        let mut m = TokenMap::default();
        m.insert(&key(), PhiType::Name, "Secret Person");
        assert!(!format!("{m:?}").contains("Secret"));
    }
}
