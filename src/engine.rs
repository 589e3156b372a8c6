//! The aggregation engine: streams the data files through the row evaluator
//! in parallel chunks and accumulates sufficient statistics.
//!
//! Each chunk accumulates, per "combination" (period x one group of every
//! dimension, or none), the statistics `[n, Σw, Σw², Σwy, Σw²y, Σw²y²]` of
//! every measure: a row is added once, not once per cell it belongs to.
//! Chunk results are merged in chunk order, and the cells (Total, each group
//! of each dimension) are summed from the combinations in key order, so every
//! floating-point sum happens in the same order whatever the thread count.
//! Memory holds a batch of chunks and O(combinations x measures) numbers,
//! never the rows.

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::path::Path;
use std::time::Instant;

use rustc_hash::FxHashMap;

use crate::config::{BadRows, DimKind, Study};
use crate::diag::{Diagnostic, Diagnostics, Location};
use crate::ingest::chunk::{ChunkError, Chunker, RawChunk};
use crate::ingest::MAX_RAKE_DIMS;
use crate::ingest::{
    parse_header, Fault, Fields, Plan, Reason, RowEval, RowKind, SplitLine, Tables, Unassigned,
    NO_GROUP,
};
use crate::stats::drivers::Moments;
use crate::stats::{add_suff, NSTAT};

/// A raking class: period, category of every raking dimension, bits of the
/// design weight.
pub type RakeKey = (i32, [u32; MAX_RAKE_DIMS], u64);

/// A set of measures whose weighted moments are accumulated per
/// combination, over the respondents who answered all of them (listwise):
/// key-driver regressions (METHODOLOGY 6), or with `kano` the penalty-reward
/// dummies of every measure but the last (7).
#[derive(Debug, Clone)]
pub struct MomentSet {
    pub vars: Vec<usize>,
    /// (low, high): each variable but the outcome becomes two dummies,
    /// `score <= low` and `score >= high`.
    pub kano: Option<(f64, f64)>,
}

impl MomentSet {
    /// The number of variables of its moments.
    pub fn width(&self) -> usize {
        match self.kano {
            None => self.vars.len(),
            Some(_) => 2 * (self.vars.len() - 1) + 1,
        }
    }
}

/// What a pass collects beside the cell statistics (METHODOLOGY 5-9).
#[derive(Debug, Clone, Default)]
pub struct Extras {
    pub sets: Vec<MomentSet>,
    /// Measures kept per respondent who answered all of them (the PLS
    /// blocks), as rows `[period, weight, scores...]`.
    pub keep: Vec<usize>,
    /// Count the raking classes.
    pub rake: bool,
    /// Raked weights by class; replaces the design weight.
    pub rake_weights: Option<FxHashMap<RakeKey, f64>>,
}

impl Extras {
    fn active(&self) -> bool {
        !self.sets.is_empty() || !self.keep.is_empty() || self.rake
    }
}

/// Default chunk size: large enough to amortise per-chunk work, small
/// enough to keep a batch of chunks in a few tens of MB.
pub const DEFAULT_CHUNK: usize = 4 << 20;

#[derive(Debug, Clone)]
pub struct EngineOptions {
    /// Worker threads (0: one per core).
    pub threads: usize,
    /// The last period to compute (`None`: the latest in the data).
    pub period: Option<String>,
    /// Chunk size in bytes; results depend on it only through summation order.
    pub chunk_size: usize,
}

impl Default for EngineOptions {
    fn default() -> Self {
        EngineOptions {
            threads: 0,
            period: None,
            chunk_size: DEFAULT_CHUNK,
        }
    }
}

/// A rejected row, as written to rejected.csv.
#[derive(Debug, Clone)]
pub struct RejectedRow {
    pub file: String,
    pub line: u64,
    pub fault: Fault,
    pub raw: Vec<u8>,
}

/// What a run failed on, and how the CLI should exit.
#[derive(Debug)]
pub enum Failure {
    /// The config is invalid (or its columns are missing from the data).
    Config(Diagnostics),
    /// The data cannot be used (unreadable file, a bad row under `fail`).
    Data(Diagnostics),
}

impl Failure {
    pub fn diagnostics(&self) -> &Diagnostics {
        match self {
            Failure::Config(d) | Failure::Data(d) => d,
        }
    }
}

fn data_error(loc: Option<Location>, msg: impl Into<String>, help: &str) -> Failure {
    let mut d = Diagnostics::default();
    d.push(Diagnostic::error(loc, msg).with_help(help));
    Failure::Data(d)
}

/// One input file: what was read.
#[derive(Debug, Clone, serde::Serialize)]
pub struct InputInfo {
    pub path: String,
    pub bytes: u64,
    pub sha256: String,
    pub rows_read: u64,
    pub bom: bool,
}

/// The result of one chunk.
#[derive(Default)]
struct ChunkOut {
    rows_read: u64,
    used: BTreeMap<i32, u64>,
    outside: BTreeMap<i32, u64>,
    rejected: Vec<RejectedRow>,
    keys: Vec<Box<[u32]>>,
    rows: Vec<u64>,
    store: Vec<f64>,
    distinct: Vec<Vec<String>>,
    unassigned: Vec<Unassigned>,
    invalid: Vec<u64>,
    /// `[slot][set]` moments (see [`Extras`]).
    moments: Vec<Moments>,
    kept: Vec<f64>,
    classes: FxHashMap<RakeKey, u64>,
}

