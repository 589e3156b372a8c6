//! Derived importance, penalty-reward and raking (METHODOLOGY 6, 7, 9)
//! against established implementations: statsmodels (WLS betas, R^2,
//! penalty-reward coefficients), Johnson's relative weights through his
//! SVD construction, and samplics' raking, all run by
//! `tests/reference/drivers_reference.py`, which also wrote the fixtures
//! in tests/fixtures/drivers and tests/fixtures/raking; its output is
//! pasted below.

use std::collections::BTreeMap;
use std::path::Path;

use csi::stats::drivers::{importance, kano_class, penalty_reward, KanoClass, Moments};
use csi::stats::raking::{rake, Class, Margin, RakeError, RakeOptions};

const UNWEIGHTED_R: [f64; 4] = [
    0.7655861381406319,
    0.698530254354764,
    0.5926049687062203,
    0.6827230958585676,
];
const UNWEIGHTED_BETA: [f64; 4] = [
    0.3905831772777174,
    0.2817670134082924,
    0.16306512285796076,
    0.21718437255003586,
];
const UNWEIGHTED_R2: f64 = 0.7407578390874003;
const UNWEIGHTED_EPS: [f64; 4] = [
    0.24986332571210587,
    0.1953490131627708,
    0.12430594386501272,
    0.17123955634751392,
];
const WEIGHTED_R: [f64; 4] = [
    0.7565274338761108,
    0.7012479448132867,
    0.5881847192373969,
    0.688002559662842,
];
const WEIGHTED_BETA: [f64; 4] = [
    0.3700320205382969,
    0.2917229822741768,
    0.1700409093435208,
    0.2282000748135443,
];
const WEIGHTED_R2: f64 = 0.7415272168324598;
const WEIGHTED_EPS: [f64; 4] = [
    0.24070426899326114,
    0.19918313113419653,
    0.1248540055071829,
    0.17678581119781825,
];
const KANO_UNWEIGHTED: [f64; 7] = [
    59.748266943725376,
    -10.493640041824966,
    2.0400028287901337,
    -4.064117782616484,
    10.368490649560986,
    -8.067489797758446,
    6.994024099628958,
]; // intercept, low1, high1, low2, high2, low3, high3
const KANO_UNWEIGHTED_R2: f64 = 0.6435410693604879;
const KANO_WEIGHTED: [f64; 7] = [
    59.877117117077184,
    -10.920220863393986,
    2.456997831572018,
    -4.253480619184047,
    10.055720662441246,
    -7.634770683756696,
    7.112941412964219,
]; // intercept, low1, high1, low2, high2, low3, high3
const KANO_WEIGHTED_R2: f64 = 0.6539115758203677;
const RAKED: [(&str, &str, f64, f64); 18] = [
    ("east", "contract", 0.8, 0.7822763882845203),
    ("east", "contract", 1.0, 0.9778454853556501),
    ("east", "contract", 1.5, 1.466768228033475),
    ("east", "prepaid", 0.8, 1.4674662300751684),
    ("east", "prepaid", 1.0, 1.8343327875939603),
    ("east", "prepaid", 1.5, 2.7514991813909395),
    ("north", "contract", 0.8, 0.47317606669698425),
    ("north", "contract", 1.0, 0.5914700833712303),
    ("north", "contract", 1.5, 0.8872051250568452),
    ("north", "prepaid", 0.8, 0.8876273260405144),
    ("north", "prepaid", 1.0, 1.1095341575506423),
    ("north", "prepaid", 1.5, 1.6643012363259642),
    ("south", "contract", 0.8, 0.8357731702110425),
    ("south", "contract", 1.0, 1.044716462763803),
    ("south", "contract", 1.5, 1.5670746941457045),
    ("south", "prepaid", 0.8, 1.5678204297807512),
    ("south", "prepaid", 1.0, 1.9597755372259393),
    ("south", "prepaid", 1.5, 2.9396633058389083),
];
const RAKED_EFFICIENCY: f64 = 0.7953671400289847;

fn rows(name: &str) -> Vec<BTreeMap<String, String>> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    let mut r = csv::Reader::from_path(&path).unwrap();
    let h = r.headers().unwrap().clone();
    r.records()
        .map(|x| {
            h.iter()
                .zip(x.unwrap().iter())
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect()
        })
        .collect()
}

fn f(r: &BTreeMap<String, String>, k: &str) -> f64 {
    r[k].parse().unwrap()
}

#[track_caller]
fn close(a: f64, e: f64, tol: f64, what: &str) {
    assert!(
        (a - e).abs() <= tol * e.abs().max(1.0),
        "{what}: got {a:?}, expected {e:?}"
    );
}

