//! The assembled audit: checks, controls per framework, bias tables, inventory and a summary.

use crate::bias::{self, BiasTable};
use crate::catalogue::{self, Control, Framework};
use crate::check::{CheckResult, Status};
use crate::checks::{self, AuditSettings, Input};
use crate::evidence::Evidence;
use crate::inventory::{self, Inventory};
use phiwall_gateway::Config;
use serde::Serialize;
use std::collections::BTreeMap;

/// The `format` of JSON reports this version writes.
pub const REPORT_FORMAT: &str = "phiwall-audit/1";

/// Status counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Passing.
    pub pass: usize,
    /// Partial.
    pub partial: usize,
    /// Failing.
    pub fail: usize,
    /// Manual.
    pub manual: usize,
}

impl Counts {
    fn add(&mut self, s: Status) {
        match s {
            Status::Pass => self.pass += 1,
            Status::Partial => self.partial += 1,
            Status::Fail => self.fail += 1,
            Status::Manual => self.manual += 1,
        }
    }
    /// Total.
    pub fn total(&self) -> usize {
        self.pass + self.partial + self.fail + self.manual
    }
    /// The count of one status.
    pub fn get(&self, s: Status) -> usize {
        match s {
            Status::Pass => self.pass,
            Status::Partial => self.partial,
            Status::Fail => self.fail,
            Status::Manual => self.manual,
        }
    }
}

/// One framework's controls.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FrameworkResult {
    /// Framework.
    pub framework: Framework,
    /// Display name.
    pub name: &'static str,
    /// Status counts.
    pub counts: Counts,
    /// Controls.
    pub controls: Vec<Control>,
}

/// Which evidence sources were available.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceState {
    /// Source name.
    pub name: &'static str,
    /// `gathered`, `absent` or `failed`.
    pub state: &'static str,
    /// Where from, or why not.
    pub detail: String,
}

/// The whole audit.
#[derive(Debug, Clone, Serialize)]
pub struct AuditReport {
    /// [`REPORT_FORMAT`].
    pub format: &'static str,
    /// When it ran, RFC 3339 UTC.
    pub generated_at: String,
    /// When it ran, unix milliseconds.
    pub generated_ms: i64,
    /// phiwall version.
    pub phiwall_version: String,
    /// Configuration file audited.
    pub config_path: String,
    /// Data directory.
    pub data_dir: String,
    /// Limits applied.
    pub settings: AuditSettings,
    /// Evidence sources.
    pub sources: Vec<SourceState>,
    /// Summary over every framework's controls.
    pub totals: Counts,
    /// Summary over the evidence checks.
    pub check_totals: Counts,
    /// Controls by framework.
    pub frameworks: Vec<FrameworkResult>,
    /// Evidence checks.
    pub checks: Vec<CheckResult>,
    /// Bias audit tables.
    pub bias: Vec<BiasTable>,
    /// AI inventory.
    pub inventory: Inventory,
}

impl AuditReport {
    /// A check by id.
    pub fn check(&self, id: &str) -> Option<&CheckResult> {
        self.checks.iter().find(|c| c.id == id)
    }
    /// A control by framework and id.
    pub fn control(&self, f: Framework, id: &str) -> Option<&Control> {
        self.frameworks.iter().find(|x| x.framework == f)?.controls.iter().find(|c| c.id == id)
    }
    /// Whether any control or check fails (the CLI's exit code 1).
    pub fn has_failures(&self) -> bool {
        self.totals.fail > 0 || self.check_totals.fail > 0
    }
}

fn state<T>(name: &'static str, s: &crate::evidence::Source<T>) -> SourceState {
    use crate::evidence::Source;
    match s {
        Source::Gathered { from, .. } => {
            SourceState { name, state: "gathered", detail: from.clone() }
        }
        Source::Absent { reason, .. } => {
            SourceState { name, state: "absent", detail: reason.clone() }
        }
        Source::Failed { error } => SourceState { name, state: "failed", detail: error.clone() },
    }
}

/// Run the audit: pure over `config` and `evidence`.
pub fn run(
    config: &Config,
    evidence: &Evidence,
    settings: &AuditSettings,
    version: &str,
) -> AuditReport {
    let input = Input { config, evidence, settings };
    let checks = checks::run_all(&input);
    let controls = catalogue::evaluate(&checks);
    let mut by_fw: BTreeMap<&'static str, FrameworkResult> = BTreeMap::new();
    let mut totals = Counts::default();
    for c in controls {
        totals.add(c.status);
        let fw = c.framework;
        let e = by_fw.entry(fw.id()).or_insert_with(|| FrameworkResult {
            framework: fw,
            name: fw.name(),
            counts: Counts::default(),
            controls: Vec::new(),
        });
        e.counts.add(c.status);
        e.controls.push(c);
    }
    let frameworks: Vec<FrameworkResult> =
        Framework::ALL.iter().filter_map(|f| by_fw.remove(f.id())).collect();
    let mut check_totals = Counts::default();
    for c in &checks {
        check_totals.add(c.status);
    }
    let e = evidence;
    AuditReport {
        format: REPORT_FORMAT,
        generated_at: crate::time::rfc3339_ms(e.now_ms),
        generated_ms: e.now_ms,
        phiwall_version: version.to_string(),
        config_path: e.config_path.clone(),
        data_dir: e.data_dir.clone(),
        settings: *settings,
        sources: vec![
            state("ledger", &e.ledger),
            state("posture", &e.posture),
            state("keys", &e.keys),
            state("usage", &e.usage),
            state("incidents", &e.incidents),
            state("drills", &e.drills),
            state("evals", &e.evals),
            state("sinks", &e.sinks),
            state("identity", &e.identity),
            state("admins", &e.admins),
        ],
        totals,
        check_totals,
        frameworks,
        bias: bias::tables(&input),
        inventory: inventory::build(config, evidence),
        checks,
    }
}
