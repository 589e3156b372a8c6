//! Machine-readable outputs (cells.csv, comparisons.csv, results.json,
//! run.json, rejected.csv), written into a staging folder that replaces the
//! output folder in one step when the run has succeeded.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::engine::RejectedRow;
use crate::model::Results;

pub const CELLS_HEADER: [&str; 12] = [
    "period",
    "dimension",
    "group",
    "node",
    "n",
    "weighted_n",
    "n_eff",
    "mean",
    "se",
    "ci_low",
    "ci_high",
    "flag",
];

pub const COMPARISONS_HEADER: [&str; 13] = [
    "kind",
    "node",
    "dimension",
    "group",
    "period",
    "vs_dimension",
    "vs_group",
    "vs_period",
    "delta",
    "t",
    "df",
    "p",
    "significant",
];

pub const REJECTED_HEADER: [&str; 7] = [
    "file", "line", "reason", "column", "value", "detail", "record",
];

/// Shortest text that reads back as the same f64 (plain decimal for
/// ordinary magnitudes, exponent form for very small or large ones).
pub fn fmt_f64(x: f64) -> String {
    if x == 0.0 {
        return "0".into();
    }
    let a = x.abs();
    if (1e-5..1e16).contains(&a) {
        format!("{x}")
    } else {
        format!("{x:e}")
    }
}

fn opt(x: Option<f64>) -> String {
    x.map(fmt_f64).unwrap_or_default()
}

fn csv_writer(path: &Path) -> io::Result<csv::Writer<BufWriter<File>>> {
    let f = File::create(path)?;
    Ok(csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(BufWriter::with_capacity(1 << 20, f)))
}

fn csv_io(e: csv::Error) -> io::Error {
    io::Error::other(e)
}

pub fn write_cells(path: &Path, r: &Results) -> io::Result<()> {
    let mut w = csv_writer(path)?;
    w.write_record(CELLS_HEADER).map_err(csv_io)?;
    for c in &r.cells {
        w.write_record([
            c.period.as_str(),
            &c.dimension,
            &c.group,
            &c.node,
            &c.n.to_string(),
            &fmt_f64(c.weighted_n),
            &opt(c.n_eff),
            &opt(c.mean),
            &opt(c.se),
            &opt(c.ci_low),
            &opt(c.ci_high),
            c.flag.as_str(),
        ])
        .map_err(csv_io)?;
    }
    w.flush()
}

pub fn write_comparisons(path: &Path, r: &Results) -> io::Result<()> {
    let mut w = csv_writer(path)?;
    w.write_record(COMPARISONS_HEADER).map_err(csv_io)?;
    for c in &r.comparisons {
        w.write_record([
            c.kind.as_str(),
            &c.node,
            &c.dimension,
            &c.group,
            &c.period,
            &c.vs_dimension,
            &c.vs_group,
            &c.vs_period,
            &fmt_f64(c.delta),
            &opt(c.t),
            &opt(c.df),
            &opt(c.p),
            if c.significant { "true" } else { "false" },
        ])
        .map_err(csv_io)?;
    }
    w.flush()
}

/// drivers.csv, ipa.csv, kano.csv and pls.csv (when the study configures
/// them), and weighting.csv (when it rakes).
pub fn write_analysis(
    staging: &Staging,
    study: &crate::config::Study,
    r: &Results,
) -> io::Result<()> {
    fn write_rows<T: Serialize>(path: &Path, rows: &[T]) -> io::Result<()> {
        let mut w = csv_writer(path)?;
        for row in rows {
            w.serialize(row).map_err(csv_io)?;
        }
        w.flush()
    }
    let a = &r.analysis;
    if study.analysis.drivers.is_some() {
        write_header_or_rows(&staging.file("drivers.csv"), &a.drivers, DRIVERS_HEADER)?;
        write_header_or_rows(&staging.file("ipa.csv"), &a.ipa, IPA_HEADER)?;
        write_header_or_rows(&staging.file("kano.csv"), &a.kano, KANO_HEADER)?;
    }
    if study.analysis.pls.is_some() {
        write_header_or_rows(&staging.file("pls.csv"), &a.pls, PLS_HEADER)?;
    }
    if study.analysis.weighting.is_some() {
        write_rows(&staging.file("weighting.csv"), &a.weighting)?;
    }
    Ok(())
}

const DRIVERS_HEADER: &str = "period,dimension,group,node,child,outcome,n,r,beta,relative_weight,share,r2,weight,performance,note";
const IPA_HEADER: &str = "period,dimension,group,node,child,importance_kind,importance,performance,x_line,y_line,quadrant";
const KANO_HEADER: &str =
    "period,dimension,group,node,child,outcome,n,low_share,high_share,penalty,reward,class,note";
const PLS_HEADER: &str =
    "period,model,statistic,latent,item,estimate,se,t,p,boot_mean,boot_se,ci_low,ci_high";

/// Rows with serde's header, or the stated header alone when there is no
/// row (a CSV reader then still sees the columns).
fn write_header_or_rows<T: Serialize>(path: &Path, rows: &[T], header: &str) -> io::Result<()> {
    if rows.is_empty() {
        return fs::write(path, format!("{header}\n"));
    }
    let mut w = csv_writer(path)?;
    for row in rows {
        w.serialize(row).map_err(csv_io)?;
    }
    w.flush()
}

pub fn write_json<T: Serialize>(path: &Path, value: &T) -> io::Result<()> {
    let f = File::create(path)?;
    let mut w = BufWriter::with_capacity(1 << 20, f);
    serde_json::to_writer_pretty(&mut w, value).map_err(io::Error::other)?;
    w.write_all(b"\n")?;
    w.flush()
}