fn driver_moments(weighted: bool) -> Moments {
    let mut m = Moments::new(5);
    for r in rows("drivers/drivers.csv") {
        let x = [
            f(&r, "x1"),
            f(&r, "x2"),
            f(&r, "x3"),
            f(&r, "x4"),
            f(&r, "y"),
        ];
        m.add(if weighted { f(&r, "w") } else { 1.0 }, &x);
    }
    m
}

#[test]
fn importance_matches_statsmodels_and_johnsons_construction() {
    for (weighted, r, beta, r2, eps) in [
        (
            false,
            UNWEIGHTED_R,
            UNWEIGHTED_BETA,
            UNWEIGHTED_R2,
            UNWEIGHTED_EPS,
        ),
        (true, WEIGHTED_R, WEIGHTED_BETA, WEIGHTED_R2, WEIGHTED_EPS),
    ] {
        let imp = importance(&driver_moments(weighted)).unwrap();
        let what = if weighted { "weighted" } else { "unweighted" };
        close(imp.r2, r2, 1e-10, &format!("{what} R2"));
        for j in 0..4 {
            close(imp.r[j], r[j], 1e-10, &format!("{what} r{j}"));
            close(imp.beta[j], beta[j], 1e-10, &format!("{what} beta{j}"));
            close(
                imp.raw_weight[j],
                eps[j],
                1e-10,
                &format!("{what} epsilon{j}"),
            );
        }
        close(
            imp.share.iter().sum::<f64>(),
            100.0,
            1e-12,
            "shares sum to 100",
        );
        close(
            imp.raw_weight.iter().sum::<f64>(),
            imp.r2,
            1e-12,
            "sum epsilon = R2",
        );
    }
}

#[test]
fn moments_merge_in_any_split_like_one_pass() {
    let whole = driver_moments(true);
    let data = rows("drivers/drivers.csv");
    let mut parts = [Moments::new(5), Moments::new(5), Moments::new(5)];
    for (i, r) in data.iter().enumerate() {
        let x = [f(r, "x1"), f(r, "x2"), f(r, "x3"), f(r, "x4"), f(r, "y")];
        parts[i * 3 / data.len()].add(f(r, "w"), &x);
    }
    let [mut a, b, c] = parts;
    a.merge(&b);
    a.merge(&c);
    let (x, y) = (whole.covariance(), a.covariance());
    for i in 0..5 {
        for j in 0..5 {
            close(y[(i, j)], x[(i, j)], 1e-12, "covariance");
        }
    }
    assert_eq!(a.n(), whole.n());
}

fn kano_moments(weighted: bool) -> Moments {
    let mut m = Moments::new(7);
    for r in rows("drivers/kano.csv") {
        let mut x = Vec::new();
        for a in ["a1", "a2", "a3"] {
            let s = (f(&r, a) - 1.0) / 9.0 * 100.0; // 1-10 answer as a 0-100 score
            x.push(if s <= 40.0 { 1.0 } else { 0.0 });
            x.push(if s >= 80.0 { 1.0 } else { 0.0 });
        }
        x.push(f(&r, "outcome"));
        m.add(if weighted { f(&r, "w") } else { 1.0 }, &x);
    }
    m
}

#[test]
fn penalty_reward_matches_statsmodels() {
    for (weighted, exp, r2) in [
        (false, KANO_UNWEIGHTED, KANO_UNWEIGHTED_R2),
        (true, KANO_WEIGHTED, KANO_WEIGHTED_R2),
    ] {
        let pr = penalty_reward(&kano_moments(weighted)).unwrap();
        close(pr.intercept, exp[0], 1e-9, "intercept");
        close(pr.r2, r2, 1e-9, "R2");
        for a in 0..3 {
            close(
                pr.penalty[a].unwrap(),
                exp[1 + 2 * a],
                1e-9,
                &format!("penalty {a}"),
            );
            close(
                pr.reward[a].unwrap(),
                exp[2 + 2 * a],
                1e-9,
                &format!("reward {a}"),
            );
        }
    }
    // Classes at ratio 1.5 from the statsmodels coefficients: -10.5/2.0
    // basic, -4.1/10.4 excitement, -8.1/7.0 performance.
    let pr = penalty_reward(&kano_moments(false)).unwrap();
    let classes: Vec<_> = (0..3)
        .map(|a| kano_class(pr.penalty[a], pr.reward[a], 1.5))
        .collect();
    assert_eq!(
        classes,
        [
            Some(KanoClass::Basic),
            Some(KanoClass::Excitement),
            Some(KanoClass::Performance)
        ]
    );
}

#[test]
fn a_dummy_nobody_scores_is_left_out_not_an_error() {
    let mut m = Moments::new(5);
    for (i, y) in [10.0, 20.0, 35.0, 50.0, 40.0, 70.0, 90.0, 15.0]
        .iter()
        .enumerate()
    {
        let high = if i % 3 == 0 { 1.0 } else { 0.0 };
        let high2 = if i % 2 == 0 { 1.0 } else { 0.0 };
        m.add(1.0, &[0.0, high, 0.0, high2, *y]);
    }
    let pr = penalty_reward(&m).unwrap();
    assert_eq!(pr.penalty, vec![None, None]);
    assert!(pr.reward.iter().all(Option::is_some));
}

