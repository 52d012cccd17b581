//! One validator for every wire format: a field map in, an [`Appeal`] or every
//! problem of the record out.

use super::fields::{Fields, Val};
use super::{Position, RecordError, resolution};
use crate::domain::{Appeal, Catalogue, Status, cell_of};
use chrono::DateTime;

/// The longest accepted value of each string field, in characters.
pub const MAX_LENGTHS: [(&str, usize); 8] = [
    ("source", 64),
    ("external_id", 128),
    ("sector", 64),
    ("category", 256),
    ("address", 512),
    ("text", 10_000),
    ("status", 32),
    ("responsible", 64),
];

fn max_len(field: &str) -> usize {
    MAX_LENGTHS
        .iter()
        .find(|(f, _)| *f == field)
        .map_or(256, |(_, n)| *n)
}

/// Collects the errors of one record while its fields are read.
pub(super) struct Reader<'a> {
    fields: &'a dyn Fields,
    pos: Position,
    errors: Vec<RecordError>,
}

impl Reader<'_> {
    pub(super) fn fail(&mut self, field: &str, msg: impl Into<String>) {
        self.errors
            .push(RecordError::new(self.pos, Some(field), msg.into()));
    }

    /// A string field; numbers are accepted as their text (CSV ids, numeric ids in JSON).
    pub(super) fn string(&mut self, field: &str, required: bool) -> Option<String> {
        let s = match self.fields.get(field) {
            Val::Null => None,
            Val::Str(s) if s.trim().is_empty() => None,
            Val::Str(s) => Some(s.trim().to_owned()),
            Val::Num(n) => Some(n.to_string()),
            Val::Other(kind) => {
                self.fail(field, format!("must be a string, got {kind}"));
                return None;
            }
        };
        match s {
            None if required => {
                self.fail(field, "is required");
                None
            }
            Some(s) if s.chars().count() > max_len(field) => {
                self.fail(
                    field,
                    format!("is longer than {} characters", max_len(field)),
                );
                None
            }
            s => s,
        }
    }

    /// A finite number within `[lo, hi]`; numeric strings are accepted (CSV).
    fn number(&mut self, field: &str, lo: f64, hi: f64) -> Option<f64> {
        let v = match self.fields.get(field) {
            Val::Null => {
                self.fail(field, "is required");
                return None;
            }
            Val::Num(n) => n.as_f64(),
            Val::Str(s) if s.trim().is_empty() => {
                self.fail(field, "is required");
                return None;
            }
            Val::Str(s) => match s.trim().parse::<f64>() {
                Ok(v) => Some(v),
                Err(_) => {
                    self.fail(field, format!("must be a number, got {s:?}"));
                    return None;
                }
            },
            Val::Other(kind) => {
                self.fail(field, format!("must be a number, got {kind}"));
                return None;
            }
        };
        match v {
            Some(v) if !v.is_finite() => {
                self.fail(field, "must be a finite number");
                None
            }
            Some(v) if v < lo || v > hi => {
                self.fail(field, format!("{v} is outside [{lo}, {hi}]"));
                None
            }
            v => v,
        }
    }

    /// An RFC 3339 time with an explicit offset, as Unix seconds.
    pub(super) fn time(&mut self, field: &str, required: bool) -> Option<i64> {
        let s = self.string(field, required)?;
        match parse_time(&s) {
            Ok(t) => Some(t),
            Err(msg) => {
                self.fail(field, msg);
                None
            }
        }
    }
}

/// Parses an RFC 3339 timestamp that carries an offset, to Unix seconds.
pub fn parse_time(s: &str) -> Result<i64, String> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.timestamp())
        .map_err(|_| {
            format!("{s:?} is not an RFC 3339 time with an offset (e.g. 2025-03-01T09:30:00+03:00)")
        })
}

