//! The responder: detections in, incidents, actions and containment out.
//!
//! [`Responder::ingest`] correlates a batch of detections in one store transaction (so a burst
//! of 10,000 detections from one attacker costs one transaction and becomes one incident),
//! plans the playbook actions for every incident that changed, applies automatic containment
//! to the containment store, tells the gateway (callbacks), records the outcome, flushes the
//! audit records to the ledger, and only then sends notifications and writes evidence
//! snapshots (slow, networked steps must not delay containment).
//!
//! Correlation: a detection joins the open incident (detected, analyzing, contained or
//! eradicated) that any of its keys was seen under within the window: its principal, its
//! related key, user, session, source and caller principals, and up to
//! `max_patient_keys` patient references. App principals are not keys (an app is shared by
//! unrelated callers) unless the app itself is the detection's principal.
//!
//! Deduplication: repeats of a (kind, principal) pair only count and move `last_seen`; an audit
//! record is written for a new pair, a higher severity, or an escalation.
//!
//! Operator steps (assign, note, status, contain, recover, close) are methods too, used by
//! the CLI; each enforces the lifecycle and writes its records in the same transaction as the
//! state change.

use crate::audit::{self, AuditSink};
use crate::clock::Clock;
use crate::error::{Error, Result};
use crate::incident::{
    raise, severity_str, ActionState, ActionStatus, Incident, Lessons, Note, Signature, Status,
    MAX_PATIENT_REFS, MAX_REQUEST_IDS, MAX_SIGNATURES, MAX_SIGNATURE_RELATED,
};
use crate::notify::{self, Summary};
use crate::playbook::{ActionKind, PlaybookSet};
use crate::record::{kind, text_hash, ActionRef, DetectionRef, IncidentRecord};
use phiwall_store::{
    ContainmentKind, ContainmentStore, IncidentRow, IncidentStore, IncidentTx,
    SqliteContainmentStore,
};
use phiwall_watch::{Detection, Principal, PrincipalKind, Severity};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The actor name of automatic steps.
pub const RESPONDER: &str = "responder";

/// A callback run after containment changed (the gateway reloads its policy state).
pub type ChangeHook = Arc<dyn Fn() + Send + Sync>;

/// What one [`Responder::ingest`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IngestOutcome {
    /// Detections accepted.
    pub accepted: usize,
    /// Detections refused as malformed (empty ids, oversize fields).
    pub rejected: usize,
    /// Incidents opened.
    pub opened: Vec<String>,
    /// Incidents that changed.
    pub touched: Vec<String>,
    /// Containment entries newly applied.
    pub contained: usize,
}

/// One planned action.
#[derive(Debug, Clone)]
struct Plan {
    action: ActionKind,
    /// Shown target (`session:ID`/`caller:REF` for re-verification).
    target: String,
    /// Containment kind and target id, for containment actions.
    containment: Option<(ContainmentKind, String)>,
    notifier: Option<String>,
    rule: String,
    is_automatic: bool,
    ttl_ms: Option<i64>,
}

/// Incident response over the store, the containment state and the ledger.
pub struct Responder {
    store: Arc<IncidentStore>,
    containment: Arc<dyn ContainmentStore>,
    playbooks: PlaybookSet,
    clock: Arc<dyn Clock>,
    ledger: Option<Arc<dyn AuditSink>>,
    hooks: Vec<ChangeHook>,
    evidence: Option<(PathBuf, PathBuf)>,
}

impl std::fmt::Debug for Responder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Responder").field("rules", &self.playbooks.rules.len()).finish()
    }
}

const DONE: [&str; 2] = ["recovered", "closed"];

fn bad(what: &'static str, expected: &'static str, found: String) -> Error {
    Error::Invalid { what, expected, found }
}

/// Validate an operator handle (owner, author, actor): not PHI by policy, but bounded.
pub fn check_handle(what: &'static str, s: &str) -> Result<()> {
    let ok = !s.is_empty()
        && s.len() <= 64
        && s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '@'));
    if ok {
        Ok(())
    } else {
        Err(bad(
            what,
            "1 to 64 of letters, digits, '-', '_', '.', '@'",
            format!("{} characters", s.chars().count()),
        ))
    }
}

fn detection_ok(d: &Detection) -> bool {
    let id_ok = |s: &str| !s.is_empty() && s.len() <= 256 && !s.chars().any(char::is_control);
    id_ok(&d.id)
        && id_ok(&d.principal.id)
        && d.related.iter().all(|p| id_ok(&p.id))
        && d.patient_refs.iter().all(|p| id_ok(p))
}