/// Everything accumulated over all files.
pub struct Totals {
    pub nmeasures: usize,
    map: FxHashMap<Box<[u32]>, u32>,
    keys: Vec<Box<[u32]>>,
    rows: Vec<u64>,
    store: Vec<f64>,
    /// Global interning of distinct-dimension values, first seen first.
    distinct: Vec<(HashMap<String, u32>, Vec<String>)>,
    pub rows_read: u64,
    pub used: BTreeMap<i32, u64>,
    pub outside: BTreeMap<i32, u64>,
    pub rejected: BTreeMap<Reason, u64>,
    pub unassigned: Vec<Unassigned>,
    pub invalid: Vec<u64>,
    pub inputs: Vec<InputInfo>,
    pub seconds_read: f64,
    /// `[slot][set]` moments of the pass's [`Extras`] sets.
    moments: Vec<Moments>,
    nsets: usize,
    /// Kept rows `[period, weight, scores of Extras::keep...]`, in file order.
    pub kept: Vec<f64>,
    /// Respondents per raking class.
    pub classes: BTreeMap<RakeKey, u64>,
}

impl Totals {
    fn new(study: &Study) -> Self {
        let nd = study.dimensions.len();
        Totals {
            nmeasures: study.measures.len(),
            map: FxHashMap::default(),
            keys: Vec::new(),
            rows: Vec::new(),
            store: Vec::new(),
            distinct: (0..nd).map(|_| (HashMap::new(), Vec::new())).collect(),
            rows_read: 0,
            used: BTreeMap::new(),
            outside: BTreeMap::new(),
            rejected: BTreeMap::new(),
            unassigned: vec![Unassigned::default(); nd],
            invalid: vec![0; study.measures.len()],
            inputs: Vec::new(),
            seconds_read: 0.0,
            moments: Vec::new(),
            nsets: 0,
            kept: Vec::new(),
            classes: BTreeMap::new(),
        }
    }

    pub fn rows_used(&self) -> u64 {
        self.used.values().sum()
    }
    pub fn rows_outside(&self) -> u64 {
        self.outside.values().sum()
    }
    pub fn rows_rejected(&self) -> u64 {
        self.rejected.values().sum()
    }

    /// Adds a chunk's results; gives back its (spent) accumulator store.
    fn merge(&mut self, study: &Study, c: ChunkOut) -> Vec<f64> {
        let stride = self.nmeasures * NSTAT;
        self.rows_read += c.rows_read;
        for (p, n) in c.used {
            *self.used.entry(p).or_default() += n;
        }
        for (p, n) in c.outside {
            *self.outside.entry(p).or_default() += n;
        }
        for r in &c.rejected {
            *self.rejected.entry(r.fault.reason).or_default() += 1;
        }
        // Local distinct ids -> global ids.
        let remap: Vec<Vec<u32>> = c
            .distinct
            .iter()
            .enumerate()
            .map(|(d, vals)| {
                let (map, list) = &mut self.distinct[d];
                vals.iter()
                    .map(|v| {
                        *map.entry(v.clone()).or_insert_with(|| {
                            list.push(v.clone());
                            (list.len() - 1) as u32
                        })
                    })
                    .collect()
            })
            .collect();
        let mut key: Vec<u32> = Vec::new();
        for (i, k) in c.keys.iter().enumerate() {
            key.clear();
            key.extend_from_slice(k);
            for (d, dim) in study.dimensions.iter().enumerate() {
                if dim.kind == DimKind::Distinct && key[1 + d] != NO_GROUP {
                    key[1 + d] = remap[d][key[1 + d] as usize];
                }
            }
            let nsets = self.nsets;
            let slot = match self.map.get(key.as_slice()) {
                Some(&s) => s as usize,
                None => {
                    let s = self.keys.len();
                    self.map.insert(key.clone().into_boxed_slice(), s as u32);
                    self.keys.push(key.clone().into_boxed_slice());
                    self.rows.push(0);
                    self.store.resize(self.store.len() + stride, 0.0);
                    self.moments.extend(
                        c.moments[i * nsets..(i + 1) * nsets]
                            .iter()
                            .map(|m| Moments::new(m.p())),
                    );
                    s
                }
            };
            for j in 0..nsets {
                self.moments[slot * nsets + j].merge(&c.moments[i * nsets + j]);
            }
            self.rows[slot] += c.rows[i];
            add_suff(
                &mut self.store[slot * stride..(slot + 1) * stride],
                &c.store[i * stride..(i + 1) * stride],
            );
        }
        for (d, u) in c.unassigned.into_iter().enumerate() {
            let t = &mut self.unassigned[d];
            t.empty += u.empty;
            t.unmatched += u.unmatched;
            for (v, n) in u.values {
                if let Some(x) = t.values.get_mut(&v) {
                    *x += n;
                } else if t.values.len() < crate::ingest::MAX_UNMATCHED_VALUES {
                    t.values.insert(v, n);
                }
            }
        }
        for (a, b) in self.invalid.iter_mut().zip(c.invalid) {
            *a += b;
        }
        self.kept.extend_from_slice(&c.kept);
        for (k, n) in c.classes {
            *self.classes.entry(k).or_default() += n;
        }
        c.store
    }
}

