//! PLS path modelling (METHODOLOGY 8). (interim stubs)
use nalgebra::DMatrix;
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Scheme {
    Centroid,
    Factorial,
    Path,
}
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Mode {
    A,
    B,
}
pub struct Latent {
    pub name: String,
    pub block: Vec<usize>,
    pub mode: Mode,
}
pub struct Model {
    pub name: String,
    pub latents: Vec<Latent>,
    pub paths: Vec<(usize, usize)>,
    pub scheme: Scheme,
    pub scaled: bool,
    pub max_iter: usize,
    pub tol: f64,
}
pub struct Outer {
    pub latent: usize,
    pub column: usize,
    pub weight: f64,
    pub loading: f64,
    pub communality: f64,
    pub redundancy: f64,
    pub unstd_weight: f64,
}
pub struct Coef {
    pub from: usize,
    pub estimate: f64,
    pub se: f64,
    pub t: f64,
    pub p: f64,
}
pub struct Inner {
    pub latent: usize,
    pub r2: f64,
    pub coefs: Vec<Coef>,
}
pub struct LatentSummary {
    pub name: String,
    pub endogenous: bool,
    pub r2: f64,
    pub block_communality: f64,
    pub mean_redundancy: f64,
    pub ave: f64,
}
pub struct Effect {
    pub from: usize,
    pub to: usize,
    pub direct: f64,
    pub indirect: f64,
    pub total: f64,
}
pub struct Fit {
    pub n: usize,
    pub iterations: usize,
    pub outer: Vec<Outer>,
    pub inner: Vec<Inner>,
    pub summary: Vec<LatentSummary>,
    pub effects: Vec<Effect>,
    pub paths: DMatrix<f64>,
    pub crossloadings: DMatrix<f64>,
    pub scores: DMatrix<f64>,
    pub gof: f64,
    pub index: Vec<f64>,
}
#[derive(Debug)]
pub struct PlsError(pub String);
impl std::fmt::Display for PlsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
pub fn fit(_m: &Model, _x: &DMatrix<f64>, _w: Option<&[f64]>) -> Result<Fit, PlsError> {
    Err(PlsError("not yet".into()))
}
pub struct BootStat {
    pub original: f64,
    pub mean: f64,
    pub se: f64,
    pub lo: f64,
    pub hi: f64,
}
pub struct Boot {
    pub b: usize,
    pub failed: usize,
    pub paths: Vec<BootStat>,
    pub weights: Vec<BootStat>,
    pub loadings: Vec<BootStat>,
    pub r2: Vec<BootStat>,
    pub index: Vec<BootStat>,
}
pub fn bootstrap(
    _m: &Model,
    _x: &DMatrix<f64>,
    _w: Option<&[f64]>,
    _b: usize,
    _seed: u64,
) -> Result<Boot, PlsError> {
    Err(PlsError("not yet".into()))
}
