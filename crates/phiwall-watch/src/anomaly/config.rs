//! Thresholds and bounds of the anomaly engine. Every field has a default (the figures in
//! `docs/anomaly.md` were measured with these) and the struct rejects unknown keys, so a typo in
//! the TOML is an error rather than a silently ignored threshold.

use serde::Deserialize;

/// Anomaly engine configuration (`[watch.anomaly]` in the TOML file).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AnomalyConfig {
    /// Most principals tracked at once; the least recently seen is evicted beyond it (counted in
    /// [`crate::anomaly::EngineStats::evictions`]).
    pub max_principals: usize,
    /// Most principals with a learned hour-of-week baseline (about 4 KiB each).
    pub max_profiles: usize,
    /// Events a principal must have before it gets a baseline profile (keys, apps and users get
    /// one at once; sessions, callers and patients never need one).
    pub profile_after_events: u64,
    /// Hours of history a baseline needs before it is trusted over the static floors.
    pub min_history_hours: u32,
    /// Weight of a new week in the hour-of-week EWMA (0..1).
    pub alpha_week: f32,
    /// Weight of a new day in the hour-of-day EWMA (0..1).
    pub alpha_day: f32,
    /// Overdispersion of counts relative to Poisson (variance = od × mean).
    pub overdispersion: f64,
    /// How many robust standard deviations above the baseline a count must be.
    pub z: f64,
    /// A count must also exceed this multiple of its baseline.
    pub min_ratio: f64,
    /// Quiet time after a detection of one kind for one principal; renewed while the behaviour
    /// goes on, so one ongoing behaviour yields one detection plus reminders.
    pub cooldown_secs: u64,
    /// While a behaviour keeps going, remind at most this often.
    pub realert_secs: u64,
    /// Most patient references carried by one detection.
    pub max_patient_refs: usize,
    /// Most request ids carried by one detection.
    pub max_request_ids: usize,
    /// Most distinct items (patients, keys) counted per principal and window.
    pub max_distinct: usize,

    /// Bulk access: window, seconds.
    pub bulk_window_secs: u64,
    /// Bulk access: least distinct patients that can alarm for a session or caller.
    pub bulk_floor_session: f64,
    /// Bulk access: least distinct patients that can alarm for a user.
    pub bulk_floor_principal: f64,
    /// Bulk access: least distinct patients that can alarm for a key, app or source (their
    /// count in a minute is the number of concurrent conversations, which hourly baselines do
    /// not see).
    pub bulk_floor_aggregate: f64,
    /// Slow exfiltration: least distinct patients in a sliding hour that can alarm.
    pub slow_floor_hour: f64,
    /// Slow exfiltration: least distinct patients in a sliding 24 h that can alarm.
    pub slow_floor_day: f64,
    /// Slow exfiltration: a day must also exceed this multiple of the daily median.
    pub slow_day_ratio: f64,
    /// A key, app or source without a trusted baseline alarms on bulk access and PHI release
    /// at this multiple of the floor: a cold-start net until the learned baseline replaces it.
    pub cold_aggregate_factor: f64,
    /// PHI release: window, seconds.
    pub phi_window_secs: u64,
    /// PHI release: least entities released in the window that can alarm.
    pub phi_floor: f64,
    /// PHI release: overdispersion of entity counts (one answer releases several at once).
    pub phi_overdispersion: f64,

    /// Guard probing: window, seconds.
    pub probe_window_secs: u64,
    /// Guard probing: least blocked or flagged requests that can alarm for a session.
    pub probe_min_session: f64,
    /// Guard probing: least blocked or flagged requests that can alarm for a key, user or source.
    pub probe_min_principal: f64,
    /// Guard probing: least share of blocked or flagged requests.
    pub probe_ratio: f64,
    /// Prompt injection: injection findings within the probe window that alarm for a session.
    pub injection_min_session: f64,
    /// Prompt injection: injection findings within the probe window that alarm for a key,
    /// user or source (indirect injection arrives in documents from many sessions).
    pub injection_min_principal: f64,

    /// Verification failures: window, seconds.
    pub verify_window_secs: u64,
    /// Verification failures per session or caller that alarm.
    pub verify_fail_session: f64,
    /// Distinct sessions or callers failing verification for one patient that alarm.
    pub verify_sessions_per_patient: f64,
    /// Disclosures prevented per session within the verification window that alarm (a cross-
    /// patient leak alarms at once).
    pub disclosure_min: f64,

    /// Credential stuffing: window, seconds.
    pub stuffing_window_secs: u64,
    /// Authentication failures from one source that alarm when several keys were presented.
    pub stuffing_failures: f64,
    /// Distinct keys presented from one source that, with `stuffing_failures`, alarm.
    pub stuffing_distinct_keys: f64,
    /// Authentication failures from one source that alarm regardless of keys.
    pub stuffing_failures_any: f64,

    /// Rate rules: window, seconds.
    pub rate_window_secs: u64,
    /// Least requests in the rate window that can alarm.
    pub rate_floor: f64,
    /// Least tokens in the rate window that can alarm.
    pub token_floor: f64,
    /// Requests refused by rate, stream or body-size limits within the rate window that alarm
    /// as a request-rate spike. Needs no baseline: the configured limit is the baseline.
    pub throttle_floor: f64,

    /// New source: least events a principal must have before a new source alarms.
    pub new_source_min_events: u64,
    /// New source: least hours since the principal was first seen.
    pub new_source_min_age_hours: u64,
    /// New source: sources remembered per principal.
    pub new_source_memory: usize,
    /// New source: an IPv4 address in a known /24 (IPv6: /64) counts as known.
    pub new_source_same_subnet_known: bool,

    /// Off hours: learned requests per hour at this time (and two hours either side) below
    /// which the hour counts as off.
    pub off_hours_expected_max: f64,
    /// Off hours: least learned average requests per hour for the principal to have "hours".
    pub off_hours_min_mean: f64,
    /// Off hours: least requests within the rate window at an off hour that alarm.
    pub off_hours_min_requests: f64,

    /// Extraction: window, seconds.
    pub extraction_window_secs: u64,
    /// Extraction: least requests in the window.
    pub extraction_min_requests: f64,
    /// Extraction: least share of requests whose shape is near an earlier one.
    pub extraction_near_share: f64,
    /// Extraction: Hamming distance (bits of 64) under which two shapes are near.
    pub extraction_hamming: u32,
    /// Extraction without shapes: prompt-token coefficient of variation below which requests
    /// count as templated (with at least `extraction_min_requests` × 2 requests).
    pub extraction_token_cv: f64,
}