struct FileCtx<'a> {
    study: &'a Study,
    plan: &'a Plan,
    tables: &'a Tables,
    period_to: Option<i32>,
    file_label: &'a str,
    extras: &'a Extras,
}

/// Per-chunk accumulation state.
struct ChunkState<'a> {
    ev: RowEval<'a>,
    out: ChunkOut,
    map: ComboMap,
    key: Vec<u32>,
    stride: usize,
    scratch: Vec<f64>,
}

/// Combination keys (period, group of every dimension) to accumulator
/// slots, numbered in order of first appearance. Keys of up to eight parts
/// (seven dimensions) are held inline as fixed arrays, whose hashing and
/// comparison the compiler inlines; longer keys are boxed.
enum ComboMap {
    Inline(FxHashMap<[u32; 8], u32>),
    Boxed(FxHashMap<Box<[u32]>, u32>),
}

impl ComboMap {
    fn new(parts: usize) -> Self {
        if parts <= 8 {
            ComboMap::Inline(FxHashMap::default())
        } else {
            ComboMap::Boxed(FxHashMap::default())
        }
    }

    /// The slot of `key`, and whether it is new.
    #[inline]
    fn slot(&mut self, key: &[u32]) -> (usize, bool) {
        match self {
            ComboMap::Inline(map) => {
                let mut k = [u32::MAX; 8];
                k[..key.len()].copy_from_slice(key);
                let next = map.len() as u32;
                let mut new = false;
                let s = *map.entry(k).or_insert_with(|| {
                    new = true;
                    next
                });
                (s as usize, new)
            }
            ComboMap::Boxed(map) => {
                if let Some(&s) = map.get(key) {
                    return (s as usize, false);
                }
                let s = map.len();
                map.insert(key.into(), s as u32);
                (s, true)
            }
        }
    }
}

impl ChunkState<'_> {
    /// Accumulates a used row into the pass's [`Extras`].
    #[cold]
    fn extras(&mut self, ex: &Extras, slot: usize, new: bool, period: i32, weight: f64) {
        let vals = &self.ev.values;
        let out = &mut self.out;
        let nsets = ex.sets.len();
        if new {
            out.moments
                .extend(ex.sets.iter().map(|s| Moments::new(s.width())));
        }
        for (j, set) in ex.sets.iter().enumerate() {
            if set.vars.iter().any(|&m| vals[m].is_nan()) {
                continue;
            }
            let x = &mut self.scratch;
            x.clear();
            match set.kano {
                None => x.extend(set.vars.iter().map(|&m| vals[m])),
                Some((low, high)) => {
                    let (outcome, attrs) = set.vars.split_last().expect("a set has an outcome");
                    for &m in attrs {
                        x.push(if vals[m] <= low { 1.0 } else { 0.0 });
                        x.push(if vals[m] >= high { 1.0 } else { 0.0 });
                    }
                    x.push(vals[*outcome]);
                }
            }
            out.moments[slot * nsets + j].add(weight, x);
        }
        if !ex.keep.is_empty() && ex.keep.iter().all(|&m| !vals[m].is_nan()) {
            out.kept.push(period as f64);
            out.kept.push(weight);
            out.kept.extend(ex.keep.iter().map(|&m| vals[m]));
        }
        if ex.rake {
            *out.classes
                .entry((period, self.ev.rake, weight.to_bits()))
                .or_default() += 1;
        }
    }

    /// Evaluates and accumulates one record; false when the run must stop
    /// (a bad row under `bad_rows = "fail"`).
    #[inline]
    fn record<F: Fields>(&mut self, ctx: &FileCtx<'_>, rec: &F, raw: &[u8], line: u64) -> bool {
        let out = &mut self.out;
        out.rows_read += 1;
        match self.ev.eval(rec) {
            RowKind::Used { period, weight } => {
                let ex = ctx.extras;
                let weight = match &ex.rake_weights {
                    // Every class was seen by the raking pass over the same
                    // bytes (the digests are compared after the run).
                    Some(t) => t
                        .get(&(period, self.ev.rake, weight.to_bits()))
                        .copied()
                        .unwrap_or(weight),
                    None => weight,
                };
                let key = &mut self.key;
                key.clear();
                key.push(period as u32);
                key.extend_from_slice(&self.ev.groups);
                let stride = self.stride;
                let (slot, new) = self.map.slot(key);
                if new {
                    out.keys.push(key.clone().into_boxed_slice());
                    out.rows.push(0);
                    out.store.resize(out.store.len() + stride, 0.0);
                }
                out.rows[slot] += 1;
                let block = &mut out.store[slot * stride..(slot + 1) * stride];
                add_row_soa(block, &self.ev.values, weight);
                if ex.active() {
                    self.extras(ex, slot, new, period, weight);
                }
            }
            RowKind::Outside { period } => {
                *out.outside.entry(period).or_default() += 1;
            }
            RowKind::Rejected(fault) => {
                out.rejected.push(RejectedRow {
                    file: ctx.file_label.to_string(),
                    line,
                    fault,
                    raw: raw.trim_ascii_end().to_vec(),
                });
                if ctx.study.bad_rows == BadRows::Fail {
                    return false;
                }
            }
        }
        true
    }
}

