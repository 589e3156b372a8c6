//! `csi-synth`: deterministic synthetic survey data for the example studies
//! and the benchmarks.
//!
//! Latent model (telecom). Every respondent has a general satisfaction level
//! on the 0-100 scale,
//!
//! ```text
//! L = brand base (Northwind 68.3 + 0.4 per quarter of trend, Bluewave 64.5;
//!     rounding to the 1-10 scale costs about 1.5 points, so the index
//!     comes out near 67 and 63)
//!     + tenure (joined before 1996: -6; 1996-1998: -3)
//!     + spend (150 and more a month: -5) + plan (prepaid: +1)
//!     + region (-2 .. +2) + N(0, 12)
//! ```
//!
//! each category c a level `C_c = L + offset_c + N(0, 6)` (network +5,
//! hotline -6, promotions -4 ...), and each question an answer
//! `round(1 + 9 (C_c + N(0, 8)) / 100)` clamped to 1-10, with about 3 %
//! "don't know" (99) and 1 % empty; q05 ("how often calls drop") is asked the
//! other way round (11 - answer). Expectations are `C_c + gap_c + N(0, 6)`
//! with gaps of 3-12 points; overall satisfaction is driven by the categories
//! (network, products and digital the strongest) and would-recommend (0-10)
//! by overall satisfaction. So the groups of the example really differ as in
//! the published study: long-tenure customers and high spenders are the least
//! satisfied, and the operator scores about 67 against the competitor's 63.
//!
//! Output is byte-identical for the same arguments, whatever the thread
//! count: rows are made in blocks of 16,384, each from its own ChaCha8
//! stream (the seed, stream = block index), and written in block order.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use clap::{Args, Parser, Subcommand};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};
use rayon::prelude::*;

#[derive(Parser)]
#[command(
    name = "csi-synth",
    version,
    about = "Deterministic synthetic survey data for csi's example studies"
)]
struct Cli {
    #[command(subcommand)]
    study: Study,
}

#[derive(Subcommand)]
enum Study {
    /// The telecom operator study (examples/telecom).
    Telecom {
        #[command(flatten)]
        common: Common,
        /// Replace this many evenly spaced rows by broken ones (bad date,
        /// out-of-scale and non-numeric answers, bad weights, short and long
        /// rows), to show how csi accounts for bad input.
        #[arg(long, default_value_t = 0)]
        dirty: u64,
    },
    /// The campus store study (examples/campus-store).
    CampusStore {
        #[command(flatten)]
        common: Common,
    },
}

#[derive(Args)]
struct Common {
    /// Number of data rows.
    #[arg(long)]
    rows: u64,
    /// Random seed.
    #[arg(long, default_value_t = 20261122)]
    seed: u64,
    /// Output CSV file (written atomically).
    #[arg(long)]
    out: PathBuf,
}

const BLOCK: u64 = 16_384;
const BATCH: u64 = 32;

const CATEGORIES: [&str; 8] = [
    "network",
    "billing",
    "complaints",
    "hotline",
    "stores",
    "products",
    "promotions",
    "digital",
];
/// Category offsets from a respondent's general level.
const OFFSET: [f64; 8] = [5.0, 3.0, -5.0, -6.0, 1.0, -1.0, -4.0, 2.0];
/// Expectation minus performance, per category.
const EXPECT_GAP: [f64; 8] = [4.0, 3.0, 10.0, 12.0, 5.0, 8.0, 9.0, 6.0];
/// How much each category drives overall satisfaction.
const DRIVER: [f64; 8] = [0.25, 0.08, 0.07, 0.10, 0.05, 0.20, 0.05, 0.20];
const REGIONS: [(&str, f64, f64, f64); 6] = [
    // name, share, effect, design weight
    ("North", 0.22, 1.0, 0.8),
    ("South", 0.20, -1.5, 1.1),
    ("East", 0.18, 2.0, 0.9),
    ("West", 0.15, -2.0, 1.3),
    ("Central", 0.15, 0.0, 1.0),
    ("Coast", 0.10, 1.5, 1.4),
];
const COMMENTS: [&str; 8] = [
    "Good coverage, but roaming is expensive",
    "\"Unlimited\" plan is not unlimited",
    "信号很好, but \"roaming\" is expensive",
    "Waited 40 minutes on the hotline.\nThen the call dropped.",
    "营业厅服务态度好，排队时间长",
    "Bill was wrong twice, fixed after a complaint",
    "App keeps logging me out, please fix",
    "Would switch if the price goes up again",
];

