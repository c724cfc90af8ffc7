//! The trained injection classifier over the hashed features of [`super::features`]: a linear
//! (logistic-regression) part plus, since round 6, an optional hidden layer of rectified units
//! over the same sparse features ("wide and deep"). The logit is
//!
//! `bias + wide · x + Σ_j out_j · relu(hidden_bias_j + (W x)_j)`
//!
//! Weights of both sparse layers are 8-bit quantized; the small dense parts are `f32`.
//!
//! File formats (little-endian), written by `phiwall train injection`. Linear only (rounds 1-5):
//!
//! | bytes | field |
//! |---|---|
//! | 8 | magic `PWINJLR1` |
//! | 4 | feature version (must equal [`FEATURE_VERSION`]) |
//! | 4 | `dim_log2` (must equal [`DIM_LOG2`]) |
//! | 4 | `scale` (f32): weight = `scale * q` |
//! | 4 | `bias` (f32) |
//! | 4 | FNV-1a 32 checksum of the weight bytes |
//! | 2^dim_log2 | weights, i8 |
//!
//! With a hidden layer of `h` units (1..=[`MAX_HIDDEN`]):
//!
//! | bytes | field |
//! |---|---|
//! | 8 | magic `PWINJNN1` |
//! | 4 | feature version |
//! | 4 | `dim_log2` |
//! | 4 | `h` |
//! | 4 | `scale` (f32) of the linear weights |
//! | 4 | `bias` (f32) |
//! | 4 | `hidden_scale` (f32) of the hidden weights |
//! | 4 | FNV-1a 32 checksum of every byte after the header |
//! | 2^dim_log2 | linear weights, i8 |
//! | 2^dim_log2 * h | hidden weights, i8, the `h` weights of one bucket together |
//! | 4h | hidden biases, f32 |
//! | 4h | output weights, f32 |
//!
//! Loading validates every field and never panics; a bad file is a configuration error naming
//! what was expected and what was found. Scoring is sparse: O(number of features * (1 + h)).

use std::borrow::Cow;

use super::features::{FeatureVec, DIM, DIM_LOG2, FEATURE_VERSION};
use crate::error::Error;

const MAGIC: &[u8; 8] = b"PWINJLR1";
const HEADER: usize = 8 + 4 * 5;
const MAGIC_NN: &[u8; 8] = b"PWINJNN1";
const HEADER_NN: usize = 8 + 4 * 7;
/// The largest hidden layer a model file may declare.
pub const MAX_HIDDEN: usize = 64;

/// The model shipped in the binary (trained by `phiwall train injection`, see docs/injection.md).
pub static EMBEDDED: &[u8] = include_bytes!("../../data/injection/model.bin");

/// A loaded, immutable model.
#[derive(Clone, PartialEq)]
pub struct Model {
    scale: f32,
    bias: f32,
    /// `DIM` quantized weights (each byte read as `i8`). Borrowed from the binary for the
    /// embedded model, so replicas on one host share its pages (and the CPU caches holding them).
    weights: Cow<'static, [u8]>,
    hidden: Option<Hidden>,
}

/// The hidden layer: `units` rectified units over the sparse features.
#[derive(Clone, PartialEq)]
struct Hidden {
    units: usize,
    scale: f32,
    /// `DIM * units` quantized weights (bytes read as `i8`), bucket-major.
    weights: Cow<'static, [u8]>,
    biases: Vec<f32>,
    out: Vec<f32>,
}

/// Float weights of a hidden layer, as the trainer produces them.
#[derive(Debug, Clone, PartialEq)]
pub struct HiddenFloat {
    /// `DIM * units` weights, bucket-major (the `units` weights of bucket 0 first).
    pub weights: Vec<f32>,
    /// One bias per unit.
    pub biases: Vec<f32>,
    /// One output weight per unit.
    pub out: Vec<f32>,
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Model")
            .field("scale", &self.scale)
            .field("bias", &self.bias)
            .field("dim", &self.weights.len())
            .field("hidden_units", &self.hidden.as_ref().map_or(0, |h| h.units))
            .finish()
    }
}

fn checksum(bytes: &[u8]) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for &b in bytes {
        h = (h ^ u32::from(b)).wrapping_mul(0x0100_0193);
    }
    h
}

fn read_u32(bytes: &[u8], at: usize) -> Option<u32> {
    let b: [u8; 4] = bytes.get(at..at + 4)?.try_into().ok()?;
    Some(u32::from_le_bytes(b))
}

fn read_f32s(bytes: &[u8]) -> Vec<f32> {
    bytes.chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect()
}

