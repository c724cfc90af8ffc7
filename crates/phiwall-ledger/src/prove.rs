//! Inclusion and consistency proofs for a ledger on disk, in a self-describing form an auditor
//! can check with [`crate::merkle::verify_inclusion`] (or any RFC 9162 implementation) against
//! a signed checkpoint.

use crate::checkpoint::Checkpoint;
use crate::error::{Error, Result};
use crate::hex;
use crate::merkle::{verify_consistency, verify_inclusion, Hash, MerkleTree};
use serde::Serialize;

/// A proof that record `seq` is in the tree of `tree_size` records with root `root`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InclusionProof {
    /// The record (leaf index).
    pub seq: u64,
    /// Tree size the proof is for.
    pub tree_size: u64,
    /// The record's leaf hash.
    pub leaf_hash: Hash,
    /// Root of that tree.
    pub root: Hash,
    /// Audit path, leaf to root.
    pub path: Vec<Hash>,
}

/// JSON form of an [`InclusionProof`].
#[derive(Debug, Clone, Serialize)]
pub struct InclusionProofJson {
    /// Leaf index.
    pub seq: u64,
    /// Tree size.
    pub tree_size: u64,
    /// Leaf hash, hex.
    pub leaf_hash: String,
    /// Root, hex.
    pub root: String,
    /// Audit path, hex.
    pub path: Vec<String>,
    /// Whether the proof verified when produced.
    pub verified: bool,
}

impl InclusionProof {
    /// Build from a tree.
    pub fn build(tree: &MerkleTree, seq: u64, tree_size: u64) -> Result<Self> {
        let leaf = *tree.leaf(seq).ok_or_else(|| {
            Error::Proof(format!("seq {seq} is not in the log of {} records", tree.len()))
        })?;
        let path = tree.inclusion_proof(seq, tree_size).ok_or_else(|| {
            Error::Proof(format!("seq {seq} is not inside a tree of {tree_size} records"))
        })?;
        let root = tree
            .root_at(tree_size)
            .ok_or_else(|| Error::Proof("tree size beyond the log".into()))?;
        Ok(Self { seq, tree_size, leaf_hash: leaf, root, path })
    }

    /// Check the proof.
    pub fn verify(&self) -> bool {
        verify_inclusion(&self.leaf_hash, self.seq, self.tree_size, &self.path, &self.root)
    }

    /// Check the proof against a signed checkpoint of the same size.
    pub fn verify_against(&self, c: &Checkpoint) -> bool {
        c.tree_size == self.tree_size && c.root == self.root && self.verify()
    }

    /// JSON form.
    pub fn to_json(&self) -> InclusionProofJson {
        InclusionProofJson {
            seq: self.seq,
            tree_size: self.tree_size,
            leaf_hash: hex::encode(&self.leaf_hash),
            root: hex::encode(&self.root),
            path: self.path.iter().map(|h| hex::encode(h)).collect(),
            verified: self.verify(),
        }
    }
}

/// A proof that the tree of `old_size` records is a prefix of the tree of `new_size` records.
#[derive(Debug, Clone, Serialize)]
pub struct ConsistencyProofJson {
    /// Old size.
    pub old_size: u64,
    /// New size.
    pub new_size: u64,
    /// Old root, hex.
    pub old_root: String,
    /// New root, hex.
    pub new_root: String,
    /// Proof hashes, hex.
    pub path: Vec<String>,
    /// Whether it verified when produced.
    pub verified: bool,
}

/// Build and check a consistency proof.
pub fn consistency(
    tree: &MerkleTree,
    old_size: u64,
    new_size: u64,
) -> Result<ConsistencyProofJson> {
    let path = tree.consistency_proof(old_size, new_size).ok_or_else(|| {
        Error::Proof(format!("sizes {old_size} and {new_size} do not fit a log of {}", tree.len()))
    })?;
    let (old_root, new_root) = match (tree.root_at(old_size), tree.root_at(new_size)) {
        (Some(a), Some(b)) => (a, b),
        _ => return Err(Error::Proof("tree size beyond the log".into())),
    };
    Ok(ConsistencyProofJson {
        old_size,
        new_size,
        old_root: hex::encode(&old_root),
        new_root: hex::encode(&new_root),
        verified: verify_consistency(old_size, new_size, &old_root, &new_root, &path),
        path: path.iter().map(|h| hex::encode(h)).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::merkle::leaf_hash;

    #[test]
    fn build_verify_and_reject() {
        let mut t = MerkleTree::new();
        for i in 0u32..50 {
            t.push(leaf_hash(&i.to_le_bytes()));
        }
        let p = InclusionProof::build(&t, 17, 40).unwrap();
        assert!(p.verify());
        assert!(p.to_json().verified);
        let mut bad = p.clone();
        bad.leaf_hash[0] ^= 1;
        assert!(!bad.verify());
        assert!(InclusionProof::build(&t, 50, 50).is_err());
        assert!(InclusionProof::build(&t, 45, 40).is_err());
        let c = consistency(&t, 10, 50).unwrap();
        assert!(c.verified);
        assert!(consistency(&t, 10, 51).is_err());
    }
}
