//! One self-contained HTML file: inline CSS (screen and print), inline SVG charts, a summary,
//! and a `<details>` drill-down per control and per check. No external resources; the only
//! script opens every `<details>` before printing so the printout holds all evidence.

use super::svg;
use crate::check::Status;
use crate::report::AuditReport;
use std::fmt::Write;

/// Escape text for HTML element content and attribute values.
pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

/// Inline `code` spans from backticks, on already-escaped text.
fn code_spans(escaped: &str) -> String {
    let mut out = String::with_capacity(escaped.len());
    let mut is_open = false;
    for part in escaped.split('`') {
        if is_open {
            let _ = write!(out, "<code>{part}</code>");
        } else {
            out.push_str(part);
        }
        is_open = !is_open;
    }
    out
}

fn text(s: &str) -> String {
    code_spans(&esc(s))
}

fn badge(s: Status) -> String {
    format!(r#"<span class="badge {}">{}</span>"#, s.as_str(), s.as_str())
}

const CSS: &str = r#"
:root { --pass:#2e7d32; --partial:#b26a00; --fail:#c62828; --manual:#616161; --ink:#1b1b1b; --muted:#555; --line:#ddd; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--ink); margin: 0; background: #fafafa; }
main { max-width: 1040px; margin: 0 auto; padding: 24px 28px 60px; background: #fff; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 32px 0 10px; padding-bottom: 4px; border-bottom: 2px solid var(--line); }
h3 { font-size: 16px; margin: 18px 0 8px; }
.meta { color: var(--muted); margin: 0 0 16px; }
.cards { display: flex; gap: 12px; flex-wrap: wrap; margin: 12px 0 8px; }
.card { flex: 1 1 150px; border: 1px solid var(--line); border-radius: 6px; padding: 10px 14px; }
.card .n { font-size: 28px; font-weight: 700; }
.card.pass .n { color: var(--pass); } .card.partial .n { color: var(--partial); }
.card.fail .n { color: var(--fail); } .card.manual .n { color: var(--manual); }
table { border-collapse: collapse; width: 100%; margin: 8px 0 12px; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: #f3f3f3; font-weight: 600; }
td.num, th.num { text-align: right; }
.badge { display: inline-block; min-width: 60px; text-align: center; padding: 1px 8px; border-radius: 10px; color: #fff; font-size: 12px; font-weight: 600; text-transform: uppercase; }
.badge.pass { background: var(--pass); } .badge.partial { background: var(--partial); }
.badge.fail { background: var(--fail); } .badge.manual { background: var(--manual); }
details { border: 1px solid var(--line); border-radius: 6px; margin: 6px 0; padding: 0 12px; }
details[open] { padding-bottom: 10px; }
summary { cursor: pointer; padding: 8px 0; list-style-position: outside; }
summary .t { font-weight: 600; margin-left: 6px; }
summary .s { color: var(--muted); margin-left: 6px; }
.fix { border-left: 4px solid var(--fail); background: #fff5f5; padding: 6px 10px; margin: 8px 0; }
.note { color: var(--muted); }
ul.ev { margin: 6px 0; padding-left: 20px; }
ul.ev li { margin: 2px 0; }
.src { color: var(--muted); font-size: 12px; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; background: #f2f2f2; padding: 0 3px; border-radius: 3px; }
.chart { margin: 8px 0 16px; max-width: 760px; }
.flag { color: var(--fail); font-weight: 600; }
footer { margin-top: 40px; color: var(--muted); font-size: 12px; }
@media print {
  body { background: #fff; font-size: 11px; }
  main { max-width: none; padding: 0; }
  h2 { break-after: avoid; }
  details, tr, .card, svg { break-inside: avoid; }
  summary { list-style: none; }
  .badge { border: 1px solid #000; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  .cards { gap: 6px; }
}
"#;

/// Render the report.
pub fn render(r: &AuditReport) -> String {
    let mut o = String::with_capacity(256 * 1024);
    let _ = write!(
        o,
        r#"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>phiwall audit report {}</title><style>{CSS}</style></head><body><main>
<h1>phiwall audit report</h1>
<p class="meta">Generated {} by phiwall {} from <code>{}</code>, data directory <code>{}</code>.</p>
"#,
        esc(&r.generated_at),
        esc(&r.generated_at),
        esc(&r.phiwall_version),
        esc(&r.config_path),
        esc(&r.data_dir)
    );
    // Summary cards.
    let t = r.totals;
    o.push_str(r#"<section id="summary"><h2>Summary</h2><div class="cards">"#);
    for (s, n) in [
        (Status::Pass, t.pass),
        (Status::Partial, t.partial),
        (Status::Fail, t.fail),
        (Status::Manual, t.manual),
    ] {
        let _ = write!(
            o,
            r#"<div class="card {}"><div class="n">{n}</div><div>controls {}</div></div>"#,
            s.as_str(),
            s.as_str()
        );
    }
    o.push_str("</div>");
    let _ = write!(
        o,
        r#"<p class="note">{} controls in {} frameworks, backed by {} evidence checks. <b>pass</b>: shown by evidence. <b>partial</b>: holds in part. <b>fail</b>: evidence shows a gap. <b>manual</b>: phiwall has no evidence; a person must confirm. Nothing is marked pass without evidence.</p>"#,
        t.total(),
        r.frameworks.len(),
        r.checks.len()
    );
    let mut rows: Vec<(String, crate::report::Counts)> =
        r.frameworks.iter().map(|f| (f.framework.short_name().to_string(), f.counts)).collect();
    rows.push(("Evidence checks".into(), r.check_totals));
    let _ = write!(
        o,
        r#"<div class="chart">{}</div>"#,
        svg::status_bars("Control status by framework", &rows)
    );
    let failing: Vec<_> = r.checks.iter().filter(|c| c.status == Status::Fail).collect();
    if !failing.is_empty() {
        o.push_str("<h3>Fix first</h3><ul>");
        for c in failing {
            let _ = write!(
                o,
                "<li><b>{}</b> <span class=\"src\">{}</span>: {}</li>",
                esc(c.title),
                esc(c.id),
                text(c.fix.as_deref().unwrap_or(&c.summary))
            );
        }
        o.push_str("</ul>");
    }
    o.push_str("</section>");

    // Sources.
    o.push_str(r#"<section id="sources"><h2>Evidence sources</h2><table><tr><th>source</th><th>state</th><th>detail</th></tr>"#);
    for s in &r.sources {
        let _ = write!(
            o,
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(s.name),
            esc(s.state),
            text(&s.detail)
        );
    }
    o.push_str("</table></section>");

    // Frameworks.
    for f in &r.frameworks {
        let _ = write!(o, r#"<section id="{}"><h2>{}</h2>"#, esc(f.framework.id()), esc(f.name));
        for c in &f.controls {
            let _ = write!(
                o,
                r#"<details><summary>{} <span class="t">{} {}</span><span class="s">{}</span></summary><p>{}</p>"#,
                badge(c.status),
                esc(&c.id),
                esc(&c.title),
                text(&c.summary),
                esc(&c.requirement)
            );
            if !c.checks.is_empty() {
                o.push_str("<p>Checks: ");
                let list: Vec<String> = c
                    .checks
                    .iter()
                    .map(|k| {
                        format!(
                            r##"<a href="#check-{}">{}</a> {}"##,
                            esc(&k.id),
                            esc(&k.id),
                            badge(k.status)
                        )
                    })
                    .collect();
                o.push_str(&list.join(", "));
                o.push_str("</p>");
            }
            if !c.note.is_empty() {
                let _ = write!(o, r#"<p class="note">Outside phiwall: {}</p>"#, text(&c.note));
            }
            if let Some(fix) = &c.fix {
                let _ = write!(o, r#"<div class="fix"><b>Fix:</b> {}</div>"#, text(fix));
            }
            if !c.evidence.is_empty() {
                o.push_str(r#"<ul class="ev">"#);
                for e in &c.evidence {
                    let _ = write!(
                        o,
                        r#"<li>{} <span class="src">({})</span></li>"#,
                        text(&e.text()),
                        esc(&e.source)
                    );
                }
                o.push_str("</ul>");
            }
            o.push_str("</details>");
        }
        o.push_str("</section>");
    }

    // Checks.
    o.push_str(r#"<section id="checks"><h2>Evidence checks</h2>"#);
    for c in &r.checks {
        let _ = write!(
            o,
            r#"<details id="check-{}"><summary>{} <span class="t">{}</span> <code>{}</code><span class="s">{}</span></summary>"#,
            esc(c.id),
            badge(c.status),
            esc(c.title),
            esc(c.id),
            text(&c.summary)
        );
        if let Some(fix) = &c.fix {
            let _ = write!(o, r#"<div class="fix"><b>Fix:</b> {}</div>"#, text(fix));
        }
        o.push_str(r#"<ul class="ev">"#);
        for e in &c.evidence {
            let _ = write!(
                o,
                r#"<li>{} <span class="src">({})</span></li>"#,
                text(&e.text()),
                esc(&e.source)
            );
        }
        o.push_str("</ul></details>");
    }
    o.push_str("</section>");

    // Bias.
    o.push_str(r#"<section id="bias"><h2>Bias audit</h2>"#);
    if r.bias.is_empty() {
        o.push_str(r#"<p class="note">No saved evaluation to audit: run <code>phiwall eval phi --by origin --save-to DATA_DIR/evals</code> and <code>phiwall eval injection --save-to DATA_DIR/evals</code>.</p>"#);
    }
    for b in &r.bias {
        let spread = b.spread.map_or("n/a".to_string(), |s| format!("{:.1}%", s * 100.0));
        let _ = write!(
            o,
            r#"<h3>{}</h3><p>Evaluation {} on <code>{}</code>: spread {} (tolerance {:.1}%) {}</p><div class="chart">{}</div>"#,
            esc(b.title),
            esc(&b.eval_date),
            esc(&b.dataset),
            spread,
            b.tolerance * 100.0,
            if b.is_flagged { r#"<span class="flag">over tolerance</span>"# } else { "" },
            svg::bias_chart(b)
        );
    }
    o.push_str("</section>");

    // Inventory.
    let inv = &r.inventory;
    o.push_str(r#"<section id="inventory"><h2>AI inventory</h2><table><tr><th>model</th><th>upstream</th><th>served by</th><th>apps</th><th>owners</th><th>purposes</th><th class="num">requests</th><th>last used</th></tr>"#);
    for m in &inv.models {
        let (n, last) = match m.used {
            Some(s) if s.count > 0 => (s.count.to_string(), crate::time::rfc3339_ms(s.last_ms)),
            Some(_) => ("0".into(), "never".into()),
            None => ("unknown".into(), "unknown".into()),
        };
        let _ = write!(
            o,
            r#"<tr><td>{}</td><td>{} ({})</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class="num">{}</td><td>{}</td></tr>"#,
            esc(&m.name),
            esc(&m.upstream),
            esc(&m.upstream_model),
            esc(&m.host),
            esc(&m.apps.join(", ")),
            esc(&m.owners.join(", ")),
            esc(&m.purposes.join(", ")),
            n,
            last
        );
    }
    o.push_str(
        r#"</table><table><tr><th>app</th><th>owner</th><th>purpose</th><th>models</th></tr>"#,
    );
    for a in &inv.apps {
        let _ = write!(
            o,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&a.name),
            esc(a.owner.as_deref().unwrap_or("(none)")),
            esc(a.purpose.as_deref().unwrap_or("(none)")),
            esc(&a.models.join(", "))
        );
    }
    o.push_str(r#"</table><p class="note">The CycloneDX 1.6 ML-BOM of this inventory: <code>phiwall audit --format cyclonedx</code>.</p></section>"#);
    let _ = write!(
        o,
        r#"<footer>phiwall audit report format {}. Requirement texts are paraphrases; consult the regulations and frameworks themselves.</footer></main>
<script>window.addEventListener("beforeprint",function(){{document.querySelectorAll("details").forEach(function(d){{d.open=true;}});}});</script>
</body></html>
"#,
        esc(r.format)
    );
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_makes_code_spans() {
        assert_eq!(esc("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
        assert_eq!(
            text("run `phiwall log verify` <now>"),
            "run <code>phiwall log verify</code> &lt;now&gt;"
        );
    }
}