/// rejected.csv, created when the first rejected row arrives.
pub struct RejectedWriter {
    path: PathBuf,
    w: Option<csv::Writer<BufWriter<File>>>,
    pub count: u64,
}

impl RejectedWriter {
    pub fn new(path: PathBuf) -> Self {
        RejectedWriter {
            path,
            w: None,
            count: 0,
        }
    }

    pub fn write(&mut self, r: &RejectedRow) -> io::Result<()> {
        if self.w.is_none() {
            let mut w = csv_writer(&self.path)?;
            w.write_record(REJECTED_HEADER).map_err(csv_io)?;
            self.w = Some(w);
        }
        let w = self.w.as_mut().expect("created above");
        w.write_record([
            r.file.as_bytes(),
            r.line.to_string().as_bytes(),
            r.fault.reason.as_str().as_bytes(),
            r.fault.column.as_bytes(),
            r.fault.value.as_bytes(),
            r.fault.detail.as_bytes(),
            &r.raw,
        ])
        .map_err(csv_io)?;
        self.count += 1;
        Ok(())
    }

    pub fn finish(mut self) -> io::Result<()> {
        if let Some(w) = self.w.as_mut() {
            w.flush()?;
        }
        Ok(())
    }
}

/// A folder that becomes the output folder only on [`Staging::commit`];
/// dropped uncommitted, it is removed and the previous output stays intact.
pub struct Staging {
    target: PathBuf,
    dir: PathBuf,
    committed: bool,
}

/// Marker file of a csi output folder: only such folders are replaced.
pub const MARKER: &str = "run.json";

impl Staging {
    pub fn new(target: &Path) -> io::Result<Staging> {
        if target.exists() {
            if !target.is_dir() {
                return Err(io::Error::other(format!(
                    "{} exists and is not a folder",
                    target.display()
                )));
            }
            let empty = fs::read_dir(target)?.next().is_none();
            if !empty && !target.join(MARKER).exists() {
                return Err(io::Error::other(format!(
                    "refusing to replace {}: it is not empty and not a csi output folder (no {MARKER}); choose another --out",
                    target.display()
                )));
            }
        }
        let parent = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        fs::create_dir_all(&parent)?;
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "out".into());
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let dir = parent.join(format!(".{name}.tmp-{}-{nanos}", std::process::id()));
        fs::create_dir(&dir)?;
        Ok(Staging {
            target: target.to_path_buf(),
            dir,
            committed: false,
        })
    }

    pub fn path(&self) -> &Path {
        &self.dir
    }

    pub fn file(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// Makes the staged folder the output folder. On Linux an existing
    /// output is exchanged atomically (renameat2 RENAME_EXCHANGE), so
    /// readers see the old or the new folder, never neither.
    pub fn commit(mut self) -> io::Result<PathBuf> {
        sync_dir(&self.dir);
        if self.target.exists() {
            if exchange(&self.dir, &self.target).is_ok() {
                // self.dir now holds the previous output.
                fs::remove_dir_all(&self.dir)?;
            } else {
                let old = self.dir.with_extension("old");
                fs::rename(&self.target, &old)?;
                fs::rename(&self.dir, &self.target)?;
                fs::remove_dir_all(&old)?;
            }
        } else {
            fs::rename(&self.dir, &self.target)?;
        }
        self.committed = true;
        Ok(self.target.clone())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

fn sync_dir(dir: &Path) {
    if let Ok(entries) = fs::read_dir(dir) {
        for e in entries.flatten() {
            if let Ok(f) = File::open(e.path()) {
                let _ = f.sync_all();
            }
        }
    }
}

#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    use rustix::fs::{renameat_with, RenameFlags, CWD};
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).map_err(io::Error::from)
}

#[cfg(not(target_os = "linux"))]
fn exchange(_a: &Path, _b: &Path) -> io::Result<()> {
    Err(io::Error::other("no atomic exchange on this platform"))
}

/// Peak resident memory of this process, in bytes (Linux; `None` elsewhere).
pub fn peak_rss() -> Option<u64> {
    let s = fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_round_trip() {
        for x in [
            0.1,
            1.0 / 3.0,
            67.123456789012,
            1e-300,
            2.5e20,
            -0.000123,
            100.0,
        ] {
            let s = fmt_f64(x);
            assert_eq!(s.parse::<f64>().unwrap(), x, "{s}");
        }
        assert_eq!(fmt_f64(100.0), "100");
        assert_eq!(fmt_f64(1e-300), "1e-300");
    }

    #[test]
    fn staging_replaces_only_csi_folders() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        let s = Staging::new(&out).unwrap();
        fs::write(s.file(MARKER), "{}").unwrap();
        fs::write(s.file("a"), "1").unwrap();
        s.commit().unwrap();
        assert_eq!(fs::read_to_string(out.join("a")).unwrap(), "1");
        // A failed run (dropped staging) leaves the previous output.
        let s = Staging::new(&out).unwrap();
        fs::write(s.file("a"), "2").unwrap();
        drop(s);
        assert_eq!(fs::read_to_string(out.join("a")).unwrap(), "1");
        // A second run replaces it whole.
        let s = Staging::new(&out).unwrap();
        fs::write(s.file(MARKER), "{}").unwrap();
        fs::write(s.file("b"), "3").unwrap();
        s.commit().unwrap();
        assert!(!out.join("a").exists());
        assert_eq!(fs::read_to_string(out.join("b")).unwrap(), "3");
        // No staging folders left behind.
        let left: Vec<_> = fs::read_dir(tmp.path()).unwrap().collect();
        assert_eq!(left.len(), 1);
        // A folder with other content is never replaced.
        let other = tmp.path().join("docs");
        fs::create_dir(&other).unwrap();
        fs::write(other.join("thesis.txt"), "x").unwrap();
        assert!(Staging::new(&other).is_err());
    }
}