fn bad(expected: &'static str, found: String) -> Error {
    Error::Config { key: "injection.model", expected, found }
}

/// Quantize to i8 with one scale: `w = scale * q`; each `q` is stored as its byte.
fn quantize(weights: &[f32]) -> (f32, Cow<'static, [u8]>) {
    let max = weights.iter().fold(0f32, |m, w| m.max(w.abs()));
    let scale = if max > 0.0 { max / 127.0 } else { 1.0 };
    let q = weights.iter().map(|w| (w / scale).round().clamp(-127.0, 127.0) as i8 as u8).collect();
    (scale, Cow::Owned(q))
}

/// A stored weight byte as the signed value it encodes.
fn signed(b: u8) -> f32 {
    f32::from(b as i8)
}

impl Model {
    /// Quantize float weights (length [`DIM`]) into a linear model.
    pub fn from_float(weights: &[f32], bias: f32) -> Result<Model, Error> {
        if weights.len() != DIM {
            return Err(bad("one weight per feature bucket", format!("{} weights", weights.len())));
        }
        if weights.iter().any(|w| !w.is_finite()) || !bias.is_finite() {
            return Err(bad("finite weights", "a non-finite weight".to_owned()));
        }
        let (scale, weights) = quantize(weights);
        Ok(Model { scale, bias, weights, hidden: None })
    }

    /// Quantize a linear part and a hidden layer into a model.
    pub fn with_hidden(weights: &[f32], bias: f32, hidden: &HiddenFloat) -> Result<Model, Error> {
        let mut m = Model::from_float(weights, bias)?;
        let units = hidden.biases.len();
        if units == 0 || units > MAX_HIDDEN {
            return Err(bad("1 to 64 hidden units", format!("{units} units")));
        }
        if hidden.weights.len() != DIM * units || hidden.out.len() != units {
            return Err(bad(
                "one hidden weight per bucket and unit, one output weight per unit",
                format!("{} and {} weights", hidden.weights.len(), hidden.out.len()),
            ));
        }
        let all = hidden.weights.iter().chain(&hidden.biases).chain(&hidden.out);
        if all.clone().any(|w| !w.is_finite()) {
            return Err(bad("finite weights", "a non-finite hidden weight".to_owned()));
        }
        let (scale, weights) = quantize(&hidden.weights);
        m.hidden = Some(Hidden {
            units,
            scale,
            weights,
            biases: hidden.biases.clone(),
            out: hidden.out.clone(),
        });
        Ok(m)
    }

    /// The same model with `delta` added to its bias (calibration).
    pub fn shifted(&self, delta: f32) -> Model {
        Model { bias: self.bias + delta, ..self.clone() }
    }

    /// The linear part alone (the hidden layer dropped). Not a calibrated detector: benches use
    /// it as the same-process baseline that shows what the hidden layer costs.
    pub fn linear_part(&self) -> Model {
        Model { hidden: None, ..self.clone() }
    }

    /// Number of hidden units (0 for a linear model).
    pub fn hidden_units(&self) -> usize {
        self.hidden.as_ref().map_or(0, |h| h.units)
    }

    /// Parse either file format above, copying the weights.
    pub fn from_bytes(bytes: &[u8]) -> Result<Model, Error> {
        Self::parse(bytes, |w| Cow::Owned(w.to_vec()))
    }

    /// Parse a model that lives as long as the program (the embedded one) without copying its
    /// weights: every process running the same binary then reads the same physical pages, which
    /// matters when several replicas share a host's caches (docs/cluster.md, session 11).
    pub fn from_static(bytes: &'static [u8]) -> Result<Model, Error> {
        Self::parse(bytes, Cow::Borrowed)
    }

    fn parse<'a>(
        bytes: &'a [u8],
        keep: impl Fn(&'a [u8]) -> Cow<'static, [u8]>,
    ) -> Result<Model, Error> {
        match bytes.get(..8) {
            Some(m) if m == MAGIC_NN.as_slice() => Self::from_bytes_nn(bytes, keep),
            _ => Self::from_bytes_linear(bytes, keep),
        }
    }

    fn check_header(bytes: &[u8]) -> Result<(), Error> {
        let version = read_u32(bytes, 8).unwrap_or(0);
        if version != FEATURE_VERSION {
            return Err(bad(
                "the feature version this build extracts",
                format!("version {version}"),
            ));
        }
        let dim_log2 = read_u32(bytes, 12).unwrap_or(0);
        if dim_log2 != DIM_LOG2 {
            return Err(bad("the feature dimension this build extracts", format!("2^{dim_log2}")));
        }
        Ok(())
    }

