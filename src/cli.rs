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
use crate::render::{Format, RenderError, Templates};
use crate::report;

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
    /// A report could not be rendered (template error, typst missing or
    /// failing); with `csi run`, nothing is replaced.
    pub const RENDER: i32 = 4;
}

#[derive(Debug, Parser)]
#[command(
    name = "csi",
    version,
    about = "Customer satisfaction index studies: from survey responses to every figure of the study",
    long_about = None,
    after_help = "Exit codes: 0 success, 1 run failed (data, I/O), 2 usage error, 3 invalid config, 4 report rendering failed."
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
        /// Report formats to render, comma-separated: html, pdf, or none
        /// (default: the formats of the study's [report]).
        #[arg(long, value_delimiter = ',')]
        format: Option<Vec<String>>,
    },
    /// Re-render the reports of an existing run from its results.json,
    /// without recomputing (to iterate on a template).
    Render {
        /// The output folder of a run (holding results.json and run.json).
        results_dir: PathBuf,
        /// Report formats, comma-separated: html, pdf (default: the study's).
        #[arg(long, value_delimiter = ',')]
        format: Option<Vec<String>>,
        /// A template folder (with html/ and typst/) to use instead of the
        /// study's.
        #[arg(long)]
        template: Option<PathBuf>,
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
            format,
        } => run(
            &log,
            &config,
            out,
            format,
            EngineOptions {
                threads,
                period,
                chunk_size,
            },
        ),
        Command::Render {
            results_dir,
            format,
            template,
        } => render_cmd(&log, &results_dir, format, template),
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
    config_dir: String,
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

