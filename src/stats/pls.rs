//! PLS path modelling (METHODOLOGY 8). Filled in by the PLS work.
