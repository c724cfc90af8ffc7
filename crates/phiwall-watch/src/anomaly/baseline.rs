//! Baselines learned online, per principal: hourly totals of each [`Measure`] feed an
//! hour-of-week EWMA (weekly rhythm), an hour-of-day EWMA (fallback while weeks are few, and the
//! second opinion for off-hours), and a ring of recent residuals whose median absolute deviation
//! (MAD) gives a robust spread. Distinct patients per day keep a 14-day ring for a median/MAD
//! daily baseline.
//!
//! Time is event time: an hour is committed when the first event of a later hour arrives, and
//! idle hours in between are committed as zeros (at most one week of them), so quiet nights are
//! learned as quiet.

use std::collections::VecDeque;

/// Hourly measures with a baseline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    /// Requests.
    Requests = 0,
    /// Tokens in plus out.
    Tokens = 1,
    /// Patients not seen in the hour before.
    Patients = 2,
    /// PHI entities released in outputs.
    Phi = 3,
}

/// Number of [`Measure`]s.
pub const MEASURES: usize = 4;
const WEEK_HOURS: usize = 168;
const RESIDUALS: usize = 96;
const DAYS: usize = 14;

/// Hour-of-week (0 = Monday 00:00 UTC) of an hour index since the epoch (a Thursday).
pub fn hour_of_week(hour_index: i64) -> usize {
    (hour_index + 72).rem_euclid(WEEK_HOURS as i64) as usize
}

/// The median of `v` (sorted in place); 0 when empty.
pub fn median(v: &mut [f64]) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Median and scaled MAD (1.4826 × MAD, a robust standard deviation) of `v`.
pub fn median_mad(v: &[f64]) -> (f64, f64) {
    let mut a: Vec<f64> = v.to_vec();
    let m = median(&mut a);
    let mut d: Vec<f64> = v.iter().map(|x| (x - m).abs()).collect();
    (m, 1.4826 * median(&mut d))
}

/// What the baseline expects for one hour.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Expected {
    /// Expected total in the hour.
    pub mean: f64,
    /// Robust spread of hourly totals around it.
    pub sigma: f64,
}

/// The learned profile of one principal.
#[derive(Debug, Clone)]
pub struct Profile {
    cur_hour: i64,
    cur: [f64; MEASURES],
    hours_seen: u32,
    how: Box<[[f32; WEEK_HOURS]; MEASURES]>,
    how_n: Box<[u8; WEEK_HOURS]>,
    hod: [[f32; 24]; MEASURES],
    hod_n: [u8; 24],
    resid: [VecDeque<f32>; MEASURES],
    sigma: [f64; MEASURES],
    cur_day: i64,
    day_patients: f64,
    days: VecDeque<f32>,
    alpha_week: f32,
    alpha_day: f32,
}

impl Profile {
    /// A profile starting at `now_ms`.
    pub fn new(now_ms: i64, alpha_week: f32, alpha_day: f32) -> Self {
        let h = now_ms.div_euclid(3_600_000);
        Profile {
            cur_hour: h,
            cur: [0.0; MEASURES],
            hours_seen: 0,
            how: Box::new([[0.0; WEEK_HOURS]; MEASURES]),
            how_n: Box::new([0; WEEK_HOURS]),
            hod: [[0.0; 24]; MEASURES],
            hod_n: [0; 24],
            resid: std::array::from_fn(|_| VecDeque::with_capacity(RESIDUALS)),
            sigma: [0.0; MEASURES],
            cur_day: h.div_euclid(24),
            day_patients: 0.0,
            days: VecDeque::with_capacity(DAYS),
            alpha_week,
            alpha_day,
        }
    }

    /// Hours committed so far.
    pub fn hours_seen(&self) -> u32 {
        self.hours_seen
    }

    /// Move to the hour of `now_ms` (committing finished hours), then add `v`.
    pub fn add(&mut self, now_ms: i64, v: [f64; MEASURES]) {
        self.roll(now_ms);
        for (c, x) in self.cur.iter_mut().zip(v) {
            *c += x;
        }
        self.day_patients += v[Measure::Patients as usize];
    }

    fn roll(&mut self, now_ms: i64) {
        let h = now_ms.div_euclid(3_600_000);
        if h <= self.cur_hour {
            return;
        }
        let mut steps = 0;
        while self.cur_hour < h && steps < WEEK_HOURS {
            let v = std::mem::take(&mut self.cur);
            self.commit_hour(self.cur_hour, v);
            self.cur_hour += 1;
            steps += 1;
        }
        self.cur_hour = h;
        for (sigma, r) in self.sigma.iter_mut().zip(&self.resid) {
            let v: Vec<f64> = r.iter().map(|&x| f64::from(x)).collect();
            *sigma = median_mad(&v).1;
        }
        let d = h.div_euclid(24);
        let mut steps = 0;
        while self.cur_day < d && steps < DAYS {
            let v = std::mem::take(&mut self.day_patients);
            if self.days.len() >= DAYS {
                self.days.pop_front();
            }
            self.days.push_back(v as f32);
            self.cur_day += 1;
            steps += 1;
        }
        self.cur_day = d;
    }

