//! Raking (METHODOLOGY 9). (interim stubs)
pub struct Margin {
    pub name: String,
    pub categories: Vec<String>,
    pub targets: Vec<f64>,
}
pub struct Class {
    pub cats: Vec<u32>,
    pub design: f64,
    pub count: f64,
}
pub struct RakeOptions {
    pub tol: f64,
    pub max_iter: usize,
    pub trim: Option<(f64, f64)>,
}
pub struct Raked {
    pub weights: Vec<f64>,
    pub iterations: usize,
    pub max_error: f64,
    pub n: f64,
    pub n_eff: f64,
    pub efficiency: f64,
}
#[derive(Debug)]
pub struct RakeError(pub String);
impl std::fmt::Display for RakeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
pub fn rake(_c: &[Class], _m: &[Margin], _o: &RakeOptions) -> Result<Raked, RakeError> {
    Err(RakeError("not yet".into()))
}
