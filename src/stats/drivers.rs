//! Derived importance, penalty-reward and importance-performance (METHODOLOGY 6-7).
