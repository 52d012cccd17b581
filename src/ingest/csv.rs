//! CSV with a header row (BOM, quotes and CRLF handled by the `csv` crate).

use super::{BodyError, CsvRow, Fields, Position};

/// Calls `each` for every data row of a CSV body.
pub fn parse(body: &[u8], each: impl FnMut(Position, &dyn Fields)) -> Result<(), BodyError> {
    parse_reader(body, each)
}

/// Streams CSV from a reader; every cell arrives as a string (empty = absent).
pub fn parse_reader<R: std::io::Read>(
    reader: R,
    mut each: impl FnMut(Position, &dyn Fields),
) -> Result<(), BodyError> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(CrlfToLf::new(reader));
    let headers: Vec<String> = rdr
        .headers()
        .map_err(|e| BodyError::new(format!("cannot read the CSV header row: {e}")))?
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}').to_owned())
        .collect();
    if !headers.iter().any(|h| h == "lat") || !headers.iter().any(|h| h == "lon") {
        return Err(BodyError::new(format!(
            "CSV header must name the columns (source, external_id, sector, lat, lon, created_at, …); got {headers:?}"
        )));
    }
    let mut record = csv::StringRecord::new();
    let mut index = 0;
    loop {
        let more = rdr.read_record(&mut record).map_err(|e| {
            let line = e.position().map(|p| p.line() as usize);
            BodyError {
                message: format!("CSV is malformed: {e}"),
                position: Some(Position { index, line }),
            }
        })?;
        if !more {
            break;
        }
        let line = record.position().map(|p| p.line() as usize);
        let row = CsvRow {
            headers: &headers,
            record: &record,
        };
        each(Position { index, line }, &row);
        index += 1;
    }
    Ok(())
}

/// Turns CRLF into LF while streaming. The csv crate counts lines by `\n` but
/// starts a CRLF record at its `\n`, which puts every reported line one short;
/// with plain LF the line numbers are those a person sees in an editor.
struct CrlfToLf<R> {
    inner: R,
    pending_cr: bool,
}

impl<R: std::io::Read> CrlfToLf<std::io::BufReader<R>> {
    fn new(inner: R) -> Self {
        CrlfToLf {
            inner: std::io::BufReader::with_capacity(1 << 16, inner),
            pending_cr: false,
        }
    }
}

impl<R: std::io::BufRead> std::io::Read for CrlfToLf<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let mut w = 0;
        while w < out.len() {
            let avail = self.inner.fill_buf()?;
            if avail.is_empty() {
                if self.pending_cr {
                    self.pending_cr = false;
                    out[w] = b'\r';
                    w += 1;
                }
                break;
            }
            if self.pending_cr {
                self.pending_cr = false;
                if avail[0] == b'\n' {
                    out[w] = b'\n';
                    w += 1;
                    self.inner.consume(1);
                } else {
                    // A lone CR stays as it is.
                    out[w] = b'\r';
                    w += 1;
                }
                continue;
            }
            // Copy up to the next CR in one go.
            let room = out.len() - w;
            let upto = memchr::memchr(b'\r', &avail[..avail.len().min(room)]);
            let n = upto.unwrap_or(avail.len().min(room));
            out[w..w + n].copy_from_slice(&avail[..n]);
            w += n;
            match upto {
                Some(_) => {
                    self.pending_cr = true;
                    self.inner.consume(n + 1);
                }
                None => self.inner.consume(n),
            }
            // Nothing produced yet, or a CR to resolve: read on.
            if w == 0 || self.pending_cr {
                continue;
            }
            break;
        }
        Ok(w)
    }
}

#[cfg(test)]
mod tests {
    use super::super::fields::to_map;
    use super::*;

    #[test]
    fn handles_quotes_crlf_and_reports_lines() {
        let body = b"source,external_id,lat,lon,address\r\nvk,1,55.8,49.1,\"Kazan, \"\"Bauman\"\" st\"\r\nvk,2,55.9,49.2,\r\n";
        let mut got = Vec::new();
        parse(body, |p, m| got.push((p, to_map(m, &["address", "lat"])))).expect("ok");
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].1["address"], "Kazan, \"Bauman\" st");
        assert_eq!(got[1].0.line, Some(3));
        assert!(!got[1].1.contains_key("address"));
    }

    #[test]
    fn crlf_becomes_lf_across_buffer_edges() {
        use std::io::Read;
        let input = b"a\r\nb\rcd\r\n\r";
        // A one-byte buffer splits every CRLF pair across reads; a large one does not.
        for cap in [1, 3, 64] {
            let inner = std::io::BufReader::with_capacity(cap, &input[..]);
            let mut r = CrlfToLf {
                inner,
                pending_cr: false,
            };
            let mut out = Vec::new();
            r.read_to_end(&mut out).expect("read");
            assert_eq!(out, b"a\nb\rcd\n\r", "capacity {cap}");
        }
    }

    #[test]
    fn rejects_ragged_rows_with_their_line() {
        let body = b"lat,lon\n1,2\n3\n";
        let e = parse(body, |_, _| {}).expect_err("ragged");
        assert_eq!(e.position.and_then(|p| p.line), Some(3));
    }
}
