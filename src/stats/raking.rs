//! Raking (METHODOLOGY 9).
