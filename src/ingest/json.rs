//! JSON arrays and NDJSON (one object per line).

use super::record::JsonRecord;
use super::{BodyError, Fields, Position};
use std::io::BufRead;

/// Calls `each` for every element of a JSON array of objects.
pub fn parse_array(
    body: &[u8],
    mut each: impl FnMut(Position, &dyn Fields),
) -> Result<(), BodyError> {
    let items: Vec<JsonRecord> = serde_json::from_slice(body).map_err(|e| {
        if e.is_data() {
            BodyError::new(
                "body must be a JSON array of appeals (or a GeoJSON FeatureCollection with Content-Type application/geo+json)",
            )
        } else {
            BodyError::new(format!("body is not valid JSON: {e}"))
        }
    })?;
    for (index, item) in items.iter().enumerate() {
        each(Position { index, line: None }, item);
    }
    Ok(())
}

/// Calls `each` for every non-blank line of an NDJSON body.
pub fn parse_lines(body: &[u8], each: impl FnMut(Position, &dyn Fields)) -> Result<(), BodyError> {
    parse_reader_lines(body, each)
}

/// Streams NDJSON from a reader.
pub fn parse_reader_lines<R: std::io::Read>(
    reader: R,
    mut each: impl FnMut(Position, &dyn Fields),
) -> Result<(), BodyError> {
    let reader = std::io::BufReader::new(reader);
    let mut index = 0;
    for (n, line) in reader.lines().enumerate() {
        let line = line.map_err(|e| BodyError::new(format!("cannot read line {}: {e}", n + 1)))?;
        if line.trim().is_empty() {
            continue;
        }
        let pos = Position {
            index,
            line: Some(n + 1),
        };
        let m: JsonRecord = serde_json::from_str(&line).map_err(|e| BodyError {
            message: format!("line {} is not a JSON object: {e}", n + 1),
            position: Some(pos),
        })?;
        each(pos, &m);
        index += 1;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_non_arrays_and_bad_json() {
        assert!(parse_array(b"{}", |_, _| {}).is_err());
        let e = parse_array(b"[{\"a\":1},", |_, _| {}).expect_err("truncated");
        assert!(e.message.contains("not valid JSON"));
    }

    #[test]
    fn ndjson_reports_lines_and_skips_blanks() {
        let mut seen = Vec::new();
        parse_lines(b"{\"a\":1}\n\n{\"a\":2}\r\n", |p, _| seen.push(p)).expect("ok");
        assert_eq!(seen.len(), 2);
        assert_eq!(seen[1].line, Some(3));
        assert_eq!(seen[1].index, 1);
        let e = parse_lines(b"{\"a\":1}\nnope\n", |_, _| {}).expect_err("bad line");
        assert_eq!(e.position.and_then(|p| p.line), Some(2));
    }
}