impl Default for AnomalyConfig {
    fn default() -> Self {
        AnomalyConfig {
            max_principals: 50_000,
            max_profiles: 5_000,
            profile_after_events: 50,
            min_history_hours: 72,
            alpha_week: 0.3,
            alpha_day: 0.1,
            overdispersion: 3.0,
            z: 6.0,
            min_ratio: 3.0,
            cooldown_secs: 1800,
            realert_secs: 4 * 3600,
            max_patient_refs: 32,
            max_request_ids: 16,
            max_distinct: 1024,
            bulk_window_secs: 60,
            bulk_floor_session: 5.0,
            bulk_floor_principal: 10.0,
            bulk_floor_aggregate: 20.0,
            slow_floor_hour: 25.0,
            slow_floor_day: 60.0,
            slow_day_ratio: 3.0,
            cold_aggregate_factor: 2.5,
            phi_window_secs: 600,
            phi_floor: 200.0,
            phi_overdispersion: 8.0,
            probe_window_secs: 600,
            probe_min_session: 5.0,
            probe_min_principal: 12.0,
            probe_ratio: 0.4,
            injection_min_session: 3.0,
            injection_min_principal: 6.0,
            verify_window_secs: 600,
            verify_fail_session: 4.0,
            verify_sessions_per_patient: 3.0,
            disclosure_min: 3.0,
            stuffing_window_secs: 30,
            stuffing_failures: 8.0,
            stuffing_distinct_keys: 4.0,
            stuffing_failures_any: 25.0,
            rate_window_secs: 300,
            rate_floor: 150.0,
            token_floor: 150_000.0,
            throttle_floor: 30.0,
            new_source_min_events: 200,
            new_source_min_age_hours: 72,
            new_source_memory: 64,
            new_source_same_subnet_known: true,
            off_hours_expected_max: 0.3,
            off_hours_min_mean: 1.0,
            off_hours_min_requests: 5.0,
            extraction_window_secs: 600,
            extraction_min_requests: 40.0,
            extraction_near_share: 0.6,
            extraction_hamming: 4,
            extraction_token_cv: 0.06,
        }
    }
}

