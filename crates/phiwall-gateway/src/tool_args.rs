//! Tool-call arguments in model responses.
//!
//! Arguments go to the app's own tool executor, not to the caller, so they follow their own
//! rule:
//! - exfiltration is refused or cut: the planted canary or a run of the system prompt's words
//!   refuses the response, and links to domains outside the app's allow-list become
//!   `[link removed]`;
//! - a PHI type the app blocks on output refuses the response (an SSN never leaves, not even
//!   through a tool);
//! - other PHI passes unchanged and is counted (`output.tool_args.phi.<TYPE>`): a lookup or
//!   booking tool needs the real name and date, and masking them would break it. Disclosure
//!   control applies to what reaches the caller; what a tool returns comes back through input
//!   inspection on the next request;
//! - tokens made on input are restored where the app allows it, JSON-escaped.
//!
//! Arguments that are valid JSON are checked value by value (each string with its key as
//! scanner context, so `"dob": "03/03/1984"` reads as a birth date) and re-serialized only
//! when something changed; otherwise the model's exact text passes.

use crate::config::PhiAction;
use crate::error::ApiError;
use crate::output::OutputGuard;
use serde_json::Value;

/// Largest arguments text checked for one tool call; longer arguments refuse the response.
pub const MAX_TOOL_ARGUMENTS_BYTES: usize = 256 * 1024;

/// Check one tool call's complete arguments; returns what the client may receive.
pub fn check_tool_arguments(guard: &mut OutputGuard, args: &str) -> Result<String, ApiError> {
    if args.len() > MAX_TOOL_ARGUMENTS_BYTES {
        guard.count("output.tool_args.too_large".into());
        return Err(ApiError::OutputBlocked("tool_arguments_too_large"));
    }
    let Ok(mut value) = serde_json::from_str::<Value>(args) else {
        // Not JSON (a malformed call): checked as one text; tokens restored JSON-escaped
        // because they sit inside what was meant to be string literals.
        guard.check_system_prompt_leak(args)?;
        let text = guard
            .remove_foreign_links(args, "output.tool_args.link_blocked")
            .unwrap_or_else(|| args.to_string());
        check_phi(guard, "", &text)?;
        return Ok(guard.restore_json_fragment(&text));
    };
    let mut all_text = String::new();
    collect_text(&value, &mut all_text);
    guard.check_system_prompt_leak(&all_text)?;
    if check_value(guard, "", &mut value)? {
        Ok(value.to_string())
    } else {
        Ok(args.to_string())
    }
}

