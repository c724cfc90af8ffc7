//! The built-in simulated model: deterministic OpenAI-shaped replies for trying phiwall offline,
//! for tests and for the load test's stub upstream.
//!
//! Replies echo the request's structure (message count, word count, tools offered), repeat any
//! phiwall token (`[NAME_...]`) they saw so restoration can be seen working, and contain
//! contact details (a phone number and an e-mail address, which are PHI-shaped) when the last
//! user message mentions "contact". A user message containing "echo the system message" makes
//! the reply repeat the system prompt, to demonstrate the leak check, and "share a link" adds one
//! link to `example-clinic.org` and one elsewhere. Streaming splits the reply into small deltas;
//! tools produce a (streamed) tool call whose arguments carry the reply text as `detail`.

use crate::inspect::Endpoint;
use bytes::Bytes;
use serde_json::{json, Value};

/// Model names the simulator lists.
pub const MODELS: &[&str] = &[crate::config::SIM_MODEL];

/// A simulated response: status, content type SSE or JSON, and body chunks.
#[derive(Debug, Clone)]
pub struct SimResponse {
    /// HTTP status.
    pub status: u16,
    /// True for `text/event-stream`.
    pub is_sse: bool,
    /// Body pieces (SSE events or one JSON document).
    pub chunks: Vec<Bytes>,
}

fn text_of(content: Option<&Value>) -> String {
    match content {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(parts)) => parts
            .iter()
            .filter_map(|p| p.get("text").and_then(Value::as_str))
            .collect::<Vec<_>>()
            .join(" "),
        _ => String::new(),
    }
}

fn first_token(text: &str) -> Option<&str> {
    let start = text.find('[')?;
    let end = start + text.get(start..)?.find(']')? + 1;
    let tok = text.get(start..end)?;
    let inner = tok.get(1..tok.len() - 1)?;
    let (kind, id) = inner.rsplit_once('_')?;
    (id.len() == 12
        && id.bytes().all(|b| b.is_ascii_hexdigit())
        && kind.bytes().all(|b| b.is_ascii_uppercase() || b == b'_'))
    .then_some(tok)
}

fn reply_text(body: &Value) -> String {
    let msgs = body.get("messages").and_then(Value::as_array).cloned().unwrap_or_default();
    let last_user = msgs
        .iter()
        .rev()
        .find(|m| m.get("role").and_then(Value::as_str) == Some("user"))
        .map(|m| text_of(m.get("content")))
        .unwrap_or_default();
    let words = last_user.split_whitespace().count();
    let mut out =
        format!("I received {} message(s); your last message had {} word(s).", msgs.len(), words);
    if let Some(tok) = first_token(&last_user) {
        out.push_str(&format!(" Noted for {tok}."));
    }
    if last_user.to_ascii_lowercase().contains("contact") {
        out.push_str(
            " You can reach the front desk at 555-201-0134 or frontdesk@example-clinic.org.",
        );
    }
    if last_user.to_ascii_lowercase().contains("share a link") {
        out.push_str(" Details: https://portal.example-clinic.org/visits and https://files.example.net/upload?d=1");
    }
    if last_user.to_ascii_lowercase().contains("echo the system message") {
        let sys: Vec<String> = msgs
            .iter()
            .filter(|m| m.get("role").and_then(Value::as_str) == Some("system"))
            .map(|m| text_of(m.get("content")))
            .collect();
        out.push_str(&format!(" My instructions: {}", sys.join(" ")));
    }
    out
}

