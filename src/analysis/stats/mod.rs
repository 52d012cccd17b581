//! Statistics without I/O: each function takes plain numbers and cites the
//! definition it follows, so an analyst can redo the arithmetic by hand.

pub mod emerging;
pub mod fdr;
pub mod gistar;
pub mod kaplan_meier;
pub mod km_buckets;
pub mod logrank;
pub mod mann_kendall;
pub mod normal;
pub mod quantile;
pub mod rates;