    fn from_bytes_linear<'a>(
        bytes: &'a [u8],
        keep: impl Fn(&'a [u8]) -> Cow<'static, [u8]>,
    ) -> Result<Model, Error> {
        if bytes.len() < HEADER {
            return Err(bad("a model file of at least 28 bytes", format!("{} bytes", bytes.len())));
        }
        if bytes.get(..8) != Some(MAGIC.as_slice()) {
            return Err(bad("magic PWINJLR1 or PWINJNN1", "other bytes".to_owned()));
        }
        Self::check_header(bytes)?;
        let scale = f32::from_bits(read_u32(bytes, 16).unwrap_or(0));
        let bias = f32::from_bits(read_u32(bytes, 20).unwrap_or(0));
        if !scale.is_finite() || scale <= 0.0 || !bias.is_finite() {
            return Err(bad(
                "a finite positive scale and finite bias",
                "non-finite values".to_owned(),
            ));
        }
        let sum = read_u32(bytes, 24).unwrap_or(0);
        let body = bytes.get(HEADER..).unwrap_or(&[]);
        if body.len() != DIM {
            return Err(bad("2^18 weight bytes", format!("{} bytes", body.len())));
        }
        if checksum(body) != sum {
            return Err(bad("a matching weight checksum", "a corrupted file".to_owned()));
        }
        Ok(Model { scale, bias, weights: keep(body), hidden: None })
    }

    fn from_bytes_nn<'a>(
        bytes: &'a [u8],
        keep: impl Fn(&'a [u8]) -> Cow<'static, [u8]>,
    ) -> Result<Model, Error> {
        if bytes.len() < HEADER_NN {
            return Err(bad("a model file of at least 36 bytes", format!("{} bytes", bytes.len())));
        }
        Self::check_header(bytes)?;
        let units = read_u32(bytes, 16).unwrap_or(0) as usize;
        if units == 0 || units > MAX_HIDDEN {
            return Err(bad("1 to 64 hidden units", format!("{units} units")));
        }
        let scale = f32::from_bits(read_u32(bytes, 20).unwrap_or(0));
        let bias = f32::from_bits(read_u32(bytes, 24).unwrap_or(0));
        let hidden_scale = f32::from_bits(read_u32(bytes, 28).unwrap_or(0));
        let scales_ok = [scale, hidden_scale].iter().all(|s| s.is_finite() && *s > 0.0);
        if !scales_ok || !bias.is_finite() {
            return Err(bad(
                "finite positive scales and a finite bias",
                "non-finite values".to_owned(),
            ));
        }
        let sum = read_u32(bytes, 32).unwrap_or(0);
        let body = bytes.get(HEADER_NN..).unwrap_or(&[]);
        let expected = DIM + DIM * units + 8 * units;
        if body.len() != expected {
            return Err(bad(
                "2^18 * (1 + hidden units) weight bytes and the dense tail",
                format!("{} bytes", body.len()),
            ));
        }
        if checksum(body) != sum {
            return Err(bad("a matching weight checksum", "a corrupted file".to_owned()));
        }
        let (wide, rest) = body.split_at(DIM);
        let (deep, tail) = rest.split_at(DIM * units);
        let (biases, out) = tail.split_at(4 * units);
        let (biases, out) = (read_f32s(biases), read_f32s(out));
        if biases.iter().chain(&out).any(|w| !w.is_finite()) {
            return Err(bad(
                "finite hidden biases and output weights",
                "non-finite values".to_owned(),
            ));
        }
        Ok(Model {
            scale,
            bias,
            weights: keep(wide),
            hidden: Some(Hidden { units, scale: hidden_scale, weights: keep(deep), biases, out }),
        })
    }

