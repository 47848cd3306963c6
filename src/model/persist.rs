//! The model file: magic, format version, checksummed payload (written by `io`'s atomic writer).
//!
//! Layout (integers little-endian):
//! ```text
//! magic     8 bytes  "STANCE\0M"
//! version   u32      FORMAT_VERSION
//! length    u64      payload bytes
//! payload   length   header JSON (u64 length + bytes), vocabulary (u64 count, then
//!                    u32 length + UTF-8 per term), idf (f64 per term), then each head's
//!                    weights (terms x classes f64, row-major) and intercepts (classes f64),
//!                    then (version 2 on) the surface forms (u64 count, 0 or one per
//!                    term, then u32 length + UTF-8 per form; empty = the term itself)
//! checksum  32 bytes SHA-256 of the payload
//! ```
//!
//! Version 1 files (before surface forms) still load, with no surface forms.

use std::fs::File;
use std::io::Read;
use std::path::Path;
use std::sync::mpsc::{channel, sync_channel, Receiver, SyncSender};
use std::sync::Arc;

use ndarray::{Array1, Array2};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::calibrate::Calibration;
use super::classifier::{StanceHead, StanceHeads, StanceModel, TrainingMeta, UNCERTAIN};
use super::context::ArticleContext;
use super::head::{LinearHead, MAX_ABS_WEIGHT};
use super::logistic::FitReport;
use super::roles::StanceRoles;
use crate::error::{Error, Result};
use crate::features::{
    SurfaceForms, TermIndex, Tfidf, Vectorizer, VectorizerConfig, Vocabulary, MAX_IDF,
};

/// The file's first bytes.
pub const MAGIC: &[u8; 8] = b"STANCE\0M";
/// The format this build writes and the newest it reads.
///
/// 2 added the surface forms after the heads; 1 is read too.
pub const FORMAT_VERSION: u32 = 2;
const PREAMBLE: usize = 8 + 4 + 8;
const CHECKSUM: usize = 32;

/// The largest model file [`StanceModel::load`] reads: 2 GiB (`--max-model-bytes`).
///
/// Note: about 30 times the largest model measured here (20 Newsgroups,
/// word 1-2-grams, 67 MB). A file's claims are checked against the bytes it
/// has, so the limit is what a crafted but consistent file (a sparse file of
/// 50 GB, say) can make loading read and allocate.
pub const DEFAULT_MAX_MODEL_BYTES: u64 = 2 << 30;

/// The largest JSON header: 32 MiB.
///
/// Note: a header holds the label sets and the training metadata, a few KB;
/// the bound keeps what decoding a crafted one allocates (about ten times
/// its size for a list of tiny labels) apart from the model limit.
const MAX_HEADER_BYTES: usize = 32 << 20;

/// Payload bytes read from the file, and handed to the checksum, at a time.
const CHUNK: usize = 1 << 20;

/// Chunks waiting for the checksum thread.
const QUEUED_CHUNKS: usize = 4;

