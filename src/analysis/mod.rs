//! Analysis over the index: cell details, hotspots (Getis-Ord Gi* and emerging
//! hot-spot classes), the effect of fixes, district summaries and the change
//! between two periods. Pure statistics live in [`stats`]; the modules here
//! turn index scans into the inputs of those tests.

pub mod cell;
pub mod change;
pub mod fixes;
pub mod hotspots;
pub mod resolution;
pub mod stats;
pub mod versioned;