fn run(
    log: &Log,
    path: &Path,
    out: Option<PathBuf>,
    format: Option<Vec<String>>,
    opts: EngineOptions,
) -> i32 {
    let t0 = Instant::now();
    let started = now_rfc3339();
    let study = match load(log, path) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let formats = match formats(format.as_deref().unwrap_or(&study.report.formats)) {
        Ok(f) => f,
        Err(e) => {
            log.error(e);
            return exit::USAGE;
        }
    };
    let config_dir = config_dir(path);
    if formats.contains(&Format::Pdf) {
        // Fail before computing, not after.
        if let Err(e) = crate::render::typst::check_version() {
            log.error(e.to_string());
            return exit::RENDER;
        }
    }
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
    let run = match crate::analysis::run(&study, &opts, &pool, &mut |r| rejected.write(r)) {
        Ok(t) => t,
        Err(f) => return fail(log, f),
    };
    let totals = &run.totals;
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
    let agg = engine::aggregate(&study, totals);
    let mut results = pool.install(|| model::build(&study, totals, &agg));
    match pool.install(|| crate::analysis::results(&study, &run, &agg)) {
        Ok(a) => results.analysis = a,
        Err(f) => return fail(log, f),
    }
    let t_estimate = t2.elapsed().as_secs_f64();
    let t3 = Instant::now();
    let write = || -> std::io::Result<()> {
        output::write_cells(&staging.file("cells.csv"), &results)?;
        output::write_comparisons(&staging.file("comparisons.csv"), &results)?;
        output::write_json(&staging.file("results.json"), &results)?;
        output::write_analysis(&staging, &study, &results)?;
        Ok(())
    };
    if let Err(e) = write() {
        log.error(format!("cannot write the outputs: {e}"));
        return exit::FAILED;
    }
    if !formats.is_empty() {
        let t4 = Instant::now();
        if let Err(e) = render_reports(
            &results,
            &config_dir,
            None,
            &formats,
            &started,
            staging.path(),
        ) {
            log.error(e.to_string());
            log.error("no report written; the previous outputs, if any, are unchanged");
            return exit::RENDER;
        }
        log.info(format!(
            "rendered {} in {:.2} s",
            formats
                .iter()
                .map(|f| f.file_name())
                .collect::<Vec<_>>()
                .join(", "),
            t4.elapsed().as_secs_f64()
        ));
    }
    let t_write = t3.elapsed().as_secs_f64();
    let cal = &study.period.calendar;
    let info = RunInfo {
        schema: "csi.run/1",
        engine: model::engine(),
        study: &study.id,
        config_dir: config_dir.to_string_lossy().into_owned(),
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
    let a = &results.analysis;
    if a.passes > 1 || !a.drivers.is_empty() || !a.pls.is_empty() {
        let mut parts = vec![format!(
            "{} pass{} over the data",
            a.passes,
            if a.passes == 1 { "" } else { "es" }
        )];
        if let (Some(lo), Some(hi)) = (
            a.weighting.iter().map(|w| w.efficiency).reduce(f64::min),
            a.weighting.iter().map(|w| w.efficiency).reduce(f64::max),
        ) {
            parts.push(format!(
                "raked {} periods (efficiency {:.1}-{:.1} %)",
                a.weighting.len(),
                100.0 * lo,
                100.0 * hi
            ));
        }
        if !a.derived.is_empty() {
            parts.push(format!("{} derived weights", a.derived.len()));
        }
        if !a.drivers.is_empty() {
            parts.push(format!(
                "{} driver rows, {} Kano classes",
                a.drivers.len(),
                a.kano.iter().filter(|k| k.class.is_some()).count()
            ));
        }
        if let Some(p) = &a.pls_info {
            let failed: usize = p.bootstrap_failed.iter().map(|x| x.1).sum();
            parts.push(format!(
                "PLS model `{}` for {} period(s), {} bootstrap resamples each ({failed} failed)",
                p.model,
                p.n.len(),
                p.bootstrap
            ));
        }
        log.info(format!("analyses: {}", parts.join("; ")));
    }
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

fn config_dir(study_file: &Path) -> PathBuf {
    let dir = study_file.parent().unwrap_or(Path::new(""));
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf())
}

fn formats(names: &[String]) -> Result<Vec<Format>, String> {
    let mut out = Vec::new();
    for n in names {
        if n == "none" {
            continue;
        }
        match Format::parse(n) {
            Some(f) if !out.contains(&f) => out.push(f),
            Some(_) => {}
            None => {
                return Err(format!(
                    "unknown report format `{n}`: use html, pdf or none"
                ))
            }
        }
    }
    Ok(out)
}

/// Renders the reports of `results` into `dir`; template and branding
/// paths are relative to the study's folder `config_dir`.
fn render_reports(
    results: &model::Results,
    config_dir: &Path,
    template: Option<&Path>,
    formats: &[Format],
    generated: &str,
    dir: &Path,
) -> Result<Vec<PathBuf>, RenderError> {
    let layout = &results.report;
    let templates = match (template, &layout.template) {
        (Some(t), _) => Templates::Dir(t.to_path_buf()),
        (None, Some(t)) => Templates::Dir(config_dir.join(t)),
        (None, None) => Templates::Builtin,
    };
    let b = &layout.branding;
    let mut branding = report::Branding::default();
    if let Some(p) = &b.primary {
        branding.primary = p.clone();
    }
    if let Some(a) = &b.accent {
        branding.accent = a.clone();
    }
    branding.fonts = b.font.clone();
    branding.footer = b.footer.clone();
    if let Some(logo) = &b.logo {
        let path = config_dir.join(logo);
        let bytes = std::fs::read(&path).map_err(|e| {
            RenderError::new(format!("cannot read the logo {}: {e}", path.display()))
        })?;
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("png")
            .to_ascii_lowercase();
        let mime = match ext.as_str() {
            "svg" => "image/svg+xml",
            "jpg" | "jpeg" => "image/jpeg",
            _ => "image/png",
        };
        branding.logo = Some(report::Logo {
            file: format!("logo.{ext}"),
            mime: mime.into(),
            bytes,
        });
    }
    let fonts: Vec<PathBuf> = layout.fonts.iter().map(|f| config_dir.join(f)).collect();
    let doc = report::build(results, &branding, generated);
    crate::render::render(&doc, &templates, formats, &fonts, dir)
}

fn render_cmd(
    log: &Log,
    dir: &Path,
    format: Option<Vec<String>>,
    template: Option<PathBuf>,
) -> i32 {
    let read = |name: &str| -> Result<String, i32> {
        std::fs::read_to_string(dir.join(name)).map_err(|e| {
            log.error(format!(
                "cannot read {}: {e} (is {} the output folder of `csi run`?)",
                dir.join(name).display(),
                dir.display()
            ));
            exit::FAILED
        })
    };
    let results: model::Results = match read("results.json").map(|t| serde_json::from_str(&t)) {
        Ok(Ok(r)) => r,
        Ok(Err(e)) => {
            log.error(format!(
                "{}: not a csi results file: {e}",
                dir.join("results.json").display()
            ));
            return exit::FAILED;
        }
        Err(code) => return code,
    };
    let run: serde_json::Value = match read("run.json").map(|t| serde_json::from_str(&t)) {
        Ok(Ok(r)) => r,
        Ok(Err(e)) => {
            log.error(format!(
                "{}: not a csi run file: {e}",
                dir.join("run.json").display()
            ));
            return exit::FAILED;
        }
        Err(code) => return code,
    };
    let config_dir = PathBuf::from(run["config_dir"].as_str().unwrap_or("."));
    let formats = match formats(format.as_deref().unwrap_or(&results.report.formats)) {
        Ok(f) => f,
        Err(e) => {
            log.error(e);
            return exit::USAGE;
        }
    };
    let generated = run["started"].as_str().unwrap_or("").to_string();
    match render_reports(
        &results,
        &config_dir,
        template.as_deref(),
        &formats,
        &generated,
        dir,
    ) {
        Ok(files) => {
            for f in files {
                println!("{}", f.display());
            }
            exit::OK
        }
        Err(e) => {
            log.error(e.to_string());
            exit::RENDER
        }
    }
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
