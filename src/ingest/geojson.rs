//! GeoJSON FeatureCollections of Points: the geometry gives `lon`/`lat`, the
//! properties give every other field.

use super::{BodyError, Fields, Position};
use serde_json::Value;

/// Calls `each` for every feature, with the point's coordinates merged into its
/// properties as `lon` and `lat`.
pub fn parse(body: &[u8], mut each: impl FnMut(Position, &dyn Fields)) -> Result<(), BodyError> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| BodyError::new(format!("body is not valid JSON: {e}")))?;
    if value.get("type").and_then(Value::as_str) != Some("FeatureCollection") {
        return Err(BodyError::new(
            "body must be a GeoJSON FeatureCollection (\"type\": \"FeatureCollection\")",
        ));
    }
    let Some(features) = value.get("features").and_then(Value::as_array) else {
        return Err(BodyError::new(
            "FeatureCollection has no \"features\" array",
        ));
    };
    for (index, f) in features.iter().enumerate() {
        let pos = Position { index, line: None };
        let mut fields = f
            .get("properties")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        match point_of(f) {
            Ok((lon, lat)) => {
                fields.insert("lon".into(), lon);
                fields.insert("lat".into(), lat);
            }
            Err(msg) => {
                // Reported through the validator as a missing/invalid coordinate,
                // with the geometry named in the message.
                fields.remove("lon");
                fields.insert("lat".into(), Value::String(format!("geometry: {msg}")));
            }
        }
        each(pos, &fields);
    }
    Ok(())
}

fn point_of(f: &Value) -> Result<(Value, Value), String> {
    let geom = f.get("geometry").ok_or("feature has no geometry")?;
    if geom.get("type").and_then(Value::as_str) != Some("Point") {
        return Err("geometry must be a Point".into());
    }
    let coords = geom
        .get("coordinates")
        .and_then(Value::as_array)
        .ok_or("Point has no coordinates")?;
    match coords.as_slice() {
        [lon, lat, ..] => Ok((lon.clone(), lat.clone())),
        _ => Err("Point needs [lon, lat]".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::super::fields::to_map;
    use super::*;

    #[test]
    fn merges_coordinates_into_properties() {
        let body = br#"{"type":"FeatureCollection","features":[
            {"type":"Feature","geometry":{"type":"Point","coordinates":[49.1,55.8]},
             "properties":{"source":"vk"}}]}"#;
        let mut got = Vec::new();
        parse(body, |_, m| got.push(to_map(m, &["lon", "lat", "source"]))).expect("ok");
        assert_eq!(got[0]["lon"], 49.1);
        assert_eq!(got[0]["lat"], 55.8);
        assert_eq!(got[0]["source"], "vk");
    }

    #[test]
    fn non_point_geometry_becomes_a_lat_error() {
        let body = br#"{"type":"FeatureCollection","features":[
            {"type":"Feature","geometry":{"type":"LineString","coordinates":[]},"properties":{}}]}"#;
        let mut got = Vec::new();
        parse(body, |_, m| got.push(to_map(m, &["lon", "lat", "source"]))).expect("ok");
        assert!(got[0]["lat"].as_str().is_some_and(|s| s.contains("Point")));
        assert!(parse(br#"{"type":"Feature"}"#, |_, _| {}).is_err());
    }
}
