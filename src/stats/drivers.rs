//! Derived importance, penalty-reward and importance-performance (METHODOLOGY 6-7).
//! (Interim accumulator; the full module lands from the drivers work.)

/// Weighted first and second moments of p variables.
#[derive(Debug, Clone)]
pub struct Moments {
    p: usize,
    n: u64,
    sw: f64,
    sw2: f64,
    s: Vec<f64>,
    ss: Vec<f64>,
}

impl Moments {
    pub fn new(p: usize) -> Self {
        Moments {
            p,
            n: 0,
            sw: 0.0,
            sw2: 0.0,
            s: vec![0.0; p],
            ss: vec![0.0; p * p],
        }
    }
    pub fn p(&self) -> usize {
        self.p
    }
    pub fn n(&self) -> u64 {
        self.n
    }
    pub fn sum_w(&self) -> f64 {
        self.sw
    }
    pub fn add(&mut self, w: f64, x: &[f64]) {
        self.n += 1;
        self.sw += w;
        self.sw2 += w * w;
        for i in 0..self.p {
            self.s[i] += w * x[i];
            for j in i..self.p {
                self.ss[i * self.p + j] += w * x[i] * x[j];
            }
        }
    }
    pub fn merge(&mut self, o: &Moments) {
        self.n += o.n;
        self.sw += o.sw;
        self.sw2 += o.sw2;
        for (a, b) in self.s.iter_mut().zip(&o.s) {
            *a += b;
        }
        for (a, b) in self.ss.iter_mut().zip(&o.ss) {
            *a += b;
        }
    }
}

// ---- interim stubs (replaced by the drivers work) ----
#[derive(Debug, Clone)]
pub struct Importance {
    pub n: u64,
    pub r2: f64,
    pub r: Vec<f64>,
    pub beta: Vec<f64>,
    pub raw_weight: Vec<f64>,
    pub share: Vec<f64>,
}
#[derive(Debug, Clone)]
pub struct PenaltyReward {
    pub n: u64,
    pub r2: f64,
    pub intercept: f64,
    pub penalty: Vec<Option<f64>>,
    pub reward: Vec<Option<f64>>,
}
#[derive(Debug)]
pub struct DriverError(pub String);
impl std::fmt::Display for DriverError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for DriverError {}
pub fn importance(_m: &Moments) -> Result<Importance, DriverError> {
    Err(DriverError("not yet".into()))
}
pub fn penalty_reward(_m: &Moments) -> Result<PenaltyReward, DriverError> {
    Err(DriverError("not yet".into()))
}
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KanoClass {
    Basic,
    Performance,
    Excitement,
}
pub fn kano_class(_p: Option<f64>, _r: Option<f64>, _ratio: f64) -> Option<KanoClass> {
    None
}
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Quadrant {
    ConcentrateHere,
    KeepUp,
    LowPriority,
    PossibleOverkill,
}
impl Quadrant {
    pub fn as_str(self) -> &'static str {
        "x"
    }
}
pub fn quadrant(_x: f64, _y: f64, _xl: f64, _yl: f64) -> Quadrant {
    Quadrant::KeepUp
}
impl Moments {
    pub fn means(&self) -> Vec<f64> {
        self.s.iter().map(|x| x / self.sw).collect()
    }
}
