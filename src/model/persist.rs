//! The model file: magic, format version, checksummed payload (written by `io`'s atomic writer).
//!
//! Layout (integers little-endian):
//! ```text
//! magic     8 bytes  "STANCE\0M"
//! version   u32      FORMAT_VERSION
//! length    u64      payload bytes
//! payload   length   header JSON (u64 length + bytes), vocabulary (u64 count, then
//!                    u32 length + UTF-8 per term), idf (f64 per term), then each head's
//!                    weights (terms x classes f64, row-major) and intercepts (classes f64)
//! checksum  32 bytes SHA-256 of the payload
//! ```

use std::path::Path;

use ndarray::{Array1, Array2};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::classifier::{StanceHead, StanceHeads, StanceModel, TrainingMeta};
use super::head::LinearHead;
use super::logistic::FitReport;
use crate::error::{Error, Result};
use crate::features::{TermIndex, Tfidf, Vectorizer, VectorizerConfig, Vocabulary};

/// The file's first bytes.
pub const MAGIC: &[u8; 8] = b"STANCE\0M";
/// The format this build writes and the newest it reads.
pub const FORMAT_VERSION: u32 = 1;
const PREAMBLE: usize = 8 + 4 + 8;
const CHECKSUM: usize = 32;

/// The JSON part of the payload: everything but the large arrays.
#[derive(Serialize, Deserialize)]
struct Header {
    vectorizer: VectorizerConfig,
    n_features: usize,
    topic: HeadInfo,
    stance: Option<StanceInfo>,
    meta: TrainingMeta,
}

#[derive(Serialize, Deserialize)]
struct HeadInfo {
    labels: Vec<String>,
    report: Option<FitReport>,
}

#[derive(Serialize, Deserialize)]
struct StanceInfo {
    /// Per topic: Some(head) when it has its own, None when it uses the shared one.
    ///
    /// Note: boxed so that each `null` costs 8 bytes while the list is read,
    /// not a whole `HeadInfo`: a crafted file with millions of them must not
    /// need much more memory than its own size to be refused.
    per_topic: Vec<Option<Box<HeadInfo>>>,
    shared: Option<HeadInfo>,
}

fn info(h: &LinearHead) -> HeadInfo {
    HeadInfo {
        labels: h.labels.clone(),
        report: h.report.clone(),
    }
}

