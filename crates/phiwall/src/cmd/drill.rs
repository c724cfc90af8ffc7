//! `phiwall drill list|show|run`: scripted attacks against a running gateway, scored per control.
//!
//! `run` refuses any target that is not loopback or named with `--allow-target`, takes keys by
//! reference only, and exits 0 only when every required control passed (1 when one failed or
//! could not be checked, 2 on usage errors).

use crate::output::{self, Exit};
use anyhow::Context;
use phiwall_drill::scorecard::{ControlStatus, Scorecard, Verdict};
use phiwall_drill::{builtin, DrillOptions, Scenario, Target};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// `phiwall drill` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum DrillCommand {
    /// List the built-in scenarios.
    List,
    /// Print a built-in scenario's TOML (a starting point for your own).
    Show {
        /// Scenario name.
        name: String,
    },
    /// Run a scenario against a gateway and print its scorecard.
    Run(RunArgs),
}

/// Arguments of `phiwall drill run`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// A built-in scenario name or a scenario TOML file.
    #[arg(value_name = "SCENARIO|FILE")]
    pub scenario: String,
    /// Gateway origin, e.g. http://127.0.0.1:8686. Loopback only unless named in --allow-target.
    #[arg(long, value_name = "URL")]
    pub target: String,
    /// Another replica of the same cluster (repeatable): requests are spread round robin over
    /// --target and every --replica, incidents are read from all, and containment must hold
    /// on all. Same rules as --target.
    #[arg(long = "replica", value_name = "URL")]
    pub replicas: Vec<String>,
    /// A staging host you own that drills may attack (`host` or `host:port`; repeatable).
    #[arg(long = "allow-target", value_name = "HOST")]
    pub allow_target: Vec<String>,
    /// Data-plane API key the attack uses (a throwaway key: containment may revoke it), by
    /// reference: env:VAR or file:PATH.
    #[arg(long, value_name = "REF")]
    pub key: Option<String>,
    /// Admin secret for /phiwall/v1/admin (the gateway's `[admin] key`): env:VAR or file:PATH.
    /// Without it detections, incidents and containment are not checked.
    #[arg(long = "admin-key", value_name = "REF")]
    pub admin_key: Option<String>,
    /// Refuse scenarios that send more requests than this.
    #[arg(long, value_name = "N", default_value_t = 5000)]
    pub max_requests: u64,
    /// Cap every step's rate (requests per second).
    #[arg(long, value_name = "R")]
    pub max_rate: Option<f64>,
    /// Model name for chat steps (default: each step's, phiwall-sim).
    #[arg(long, value_name = "NAME")]
    pub model: Option<String>,
    /// Where scorecards are written (under `drills/`).
    #[arg(long, value_name = "DIR", default_value = "./phiwall-data")]
    pub data_dir: PathBuf,
    /// Print the scorecard as JSON on stdout instead of the table.
    #[arg(long)]
    pub json: bool,
}

/// Run `phiwall drill`.
pub fn run(c: DrillCommand) -> anyhow::Result<ExitCode> {
    match c {
        DrillCommand::List => {
            for s in builtin::all().context("built-in scenarios")? {
                let first = s.description.split(". ").next().unwrap_or("").trim_end_matches('.');
                output::line(&format!(
                    "{:<34} {:>5} requests  {first}.",
                    s.name,
                    s.total_requests()
                ));
            }
            Ok(ExitCode::SUCCESS)
        }
        DrillCommand::Show { name } => {
            let (_, text) = builtin::BUILTIN.iter().find(|(n, _)| *n == name).ok_or_else(|| {
                Exit::usage(format!(
                    "no built-in scenario named {name:?} (see `phiwall drill list`)"
                ))
            })?;
            output::line(text.trim_end());
            Ok(ExitCode::SUCCESS)
        }
        DrillCommand::Run(a) => run_drill(a),
    }
}

/// Read a credential by reference, as text exactly as the gateway reads `[admin] key` (no hex
/// decoding; trailing newlines removed).
fn resolve(reference: &str, flag: &str) -> anyhow::Result<String> {
    let raw = if let Some(var) = reference.strip_prefix("env:") {
        std::env::var(var).map_err(|_| {
            Exit::usage(format!("{flag}: environment variable {var} is not set or not UTF-8"))
        })?
    } else if let Some(path) = reference.strip_prefix("file:") {
        std::fs::read_to_string(path)
            .map_err(|e| Exit::input(format!("{flag}: cannot read {path}: {e}")))?
    } else {
        return Err(Exit::usage(format!(
            "{flag}: credentials are passed by reference: use env:VAR or file:PATH, never the value"
        )));
    };
    let t = raw.trim_end_matches(['\n', '\r']);
    if t.is_empty() {
        return Err(Exit::usage(format!("{flag}: {reference} is empty")));
    }
    Ok(t.to_string())
}

