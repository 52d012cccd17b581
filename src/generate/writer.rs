//! Writes records in the formats the server ingests: CSV, NDJSON, a JSON
//! array, a GeoJSON FeatureCollection. Times go out as RFC 3339 with the
//! Europe/Moscow offset; absent fields are empty (CSV) or left out (JSON).

use super::Record;
use super::calendar::Clock;
use super::spool::Spool;
use anyhow::{Context, Result, bail};
use serde::ser::{Serialize, SerializeStruct, Serializer};
use std::fs::File;
use std::io::Write;
use std::path::Path;

/// The CSV header, in the order the server documents.
pub const CSV_HEADER: [&str; 14] = [
    "source",
    "external_id",
    "sector",
    "category",
    "lat",
    "lon",
    "created_at",
    "status",
    "resolved_at",
    "address",
    "text",
    "responsible",
    "due_at",
    "first_response_at",
];

/// Output formats, chosen by file extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `.csv`: header row, one appeal per row.
    Csv,
    /// `.ndjson` / `.jsonl`: one JSON object per line.
    Ndjson,
    /// `.json`: one JSON array.
    Json,
    /// `.geojson`: a FeatureCollection of Points, other fields as properties.
    GeoJson,
}

impl Format {
    /// The format for a path's extension (case-insensitive).
    pub fn from_path(path: &Path) -> Result<Format> {
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        Ok(match ext.as_str() {
            "csv" => Format::Csv,
            "ndjson" | "jsonl" => Format::Ndjson,
            "json" => Format::Json,
            "geojson" => Format::GeoJson,
            _ => bail!(
                "cannot tell the format of {}: use .csv, .ndjson, .jsonl, .json or .geojson",
                path.display()
            ),
        })
    }
}

/// Streams records into a buffered writer (a [`Spool`] for files).
pub(crate) struct RecordWriter<W: Write> {
    sink: Sink<W>,
    format: Format,
    clock: Clock,
    written: u64,
}

enum Sink<W: Write> {
    // Boxed: the csv writer is large and there is one per file.
    Csv(Box<csv::Writer<W>>),
    Json(W),
}

impl RecordWriter<Spool> {
    /// Creates `path` and writes the format's opening (CSV header, `[`, …).
    pub(crate) fn create(path: &Path, format: Format) -> Result<RecordWriter<Spool>> {
        let file =
            File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
        RecordWriter::new(Spool::new(file), format)
    }
}

impl<W: Write> RecordWriter<W> {
    /// Wraps `out`, which should buffer, and writes the format's opening.
    pub(crate) fn new(out: W, format: Format) -> Result<RecordWriter<W>> {
        let sink = match format {
            Format::Csv => {
                let mut w = csv::WriterBuilder::new().from_writer(out);
                w.write_record(CSV_HEADER)?;
                Sink::Csv(Box::new(w))
            }
            _ => {
                let mut w = out;
                match format {
                    Format::Json => w.write_all(b"[")?,
                    Format::GeoJson => {
                        w.write_all(b"{\"type\":\"FeatureCollection\",\"features\":[")?
                    }
                    _ => {}
                }
                Sink::Json(w)
            }
        };
        Ok(RecordWriter {
            sink,
            format,
            clock: Clock::new(),
            written: 0,
        })
    }