/// A problem in the configuration, with its key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigProblem {
    /// The key, e.g. `alpha_week`.
    pub key: &'static str,
    /// What is wrong.
    pub message: &'static str,
}

impl AnomalyConfig {
    /// Every problem (empty when valid). Pure.
    pub fn validate(&self) -> Vec<ConfigProblem> {
        let mut p = Vec::new();
        let mut bad = |ok: bool, key: &'static str, message: &'static str| {
            if !ok {
                p.push(ConfigProblem { key, message });
            }
        };
        bad(self.max_principals >= 16, "max_principals", "expected at least 16");
        bad(self.max_profiles >= 1, "max_profiles", "expected at least 1");
        bad(self.alpha_week > 0.0 && self.alpha_week <= 1.0, "alpha_week", "expected 0 < x <= 1");
        bad(self.alpha_day > 0.0 && self.alpha_day <= 1.0, "alpha_day", "expected 0 < x <= 1");
        bad(self.overdispersion >= 1.0, "overdispersion", "expected at least 1");
        bad(self.z > 0.0, "z", "expected a positive number");
        bad(self.max_distinct >= 8, "max_distinct", "expected at least 8");
        bad(self.new_source_memory >= 1, "new_source_memory", "expected at least 1");
        bad(self.cold_aggregate_factor >= 1.0, "cold_aggregate_factor", "expected at least 1");
        bad(self.throttle_floor >= 1.0, "throttle_floor", "expected at least 1");
        bad(
            self.injection_min_session >= 1.0 && self.injection_min_principal >= 1.0,
            "injection_min_session",
            "injection minimums must be at least 1",
        );
        bad(self.extraction_hamming <= 32, "extraction_hamming", "expected at most 32");
        for (key, w) in [
            ("bulk_window_secs", self.bulk_window_secs),
            ("phi_window_secs", self.phi_window_secs),
            ("probe_window_secs", self.probe_window_secs),
            ("verify_window_secs", self.verify_window_secs),
            ("stuffing_window_secs", self.stuffing_window_secs),
            ("rate_window_secs", self.rate_window_secs),
            ("extraction_window_secs", self.extraction_window_secs),
        ] {
            bad((1..=3600).contains(&w), key, "expected 1 to 3600 seconds");
        }
        bad(
            (0.0..=1.0).contains(&self.probe_ratio)
                && (0.0..=1.0).contains(&self.extraction_near_share),
            "probe_ratio",
            "ratios must be between 0 and 1",
        );
        p
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_valid_and_partial_toml_parses() {
        assert!(AnomalyConfig::default().validate().is_empty());
        let c: AnomalyConfig =
            serde_json::from_str(r#"{"z": 5.0, "bulk_window_secs": 30}"#).unwrap();
        assert_eq!(c.bulk_window_secs, 30);
        assert_eq!(c.max_principals, AnomalyConfig::default().max_principals);
        assert!(serde_json::from_str::<AnomalyConfig>(r#"{"zz": 1}"#).is_err());
        let bad = AnomalyConfig { alpha_week: 0.0, ..AnomalyConfig::default() };
        assert_eq!(bad.validate()[0].key, "alpha_week");
    }
}