impl StanceModel {
    /// The file's bytes; the same model always gives the same bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut heads: Vec<&LinearHead> = vec![&self.topic];
        let stance = self.stance.as_ref().map(|s| {
            let per_topic = s
                .per_topic
                .iter()
                .map(|h| match h {
                    StanceHead::Own(h) => {
                        heads.push(h);
                        Some(Box::new(info(h)))
                    }
                    StanceHead::Shared => None,
                })
                .collect();
            let shared = s.shared.as_ref().map(|h| {
                heads.push(h);
                info(h)
            });
            StanceInfo { per_topic, shared }
        });
        let header = Header {
            vectorizer: self.vectorizer.config().clone(),
            n_features: self.vectorizer.vocabulary().len(),
            topic: info(&self.topic),
            stance,
            meta: self.meta.clone(),
        };
        let json = serde_json::to_vec(&header).unwrap_or_default();
        let mut p = Vec::new();
        p.extend_from_slice(&(json.len() as u64).to_le_bytes());
        p.extend_from_slice(&json);
        let terms = self.vectorizer.vocabulary().terms();
        p.extend_from_slice(&(terms.len() as u64).to_le_bytes());
        for t in terms {
            p.extend_from_slice(&(t.len() as u32).to_le_bytes());
            p.extend_from_slice(t.as_bytes());
        }
        self.vectorizer
            .tfidf()
            .idf()
            .iter()
            .for_each(|x| p.extend_from_slice(&x.to_le_bytes()));
        for h in heads {
            h.weights
                .iter()
                .for_each(|x| p.extend_from_slice(&x.to_le_bytes()));
            h.intercept
                .iter()
                .for_each(|x| p.extend_from_slice(&x.to_le_bytes()));
        }
        let mut out = Vec::with_capacity(PREAMBLE + p.len() + CHECKSUM);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        out.extend_from_slice(&(p.len() as u64).to_le_bytes());
        out.extend_from_slice(&p);
        out.extend_from_slice(&Sha256::digest(&p));
        out
    }

    /// Reads a model file, refusing anything truncated, corrupted or from a newer format.
    pub fn load(path: &Path) -> Result<StanceModel> {
        let bad = |message: String| Error::BadModel {
            path: path.to_path_buf(),
            message,
        };
        let mut f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
        let file_len = f.metadata().map_err(|e| Error::io(path, e))?.len();
        let mut pre = [0u8; PREAMBLE];
        std::io::Read::read_exact(&mut f, &mut pre)
            .map_err(|_| bad(format!("only {file_len} bytes; too short for a model file")))?;
        if &pre[..8] != MAGIC {
            return Err(bad("wrong magic bytes; this is not a stance model".into()));
        }
        let version = u32::from_le_bytes(pre[8..12].try_into().unwrap_or_default());
        if version > FORMAT_VERSION {
            return Err(bad(format!(
                "format version {version} was written by a newer stance; this build reads up to version {FORMAT_VERSION}"
            )));
        }
        if version == 0 {
            return Err(bad("format version 0 is not valid".into()));
        }
        let len = u64::from_le_bytes(pre[12..20].try_into().unwrap_or_default());
        // Note: the claimed length is checked against the real file size before any
        // allocation, so a crafted header cannot make us allocate what it claims.
        let expected = (PREAMBLE as u64)
            .checked_add(len)
            .and_then(|n| n.checked_add(CHECKSUM as u64));
        if expected != Some(file_len) {
            return Err(bad(format!(
                "header claims a {len}-byte payload but the file has {file_len} bytes (truncated or corrupted)"
            )));
        }
        let mut rest = Vec::with_capacity((len as usize) + CHECKSUM);
        std::io::Read::read_to_end(&mut f, &mut rest).map_err(|e| Error::io(path, e))?;
        if rest.len() as u64 != len + CHECKSUM as u64 {
            return Err(bad("file changed while reading".into()));
        }
        let (payload, sum) = rest.split_at(len as usize);
        // Note: the checksum and the decoding run side by side, as both take
        // tens of milliseconds on a large model. The decoder is hardened
        // against arbitrary bytes, and what it decoded is used only if the
        // checksum matches.
        let (intact, model) = rayon::join(
            || Sha256::digest(payload).as_slice() == sum,
            || parse_payload(payload),
        );
        if !intact {
            return Err(bad("checksum mismatch: the file is corrupted".into()));
        }
        model.map_err(bad)
    }
}

/// Decodes a checksummed payload.
fn parse_payload(p: &[u8]) -> std::result::Result<StanceModel, String> {
    let mut r = Reader { buf: p, pos: 0 };
    let json_len = r.u64()? as usize;
    let header: Header =
        serde_json::from_slice(r.take(json_len)?).map_err(|e| format!("header: {e}"))?;
    let n_terms = r.u64()? as usize;
    if n_terms != header.n_features {
        return Err(format!(
            "vocabulary has {n_terms} terms, header says {}",
            header.n_features
        ));
    }
    // Each term needs at least its 4-byte length: bound the count by the bytes left.
    if n_terms > r.remaining() / 4 {
        return Err(format!(
            "vocabulary claims {n_terms} terms, more than the file can hold"
        ));
    }
    let mut terms = Vec::with_capacity(n_terms);
    for _ in 0..n_terms {
        let l = r.u32()? as usize;
        let t = std::str::from_utf8(r.take(l)?).map_err(|_| "a term is not UTF-8".to_string())?;
        terms.push(t.to_string());
    }
    let vocab = Vocabulary::from_sorted_terms(terms)?;
    if header.vectorizer.analyzer.ngram_max == 0 && header.vectorizer.analyzer.char_ngrams.is_none()
    {
        return Err(
            "the analyzer settings produce no terms (ngram_max 0, no character n-grams)".into(),
        );
    }
    // Note: indexing the vocabulary's word n-grams runs beside decoding the
    // weights; both take tens of milliseconds on a large model.
    let (index, rest) = rayon::join(
        || TermIndex::new(&vocab),
        || parse_weights(&mut r, &header, n_terms),
    );
    let (tfidf, topic, stance) = rest?;
    Ok(StanceModel {
        vectorizer: Vectorizer::from_indexed_parts(header.vectorizer, vocab, index, tfidf),
        topic,
        stance,
        meta: header.meta,
    })
}