    fn commit_hour(&mut self, hour: i64, v: [f64; MEASURES]) {
        let w = hour_of_week(hour);
        let d = w % 24;
        for (m, &x) in v.iter().enumerate() {
            if let Some(e) = self.expected_at(m, w) {
                let r = &mut self.resid[m];
                if r.len() >= RESIDUALS {
                    r.pop_front();
                }
                r.push_back((x - e) as f32);
            }
            let x = x as f32;
            let s = &mut self.how[m][w];
            *s = if self.how_n[w] == 0 {
                x
            } else {
                self.alpha_week * x + (1.0 - self.alpha_week) * *s
            };
            let s = &mut self.hod[m][d];
            *s = if self.hod_n[d] == 0 {
                x
            } else {
                self.alpha_day * x + (1.0 - self.alpha_day) * *s
            };
        }
        self.how_n[w] = self.how_n[w].saturating_add(1);
        self.hod_n[d] = self.hod_n[d].saturating_add(1);
        self.hours_seen = self.hours_seen.saturating_add(1);
    }

    fn expected_at(&self, m: usize, w: usize) -> Option<f64> {
        let d = w % 24;
        if self.how_n[w] >= 2 {
            Some(f64::from(self.how[m][w]))
        } else if self.hod_n[d] >= 3 {
            Some(f64::from(self.hod[m][d]))
        } else {
            None
        }
    }

    /// What the baseline expects of `m` in the hour of `now_ms`, once `min_hours` are learned.
    /// The mean is the larger of the hour's expectation and its neighbours' (a clinic that opens
    /// at 8 is not anomalous at 7:55).
    pub fn expected(&self, m: Measure, now_ms: i64, min_hours: u32) -> Option<Expected> {
        if self.hours_seen < min_hours {
            return None;
        }
        let w = hour_of_week(now_ms.div_euclid(3_600_000));
        let m = m as usize;
        let mut mean = None::<f64>;
        for dw in [WEEK_HOURS - 1, 0, 1] {
            if let Some(e) = self.expected_at(m, (w + dw) % WEEK_HOURS) {
                mean = Some(mean.map_or(e, |x| x.max(e)));
            }
        }
        Some(Expected { mean: mean?, sigma: self.sigma[m] })
    }

    /// Learned requests per hour at the hour of `now_ms` and two hours either side, taking the
    /// larger of the hour-of-week and hour-of-day estimates; and the principal's mean per hour.
    /// `None` until `min_hours` are learned.
    pub fn activity(&self, now_ms: i64, min_hours: u32) -> Option<(f64, f64)> {
        if self.hours_seen < min_hours {
            return None;
        }
        let w = hour_of_week(now_ms.div_euclid(3_600_000));
        let m = Measure::Requests as usize;
        let mut at = 0.0f64;
        for dw in [WEEK_HOURS - 2, WEEK_HOURS - 1, 0, 1, 2] {
            let ww = (w + dw) % WEEK_HOURS;
            if self.how_n[ww] > 0 {
                at = at.max(f64::from(self.how[m][ww]));
            }
            let d = ww % 24;
            if self.hod_n[d] > 0 {
                at = at.max(f64::from(self.hod[m][d]));
            }
        }
        let mean =
            (0..24).filter(|&d| self.hod_n[d] > 0).map(|d| f64::from(self.hod[m][d])).sum::<f64>()
                / 24.0;
        Some((at, mean))
    }

    /// Median and robust spread of distinct patients per day over the last 14 days (`None`
    /// before 7 days).
    pub fn daily_patients(&self) -> Option<(f64, f64)> {
        if self.days.len() < 7 {
            return None;
        }
        let v: Vec<f64> = self.days.iter().map(|&x| f64::from(x)).collect();
        Some(median_mad(&v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: i64 = 3_600_000;

    #[test]
    fn median_and_mad_resist_outliers() {
        let (m, s) = median_mad(&[1.0, 2.0, 3.0, 4.0, 1000.0]);
        assert_eq!(m, 3.0);
        assert!((s - 1.4826).abs() < 1e-9);
        assert_eq!(median_mad(&[]), (0.0, 0.0));
    }

    #[test]
    fn learns_a_daily_rhythm() {
        // Monday 1970-01-05 00:00 UTC is hour 96.
        let start = 96 * H;
        let mut p = Profile::new(start, 0.3, 0.1);
        for day in 0..21 {
            for hour in 8..17 {
                let t = start + (day * 24 + hour) * H;
                p.add(t, [100.0, 0.0, 10.0, 0.0]);
            }
        }
        let t_day = start + (21 * 24 + 10) * H;
        let t_night = start + (21 * 24 + 3) * H;
        p.add(t_day, [0.0; MEASURES]);
        let e = p.expected(Measure::Requests, t_day, 72).unwrap();
        assert!((e.mean - 100.0).abs() < 1.0, "{e:?}");
        let n = p.expected(Measure::Requests, t_night, 72).unwrap();
        assert!(n.mean < 1.0, "{n:?}");
        let (at, mean) = p.activity(t_night, 72).unwrap();
        assert!(at < 0.5 && mean > 30.0);
        let (dm, _) = p.daily_patients().unwrap();
        assert!((dm - 90.0).abs() < 1e-6);
    }

    #[test]
    fn hour_of_week_starts_monday() {
        assert_eq!(hour_of_week(96), 0);
        assert_eq!(hour_of_week(0), 72);
    }
}