/// (region, plan, design weight) of each class.
type ClassKey = (String, String, f64);

fn sample_classes() -> (Vec<Class>, Vec<ClassKey>, Vec<Margin>) {
    let regions = ["north", "south", "east"];
    let plans = ["contract", "prepaid"];
    let mut count: BTreeMap<(String, String, u64), f64> = BTreeMap::new();
    for r in rows("raking/sample.csv") {
        *count
            .entry((
                r["region"].clone(),
                r["plan"].clone(),
                f(&r, "design").to_bits(),
            ))
            .or_default() += 1.0;
    }
    let mut classes = Vec::new();
    let mut keys = Vec::new();
    for ((rg, pl, d), n) in count {
        classes.push(Class {
            cats: vec![
                regions.iter().position(|x| *x == rg).unwrap() as u32,
                plans.iter().position(|x| *x == pl).unwrap() as u32,
            ],
            design: f64::from_bits(d),
            count: n,
        });
        keys.push((rg, pl, f64::from_bits(d)));
    }
    let margins = vec![
        Margin {
            name: "region".into(),
            categories: regions.iter().map(|s| s.to_string()).collect(),
            targets: vec![0.4, 0.35, 0.25],
        },
        Margin {
            name: "plan".into(),
            categories: plans.iter().map(|s| s.to_string()).collect(),
            targets: vec![0.55, 0.45],
        },
    ];
    (classes, keys, margins)
}

#[test]
fn raking_matches_samplics() {
    let (classes, keys, margins) = sample_classes();
    let opts = RakeOptions {
        tol: 1e-12,
        max_iter: 1000,
        trim: None,
    };
    let r = rake(&classes, &margins, &opts).unwrap();
    assert_eq!(RAKED.len(), classes.len());
    for (rg, pl, d, w) in RAKED {
        let i = keys
            .iter()
            .position(|k| k.0 == rg && k.1 == pl && k.2 == d)
            .unwrap();
        close(r.weights[i], w, 1e-9, &format!("weight of {rg}/{pl}/{d}"));
    }
    close(r.efficiency, RAKED_EFFICIENCY, 1e-9, "efficiency");
}

#[test]
fn trimming_keeps_weights_in_their_caps_and_the_margins_met() {
    let (classes, _, margins) = sample_classes();
    let opts = RakeOptions {
        tol: 1e-6,
        max_iter: 1000,
        trim: Some((0.5, 2.5)),
    };
    let r = rake(&classes, &margins, &opts).unwrap();
    let n: f64 = classes.iter().map(|c| c.count).sum();
    let total: f64 = classes.iter().map(|c| c.count * c.design).sum();
    let mean = classes
        .iter()
        .zip(&r.weights)
        .map(|(c, w)| c.count * w)
        .sum::<f64>()
        / n;
    // Untrimmed, the largest weight is 2.94 (mean ~1.07, so 2.75 x): 2.5 x binds.
    assert!(r
        .weights
        .iter()
        .all(|&w| w <= 2.5 * mean * (1.0 + 1e-5) && w >= 0.5 * mean * (1.0 - 1e-5)));
    for (m, margin) in margins.iter().enumerate() {
        for (k, t) in margin.targets.iter().enumerate() {
            let s: f64 = classes
                .iter()
                .zip(&r.weights)
                .filter(|(c, _)| c.cats[m] == k as u32)
                .map(|(c, w)| c.count * w)
                .sum();
            close(
                s / total,
                *t,
                1e-5,
                &format!("{} {}", margin.name, margin.categories[k]),
            );
        }
    }
    let untrimmed = rake(&classes, &margins, &RakeOptions::default()).unwrap();
    assert!(
        r.efficiency > untrimmed.efficiency,
        "trimming raises the efficiency"
    );
}

#[test]
fn raking_errors_name_the_margin() {
    let (mut classes, _, margins) = sample_classes();
    let e = rake(
        &classes,
        &margins,
        &RakeOptions {
            tol: 1e-12,
            max_iter: 1,
            trim: None,
        },
    )
    .unwrap_err();
    assert!(matches!(e, RakeError::NotConverged { .. }), "{e}");
    assert!(e.to_string().contains("margin `"), "{e}");
    classes.retain(|c| c.cats[0] != 2);
    let e = rake(&classes, &margins, &RakeOptions::default()).unwrap_err();
    assert_eq!(
        e,
        RakeError::EmptyCategory {
            margin: "region".into(),
            category: "east".into()
        }
    );
}