/// Validates one record; returns every problem found, not just the first.
pub fn validate(
    fields: &dyn Fields,
    pos: Position,
    cat: &Catalogue,
) -> Result<Appeal, Vec<RecordError>> {
    let mut r = Reader {
        fields,
        pos,
        errors: Vec::new(),
    };
    let source = r.string("source", true);
    let external_id = r.string("external_id", true);
    let sector = r
        .string("sector", true)
        .and_then(|code| match cat.by_code(&code) {
            Some(s) => Some(s.id),
            None => {
                r.fail("sector", format!("unknown sector {code:?}"));
                None
            }
        });
    let category = r.string("category", false);
    let lat = r.number("lat", -90.0, 90.0);
    let lon = r.number("lon", -180.0, 180.0);
    let created_at = r.time("created_at", true);
    let status = match r.string("status", false) {
        None => Some(Status::New),
        Some(s) => match Status::parse(&s) {
            Some(st) => Some(st),
            None => {
                r.fail(
                    "status",
                    format!("unknown status {s:?} (new, in_progress, resolved, rejected)"),
                );
                None
            }
        },
    };
    let resolved_at = r.time("resolved_at", false);
    let timing = resolution::read(&mut r, created_at, resolved_at, cat);
    let address = r.string("address", false);
    let text = r.string("text", false);
    let cell = match (lat, lon) {
        (Some(lat), Some(lon)) => {
            let cell = cell_of(lat, lon);
            if cell.is_none() {
                r.fail("lat", "is not a valid coordinate");
            }
            cell
        }
        _ => None,
    };
    if !r.errors.is_empty() {
        return Err(r.errors);
    }
    match (
        source,
        external_id,
        sector,
        lat,
        lon,
        cell,
        created_at,
        status,
    ) {
        (
            Some(source),
            Some(external_id),
            Some(sector),
            Some(lat),
            Some(lon),
            Some(cell),
            Some(created_at),
            Some(status),
        ) => Ok(Appeal {
            source,
            external_id,
            sector,
            category,
            lat,
            lon,
            cell,
            created_at,
            status,
            resolved_at,
            responsible: timing.responsible,
            due_at: timing.due_at,
            first_response_at: timing.first_response_at,
            address,
            text,
        }),
        // Every None above recorded an error, so this arm is unreachable in practice;
        // keep an explicit error rather than a panic.
        _ => Err(vec![RecordError::new(pos, None, "record is incomplete")]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Sector;
    use serde_json::{Value, json};

    fn cat() -> Catalogue {
        Catalogue::new(vec![Sector {
            id: 2,
            code: "roads".into(),
            name_ru: "Дороги".into(),
            name_en: "Roads".into(),
            color: "#000000".into(),
        }])
    }

    fn check(v: Value) -> Result<Appeal, Vec<RecordError>> {
        let pos = Position {
            index: 3,
            line: None,
        };
        validate(v.as_object().expect("object"), pos, &cat())
    }

    fn good() -> Value {
        json!({"source":"vk","external_id":"1","sector":"roads","lat":55.79,"lon":49.12,
               "created_at":"2025-03-01T09:30:00+03:00"})
    }

    fn fields_of(errs: &[RecordError]) -> Vec<&str> {
        errs.iter().filter_map(|e| e.field.as_deref()).collect()
    }

    #[test]
    fn accepts_a_minimal_record() {
        let a = check(good()).expect("valid");
        assert_eq!(a.sector, 2);
        assert_eq!(a.status, Status::New);
        assert_eq!(a.created_at, 1_740_810_600);
    }

    #[test]
    fn names_every_bad_field() {
        let v = json!({"source":"vk","sector":"bogus","lat":91,"lon":"x",
                        "created_at":"2025-03-01T09:30:00","status":"done"});
        let errs = check(v).expect_err("invalid");
        assert_eq!(
            fields_of(&errs),
            [
                "external_id",
                "sector",
                "lat",
                "lon",
                "created_at",
                "status"
            ]
        );
        assert!(errs.iter().all(|e| e.index == 3));
    }

    #[test]
    fn rejects_non_finite_and_out_of_range() {
        let mut v = good();
        v["lat"] = json!("NaN");
        v["lon"] = json!(-180.5);
        let errs = check(v).expect_err("invalid");
        assert_eq!(fields_of(&errs), ["lat", "lon"]);
        assert!(errs[0].message.contains("finite"));
    }

    #[test]
    fn rejects_resolution_before_creation_and_long_strings() {
        let mut v = good();
        v["resolved_at"] = json!("2025-02-01T00:00:00Z");
        v["category"] = json!("x".repeat(300));
        let errs = check(v).expect_err("invalid");
        assert_eq!(fields_of(&errs), ["category", "resolved_at"]);
    }

    #[test]
    fn reads_the_resolution_fields() {
        let mut v = good();
        v["responsible"] = json!("water");
        v["due_at"] = json!("2025-03-08T09:30:00+03:00");
        v["first_response_at"] = json!("2025-03-01T10:30:00+03:00");
        let a = check(v).expect("valid");
        assert_eq!(a.responsible.as_deref(), Some("water"));
        assert_eq!(a.due_at, Some(1_740_810_600 + 7 * 86_400));
        assert_eq!(a.first_response_at, Some(1_740_810_600 + 3_600));
    }

    #[test]
    fn rejects_responses_before_creation_and_bad_codes() {
        let mut v = good();
        v["first_response_at"] = json!("2025-03-01T09:29:59+03:00");
        v["due_at"] = json!("2025-03-01T09:30:00");
        v["responsible"] = json!("Water Utility");
        let errs = check(v).expect_err("invalid");
        assert_eq!(
            fields_of(&errs),
            ["responsible", "due_at", "first_response_at"]
        );
    }

    #[test]
    fn a_strict_catalogue_refuses_unknown_units() {
        use crate::domain::{Responsible, ResponsibleBook};
        let book = ResponsibleBook::new(vec![Responsible {
            id: 1,
            code: "water".into(),
            name_ru: "Водоканал".into(),
            name_en: "Water utility".into(),
        }]);
        let strict = cat().with_strict_responsible(std::sync::Arc::new(book));
        let pos = Position {
            index: 0,
            line: None,
        };
        let mut v = good();
        v["responsible"] = json!("water");
        assert!(validate(v.as_object().expect("object"), pos, &strict).is_ok());
        v["responsible"] = json!("gas");
        let errs = validate(v.as_object().expect("object"), pos, &strict).expect_err("unknown");
        assert_eq!(fields_of(&errs), ["responsible"]);
        assert!(errs[0].message.contains("unknown responsible"));
        // Without strictness a new code is accepted (and added when written).
        assert!(check(v).is_ok());
    }

    #[test]
    fn accepts_both_sides_of_the_antimeridian() {
        for lon in [179.99, -179.99, 180.0, -180.0] {
            let mut v = good();
            v["lon"] = json!(lon);
            assert!(check(v).is_ok(), "lon {lon}");
        }
    }
}
