//! Sinks receive records on the bus thread. [`RecordSink`] receives events and detections (and
//! later incident records); [`Sink`] is the older events-only form, adapted by [`EventsOnly`].
//! [`JsonlSink`] appends one JSON object per line to a file in the data directory;
//! [`MemorySink`] keeps records for tests and demos. SIEM sinks live in [`crate::siem`].

use crate::detection::{Detection, CLASS_DETECTION_FINDING};
use crate::event::Event;
use crate::record::Record;
use serde::Serialize;
use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// A destination for events only. Called from the bus thread only.
pub trait Sink: Send {
    /// A stable name for logs.
    fn name(&self) -> &'static str;
    /// Write one event (may buffer).
    fn write(&mut self, event: &Event) -> std::io::Result<()>;
    /// Make buffered events durable; called when the bus queue runs empty.
    fn flush(&mut self) -> std::io::Result<()>;
}

/// A destination for every record on the bus. Called from the bus thread only; must not block
/// for long (SIEM sinks append to their disk buffer here and deliver on their own thread).
pub trait RecordSink: Send {
    /// A stable name for logs and metrics.
    fn name(&self) -> &str;
    /// Write one record (may buffer).
    fn write_record(&mut self, record: &Record) -> std::io::Result<()>;
    /// Make buffered records durable; called when the bus queue runs empty.
    fn flush(&mut self) -> std::io::Result<()>;
    /// The bus is stopping: finish up (a SIEM sink gives its delivery thread a short grace).
    fn close(&mut self) {}
}

/// Adapts an events-only [`Sink`]: detections are skipped.
pub struct EventsOnly(pub Box<dyn Sink>);

impl RecordSink for EventsOnly {
    fn name(&self) -> &str {
        self.0.name()
    }
    fn write_record(&mut self, record: &Record) -> std::io::Result<()> {
        match record {
            Record::Event(e) => self.0.write(e),
            Record::Detection(_) => Ok(()),
        }
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

/// A detection as written to JSON lines: the detection plus its OCSF class uid, so a reader can
/// tell it from an event (which carries `class_uid` 6003).
#[derive(Serialize)]
struct DetectionLine<'a> {
    class_uid: u32,
    #[serde(flatten)]
    detection: &'a Detection,
}

/// Appends records as JSON lines (`events.jsonl`), owner-readable only on Unix. Events are
/// written as [`Event`] serializes; detections as [`Detection`] plus `class_uid: 2004`.
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

impl RecordSink for JsonlSink {
    fn name(&self) -> &str {
        "jsonl"
    }

    fn write_record(&mut self, record: &Record) -> std::io::Result<()> {
        match record {
            Record::Event(e) => serde_json::to_writer(&mut self.out, e)?,
            Record::Detection(d) => serde_json::to_writer(
                &mut self.out,
                &DetectionLine { class_uid: CLASS_DETECTION_FINDING, detection: d },
            )?,
        }
        self.out.write_all(b"\n")
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

/// Keeps records in memory (tests, demos). Clone the handle to read them.
#[derive(Clone, Default)]
pub struct MemorySink {
    records: Arc<Mutex<Vec<Record>>>,
}

impl MemorySink {
    /// A copy of the events received so far.
    pub fn events(&self) -> Vec<Event> {
        self.records()
            .into_iter()
            .filter_map(|r| match r {
                Record::Event(e) => Some(e),
                Record::Detection(_) => None,
            })
            .collect()
    }

    /// A copy of the detections received so far.
    pub fn detections(&self) -> Vec<Detection> {
        self.records()
            .into_iter()
            .filter_map(|r| match r {
                Record::Detection(d) => Some(d),
                Record::Event(_) => None,
            })
            .collect()
    }

    /// A copy of every record received so far.
    pub fn records(&self) -> Vec<Record> {
        self.records.lock().map(|v| v.clone()).unwrap_or_default()
    }

    fn push(&self, r: Record) -> std::io::Result<()> {
        self.records
            .lock()
            .map_err(|_| std::io::Error::other("memory sink lock poisoned"))?
            .push(r);
        Ok(())
    }
}

impl Sink for MemorySink {
    fn name(&self) -> &'static str {
        "memory"
    }

    fn write(&mut self, event: &Event) -> std::io::Result<()> {
        self.push(Record::Event(event.clone()))
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl RecordSink for MemorySink {
    fn name(&self) -> &str {
        "memory"
    }

    fn write_record(&mut self, record: &Record) -> std::io::Result<()> {
        self.push(record.clone())
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
            Sink::write(&mut s, &Event::new(Activity::Read, i, format!("r{i}"), "models")).unwrap();
            Sink::flush(&mut s).unwrap();
        }
        let text = std::fs::read_to_string(&p).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2);
        let v: serde_json::Value = serde_json::from_str(lines[1]).unwrap();
        assert_eq!(v["request_id"], "r1");
    }
}