fn corr_keys(d: &Detection, max_patients: usize) -> Vec<String> {
    let mut keys = vec![format!("{}:{}", d.principal.kind.as_str(), d.principal.id)];
    for p in &d.related {
        if p.kind != PrincipalKind::App {
            keys.push(format!("{}:{}", p.kind.as_str(), p.id));
        }
    }
    for r in d.patient_refs.iter().take(max_patients) {
        keys.push(format!("patient:{r}"));
    }
    keys.sort();
    keys.dedup();
    keys
}

fn load(tx: &IncidentTx<'_>, id: &str) -> Result<Incident> {
    let row = tx.get(id)?.ok_or_else(|| Error::NotFound(id.to_string()))?;
    decode(&row)
}

fn decode(row: &IncidentRow) -> Result<Incident> {
    serde_json::from_str(&row.body)
        .map_err(|e| Error::Corrupt { id: row.id.clone(), reason: e.to_string() })
}

fn save(tx: &IncidentTx<'_>, inc: &Incident, now: i64) -> Result<()> {
    tx.put(&IncidentRow {
        id: inc.id.clone(),
        status: inc.status.as_str().into(),
        severity: severity_str(inc.severity).into(),
        opened_at: inc.opened_at,
        updated_at: now,
        body: serde_json::to_string(inc)?,
    })?;
    Ok(())
}

/// Append a record to the incident's timeline (outbox, same transaction).
fn push(
    tx: &IncidentTx<'_>,
    inc: &mut Incident,
    now: i64,
    actor: &str,
    k: &str,
    fill: impl FnOnce(&mut IncidentRecord),
) -> Result<()> {
    inc.records = inc.records.saturating_add(1);
    let mut r = IncidentRecord::new(k, &inc.id, inc.records, now, actor);
    fill(&mut r);
    tx.push_outbox(&inc.id, now, &serde_json::to_string(&r)?)?;
    Ok(())
}

fn set_status(
    tx: &IncidentTx<'_>,
    inc: &mut Incident,
    to: Status,
    now: i64,
    actor: &str,
) -> Result<()> {
    inc.check_transition(to)?;
    let from = inc.status;
    inc.status = to;
    match to {
        Status::Contained => inc.contained_at = inc.contained_at.or(Some(now)),
        Status::Recovered => inc.recovered_at = Some(now),
        Status::Closed => inc.closed_at = Some(now),
        Status::Detected | Status::Analyzing | Status::Eradicated => {}
    }
    push(tx, inc, now, actor, kind::STATUS, |r| {
        r.from = Some(from);
        r.status = Some(to);
    })
}

impl Responder {
    /// A responder over these stores and playbooks.
    pub fn new(
        store: Arc<IncidentStore>,
        containment: Arc<dyn ContainmentStore>,
        playbooks: PlaybookSet,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Responder {
            store,
            containment,
            playbooks,
            clock,
            ledger: None,
            hooks: Vec::new(),
            evidence: None,
        }
    }

    /// Open the stores in `data_dir` (`incidents.sqlite3`, `containment.sqlite3`).
    pub fn open(data_dir: &Path, playbooks: PlaybookSet, clock: Arc<dyn Clock>) -> Result<Self> {
        Ok(Self::new(
            Arc::new(IncidentStore::open(data_dir)?),
            Arc::new(SqliteContainmentStore::open(data_dir)?),
            playbooks,
            clock,
        ))
    }

    /// Write records to this ledger (else they wait in the outbox).
    pub fn with_ledger(mut self, sink: Arc<dyn AuditSink>) -> Self {
        self.ledger = Some(sink);
        self
    }

    /// Run `hook` whenever containment changed.
    pub fn on_containment_change(mut self, hook: ChangeHook) -> Self {
        self.hooks.push(hook);
        self
    }

    /// Where evidence snapshots read the ledger and write files.
    pub fn with_evidence(mut self, ledger_dir: PathBuf, out_dir: PathBuf) -> Self {
        self.evidence = Some((ledger_dir, out_dir));
        self
    }

    /// The incident store.
    pub fn store(&self) -> &Arc<IncidentStore> {
        &self.store
    }

    /// The containment store.
    pub fn containment(&self) -> &Arc<dyn ContainmentStore> {
        &self.containment
    }

    /// The playbooks.
    pub fn playbooks(&self) -> &PlaybookSet {
        &self.playbooks
    }

    /// One incident.
    pub fn get(&self, id: &str) -> Result<Incident> {
        let row = self.store.get(id)?.ok_or_else(|| Error::NotFound(id.to_string()))?;
        decode(&row)
    }

    /// Every incident, newest first.
    pub fn list(&self) -> Result<Vec<Incident>> {
        self.store.list()?.iter().map(decode).collect()
    }