/// Pushes the positions of `delim` in `text` onto `ends`, eight bytes at a
/// time: delimiters are dense in survey data (every two or three bytes), so a
/// word-at-a-time scan whose mask is walked bit by bit beats both a byte loop
/// and an iterator built for sparse matches.
#[inline]
fn delimiter_positions(text: &[u8], delim: u8, ends: &mut Vec<usize>) {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    let pattern = ONES * u64::from(delim);
    let mut words = text.chunks_exact(8);
    let mut base = 0;
    for word in &mut words {
        let x = u64::from_le_bytes(word.try_into().expect("8 bytes")) ^ pattern;
        // The high bit of each byte that is zero in x, i.e. equal to delim;
        // exact (no carries between bytes, unlike the classic haszero trick).
        let mut mask = !(((x & LOW7) + LOW7) | x | LOW7);
        while mask != 0 {
            ends.push(base + (mask.trailing_zeros() / 8) as usize);
            mask &= mask - 1;
        }
        base += 8;
    }
    for (i, &b) in words.remainder().iter().enumerate() {
        if b == delim {
            ends.push(base + i);
        }
    }
}

/// Adds one respondent's measures (NaN = missing) with weight `w` to a
/// chunk accumulator block laid out statistic-major (`block[s * m + i]` is
/// statistic s of measure i, s in the order of [`crate::stats::Suff`]).
///
/// The same arithmetic as [`crate::stats::add_obs`] for every present
/// measure, written without branches so that the compiler vectorises it
/// across measures: a missing measure adds exact zeros (x + 0.0 == x), so the
/// sums are bit for bit those of the branching form.
///
/// On x86-64 CPUs with AVX2 (detected once per process) the same code is
/// compiled for AVX2; the operations per element are the same IEEE
/// additions and multiplications (no fused multiply-add), so both paths give
/// the same bits.
#[inline]
fn add_row_soa(block: &mut [f64], vals: &[f64], w: f64) {
    let m = vals.len();
    let (n, rest) = block.split_at_mut(m);
    let (sw, rest) = rest.split_at_mut(m);
    let (sw2, rest) = rest.split_at_mut(m);
    let (swd, rest) = rest.split_at_mut(m);
    let (sw2d, rest) = rest.split_at_mut(m);
    let (sw2d2, shift) = rest.split_at_mut(m);
    let s = Stats {
        n,
        sw,
        sw2,
        swd,
        sw2d,
        sw2d2,
        shift: &mut shift[..m],
    };
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports AVX2, checked just above.
            unsafe { add_row_avx2(s, vals, w) };
            return;
        }
    }
    add_row_kernel(s, vals, w);
}

/// The statistic rows of one accumulator block, as separate slices of equal
/// length (so the compiler knows they do not overlap).
struct Stats<'a> {
    n: &'a mut [f64],
    sw: &'a mut [f64],
    sw2: &'a mut [f64],
    swd: &'a mut [f64],
    sw2d: &'a mut [f64],
    sw2d2: &'a mut [f64],
    shift: &'a mut [f64],
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn add_row_avx2(s: Stats<'_>, vals: &[f64], w: f64) {
    add_row_kernel(s, vals, w);
}

#[inline(always)]
fn add_row_kernel(s: Stats<'_>, vals: &[f64], w: f64) {
    let m = vals.len();
    let Stats {
        n,
        sw,
        sw2,
        swd,
        sw2d,
        sw2d2,
        shift,
    } = s;
    let (n, sw, sw2, swd, sw2d, sw2d2, shift) = (
        &mut n[..m],
        &mut sw[..m],
        &mut sw2[..m],
        &mut swd[..m],
        &mut sw2d[..m],
        &mut sw2d2[..m],
        &mut shift[..m],
    );
    let w2 = w * w;
    for i in 0..m {
        let y = vals[i];
        let present = !y.is_nan();
        let c = if present && n[i] == 0.0 { y } else { shift[i] };
        shift[i] = c;
        let p = if present { 1.0 } else { 0.0 };
        let d = if present { y - c } else { 0.0 };
        let wp = w * p;
        let w2p = w2 * p;
        n[i] += p;
        sw[i] += wp;
        sw2[i] += w2p;
        swd[i] += wp * d;
        sw2d[i] += w2p * d;
        sw2d2[i] += w2p * d * d;
    }
}

/// Turns every statistic-major block of `store` into the measure-major
/// layout ([`crate::stats::Suff`] per measure) that merging uses.
fn soa_to_aos(store: &mut [f64], m: usize) {
    let stride = m * NSTAT;
    let mut tmp = vec![0.0; stride];
    for block in store.chunks_exact_mut(stride) {
        for i in 0..m {
            for s in 0..NSTAT {
                tmp[i * NSTAT + s] = block[s * m + i];
            }
        }
        block.copy_from_slice(&tmp);
    }
}

/// csv-core, for the records that hold quotes.
struct QuotedParser {
    rdr: csv_core::Reader,
    out: Vec<u8>,
    ends: Vec<usize>,
    nfields: usize,
}

/// The fields of a record parsed by csv-core: `ends[i]` is where field i
/// ends in the unquoted output buffer.
struct Parsed<'a> {
    buf: &'a [u8],
    ends: &'a [usize],
}

