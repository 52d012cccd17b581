//! Resolution performance: how fast appeals are answered and resolved, by
//! group and period (Kaplan–Meier, so open appeals count as censored), a
//! ranking of units, and the effect of process changes.

mod book;

pub use book::ChangeBook;
