//! The trained injection classifier: a logistic-regression model over the hashed features of
//! [`super::features`], stored as 8-bit quantized weights.
//!
//! File format (little-endian), written by `phiwall train injection`:
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
//! Loading validates every field and never panics; a bad file is a configuration error naming
//! what was expected and what was found. Scoring is a sparse dot product: O(number of features).

use super::features::{FeatureVec, DIM, DIM_LOG2, FEATURE_VERSION};
use crate::error::Error;

const MAGIC: &[u8; 8] = b"PWINJLR1";
const HEADER: usize = 8 + 4 * 5;

/// The model shipped in the binary (trained by `phiwall train injection`, see docs/injection.md).
pub static EMBEDDED: &[u8] = include_bytes!("../../data/injection/model.bin");

/// A loaded, immutable model.
#[derive(Clone, PartialEq)]
pub struct Model {
    scale: f32,
    bias: f32,
    weights: Vec<i8>,
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Model")
            .field("scale", &self.scale)
            .field("bias", &self.bias)
            .field("dim", &self.weights.len())
            .finish()
    }
}

fn checksum(bytes: &[i8]) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for &b in bytes {
        h = (h ^ u32::from(b as u8)).wrapping_mul(0x0100_0193);
    }
    h
}

fn read_u32(bytes: &[u8], at: usize) -> Option<u32> {
    let b: [u8; 4] = bytes.get(at..at + 4)?.try_into().ok()?;
    Some(u32::from_le_bytes(b))
}

fn bad(expected: &'static str, found: String) -> Error {
    Error::Config { key: "injection.model", expected, found }
}

impl Model {
    /// Quantize float weights (length [`DIM`]) into a model.
    pub fn from_float(weights: &[f32], bias: f32) -> Result<Model, Error> {
        if weights.len() != DIM {
            return Err(bad("one weight per feature bucket", format!("{} weights", weights.len())));
        }
        let max = weights.iter().fold(0f32, |m, w| m.max(w.abs()));
        if weights.iter().any(|w| !w.is_finite()) || !bias.is_finite() {
            return Err(bad("finite weights", "a non-finite weight".to_owned()));
        }
        let scale = if max > 0.0 { max / 127.0 } else { 1.0 };
        let weights =
            weights.iter().map(|w| (w / scale).round().clamp(-127.0, 127.0) as i8).collect();
        Ok(Model { scale, bias, weights })
    }

    /// Parse the file format above.
    pub fn from_bytes(bytes: &[u8]) -> Result<Model, Error> {
        if bytes.len() < HEADER {
            return Err(bad("a model file of at least 28 bytes", format!("{} bytes", bytes.len())));
        }
        if bytes.get(..8) != Some(MAGIC.as_slice()) {
            return Err(bad("magic PWINJLR1", "other bytes".to_owned()));
        }
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
        let weights: Vec<i8> = body.iter().map(|&b| b as i8).collect();
        if checksum(&weights) != sum {
            return Err(bad("a matching weight checksum", "a corrupted file".to_owned()));
        }
        Ok(Model { scale, bias, weights })
    }

    /// Serialize to the file format above.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(HEADER + self.weights.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&FEATURE_VERSION.to_le_bytes());
        out.extend_from_slice(&DIM_LOG2.to_le_bytes());
        out.extend_from_slice(&self.scale.to_bits().to_le_bytes());
        out.extend_from_slice(&self.bias.to_bits().to_le_bytes());
        out.extend_from_slice(&checksum(&self.weights).to_le_bytes());
        out.extend(self.weights.iter().map(|&w| w as u8));
        out
    }

    /// The raw score (log-odds).
    pub fn logit(&self, f: &FeatureVec) -> f32 {
        let mut acc = 0i64;
        let mut s = 0f32;
        for (&i, &v) in f.idx.iter().zip(&f.val) {
            let w = self.weights.get(i as usize).copied().unwrap_or(0);
            if v == 1.0 {
                acc += i64::from(w);
            } else {
                s += f32::from(w) * v;
            }
        }
        self.bias + self.scale * (s + acc as f32)
    }

    /// The probability that the text is an attack.
    pub fn probability(&self, f: &FeatureVec) -> f32 {
        sigmoid(self.logit(f))
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
}
