//! The index's columns read out of PostgreSQL as `COPY … TO STDOUT (FORMAT
//! binary)`: a cold start of 1 M appeals spent most of its time decoding
//! sqlx rows (a row object and a typed lookup per field), while PostgreSQL
//! itself sends the same rows in binary COPY in about half that time and the
//! format is fixed-width integers and floats, read here straight from the
//! bytes.

use crate::store::rows::{INDEX_COLUMNS, responsible_id, sector_id, status_of};
use crate::store::{IndexRow, StoreError};

/// The signature, flags and header-extension length that open the data.
const SIGNATURE: &[u8] = b"PGCOPY\n\xff\r\n\0";
/// Fields per row: the [`INDEX_COLUMNS`].
const FIELDS: i16 = 12;

/// The statement reading the appeals with ids in `[from, to)`.
pub(super) fn statement(from: i64, to: i64) -> String {
    format!(
        "COPY (SELECT {INDEX_COLUMNS} FROM appeals WHERE id >= {from} AND id < {to}) \
         TO STDOUT (FORMAT binary)"
    )
}

/// Decodes a binary COPY stream fed in chunks of any size (PostgreSQL sends
/// a row per message, but nothing here depends on it).
#[derive(Debug, Default)]
pub(super) struct Decoder {
    /// Bytes of a row (or the header) split between chunks.
    carry: Vec<u8>,
    header_read: bool,
    ended: bool,
}

impl Decoder {
    /// Appends the whole rows of `chunk` (with any carried bytes) to `out`.
    pub fn feed(&mut self, chunk: &[u8], out: &mut Vec<IndexRow>) -> Result<(), StoreError> {
        if self.carry.is_empty() {
            let used = self.rows(chunk, out)?;
            self.carry.extend_from_slice(&chunk[used..]);
        } else {
            let mut bytes = std::mem::take(&mut self.carry);
            bytes.extend_from_slice(chunk);
            let used = self.rows(&bytes, out)?;
            bytes.drain(..used);
            self.carry = bytes;
        }
        Ok(())
    }

    /// Checks that the stream ended with its trailer and nothing after it.
    pub fn finish(&self) -> Result<(), StoreError> {
        if self.ended && self.carry.is_empty() {
            Ok(())
        } else {
            Err(corrupt("the stream ended inside a row"))
        }
    }

    /// Decodes whole rows from the start of `b`; returns the bytes used.
    fn rows(&mut self, b: &[u8], out: &mut Vec<IndexRow>) -> Result<usize, StoreError> {
        let mut at = 0;
        if !self.header_read {
            let Some(len) = header_len(b)? else {
                return Ok(0);
            };
            at = len;
            self.header_read = true;
        }
        while !self.ended {
            let mut c = Cursor { b, at };
            match row(&mut c)? {
                Some(Some(r)) => out.push(r),
                Some(None) => self.ended = true,
                None => break,
            }
            at = c.at;
        }
        if self.ended && at < b.len() {
            return Err(corrupt("bytes after the trailer"));
        }
        Ok(at)
    }
}

/// The header's length, once all of it is in `b`.
fn header_len(b: &[u8]) -> Result<Option<usize>, StoreError> {
    let fixed = SIGNATURE.len() + 8;
    if b.len() < fixed {
        return Ok(None);
    }
    if &b[..SIGNATURE.len()] != SIGNATURE {
        return Err(corrupt("not a binary COPY stream"));
    }
    let ext = u32::from_be_bytes(b[fixed - 4..fixed].try_into().expect("4 bytes")) as usize;
    Ok((b.len() >= fixed + ext).then_some(fixed + ext))
}

/// A row (`Some(None)` for the trailer), or `None` when `c` ends inside it.
fn row(c: &mut Cursor<'_>) -> Result<Option<Option<IndexRow>>, StoreError> {
    let Some(n) = c.take::<2>().map(i16::from_be_bytes) else {
        return Ok(None);
    };
    if n == -1 {
        return Ok(Some(None));
    }
    if n != FIELDS {
        return Err(corrupt(&format!("{n} fields in a row, {FIELDS} expected")));
    }
    macro_rules! field {
        ($f:expr) => {
            match $f {
                Some(v) => v,
                None => return Ok(None),
            }
        };
    }
    let id = field!(c.int8()?).ok_or_else(|| corrupt("NULL id"))?;
    let need = |v: Option<i64>, name: &str| v.ok_or_else(|| corrupt(&format!("NULL {name}")));
    let cell = need(field!(c.int8()?), "cell")?;
    let lat = need(field!(c.int8()?), "lat")?;
    let lon = need(field!(c.int8()?), "lon")?;
    let created_at = need(field!(c.int8()?), "created_at")?;
    let sector = need(field!(c.int8()?), "sector_id")?;
    let status = need(field!(c.int8()?), "status")?;
    let resolved_at = field!(c.int8()?);
    let source = field!(c.text()?).ok_or_else(|| corrupt("NULL source"))?;
    let responsible = field!(c.int8()?);
    let due_at = field!(c.int8()?);
    let first_response_at = field!(c.int8()?);
    Ok(Some(Some(IndexRow {
        id,
        cell: cell as u64,
        // float8 travels as its IEEE bits, big-endian, like an int8.
        lat: f64::from_bits(lat as u64),
        lon: f64::from_bits(lon as u64),
        created_at,
        sector: sector_id(sector)?,
        status: status_of(status),
        resolved_at,
        source,
        responsible: responsible_id(responsible)?,
        due_at,
        first_response_at,
    })))
}