fn main() {
    let cli = Cli::parse();
    let result = match &cli.study {
        Study::Telecom { common, dirty } => {
            write(common, TELECOM_HEADER.as_str(), |rng, i, buf| {
                telecom_row(rng, i, common.rows, *dirty, buf)
            })
        }
        Study::CampusStore { common } => write(common, CAMPUS_HEADER, |rng, i, buf| {
            campus_row(rng, i, common.rows, buf)
        }),
    };
    if let Err(e) = result {
        eprintln!("csi-synth: error: {e}");
        std::process::exit(1);
    }
}

static TELECOM_HEADER: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    let mut h =
        String::from("resp_id,interview_date,brand,region,plan,join_year,monthly_spend,weight");
    for q in 1..=40 {
        h.push_str(&format!(",q{q:02}"));
    }
    for c in CATEGORIES {
        h.push_str(&format!(",exp_{c}"));
    }
    h.push_str(",overall,recommend,sat_expect,sat_ideal,comment");
    h
});

const CAMPUS_HEADER: &str =
    "resp_id,wave,channel,grade,g1,g2,g3,p1,p2,p3,e1,e2,e3,s1,s2,s3,c1,c2,c3,overall,exp_checkout";

fn write<F>(c: &Common, header: &str, row: F) -> std::io::Result<()>
where
    F: Fn(&mut ChaCha8Rng, u64, &mut Vec<u8>) + Sync,
{
    let t0 = std::time::Instant::now();
    let tmp = tmp_path(&c.out);
    let mut w = BufWriter::with_capacity(1 << 20, File::create(&tmp)?);
    writeln!(w, "{header}")?;
    let blocks = c.rows.div_ceil(BLOCK);
    let mut bytes = header.len() as u64 + 1;
    let mut b0 = 0;
    while b0 < blocks {
        let b1 = (b0 + BATCH).min(blocks);
        let parts: Vec<Vec<u8>> = (b0..b1)
            .into_par_iter()
            .map(|b| {
                let mut rng = ChaCha8Rng::seed_from_u64(c.seed);
                rng.set_stream(b);
                let mut buf = Vec::with_capacity(BLOCK as usize * 200);
                for i in b * BLOCK..((b + 1) * BLOCK).min(c.rows) {
                    row(&mut rng, i, &mut buf);
                }
                buf
            })
            .collect();
        for p in parts {
            bytes += p.len() as u64;
            w.write_all(&p)?;
        }
        b0 = b1;
    }
    w.flush()?;
    drop(w);
    std::fs::rename(&tmp, &c.out)?;
    eprintln!(
        "csi-synth: wrote {} rows, {} bytes to {} in {:.2} s",
        c.rows,
        bytes,
        c.out.display(),
        t0.elapsed().as_secs_f64()
    );
    Ok(())
}

fn tmp_path(out: &Path) -> PathBuf {
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    out.with_file_name(format!(".{name}.tmp-{}", std::process::id()))
}

fn normal(rng: &mut ChaCha8Rng, sd: f64) -> f64 {
    Normal::new(0.0, sd).expect("valid sd").sample(rng)
}

fn pick<'a, T>(rng: &mut ChaCha8Rng, items: &'a [(T, f64)]) -> &'a T {
    let mut u: f64 = rng.random();
    for (x, p) in items {
        if u < *p {
            return x;
        }
        u -= p;
    }
    &items[items.len() - 1].0
}

/// An answer on lo..=hi from a 0-100 level.
fn answer(level: f64, lo: i64, hi: i64) -> i64 {
    let x = lo as f64 + (hi - lo) as f64 * level / 100.0;
    (x.round() as i64).clamp(lo, hi)
}

