//! [`AnomalySink`]: a [`Sink`] that feeds the engine on the bus thread and hands each detection
//! to a callback (e.g. the incident queue or a detection sink). The callback runs on the bus
//! thread, so it should hand off and return quickly.

use super::engine::AnomalyEngine;
use crate::detection::Detection;
use crate::event::Event;
use crate::record::Record;
use crate::sink::{RecordSink, Sink};

/// What receives detections.
pub type DetectionCallback = Box<dyn Fn(Detection) + Send>;

/// Feeds events to an [`AnomalyEngine`] and passes detections on.
pub struct AnomalySink {
    engine: AnomalyEngine,
    on_detection: DetectionCallback,
}

impl AnomalySink {
    /// A sink around `engine` calling `on_detection` for each detection.
    pub fn new(engine: AnomalyEngine, on_detection: DetectionCallback) -> Self {
        AnomalySink { engine, on_detection }
    }

    /// The engine (for its counters).
    pub fn engine(&self) -> &AnomalyEngine {
        &self.engine
    }
}

impl Sink for AnomalySink {
    fn name(&self) -> &'static str {
        "anomaly"
    }

    fn write(&mut self, event: &Event) -> std::io::Result<()> {
        for d in self.engine.observe(event) {
            (self.on_detection)(d);
        }
        Ok(())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// On the bus directly: events feed the engine; detections (its own, coming back) are skipped.
impl RecordSink for AnomalySink {
    fn name(&self) -> &str {
        "anomaly"
    }

    fn write_record(&mut self, record: &Record) -> std::io::Result<()> {
        match record {
            Record::Event(e) => Sink::write(self, e),
            _ => Ok(()),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::anomaly::AnomalyConfig;
    use crate::event::{Activity, Outcome};
    use std::sync::{Arc, Mutex};

    #[test]
    fn sink_passes_detections_to_the_callback() {
        let got = Arc::new(Mutex::new(Vec::new()));
        let g = got.clone();
        let engine = AnomalyEngine::new(AnomalyConfig::default()).unwrap();
        let mut sink = AnomalySink::new(engine, Box::new(move |d| g.lock().unwrap().push(d)));
        for i in 0..40 {
            let mut e =
                Event::new(Activity::Create, 1_000 + i * 100, format!("r{i}"), "chat.completions");
            e.outcome = Outcome::Denied;
            e.reason = Some("auth.key_unknown");
            e.status = 401;
            e.source_ip = Some("198.51.100.7".into());
            e.actor.key_prefix = Some(format!("pk_{i}"));
            sink.write(&e).unwrap();
        }
        Sink::flush(&mut sink).unwrap();
        let got = got.lock().unwrap();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].kind, crate::DetectionKind::CredentialStuffing);
        assert_eq!(sink.engine().stats().events, 40);
    }
}
