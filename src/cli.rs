//! The command line: `csi check` and `csi run`. Non-interactive, logs on
//! stderr, results on stdout, and exit codes a scheduler can act on.

use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::{Parser, Subcommand};
use serde::Serialize;

use crate::config::{self, Study};
use crate::diag::Diagnostics;
use crate::engine::{self, EngineOptions, Failure};
use crate::ingest::chunk::Chunker;
use crate::model;
use crate::output::{self, RejectedWriter, Staging};

/// Exit codes.
pub mod exit {
    /// Success.
    pub const OK: i32 = 0;
    /// The run failed: unreadable or unusable data, a bad row under
    /// `bad_rows = "fail"`, an output folder that cannot be written.
    pub const FAILED: i32 = 1;
    /// Wrong command-line usage.
    pub const USAGE: i32 = 2;
    /// The config is invalid (or names columns the data does not have).
    pub const CONFIG: i32 = 3;
}

#[derive(Debug, Parser)]
#[command(
    name = "csi",
    version,
    about = "Customer satisfaction index studies: from survey responses to every figure of the study",
    long_about = None,
    after_help = "Exit codes: 0 success, 1 run failed (data, I/O), 2 usage error, 3 invalid config."
)]
pub struct Cli {
    /// Print only errors and warnings on stderr.
    #[arg(short, long, global = true)]
    pub quiet: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate a study config (and the data files' headers, when present)
    /// without computing; report every problem at once.
    Check {
        /// The study file (e.g. examples/telecom/study.toml).
        config: PathBuf,
        /// Do not look at the data files.
        #[arg(long)]
        no_data: bool,
    },
    /// Compute every node for every period and segment, and write the results.
    Run {
        /// The study file (e.g. examples/telecom/study.toml).
        config: PathBuf,
        /// The last period to compute (e.g. 2026-Q3); rows after it are
        /// excluded and counted. Default: the latest period in the data.
        #[arg(long)]
        period: Option<String>,
        /// Output folder, replaced whole when the run succeeds.
        /// Default: out/<study id>.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Worker threads (default: one per core).
        #[arg(long, default_value_t = 0)]
        threads: usize,
        /// Chunk size in bytes for parallel parsing (results do not depend
        /// on the thread count; this is for tests and tuning).
        #[arg(long, default_value_t = engine::DEFAULT_CHUNK, hide = true)]
        chunk_size: usize,
    },
}

struct Log {
    quiet: bool,
}

impl Log {
    fn info(&self, msg: impl AsRef<str>) {
        if !self.quiet {
            eprintln!("csi: {}", msg.as_ref());
        }
    }
    fn warn(&self, msg: impl AsRef<str>) {
        eprintln!("csi: warning: {}", msg.as_ref());
    }
    fn error(&self, msg: impl AsRef<str>) {
        eprintln!("csi: error: {}", msg.as_ref());
    }
    fn diagnostics(&self, d: &Diagnostics) {
        for x in &d.0 {
            if x.is_error() || !self.quiet {
                eprintln!("{x}\n");
            }
        }
    }
}

/// Runs the command line; returns the exit code.
pub fn main_with_args(args: impl IntoIterator<Item = std::ffi::OsString>) -> i32 {
    let cli = match Cli::try_parse_from(args) {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                exit::USAGE
            } else {
                exit::OK
            };
        }
    };
    let log = Log { quiet: cli.quiet };
    match cli.command {
        Command::Check { config, no_data } => check(&log, &config, no_data),
        Command::Run {
            config,
            period,
            out,
            threads,
            chunk_size,
        } => run(
            &log,
            &config,
            out,
            EngineOptions {
                threads,
                period,
                chunk_size,
            },
        ),
    }
}

fn load(log: &Log, path: &Path) -> Result<Study, i32> {
    let (study, diags) = config::load(path);
    log.diagnostics(&diags);
    match study {
        Some(s) => Ok(s),
        None => {
            log.error(format!(
                "{}: {} error{} in the config",
                path.display(),
                diags.error_count(),
                if diags.error_count() == 1 { "" } else { "s" }
            ));
            Err(exit::CONFIG)
        }
    }
}

