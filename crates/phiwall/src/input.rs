//! Reading CLI inputs: files or stdin, plain text or JSONL, with errors that name the file, the
//! line and the byte position, and never echo content.

use crate::output::Exit;
use anyhow::Context;
use serde_json::Value;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

/// Where text comes from: a file path or standard input (`-` or no path).
#[derive(Debug, Clone)]
pub enum Source {
    /// Standard input.
    Stdin,
    /// A file.
    File(PathBuf),
}

impl Source {
    /// Sources from CLI paths; no paths means stdin.
    pub fn from_args(paths: &[PathBuf]) -> Vec<Source> {
        if paths.is_empty() {
            return vec![Source::Stdin];
        }
        paths
            .iter()
            .map(|p| if p.as_os_str() == "-" { Source::Stdin } else { Source::File(p.clone()) })
            .collect()
    }

    /// A name for messages.
    pub fn name(&self) -> String {
        match self {
            Source::Stdin => "<stdin>".to_string(),
            Source::File(p) => p.display().to_string(),
        }
    }

    /// Open for reading.
    pub fn open(&self) -> anyhow::Result<Box<dyn BufRead>> {
        match self {
            Source::Stdin => Ok(Box::new(BufReader::with_capacity(1 << 16, io::stdin()))),
            Source::File(p) => {
                let f = open_file(p)?;
                Ok(Box::new(BufReader::with_capacity(1 << 16, f)))
            }
        }
    }

    /// Size in bytes when known (files), for progress display.
    pub fn len_hint(&self) -> Option<u64> {
        match self {
            Source::Stdin => None,
            Source::File(p) => std::fs::metadata(p).ok().map(|m| m.len()),
        }
    }
}

fn open_file(p: &Path) -> anyhow::Result<File> {
    File::open(p).map_err(|e| {
        let hint = match e.kind() {
            io::ErrorKind::NotFound => "check the path",
            io::ErrorKind::PermissionDenied => "check the file's permissions",
            _ => "check that it is a readable file",
        };
        Exit::input(format!("cannot read {}: {e} ({hint})", p.display()))
    })
}

/// Decode bytes as UTF-8, or fail naming the first invalid byte; `lossy` replaces instead.
pub fn decode(bytes: Vec<u8>, what: &str, lossy: bool) -> anyhow::Result<String> {
    match String::from_utf8(bytes) {
        Ok(s) => Ok(s),
        Err(e) if lossy => Ok(String::from_utf8_lossy(e.as_bytes()).into_owned()),
        Err(e) => Err(Exit::input(format!(
            "{what} is not valid UTF-8 at byte {} (pass --lossy to replace invalid bytes with U+FFFD)",
            e.utf8_error().valid_up_to()
        ))),
    }
}

/// Read a whole source as text.
pub fn read_text(src: &Source, lossy: bool) -> anyhow::Result<String> {
    let mut buf = Vec::new();
    src.open()?
        .read_to_end(&mut buf)
        .map_err(|e| Exit::input(format!("cannot read {}: {e}", src.name())))?;
    decode(buf, &src.name(), lossy)
}

/// One JSONL input record.
#[derive(Debug, Clone)]
pub struct Record {
    /// The record's `id` (any JSON value; `null` when absent).
    pub id: Value,
    /// The record's `text`.
    pub text: String,
}

/// Why a JSONL line could not be used. Messages never include the line's content.
#[derive(Debug, Clone)]
pub struct LineError {
    /// 1-based line number.
    pub line: u64,
    /// What is wrong.
    pub message: String,
}

/// Parse one JSONL line. Blank lines yield `Ok(None)`.
pub fn parse_line(raw: &[u8], line: u64, lossy: bool) -> Result<Option<Record>, LineError> {
    let err = |message: String| LineError { line, message };
    let trimmed = raw.strip_suffix(b"\n").unwrap_or(raw);
    let trimmed = trimmed.strip_suffix(b"\r").unwrap_or(trimmed);
    if trimmed.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    let text_line = match std::str::from_utf8(trimmed) {
        Ok(s) => std::borrow::Cow::Borrowed(s),
        Err(e) if lossy => {
            let _ = e;
            String::from_utf8_lossy(trimmed)
        }
        Err(e) => {
            return Err(err(format!("invalid UTF-8 at byte {} of the line", e.valid_up_to())))
        }
    };
    let v: Value = serde_json::from_str(&text_line)
        .map_err(|e| err(format!("not valid JSON ({} at column {})", classify(&e), e.column())))?;
    let Value::Object(mut obj) = v else {
        return Err(err("expected a JSON object with \"text\"".into()));
    };
    let id = obj.remove("id").unwrap_or(Value::Null);
    match obj.remove("text") {
        Some(Value::String(text)) => Ok(Some(Record { id, text })),
        Some(_) => Err(err("field \"text\" must be a string".into())),
        None => Err(err("missing field \"text\"".into())),
    }
}

fn classify(e: &serde_json::Error) -> &'static str {
    use serde_json::error::Category;
    match e.classify() {
        Category::Io => "read error",
        Category::Syntax => "syntax error",
        Category::Data => "unexpected data",
        Category::Eof => "unexpected end of line",
    }
}

/// Read up to `max` raw lines (with their numbers) from a JSONL source.
pub fn read_lines(
    reader: &mut dyn BufRead,
    next_line: &mut u64,
    max: usize,
    name: &str,
) -> anyhow::Result<Vec<(u64, Vec<u8>)>> {
    let mut out = Vec::with_capacity(max);
    while out.len() < max {
        let mut buf = Vec::new();
        let n =
            reader.read_until(b'\n', &mut buf).with_context(|| format!("cannot read {name}"))?;
        if n == 0 {
            break;
        }
        *next_line += 1;
        out.push((*next_line, buf));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_records() {
        let r = parse_line(br#"{"id": 7, "text": "hi"}"#, 1, false).unwrap().unwrap();
        assert_eq!((r.id, r.text.as_str()), (Value::from(7), "hi"));
        assert!(parse_line(b"   \n", 2, false).unwrap().is_none());
    }

    #[test]
    fn errors_name_the_problem_without_content() {
        let e = parse_line(br#"{"id": 1, "text": "SECRET-CANARY""#, 3, false).unwrap_err();
        assert_eq!(e.line, 3);
        assert!(!e.message.contains("SECRET"));
        assert!(parse_line(br#"{"id": 1}"#, 1, false).unwrap_err().message.contains("missing"));
        assert!(parse_line(br#"{"text": 5}"#, 1, false).unwrap_err().message.contains("string"));
        assert!(parse_line(br#"[1]"#, 1, false).unwrap_err().message.contains("object"));
        let bad = b"{\"text\": \"\xff\"}";
        assert!(parse_line(bad, 1, false).unwrap_err().message.contains("byte 10"));
        assert!(parse_line(bad, 1, true).unwrap().is_some());
    }

    #[test]
    fn decode_reports_byte_position() {
        let e = decode(vec![b'a', b'b', 0xff], "x", false).unwrap_err();
        assert!(e.to_string().contains("byte 2"));
        assert_eq!(decode(vec![b'a', 0xff], "x", true).unwrap(), "a\u{fffd}");
    }
}
