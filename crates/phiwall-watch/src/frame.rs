//! Length-prefixed, checksummed frames for the append-only files (bus spill, sink buffers):
//! `[u32 length LE][u32 CRC-32 of payload LE][payload]`. A torn or corrupt tail (a crash in the
//! middle of a write) is detected and cut, never returned as data.

use std::io::Write;

/// Bytes of frame header.
pub const HEADER: usize = 8;
/// Largest payload accepted (a record is a few KiB; this bounds memory on corrupt lengths).
pub const MAX_PAYLOAD: usize = 16 << 20;

/// Write one frame.
pub fn write_frame(w: &mut impl Write, payload: &[u8]) -> std::io::Result<()> {
    let len = u32::try_from(payload.len())
        .ok()
        .filter(|l| (*l as usize) <= MAX_PAYLOAD)
        .ok_or_else(|| std::io::Error::other("frame payload too large"))?;
    let mut h = [0u8; HEADER];
    h[..4].copy_from_slice(&len.to_le_bytes());
    h[4..].copy_from_slice(&crc32fast::hash(payload).to_le_bytes());
    w.write_all(&h)?;
    w.write_all(payload)
}

/// [`write_frame`] for a payload given in parts (written as if concatenated), without copying
/// them into one buffer first.
pub fn write_frame_parts(w: &mut impl Write, parts: &[&[u8]]) -> std::io::Result<()> {
    let total: usize = parts.iter().map(|p| p.len()).sum();
    let len = u32::try_from(total)
        .ok()
        .filter(|l| (*l as usize) <= MAX_PAYLOAD)
        .ok_or_else(|| std::io::Error::other("frame payload too large"))?;
    let mut crc = crc32fast::Hasher::new();
    for p in parts {
        crc.update(p);
    }
    let mut h = [0u8; HEADER];
    h[..4].copy_from_slice(&len.to_le_bytes());
    h[4..].copy_from_slice(&crc.finalize().to_le_bytes());
    w.write_all(&h)?;
    for p in parts {
        w.write_all(p)?;
    }
    Ok(())
}

/// Total bytes a frame of `payload_len` takes.
pub const fn frame_len(payload_len: usize) -> u64 {
    (HEADER + payload_len) as u64
}

/// The result of reading one frame from a buffer.
#[derive(Debug, PartialEq, Eq)]
pub enum Next<'a> {
    /// A good frame and the bytes it used.
    Frame(&'a [u8], usize),
    /// The buffer ends inside a frame (read more, or it is a torn tail).
    Incomplete,
    /// Bad length or checksum: everything from here is unusable.
    Corrupt,
}

/// Parse the frame at the start of `buf`.
pub fn next(buf: &[u8]) -> Next<'_> {
    let (Some(l), Some(c)) = (buf.get(..4), buf.get(4..8)) else {
        return Next::Incomplete;
    };
    let mut lb = [0u8; 4];
    lb.copy_from_slice(l);
    let len = u32::from_le_bytes(lb) as usize;
    if len > MAX_PAYLOAD {
        return Next::Corrupt;
    }
    let mut cb = [0u8; 4];
    cb.copy_from_slice(c);
    let Some(payload) = buf.get(HEADER..HEADER + len) else {
        return Next::Incomplete;
    };
    if crc32fast::hash(payload) != u32::from_le_bytes(cb) {
        return Next::Corrupt;
    }
    Next::Frame(payload, HEADER + len)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_frame_equals_the_concatenated_frame() {
        let (mut a, mut b) = (Vec::new(), Vec::new());
        write_frame(&mut a, b"hello world").unwrap();
        write_frame_parts(&mut b, &[b"hello", b" ", b"world"]).unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn round_trip_torn_and_corrupt() {
        let mut b = Vec::new();
        write_frame(&mut b, b"hello").unwrap();
        write_frame(&mut b, b"world!").unwrap();
        let Next::Frame(p, n) = next(&b) else { panic!("frame") };
        assert_eq!((p, n), (&b"hello"[..], 13));
        let rest = &b[n..];
        assert!(matches!(next(rest), Next::Frame(b"world!", 14)));
        assert_eq!(next(&rest[..10]), Next::Incomplete);
        let mut bad = b.clone();
        bad[9] ^= 1;
        assert_eq!(next(&bad), Next::Corrupt);
        assert_eq!(next(&[0xff, 0xff, 0xff, 0x7f, 0, 0, 0, 0]), Next::Corrupt);
    }
}
