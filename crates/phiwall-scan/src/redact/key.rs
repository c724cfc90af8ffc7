//! Key material for keyed transforms. The library never stores or logs keys.

use crate::error::Error;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// A secret key for pseudonyms, tokens and date shifts (HMAC-SHA-256). At least 16 bytes.
#[derive(Clone)]
pub struct RedactionKey(Vec<u8>);

impl std::fmt::Debug for RedactionKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RedactionKey([redacted])")
    }
}

impl RedactionKey {
    /// Wrap key bytes; refuses keys shorter than 16 bytes.
    pub fn new(bytes: Vec<u8>) -> Result<Self, Error> {
        if bytes.len() < 16 {
            return Err(Error::KeyTooShort(bytes.len()));
        }
        Ok(RedactionKey(bytes))
    }

    /// HMAC-SHA-256 over the domain-separated parts.
    pub(crate) fn mac(&self, domain: &str, parts: &[&[u8]]) -> [u8; 32] {
        // new_from_slice accepts any key length for HMAC; the fallback cannot be reached but
        // keeps this path panic-free.
        let Ok(mut m) = Hmac::<Sha256>::new_from_slice(&self.0) else {
            return [0u8; 32];
        };
        m.update(&(domain.len() as u64).to_be_bytes());
        m.update(domain.as_bytes());
        for p in parts {
            m.update(&(p.len() as u64).to_be_bytes());
            m.update(p);
        }
        m.finalize().into_bytes().into()
    }
}

/// A deterministic stream of bytes derived from a MAC, extended by counter when exhausted.
pub(crate) struct KeyStream<'k> {
    key: &'k RedactionKey,
    seed: [u8; 32],
    block: [u8; 32],
    pos: usize,
    counter: u64,
}

impl<'k> KeyStream<'k> {
    pub(crate) fn new(key: &'k RedactionKey, domain: &str, parts: &[&[u8]]) -> Self {
        let seed = key.mac(domain, parts);
        KeyStream { key, seed, block: seed, pos: 0, counter: 0 }
    }

    pub(crate) fn next_u8(&mut self) -> u8 {
        if self.pos >= self.block.len() {
            self.counter += 1;
            self.block = self.key.mac("stream", &[&self.seed, &self.counter.to_be_bytes()]);
            self.pos = 0;
        }
        let b = self.block[self.pos];
        self.pos += 1;
        b
    }

    pub(crate) fn next_u32(&mut self) -> u32 {
        u32::from_be_bytes([self.next_u8(), self.next_u8(), self.next_u8(), self.next_u8()])
    }

    /// Uniform-enough index below `n` (n > 0); bias is negligible for small n.
    pub(crate) fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            return 0;
        }
        (self.next_u32() as usize) % n
    }
}
