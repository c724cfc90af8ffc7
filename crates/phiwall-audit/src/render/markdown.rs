//! Markdown: summary, evidence sources, one table per framework, control details with their
//! fixes, every check with its evidence, the bias audit and the AI inventory.

use crate::check::Status;
use crate::report::AuditReport;
use std::fmt::Write;

/// Escape a table cell: pipes and newlines.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace(['\n', '\r'], " ")
}

fn badge(s: Status) -> &'static str {
    match s {
        Status::Pass => "PASS",
        Status::Partial => "PARTIAL",
        Status::Fail => "FAIL",
        Status::Manual => "MANUAL",
    }
}

fn pct(v: f64) -> String {
    format!("{:.1}%", v * 100.0)
}

/// Render the report.
pub fn render(r: &AuditReport) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "# phiwall audit report\n");
    let _ = writeln!(
        o,
        "Generated {} by phiwall {} from `{}` (data directory `{}`).\n",
        r.generated_at,
        r.phiwall_version,
        cell(&r.config_path),
        cell(&r.data_dir)
    );
    let _ = writeln!(
        o,
        "Statuses: **pass** shown by evidence; **partial** holds in part; **fail** evidence shows a gap; **manual** no evidence available to phiwall, a person must confirm. A control is never marked pass without evidence.\n"
    );
    let _ = writeln!(o, "## Summary\n");
    let _ = writeln!(o, "| framework | controls | pass | partial | fail | manual |");
    let _ = writeln!(o, "|---|---:|---:|---:|---:|---:|");
    for f in &r.frameworks {
        let c = f.counts;
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} | {} | {} |",
            f.name,
            c.total(),
            c.pass,
            c.partial,
            c.fail,
            c.manual
        );
    }
    let t = r.totals;
    let _ = writeln!(
        o,
        "| **all controls** | {} | {} | {} | {} | {} |",
        t.total(),
        t.pass,
        t.partial,
        t.fail,
        t.manual
    );
    let c = r.check_totals;
    let _ = writeln!(
        o,
        "| *evidence checks* | {} | {} | {} | {} | {} |\n",
        c.total(),
        c.pass,
        c.partial,
        c.fail,
        c.manual
    );

    let failing: Vec<_> = r.checks.iter().filter(|c| c.status == Status::Fail).collect();
    if !failing.is_empty() {
        let _ = writeln!(o, "### Fix first\n");
        for c in failing {
            let _ = writeln!(
                o,
                "- **{}** ({}): {}",
                c.title,
                c.id,
                c.fix.as_deref().unwrap_or(&c.summary)
            );
        }
        let _ = writeln!(o);
    }

    let _ = writeln!(o, "## Evidence sources\n");
    let _ = writeln!(o, "| source | state | detail |");
    let _ = writeln!(o, "|---|---|---|");
    for s in &r.sources {
        let _ = writeln!(o, "| {} | {} | {} |", s.name, s.state, cell(&s.detail));
    }
    let _ = writeln!(o);

    for f in &r.frameworks {
        let _ = writeln!(o, "## {}\n", f.name);
        let _ = writeln!(o, "| control | title | status | summary |");
        let _ = writeln!(o, "|---|---|---|---|");
        for ctl in &f.controls {
            let _ = writeln!(
                o,
                "| {} | {} | {} | {} |",
                ctl.id,
                cell(&ctl.title),
                badge(ctl.status),
                cell(&ctl.summary)
            );
        }
        let _ = writeln!(o);
        for ctl in &f.controls {
            let _ = writeln!(o, "### {} {}: {}\n", ctl.id, ctl.title, badge(ctl.status));
            let _ = writeln!(o, "{}\n", ctl.requirement);
            if !ctl.checks.is_empty() {
                let list: Vec<String> = ctl
                    .checks
                    .iter()
                    .map(|c| format!("`{}` {}", c.id, c.status.as_str()))
                    .collect();
                let _ = writeln!(o, "- Checks: {}", list.join(", "));
            }
            if !ctl.note.is_empty() {
                let _ = writeln!(o, "- Outside phiwall: {}", ctl.note);
            }
            if let Some(fix) = &ctl.fix {
                let _ = writeln!(o, "- Fix: {fix}");
            }
            let _ = writeln!(o);
        }
    }

    let _ = writeln!(o, "## Evidence checks\n");
    for c in &r.checks {
        let _ = writeln!(o, "### `{}` {}: {}\n", c.id, c.title, badge(c.status));
        let _ = writeln!(o, "{}\n", c.summary);
        for e in &c.evidence {
            let _ = writeln!(o, "- {} *({})*", e.text(), e.source);
        }
        if let Some(fix) = &c.fix {
            let _ = writeln!(o, "\n**Fix:** {fix}");
        }
        let _ = writeln!(o);
    }

    let _ = writeln!(o, "## Bias audit\n");
    if r.bias.is_empty() {
        let _ = writeln!(o, "No saved evaluation to audit: run `phiwall eval phi --by origin --save-to <data-dir>/evals` and `phiwall eval injection --save-to <data-dir>/evals`.\n");
    }
    for b in &r.bias {
        let _ = writeln!(o, "### {}\n", b.title);
        let spread = b.spread.map_or("n/a".to_string(), pct);
        let _ = writeln!(
            o,
            "Evaluation {} on `{}`; spread {} (tolerance {}){}.\n",
            b.eval_date,
            cell(&b.dataset),
            spread,
            pct(b.tolerance),
            if b.is_flagged { " **over tolerance**" } else { "" }
        );
        let _ = writeln!(o, "| group | samples | {} |", b.metric);
        let _ = writeln!(o, "|---|---:|---:|");
        for g in &b.groups {
            let _ = writeln!(
                o,
                "| {}{} | {} | {} |",
                cell(&g.group),
                if g.is_counted { "" } else { " (too few)" },
                g.n,
                pct(g.value)
            );
        }
        let _ = writeln!(o);
    }

    let inv = &r.inventory;
    let _ = writeln!(o, "## AI inventory\n");
    let _ = writeln!(
        o,
        "| model | upstream | served by | apps | owners | purposes | requests | last used |"
    );
    let _ = writeln!(o, "|---|---|---|---|---|---|---:|---|");
    for m in &inv.models {
        let (n, last) = match m.used {
            Some(s) if s.count > 0 => (s.count.to_string(), crate::time::rfc3339_ms(s.last_ms)),
            Some(_) => ("0".into(), "never".into()),
            None => ("unknown".into(), "unknown".into()),
        };
        let _ = writeln!(
            o,
            "| {} | {} ({}) | {} | {} | {} | {} | {} | {} |",
            cell(&m.name),
            cell(&m.upstream),
            cell(&m.upstream_model),
            cell(&m.host),
            cell(&m.apps.join(", ")),
            cell(&m.owners.join(", ")),
            cell(&m.purposes.join(", ")),
            n,
            last
        );
    }
    let _ = writeln!(o);
    let _ = writeln!(o, "| app | owner | purpose | models |");
    let _ = writeln!(o, "|---|---|---|---|");
    for a in &inv.apps {
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} |",
            cell(&a.name),
            cell(a.owner.as_deref().unwrap_or("(none)")),
            cell(a.purpose.as_deref().unwrap_or("(none)")),
            cell(&a.models.join(", "))
        );
    }
    let _ = writeln!(
        o,
        "\nThe CycloneDX 1.6 ML-BOM of this inventory: `phiwall audit --format cyclonedx`."
    );
    o
}