impl Fields for Parsed<'_> {
    #[inline]
    fn count(&self) -> usize {
        self.ends.len()
    }
    #[inline]
    fn field(&self, i: usize) -> &[u8] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.buf[start..self.ends[i]]
    }
}

impl QuotedParser {
    fn new(delim: u8, quote: u8) -> Self {
        QuotedParser {
            rdr: csv_core::ReaderBuilder::new()
                .delimiter(delim)
                .quote(quote)
                .build(),
            out: vec![0; 4096],
            ends: vec![0; 256],
            nfields: 0,
        }
    }

    /// Parses the record at the start of `input`; returns the bytes consumed
    /// (terminator included), or `None` if no record is there.
    fn parse(&mut self, input: &[u8]) -> Option<usize> {
        use csv_core::ReadRecordResult as R;
        let (mut nin, mut nout, mut nend) = (0, 0, 0);
        loop {
            let (res, i, o, e) =
                self.rdr
                    .read_record(&input[nin..], &mut self.out[nout..], &mut self.ends[nend..]);
            nin += i;
            nout += o;
            nend += e;
            match res {
                R::Record => break,
                R::OutputFull => self.out.resize(self.out.len() * 2, 0),
                R::OutputEndsFull => self.ends.resize(self.ends.len() * 2, 0),
                // The chunk ends without a terminator: tell csv-core so.
                R::InputEmpty if nin >= input.len() => {
                    let (res, _, _, e) =
                        self.rdr
                            .read_record(&[], &mut self.out[nout..], &mut self.ends[nend..]);
                    nend += e;
                    match res {
                        R::Record => break,
                        _ => return None,
                    }
                }
                R::InputEmpty => {}
                R::End => return None,
            }
        }
        self.nfields = nend;
        Some(nin)
    }

    fn fields(&self) -> Parsed<'_> {
        Parsed {
            buf: &self.out,
            ends: &self.ends[..self.nfields],
        }
    }
}

/// Parses and accumulates one chunk. Lines without a quote character (nearly
/// all) are split at the delimiter directly; a record with quotes goes
/// through the csv crate, which also handles quoted newlines. Blank lines
/// are skipped, as the csv crate does.
/// Parses and accumulates one chunk; `store` is a spent accumulator store
/// to reuse (its contents are discarded).
fn process_chunk(ctx: &FileCtx<'_>, chunk: &RawChunk, mut store: Vec<f64>) -> ChunkOut {
    let study = ctx.study;
    store.clear();
    let mut st = ChunkState {
        ev: RowEval::new(study, ctx.plan, ctx.tables, ctx.period_to),
        out: ChunkOut {
            store,
            ..ChunkOut::default()
        },
        map: ComboMap::new(1 + study.dimensions.len()),
        key: Vec::with_capacity(1 + study.dimensions.len()),
        stride: study.measures.len() * NSTAT,
        scratch: Vec::new(),
    };
    let (delim, quote) = (study.data.delimiter, study.data.quote);
    let data = chunk.data.as_slice();
    let mut ends: Vec<usize> = Vec::with_capacity(ctx.plan.header.len() + 1);
    let mut quoted = QuotedParser::new(delim, quote);
    let mut pos = 0usize;
    let mut line = chunk.first_line;
    while pos < data.len() {
        let nl = memchr::memchr(b'\n', &data[pos..]).map(|i| pos + i);
        let end = nl.unwrap_or(data.len());
        let text = &data[pos..end];
        if memchr::memchr(quote, text).is_none() {
            let next = nl.map_or(data.len(), |i| i + 1);
            let text = text.strip_suffix(b"\r").unwrap_or(text);
            if !text.is_empty() {
                ends.clear();
                delimiter_positions(text, delim, &mut ends);
                ends.push(text.len());
                let fields = SplitLine {
                    line: text,
                    ends: &ends,
                };
                if !st.record(ctx, &fields, text, line) {
                    break;
                }
            }
            pos = next;
            line += 1;
            continue;
        }
        // A record with quotes: csv-core parses it (one reader per chunk,
        // reused), across lines if a quoted field holds newlines.
        let Some(consumed) = quoted.parse(&data[pos..]) else {
            // Unreachable for well-formed chunks; count rather than panic.
            st.out.rows_read += 1;
            st.out.rejected.push(RejectedRow {
                file: ctx.file_label.to_string(),
                line,
                fault: Fault {
                    reason: Reason::FieldCount,
                    column: String::new(),
                    value: String::new(),
                    detail: "unreadable record".into(),
                },
                raw: data[pos..].to_vec(),
            });
            break;
        };
        let raw = &data[pos..pos + consumed];
        if !st.record(ctx, &quoted.fields(), raw, line) {
            break;
        }
        line += memchr::memchr_iter(b'\n', raw).count() as u64;
        pos += consumed;
    }
    let mut out = st.out;
    soa_to_aos(&mut out.store, study.measures.len());
    for (k, &n) in out.keys.iter().zip(&out.rows) {
        *out.used.entry(k[0] as i32).or_default() += n;
    }
    out.distinct = st.ev.interners.into_iter().map(|i| i.values).collect();
    out.unassigned = st.ev.unassigned;
    out.invalid = st.ev.invalid;
    out
}

/// The label of a data file in outputs: relative to the study file's folder.
/// Why a file's pipeline stopped early.
enum PipeError {
    Chunk(ChunkError),
    Stop(Failure),
}

