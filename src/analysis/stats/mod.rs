//! Statistics without I/O: each function takes plain numbers and cites the
//! definition it follows, so an analyst can redo the arithmetic by hand.

pub mod quantile;
pub mod rates;