/// The JSON part of the payload: everything but the large arrays.
#[derive(Serialize, Deserialize)]
struct Header {
    vectorizer: VectorizerConfig,
    n_features: usize,
    topic: HeadInfo,
    stance: Option<StanceInfo>,
    meta: TrainingMeta,
    /// The article-context stage (absent in older files and models trained without articles).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    context: Option<ArticleContext>,
    /// The heads' temperatures (absent in older files and uncalibrated models).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    calibration: Option<Calibration>,
    /// The stance roles, when they are not the ones found by name among the
    /// stance labels ([`StanceRoles::find`]); absent in files from before roles.
    ///
    /// Note: left out when found by name, so a model whose labels are
    /// `favor`/`against`/`neutral` keeps the bytes it had before roles existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    stance_roles: Option<StanceRoles>,
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
            context: self.context.clone(),
            calibration: self.calibration.clone(),
            stance_roles: {
                let labels = self.stance_labels();
                let found = StanceRoles::find(labels.iter().map(String::as_str));
                (self.roles != found).then(|| self.roles.clone())
            },
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
        let forms = self.surface.forms();
        let forms = if self.surface.is_empty() {
            &[][..]
        } else {
            forms
        };
        p.extend_from_slice(&(forms.len() as u64).to_le_bytes());
        for f in forms {
            p.extend_from_slice(&(f.len() as u32).to_le_bytes());
            p.extend_from_slice(f.as_bytes());
        }
        let mut out = Vec::with_capacity(PREAMBLE + p.len() + CHECKSUM);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        out.extend_from_slice(&(p.len() as u64).to_le_bytes());
        out.extend_from_slice(&p);
        out.extend_from_slice(&Sha256::digest(&p));
        out
    }

    /// Reads a model file of at most [`DEFAULT_MAX_MODEL_BYTES`], refusing
    /// anything truncated, corrupted, from a newer format or out of range.
    pub fn load(path: &Path) -> Result<StanceModel> {
        StanceModel::load_with_limit(path, DEFAULT_MAX_MODEL_BYTES)
    }

    /// [`StanceModel::load`] for a file of at most `max_bytes` bytes (`--max-model-bytes`).
    ///
    /// The payload is read 1 MiB at a time and checksummed on a second
    /// thread while it is decoded. Every count and length in it is
    /// checked against the bytes actually left before anything is allocated
    /// for it, so loading needs the memory of the decoded model (about the
    /// file's size) plus a few chunks, whatever the file claims. Refused
    /// besides damage: a directory, a file above `max_bytes`, analyzer
    /// settings out of range ([`AnalyzerConfig::check`]), a topic named
    /// [`UNCERTAIN`], an idf outside [1, [`MAX_IDF`]], and a weight or
    /// intercept beyond ±[`MAX_ABS_WEIGHT`].
    ///
    /// [`AnalyzerConfig::check`]: crate::analysis::AnalyzerConfig::check
    pub fn load_with_limit(path: &Path, max_bytes: u64) -> Result<StanceModel> {
        let bad = |message: String| Error::BadModel {
            path: path.to_path_buf(),
            message,
        };
        let mut f = File::open(path).map_err(|e| Error::io(path, e))?;
        let metadata = f.metadata().map_err(|e| Error::io(path, e))?;
        if metadata.is_dir() {
            return Err(bad(
                "it is a directory; give the path of a model file".into()
            ));
        }
        read_model(&mut f, metadata.len(), max_bytes).map_err(|refusal| match refusal {
            Refusal::Io(e) => Error::io(path, e),
            Refusal::Bad(message) => bad(message),
        })
    }

    /// A model from the bytes of a model file, checked as [`StanceModel::load`]
    /// checks a file (without a size limit: the bytes are in memory already);
    /// `name` stands for the file in errors (a model built into a binary, say).
    pub fn from_bytes(bytes: &[u8], name: &Path) -> Result<StanceModel> {
        let mut reader = bytes;
        read_model(&mut reader, bytes.len() as u64, u64::MAX).map_err(|refusal| match refusal {
            Refusal::Io(e) => Error::io(name, e),
            Refusal::Bad(message) => Error::BadModel {
                path: name.to_path_buf(),
                message,
            },
        })
    }
}

/// Reads a model file of `file_len` bytes from `f`, refusing one above `max_bytes`.
fn read_model(
    f: &mut (dyn Read + Send),
    file_len: u64,
    max_bytes: u64,
) -> std::result::Result<StanceModel, Refusal> {
    let bad = Refusal::Bad;
    let mut pre = [0u8; PREAMBLE];
    f.read_exact(&mut pre)
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
    // Note: the claimed length is checked against the real file size and
    // the limit before anything is read or allocated.
    let expected = (PREAMBLE as u64)
        .checked_add(len)
        .and_then(|n| n.checked_add(CHECKSUM as u64));
    if expected != Some(file_len) {
        return Err(bad(format!(
            "header claims a {len}-byte payload but the file has {file_len} bytes (truncated or corrupted)"
        )));
    }
    if file_len > max_bytes {
        return Err(bad(format!(
            "the file has {file_len} bytes, more than the limit of {max_bytes} bytes \
             for a model; if it is a model you trust, raise the limit (--max-model-bytes)"
        )));
    }
    read_payload(f, version, len, CHUNK).map_err(|refusal| match refusal {
        Refusal::Io(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
            bad("file changed while reading".into())
        }
        refusal => refusal,
    })
}

/// Why a payload was refused.
enum Refusal {
    /// Reading the file failed.
    Io(std::io::Error),
    /// The bytes are not a usable model.
    Bad(String),
}