fn push_int(buf: &mut Vec<u8>, x: i64) {
    buf.extend_from_slice(itoa::Buffer::new().format(x).as_bytes());
}

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719468;
    let era = z.div_euclid(146097);
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn telecom_row(rng: &mut ChaCha8Rng, i: u64, rows: u64, dirty: u64, buf: &mut Vec<u8>) {
    let start = buf.len();
    // Quarter k = 0..8: 2024-Q4 .. 2026-Q3; a day inside it.
    let k = rng.random_range(0..8i64);
    let (qy, qm) = (2024 + (9 + 3 * k) / 12, (9 + 3 * k) % 12 + 1);
    let first = days_from_civil(qy, qm, 1);
    let (ny, nm) = (2024 + (12 + 3 * k) / 12, (12 + 3 * k) % 12 + 1);
    let len = days_from_civil(ny, nm, 1) - first;
    let (y, m, d) = civil_from_days(first + rng.random_range(0..len));
    let own = rng.random::<f64>() < 0.6;
    let region = pick(rng, &REGIONS.map(|r| ((r.0, r.2, r.3), r.1))).to_owned();
    let contract = rng.random::<f64>() < 0.55;
    let u: f64 = rng.random();
    let join_year = if u < 0.15 {
        rng.random_range(1985..1996)
    } else if u < 0.30 {
        rng.random_range(1996..1999)
    } else {
        rng.random_range(1999..2027)
    };
    let spend = (90f64.ln() + normal(rng, 0.6)).exp().clamp(5.0, 2000.0);
    let weight = region.2 * rng.random_range(0.75..1.25);

    let mut level = if own {
        68.3 + 0.4 * (k as f64 - 3.5)
    } else {
        64.5
    };
    level += match join_year {
        ..1996 => -6.0,
        1996..1999 => -3.0,
        _ => 0.0,
    };
    if spend >= 150.0 {
        level -= 5.0;
    }
    if !contract {
        level += 1.0;
    }
    level += region.1 + normal(rng, 12.0);

    buf.extend_from_slice(format!("{},{y:04}-{m:02}-{d:02},", i + 1).as_bytes());
    buf.extend_from_slice(if own { b"northwind," } else { b"bluewave," });
    buf.extend_from_slice(region.0.as_bytes());
    buf.extend_from_slice(if contract {
        b",contract,"
    } else {
        b",prepaid,"
    });
    push_int(buf, join_year);
    buf.extend_from_slice(format!(",{spend:.2},{weight:.3}").as_bytes());

    let mut cat = [0.0; 8];
    for (c, v) in cat.iter_mut().enumerate() {
        *v = level + OFFSET[c] + normal(rng, 6.0);
    }
    for q in 0..40 {
        let c = q / 5;
        let u: f64 = rng.random();
        buf.push(b',');
        if u < 0.03 {
            buf.extend_from_slice(b"99");
        } else if u < 0.04 {
            // empty: missing
        } else {
            let mut a = answer(cat[c] + normal(rng, 8.0), 1, 10);
            if q == 4 {
                a = 11 - a;
            }
            push_int(buf, a);
        }
    }
    for c in 0..8 {
        buf.push(b',');
        if rng.random::<f64>() < 0.02 {
            buf.extend_from_slice(b"99");
        } else {
            push_int(
                buf,
                answer(cat[c] + EXPECT_GAP[c] + normal(rng, 6.0), 1, 10),
            );
        }
    }
    let overall: f64 = cat.iter().zip(DRIVER).map(|(c, v)| c * v).sum::<f64>() + normal(rng, 5.0);
    buf.push(b',');
    push_int(buf, answer(overall, 1, 10));
    buf.push(b',');
    push_int(buf, answer(overall + normal(rng, 8.0), 0, 10));
    // The ACSI's other two satisfaction questions (meets expectations,
    // close to ideal), from a stream of their own so that the columns
    // before them are the same as without them.
    let mut acsi = ChaCha8Rng::seed_from_u64(0xAC51 ^ (i + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    for shift in [-3.0, -7.0] {
        buf.push(b',');
        push_int(buf, answer(overall + shift + normal(&mut acsi, 7.0), 1, 10));
    }
    buf.push(b',');
    if rng.random::<f64>() < 0.02 {
        let text = COMMENTS[rng.random_range(0..COMMENTS.len())];
        buf.push(b'"');
        buf.extend_from_slice(text.replace('"', "\"\"").as_bytes());
        buf.push(b'"');
    }
    buf.push(b'\n');

    // Broken rows, evenly spaced, cycling through the kinds of bad input.
    if dirty > 0 {
        let step = rows / (dirty + 1);
        if step > 0 && (i + 1).is_multiple_of(step) && (i + 1) / step <= dirty {
            let kind = (i + 1) / step - 1;
            let line = String::from_utf8(buf[start..buf.len() - 1].to_vec()).expect("ASCII row");
            // Comments may hold quoted newlines: break rows only outside them.
            let mut fields: Vec<String> = line.splitn(61, ',').map(str::to_string).collect();
            let bad = match kind % 7 {
                0 => {
                    fields[1] = "2025-13-45".into();
                    fields.join(",")
                }
                1 => {
                    fields[8 + 6] = "11".into();
                    fields.join(",")
                }
                2 => {
                    fields[8 + 11] = "abc".into();
                    fields.join(",")
                }
                3 => {
                    fields[7] = "-1.5".into();
                    fields.join(",")
                }
                4 => fields[..10].join(","),
                5 => format!("{},extra", fields.join(",")),
                _ => {
                    fields[7] = String::new();
                    fields.join(",")
                }
            };
            buf.truncate(start);
            buf.extend_from_slice(bad.as_bytes());
            buf.push(b'\n');
        }
    }
}

const WAVES: [&str; 4] = ["2025春季", "2025秋季", "2026春季", "2026秋季"];
const GRADES: [(&str, f64); 5] = [
    ("大一", 0.24),
    ("大二", 0.22),
    ("大三", 0.2),
    ("大四", 0.18),
    ("研究生", 0.16),
];

fn campus_row(rng: &mut ChaCha8Rng, i: u64, rows: u64, buf: &mut Vec<u8>) {
    // Rows in wave order, equal shares.
    let wave = ((i * 4) / rows.max(1)).min(3) as usize;
    let online = rng.random::<f64>() < 0.5;
    let grade = *pick(rng, &GRADES);
    let level = 64.0 + 1.5 * wave as f64 + normal(rng, 12.0);
    // goods, prices, environment, staff, checkout
    let channel_effect: [f64; 5] = if online {
        [0.0, 5.0, -4.0, -5.0, 6.0]
    } else {
        [0.0, -3.0, 5.0, 6.0, -4.0]
    };
    let base: [f64; 5] = [4.0, -6.0, 2.0, 1.0, -3.0];
    buf.extend_from_slice(
        format!(
            "{},{},{},{}",
            i + 1,
            WAVES[wave],
            if online { "online" } else { "offline" },
            grade
        )
        .as_bytes(),
    );
    let mut cats = [0.0; 5];
    for c in 0..5 {
        cats[c] = level + base[c] + channel_effect[c] + normal(rng, 6.0);
        for _ in 0..3 {
            buf.push(b',');
            if rng.random::<f64>() >= 0.02 {
                push_int(buf, answer(cats[c] + normal(rng, 9.0), 1, 5));
            }
        }
    }
    let overall = cats.iter().sum::<f64>() / 5.0 + normal(rng, 5.0);
    buf.push(b',');
    push_int(buf, answer(overall, 1, 5));
    buf.push(b',');
    push_int(buf, answer(cats[4] + 8.0 + normal(rng, 6.0), 1, 5));
    buf.push(b'\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates_round_trip() {
        for z in [0, 19_000, 20_454, 20_726] {
            let (y, m, d) = civil_from_days(z);
            assert_eq!(days_from_civil(y, m, d), z);
        }
        assert_eq!(
            civil_from_days(days_from_civil(2026, 2, 28) + 1),
            (2026, 3, 1)
        );
    }

    #[test]
    fn answers_are_on_the_scale() {
        assert_eq!(answer(-50.0, 1, 10), 1);
        assert_eq!(answer(150.0, 1, 10), 10);
        assert_eq!(answer(50.0, 0, 10), 5);
    }
}