    /// Serialize to the file format above (linear when there is no hidden layer).
    pub fn to_bytes(&self) -> Vec<u8> {
        let Some(h) = &self.hidden else {
            let mut out = Vec::with_capacity(HEADER + self.weights.len());
            out.extend_from_slice(MAGIC);
            out.extend_from_slice(&FEATURE_VERSION.to_le_bytes());
            out.extend_from_slice(&DIM_LOG2.to_le_bytes());
            out.extend_from_slice(&self.scale.to_bits().to_le_bytes());
            out.extend_from_slice(&self.bias.to_bits().to_le_bytes());
            out.extend_from_slice(&checksum(&self.weights).to_le_bytes());
            out.extend_from_slice(&self.weights);
            return out;
        };
        let mut body: Vec<u8> = Vec::with_capacity(DIM * (1 + h.units) + 8 * h.units);
        body.extend_from_slice(&self.weights);
        body.extend_from_slice(&h.weights);
        for v in h.biases.iter().chain(&h.out) {
            body.extend_from_slice(&v.to_le_bytes());
        }
        let mut out = Vec::with_capacity(HEADER_NN + body.len());
        out.extend_from_slice(MAGIC_NN);
        out.extend_from_slice(&FEATURE_VERSION.to_le_bytes());
        out.extend_from_slice(&DIM_LOG2.to_le_bytes());
        out.extend_from_slice(&(h.units as u32).to_le_bytes());
        out.extend_from_slice(&self.scale.to_bits().to_le_bytes());
        out.extend_from_slice(&self.bias.to_bits().to_le_bytes());
        out.extend_from_slice(&h.scale.to_bits().to_le_bytes());
        out.extend_from_slice(&checksum(&body).to_le_bytes());
        out.extend_from_slice(&body);
        out
    }

    /// The raw score (log-odds).
    pub fn logit(&self, f: &FeatureVec) -> f32 {
        let mut acc = 0i64;
        let mut s = 0f32;
        for (&i, &v) in f.idx.iter().zip(&f.val) {
            let w = self.weights.get(i as usize).copied().unwrap_or(0) as i8;
            if v == 1.0 {
                acc += i64::from(w);
            } else {
                s += f32::from(w) * v;
            }
        }
        let wide = self.bias + self.scale * (s + acc as f32);
        match &self.hidden {
            None => wide,
            Some(h) => wide + h.logit(f),
        }
    }

    /// The probability that the text is an attack.
    pub fn probability(&self, f: &FeatureVec) -> f32 {
        sigmoid(self.logit(f))
    }
}

impl Hidden {
    fn logit(&self, f: &FeatureVec) -> f32 {
        let n = self.units;
        let mut acc = [0f32; MAX_HIDDEN];
        let acc = &mut acc[..n];
        for (&i, &v) in f.idx.iter().zip(&f.val) {
            let at = i as usize * n;
            let Some(row) = self.weights.get(at..at + n) else { continue };
            for (a, &w) in acc.iter_mut().zip(row) {
                *a += signed(w) * v;
            }
        }
        let mut z = 0f32;
        for ((a, b), o) in acc.iter().zip(&self.biases).zip(&self.out) {
            z += o * (b + self.scale * a).max(0.0);
        }
        z
    }
}

