//! The body of `POST /api/v1/fixes`, validated field by field:
//! `{"title", "sector", "done_at", and exactly one area: "lat"+"lon"+"radius_m",
//! "geometry" (GeoJSON Polygon/MultiPolygon) or "cells" (H3 indexes)}`.
//! Every error names the field at fault; unknown fields are refused so a
//! typo (`radius`) never silently falls back to another area.

use super::area::{AreaDef, FieldError};
use crate::aggregate::periods::midnight;
use crate::domain::Catalogue;
use chrono::NaiveDate;
use chrono_tz::Tz;
use serde_json::{Map, Value};

/// Longest title, in characters.
pub const MAX_TITLE_CHARS: usize = 300;
/// How far in the future `done_at` may lie (clock skew, time zones).
const FUTURE_SLACK_S: i64 = 86_400;

const KNOWN: [&str; 8] = [
    "title", "sector", "done_at", "lat", "lon", "radius_m", "geometry", "cells",
];

/// A valid new fix.
#[derive(Debug, Clone, PartialEq)]
pub struct FixInput {
    /// What was done.
    pub title: String,
    /// Sector id.
    pub sector: u8,
    /// When, Unix seconds.
    pub done_at: i64,
    /// The area as defined.
    pub area: AreaDef,
    /// Its cells at the area resolution, ascending.
    pub cells: Vec<u64>,
}

impl FixInput {
    /// The row to store, recorded at `now` (Unix seconds).
    pub fn into_row(self, now: i64) -> Result<crate::store::FixRow, serde_json::Error> {
        Ok(crate::store::FixRow {
            id: 0,
            title: self.title,
            sector: self.sector,
            done_at: self.done_at,
            area: serde_json::to_string(&self.area)?,
            area_res: super::AREA_RES as u8,
            cells: self.cells,
            created_at: now,
        })
    }
}

/// Parses and validates a request body (`now`: Unix seconds, for the
/// "not in the future" check).
pub fn parse(body: &[u8], cat: &Catalogue, tz: Tz, now: i64) -> Result<FixInput, FieldError> {
    let v: Value = serde_json::from_slice(body)
        .map_err(|e| FieldError::new("body", format!("not valid JSON: {e}")))?;
    let Value::Object(m) = v else {
        return Err(FieldError::new("body", "must be a JSON object"));
    };
    if let Some(k) = m.keys().find(|k| !KNOWN.contains(&k.as_str())) {
        return Err(FieldError::new(
            k.clone(),
            "unknown field; a fix has title, sector, done_at and one area: \
             lat+lon+radius_m, geometry or cells",
        ));
    }
    let title = text(&m, "title")?.trim().to_owned();
    if title.is_empty() || title.chars().count() > MAX_TITLE_CHARS {
        return Err(FieldError::new(
            "title",
            format!("must be 1 to {MAX_TITLE_CHARS} characters"),
        ));
    }
    let code = text(&m, "sector")?;
    let sector = cat.by_code(code.trim()).map(|s| s.id).ok_or_else(|| {
        let known: Vec<&str> = cat.all().iter().map(|s| s.code.as_str()).collect();
        FieldError::new(
            "sector",
            format!("unknown sector {code:?}; known: {}", known.join(", ")),
        )
    })?;
    let done_at = instant(text(&m, "done_at")?, tz)?;
    if done_at > now + FUTURE_SLACK_S {
        return Err(FieldError::new("done_at", "lies in the future"));
    }
    let area = area_def(&m)?;
    let cells = area.cells()?;
    Ok(FixInput {
        title,
        sector,
        done_at,
        area,
        cells,
    })
}

fn text<'a>(m: &'a Map<String, Value>, field: &str) -> Result<&'a str, FieldError> {
    match m.get(field) {
        Some(Value::String(s)) => Ok(s),
        Some(_) => Err(FieldError::new(field, "must be a string")),
        None => Err(FieldError::new(field, "is required")),
    }
}

fn number(m: &Map<String, Value>, field: &str) -> Result<f64, FieldError> {
    match m.get(field) {
        Some(v) => v
            .as_f64()
            .ok_or_else(|| FieldError::new(field, "must be a number")),
        None => Err(FieldError::new(
            field,
            "is required: a point area needs lat, lon and radius_m",
        )),
    }
}

/// A date (local midnight in `tz`) or an RFC 3339 time with its offset.
fn instant(s: &str, tz: Tz) -> Result<i64, FieldError> {
    let s = s.trim();
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Ok(midnight(tz, d));
    }
    chrono::DateTime::parse_from_rfc3339(s)
        .map(|t| t.timestamp())
        .map_err(|_| {
            FieldError::new(
                "done_at",
                format!("{s:?} is neither a date (YYYY-MM-DD) nor an RFC 3339 time with offset"),
            )
        })
}