fn check(log: &Log, path: &Path, no_data: bool) -> i32 {
    let loaded = config::load_all(path);
    let study = loaded.study;
    let mut diags = loaded.diagnostics;
    let mut checked = Vec::new();
    if let (Some(data), false) = (&loaded.data, no_data) {
        for f in &data.files {
            match read_header(data, f) {
                Ok(Some(h)) => {
                    diags
                        .0
                        .extend(config::check_header(&loaded.column_refs, f, &h).0);
                    checked.push(f.clone());
                }
                Ok(None) => diags.push(crate::diag::Diagnostic::error(
                    Some(crate::diag::Location::file(f)),
                    "the data file is empty: it has no header row",
                )),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    diags.push(crate::diag::Diagnostic::warning(
                        Some(crate::diag::Location::file(f)),
                        "data file not found: its header was not checked",
                    ))
                }
                Err(e) => diags.push(crate::diag::Diagnostic::error(
                    Some(crate::diag::Location::file(f)),
                    format!("cannot read data file: {e}"),
                )),
            }
        }
    }
    diags.sort();
    log.diagnostics(&diags);
    let errors = diags.error_count();
    if errors > 0 || study.is_none() {
        log.error(format!(
            "{}: {errors} error{}, {} warning{}",
            path.display(),
            if errors == 1 { "" } else { "s" },
            diags.warning_count(),
            if diags.warning_count() == 1 { "" } else { "s" }
        ));
        return exit::CONFIG;
    }
    let s = study.expect("checked");
    let nq = s
        .measures
        .iter()
        .filter(|m| matches!(m.kind, config::MeasureKind::Question(_)))
        .count();
    let nn = s
        .measures
        .iter()
        .filter(|m| matches!(m.kind, config::MeasureKind::Node))
        .count();
    println!(
        "ok: {} ({}): {} nodes, {} questions, {} dimensions, {} config files, {} data header{} checked",
        s.id,
        path.display(),
        nn,
        nq,
        s.dimensions.len(),
        s.config_files.len(),
        checked.len(),
        if checked.len() == 1 { "" } else { "s" }
    );
    exit::OK
}

fn read_header(data: &config::DataSpec, f: &Path) -> std::io::Result<Option<Vec<String>>> {
    let file = std::fs::File::open(f)?;
    let mut c = Chunker::new(file, data.quote, 1 << 16);
    match c.header() {
        Ok(Some(h)) => crate::ingest::parse_header(&h.data, data.delimiter, data.quote)
            .map(Some)
            .map_err(std::io::Error::other),
        Ok(None) => Ok(None),
        Err(crate::ingest::chunk::ChunkError::Io(e)) => Err(e),
        Err(_) => Err(std::io::Error::other(
            "the header row never ends (unbalanced quote)",
        )),
    }
}

#[derive(Serialize)]
struct RunInfo<'a> {
    schema: &'static str,
    engine: model::EngineInfo,
    study: &'a str,
    command: Vec<String>,
    started: String,
    threads: usize,
    chunk_size: usize,
    config: ConfigInfo<'a>,
    inputs: &'a [engine::InputInfo],
    rows: RowsInfo,
    dimensions: Vec<DimRows>,
    invalid_values: std::collections::BTreeMap<String, u64>,
    timings_seconds: Timings,
    peak_rss_bytes: Option<u64>,
}

#[derive(Serialize)]
struct ConfigInfo<'a> {
    digest: &'a str,
    files: Vec<FileDigest>,
}

#[derive(Serialize)]
struct FileDigest {
    path: String,
    sha256: String,
}

#[derive(Serialize)]
struct RowsInfo {
    read: u64,
    used: u64,
    rejected: u64,
    outside_period: u64,
    rejected_by_reason: std::collections::BTreeMap<String, u64>,
    outside_by_period: std::collections::BTreeMap<String, u64>,
    used_by_period: std::collections::BTreeMap<String, u64>,
}

#[derive(Serialize)]
struct DimRows {
    id: String,
    empty: u64,
    unmatched: u64,
    unmatched_values: std::collections::BTreeMap<String, u64>,
}

#[derive(Serialize)]
struct Timings {
    config: f64,
    ingest: f64,
    estimate: f64,
    write: f64,
    total: f64,
}