/// Every string value, space-separated (for the system-prompt check, which must see a leak
/// split over several values).
fn collect_text(v: &Value, out: &mut String) {
    match v {
        Value::String(s) => {
            out.push_str(s);
            out.push(' ');
        }
        Value::Array(a) => a.iter().for_each(|x| collect_text(x, out)),
        // Values in document order (serde_json keeps keys sorted, which is the order the
        // model wrote them only by chance; a leak split over values is caught either way when
        // the values are adjacent).
        Value::Object(m) => m.values().for_each(|x| collect_text(x, out)),
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

/// Check every string under `v` in place; true when something changed. (serde_json's parser
/// stops at 128 levels, which bounds the recursion.)
fn check_value(guard: &mut OutputGuard, key: &str, v: &mut Value) -> Result<bool, ApiError> {
    match v {
        Value::String(s) => {
            let mut changed = false;
            if let Some(cut) = guard.remove_foreign_links(s, "output.tool_args.link_blocked") {
                *s = cut;
                changed = true;
            }
            check_phi(guard, key, s)?;
            if let Some(restored) = guard.restore_plain(s) {
                *s = restored;
                changed = true;
            }
            Ok(changed)
        }
        Value::Array(a) => {
            let mut changed = false;
            for x in a.iter_mut() {
                changed |= check_value(guard, key, x)?;
            }
            Ok(changed)
        }
        Value::Object(m) => {
            let mut changed = false;
            for (k, x) in m.iter_mut() {
                changed |= check_value(guard, k, x)?;
            }
            Ok(changed)
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => Ok(false),
    }
}

/// Count PHI in one value; refuse a type the app blocks on output.
fn check_phi(guard: &mut OutputGuard, key: &str, text: &str) -> Result<(), ApiError> {
    // Keys such as `patient_dob` or `memberId` read as context words once split into words.
    let context: String = if key.is_empty() {
        String::new()
    } else {
        let mut c: String =
            key.chars().map(|ch| if ch.is_alphanumeric() { ch } else { ' ' }).collect();
        c.push_str(": ");
        c
    };
    for f in guard.scan_with_context(&context, text) {
        guard.count(format!("output.tool_args.phi.{}", f.kind));
        if guard.output_action(f.kind) == PhiAction::Block {
            return Err(ApiError::OutputBlocked("phi_blocked"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{AppPolicy, RawConfig};
    use phiwall_scan::redact::{tokenize, RedactionKey, TokenMap};
    use phiwall_scan::{Finding, PhiType, Scanner};
    use std::sync::Arc;

    fn app(block_ssn: bool) -> Arc<AppPolicy> {
        let mut a = RawConfig::builtin_default().validate().unwrap().apps.remove("dev").unwrap();
        a.link_domains = vec!["example-clinic.org".into()];
        if block_ssn {
            a.output_phi[PhiType::Ssn as usize] = PhiAction::Block;
        }
        Arc::new(a)
    }

    fn guard(
        app: Arc<AppPolicy>,
        tokens: TokenMap,
        canary: Option<&str>,
        sys: &str,
    ) -> OutputGuard {
        let key = RedactionKey::new(vec![3u8; 32]).unwrap();
        let sc = Arc::new(Scanner::new(Default::default()).unwrap());
        OutputGuard::new(app, sc, &key, tokens, canary.map(str::to_string), sys).unwrap()
    }

    #[test]
    fn clean_arguments_pass_byte_for_byte() {
        let mut g = guard(app(true), TokenMap::default(), None, "");
        for args in [
            r#"{"slot":  "2026-12-01T09:30", "reason": "follow-up", "n": [1, 2.5, null, true]}"#,
            r#"{"zeta": 1, "alpha": {"nested": ["x", {"deep": "y"}]}}"#,
            "{}",
            "",
            "not json at all",
        ] {
            assert_eq!(check_tool_arguments(&mut g, args).unwrap(), args);
        }
    }

    #[test]
    fn a_blocked_type_refuses_the_response_and_other_phi_passes() {
        let args = r#"{"patient_name": "Maria Lopez", "ssn": "123-45-6789"}"#;
        let mut g = guard(app(true), TokenMap::default(), None, "");
        assert_eq!(check_tool_arguments(&mut g, args), Err(ApiError::OutputBlocked("phi_blocked")));
        assert!(g.findings.contains_key("output.tool_args.phi.SSN"));
        let mut g = guard(app(false), TokenMap::default(), None, "");
        assert_eq!(check_tool_arguments(&mut g, args).unwrap(), args);
        assert!(g.findings.keys().any(|k| k.starts_with("output.tool_args.phi.")));
    }

    #[test]
    fn foreign_links_are_cut_even_when_json_escaped() {
        let mut g = guard(app(false), TokenMap::default(), None, "");
        let args = r#"{"url": "https:\/\/evil.test\/c?d=abc", "ok": "https://portal.example-clinic.org/x"}"#;
        let out = check_tool_arguments(&mut g, args).unwrap();
        let v: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["url"], "[link removed]");
        assert_eq!(v["ok"], "https://portal.example-clinic.org/x");
        assert_eq!(g.findings.get("output.tool_args.link_blocked"), Some(&1));
        // Malformed JSON is checked as text.
        let out = check_tool_arguments(&mut g, r#"{"url": "https://evil.test/x"#).unwrap();
        assert!(!out.contains("evil.test"), "{out}");
    }

    #[test]
    fn canary_or_system_prompt_in_arguments_refuses() {
        let canary = "phiwall-canary-0123456789abcdef";
        let mut g = guard(app(false), TokenMap::default(), Some(canary), "");
        let args = format!(r#"{{"note": "x {canary} y"}}"#);
        assert_eq!(
            check_tool_arguments(&mut g, &args),
            Err(ApiError::OutputBlocked("system_prompt_leak"))
        );
        let sys = "You are the scheduling assistant for Lakeside Clinic and you must only discuss appointment times";
        let mut g = guard(app(false), TokenMap::default(), None, sys);
        // Split over two values so that neither alone holds eight of its words in a row.
        let args =
            r#"{"a": "you are the scheduling assistant", "b": "for lakeside clinic and you must"}"#;
        assert_eq!(
            check_tool_arguments(&mut g, args),
            Err(ApiError::OutputBlocked("system_prompt_leak"))
        );
    }

    #[test]
    fn tokens_are_restored_and_escaped() {
        let key = RedactionKey::new(vec![3u8; 32]).unwrap();
        let f = Finding { kind: PhiType::Name, start: 0, end: 7, score: 1.0, recognizer: "t" };
        let (tok, map) = tokenize("O\"Brien", &[f], &key).unwrap();
        let mut g = guard(app(false), map.clone(), None, "");
        let out = check_tool_arguments(&mut g, &format!(r#"{{"patient": "{tok}"}}"#)).unwrap();
        let v: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["patient"], "O\"Brien");
        let mut g = guard(app(false), map, None, "");
        let out = check_tool_arguments(&mut g, &format!(r#"{{"patient": "{tok}""#)).unwrap();
        assert_eq!(out, r#"{"patient": "O\"Brien""#);
    }

    #[test]
    fn oversized_arguments_are_refused() {
        let mut g = guard(app(false), TokenMap::default(), None, "");
        let big = format!(r#"{{"a": "{}"}}"#, "x".repeat(MAX_TOOL_ARGUMENTS_BYTES));
        assert_eq!(
            check_tool_arguments(&mut g, &big),
            Err(ApiError::OutputBlocked("tool_arguments_too_large"))
        );
    }
}