/// Exactly one kind of area.
fn area_def(m: &Map<String, Value>) -> Result<AreaDef, FieldError> {
    let point = ["lat", "lon", "radius_m"]
        .iter()
        .any(|k| m.contains_key(*k));
    let kinds = [
        (point, "lat+lon+radius_m"),
        (m.contains_key("geometry"), "geometry"),
        (m.contains_key("cells"), "cells"),
    ];
    let given: Vec<&str> = kinds.iter().filter(|k| k.0).map(|k| k.1).collect();
    match given.len() {
        0 => {
            return Err(FieldError::new(
                "area",
                "no area: give lat+lon+radius_m, geometry (GeoJSON Polygon or MultiPolygon) or cells",
            ));
        }
        1 => {}
        _ => {
            return Err(FieldError::new(
                "area",
                format!("give one area, not {}", given.join(" and ")),
            ));
        }
    }
    if point {
        return Ok(AreaDef::Circle {
            lat: number(m, "lat")?,
            lon: number(m, "lon")?,
            radius_m: number(m, "radius_m")?,
        });
    }
    if let Some(g) = m.get("geometry") {
        return Ok(AreaDef::Polygon {
            geometry: g.clone(),
        });
    }
    let list = m
        .get("cells")
        .and_then(Value::as_array)
        .ok_or_else(|| FieldError::new("cells", "must be an array of H3 cell indexes"))?;
    let cells = list
        .iter()
        .enumerate()
        .map(|(i, c)| {
            c.as_str()
                .map(str::to_owned)
                .ok_or_else(|| FieldError::new(format!("cells[{i}]"), "must be a string"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(AreaDef::Cells { cells })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Sector;
    use serde_json::json;

    fn cat() -> Catalogue {
        let s = |id: u8, code: &str| Sector {
            id,
            code: code.into(),
            name_ru: code.into(),
            name_en: code.into(),
            color: "#000000".into(),
        };
        Catalogue::new(vec![s(2, "roads"), s(9, "ecology")])
    }

    const NOW: i64 = 1_767_225_600; // 2026-01-01T00:00:00Z

    fn field(v: Value) -> String {
        parse(
            &serde_json::to_vec(&v).unwrap(),
            &cat(),
            chrono_tz::Europe::Moscow,
            NOW,
        )
        .unwrap_err()
        .field
    }

    fn ok() -> Value {
        json!({"title": "Ямочный ремонт", "sector": "roads", "done_at": "2025-06-01",
               "lat": 55.826, "lon": 49.076, "radius_m": 150})
    }

    fn with(k: &str, v: Value) -> Value {
        let mut o = ok();
        o[k] = v;
        o
    }

    #[test]
    fn a_point_fix_parses_with_a_local_date() {
        let f = parse(
            &serde_json::to_vec(&ok()).unwrap(),
            &cat(),
            chrono_tz::Europe::Moscow,
            NOW,
        )
        .unwrap();
        assert_eq!(f.sector, 2);
        // 2025-06-01 00:00 in Moscow (UTC+3) is 2025-05-31T21:00:00Z.
        assert_eq!(f.done_at, 1_748_725_200);
        assert!(f.cells.len() >= 3);
        let t = with("done_at", json!("2025-06-01T12:00:00+05:00"));
        let f = parse(
            &serde_json::to_vec(&t).unwrap(),
            &cat(),
            chrono_tz::Europe::Moscow,
            NOW,
        )
        .unwrap();
        assert_eq!(f.done_at, 1_748_761_200);
    }

    #[test]
    fn every_bad_field_is_named() {
        assert_eq!(field(with("sector", json!("parks"))), "sector");
        assert_eq!(field(with("sector", json!(3))), "sector");
        assert_eq!(field(with("title", json!("  "))), "title");
        assert_eq!(field(with("done_at", json!("01.06.2025"))), "done_at");
        assert_eq!(
            field(with("done_at", json!("2025-06-01T12:00:00"))),
            "done_at",
            "no offset"
        );
        assert_eq!(
            field(with("done_at", json!("2027-01-01"))),
            "done_at",
            "future"
        );
        assert_eq!(field(with("radius_m", json!(5))), "radius_m");
        assert_eq!(field(with("radius_m", json!("150"))), "radius_m");
        assert_eq!(field(with("lat", json!(95))), "lat");
        assert_eq!(field(with("radius", json!(150))), "radius");
        let mut no_lon = ok();
        no_lon.as_object_mut().unwrap().remove("lon");
        assert_eq!(field(no_lon), "lon");
        assert_eq!(
            field(with("cells", json!(["8a1f1d48a9b7fff"]))),
            "area",
            "two kinds"
        );
        let mut none = ok();
        for k in ["lat", "lon", "radius_m"] {
            none.as_object_mut().unwrap().remove(k);
        }
        assert_eq!(field(none.clone()), "area", "no kind");
        let mut cells = none.clone();
        cells["cells"] = json!(["8a1f1d48a9b7fff", "nope"]);
        assert_eq!(field(cells), "cells[1]");
        let mut poly = none;
        poly["geometry"] =
            json!({"type": "Polygon", "coordinates": [[[49.0, 55.0], [49.1, 55.0], [49.0, 55.0]]]});
        assert_eq!(field(poly), "geometry.coordinates[0]");
        let bad = parse(b"{nope", &cat(), chrono_tz::Europe::Moscow, NOW).unwrap_err();
        assert_eq!(bad.field, "body");
    }
}