/// A read position in a chunk.
struct Cursor<'a> {
    b: &'a [u8],
    at: usize,
}

impl Cursor<'_> {
    fn take<const N: usize>(&mut self) -> Option<[u8; N]> {
        let v = self.b.get(self.at..self.at + N)?.try_into().ok()?;
        self.at += N;
        Some(v)
    }

    /// A field's length (`None` inside: more bytes needed; -1 is NULL).
    fn len(&mut self) -> Option<i32> {
        self.take::<4>().map(i32::from_be_bytes)
    }

    /// An 8-byte field (int8 or float8) or NULL; `None`: more bytes needed.
    fn int8(&mut self) -> Result<Option<Option<i64>>, StoreError> {
        match self.len() {
            None => Ok(None),
            Some(-1) => Ok(Some(None)),
            Some(8) => Ok(self.take::<8>().map(|v| Some(i64::from_be_bytes(v)))),
            Some(n) => Err(corrupt(&format!("an {n}-byte field where 8 were expected"))),
        }
    }

    /// A text field or NULL; `None`: more bytes needed.
    fn text(&mut self) -> Result<Option<Option<String>>, StoreError> {
        let Some(n) = self.len() else {
            return Ok(None);
        };
        if n == -1 {
            return Ok(Some(None));
        }
        let n = usize::try_from(n).map_err(|_| corrupt("negative field length"))?;
        let Some(bytes) = self.b.get(self.at..self.at + n) else {
            return Ok(None);
        };
        self.at += n;
        let s = std::str::from_utf8(bytes).map_err(|_| corrupt("source is not UTF-8"))?;
        Ok(Some(Some(s.to_owned())))
    }
}

fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt(format!("reading appeals by COPY: {what}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Status;

    /// One row in the binary format, as PostgreSQL writes it.
    fn encoded(id: i64, source: &str, resolved: Option<i64>) -> Vec<u8> {
        let mut b = FIELDS.to_be_bytes().to_vec();
        let int8 = |b: &mut Vec<u8>, v: Option<i64>| match v {
            Some(v) => {
                b.extend_from_slice(&8i32.to_be_bytes());
                b.extend_from_slice(&v.to_be_bytes());
            }
            None => b.extend_from_slice(&(-1i32).to_be_bytes()),
        };
        int8(&mut b, Some(id));
        int8(&mut b, Some(0x08b2_0000_0000_0fff));
        int8(&mut b, Some(55.75f64.to_bits() as i64));
        int8(&mut b, Some((-179.99f64).to_bits() as i64));
        int8(&mut b, Some(1_700_000_000));
        int8(&mut b, Some(4));
        int8(&mut b, Some(2));
        int8(&mut b, resolved);
        b.extend_from_slice(&(source.len() as i32).to_be_bytes());
        b.extend_from_slice(source.as_bytes());
        int8(&mut b, Some(3));
        int8(&mut b, None);
        int8(&mut b, Some(1_700_000_100));
        b
    }

    fn stream() -> Vec<u8> {
        let mut b = SIGNATURE.to_vec();
        b.extend_from_slice(&0u32.to_be_bytes());
        b.extend_from_slice(&0u32.to_be_bytes());
        b.extend(encoded(1, "portal", Some(1_700_003_600)));
        b.extend(encoded(2, "телефон", None));
        b.extend_from_slice(&(-1i16).to_be_bytes());
        b
    }

    #[test]
    fn rows_decode_whatever_the_chunking() {
        let all = stream();
        for size in [1, 2, 7, 19, 64, all.len()] {
            let mut d = Decoder::default();
            let mut out = Vec::new();
            for chunk in all.chunks(size) {
                d.feed(chunk, &mut out).expect("decodes");
            }
            d.finish().expect("ends with the trailer");
            assert_eq!(out.len(), 2, "chunks of {size}");
            let (a, b) = (&out[0], &out[1]);
            assert_eq!(
                (a.id, a.source.as_str(), a.resolved_at),
                (1, "portal", Some(1_700_003_600))
            );
            assert_eq!(
                (b.id, b.source.as_str(), b.resolved_at),
                (2, "телефон", None)
            );
            assert_eq!(
                (a.lat, a.lon, a.cell),
                (55.75, -179.99, 0x08b2_0000_0000_0fff)
            );
            assert_eq!(
                (a.sector, a.status, a.responsible),
                (4, Status::Resolved, 3)
            );
            assert_eq!((a.due_at, a.first_response_at), (None, Some(1_700_000_100)));
        }
    }

    #[test]
    fn broken_streams_are_errors() {
        let all = stream();
        let mut d = Decoder::default();
        let mut out = Vec::new();
        d.feed(&all[..all.len() - 5], &mut out)
            .expect("partial is fine");
        assert!(d.finish().is_err(), "cut inside a row");
        let mut bad = all.clone();
        bad[0] = b'X';
        assert!(Decoder::default().feed(&bad, &mut out).is_err());
        let mut extra = all;
        extra.push(0);
        assert!(Decoder::default().feed(&extra, &mut Vec::new()).is_err());
    }
}
