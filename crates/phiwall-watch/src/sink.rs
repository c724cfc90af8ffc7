//! Sinks receive events on the bus thread. [`JsonlSink`] appends one JSON object per line to a
//! file in the data directory; [`MemorySink`] keeps them for tests and demos.

use crate::event::Event;
use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// A destination for events. Called from the bus thread only.
pub trait Sink: Send {
    /// A stable name for logs.
    fn name(&self) -> &'static str;
    /// Write one event (may buffer).
    fn write(&mut self, event: &Event) -> std::io::Result<()>;
    /// Make buffered events durable; called when the bus queue runs empty.
    fn flush(&mut self) -> std::io::Result<()>;
}

/// Appends events as JSON lines (`events.jsonl`), owner-readable only on Unix.
pub struct JsonlSink {
    path: PathBuf,
    out: BufWriter<File>,
}

impl JsonlSink {
    /// Open (append, create) `path`.
    pub fn open(path: &Path) -> std::io::Result<Self> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let mut opts = OpenOptions::new();
        opts.append(true).create(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let f = opts.open(path)?;
        Ok(JsonlSink { path: path.to_path_buf(), out: BufWriter::new(f) })
    }

    /// Where events go.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Sink for JsonlSink {
    fn name(&self) -> &'static str {
        "jsonl"
    }

    fn write(&mut self, event: &Event) -> std::io::Result<()> {
        serde_json::to_writer(&mut self.out, event)?;
        self.out.write_all(b"\n")
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

/// Keeps events in memory (tests, demos). Clone the handle to read them.
#[derive(Clone, Default)]
pub struct MemorySink {
    events: Arc<Mutex<Vec<Event>>>,
}

impl MemorySink {
    /// A copy of the events received so far.
    pub fn events(&self) -> Vec<Event> {
        self.events.lock().map(|v| v.clone()).unwrap_or_default()
    }
}

impl Sink for MemorySink {
    fn name(&self) -> &'static str {
        "memory"
    }

    fn write(&mut self, event: &Event) -> std::io::Result<()> {
        self.events
            .lock()
            .map_err(|_| std::io::Error::other("memory sink lock poisoned"))?
            .push(event.clone());
        Ok(())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Activity;

    #[test]
    fn jsonl_appends_lines() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("sub/events.jsonl");
        for i in 0..2 {
            let mut s = JsonlSink::open(&p).unwrap();
            s.write(&Event::new(Activity::Read, i, format!("r{i}"), "models")).unwrap();
            s.flush().unwrap();
        }
        let text = std::fs::read_to_string(&p).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2);
        let v: serde_json::Value = serde_json::from_str(lines[1]).unwrap();
        assert_eq!(v["request_id"], "r1");
    }
}
