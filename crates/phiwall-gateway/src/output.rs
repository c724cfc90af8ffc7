//! Output inspection, streaming-aware.
//!
//! An [`OutputGuard`] holds what the check needs for one response: the app's output actions,
//! the tokens made on input (restored only when policy allows), the planted canary, word
//! shingles of the system prompt, and the link allow-list. A [`TextStream`] per choice feeds it
//! text as it arrives.
//!
//! Rolling window: text is released only when it is more than [`HOLD_CHARS`] characters from
//! the end of what has arrived, so any identifier, token, canary or link of at most that length
//! that straddles chunk boundaries is complete (and found) before any of it leaves. A cut never
//! falls inside a finding, an unclosed `[token`, or an unterminated URL. The last
//! [`CONTEXT_CHARS`] released characters are kept as left context for the scanner (so "SSN"
//! released earlier still helps recognize the number that follows) and for the shingle check.

use crate::config::{AppPolicy, PhiAction};
use crate::error::ApiError;
use phiwall_scan::redact::{restore, Action, RedactionKey, Redactor, TokenMap};
use phiwall_scan::{Finding, Scanner, ALL_PHI_TYPES};
use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

/// Characters held back at the end of a stream until more text arrives or it ends.
pub const HOLD_CHARS: usize = 64;
/// Released characters kept as scanner context.
pub const CONTEXT_CHARS: usize = 96;
/// Words per shingle for the system-prompt similarity check.
const SHINGLE_WORDS: usize = 8;
/// Text arriving in smaller steps is batched before rescanning (bounded extra latency).
const MIN_STEP: usize = 16;
/// URLs longer than this are cut anyway (and judged on their domain, seen in full by then).
const MAX_URL: usize = 2048;

/// Per-response output checks.
pub struct OutputGuard {
    app: Arc<AppPolicy>,
    scanner: Arc<Scanner>,
    redactor: Redactor,
    tokens: TokenMap,
    canary: Option<String>,
    shingles: HashSet<u64>,
    /// Finding kinds and counts for the event.
    pub findings: BTreeMap<String, u32>,
    /// Actions taken.
    pub actions: BTreeMap<String, u32>,
    /// Disclosure control against the patient directory (issue 5), when the app uses identity.
    disclosure: Option<crate::identity::Disclosure>,
}

impl std::fmt::Debug for OutputGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OutputGuard").field("findings", &self.findings).finish()
    }
}

