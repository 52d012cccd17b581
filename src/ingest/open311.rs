//! Open311 GeoReport v2 service requests (`application/x-www-form-urlencoded`,
//! as the spec's POST examples send them) turned into the field map the one
//! appeal validator reads, and the validator's field names turned back into
//! Open311's for error messages.

use super::BodyError;
use serde_json::{Map, Value};

/// The appeals' `source` for requests posted through Open311.
pub const SOURCE: &str = "open311";

/// Open311 request fields and the appeal fields they become.
/// `agency_responsible` and `expected_datetime` are response fields in
/// GeoReport v2; a client that knows them may post them too.
const FIELDS: [(&str, &str); 8] = [
    ("service_code", "sector"),
    ("lat", "lat"),
    ("long", "lon"),
    ("description", "text"),
    ("address_string", "address"),
    ("requested_datetime", "created_at"),
    ("agency_responsible", "responsible"),
    ("expected_datetime", "due_at"),
];

/// Reads a form-encoded request into appeal fields: `source` is
/// [`SOURCE`], `external_id` is `external_id` (a fresh id the caller
/// chose), `created_at` defaults to `now` (RFC 3339). Unknown keys
/// (`email`, `first_name`, `device_id`, `attribute[…]`, …) are dropped:
/// hexwatch keeps no contact details. A key given twice is an error.
pub fn parse_form(
    body: &[u8],
    external_id: &str,
    now: &str,
) -> Result<Map<String, Value>, BodyError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body)
        .map_err(|e| BodyError::new(format!("not a form-encoded body: {e}")))?;
    let mut m = Map::new();
    for (k, v) in pairs {
        let Some(&(_, ours)) = FIELDS.iter().find(|(theirs, _)| *theirs == k) else {
            continue;
        };
        if m.insert(ours.to_owned(), Value::String(v)).is_some() {
            return Err(BodyError::new(format!("{k} is given more than once")));
        }
    }
    if !m.contains_key("lat") && !m.contains_key("lon") && m.contains_key("address") {
        return Err(BodyError::new(
            "lat and long are required: this server does not geocode address_string",
        ));
    }
    m.insert("source".into(), Value::String(SOURCE.into()));
    m.insert("external_id".into(), Value::String(external_id.into()));
    m.entry("created_at")
        .or_insert_with(|| Value::String(now.to_owned()));
    Ok(m)
}

/// The Open311 name of an appeal field, for error messages.
pub fn open311_name(field: &str) -> &str {
    FIELDS
        .iter()
        .find(|(_, ours)| *ours == field)
        .map_or(field, |(theirs, _)| theirs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_spec_example_maps_onto_appeal_fields() {
        let body = b"api_key=xyz&jurisdiction_id=city.gov&service_code=roads&lat=55.79&long=49.12\
                     &address_string=1234+5th+street&email=smit222%40sfgov.edu&first_name=John\
                     &description=A+large+sinkhole+is+destroying+the+street&attribute[WHISPAWN]=123";
        let m = parse_form(body, "abc", "2026-01-01T00:00:00+03:00").expect("form");
        assert_eq!(m["sector"], "roads");
        assert_eq!(m["lon"], "49.12");
        assert_eq!(m["text"], "A large sinkhole is destroying the street");
        assert_eq!(m["address"], "1234 5th street");
        assert_eq!(m["created_at"], "2026-01-01T00:00:00+03:00");
        assert_eq!(m["source"], SOURCE);
        assert!(!m.contains_key("email") && !m.contains_key("first_name"));
    }

    #[test]
    fn repeated_keys_and_addresses_without_points_are_refused() {
        assert!(parse_form(b"lat=1&lat=2", "x", "t").is_err());
        assert!(parse_form(b"address_string=somewhere", "x", "t").is_err());
        assert_eq!(open311_name("lon"), "long");
        assert_eq!(open311_name("source"), "source");
        assert_eq!(open311_name("responsible"), "agency_responsible");
        let m = parse_form(
            b"agency_responsible=water&expected_datetime=2026-01-02",
            "x",
            "t",
        )
        .expect("form");
        assert_eq!(
            (&m["responsible"], &m["due_at"]),
            (&"water".into(), &"2026-01-02".into())
        );
    }
}
