//! Index snapshots: the sorted base written to a file beside the database, so
//! a cold start reads ~50 bytes per appeal sequentially instead of querying and
//! re-sorting every row. A snapshot names the database it belongs to and the
//! change sequence it includes; rows changed after it come from the database.

use super::{Columns, Data};
use bytemuck::Pod;
use serde::{Deserialize, Serialize};
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::Path;

/// The layout version is the magic's last byte: 3 added the deadline, first
/// response and responsible columns. A snapshot of another version is
/// ignored (rebuilt from the database), never read with the wrong layout.
const MAGIC: &[u8; 8] = b"HEXIDX\x00\x03";

/// What a snapshot covers.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Header {
    /// The database identity (`meta.db_uuid`).
    pub db_uuid: String,
    /// The change sequence included.
    pub seq: u64,
    /// Number of appeals.
    pub rows: u64,
    /// Source names, by id.
    pub sources: Vec<String>,
    /// Byte order of the columns (always little-endian here).
    pub endian: String,
}

/// Writes the base (the caller compacts first) atomically: a temporary file,
/// fsync, then rename, so a crash leaves the old snapshot or the new one.
pub fn write(path: &Path, db_uuid: &str, data: &Data) -> std::io::Result<()> {
    let tmp = path.with_extension("hexidx.tmp");
    {
        let mut w = BufWriter::with_capacity(1 << 20, File::create(&tmp)?);
        let c = &data.base;
        let header = Header {
            db_uuid: db_uuid.to_owned(),
            seq: data.seq,
            rows: c.len() as u64,
            sources: data.sources.clone(),
            endian: "le".into(),
        };
        let json = serde_json::to_vec(&header)?;
        w.write_all(MAGIC)?;
        w.write_all(&(json.len() as u64).to_le_bytes())?;
        w.write_all(&json)?;
        w.write_all(bytemuck::cast_slice(&c.cell))?;
        w.write_all(bytemuck::cast_slice(&c.lat))?;
        w.write_all(bytemuck::cast_slice(&c.lon))?;
        w.write_all(bytemuck::cast_slice(&c.created))?;
        w.write_all(bytemuck::cast_slice(&c.resolve))?;
        w.write_all(&c.sector)?;
        w.write_all(&c.status)?;
        w.write_all(bytemuck::cast_slice(&c.source))?;
        w.write_all(bytemuck::cast_slice(&c.id))?;
        w.write_all(bytemuck::cast_slice(&c.due))?;
        w.write_all(bytemuck::cast_slice(&c.first_response))?;
        w.write_all(bytemuck::cast_slice(&c.responsible))?;
        let f = w.into_inner().map_err(|e| e.into_error())?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path)?;
    Ok(())
}

/// Reads a snapshot if it exists, belongs to `db_uuid` and is not ahead of the
/// database (`db_seq`); `Ok(None)` means "rebuild from the database".
pub fn read(path: &Path, db_uuid: &str, db_seq: u64) -> std::io::Result<Option<Data>> {
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let len = file.metadata()?.len();
    let mut r = BufReader::with_capacity(1 << 20, file);
    let mut magic = [0u8; 8];
    r.read_exact(&mut magic)?;
    if &magic != MAGIC || !cfg!(target_endian = "little") {
        return Ok(None);
    }
    let mut n = [0u8; 8];
    r.read_exact(&mut n)?;
    let hlen = u64::from_le_bytes(n);
    if hlen > len {
        return Ok(None);
    }
    let mut json = vec![0u8; hlen as usize];
    r.read_exact(&mut json)?;
    let Ok(h) = serde_json::from_slice::<Header>(&json) else {
        return Ok(None);
    };
    let rows = h.rows as usize;
    let expected = 16 + hlen + h.rows * super::BYTES_PER_ROW as u64;
    if h.db_uuid != db_uuid || h.seq > db_seq || h.endian != "le" || expected != len {
        return Ok(None);
    }
    let base = Columns {
        cell: column(&mut r, rows)?,
        lat: column(&mut r, rows)?,
        lon: column(&mut r, rows)?,
        created: column(&mut r, rows)?,
        resolve: column(&mut r, rows)?,
        sector: column(&mut r, rows)?,
        status: column(&mut r, rows)?,
        source: column(&mut r, rows)?,
        id: column(&mut r, rows)?,
        due: column(&mut r, rows)?,
        first_response: column(&mut r, rows)?,
        responsible: column(&mut r, rows)?,
    };
    let data = Data {
        base,
        seq: h.seq,
        ..Data::default()
    };
    Ok(Some(data.with_sources(h.sources)))
}

fn column<T: Pod + Default>(r: &mut impl Read, rows: usize) -> std::io::Result<Vec<T>> {
    let mut v = vec![T::default(); rows];
    r.read_exact(bytemuck::cast_slice_mut(&mut v))?;
    Ok(v)
}