fn run(log: &Log, path: &Path, out: Option<PathBuf>, opts: EngineOptions) -> i32 {
    let t0 = Instant::now();
    let started = now_rfc3339();
    let study = match load(log, path) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let t_config = t0.elapsed().as_secs_f64();
    let out = out.unwrap_or_else(|| PathBuf::from("out").join(&study.id));
    let staging = match Staging::new(&out) {
        Ok(s) => s,
        Err(e) => {
            log.error(format!(
                "cannot prepare the output folder {}: {e}",
                out.display()
            ));
            return exit::FAILED;
        }
    };
    let pool = match engine::thread_pool(opts.threads) {
        Ok(p) => p,
        Err(f) => return fail(log, f),
    };
    log.info(format!(
        "{}: reading {} data file{} with {} thread{}",
        study.id,
        study.data.files.len(),
        if study.data.files.len() == 1 { "" } else { "s" },
        pool.current_num_threads(),
        if pool.current_num_threads() == 1 {
            ""
        } else {
            "s"
        }
    ));
    let t1 = Instant::now();
    let mut rejected = RejectedWriter::new(staging.file("rejected.csv"));
    let mut totals = match engine::ingest(&study, &opts, &pool, &mut |r| rejected.write(r)) {
        Ok(t) => t,
        Err(f) => return fail(log, f),
    };
    if let Err(e) = rejected.finish() {
        log.error(format!("cannot write rejected.csv: {e}"));
        return exit::FAILED;
    }
    let t_ingest = t1.elapsed().as_secs_f64();
    if totals.rows_used() == 0 {
        log.error(format!(
            "no usable rows: {} read, {} rejected ({}), {} outside the period range",
            totals.rows_read,
            totals.rows_rejected(),
            reasons(&totals.rejected),
            totals.rows_outside()
        ));
        return exit::FAILED;
    }
    let t2 = Instant::now();
    let agg = engine::aggregate(&study, &mut totals);
    let results = model::build(&study, &totals, &agg);
    let t_estimate = t2.elapsed().as_secs_f64();
    let t3 = Instant::now();
    let write = || -> std::io::Result<()> {
        output::write_cells(&staging.file("cells.csv"), &results)?;
        output::write_comparisons(&staging.file("comparisons.csv"), &results)?;
        output::write_json(&staging.file("results.json"), &results)?;
        Ok(())
    };
    if let Err(e) = write() {
        log.error(format!("cannot write the outputs: {e}"));
        return exit::FAILED;
    }
    let t_write = t3.elapsed().as_secs_f64();
    let cal = &study.period.calendar;
    let info = RunInfo {
        schema: "csi.run/1",
        engine: model::ENGINE,
        study: &study.id,
        command: std::env::args().collect(),
        started,
        threads: pool.current_num_threads(),
        chunk_size: opts.chunk_size,
        config: ConfigInfo {
            digest: &study.digest,
            files: study
                .config_files
                .iter()
                .map(|f| FileDigest {
                    path: engine::file_label(&study, &f.path),
                    sha256: f.sha256.clone(),
                })
                .collect(),
        },
        inputs: &totals.inputs,
        rows: RowsInfo {
            read: totals.rows_read,
            used: totals.rows_used(),
            rejected: totals.rows_rejected(),
            outside_period: totals.rows_outside(),
            rejected_by_reason: results.rows.rejected_by_reason.clone(),
            outside_by_period: results.rows.outside_by_period.clone(),
            used_by_period: totals
                .used
                .iter()
                .map(|(p, n)| (cal.label(*p), *n))
                .collect(),
        },
        dimensions: study
            .dimensions
            .iter()
            .zip(&totals.unassigned)
            .map(|(d, u)| DimRows {
                id: d.id.clone(),
                empty: u.empty,
                unmatched: u.unmatched,
                unmatched_values: u.values.clone(),
            })
            .collect(),
        invalid_values: study
            .measures
            .iter()
            .zip(&totals.invalid)
            .filter(|(_, n)| **n > 0)
            .map(|(m, n)| (m.id.clone(), *n))
            .collect(),
        timings_seconds: Timings {
            config: t_config,
            ingest: t_ingest,
            estimate: t_estimate,
            write: t_write,
            total: t0.elapsed().as_secs_f64(),
        },
        peak_rss_bytes: output::peak_rss(),
    };
    if let Err(e) = output::write_json(&staging.file(output::MARKER), &info) {
        log.error(format!("cannot write run.json: {e}"));
        return exit::FAILED;
    }
    let dir = match staging.commit() {
        Ok(d) => d,
        Err(e) => {
            log.error(format!(
                "cannot move the outputs into {}: {e}",
                out.display()
            ));
            return exit::FAILED;
        }
    };
    // Summary.
    let r = &results.rows;
    if r.rejected > 0 {
        log.warn(format!(
            "{} row{} rejected ({}); see {}",
            r.rejected,
            if r.rejected == 1 { "" } else { "s" },
            reasons(&totals.rejected),
            dir.join("rejected.csv").display()
        ));
    }
    for (d, u) in study.dimensions.iter().zip(&totals.unassigned) {
        if u.unmatched > 0 {
            let examples: Vec<String> = u.values.keys().take(5).map(|v| format!("`{v}`")).collect();
            log.warn(format!(
                "dimension `{}`: {} row{} with a value in no group (e.g. {}); they count in Total only",
                d.id,
                u.unmatched,
                if u.unmatched == 1 { "" } else { "s" },
                examples.join(", ")
            ));
        }
    }
    log.info(format!(
        "rows: {} read = {} used + {} rejected + {} outside the period range",
        r.read, r.used, r.rejected, r.outside_period
    ));
    log.info(format!(
        "periods: {} ({} to {}); {} cells, {} comparisons; {:.2} s",
        results.periods.len(),
        results
            .periods
            .first()
            .map(|p| p.id.as_str())
            .unwrap_or("-"),
        results.current_period.as_deref().unwrap_or("-"),
        results.cells.len(),
        results.comparisons.len(),
        t0.elapsed().as_secs_f64()
    ));
    println!("{}", dir.display());
    exit::OK
}

fn reasons(m: &std::collections::BTreeMap<crate::ingest::Reason, u64>) -> String {
    m.iter()
        .map(|(r, n)| format!("{r}: {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn fail(log: &Log, f: Failure) -> i32 {
    log.diagnostics(f.diagnostics());
    match f {
        Failure::Config(_) => {
            log.error("the config does not match the data");
            exit::CONFIG
        }
        Failure::Data(_) => {
            log.error("the run failed; the previous outputs, if any, are unchanged");
            exit::FAILED
        }
    }
}

fn now_rfc3339() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    chrono::DateTime::from_timestamp(secs, 0)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default()
}