    /// Writes one record.
    pub(crate) fn write(&mut self, r: &Record) -> Result<()> {
        let mut created = [0u8; 25];
        let mut resolved = [0u8; 25];
        let created = self.clock.format(r.created_at, &mut created);
        let resolved = r.resolved_at.map(|t| self.clock.format(t, &mut resolved));
        let mut due = [0u8; 25];
        let mut first = [0u8; 25];
        let due = r.due_at.map(|t| self.clock.format(t, &mut due));
        let first = r
            .first_response_at
            .map(|t| self.clock.format(t, &mut first));
        match &mut self.sink {
            Sink::Csv(w) => {
                let mut lat = NumBuf::default();
                let mut lon = NumBuf::default();
                w.write_field(r.source)?;
                w.write_field(&r.external_id)?;
                w.write_field(r.sector)?;
                w.write_field(r.category)?;
                w.write_field(lat.format(r.lat))?;
                w.write_field(lon.format(r.lon))?;
                w.write_field(created)?;
                w.write_field(r.status)?;
                w.write_field(resolved.unwrap_or(""))?;
                w.write_field(r.address.as_deref().unwrap_or(""))?;
                w.write_field(r.text.as_deref().unwrap_or(""))?;
                w.write_field(r.responsible.unwrap_or(""))?;
                w.write_field(due.unwrap_or(""))?;
                w.write_field(first.unwrap_or(""))?;
                w.write_record(None::<&[u8]>)?;
            }
            Sink::Json(w) => {
                let sep: &[u8] = match (self.format, self.written) {
                    (Format::Ndjson, _) => b"",
                    (_, 0) => b"\n",
                    _ => b",\n",
                };
                w.write_all(sep)?;
                let wire = Wire {
                    r,
                    created,
                    resolved,
                    due,
                    first,
                    coords: self.format != Format::GeoJson,
                };
                if self.format == Format::GeoJson {
                    write!(
                        w,
                        "{{\"type\":\"Feature\",\"geometry\":{{\"type\":\"Point\",\"coordinates\":[{},{}]}},\"properties\":",
                        r.lon, r.lat
                    )?;
                    serde_json::to_writer(&mut *w, &wire)?;
                    w.write_all(b"}")?;
                } else {
                    serde_json::to_writer(&mut *w, &wire)?;
                }
                if self.format == Format::Ndjson {
                    w.write_all(b"\n")?;
                }
            }
        }
        self.written += 1;
        Ok(())
    }

    /// Writes the closing and flushes; returns the inner writer.
    pub(crate) fn finish(self) -> Result<W> {
        match self.sink {
            Sink::Csv(w) => w.into_inner().map_err(|e| anyhow::anyhow!("{}", e.error())),
            Sink::Json(mut w) => {
                match self.format {
                    Format::Json => w.write_all(b"\n]\n")?,
                    Format::GeoJson => w.write_all(b"\n]}\n")?,
                    _ => {}
                }
                Ok(w)
            }
        }
    }
}

/// A record as a JSON object, borrowing everything so no row allocates.
struct Wire<'a> {
    r: &'a Record,
    created: &'a str,
    resolved: Option<&'a str>,
    due: Option<&'a str>,
    first: Option<&'a str>,
    /// GeoJSON carries the coordinates in the geometry, not the properties.
    coords: bool,
}

impl Serialize for Wire<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let r = self.r;
        let mut st = s.serialize_struct("Appeal", 14)?;
        st.serialize_field("source", r.source)?;
        st.serialize_field("external_id", &r.external_id)?;
        st.serialize_field("sector", r.sector)?;
        st.serialize_field("category", r.category)?;
        if self.coords {
            st.serialize_field("lat", &r.lat)?;
            st.serialize_field("lon", &r.lon)?;
        }
        st.serialize_field("created_at", self.created)?;
        st.serialize_field("status", r.status)?;
        if let Some(t) = self.resolved {
            st.serialize_field("resolved_at", t)?;
        }
        if let Some(a) = &r.address {
            st.serialize_field("address", a)?;
        }
        if let Some(t) = &r.text {
            st.serialize_field("text", t)?;
        }
        if let Some(u) = r.responsible {
            st.serialize_field("responsible", u)?;
        }
        if let Some(t) = self.due {
            st.serialize_field("due_at", t)?;
        }
        if let Some(t) = self.first {
            st.serialize_field("first_response_at", t)?;
        }
        st.end()
    }
}

/// A stack buffer for one number's decimal text.
#[derive(Default)]
struct NumBuf {
    buf: [u8; 32],
}

impl NumBuf {
    /// The shortest decimal that reads back as `v` (Rust's `Display` for f64,
    /// never in exponent form, so every reader takes it).
    fn format(&mut self, v: f64) -> &[u8] {
        let mut cur = std::io::Cursor::new(&mut self.buf[..]);
        // 32 bytes hold any coordinate; a failure would only truncate.
        let _ = write!(cur, "{v}");
        let n = cur.position() as usize;
        &self.buf[..n]
    }
}