/// The logistic function, safe for any finite or infinite input.
pub fn sigmoid(x: f32) -> f32 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_model_loads() {
        let m = Model::from_bytes(EMBEDDED).unwrap();
        assert_eq!(m.weights.len(), DIM);
        assert!(m.scale > 0.0);
    }

    #[test]
    fn the_borrowed_embedded_model_equals_the_copied_one() {
        let borrowed = Model::from_static(EMBEDDED).unwrap();
        assert!(matches!(borrowed.weights, Cow::Borrowed(_)));
        let copied = Model::from_bytes(EMBEDDED).unwrap();
        assert!(matches!(copied.weights, Cow::Owned(_)));
        assert_eq!(borrowed, copied);
        assert_eq!(borrowed.to_bytes(), EMBEDDED);
        let f = FeatureVec { idx: vec![1, 77, 4096, 200_000], val: vec![1.0, 0.5, -0.25, 1.0] };
        assert_eq!(borrowed.logit(&f).to_bits(), copied.logit(&f).to_bits());
    }

    #[test]
    fn roundtrip_and_quantization() {
        let mut w = vec![0f32; DIM];
        w[5] = 2.0;
        w[9] = -1.0;
        let m = Model::from_float(&w, -0.5).unwrap();
        let back = Model::from_bytes(&m.to_bytes()).unwrap();
        assert_eq!(m, back);
        let f = FeatureVec { idx: vec![5, 9], val: vec![1.0, 0.5] };
        assert!((back.logit(&f) - (-0.5 + 2.0 - 0.5)).abs() < 0.02);
        assert!((sigmoid(0.0) - 0.5).abs() < 1e-6);
        assert!(sigmoid(f32::NEG_INFINITY) >= 0.0 && sigmoid(f32::INFINITY) <= 1.0);
    }

    #[test]
    fn corrupt_files_are_refused() {
        let m = Model::from_float(&vec![0.1f32; DIM], 0.0).unwrap();
        let good = m.to_bytes();
        assert!(Model::from_bytes(&good[..10]).is_err());
        let mut bad_magic = good.clone();
        bad_magic[0] = b'X';
        assert!(Model::from_bytes(&bad_magic).is_err());
        let mut flipped = good.clone();
        let last = flipped.len() - 1;
        flipped[last] ^= 1;
        let e = Model::from_bytes(&flipped).unwrap_err().to_string();
        assert!(e.contains("checksum"), "{e}");
        let mut ver = good.clone();
        ver[8] = 99;
        assert!(Model::from_bytes(&ver).is_err());
        let mut trunc = good;
        trunc.pop();
        assert!(Model::from_bytes(&trunc).is_err());
        assert!(Model::from_float(&[1.0], 0.0).is_err());
        assert!(Model::from_float(&vec![f32::NAN; DIM], 0.0).is_err());
    }

    fn two_unit_model() -> Model {
        let mut w = vec![0f32; DIM];
        w[5] = 1.0;
        let mut hidden = vec![0f32; DIM * 2];
        // Bucket 5 drives unit 0 up; bucket 9 drives unit 1 up and unit 0 down.
        hidden[5 * 2] = 2.0;
        hidden[9 * 2] = -1.0;
        hidden[9 * 2 + 1] = 1.5;
        let h = HiddenFloat { weights: hidden, biases: vec![0.0, -0.5], out: vec![1.0, -2.0] };
        Model::with_hidden(&w, -0.25, &h).unwrap()
    }

    #[test]
    fn hidden_layer_scores_rectified_units_and_roundtrips() {
        let m = two_unit_model();
        assert_eq!(m.hidden_units(), 2);
        let back = Model::from_bytes(&m.to_bytes()).unwrap();
        assert_eq!(m, back);
        // Only bucket 5: wide 1.0, unit 0 = relu(2.0) = 2.0, unit 1 = relu(-0.5) = 0.
        let f = FeatureVec { idx: vec![5], val: vec![1.0] };
        assert!((back.logit(&f) - (-0.25 + 1.0 + 2.0)).abs() < 0.03, "{}", back.logit(&f));
        // Both: unit 0 = relu(2 - 1) = 1, unit 1 = relu(-0.5 + 1.5) = 1 -> 1 - 2.
        let f = FeatureVec { idx: vec![5, 9], val: vec![1.0, 1.0] };
        assert!((back.logit(&f) - (-0.25 + 1.0 + 1.0 - 2.0)).abs() < 0.03, "{}", back.logit(&f));
        // Values scale the hidden input before the rectifier (0.25 * 1.5 - 0.5 < 0).
        let f = FeatureVec { idx: vec![9], val: vec![0.25] };
        assert!((back.logit(&f) - (-0.25)).abs() < 0.03, "{}", back.logit(&f));
        let shifted = back.shifted(1.0);
        assert!((shifted.logit(&f) - back.logit(&f) - 1.0).abs() < 1e-5);
    }

    #[test]
    fn corrupt_hidden_layer_files_are_refused() {
        let good = two_unit_model().to_bytes();
        assert!(Model::from_bytes(&good).is_ok());
        for cut in [10, HEADER_NN - 1, HEADER_NN + 5, good.len() - 1] {
            assert!(Model::from_bytes(&good[..cut]).is_err(), "cut at {cut}");
        }
        let mut flipped = good.clone();
        flipped[HEADER_NN + DIM + 3] ^= 1;
        let e = Model::from_bytes(&flipped).unwrap_err().to_string();
        assert!(e.contains("checksum"), "{e}");
        let mut units = good.clone();
        units[16] = 65;
        assert!(Model::from_bytes(&units).is_err());
        let mut zero = good.clone();
        zero[16] = 0;
        assert!(Model::from_bytes(&zero).is_err());
        // A non-finite output weight with a recomputed checksum is still refused.
        let mut nan = good;
        let at = nan.len() - 4;
        nan[at..].copy_from_slice(&f32::NAN.to_le_bytes());
        let sum = checksum(&nan[HEADER_NN..]);
        nan[32..36].copy_from_slice(&sum.to_le_bytes());
        assert!(Model::from_bytes(&nan).is_err());
        let w = vec![0f32; DIM];
        let too_many =
            HiddenFloat { weights: vec![0.0; DIM * 65], biases: vec![0.0; 65], out: vec![0.0; 65] };
        assert!(Model::with_hidden(&w, 0.0, &too_many).is_err());
        let short = HiddenFloat { weights: vec![0.0; 10], biases: vec![0.0; 2], out: vec![0.0; 2] };
        assert!(Model::with_hidden(&w, 0.0, &short).is_err());
    }
}
