//! Output files: every format parses back, progress, the truth file.

use super::*;

#[test]
fn files_parse_back_in_every_format() {
    let dir = std::env::temp_dir().join(format!("gen_helper_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let o = opts(2_000, 11, Scenario::City);
    let (_, records) = collect(&o);
    let mut calls = Vec::new();

    let path = dir.join("a.csv");
    let truth = write_file(&o, &path, |n| calls.push(n)).unwrap();
    assert_eq!(calls, [2_000]);
    let mut rdr = csv::Reader::from_path(&path).unwrap();
    assert_eq!(rdr.headers().unwrap(), CSV_HEADER.as_slice());
    let rows: Vec<csv::StringRecord> = rdr.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), records.len());
    for (row, r) in rows.iter().zip(&records) {
        assert_eq!(&row[0], r.source);
        assert_eq!(&row[1], r.external_id);
        assert_eq!(row[4].parse::<f64>().unwrap(), r.lat);
        assert_eq!(row[5].parse::<f64>().unwrap(), r.lon);
        let created = DateTime::parse_from_rfc3339(&row[6]).unwrap();
        assert_eq!(created.timestamp(), r.created_at);
        assert_eq!(created.offset().local_minus_utc(), 3 * 3600);
        let resolved = (!row[8].is_empty())
            .then(|| DateTime::parse_from_rfc3339(&row[8]).unwrap().timestamp());
        assert_eq!(resolved, r.resolved_at);
        assert_eq!(row[9].is_empty(), r.address.is_none());
        assert_eq!(r.text.as_deref().unwrap_or(""), &row[10]);
    }
    assert_eq!(truth, write_file(&o, &dir.join("b.csv"), |_| {}).unwrap());
    let same = std::fs::read(&path).unwrap() == std::fs::read(dir.join("b.csv")).unwrap();
    assert!(same, "same options, same bytes");

    let objects = |v: serde_json::Value| v.as_array().cloned().unwrap();
    let json: serde_json::Value = read_json(&o, &dir.join("a.json"));
    let geo: serde_json::Value = read_json(&o, &dir.join("a.geojson"));
    let nd = dir.join("a.ndjson");
    write_file(&o, &nd, |_| {}).unwrap();
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&nd)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let features = objects(geo["features"].clone());
    for ((j, f), (l, r)) in objects(json)
        .iter()
        .zip(&features)
        .zip(lines.iter().zip(&records))
    {
        assert_eq!(j, l);
        assert_eq!(j["external_id"], r.external_id.as_str());
        assert_eq!(j["lat"], r.lat);
        assert_eq!(
            f["geometry"]["coordinates"],
            serde_json::json!([r.lon, r.lat])
        );
        assert_eq!(f["properties"]["sector"], r.sector);
        assert!(f["properties"].get("lat").is_none());
        assert_eq!(j.get("resolved_at").is_some(), r.resolved_at.is_some());
    }
    assert_eq!(features.len(), records.len());
    assert!(write_file(&o, &dir.join("a.txt"), |_| {}).is_err());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn progress_is_reported_every_100k_and_at_the_end() {
    let path = std::env::temp_dir().join(format!("gen_helper_progress_{}.csv", std::process::id()));
    let mut calls = Vec::new();
    write_file(&opts(200_001, 1, Scenario::Country), &path, |n| {
        calls.push(n)
    })
    .unwrap();
    std::fs::remove_file(&path).unwrap();
    assert_eq!(calls, [100_000, 200_000, 200_001]);
}

fn read_json(o: &GenerateOptions, path: &Path) -> serde_json::Value {
    write_file(o, path, |_| {}).unwrap();
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

#[test]
fn truth_round_trips_through_json() {
    let t = &city().0;
    let dir = std::env::temp_dir().join(format!("gen_helper_truth_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("t.truth.json");
    t.write(&path).unwrap();
    assert_eq!(&Truth::read(&path).unwrap(), t);
    assert_eq!(t.region.name, "Казань");
    assert_eq!(t.from.to_rfc3339(), "2022-07-01T00:00:00+03:00");
    std::fs::remove_dir_all(&dir).unwrap();
}