/// Reads, checksums and decodes the `len`-byte payload, `chunk_size` bytes
/// at a time, and the checksum after it.
///
/// Note: the checksum runs on its own thread beside the decoding, as both
/// take tens of milliseconds on a large model. The decoder is hardened
/// against arbitrary bytes, and what it decoded is used only if the checksum
/// matches. When decoding fails, the rest of the payload is still read and
/// checksummed (a chunk at a time, kept nowhere), so that a damaged file is
/// reported as corrupted rather than by whichever part failed to decode.
fn read_payload(
    file: &mut (dyn Read + Send),
    version: u32,
    len: u64,
    chunk_size: usize,
) -> std::result::Result<StanceModel, Refusal> {
    std::thread::scope(|scope| {
        let (to_checksum, chunks) = sync_channel::<Arc<Vec<u8>>>(QUEUED_CHUNKS);
        let (give_back, returned) = channel();
        let hasher = scope.spawn(move || {
            let mut sha = Sha256::new();
            for chunk in chunks {
                sha.update(chunk.as_slice());
                let _ = give_back.send(chunk);
            }
            sha.finalize()
        });
        let mut r = PayloadReader {
            file,
            len,
            chunk_size,
            chunk: Arc::new(Vec::new()),
            pos: 0,
            unread: len,
            to_checksum,
            returned,
            io_error: None,
        };
        let model = parse_payload(&mut r, version);
        let sum = r.finish();
        let digest = hasher
            .join()
            .map_err(|_| Refusal::Bad("the checksum thread failed".into()))?;
        if digest.as_slice() != sum.map_err(Refusal::Io)? {
            return Err(Refusal::Bad(
                "checksum mismatch: the file is corrupted".into(),
            ));
        }
        model.map_err(Refusal::Bad)
    })
}

/// Decodes a payload.
fn parse_payload(r: &mut PayloadReader, version: u32) -> std::result::Result<StanceModel, String> {
    let json_len = usize::try_from(r.u64()?).unwrap_or(usize::MAX);
    if json_len > MAX_HEADER_BYTES && json_len as u64 <= r.remaining() {
        return Err(format!(
            "the JSON header claims {json_len} bytes, more than the {MAX_HEADER_BYTES} a header may have"
        ));
    }
    let header: Header =
        serde_json::from_slice(&r.bytes(json_len)?).map_err(|e| format!("header: {e}"))?;
    header.vectorizer.analyzer.check().map_err(|e| match e {
        Error::InvalidParam {
            name,
            value,
            reason,
        } => format!("analyzer settings out of range: {name} {value}: {reason}"),
        e => e.to_string(),
    })?;
    if header.topic.labels.iter().any(|t| t == UNCERTAIN) {
        return Err(format!(
            "it has a topic named {UNCERTAIN:?}, which is reserved for low-confidence \
             statements (`score --min-confidence`, `report`); retrain with another name"
        ));
    }
    let k = header.topic.labels.len();
    if let Some(c) = &header.context {
        c.check(k)?;
        if let Some(sc) = &c.stance {
            let classes: Vec<usize> = (0..k)
                .map(|t| {
                    header
                        .stance
                        .as_ref()
                        .map_or(0, |s| match s.per_topic.get(t) {
                            Some(Some(h)) => h.labels.len(),
                            _ => s.shared.as_ref().map_or(0, |h| h.labels.len()),
                        })
                })
                .collect();
            sc.check(&classes)?;
        }
    }
    if let Some(c) = &header.calibration {
        let ok = |t: &f64| t.is_finite() && *t > 0.0;
        if c.stance.len() != k || !(ok(&c.topic) && ok(&c.shared_stance) && c.stance.iter().all(ok))
        {
            return Err(format!(
                "the calibration needs {k} positive finite stance temperatures and positive finite topic and shared ones"
            ));
        }
    }
    let n_terms = usize::try_from(r.u64()?).unwrap_or(usize::MAX);
    if n_terms != header.n_features {
        return Err(format!(
            "vocabulary has {n_terms} terms, header says {}",
            header.n_features
        ));
    }
    let terms = read_strings(r, n_terms, "term", || {
        format!("vocabulary claims {n_terms} terms, more than the file can hold")
    })?;
    let vocab = Vocabulary::from_sorted_terms(terms)?;
    // Note: indexing the vocabulary's word n-grams runs beside decoding the
    // weights; both take tens of milliseconds on a large model.
    let (index, rest) = rayon::join(
        || TermIndex::new(&vocab),
        || parse_weights(r, &header, n_terms),
    );
    let (tfidf, topic, stance) = rest?;
    let surface = if version >= 2 {
        parse_surface_forms(r, n_terms)?
    } else {
        SurfaceForms::none()
    };
    if r.remaining() != 0 {
        return Err(format!(
            "{} unexpected bytes after the last head",
            r.remaining()
        ));
    }
    let mut model = StanceModel {
        vectorizer: Vectorizer::from_indexed_parts(header.vectorizer, vocab, index, tfidf),
        topic,
        stance,
        roles: StanceRoles::default(),
        meta: header.meta,
        context: header.context,
        calibration: header.calibration,
        surface,
    };
    let labels = model.stance_labels();
    model.roles = match header.stance_roles {
        Some(roles) if !roles.all_in(&labels) => {
            return Err(format!(
                "its stance roles name labels its stance heads do not have ({})",
                roles.labels().join(", ")
            ))
        }
        Some(roles) => roles,
        None => StanceRoles::find(labels.iter().map(String::as_str)),
    };
    Ok(model)
}

