//! Renderers: JSON (the report as is), Markdown, one self-contained HTML file, OSCAL assessment
//! results and a CycloneDX 1.6 ML-BOM. Renderers read the report only; they add no findings.

pub mod cyclonedx;
pub mod html;
pub mod markdown;
pub mod oscal;
mod svg;

use crate::report::AuditReport;
use crate::Error;
use sha2::{Digest, Sha256};

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// The report as JSON.
    Json,
    /// Markdown.
    Markdown,
    /// Self-contained HTML.
    Html,
    /// OSCAL assessment-results JSON.
    Oscal,
    /// CycloneDX 1.6 ML-BOM JSON of the AI inventory.
    CycloneDx,
}

/// Render `report` in `format`.
pub fn render(report: &AuditReport, format: Format) -> Result<String, Error> {
    Ok(match format {
        Format::Json => serde_json::to_string_pretty(report)? + "\n",
        Format::Markdown => markdown::render(report),
        Format::Html => html::render(report),
        Format::Oscal => serde_json::to_string_pretty(&oscal::render(report))? + "\n",
        Format::CycloneDx => serde_json::to_string_pretty(&cyclonedx::render(report))? + "\n",
    })
}

/// A deterministic RFC 4122 version-5-shaped UUID from SHA-256 of `parts` (stable across runs
/// for the same report, as OSCAL and CycloneDX want ids that do not churn).
pub fn stable_uuid(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_be_bytes());
        h.update(p.as_bytes());
    }
    let d = h.finalize();
    let mut b = [0u8; 16];
    b.copy_from_slice(&d[..16]);
    b[6] = (b[6] & 0x0f) | 0x50;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &hex[0..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..32])
}

/// Status colours shared by the HTML and SVG renderers.
pub(crate) fn colour(s: crate::Status) -> &'static str {
    match s {
        crate::Status::Pass => "#2e7d32",
        crate::Status::Partial => "#b26a00",
        crate::Status::Fail => "#c62828",
        crate::Status::Manual => "#616161",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stable_uuid_is_v5_shaped_and_deterministic() {
        let a = stable_uuid(&["x", "y"]);
        assert_eq!(a, stable_uuid(&["x", "y"]));
        assert_ne!(a, stable_uuid(&["xy"]));
        assert_eq!(a.len(), 36);
        assert_eq!(a.as_bytes()[14], b'5');
        assert!(matches!(a.as_bytes()[19], b'8' | b'9' | b'a' | b'b'));
    }
}