/// What the reader and the parsers send to the merger.
enum Msg {
    Out(u64, Box<ChunkOut>),
    Failed(u64, ChunkError),
    End(u64),
}

/// Streams one file through the pool: a reader thread cuts chunks (and
/// hashes the bytes), every thread of the pool parses chunks as they come,
/// and this thread merges their results strictly in chunk order, so the sums
/// do not depend on which thread parsed what. At most `2 x threads + 2`
/// chunks are in flight (read, being parsed, or parsed and waiting for their
/// turn to merge), so memory does not grow with the file. No barrier between
/// batches: a thread that finishes a chunk takes the next one at once.
///
/// `on_rejected` sees every rejected row in file order; an error from it
/// stops the run (the policy `fail`). Returns the chunker, for its byte
/// count and digest.
fn pipeline<R: std::io::Read + Send>(
    pool: &rayon::ThreadPool,
    ctx: &FileCtx<'_>,
    mut chunker: Chunker<R>,
    totals: &mut Totals,
    on_rejected: &mut (dyn FnMut(&RejectedRow) -> Result<(), Failure> + Send),
) -> Result<Chunker<R>, PipeError> {
    use std::sync::mpsc::{channel, sync_channel};
    use std::sync::Mutex;
    let inflight = pool.current_num_threads() + 2;
    let (work_tx, work_rx) = sync_channel::<(u64, RawChunk)>(inflight);
    let work_rx = Mutex::new(work_rx);
    let (msg_tx, msg_rx) = channel::<Msg>();
    // A token per chunk in flight: the reader takes one before reading a
    // chunk, the merger gives it back after merging that chunk.
    let (token_tx, token_rx) = sync_channel::<()>(inflight);
    for _ in 0..inflight {
        token_tx.send(()).expect("the receiver is alive");
    }
    // Buffers go round instead of being freed and allocated again for every
    // chunk: chunk bytes back to the reader, accumulator stores back to the
    // parsers. Memory then stays flat however long the file is.
    let (spent_tx, spent_rx) = channel::<Vec<u8>>();
    let stores: Mutex<Vec<Vec<f64>>> = Mutex::new(Vec::new());
    let stores = &stores;
    std::thread::scope(|scope| {
        let reader_msg = msg_tx.clone();
        let reader = scope.spawn(move || {
            let mut i = 0u64;
            while token_rx.recv().is_ok() {
                while let Ok(buf) = spent_rx.try_recv() {
                    chunker.recycle(buf);
                }
                match chunker.next_chunk() {
                    Ok(Some(c)) => {
                        if work_tx.send((i, c)).is_err() {
                            break;
                        }
                        i += 1;
                    }
                    Ok(None) => {
                        let _ = reader_msg.send(Msg::End(i));
                        break;
                    }
                    Err(e) => {
                        let _ = reader_msg.send(Msg::Failed(i, e));
                        break;
                    }
                }
            }
            chunker
        });
        let parsers_msg = msg_tx;
        let work_rx = &work_rx;
        let parsers = scope.spawn(move || {
            pool.broadcast(|_| loop {
                let next = work_rx.lock().map(|rx| rx.recv());
                let Ok(Ok((i, chunk))) = next else { break };
                let store = stores.lock().ok().and_then(|mut v| v.pop());
                let out = process_chunk(ctx, &chunk, store.unwrap_or_default());
                let _ = spent_tx.send(chunk.data);
                if parsers_msg.send(Msg::Out(i, Box::new(out))).is_err() {
                    break;
                }
            });
        });
        // Merge in chunk order.
        let mut waiting: BTreeMap<u64, ChunkOut> = BTreeMap::new();
        let mut next = 0u64;
        let mut end: Option<u64> = None;
        let mut failed: Option<(u64, ChunkError)> = None;
        let result = 'merge: loop {
            while let Some(out) = waiting.remove(&next) {
                for r in &out.rejected {
                    if let Err(f) = on_rejected(r) {
                        break 'merge Err(PipeError::Stop(f));
                    }
                }
                let store = totals.merge(ctx.study, out);
                if let Ok(mut pool) = stores.lock() {
                    if pool.len() < inflight {
                        pool.push(store);
                    }
                }
                next += 1;
                let _ = token_tx.send(());
            }
            if end == Some(next) {
                break Ok(());
            }
            if failed.as_ref().is_some_and(|(i, _)| *i == next) {
                break Err(PipeError::Chunk(failed.take().expect("checked").1));
            }
            match msg_rx.recv() {
                Ok(Msg::Out(i, out)) => {
                    waiting.insert(i, *out);
                }
                Ok(Msg::End(n)) => end = Some(n),
                Ok(Msg::Failed(i, e)) => failed = Some((i, e)),
                // Every sender gone before the end: a parser panicked.
                Err(_) => {
                    break Err(PipeError::Stop(data_error(
                        None,
                        "internal error: a parser thread stopped",
                        "please report this as a bug",
                    )))
                }
            }
        };
        // Stop the reader and the parsers (on error) and wait for them.
        drop(token_tx);
        drop(msg_rx);
        let chunker = reader.join();
        let _ = parsers.join();
        match (result, chunker) {
            (Ok(()), Ok(c)) => Ok(c),
            (Err(e), _) => Err(e),
            (Ok(()), Err(_)) => Err(PipeError::Stop(data_error(
                None,
                "internal error: the reader thread stopped",
                "please report this as a bug",
            ))),
        }
    })
}