fn fnv(words: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for w in words {
        for b in w.bytes() {
            h ^= u64::from(b.to_ascii_lowercase());
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        h ^= 0x20;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

fn words(text: &str) -> Vec<&str> {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect()
}

fn shingles(text: &str) -> HashSet<u64> {
    words(text).windows(SHINGLE_WORDS).map(fnv).collect()
}

/// Streaming state of one text (one choice's content).
#[derive(Debug, Default, Clone)]
pub struct TextStream {
    context: String,
    pending: String,
    pending_chars: usize,
    unprocessed: usize,
}

impl TextStream {
    /// Characters received but not yet released.
    pub fn pending_chars(&self) -> usize {
        self.pending_chars
    }
}

fn byte_at(s: &str, ch: usize) -> usize {
    s.char_indices().nth(ch).map_or(s.len(), |(b, _)| b)
}

/// A link in text: char span and lowercase host.
fn find_links(text: &str) -> Vec<(usize, usize, String, bool)> {
    let mut out = Vec::new();
    let lower = text.to_ascii_lowercase();
    let mut search = 0;
    while let Some(off) = lower.get(search..).and_then(|s| s.find("http")) {
        let start = search + off;
        let rest = lower.get(start..).unwrap_or_default();
        let scheme_len = if rest.starts_with("https://") {
            8
        } else if rest.starts_with("http://") {
            7
        } else {
            search = start + 4;
            continue;
        };
        let body = rest.get(scheme_len..).unwrap_or_default();
        let end_rel = body
            .find(|c: char| {
                c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>' | ')' | ']' | '`')
            })
            .unwrap_or(body.len());
        let is_terminated = end_rel < body.len();
        let url = body.get(..end_rel).unwrap_or_default();
        let host_end = url.find(['/', ':', '?', '#']).unwrap_or(url.len());
        let host = url.get(..host_end).unwrap_or_default();
        let host = host.rsplit('@').next().unwrap_or(host).trim_end_matches('.').to_string();
        let end = start + scheme_len + end_rel;
        let cs = text.get(..start).map_or(0, |s| s.chars().count());
        let ce = text.get(..end).map_or(0, |s| s.chars().count());
        out.push((cs, ce, host, is_terminated));
        search = end.max(start + 1);
    }
    out
}

impl OutputGuard {
    /// A guard for one response.
    pub fn new(
        app: Arc<AppPolicy>,
        scanner: Arc<Scanner>,
        key: &RedactionKey,
        tokens: TokenMap,
        canary: Option<String>,
        system_text: &str,
    ) -> Result<Self, ApiError> {
        let actions: [Action; ALL_PHI_TYPES.len()] = app.output_phi.map(|a| match a {
            PhiAction::Allow => Action::Allow,
            PhiAction::Pseudonymize => Action::Pseudonymize,
            // Tokens in a response would be useless to the reader; blocks are raised before.
            PhiAction::Mask | PhiAction::Tokenize | PhiAction::Block => Action::Mask,
        });
        let redactor = Redactor::with_actions(actions, Some(key.clone()))
            .map_err(|_| ApiError::InspectionUnavailable)?;
        Ok(OutputGuard {
            app,
            scanner,
            redactor,
            tokens,
            canary,
            shingles: shingles(system_text),
            findings: BTreeMap::new(),
            actions: BTreeMap::new(),
            disclosure: None,
        })
    }

    /// Apply disclosure control: PHI of directory patients passes only as the session's
    /// access allows, whatever the app's output actions say; other PHI follows the app.
    pub fn set_disclosure(&mut self, d: crate::identity::Disclosure) {
        self.disclosure = Some(d);
    }

    /// Keyed references of the patients whose values disclosure control saw.
    pub fn patient_refs(&self) -> impl Iterator<Item = &String> {
        self.disclosure.iter().flat_map(|d| d.patient_refs.iter())
    }

    fn link_allowed(&self, host: &str) -> bool {
        self.app.link_domains.iter().any(|d| host == d || host.ends_with(&format!(".{d}")))
    }

    /// Whether tool-call arguments need token restoration (else they pass untouched).
    pub fn restores_tokens(&self) -> bool {
        self.app.restore_tokens && !self.tokens.is_empty()
    }

    /// Restore tokens inside a JSON text (tool-call arguments): each value is JSON-escaped
    /// because tokens sit inside string literals there.
    pub fn restore_json_fragment(&mut self, text: &str) -> String {
        if !self.restores_tokens() || !text.contains('[') {
            return text.to_string();
        }
        let mut out = text.to_string();
        let mut n = 0;
        for (tok, val) in self.tokens.iter() {
            if out.contains(tok) {
                let esc = serde_json::to_string(val).unwrap_or_default();
                let esc = esc.get(1..esc.len().saturating_sub(1)).unwrap_or_default();
                out = out.replace(tok, esc);
                n += 1;
            }
        }
        if n > 0 {
            *self.actions.entry("restore".into()).or_insert(0) += n;
        }
        out
    }

    /// Check a complete text (non-streaming responses) and return what the client may see.
    pub fn check_full(&mut self, text: &str) -> Result<String, ApiError> {
        let mut st = TextStream::default();
        st.pending.push_str(text);
        st.pending_chars = text.chars().count();
        self.finish(&mut st)
    }

    /// Feed streamed text; returns text that is now safe to release (possibly empty).
    pub fn push(&mut self, st: &mut TextStream, delta: &str) -> Result<String, ApiError> {
        let n = delta.chars().count();
        st.pending.push_str(delta);
        st.pending_chars += n;
        st.unprocessed += n;
        if st.pending_chars <= HOLD_CHARS || st.unprocessed < MIN_STEP {
            return Ok(String::new());
        }
        self.process(st, false)
    }

    /// End of the text: release everything left, checked.
    pub fn finish(&mut self, st: &mut TextStream) -> Result<String, ApiError> {
        if st.pending.is_empty() {
            return Ok(String::new());
        }
        self.process(st, true)
    }

    /// Refuse text that carries the planted canary or a run of the system prompt's words
    /// (counted as a finding on the event).
    pub(crate) fn check_system_prompt_leak(&mut self, text: &str) -> Result<(), ApiError> {
        if let Some(c) = &self.canary {
            if text.contains(c.as_str()) {
                *self.findings.entry("output.canary_leak".into()).or_insert(0) += 1;
                return Err(ApiError::OutputBlocked("system_prompt_leak"));
            }
        }
        if !self.shingles.is_empty()
            && words(text).windows(SHINGLE_WORDS).any(|w| self.shingles.contains(&fnv(w)))
        {
            *self.findings.entry("output.system_prompt_similarity".into()).or_insert(0) += 1;
            return Err(ApiError::OutputBlocked("system_prompt_leak"));
        }
        Ok(())
    }

    /// Links in `text` to domains outside the app's allow-list become `[link removed]`
    /// (counted under `finding`); returns `None` when nothing changed.
    pub(crate) fn remove_foreign_links(&mut self, text: &str, finding: &str) -> Option<String> {
        let links = find_links(text);
        if links.iter().all(|(_, _, host, _)| self.link_allowed(host)) {
            return None;
        }
        let mut out = String::with_capacity(text.len());
        let mut last = 0usize; // bytes
        for (s, e, host, _) in &links {
            if self.link_allowed(host) {
                continue;
            }
            let (bs, be) = (byte_at(text, *s), byte_at(text, *e));
            out.push_str(text.get(last..bs).unwrap_or_default());
            out.push_str("[link removed]");
            last = be;
            *self.findings.entry(finding.into()).or_insert(0) += 1;
            *self.actions.entry("link_removed".into()).or_insert(0) += 1;
        }
        out.push_str(text.get(last..).unwrap_or_default());
        Some(out)
    }

    /// PHI the scanner finds in `text`, with `context` (not part of the text) read before it.
    pub(crate) fn scan_with_context(&self, context: &str, text: &str) -> Vec<Finding> {
        if context.is_empty() {
            return self.scanner.scan(text);
        }
        let window = format!("{context}{text}");
        let skip = context.chars().count();
        self.scanner
            .scan(&window)
            .into_iter()
            .filter(|f| f.start >= skip)
            .map(|f| Finding { start: f.start - skip, end: f.end - skip, ..f })
            .collect()
    }

    /// The app's output action for a PHI type.
    pub(crate) fn output_action(&self, t: phiwall_scan::PhiType) -> PhiAction {
        self.app.output_action(t)
    }

    /// Count a finding or action kind on the event.
    pub(crate) fn count(&mut self, finding: String) {
        *self.findings.entry(finding).or_insert(0) += 1;
    }

    /// Restore tokens in plain (unescaped) text where policy allows; `None` when unchanged.
    pub(crate) fn restore_plain(&mut self, text: &str) -> Option<String> {
        if !self.restores_tokens() || !text.contains('[') {
            return None;
        }
        let restored = restore(text, &self.tokens);
        if restored == text {
            return None;
        }
        *self.actions.entry("restore".into()).or_insert(0) += 1;
        Some(restored)
    }

    fn process(&mut self, st: &mut TextStream, is_final: bool) -> Result<String, ApiError> {
        st.unprocessed = 0;
        let window = format!("{}{}", st.context, st.pending);
        let ctx_chars = st.context.chars().count();

        self.check_system_prompt_leak(&window)?;

        // Spans in pending-relative chars: (start, end, Some(finding) | None for a link).
        let mut spans: Vec<(usize, usize, Option<Finding>)> = Vec::new();
        let links = find_links(&window);
        let mut open_url_start: Option<usize> = None;
        let mut allowed_links: Vec<(usize, usize)> = Vec::new();
        for (s, e, host, is_terminated) in &links {
            if *e <= ctx_chars {
                continue;
            }
            let (s, e) = (s.saturating_sub(ctx_chars), e - ctx_chars);
            if !is_terminated && !is_final && e - s < MAX_URL {
                open_url_start = Some(open_url_start.map_or(s, |o: usize| o.min(s)));
                continue;
            }
            if self.link_allowed(host) {
                allowed_links.push((s, e));
            } else {
                spans.push((s, e, None));
            }
        }
        for f in self.scanner.scan(&window) {
            if f.end <= ctx_chars {
                continue;
            }
            let (s, e) = (f.start.saturating_sub(ctx_chars), f.end - ctx_chars);
            if spans.iter().any(|(a, b, _)| s < *b && *a < e) {
                continue;
            }
            // A link to an allowed domain is trusted content, not a patient's URL.
            if f.kind == phiwall_scan::PhiType::Url
                && allowed_links.iter().any(|(a, b)| s < *b && *a < e)
            {
                continue;
            }
            spans.push((s, e, Some(f)));
        }
        spans.sort_by_key(|x| x.0);

        let total = st.pending_chars;
        let mut cut = if is_final { total } else { total.saturating_sub(HOLD_CHARS) };
        if !is_final {
            // Each rule can only move the cut earlier; repeat until none moves it.
            loop {
                let before = cut;
                if let Some(u) = open_url_start {
                    cut = cut.min(u);
                }
                for (s, e, _) in &spans {
                    if *s < cut && cut < *e {
                        cut = *s;
                    }
                }
                // An unclosed `[` near the cut may start a token: keep it whole.
                let head = st.pending.get(..byte_at(&st.pending, cut)).unwrap_or_default();
                if let Some(open) = head.rfind('[') {
                    let after = head.get(open..).unwrap_or_default();
                    if !after.contains(']') && after.chars().count() < 40 {
                        cut = head.get(..open).map_or(0, |s| s.chars().count());
                    }
                }
                if cut == before {
                    break;
                }
            }
        }
        if cut == 0 {
            return Ok(String::new());
        }

        let cut_byte = byte_at(&st.pending, cut);
        let released = st.pending.get(..cut_byte).unwrap_or_default().to_string();
        let mut out = String::with_capacity(released.len() + 16);
        let mut last = 0usize; // chars
        for (s, e, f) in spans.iter().filter(|(_, e, _)| *e <= cut) {
            if *s < last {
                continue;
            }
            let (bs, be) = (byte_at(&released, *s), byte_at(&released, *e));
            out.push_str(released.get(byte_at(&released, last)..bs).unwrap_or_default());
            let original = released.get(bs..be).unwrap_or_default();
            match f {
                None => {
                    *self.findings.entry("output.link_blocked".into()).or_insert(0) += 1;
                    *self.actions.entry("link_removed".into()).or_insert(0) += 1;
                    out.push_str("[link removed]");
                }
                Some(f) => {
                    *self.findings.entry(format!("output.phi.{}", f.kind)).or_insert(0) += 1;
                    if let Some(d) = self.disclosure.as_mut() {
                        use crate::identity::DisclosureAction as D;
                        match d.decide(f.kind, original, &mut self.findings) {
                            D::Pass if self.app.output_action(f.kind) != PhiAction::Block => {
                                out.push_str(original);
                                last = *e;
                                continue;
                            }
                            D::Pass | D::AppPolicy => {}
                            D::Withhold => {
                                *self.actions.entry("output.withhold".into()).or_insert(0) += 1;
                                out.push('[');
                                out.push_str(f.kind.as_str());
                                out.push(']');
                                last = *e;
                                continue;
                            }
                        }
                    }
                    if self.app.output_action(f.kind) == PhiAction::Block {
                        return Err(ApiError::OutputBlocked("phi_blocked"));
                    }
                    let whole = Finding { start: 0, end: e - s, ..*f };
                    match self.redactor.apply(original, &[whole], None) {
                        Ok(r) => {
                            if !r.replacements.is_empty() {
                                *self
                                    .actions
                                    .entry(format!(
                                        "output.{}",
                                        self.app.output_action(f.kind).as_str()
                                    ))
                                    .or_insert(0) += 1;
                            }
                            out.push_str(&r.text);
                        }
                        Err(_) => return Err(ApiError::InspectionUnavailable),
                    }
                }
            }
            last = *e;
        }
        out.push_str(released.get(byte_at(&released, last)..).unwrap_or_default());

        // Slide the window.
        st.pending = st.pending.get(cut_byte..).unwrap_or_default().to_string();
        st.pending_chars -= cut;
        let mut ctx = std::mem::take(&mut st.context);
        ctx.push_str(&released);
        let n = ctx.chars().count();
        if n > CONTEXT_CHARS {
            ctx = ctx.get(byte_at(&ctx, n - CONTEXT_CHARS)..).unwrap_or_default().to_string();
        }
        st.context = ctx;

        if self.app.restore_tokens && !self.tokens.is_empty() {
            let restored = restore(&out, &self.tokens);
            if restored != out {
                *self.actions.entry("restore".into()).or_insert(0) += 1;
            }
            return Ok(restored);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::RawConfig;
    use phiwall_scan::redact::tokenize;
    use phiwall_scan::PhiType;

    fn app() -> Arc<AppPolicy> {
        let mut a = RawConfig::builtin_default().validate().unwrap().apps.remove("dev").unwrap();
        a.link_domains = vec!["example-clinic.org".into()];
        Arc::new(a)
    }

    fn key() -> RedactionKey {
        RedactionKey::new(vec![3u8; 32]).unwrap()
    }

    fn stream_all(g: &mut OutputGuard, parts: &[&str]) -> Result<String, ApiError> {
        let mut st = TextStream::default();
        let mut out = String::new();
        for p in parts {
            out.push_str(&g.push(&mut st, p)?);
        }
        out.push_str(&g.finish(&mut st)?);
        Ok(out)
    }

    fn chunks(s: &str, n: usize) -> Vec<String> {
        let cs: Vec<char> = s.chars().collect();
        cs.chunks(n).map(|c| c.iter().collect()).collect()
    }

    #[test]
    fn plain_text_streams_unchanged_in_any_chunking() {
        let a = app();
        let sc = Arc::new(Scanner::new(Default::default()).unwrap());
        let text = "Your visit is confirmed for the afternoon. Bring your insurance card and a list of medicines — señor, ñandú 漢字 included.";
        for n in [1, 3, 7, 50, 500] {
            let mut g =
                OutputGuard::new(a.clone(), sc.clone(), &key(), TokenMap::default(), None, "")
                    .unwrap();
            let parts = chunks(text, n);
            let refs: Vec<&str> = parts.iter().map(String::as_str).collect();
            assert_eq!(stream_all(&mut g, &refs).unwrap(), text, "chunk size {n}");
        }
    }

    #[test]
    fn canary_split_across_chunks_is_caught() {
        let a = app();
        let sc = Arc::new(Scanner::new(Default::default()).unwrap());
        let canary = "phiwall-canary-0123456789abcdef";
        let text = format!(
            "{} Sure! My instructions say: [{canary}] This bracketed line",
            "ok ".repeat(40)
        );
        let mut g = OutputGuard::new(
            a.clone(),
            sc.clone(),
            &key(),
            TokenMap::default(),
            Some(canary.into()),
            "",
        )
        .unwrap();
        let parts = chunks(&text, 5);
        let refs: Vec<&str> = parts.iter().map(String::as_str).collect();
        let mut st = TextStream::default();
        let mut released = String::new();
        let mut err = None;
        for p in refs {
            match g.push(&mut st, p) {
                Ok(s) => released.push_str(&s),
                Err(e) => {
                    err = Some(e);
                    break;
                }
            }
        }
        assert_eq!(err, Some(ApiError::OutputBlocked("system_prompt_leak")));
        assert!(!released.contains("phiwall-canary"));
    }

    #[test]
    fn system_prompt_echo_is_caught() {
        let a = app();
        let sc = Arc::new(Scanner::new(Default::default()).unwrap());
        let sys = "You are the scheduling assistant for Lakeside Clinic and you must only discuss appointment times";
        let mut g = OutputGuard::new(a.clone(), sc.clone(), &key(), TokenMap::default(), None, sys)
            .unwrap();
        let out = g.check_full("My prompt: you are the scheduling assistant for lakeside clinic and you must only discuss");
        assert_eq!(out, Err(ApiError::OutputBlocked("system_prompt_leak")));
        let mut g = OutputGuard::new(a.clone(), sc.clone(), &key(), TokenMap::default(), None, sys)
            .unwrap();
        assert!(g.check_full("Your appointment is at 3pm on the scheduling system.").is_ok());
    }

    #[test]
    fn links_to_other_domains_are_removed_even_when_split() {
        let a = app();
        let sc = Arc::new(Scanner::new(Default::default()).unwrap());
        let text =
            "See https://portal.example-clinic.org/visits and ![x](https://evil.test/c?d=abc) now.";
        for n in [1, 4, 9, 200] {
            let mut g =
                OutputGuard::new(a.clone(), sc.clone(), &key(), TokenMap::default(), None, "")
                    .unwrap();
            let parts = chunks(text, n);
            let refs: Vec<&str> = parts.iter().map(String::as_str).collect();
            let out = stream_all(&mut g, &refs).unwrap();
            assert!(out.contains("https://portal.example-clinic.org/visits"), "{out}");
            assert!(!out.contains("evil.test"), "{out}");
            assert!(out.contains("[link removed]"));
            assert_eq!(g.findings.get("output.link_blocked"), Some(&1));
        }
    }

    #[test]
    fn tokens_split_across_chunks_are_restored() {
        let a = app();
        let sc = Arc::new(Scanner::new(Default::default()).unwrap());
        let original = "Maria Lopez";
        let f = Finding { kind: PhiType::Name, start: 0, end: 11, score: 1.0, recognizer: "t" };
        let (tok_text, map) = tokenize(original, &[f], &key()).unwrap();
        let reply = format!("Hello {tok_text}, your visit is booked. Goodbye {tok_text}!");
        for n in [1, 2, 5, 13, 100] {
            let mut g =
                OutputGuard::new(a.clone(), sc.clone(), &key(), map.clone(), None, "").unwrap();
            let parts = chunks(&reply, n);
            let refs: Vec<&str> = parts.iter().map(String::as_str).collect();
            let out = stream_all(&mut g, &refs).unwrap();
            assert_eq!(
                out, "Hello Maria Lopez, your visit is booked. Goodbye Maria Lopez!",
                "chunk {n}"
            );
        }
        let mut no_restore = (*a).clone();
        no_restore.restore_tokens = false;
        let mut g =
            OutputGuard::new(Arc::new(no_restore), sc.clone(), &key(), map, None, "").unwrap();
        assert_eq!(g.check_full(&reply).unwrap(), reply);
    }

    #[test]
    fn tool_arguments_get_tokens_restored_json_escaped() {
        let a = app();
        let sc = Arc::new(Scanner::new(Default::default()).unwrap());
        let original = "O\"Brien";
        let f = Finding { kind: PhiType::Name, start: 0, end: 7, score: 1.0, recognizer: "t" };
        let (tok, map) = tokenize(original, &[f], &key()).unwrap();
        let mut g = OutputGuard::new(a.clone(), sc.clone(), &key(), map, None, "").unwrap();
        let args = format!("{{\"patient\": \"{tok}\", \"slot\": \"[9am]\"}}");
        // Streamed arguments are held whole (server.rs), so the fragment is the whole text.
        let out = g.restore_json_fragment(&args);
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["patient"], "O\"Brien");
        assert_eq!(v["slot"], "[9am]");
        let g2 = OutputGuard::new(a, sc, &key(), TokenMap::default(), None, "").unwrap();
        assert!(!g2.restores_tokens());
    }

    /// Needs the e-mail/SSN recognizers (landing in phiwall-scan in parallel). Until the scanner
    /// finds them this test checks only that text passes unchanged.
    #[test]
    fn phi_split_across_chunks_is_masked_once_recognized() {
        let a = app();
        let sc = Arc::new(Scanner::new(Default::default()).unwrap());
        let text = "Thanks. We will write to jane.doe@example.com about SSN 123-45-6789 today.";
        let recognized = sc.scan(text);
        for n in [1, 3, 8] {
            let mut g =
                OutputGuard::new(a.clone(), sc.clone(), &key(), TokenMap::default(), None, "")
                    .unwrap();
            let parts = chunks(text, n);
            let refs: Vec<&str> = parts.iter().map(String::as_str).collect();
            let out = stream_all(&mut g, &refs).unwrap();
            for f in &recognized {
                let value: String = text.chars().skip(f.start).take(f.len()).collect();
                if a.output_action(f.kind) == PhiAction::Mask {
                    assert!(!out.contains(&value), "chunk {n}: {} leaked", f.kind);
                }
            }
            if recognized.is_empty() {
                assert_eq!(out, text);
            }
        }
    }
}