fn load_scenario(s: &str) -> anyhow::Result<Scenario> {
    if builtin::BUILTIN.iter().any(|(n, _)| *n == s) {
        return Ok(builtin::get(s)?);
    }
    let path = PathBuf::from(s);
    if !path.exists() {
        return Err(Exit::usage(format!(
            "{s:?} is neither a built-in scenario (see `phiwall drill list`) nor a file"
        )));
    }
    let text = std::fs::read_to_string(&path)
        .map_err(|e| Exit::input(format!("cannot read {}: {e}", path.display())))?;
    Scenario::from_toml(&text).map_err(|e| Exit::usage(format!("{}: {e}", path.display())))
}

fn run_drill(a: RunArgs) -> anyhow::Result<ExitCode> {
    let target =
        Target::parse(&a.target, &a.allow_target).map_err(|e| Exit::usage(e.to_string()))?;
    let scenario = load_scenario(&a.scenario)?;
    if let Some(r) = a.max_rate {
        if !(r.is_finite() && r > 0.0) {
            return Err(Exit::usage("--max-rate must be a positive number"));
        }
    }
    let mut opts = DrillOptions::new(target);
    opts.replicas = a
        .replicas
        .iter()
        .map(|r| {
            Target::parse(r, &a.allow_target).map_err(|e| Exit::usage(format!("--replica: {e}")))
        })
        .collect::<Result<_, _>>()?;
    opts.key = a.key.as_deref().map(|r| resolve(r, "--key")).transpose()?;
    opts.admin_key = a.admin_key.as_deref().map(|r| resolve(r, "--admin-key")).transpose()?;
    opts.max_requests = a.max_requests;
    opts.max_rate = a.max_rate;
    opts.model = a.model.clone();
    opts.poll_interval = Duration::from_millis(250);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    output::status(&format!(
        "drill {}: {} requests against {}{}",
        scenario.name,
        scenario.total_requests(),
        opts.target.origin(),
        if opts.replicas.is_empty() {
            String::new()
        } else {
            format!(" and {} more replicas", opts.replicas.len())
        }
    ));
    let card = rt
        .block_on(phiwall_drill::run(&scenario, &opts))
        .map_err(|e| Exit::usage(e.to_string()))?;
    let path = phiwall_drill::write_scorecard(&a.data_dir, &card)
        .map_err(|e| Exit::input(e.to_string()))?;
    if a.json {
        output::line(&serde_json::to_string_pretty(&card).context("scorecard JSON")?);
    } else {
        print_scorecard(&card);
    }
    output::status(&format!("scorecard written to {}", path.display()));
    Ok(match card.verdict {
        Verdict::Passed => ExitCode::SUCCESS,
        Verdict::Failed | Verdict::Incomplete => ExitCode::from(output::EXIT_CHECK_FAILED),
    })
}

/// Print a scorecard as a table.
pub fn print_scorecard(card: &Scorecard) {
    output::line(&format!(
        "scenario  {}  ({} to {})",
        card.scenario, card.started_at, card.finished_at
    ));
    output::line(&format!("target    {}", card.target));
    for s in &card.steps {
        let statuses: Vec<String> = s.statuses.iter().map(|(k, v)| format!("{k}x{v}")).collect();
        let extra =
            s.unavailable.as_ref().map(|f| format!("  ({f} not enabled)")).unwrap_or_default();
        output::line(&format!(
            "step      {:<24} sent {:>4}  blocked {:>4}  redacted {:>3}  passed {:>4}  errors {:>3}  [{}]{extra}",
            s.step,
            s.sent,
            s.blocked,
            s.redacted,
            s.passed,
            s.server_errors + s.transport_errors,
            statuses.join(" ")
        ));
    }
    output::line("");
    output::line(&format!(
        "{:<8} {:<42} {:>8} {:>8}  detail",
        "result", "control", "TTD ms", "TTC ms"
    ));
    for c in &card.controls {
        let ms = |v: Option<i64>| v.map_or_else(|| "-".to_string(), |x| x.to_string());
        let label = match (c.status, c.required) {
            (ControlStatus::Failed, false) => "failed*".to_string(),
            (s, _) => s.as_str().to_string(),
        };
        output::line(&format!(
            "{label:<8} {:<42} {:>8} {:>8}  {}",
            c.control,
            ms(c.ttd_ms),
            ms(c.ttc_ms),
            c.reason
        ));
    }
    output::line("");
    let verdict = match card.verdict {
        Verdict::Passed => "PASSED: every required control held",
        Verdict::Failed => "FAILED: a required control did not hold",
        Verdict::Incomplete => "INCOMPLETE: nothing failed, but some required controls could not be checked on this target",
    };
    output::line(&format!(
        "verdict   {verdict}  (requests: {} sent, {} blocked, {} redacted, {} passed, {} errors)",
        card.requests.sent,
        card.requests.blocked,
        card.requests.redacted,
        card.requests.passed,
        card.requests.errors
    ));
    if card.controls.iter().any(|c| !c.required && c.status == ControlStatus::Failed) {
        output::line("          * advisory control: reported, not counted in the verdict");
    }
}