/// Decodes the idf and the heads, the rest of the payload after the vocabulary.
fn parse_weights(
    r: &mut PayloadReader,
    header: &Header,
    n_terms: usize,
) -> std::result::Result<(Tfidf, LinearHead, Option<StanceHeads>), String> {
    let idf = r.f64s(n_terms)?;
    if idf.iter().any(|v| !(1.0..=MAX_IDF).contains(v)) {
        return Err(format!("an idf value is not a number in [1, {MAX_IDF}]"));
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
        if w.iter()
            .chain(&b)
            .any(|v| !(-MAX_ABS_WEIGHT..=MAX_ABS_WEIGHT).contains(v))
        {
            return Err(format!(
                "a weight or intercept is not a finite number within ±{MAX_ABS_WEIGHT:e} \
                 (class scores could overflow)"
            ));
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
    Ok((tfidf, topic, stance))
}

/// Reads `count` length-prefixed UTF-8 strings (`what` names one in the
/// error for bytes that are not UTF-8), after bounding `count` by the bytes
/// left: each string needs at least its 4-byte length, so a crafted count is
/// refused (`too_many`) before anything is allocated for it.
fn read_strings(
    r: &mut PayloadReader,
    count: usize,
    what: &str,
    too_many: impl FnOnce() -> String,
) -> std::result::Result<Vec<String>, String> {
    if count as u64 > r.remaining() / 4 {
        return Err(too_many());
    }
    let mut strings = Vec::with_capacity(count);
    for _ in 0..count {
        let l = r.u32()? as usize;
        let s = String::from_utf8(r.bytes(l)?).map_err(|_| format!("a {what} is not UTF-8"))?;
        strings.push(s);
    }
    Ok(strings)
}

/// Decodes the surface forms (format version 2): none, or one per term.
fn parse_surface_forms(
    r: &mut PayloadReader,
    n_terms: usize,
) -> std::result::Result<SurfaceForms, String> {
    let count = usize::try_from(r.u64()?).unwrap_or(usize::MAX);
    if count != 0 && count != n_terms {
        return Err(format!(
            "{count} surface forms for {n_terms} terms (there must be none or one per term)"
        ));
    }
    let forms = read_strings(r, count, "surface form", || {
        format!("{count} surface forms claimed, more than the file can hold")
    })?;
    Ok(SurfaceForms::from_forms(forms))
}

/// A bounds-checked cursor over the payload, which it reads from the file a
/// chunk at a time, handing every chunk to the checksum thread.
struct PayloadReader<'f> {
    file: &'f mut (dyn Read + Send),
    /// The payload's length.
    len: u64,
    /// Bytes read from the file at a time.
    chunk_size: usize,
    /// The chunk being decoded.
    chunk: Arc<Vec<u8>>,
    /// Where in `chunk`.
    pos: usize,
    /// Payload bytes not read from the file yet.
    unread: u64,
    to_checksum: SyncSender<Arc<Vec<u8>>>,
    /// Chunks the checksum thread is done with, for reuse.
    returned: Receiver<Arc<Vec<u8>>>,
    /// The read error that stopped decoding, if any.
    io_error: Option<std::io::Error>,
}

impl PayloadReader<'_> {
    /// Payload bytes not decoded yet.
    fn remaining(&self) -> u64 {
        (self.chunk.len() - self.pos) as u64 + self.unread
    }

    /// Reads the next chunk of the payload; the current one is used up.
    fn next_chunk(&mut self) -> std::result::Result<(), String> {
        let n = self.unread.min(self.chunk_size as u64) as usize;
        // Note: a chunk the checksum thread gave back is reused once decoding
        // has left it too; a fresh buffer per chunk cost a page fault per
        // 4 KiB, most of the time spent reading a large file.
        let mut buf = self
            .returned
            .try_iter()
            .find_map(|chunk| Arc::try_unwrap(chunk).ok())
            .unwrap_or_default();
        buf.clear();
        buf.resize(n, 0);
        if let Err(e) = self.file.read_exact(&mut buf) {
            let message = format!("cannot read the file: {e}");
            self.io_error = Some(e);
            return Err(message);
        }
        self.unread -= n as u64;
        self.chunk = Arc::new(buf);
        self.pos = 0;
        // Note: a send fails only if the checksum thread is gone, which
        // `read_payload` reports when it joins it.
        let _ = self.to_checksum.send(Arc::clone(&self.chunk));
        Ok(())
    }

    /// Refuses to go `n` bytes further when fewer remain.
    fn ensure(&self, n: usize) -> std::result::Result<(), String> {
        let remaining = self.remaining();
        if n as u64 > remaining {
            return Err(format!(
                "needs {n} more bytes at offset {} but only {remaining} remain",
                self.len - remaining
            ));
        }
        Ok(())
    }

    /// Fills `out` with the next bytes.
    fn read_into(&mut self, out: &mut [u8]) -> std::result::Result<(), String> {
        self.ensure(out.len())?;
        let mut done = 0;
        while done < out.len() {
            if self.pos == self.chunk.len() {
                self.next_chunk()?;
            }
            let n = (out.len() - done).min(self.chunk.len() - self.pos);
            out[done..done + n].copy_from_slice(&self.chunk[self.pos..self.pos + n]);
            self.pos += n;
            done += n;
        }
        Ok(())
    }

    /// The next `n` bytes.
    fn bytes(&mut self, n: usize) -> std::result::Result<Vec<u8>, String> {
        self.ensure(n)?;
        let mut out = vec![0u8; n];
        self.read_into(&mut out)?;
        Ok(out)
    }

    fn u32(&mut self) -> std::result::Result<u32, String> {
        let mut b = [0u8; 4];
        self.read_into(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }

    fn u64(&mut self) -> std::result::Result<u64, String> {
        let mut b = [0u8; 8];
        self.read_into(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }

    /// The next `n` little-endian f64s.
    fn f64s(&mut self, n: usize) -> std::result::Result<Vec<f64>, String> {
        self.ensure(n.checked_mul(8).ok_or("array size overflows")?)?;
        let mut out = Vec::with_capacity(n);
        while out.len() < n {
            if self.pos == self.chunk.len() {
                self.next_chunk()?;
            }
            let whole = ((self.chunk.len() - self.pos) / 8).min(n - out.len());
            let bytes = &self.chunk[self.pos..self.pos + 8 * whole];
            out.extend(bytes.chunks_exact(8).map(|c| {
                let mut a = [0u8; 8];
                a.copy_from_slice(c);
                f64::from_le_bytes(a)
            }));
            self.pos += 8 * whole;
            if whole == 0 {
                // Note: the next value straddles two chunks.
                let mut a = [0u8; 8];
                self.read_into(&mut a)?;
                out.push(f64::from_le_bytes(a));
            }
        }
        Ok(out)
    }

    /// Reads and checksums what decoding left of the payload, then returns
    /// the checksum stored after it, making sure nothing follows.
    fn finish(mut self) -> std::io::Result<[u8; CHECKSUM]> {
        while self.io_error.is_none() && self.unread > 0 {
            let _ = self.next_chunk();
        }
        if let Some(e) = self.io_error {
            return Err(e);
        }
        let mut sum = [0u8; CHECKSUM];
        self.file.read_exact(&mut sum)?;
        if self.file.read(&mut [0u8; 1])? != 0 {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "the file grew while it was read",
            ));
        }
        Ok(sum)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shipped model's file.
    fn shipped() -> (tempfile::TempDir, std::path::PathBuf, Vec<u8>) {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/default.model");
        let bytes = std::fs::read(&path).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let copy = dir.path().join("m.model");
        std::fs::write(&copy, &bytes).unwrap();
        (dir, copy, bytes)
    }

    /// The payload after its JSON header: the vocabulary and the arrays.
    fn body(file: &[u8]) -> &[u8] {
        let json_len = u64::from_le_bytes(file[PREAMBLE..PREAMBLE + 8].try_into().unwrap());
        &file[PREAMBLE + 8 + json_len as usize..file.len() - CHECKSUM]
    }

    #[test]
    fn any_chunk_size_decodes_the_same_model() {
        // Note: odd sizes put chunk ends inside lengths, terms and f64s.
        // The JSON header is left out of the comparison with the file: serde_json
        // reads some floats (the fit reports' objectives) to a neighbouring
        // double, so it does not re-serialise byte for byte (it does the same
        // for every chunk size).
        let (_dir, path, bytes) = shipped();
        let len = (bytes.len() - PREAMBLE - CHECKSUM) as u64;
        let mut first: Option<Vec<u8>> = None;
        for chunk_size in [CHUNK, 7, 13, 4096] {
            let mut f = File::open(&path).unwrap();
            f.read_exact(&mut [0u8; PREAMBLE]).unwrap();
            let version = u32::from_le_bytes(bytes[8..12].try_into().unwrap());
            let again = match read_payload(&mut f, version, len, chunk_size) {
                Ok(model) => model.to_bytes(),
                Err(Refusal::Bad(m)) => panic!("chunks of {chunk_size}: {m}"),
                Err(Refusal::Io(e)) => panic!("chunks of {chunk_size}: {e}"),
            };
            // Note: a version 1 file comes back with an empty surface-form section (its count, 0).
            let again_body = body(&again);
            let again_body = match version {
                1 => &again_body[..again_body.len() - 8],
                _ => again_body,
            };
            assert!(again_body == body(&bytes), "chunks of {chunk_size}");
            let first = first.get_or_insert_with(|| again.clone());
            assert!(again == *first, "chunks of {chunk_size}");
        }
    }

    /// `file` rewritten as format version 1: without the surface forms section.
    fn as_version_1(file: &[u8], n_forms_bytes: usize) -> Vec<u8> {
        let payload = &file[PREAMBLE..file.len() - CHECKSUM];
        let payload = &payload[..payload.len() - n_forms_bytes];
        let mut out = Vec::new();
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&1u32.to_le_bytes());
        out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
        out.extend_from_slice(payload);
        out.extend_from_slice(&Sha256::digest(payload));
        out
    }

    #[test]
    fn version_1_files_load_without_surface_forms() {
        let (dir, path, _) = shipped();
        let mut model = StanceModel::load(&path).unwrap();
        let forms: Vec<String> = model
            .vectorizer
            .vocabulary()
            .terms()
            .iter()
            .map(|t| format!("{t}!"))
            .collect();
        let section: usize = 8 + forms.iter().map(|f| 4 + f.len()).sum::<usize>();
        model.surface = SurfaceForms::from_forms(forms);
        let v2 = model.to_bytes();
        let v2_path = dir.path().join("v2.model");
        std::fs::write(&v2_path, &v2).unwrap();
        let again = StanceModel::load(&v2_path).unwrap();
        assert_eq!(again.surface, model.surface);
        let term = &model.vectorizer.vocabulary().terms()[0];
        assert_eq!(again.surface.show(0, term), format!("{term}!"));

        let v1_path = dir.path().join("v1.model");
        std::fs::write(&v1_path, as_version_1(&v2, section)).unwrap();
        let old = StanceModel::load(&v1_path).unwrap();
        assert!(old.surface.is_empty());
        assert_eq!(old.surface.show(0, term), *term);
        assert_eq!(old.topic, model.topic);
        // A version 2 file cut the same way is refused, not misread.
        let mut cut = as_version_1(&v2, section);
        cut[8..12].copy_from_slice(&2u32.to_le_bytes());
        std::fs::write(&v1_path, cut).unwrap();
        assert!(StanceModel::load(&v1_path).is_err());
    }

    #[test]
    fn the_limit_is_inclusive() {
        let (_dir, path, bytes) = shipped();
        let size = bytes.len() as u64;
        assert!(StanceModel::load_with_limit(&path, size).is_ok());
        let e = StanceModel::load_with_limit(&path, size - 1).unwrap_err();
        assert!(
            e.to_string().contains(&format!(
                "the file has {size} bytes, more than the limit of {} bytes",
                size - 1
            )),
            "{e}"
        );
    }
}
