//! hexwatch turns citizens' geocoded appeals into H3 hexagon heat maps.
//!
//! The data's path, one module each:
//!
//! * [`ingest`] parses JSON, NDJSON, GeoJSON and CSV into validated [`domain::Appeal`]s;
//! * [`store`] holds all SQL: appeals go to the database first (SQLite by default);
//! * [`index`] keeps every appeal in memory as cell-sorted columns plus an R-tree
//!   for recent writes, restored at start from a snapshot;
//! * [`districts`] parses district polygons and answers which appeals belong
//!   to one (an H3 cover of inside and boundary cells, then point-in-polygon);
//! * [`aggregate`] bins the index by parent cell, sector and calendar period;
//! * [`analysis`] finds hotspots, judges fixes and summarises cells and districts;
//! * [`engine`] orders "commit, then index" and loads the index;
//! * [`tiles`] makes Mapbox Vector Tiles (hexagons, appeals, fixes, hotspots,
//!   change) and their TileJSON from the index, with caches for cell outlines
//!   and whole tiles;
//! * [`api`] is the HTTP layer (axum), the only code that knows about HTTP;
//! * [`cli`] implements the `serve`, `import`, `generate` and `migrate` commands.

pub mod aggregate;
pub mod analysis;
pub mod api;
pub mod auth;
pub mod cli;
pub mod config;
pub mod districts;
pub mod domain;
pub mod engine;
pub mod generate;
pub mod index;
pub mod ingest;
pub mod store;
pub mod tiles;