pub fn file_label(study: &Study, path: &Path) -> String {
    let base = study.study_file.parent().unwrap_or(Path::new(""));
    path.strip_prefix(base)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

/// The error of a bad row under `bad_rows = "fail"`.
fn fail_row(path: &Path, plan: &Plan, r: &RejectedRow) -> Failure {
    let mut d = Diagnostics::default();
    let col = if r.fault.column.is_empty() {
        String::new()
    } else {
        let field = plan
            .header
            .iter()
            .position(|h| *h == r.fault.column)
            .map(|i| i + 1)
            .unwrap_or(0);
        format!(", column `{}` (field {field})", r.fault.column)
    };
    d.push(
        Diagnostic::error(
            Some(Location::line(path, r.line as usize)),
            format!("bad row ({}{col}): {}", r.fault.reason, r.fault.detail),
        )
        .with_help(
            "fix the row, or set bad_rows = \"reject\" in [study] to set bad rows aside in rejected.csv",
        ),
    );
    Failure::Data(d)
}

/// Builds the thread pool of a run.
pub fn thread_pool(threads: usize) -> Result<rayon::ThreadPool, Failure> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| {
            data_error(
                None,
                format!("cannot start worker threads: {e}"),
                "try --threads 1",
            )
        })
}

/// Streams every data file and accumulates. `on_reject` receives rejected
/// rows in file order as they are found (to stream them to rejected.csv).
pub fn ingest(
    study: &Study,
    opts: &EngineOptions,
    pool: &rayon::ThreadPool,
    on_reject: &mut (dyn FnMut(&RejectedRow) -> std::io::Result<()> + Send),
) -> Result<Totals, Failure> {
    ingest_pass(
        study,
        opts,
        pool,
        &Tables::new(study),
        &Extras::default(),
        on_reject,
    )
}

/// The last period of a run (`--period`), as an ordinal.
pub fn period_to(study: &Study, opts: &EngineOptions) -> Result<Option<i32>, Failure> {
    match &opts.period {
        None => Ok(None),
        Some(p) => match study.period.calendar.parse_label(p) {
            Some(o) => Ok(Some(o)),
            None => Err(data_error(
                None,
                format!("--period `{p}` is not {}", study.period.calendar.expected()),
                "pass a period label of the study, or leave --period out for the latest period in the data",
            )),
        },
    }
}

/// One pass over every data file: [`ingest`] with the given scoring tables
/// (derived weights) and extras to collect.
pub fn ingest_pass(
    study: &Study,
    opts: &EngineOptions,
    pool: &rayon::ThreadPool,
    tables: &Tables,
    extras: &Extras,
    on_reject: &mut (dyn FnMut(&RejectedRow) -> std::io::Result<()> + Send),
) -> Result<Totals, Failure> {
    let t0 = Instant::now();
    let period_to = period_to(study, opts)?;
    let mut totals = Totals::new(study);
    totals.nsets = extras.sets.len();
    for path in &study.data.files {
        let label = file_label(study, path);
        let file = File::open(path).map_err(|e| {
            data_error(
                Some(Location::file(path)),
                format!("cannot open data file: {e}"),
                "check [data] files in the study config; paths are relative to the config file",
            )
        })?;
        let unbalanced = |line: u64| {
            data_error(
                Some(Location::line(path, line as usize)),
                format!(
                    "no end of record within {} MiB: a quote opened here is probably never closed",
                    crate::ingest::chunk::MAX_RECORD >> 20
                ),
                "fields holding quotes must be quoted and their quotes doubled (RFC 4180)",
            )
        };
        let io_err = |e: std::io::Error| {
            data_error(
                Some(Location::file(path)),
                format!("cannot read data file: {e}"),
                "check that the file is readable",
            )
        };
        let mut chunker = Chunker::new(file, study.data.quote, opts.chunk_size);
        let header = match chunker.header() {
            Ok(Some(h)) => h,
            Ok(None) => {
                return Err(data_error(
                    Some(Location::file(path)),
                    "the data file is empty: it has no header row",
                    "a data file starts with a header row naming its columns",
                ))
            }
            Err(ChunkError::Io(e)) => return Err(io_err(e)),
            Err(ChunkError::Unbalanced { line }) => return Err(unbalanced(line)),
        };
        let names = parse_header(&header.data, study.data.delimiter, study.data.quote)
            .map_err(|m| data_error(Some(Location::line(path, 1)), m, "fix the header row"))?;
        let plan = Plan::new(study, path, names).map_err(Failure::Config)?;
        let ctx = FileCtx {
            study,
            plan: &plan,
            tables,
            period_to,
            file_label: &label,
            extras,
        };
        let rows_before = totals.rows_read;
        let chunker = pipeline(pool, &ctx, chunker, &mut totals, &mut |r| {
            if study.bad_rows == BadRows::Fail {
                return Err(fail_row(path, &plan, r));
            }
            on_reject(r).map_err(|e| {
                data_error(
                    None,
                    format!("cannot write rejected.csv: {e}"),
                    "check the output folder",
                )
            })
        })
        .map_err(|e| match e {
            PipeError::Chunk(ChunkError::Io(e)) => io_err(e),
            PipeError::Chunk(ChunkError::Unbalanced { line }) => unbalanced(line),
            PipeError::Stop(f) => f,
        })?;
        let bom = chunker.had_bom();
        let (bytes, sha256) = chunker.finish();
        totals.inputs.push(InputInfo {
            path: label,
            bytes,
            sha256,
            rows_read: totals.rows_read - rows_before,
            bom,
        });
    }
    totals.seconds_read = t0.elapsed().as_secs_f64();
    Ok(totals)
}