    fn tx<T>(&self, f: impl FnOnce(&IncidentTx<'_>) -> Result<T>) -> Result<T> {
        self.store.transaction(f)
    }

    fn changed(&self) {
        for h in &self.hooks {
            h();
        }
    }

    /// Append pending records to the ledger, when this responder has one.
    pub fn flush(&self) -> Result<usize> {
        match &self.ledger {
            Some(l) => audit::flush(&self.store, l.as_ref()),
            None => Ok(0),
        }
    }

    /// Correlate, deduplicate, escalate, plan and run automatic actions.
    pub fn ingest(&self, detections: &[Detection]) -> Result<IngestOutcome> {
        let now = self.clock.now_ms();
        let cor = self.playbooks.correlation;
        let mut out = IngestOutcome::default();
        let plans = self.tx(|tx| -> Result<Vec<(String, Vec<Plan>)>> {
            let mut cache: BTreeMap<String, Incident> = BTreeMap::new();
            let mut keymap: HashMap<String, String> = HashMap::new();
            let mut touch: BTreeMap<String, (BTreeSet<String>, i64)> = BTreeMap::new();
            for d in detections {
                if !detection_ok(d) {
                    out.rejected += 1;
                    continue;
                }
                out.accepted += 1;
                let keys = corr_keys(d, cor.max_patient_keys);
                let found = match keys.iter().find_map(|k| keymap.get(k)).cloned() {
                    Some(id) => Some(id),
                    None => tx.find_open(&keys, d.time.saturating_sub(cor.window_ms), &DONE)?,
                };
                let id = match found {
                    Some(id) => {
                        if !cache.contains_key(&id) {
                            let inc = load(tx, &id)?;
                            cache.insert(id.clone(), inc);
                        }
                        if let Some(inc) = cache.get_mut(&id) {
                            self.merge(tx, inc, d, now)?;
                        }
                        id
                    }
                    None => {
                        let inc = self.open_incident(tx, d, now)?;
                        out.opened.push(inc.id.clone());
                        let id = inc.id.clone();
                        cache.insert(id.clone(), inc);
                        id
                    }
                };
                let t = touch.entry(id.clone()).or_insert_with(|| (BTreeSet::new(), d.time));
                t.1 = t.1.max(d.time);
                for k in keys {
                    keymap.insert(k.clone(), id.clone());
                    t.0.insert(k);
                }
            }
            let mut plans = Vec::new();
            for (id, inc) in cache.iter_mut() {
                if let Some((keys, last)) = touch.get(id) {
                    for k in keys {
                        tx.touch_key(k, id, *last)?;
                    }
                }
                let p = self.plan(tx, inc, now)?;
                save(tx, inc, now)?;
                out.touched.push(id.clone());
                if !p.is_empty() {
                    plans.push((id.clone(), p));
                }
            }
            Ok(plans)
        })?;
        for (id, p) in plans {
            out.contained += self.run(&id, p, RESPONDER)?;
        }
        self.flush()?;
        Ok(out)
    }

    fn open_incident(&self, tx: &IncidentTx<'_>, d: &Detection, now: i64) -> Result<Incident> {
        let n = tx.next_number()?;
        let mut inc = Incident {
            id: format!("INC-{n:06}"),
            title: format!(
                "{} by {} {}",
                d.kind.as_str(),
                d.principal.kind.as_str(),
                d.principal.id
            ),
            status: Status::Detected,
            severity: d.severity,
            owner: None,
            opened_at: now,
            first_seen: d.time,
            activity_start: d.time.saturating_sub(
                i64::try_from(d.evidence.window_secs).unwrap_or(0).saturating_mul(1_000),
            ),
            last_seen: d.time,
            contained_at: None,
            recovered_at: None,
            closed_at: None,
            detections: 0,
            signatures: Vec::new(),
            principals: BTreeSet::new(),
            patient_refs: BTreeSet::new(),
            is_patient_count_lower_bound: false,
            techniques: BTreeSet::new(),
            request_ids: Vec::new(),
            notes: Vec::new(),
            actions: Vec::new(),
            lessons: None,
            records: 0,
        };
        self.absorb(&mut inc, d);
        inc.severity = self.escalate(&inc);
        let (sev, det, pts) = (inc.severity, DetectionRef::of(d), inc.patient_refs.len() as u64);
        push(tx, &mut inc, now, RESPONDER, kind::OPENED, |r| {
            r.status = Some(Status::Detected);
            r.severity = Some(sev);
            r.detection = Some(det);
            r.detections = Some(1);
            r.patients = Some(pts);
        })?;
        Ok(inc)
    }

    /// Fold a detection into the incident's counters; true when it is a new (kind, principal)
    /// pair or raised that pair's severity.
    fn absorb(&self, inc: &mut Incident, d: &Detection) -> bool {
        inc.detections = inc.detections.saturating_add(1);
        inc.first_seen = inc.first_seen.min(d.time);
        let start = d.time.saturating_sub(
            i64::try_from(d.evidence.window_secs).unwrap_or(0).saturating_mul(1_000),
        );
        inc.activity_start = inc.activity_start.min(start);
        inc.last_seen = inc.last_seen.max(d.time);
        inc.principals.insert(d.principal.clone());
        for p in &d.related {
            inc.principals.insert(p.clone());
        }
        for r in &d.patient_refs {
            if inc.patient_refs.len() >= MAX_PATIENT_REFS {
                inc.is_patient_count_lower_bound = true;
                break;
            }
            inc.patient_refs.insert(r.clone());
        }
        for t in &d.techniques {
            inc.techniques.insert(t.clone());
        }
        for r in &d.request_ids {
            if !inc.request_ids.contains(r) {
                inc.request_ids.push(r.clone());
            }
        }
        let excess = inc.request_ids.len().saturating_sub(MAX_REQUEST_IDS);
        inc.request_ids.drain(..excess);
        let n_sigs = inc.signatures.len();
        match inc.signatures.iter_mut().find(|s| s.kind == d.kind && s.principal == d.principal) {
            Some(s) => {
                s.count = s.count.saturating_add(1);
                s.first = s.first.min(d.time);
                s.last = s.last.max(d.time);
                for p in &d.related {
                    if s.related.len() < MAX_SIGNATURE_RELATED && !s.related.contains(p) {
                        s.related.push(p.clone());
                    }
                }
                if d.severity > s.severity {
                    s.severity = d.severity;
                    return true;
                }
                false
            }
            None if n_sigs < MAX_SIGNATURES => {
                inc.signatures.push(Signature {
                    kind: d.kind,
                    principal: d.principal.clone(),
                    count: 1,
                    first: d.time,
                    last: d.time,
                    severity: d.severity,
                    related: d.related.iter().take(MAX_SIGNATURE_RELATED).cloned().collect(),
                });
                true
            }
            None => false,
        }
    }

    /// Severity after escalation; never lower than the current one.
    fn escalate(&self, inc: &Incident) -> Severity {
        let e = self.playbooks.escalation;
        let mut s = inc.signatures.iter().map(|s| s.severity).max().unwrap_or(inc.severity);
        s = s.max(inc.severity);
        if inc.kinds().len() >= e.distinct_kinds_high || inc.patient_refs.len() >= e.patients_high {
            s = s.max(Severity::High);
        }
        if inc.patient_refs.len() >= e.patients_critical {
            s = Severity::Critical;
        }
        if inc.detections >= e.detections_raise
            && inc.signatures.iter().map(|s| s.severity).max().is_some_and(|m| m >= s)
        {
            s = raise(s);
        }
        s
    }

    fn merge(
        &self,
        tx: &IncidentTx<'_>,
        inc: &mut Incident,
        d: &Detection,
        now: i64,
    ) -> Result<()> {
        let is_new = self.absorb(inc, d);
        if is_new {
            let (det, n, pts) =
                (DetectionRef::of(d), inc.detections, inc.patient_refs.len() as u64);
            push(tx, inc, now, RESPONDER, kind::DETECTION, |r| {
                r.detection = Some(det);
                r.detections = Some(n);
                r.patients = Some(pts);
            })?;
        }
        let sev = self.escalate(inc);
        if sev != inc.severity {
            inc.severity = sev;
            let (n, pts) = (inc.detections, inc.patient_refs.len() as u64);
            push(tx, inc, now, RESPONDER, kind::SEVERITY, |r| {
                r.severity = Some(sev);
                r.detections = Some(n);
                r.patients = Some(pts);
            })?;
        }
        Ok(())
    }

    /// New actions the playbooks ask for. Approval-gated ones are recorded as pending now;
    /// automatic ones are returned to run after the transaction.
    fn plan(&self, tx: &IncidentTx<'_>, inc: &mut Incident, now: i64) -> Result<Vec<Plan>> {
        if !inc.status.is_open() {
            return Ok(Vec::new());
        }
        let mut plans: Vec<Plan> = Vec::new();
        // An action waiting for approval still runs when another rule of the incident (a kind
        // that joined later, say bulk access after model extraction) makes it automatic:
        // `commit_actions` then replaces the pending entry.
        let (pending, have): (Vec<&ActionState>, Vec<&ActionState>) =
            inc.actions.iter().partition(|a| a.status == ActionStatus::PendingApproval);
        let have: BTreeSet<(String, String)> = have.into_iter().map(ActionState::key).collect();
        let pending: BTreeSet<(String, String)> =
            pending.into_iter().map(ActionState::key).collect();
        for k in inc.kinds() {
            // A rule acts on what its own kind's detections named: a key that only shares a
            // source address with an attacker is not suspended by the attacker's rule.
            let scope = inc.principals_for(k);
            for (rule, spec) in self.playbooks.actions_for(k, inc.severity) {
                for p in targets(inc, &scope, spec.kind, spec.notifier.as_deref()) {
                    let p = Plan {
                        rule: rule.name.clone(),
                        is_automatic: spec.is_automatic,
                        ttl_ms: spec.ttl_ms,
                        ..p
                    };
                    let key = (p.action.as_str().to_string(), p.target.clone());
                    if have.contains(&key) || (pending.contains(&key) && !p.is_automatic) {
                        continue;
                    }
                    match plans.iter_mut().find(|q| q.action == p.action && q.target == p.target) {
                        // Automatic wins over approval for the same action and target.
                        Some(q) if p.is_automatic && !q.is_automatic => *q = p,
                        Some(_) => {}
                        None => plans.push(p),
                    }
                }
            }
        }
        let mut auto = Vec::new();
        for p in plans {
            if p.is_automatic {
                auto.push(p);
                continue;
            }
            let a = ActionState {
                action: p.action.as_str().into(),
                target: p.target.clone(),
                rule: p.rule.clone(),
                is_automatic: false,
                status: ActionStatus::PendingApproval,
                at: now,
                ttl_ms: p.ttl_ms,
                expires_at: None,
                containment_id: None,
                detail: None,
            };
            let ar = ActionRef::of(&a);
            inc.actions.push(a);
            push(tx, inc, now, RESPONDER, kind::ACTION, |r| r.action = Some(ar))?;
        }
        Ok(auto)
    }

    /// Run plans for incident `id`: containment first (then hooks, record, ledger), then
    /// notifications and snapshots. Returns how many containment entries were new.
    fn run(&self, id: &str, plans: Vec<Plan>, actor: &str) -> Result<usize> {
        let (contain, other): (Vec<Plan>, Vec<Plan>) =
            plans.into_iter().partition(|p| p.action.is_containment());
        let mut fresh = 0;
        if !contain.is_empty() {
            let now = self.clock.now_ms();
            let mut states = Vec::new();
            for p in &contain {
                let (st, is_new) = self.execute_containment(id, p, now);
                fresh += usize::from(is_new);
                states.push(st);
            }
            self.changed();
            self.commit_actions(id, states, actor, now)?;
            self.flush()?;
        }
        if !other.is_empty() {
            let inc = self.get(id)?;
            let now = self.clock.now_ms();
            let states: Vec<ActionState> =
                other.iter().map(|p| self.execute_other(&inc, p, now)).collect();
            self.commit_actions(id, states, actor, self.clock.now_ms())?;
            self.flush()?;
        }
        Ok(fresh)
    }

    fn execute_containment(&self, id: &str, p: &Plan, now: i64) -> (ActionState, bool) {
        let expires_at = p.ttl_ms.map(|t| now.saturating_add(t));
        let mut st = ActionState {
            action: p.action.as_str().into(),
            target: p.target.clone(),
            rule: p.rule.clone(),
            is_automatic: p.is_automatic,
            status: ActionStatus::Applied,
            at: now,
            ttl_ms: p.ttl_ms,
            expires_at,
            containment_id: None,
            detail: None,
        };
        let Some((ck, target)) = &p.containment else {
            st.status = ActionStatus::Skipped;
            st.detail = Some("no target".into());
            return (st, false);
        };
        match self.containment.apply(*ck, target, id, &p.rule, now, expires_at) {
            Ok((entry, is_new)) => {
                st.containment_id = Some(entry.id);
                st.expires_at = entry.expires_at;
                (st, is_new)
            }
            Err(e) => {
                tracing::error!(incident = id, action = p.action.as_str(), error = %e, "Containment failed");
                st.status = ActionStatus::Failed;
                st.detail = Some("containment store unavailable".into());
                (st, false)
            }
        }
    }

    fn execute_other(&self, inc: &Incident, p: &Plan, now: i64) -> ActionState {
        let mut st = ActionState {
            action: p.action.as_str().into(),
            target: p.target.clone(),
            rule: p.rule.clone(),
            is_automatic: p.is_automatic,
            status: ActionStatus::Applied,
            at: now,
            ttl_ms: None,
            expires_at: None,
            containment_id: None,
            detail: None,
        };
        let r: std::result::Result<Option<String>, String> = match p.action {
            ActionKind::Notify => {
                match p.notifier.as_deref().and_then(|n| self.playbooks.notifiers.get(n)) {
                    Some(n) => notify::send(n, &Summary::of(inc)).map(|()| None),
                    None => Err("notifier not configured".into()),
                }
            }
            ActionKind::SnapshotEvidence => match &self.evidence {
                Some((ledger, dir)) => crate::evidence::snapshot(ledger, dir, inc, now)
                    .map(|s| {
                        Some(format!(
                            "sha256:{} records:{} proofs:{} signed:{}",
                            s.sha256, s.records, s.proofs, s.is_signed
                        ))
                    })
                    .map_err(|e| {
                        tracing::error!(incident = %inc.id, error = %e, "Evidence snapshot failed");
                        "snapshot failed".to_string()
                    }),
                None => Err("no ledger configured for snapshots".into()),
            },
            _ => Err("not a side-effect action".into()),
        };
        match r {
            Ok(detail) => st.detail = detail,
            Err(e) => {
                st.status = ActionStatus::Failed;
                st.detail = Some(e);
            }
        }
        st
    }

    /// Store action outcomes (replacing pending entries with the same key) and move to
    /// `contained` when containment took effect.
    fn commit_actions(
        &self,
        id: &str,
        states: Vec<ActionState>,
        actor: &str,
        now: i64,
    ) -> Result<Incident> {
        self.tx(|tx| {
            let mut inc = load(tx, id)?;
            let mut is_contained = false;
            for st in states {
                is_contained |= st.status == ActionStatus::Applied && st.containment_id.is_some();
                let ar = ActionRef::of(&st);
                match inc.actions.iter_mut().find(|a| a.key() == st.key()) {
                    Some(a) => *a = st,
                    None => inc.actions.push(st),
                }
                push(tx, &mut inc, now, actor, kind::ACTION, |r| r.action = Some(ar))?;
            }
            if is_contained && matches!(inc.status, Status::Detected | Status::Analyzing) {
                set_status(tx, &mut inc, Status::Contained, now, actor)?;
            }
            save(tx, &inc, now)?;
            Ok(inc)
        })
    }

    /// Assign an owner (a detected incident moves to analyzing).
    pub fn assign(&self, id: &str, owner: &str, actor: &str) -> Result<Incident> {
        check_handle("owner", owner)?;
        check_handle("actor", actor)?;
        let now = self.clock.now_ms();
        let inc = self.tx(|tx| {
            let mut inc = load(tx, id)?;
            if inc.status == Status::Closed {
                // Closed allows no move: this names the state and the fix.
                inc.check_transition(Status::Analyzing)?;
            }
            inc.owner = Some(owner.to_string());
            push(tx, &mut inc, now, actor, kind::ASSIGNED, |r| r.owner = Some(owner.to_string()))?;
            if inc.status == Status::Detected {
                set_status(tx, &mut inc, Status::Analyzing, now, actor)?;
            }
            save(tx, &inc, now)?;
            Ok(inc)
        })?;
        self.flush()?;
        Ok(inc)
    }

    /// Add a note (the text stays in the store; the ledger gets its SHA-256).
    pub fn note(&self, id: &str, author: &str, text: &str) -> Result<Incident> {
        check_handle("author", author)?;
        if text.trim().is_empty() || text.len() > 8_000 {
            return Err(bad("note", "1 to 8000 bytes of text", format!("{} bytes", text.len())));
        }
        let now = self.clock.now_ms();
        let inc = self.tx(|tx| {
            let mut inc = load(tx, id)?;
            inc.notes.push(Note { time: now, author: author.into(), text: text.into() });
            let h = text_hash(text);
            push(tx, &mut inc, now, author, kind::NOTE, |r| r.text_sha256 = Some(h))?;
            save(tx, &inc, now)?;
            Ok(inc)
        })?;
        self.flush()?;
        Ok(inc)
    }

    /// Move to `analyzing` or `eradicated` (contained, recovered and closed have their own
    /// steps because they act).
    pub fn set_status(&self, id: &str, to: Status, actor: &str) -> Result<Incident> {
        check_handle("actor", actor)?;
        if !matches!(to, Status::Analyzing | Status::Eradicated) {
            return Err(bad(
                "status",
                "analyzing or eradicated (use contain, recover or close for the others)",
                to.as_str().into(),
            ));
        }
        let now = self.clock.now_ms();
        let inc = self.tx(|tx| {
            let mut inc = load(tx, id)?;
            set_status(tx, &mut inc, to, now, actor)?;
            save(tx, &inc, now)?;
            Ok(inc)
        })?;
        self.flush()?;
        Ok(inc)
    }

    /// Contain: approve every pending action, plus manual containment of `extra` targets.
    /// Returns the incident and how many containment entries were new.
    pub fn contain(
        &self,
        id: &str,
        actor: &str,
        extra: &[(ContainmentKind, String)],
        ttl_ms: Option<i64>,
    ) -> Result<(Incident, usize)> {
        check_handle("actor", actor)?;
        let inc = self.get(id)?;
        if !matches!(inc.status, Status::Detected | Status::Analyzing | Status::Contained) {
            inc.check_transition(Status::Contained)?;
        }
        let mut plans: Vec<Plan> = inc
            .actions
            .iter()
            .filter(|a| a.status == ActionStatus::PendingApproval)
            .filter_map(|a| {
                let action = ActionKind::parse(&a.action)?;
                let mut p = plan_from_target(action, &a.target, a.rule.clone())?;
                p.is_automatic = false;
                p.ttl_ms = a.ttl_ms;
                Some(p)
            })
            .collect();
        for (ck, target) in extra {
            let action = match ck {
                ContainmentKind::SuspendKey => ActionKind::SuspendKey,
                ContainmentKind::SuspendApp => ActionKind::SuspendApp,
                ContainmentKind::QuarantineSession => ActionKind::QuarantineSession,
                ContainmentKind::BlockSourceIp => ActionKind::BlockSourceIp,
                ContainmentKind::BlockCaller => ActionKind::BlockCaller,
                ContainmentKind::ReverifySession | ContainmentKind::ReverifyCaller => {
                    ActionKind::RequireReverification
                }
                ContainmentKind::TightenApp => ActionKind::TightenAppPolicy,
                ContainmentKind::SafeMode => ActionKind::SafeMode,
            };
            let shown = match ck {
                ContainmentKind::ReverifySession => format!("session:{target}"),
                ContainmentKind::ReverifyCaller => format!("caller:{target}"),
                _ => target.clone(),
            };
            plans.push(Plan {
                action,
                target: shown,
                containment: Some((*ck, target.clone())),
                notifier: None,
                rule: "manual".into(),
                is_automatic: false,
                ttl_ms,
            });
        }
        if plans.is_empty() {
            return Err(bad(
                "containment",
                "pending actions to approve or a target (--key, --app, --session, --source-ip, --caller, --safe-mode)",
                "nothing".into(),
            ));
        }
        let fresh = self.run(id, plans, actor)?;
        Ok((self.get(id)?, fresh))
    }

    /// Recover: lift every containment of the incident and move to `recovered`.
    pub fn recover(&self, id: &str, actor: &str) -> Result<Incident> {
        check_handle("actor", actor)?;
        let inc = self.get(id)?;
        inc.check_transition(Status::Recovered)?;
        let now = self.clock.now_ms();
        let lifted = self.containment.lift_incident(id, now, "recovered")?;
        self.changed();
        let inc = self.tx(|tx| {
            let mut inc = load(tx, id)?;
            for e in &lifted {
                let Some(a) = inc.actions.iter_mut().find(|a| a.containment_id == Some(e.id))
                else {
                    continue;
                };
                a.status = ActionStatus::Reversed;
                a.at = now;
                let ar = ActionRef::of(a);
                push(tx, &mut inc, now, actor, kind::ACTION, |r| r.action = Some(ar))?;
            }
            set_status(tx, &mut inc, Status::Recovered, now, actor)?;
            save(tx, &inc, now)?;
            Ok(inc)
        })?;
        self.flush()?;
        Ok(inc)
    }

    /// Close with lessons learned (from detected/analyzing: a false positive or nothing to
    /// contain; from recovered: the normal end).
    pub fn close(&self, id: &str, actor: &str, lessons: Lessons) -> Result<Incident> {
        check_handle("actor", actor)?;
        if lessons.summary.trim().is_empty() {
            return Err(bad("lessons", "a non-empty summary (--summary)", "empty".into()));
        }
        let now = self.clock.now_ms();
        let inc = self.tx(|tx| {
            let mut inc = load(tx, id)?;
            inc.check_transition(Status::Closed)?;
            let h = text_hash(&serde_json::to_string(&lessons)?);
            inc.lessons = Some(lessons);
            push(tx, &mut inc, now, actor, kind::LESSONS, |r| r.text_sha256 = Some(h))?;
            set_status(tx, &mut inc, Status::Closed, now, actor)?;
            save(tx, &inc, now)?;
            Ok(inc)
        })?;
        // Anything still contained (a false positive closed early) is lifted.
        let lifted = self.containment.lift_incident(id, now, "closed")?;
        if !lifted.is_empty() {
            self.changed();
        }
        self.flush()?;
        Ok(inc)
    }

    /// Periodic work: lapse expired containment (recorded per incident) and flush the outbox.
    pub fn tick(&self) -> Result<usize> {
        let now = self.clock.now_ms();
        let expired = self.containment.expire_due(now)?;
        if !expired.is_empty() {
            self.changed();
            let mut by_inc: BTreeMap<&str, Vec<&phiwall_store::ContainmentEntry>> = BTreeMap::new();
            for e in &expired {
                by_inc.entry(e.incident.as_str()).or_default().push(e);
            }
            for (id, es) in by_inc {
                let r = self.tx(|tx| {
                    let mut inc = load(tx, id)?;
                    for e in es {
                        let Some(a) =
                            inc.actions.iter_mut().find(|a| a.containment_id == Some(e.id))
                        else {
                            continue;
                        };
                        a.status = ActionStatus::Expired;
                        a.at = e.lifted_at.unwrap_or(now);
                        let ar = ActionRef::of(a);
                        push(tx, &mut inc, now, RESPONDER, kind::ACTION, |r| r.action = Some(ar))?;
                    }
                    save(tx, &inc, now)?;
                    Ok(())
                });
                if let Err(e) = r {
                    // Containment made outside an incident (or a deleted one): nothing to record.
                    tracing::debug!(incident = id, error = %e, "Expired containment not recorded");
                }
            }
        }
        self.flush()?;
        Ok(expired.len())
    }
}

/// Targets of an action in an incident, among the principals in `scope`.
fn targets(
    inc: &Incident,
    scope: &[&Principal],
    action: ActionKind,
    notifier: Option<&str>,
) -> Vec<Plan> {
    let in_scope = |k: PrincipalKind| -> Vec<&str> {
        scope.iter().filter(|p| p.kind == k).map(|p| p.id.as_str()).collect()
    };
    let mk = |target: String, c: Option<(ContainmentKind, String)>| Plan {
        action,
        target,
        containment: c,
        notifier: notifier.map(str::to_string),
        rule: String::new(),
        is_automatic: false,
        ttl_ms: None,
    };
    let of = |k: PrincipalKind, ck: ContainmentKind| -> Vec<Plan> {
        in_scope(k).into_iter().map(|id| mk(id.to_string(), Some((ck, id.to_string())))).collect()
    };
    match action {
        ActionKind::SuspendKey => of(PrincipalKind::Key, ContainmentKind::SuspendKey),
        ActionKind::SuspendApp => of(PrincipalKind::App, ContainmentKind::SuspendApp),
        ActionKind::QuarantineSession => {
            of(PrincipalKind::Session, ContainmentKind::QuarantineSession)
        }
        ActionKind::BlockSourceIp => of(PrincipalKind::SourceIp, ContainmentKind::BlockSourceIp),
        ActionKind::BlockCaller => of(PrincipalKind::Caller, ContainmentKind::BlockCaller),
        ActionKind::TightenAppPolicy => of(PrincipalKind::App, ContainmentKind::TightenApp),
        ActionKind::RequireReverification => {
            let mut v: Vec<Plan> = in_scope(PrincipalKind::Session)
                .into_iter()
                .map(|s| {
                    mk(format!("session:{s}"), Some((ContainmentKind::ReverifySession, s.into())))
                })
                .collect();
            v.extend(in_scope(PrincipalKind::Caller).into_iter().map(|c| {
                mk(format!("caller:{c}"), Some((ContainmentKind::ReverifyCaller, c.into())))
            }));
            v
        }
        ActionKind::SafeMode => {
            vec![mk(String::new(), Some((ContainmentKind::SafeMode, String::new())))]
        }
        // Re-notify when severity rises: the target carries the severity.
        ActionKind::Notify => vec![mk(
            format!("{}@{}", notifier.unwrap_or_default(), severity_str(inc.severity)),
            None,
        )],
        ActionKind::SnapshotEvidence => vec![mk(String::new(), None)],
    }
}

/// Rebuild a plan from a stored (action, shown target).
fn plan_from_target(action: ActionKind, target: &str, rule: String) -> Option<Plan> {
    let containment = match action {
        ActionKind::RequireReverification => {
            if let Some(s) = target.strip_prefix("session:") {
                Some((ContainmentKind::ReverifySession, s.to_string()))
            } else {
                target
                    .strip_prefix("caller:")
                    .map(|c| (ContainmentKind::ReverifyCaller, c.to_string()))
            }
        }
        ActionKind::Notify | ActionKind::SnapshotEvidence => None,
        a => a.containment().first().map(|ck| (*ck, target.to_string())),
    };
    let notifier = (action == ActionKind::Notify)
        .then(|| target.split('@').next().unwrap_or_default().to_string());
    Some(Plan {
        action,
        target: target.to_string(),
        containment,
        notifier,
        rule,
        is_automatic: false,
        ttl_ms: None,
    })
}
