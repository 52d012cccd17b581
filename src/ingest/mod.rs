//! Parsing and validation of incoming appeals: JSON arrays, NDJSON, GeoJSON
//! FeatureCollections and CSV all become field maps, and one validator turns a
//! field map into an [`Appeal`] or a list of errors naming the record and field.

mod csv;
mod fields;
mod geojson;
mod json;
pub mod open311;
mod record;
mod resolution;
mod validate;

use crate::domain::{Appeal, Catalogue};
use serde::Serialize;

pub use fields::{CsvRow, Fields, Val};
pub use validate::{MAX_LENGTHS, parse_time, validate};

/// The wire formats an appeal batch may come in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A JSON array of objects.
    Json,
    /// One JSON object per line.
    Ndjson,
    /// A GeoJSON FeatureCollection of Points.
    GeoJson,
    /// CSV with a header row.
    Csv,
}

impl Format {
    /// Picks the format from a `Content-Type` header value.
    pub fn from_content_type(ct: &str) -> Option<Format> {
        let mime = ct
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        match mime.as_str() {
            "application/json" | "" => Some(Format::Json),
            "application/geo+json" | "application/vnd.geo+json" => Some(Format::GeoJson),
            "text/csv" | "application/csv" => Some(Format::Csv),
            "application/x-ndjson" | "application/ndjson" | "application/jsonl" => {
                Some(Format::Ndjson)
            }
            _ => None,
        }
    }

    /// Picks the format from a file name's extension.
    pub fn from_path(path: &std::path::Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "json" => Some(Format::Json),
            "geojson" => Some(Format::GeoJson),
            "csv" => Some(Format::Csv),
            "ndjson" | "jsonl" => Some(Format::Ndjson),
            _ => None,
        }
    }
}

/// Where a record stood in its batch: 0-based index, and the 1-based line for
/// line-oriented formats (CSV, NDJSON).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Position {
    /// 0-based record index in the batch.
    pub index: usize,
    /// 1-based line of the file, where the format has lines.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
}

/// One problem with one field of one record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecordError {
    /// 0-based record index in the batch.
    pub index: usize,
    /// 1-based line, for CSV and NDJSON.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// The offending field, when one field is to blame.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// What is wrong, for a person.
    pub message: String,
}

impl RecordError {
    /// An error of a record's field.
    pub fn new(pos: Position, field: Option<&str>, message: impl Into<String>) -> Self {
        RecordError {
            index: pos.index,
            line: pos.line,
            field: field.map(str::to_owned),
            message: message.into(),
        }
    }
}

/// A batch that failed as a whole (not valid JSON, not a collection, …).
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct BodyError {
    /// What is wrong with the body.
    pub message: String,
    /// The record the problem was found in, if any.
    pub position: Option<Position>,
}

impl BodyError {
    fn new(message: impl Into<String>) -> Self {
        BodyError {
            message: message.into(),
            position: None,
        }
    }
}

/// The outcome of parsing a batch: valid appeals with their positions, and the
/// errors of the invalid records.
#[derive(Debug, Default)]
pub struct Batch {
    /// Valid appeals in batch order.
    pub valid: Vec<(Position, Appeal)>,
    /// Errors of the invalid records, in batch order.
    pub rejected: Vec<RecordError>,
    /// Number of records read.
    pub total: usize,
}

impl Batch {
    fn push(&mut self, pos: Position, fields: &dyn Fields, cat: &Catalogue) {
        self.total += 1;
        match validate(fields, pos, cat) {
            Ok(a) => self.valid.push((pos, a)),
            Err(errs) => self.rejected.extend(errs),
        }
    }
}

/// Parses and validates a whole body in the given format.
pub fn parse(format: Format, body: &[u8], cat: &Catalogue) -> Result<Batch, BodyError> {
    let body = strip_bom(body);
    let mut batch = Batch::default();
    match format {
        Format::Json => json::parse_array(body, |pos, m| batch.push(pos, m, cat))?,
        Format::Ndjson => json::parse_lines(body, |pos, m| batch.push(pos, m, cat))?,
        Format::GeoJson => geojson::parse(body, |pos, m| batch.push(pos, m, cat))?,
        Format::Csv => csv::parse(body, |pos, m| batch.push(pos, m, cat))?,
    }
    Ok(batch)
}

/// Streams records of a reader (for large imports) in chunks of `chunk` valid or
/// invalid records, calling `sink` per chunk. JSON arrays and GeoJSON are read
/// whole; CSV and NDJSON stream.
pub fn parse_stream<R: std::io::Read>(
    format: Format,
    reader: R,
    cat: &Catalogue,
    chunk: usize,
    mut sink: impl FnMut(Batch) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let mut batch = Batch::default();
    let mut flush = |batch: &mut Batch, force: bool| -> anyhow::Result<()> {
        if batch.total >= chunk || (force && batch.total > 0) {
            sink(std::mem::take(batch))?;
        }
        Ok(())
    };
    let mut err: Option<anyhow::Error> = None;
    let mut each = |pos: Position, m: &dyn Fields| {
        batch.push(pos, m, cat);
        if err.is_none()
            && let Err(e) = flush(&mut batch, false)
        {
            err = Some(e);
        }
    };
    match format {
        Format::Csv => csv::parse_reader(reader, &mut each)?,
        Format::Ndjson => json::parse_reader_lines(reader, &mut each)?,
        Format::Json | Format::GeoJson => {
            let mut buf = Vec::new();
            let mut reader = reader;
            std::io::Read::read_to_end(&mut reader, &mut buf)?;
            let body = strip_bom(&buf);
            if format == Format::Json {
                json::parse_array(body, &mut each)?;
            } else {
                geojson::parse(body, &mut each)?;
            }
        }
    }
    if let Some(e) = err {
        return Err(e);
    }
    flush(&mut batch, true)
}

fn strip_bom(body: &[u8]) -> &[u8] {
    body.strip_prefix(b"\xEF\xBB\xBF".as_slice())
        .unwrap_or(body)
}
