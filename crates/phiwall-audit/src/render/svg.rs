//! Inline SVG charts for the HTML report: stacked status bars per framework, and per-group
//! bars for the bias audit. Plain SVG text, no scripts, sized in user units.

use super::html::esc;
use crate::bias::BiasTable;
use crate::check::Status;
use crate::report::Counts;
use std::fmt::Write;

const ORDER: [Status; 4] = [Status::Pass, Status::Partial, Status::Fail, Status::Manual];

/// Stacked horizontal bars: one row per `(label, counts)`.
pub fn status_bars(title: &str, rows: &[(String, Counts)]) -> String {
    let (label_w, bar_w, row_h) = (300.0, 420.0, 28.0);
    let h = row_h * rows.len() as f64 + 40.0;
    let w = label_w + bar_w + 20.0;
    let mut s = String::new();
    let _ = write!(
        s,
        r##"<svg viewBox="0 0 {w} {h}" width="100%" role="img" aria-label="{}"><title>{}</title>"##,
        esc(title),
        esc(title)
    );
    for (i, (label, c)) in rows.iter().enumerate() {
        let y = i as f64 * row_h + 4.0;
        let _ = write!(
            s,
            r##"<text x="0" y="{}" font-size="12" fill="#222">{}</text>"##,
            y + 17.0,
            esc(label)
        );
        let total = c.total().max(1) as f64;
        let mut x = label_w;
        for st in ORDER {
            let n = c.get(st);
            if n == 0 {
                continue;
            }
            let bw = bar_w * n as f64 / total;
            let _ = write!(
                s,
                r##"<rect x="{x:.1}" y="{y:.1}" width="{bw:.1}" height="22" fill="{}"><title>{}: {n}</title></rect>"##,
                super::colour(st),
                st.as_str()
            );
            if bw > 18.0 {
                let _ = write!(
                    s,
                    r##"<text x="{:.1}" y="{:.1}" font-size="11" fill="#fff" text-anchor="middle">{n}</text>"##,
                    x + bw / 2.0,
                    y + 15.0
                );
            }
            x += bw;
        }
    }
    // Legend.
    let ly = rows.len() as f64 * row_h + 20.0;
    let mut lx = label_w;
    for st in ORDER {
        let _ = write!(
            s,
            r##"<rect x="{lx}" y="{}" width="12" height="12" fill="{}"/><text x="{}" y="{}" font-size="11" fill="#222">{}</text>"##,
            ly - 10.0,
            super::colour(st),
            lx + 16.0,
            ly,
            st.as_str()
        );
        lx += 90.0;
    }
    s.push_str("</svg>");
    s
}

/// One bar per group; groups below the sample minimum are grey. For recall the scale is 0..1;
/// for false-positive rates 0..max (at least 10%).
pub fn bias_chart(t: &BiasTable) -> String {
    let (label_w, bar_w, row_h) = (240.0, 400.0, 20.0);
    let h = row_h * t.groups.len() as f64 + 30.0;
    let w = label_w + bar_w + 90.0;
    let scale = if t.metric == "recall" {
        1.0
    } else {
        t.groups.iter().map(|g| g.value).fold(0.1_f64, f64::max)
    };
    let mut s = String::new();
    let _ = write!(
        s,
        r##"<svg viewBox="0 0 {w} {h}" width="100%" role="img" aria-label="{}"><title>{}</title>"##,
        esc(t.title),
        esc(t.title)
    );
    let colour = if t.is_flagged { "#c62828" } else { "#1565c0" };
    for (i, g) in t.groups.iter().enumerate() {
        let y = i as f64 * row_h + 4.0;
        let bw = (bar_w * g.value / scale).clamp(0.0, bar_w);
        let fill = if g.is_counted { colour } else { "#9e9e9e" };
        let _ = write!(
            s,
            r##"<text x="0" y="{:.1}" font-size="11" fill="#222">{}</text><rect x="{label_w}" y="{y:.1}" width="{bw:.1}" height="14" fill="{fill}"><title>{}: {:.3} (n={})</title></rect><text x="{:.1}" y="{:.1}" font-size="11" fill="#222">{:.1}% (n={})</text>"##,
            y + 11.0,
            esc(&g.group),
            esc(&g.group),
            g.value,
            g.n,
            label_w + bw + 4.0,
            y + 11.0,
            g.value * 100.0,
            g.n
        );
    }
    let ay = t.groups.len() as f64 * row_h + 8.0;
    let _ = write!(
        s,
        r##"<line x1="{label_w}" y1="{ay}" x2="{}" y2="{ay}" stroke="#444" stroke-width="1"/><text x="{label_w}" y="{}" font-size="10" fill="#444">0</text><text x="{}" y="{}" font-size="10" fill="#444" text-anchor="end">{:.0}%</text>"##,
        label_w + bar_w,
        ay + 12.0,
        label_w + bar_w,
        ay + 12.0,
        scale * 100.0
    );
    s.push_str("</svg>");
    s
}
