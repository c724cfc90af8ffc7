//! The HTML report is self-contained and renders in headless Chromium without errors; the
//! screenshot is not a blank page.
//!
//! Needs Chromium (Debian package `chromium`; or set PHIWALL_CHROMIUM to the binary). Without
//! it the test is skipped with a printed reason, unless PHIWALL_REQUIRE_EXTERNAL=1 (CI), where
//! a missing browser fails the test. `.ci/ext/audit.sh` installs it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::print_stderr)]

mod common;

use phiwall_audit::render::{render, Format};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("PHIWALL_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for name in ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"] {
            let p = dir.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

fn require_external() -> bool {
    std::env::var("PHIWALL_REQUIRE_EXTERNAL").is_ok_and(|v| v == "1")
}

/// Run Chromium headless with the flags CI uses plus `extra`; returns (stdout, stderr).
fn run_chromium(bin: &Path, profile: &Path, extra: &[String], url: &str) -> (String, String) {
    let mut cmd = Command::new(bin);
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--enable-logging=stderr",
        "--v=0",
        "--hide-scrollbars",
        "--window-size=1100,1600",
    ])
    .arg(format!("--user-data-dir={}", profile.display()))
    .args(extra)
    .arg(url)
    .stdin(Stdio::null())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let child = cmd.spawn().expect("chromium starts");
    let pid = child.id();
    // Read the pipes while waiting (a large --dump-dom would fill the pipe otherwise).
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    let out = match rx.recv_timeout(Duration::from_secs(90)) {
        Ok(out) => out.unwrap(),
        Err(_) => {
            let _ = Command::new("kill").arg("-9").arg(pid.to_string()).status();
            panic!("chromium did not finish within 90 s");
        }
    };
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Page errors Chromium reports on stderr: script errors, failed loads, blocked requests.
fn page_errors(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|l| {
            l.contains("Uncaught")
                || l.contains("Failed to load resource")
                || l.contains("net::ERR_")
                || (l.contains("CONSOLE") && (l.contains("Error") || l.contains("error")))
        })
        .collect()
}

fn assert_self_contained(html: &str) {
    let lower = html.to_ascii_lowercase();
    for bad in
        ["<link", "<img", "<iframe", "<object", "<embed", "@import", "url(", " src=", "<script src"]
    {
        assert!(!lower.contains(bad), "the report references an external resource ({bad})");
    }
    // Every link is an in-page anchor.
    for part in lower.split("href=\"").skip(1) {
        assert!(part.starts_with('#'), "non-anchor link: {}", &part[..part.len().min(60)]);
    }
    assert!(lower.contains("<style>") && lower.contains("@media print"));
    assert!(lower.contains("<svg") && lower.contains("<details"));
}

/// Decode the PNG and measure it: (width, height, share of non-white pixels, luminance variance).
fn measure(png_path: &Path) -> (u32, u32, f64, f64) {
    let decoder = png::Decoder::new(std::fs::File::open(png_path).unwrap());
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    let bytes = &buf[..info.buffer_size()];
    let channels = match info.color_type {
        png::ColorType::Rgba => 4,
        png::ColorType::Rgb => 3,
        png::ColorType::GrayscaleAlpha => 2,
        png::ColorType::Grayscale => 1,
        png::ColorType::Indexed => panic!("unexpected indexed PNG"),
    };
    assert_eq!(info.bit_depth, png::BitDepth::Eight);
    let (mut n, mut non_white, mut sum, mut sum2) = (0f64, 0f64, 0f64, 0f64);
    for px in bytes.chunks(channels) {
        let l = if channels >= 3 {
            0.2126 * f64::from(px[0]) + 0.7152 * f64::from(px[1]) + 0.0722 * f64::from(px[2])
        } else {
            f64::from(px[0])
        };
        n += 1.0;
        sum += l;
        sum2 += l * l;
        if l < 245.0 {
            non_white += 1.0;
        }
    }
    let mean = sum / n;
    (info.width, info.height, non_white / n, sum2 / n - mean * mean)
}

#[test]
fn html_report_renders_in_headless_chromium() {
    let d = tempfile::tempdir().unwrap();
    let (cfg, ev) = common::weak(&d.path().join("w"));
    let html = render(&common::report(&cfg, &ev), Format::Html).unwrap();
    assert_self_contained(&html);
    let (cfg, ev) = common::strong(&d.path().join("s"));
    let strong_html = render(&common::report(&cfg, &ev), Format::Html).unwrap();
    assert_self_contained(&strong_html);

    let Some(bin) = chromium() else {
        if require_external() {
            panic!("Chromium is required (PHIWALL_REQUIRE_EXTERNAL=1) but not found: apt-get install chromium, or set PHIWALL_CHROMIUM");
        }
        eprintln!("SKIP html_report_renders_in_headless_chromium: Chromium not found (apt-get install chromium, or set PHIWALL_CHROMIUM)");
        return;
    };
    for (name, body) in [("weak", &html), ("strong", &strong_html)] {
        let file = d.path().join(format!("{name}.html"));
        std::fs::write(&file, body).unwrap();
        let url = format!("file://{}", file.display());
        let png_path = d.path().join(format!("{name}.png"));
        let profile = d.path().join(format!("profile-{name}"));
        let (_, stderr) =
            run_chromium(&bin, &profile, &[format!("--screenshot={}", png_path.display())], &url);
        let errs = page_errors(&stderr);
        assert!(errs.is_empty(), "{name}: page errors: {errs:#?}");
        assert!(png_path.is_file(), "{name}: no screenshot written; chromium said:\n{stderr}");
        let (w, h, ink, var) = measure(&png_path);
        eprintln!(
            "{name}: screenshot {w}x{h}, {:.1}% non-white, luminance variance {var:.0}",
            ink * 100.0
        );
        assert!(w >= 800 && h >= 600, "{name}: screenshot {w}x{h}");
        assert!(ink > 0.03, "{name}: the page looks blank ({:.2}% non-white)", ink * 100.0);
        assert!(var > 100.0, "{name}: the page looks flat (variance {var:.1})");
        // The DOM Chromium built holds the report's sections.
        let (dom, stderr) = run_chromium(&bin, &profile, &["--dump-dom".to_string()], &url);
        assert!(page_errors(&stderr).is_empty(), "{name}: page errors while dumping the DOM");
        for id in ["summary", "sources", "hipaa", "owasp-llm-2025", "checks", "bias", "inventory"] {
            assert!(
                dom.contains(&format!("id=\"{id}\"")),
                "{name}: rendered DOM lacks section {id}"
            );
        }
        assert!(dom.contains("<svg"), "{name}: no chart in the rendered DOM");
    }
}