/// The cells of a run: the statistics of every measure in every cell.
pub struct Aggregates {
    /// Periods computed, oldest first (ordinals).
    pub periods: Vec<i32>,
    /// Groups of each dimension, in output order: (id, label).
    pub groups: Vec<Vec<(String, String)>>,
    /// Cell index of dimension d's first group (cell 0 is Total).
    pub dim_offset: Vec<usize>,
    pub ncells: usize,
    pub nmeasures: usize,
    /// `[period][cell][measure][NSTAT]`.
    pub stats: Vec<f64>,
    /// Rows used per `[period][cell]`.
    pub rows: Vec<u64>,
    /// Moments of the pass's sets per `[period][cell][set]`.
    pub moments: Vec<Moments>,
    pub nsets: usize,
}

impl Aggregates {
    pub fn suff(&self, p: usize, cell: usize, m: usize) -> &[f64] {
        let i = ((p * self.ncells + cell) * self.nmeasures + m) * NSTAT;
        &self.stats[i..i + NSTAT]
    }
    pub fn cell_rows(&self, p: usize, cell: usize) -> u64 {
        self.rows[p * self.ncells + cell]
    }
    pub fn moments(&self, p: usize, cell: usize, set: usize) -> &Moments {
        &self.moments[(p * self.ncells + cell) * self.nsets + set]
    }
}

/// Sums the combinations into cells, in key order. Every period with used
/// rows is computed (rows after `--period` never reach the totals).
pub fn aggregate(study: &Study, totals: &Totals) -> Aggregates {
    let periods: Vec<i32> = totals.used.keys().copied().collect();
    // Group lists.
    let mut groups: Vec<Vec<(String, String)>> = Vec::new();
    let mut remaps: Vec<Vec<u32>> = Vec::new();
    for (d, dim) in study.dimensions.iter().enumerate() {
        if dim.kind == DimKind::Distinct {
            let list = &totals.distinct[d].1;
            let mut order: Vec<usize> = (0..list.len()).collect();
            order.sort_by(|&a, &b| list[a].cmp(&list[b]));
            let mut remap = vec![0u32; list.len()];
            for (new, &old) in order.iter().enumerate() {
                remap[old] = new as u32;
            }
            groups.push(
                order
                    .iter()
                    .map(|&i| (list[i].clone(), list[i].clone()))
                    .collect(),
            );
            remaps.push(remap);
        } else {
            groups.push(
                dim.groups
                    .iter()
                    .map(|g| (g.id.clone(), g.label.clone()))
                    .collect(),
            );
            remaps.push(Vec::new());
        }
    }
    let mut dim_offset = Vec::new();
    let mut ncells = 1;
    for g in &groups {
        dim_offset.push(ncells);
        ncells += g.len();
    }
    let nm = totals.nmeasures;
    let mut stats = vec![0.0; periods.len() * ncells * nm * NSTAT];
    let mut rows = vec![0u64; periods.len() * ncells];
    let period_ix: HashMap<i32, usize> = periods.iter().enumerate().map(|(i, &p)| (p, i)).collect();
    let mut order: Vec<usize> = (0..totals.keys.len()).collect();
    order.sort_by(|&a, &b| totals.keys[a].cmp(&totals.keys[b]));
    let stride = nm * NSTAT;
    let nsets = totals.nsets;
    let mut moments: Vec<Moments> = Vec::with_capacity(periods.len() * ncells * nsets);
    if nsets > 0 {
        if let Some(first) = totals.moments.get(..nsets) {
            for _ in 0..periods.len() * ncells {
                moments.extend(first.iter().map(|m| Moments::new(m.p())));
            }
        }
    }
    for &k in &order {
        let key = &totals.keys[k];
        let Some(&p) = period_ix.get(&(key[0] as i32)) else {
            continue;
        };
        let src = &totals.store[k * stride..(k + 1) * stride];
        let mut add = |cell: usize| {
            let base = (p * ncells + cell) * stride;
            add_suff(&mut stats[base..base + stride], src);
            rows[p * ncells + cell] += totals.rows[k];
            for j in 0..nsets {
                moments[(p * ncells + cell) * nsets + j].merge(&totals.moments[k * nsets + j]);
            }
        };
        add(0);
        for (d, dim) in study.dimensions.iter().enumerate() {
            let g = key[1 + d];
            if g != NO_GROUP {
                let g = if dim.kind == DimKind::Distinct {
                    remaps[d][g as usize]
                } else {
                    g
                };
                add(dim_offset[d] + g as usize);
            }
        }
    }
    Aggregates {
        periods,
        groups,
        dim_offset,
        ncells,
        nmeasures: nm,
        stats,
        rows,
        moments,
        nsets,
    }
}