fn id_for(body: &Value) -> String {
    let s = body.to_string();
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

fn sse(v: &Value) -> Bytes {
    Bytes::from(format!("data: {v}\n\n"))
}

fn split_chars(s: &str, n: usize) -> Vec<String> {
    let cs: Vec<char> = s.chars().collect();
    cs.chunks(n.max(1)).map(|c| c.iter().collect()).collect()
}

/// Answer one request as the simulated model.
pub fn respond(endpoint: Endpoint, body: &Value) -> SimResponse {
    let model = body.get("model").and_then(Value::as_str).unwrap_or(crate::config::SIM_MODEL);
    let id = id_for(body);
    let is_stream = body.get("stream").and_then(Value::as_bool).unwrap_or(false);
    match endpoint {
        Endpoint::Embeddings => {
            let inputs: Vec<String> = match body.get("input") {
                Some(Value::String(s)) => vec![s.clone()],
                Some(Value::Array(a)) => {
                    a.iter().map(|v| v.as_str().unwrap_or("").to_string()).collect()
                }
                _ => Vec::new(),
            };
            let data: Vec<Value> = inputs
                .iter()
                .enumerate()
                .map(|(i, t)| {
                    let h = id_for(&Value::String(t.clone()));
                    let v: Vec<f64> =
                        h.bytes().take(8).map(|b| f64::from(b % 16) / 15.0 - 0.5).collect();
                    json!({"object": "embedding", "index": i, "embedding": v})
                })
                .collect();
            let n: usize = inputs.iter().map(|t| t.split_whitespace().count()).sum();
            one_json(json!({"object": "list", "data": data, "model": model,
                "usage": {"prompt_tokens": n, "total_tokens": n}}))
        }
        Endpoint::Completions => {
            let prompt = match body.get("prompt") {
                Some(Value::String(s)) => s.clone(),
                Some(Value::Array(a)) => {
                    a.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(" ")
                }
                _ => String::new(),
            };
            let text =
                format!(" (completion of a {}-word prompt)", prompt.split_whitespace().count());
            if is_stream {
                let mut chunks: Vec<Bytes> = split_chars(&text, 6)
                    .iter()
                    .map(|t| sse(&json!({"id": format!("cmpl-{id}"), "object": "text_completion", "created": 0, "model": model,
                        "choices": [{"index": 0, "text": t, "finish_reason": null}]})))
                    .collect();
                chunks.push(sse(&json!({"id": format!("cmpl-{id}"), "object": "text_completion", "created": 0, "model": model,
                    "choices": [{"index": 0, "text": "", "finish_reason": "stop"}]})));
                chunks.push(Bytes::from_static(b"data: [DONE]\n\n"));
                return SimResponse { status: 200, is_sse: true, chunks };
            }
            one_json(
                json!({"id": format!("cmpl-{id}"), "object": "text_completion", "created": 0, "model": model,
                "choices": [{"index": 0, "text": text, "finish_reason": "stop", "logprobs": null}],
                "usage": {"prompt_tokens": prompt.len() / 4, "completion_tokens": 8, "total_tokens": prompt.len() / 4 + 8}}),
            )
        }
        Endpoint::Chat => {
            let tool = body
                .get("tools")
                .and_then(Value::as_array)
                .and_then(|t| t.first())
                .and_then(|t| t.pointer("/function/name"))
                .and_then(Value::as_str)
                .filter(|_| body.get("tool_choice").and_then(Value::as_str) != Some("none"))
                .map(str::to_string);
            // The legacy form: `functions` in, one `function_call` out.
            let legacy = body
                .get("functions")
                .and_then(Value::as_array)
                .and_then(|f| f.first())
                .and_then(|f| f.get("name"))
                .and_then(Value::as_str)
                .filter(|_| tool.is_none())
                .map(str::to_string);
            let text = reply_text(body);
            let words = text.split_whitespace().count();
            let usage = json!({"prompt_tokens": body.to_string().len() / 4, "completion_tokens": words, "total_tokens": body.to_string().len() / 4 + words});
            let call_id = format!("call_{}", id.get(..12).unwrap_or("0"));
            // The tool call carries the reply text too, so the checks on tool arguments can be
            // seen (and tested) with the same triggers as the text.
            let args = json!({"summary_words": words, "note": "from phiwall-sim", "detail": text})
                .to_string();
            if is_stream {
                let head = |delta: Value, finish: Value| {
                    sse(
                        &json!({"id": format!("chatcmpl-{id}"), "object": "chat.completion.chunk", "created": 0,
                        "model": model, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}),
                    )
                };
                let mut chunks =
                    vec![head(json!({"role": "assistant", "content": ""}), Value::Null)];
                match (&tool, &legacy) {
                    (Some(name), _) => {
                        chunks.push(head(
                            json!({"tool_calls": [{"index": 0, "id": call_id, "type": "function",
                            "function": {"name": name, "arguments": ""}}]}),
                            Value::Null,
                        ));
                        for piece in split_chars(&args, 10) {
                            chunks.push(head(json!({"tool_calls": [{"index": 0, "function": {"arguments": piece}}]}), Value::Null));
                        }
                        chunks.push(head(json!({}), json!("tool_calls")));
                    }
                    (None, Some(name)) => {
                        chunks.push(head(
                            json!({"function_call": {"name": name, "arguments": ""}}),
                            Value::Null,
                        ));
                        for piece in split_chars(&args, 10) {
                            chunks.push(head(
                                json!({"function_call": {"arguments": piece}}),
                                Value::Null,
                            ));
                        }
                        chunks.push(head(json!({}), json!("function_call")));
                    }
                    (None, None) => {
                        for piece in split_chars(&text, 7) {
                            chunks.push(head(json!({"content": piece}), Value::Null));
                        }
                        chunks.push(head(json!({}), json!("stop")));
                    }
                }
                if body.pointer("/stream_options/include_usage").and_then(Value::as_bool)
                    == Some(true)
                {
                    chunks.push(sse(
                        &json!({"id": format!("chatcmpl-{id}"), "object": "chat.completion.chunk",
                        "created": 0, "model": model, "choices": [], "usage": usage}),
                    ));
                }
                chunks.push(Bytes::from_static(b"data: [DONE]\n\n"));
                return SimResponse { status: 200, is_sse: true, chunks };
            }
            let message = match (&tool, &legacy) {
                (Some(name), _) => json!({"role": "assistant", "content": null, "tool_calls": [
                    {"id": call_id, "type": "function", "function": {"name": name, "arguments": args}}]}),
                (None, Some(name)) => json!({"role": "assistant", "content": null,
                    "function_call": {"name": name, "arguments": args}}),
                (None, None) => json!({"role": "assistant", "content": text}),
            };
            let finish = match (&tool, &legacy) {
                (Some(_), _) => "tool_calls",
                (None, Some(_)) => "function_call",
                (None, None) => "stop",
            };
            one_json(
                json!({"id": format!("chatcmpl-{id}"), "object": "chat.completion", "created": 0,
                "model": model, "system_fingerprint": "phiwall-sim",
                "choices": [{"index": 0, "message": message, "finish_reason": finish, "logprobs": null}],
                "usage": usage}),
            )
        }
    }
}

fn one_json(v: Value) -> SimResponse {
    SimResponse { status: 200, is_sse: false, chunks: vec![Bytes::from(v.to_string())] }
}

/// The model list the simulator serves.
pub fn models() -> Value {
    json!({"object": "list", "data": MODELS.iter().map(|m| json!({"id": m, "object": "model", "created": 0, "owned_by": "phiwall"})).collect::<Vec<_>>()})
}

async fn serve_sim(endpoint: Endpoint, body: Bytes) -> axum::response::Response {
    use axum::response::IntoResponse;
    let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let r = respond(endpoint, &v);
    let ct = if r.is_sse { "text/event-stream" } else { "application/json" };
    let body = axum::body::Body::from_stream(futures_util::stream::iter(
        r.chunks.into_iter().map(Ok::<Bytes, std::convert::Infallible>),
    ));
    ([(axum::http::header::CONTENT_TYPE, ct)], body).into_response()
}

/// The simulator as a standalone OpenAI-compatible HTTP server (stub upstream for load tests
/// and demos): `POST /v1/{chat/completions,completions,embeddings}`, `GET /v1/models`.
pub fn router() -> axum::Router {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/v1/chat/completions", post(|b: Bytes| serve_sim(Endpoint::Chat, b)))
        .route("/v1/completions", post(|b: Bytes| serve_sim(Endpoint::Completions, b)))
        .route("/v1/embeddings", post(|b: Bytes| serve_sim(Endpoint::Embeddings, b)))
        .route("/v1/models", get(|| async { axum::Json(models()) }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chat_reply_is_deterministic_and_echoes_tokens() {
        let b = json!({"model": "phiwall-sim", "messages": [{"role": "user", "content": "hello [NAME_0123456789AB] contact me"}]});
        let a = respond(Endpoint::Chat, &b);
        let c = respond(Endpoint::Chat, &b);
        assert_eq!(a.chunks, c.chunks);
        let v: Value = serde_json::from_slice(&a.chunks[0]).unwrap();
        let text = v["choices"][0]["message"]["content"].as_str().unwrap();
        assert!(text.contains("[NAME_0123456789AB]"));
        assert!(text.contains("555-201-0134"));
    }

    #[test]
    fn streaming_tool_call_reassembles() {
        let b = json!({"model": "phiwall-sim", "stream": true, "messages": [{"role": "user", "content": "book it"}],
            "tools": [{"type": "function", "function": {"name": "book_appointment", "parameters": {}}}]});
        let r = respond(Endpoint::Chat, &b);
        assert!(r.is_sse);
        let mut args = String::new();
        for c in &r.chunks {
            let s = std::str::from_utf8(c).unwrap().trim();
            let Some(d) = s.strip_prefix("data: ") else { continue };
            if d == "[DONE]" {
                continue;
            }
            let v: Value = serde_json::from_str(d).unwrap();
            if let Some(a) = v
                .pointer("/choices/0/delta/tool_calls/0/function/arguments")
                .and_then(Value::as_str)
            {
                args.push_str(a);
            }
        }
        let parsed: Value = serde_json::from_str(&args).unwrap();
        assert_eq!(parsed["note"], "from phiwall-sim");
    }

    #[test]
    fn embeddings_one_per_input() {
        let r = respond(Endpoint::Embeddings, &json!({"model": "m", "input": ["a", "b c"]}));
        let v: Value = serde_json::from_slice(&r.chunks[0]).unwrap();
        assert_eq!(v["data"].as_array().unwrap().len(), 2);
    }
}
