//! Helpers of the tile tests: requests with headers through `app()`, and a
//! small MVT reader of our own that keeps rings as encoded (so winding,
//! ranges and degenerate rings can be checked) on top of `fast-mvt`'s.

#![allow(dead_code)]

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use fast_mvt::{MvtReaderRef, MvtValueRef};
use http_body_util::BodyExt;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use tower::ServiceExt;

/// A response: status, headers, body.
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|_| {
            panic!(
                "{} answered non-JSON: {}",
                self.status,
                String::from_utf8_lossy(&self.body)
            )
        })
    }
}

/// GET through the router with extra headers.
pub async fn get(router: axum::Router, uri: &str, headers: &[(&str, &str)]) -> Answer {
    let mut req = Request::builder().method("GET").uri(uri);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let resp = router
        .oneshot(req.body(Body::empty()).expect("request"))
        .await
        .expect("response");
    let status = resp.status();
    let headers = resp.headers().clone();
    let body = resp
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes()
        .to_vec();
    Answer {
        status,
        headers,
        body,
    }
}

/// One decoded feature: id, properties as text, rings as encoded.
#[derive(Debug, Clone)]
pub struct Feature {
    pub id: Option<u64>,
    pub geom_type: i32,
    pub props: BTreeMap<String, String>,
    pub rings: Vec<Vec<(i64, i64)>>,
}

impl Feature {
    pub fn num(&self, k: &str) -> u64 {
        self.props
            .get(k)
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("property {k} of {self:?}"))
    }
}

/// A decoded one-layer tile.
#[derive(Debug)]
pub struct Tile {
    pub layer: String,
    pub extent: u32,
    pub version: u32,
    pub features: Vec<Feature>,
}

fn text(v: MvtValueRef<'_>) -> String {
    match v {
        MvtValueRef::String(s) => s.to_owned(),
        MvtValueRef::UInt(n) => n.to_string(),
        MvtValueRef::Int(n) | MvtValueRef::SInt(n) => n.to_string(),
        MvtValueRef::Bool(b) => b.to_string(),
        MvtValueRef::Float(f) => f.to_string(),
        MvtValueRef::Double(f) => f.to_string(),
        MvtValueRef::Null => "null".into(),
    }
}

/// Decodes geometry commands into point lists (points) or rings (polygons),
/// following the MVT 2.1 command encoding directly.
pub fn commands(cmds: &[u32]) -> Vec<Vec<(i64, i64)>> {
    let mut out: Vec<Vec<(i64, i64)>> = Vec::new();
    let (mut x, mut y) = (0i64, 0i64);
    let mut i = 0;
    let zz = |v: u32| i64::from((v >> 1) as i32 ^ -((v & 1) as i32));
    while i < cmds.len() {
        let (id, count) = (cmds[i] & 7, (cmds[i] >> 3) as usize);
        i += 1;
        match id {
            1 | 2 => {
                for _ in 0..count {
                    x += zz(cmds[i]);
                    y += zz(cmds[i + 1]);
                    i += 2;
                    if id == 1 {
                        out.push(Vec::new());
                    }
                    out.last_mut().expect("MoveTo first").push((x, y));
                }
            }
            7 => assert_eq!(count, 1, "ClosePath count"),
            _ => panic!("bad command {id}"),
        }
    }
    out
}

/// Twice the signed area; positive is clockwise with y down (an exterior ring).
pub fn twice_area(r: &[(i64, i64)]) -> i64 {
    (0..r.len())
        .map(|i| {
            let (a, b) = (r[i], r[(i + 1) % r.len()]);
            a.0 * b.1 - b.0 * a.1
        })
        .sum()
}

pub fn decode(bytes: &[u8]) -> Tile {
    let tile = MvtReaderRef::new(bytes).expect("a valid MVT");
    let layers: Vec<_> = tile.layers().collect();
    assert_eq!(layers.len(), 1, "one layer per tile");
    let l = layers[0];
    let features = l
        .features()
        .map(|f| Feature {
            id: f.id(),
            geom_type: f.geom_type_value().unwrap_or(0),
            props: f
                .properties()
                .map(|kv| {
                    let (k, v) = kv.expect("property");
                    (k.to_owned(), text(v))
                })
                .collect(),
            rings: commands(f.geometry_commands()),
        })
        .collect();
    Tile {
        layer: l.name().to_owned(),
        extent: l.extent(),
        version: l.version(),
        features,
    }
}

/// Checks what every polygon tile must satisfy: extent 4096, version 2,
/// coordinates within extent + buffer, exterior rings clockwise (y down), no
/// ring with fewer than three distinct points or zero area.
pub fn check_polygons(t: &Tile) {
    assert_eq!((t.extent, t.version), (4096, 2));
    for f in &t.features {
        assert_eq!(f.geom_type, 3, "polygon");
        assert!(!f.rings.is_empty(), "{f:?}");
        for r in &f.rings {
            assert!(r.len() >= 3, "short ring {r:?}");
            assert!(twice_area(r) > 0, "exterior ring not clockwise: {r:?}");
            for &(x, y) in r {
                assert!(
                    (-64..=4160).contains(&x) && (-64..=4160).contains(&y),
                    "{x},{y}"
                );
            }
        }
    }
}

/// A readable dump for golden snapshots.
pub fn dump(t: &Tile) -> String {
    let mut s = format!(
        "layer {} extent {} version {} features {}\n",
        t.layer,
        t.extent,
        t.version,
        t.features.len()
    );
    for f in &t.features {
        let _ = write!(
            s,
            "feature id={:?} type={}",
            f.id.map(|i| format!("{i:x}")),
            f.geom_type
        );
        for (k, v) in &f.props {
            let _ = write!(s, " {k}={v}");
        }
        s.push('\n');
        for r in &f.rings {
            let pts: Vec<String> = r.iter().map(|(x, y)| format!("{x},{y}")).collect();
            let _ = writeln!(s, "  [{}]", pts.join(" "));
        }
    }
    s
}