/// Decodes the idf and the heads, the rest of the payload after the vocabulary.
fn parse_weights(
    r: &mut Reader,
    header: &Header,
    n_terms: usize,
) -> std::result::Result<(Tfidf, LinearHead, Option<StanceHeads>), String> {
    let idf = r.f64s(n_terms)?;
    if idf.iter().any(|v| !(v.is_finite() && *v >= 1.0)) {
        return Err("an idf value is not a finite number >= 1".into());
    }
    let tfidf = Tfidf::from_parts(Array1::from_vec(idf), header.vectorizer.sublinear_tf);
    let mut read_head = |h: &HeadInfo| -> std::result::Result<LinearHead, String> {
        let k = h.labels.len();
        if k == 0 {
            return Err("a head has no labels".into());
        }
        let size = n_terms
            .checked_mul(k)
            .ok_or("weight matrix size overflows")?;
        let w = r.f64s(size)?;
        let b = r.f64s(k)?;
        if w.iter().chain(&b).any(|v| !v.is_finite()) {
            return Err("a weight is not a finite number".into());
        }
        let distinct: std::collections::BTreeSet<&String> = h.labels.iter().collect();
        if distinct.len() != k || h.labels.iter().any(|l| l.is_empty()) {
            return Err("a head's labels are empty or repeated".into());
        }
        Ok(LinearHead {
            labels: h.labels.clone(),
            weights: Array2::from_shape_vec((n_terms, k), w).map_err(|e| e.to_string())?,
            intercept: Array1::from_vec(b),
            report: h.report.clone(),
        })
    };
    let topic = read_head(&header.topic)?;
    let stance = match &header.stance {
        None => None,
        Some(s) => {
            if s.per_topic.len() != topic.labels.len() {
                return Err("stance heads do not match the topics".into());
            }
            let mut per_topic = Vec::new();
            for h in &s.per_topic {
                per_topic.push(match h {
                    Some(h) => StanceHead::Own(Box::new(read_head(h)?)),
                    None => StanceHead::Shared,
                });
            }
            let shared = s.shared.as_ref().map(&mut read_head).transpose()?;
            if shared.is_none() && per_topic.iter().any(|h| matches!(h, StanceHead::Shared)) {
                return Err("a topic uses the shared stance head, which is missing".into());
            }
            Some(StanceHeads { per_topic, shared })
        }
    };
    if r.remaining() != 0 {
        return Err(format!(
            "{} unexpected bytes after the last head",
            r.remaining()
        ));
    }
    Ok((tfidf, topic, stance))
}

/// A bounds-checked cursor over the payload.
struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }
    fn take(&mut self, n: usize) -> std::result::Result<&'a [u8], String> {
        if n > self.remaining() {
            return Err(format!(
                "needs {n} more bytes at offset {} but only {} remain",
                self.pos,
                self.remaining()
            ));
        }
        let s = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }
    fn u32(&mut self) -> std::result::Result<u32, String> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn u64(&mut self) -> std::result::Result<u64, String> {
        let b = self.take(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_le_bytes(a))
    }
    fn f64s(&mut self, n: usize) -> std::result::Result<Vec<f64>, String> {
        let bytes = n.checked_mul(8).ok_or("array size overflows")?;
        let b = self.take(bytes)?;
        Ok(b.chunks_exact(8)
            .map(|c| {
                let mut a = [0u8; 8];
                a.copy_from_slice(c);
                f64::from_le_bytes(a)
            })
            .collect())
    }
}
