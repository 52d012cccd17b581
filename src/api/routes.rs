//! The one table of every route: who may call it, whether it is a heavy
//! query, and what it does. The auth middleware enforces it, the OpenAPI
//! document is generated from it, and the role tests sweep it, so a route
//! missing here is refused (fail closed) rather than left open.

use crate::auth::Role;

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Anyone, even with auth on.
    Public,
    /// At least this role (anonymous callers get it only with `--public-read`
    /// and only for `viewer`).
    Role(Role),
}

/// One route of the router.
#[derive(Debug, Clone, Copy)]
pub struct Route {
    /// HTTP method (`GET` also answers `HEAD`); `*` for any.
    pub method: &'static str,
    /// The path as the router matches it (`{name}` for a parameter).
    pub path: &'static str,
    /// The lowest caller allowed.
    pub need: Need,
    /// A stricter role for request paths starting with this prefix (the
    /// `appeals` point tiles share their route with the aggregate layers).
    pub stricter: Option<(&'static str, Role)>,
    /// Waits for one of the few heavy-query permits, so tiles stay fast
    /// while big scans run.
    pub heavy: bool,
    /// Changes what every district sees (districts, fixes): refused to
    /// tokens limited to districts.
    pub global: bool,
    /// One line for the OpenAPI document.
    pub summary: &'static str,
}

const fn r(method: &'static str, path: &'static str, need: Need, summary: &'static str) -> Route {
    Route {
        method,
        path,
        need,
        stricter: None,
        heavy: false,
        global: false,
        summary,
    }
}

const fn global(route: Route) -> Route {
    Route {
        global: true,
        ..route
    }
}

const fn heavy(route: Route) -> Route {
    Route {
        heavy: true,
        ..route
    }
}

const PUBLIC: Need = Need::Public;
const VIEWER: Need = Need::Role(Role::Viewer);
const ANALYST: Need = Need::Role(Role::Analyst);
const OPERATOR: Need = Need::Role(Role::Operator);

/// Every route the application serves.
pub const ROUTES: &[Route] = &[
    r(
        "GET",
        "/health",
        PUBLIC,
        "Liveness and the number of appeals",
    ),
    r(
        "GET",
        "/api/v1/openapi.json",
        PUBLIC,
        "This API's OpenAPI description",
    ),
    r(
        "GET",
        "/api/v1/whoami",
        PUBLIC,
        "The caller's role and districts, and whether auth is on",
    ),
    r("GET", "/metrics", OPERATOR, "Prometheus text metrics"),
    r("GET", "/api/v1/sectors", VIEWER, "The sector catalogue"),
    r(
        "GET",
        "/api/v1/ui-config",
        VIEWER,
        "What the map page needs first",
    ),
    r(
        "POST",
        "/api/v1/appeals",
        OPERATOR,
        "Ingest appeals (JSON, NDJSON, GeoJSON, CSV)",
    ),
    heavy(r(
        "GET",
        "/api/v1/hexagons",
        VIEWER,
        "H3 cells with counts as GeoJSON",
    )),
    heavy(r(
        "GET",
        "/api/v1/aggregate",
        VIEWER,
        "Counts by cell, sector and period (JSON or CSV)",
    )),
    r(
        "GET",
        "/api/v1/cells/{h3}",
        VIEWER,
        "One cell's counts, series, time to resolve, repeats",
    ),
    heavy(r(
        "GET",
        "/api/v1/change",
        VIEWER,
        "Per-cell change between two periods",
    )),
    heavy(r(
        "GET",
        "/api/v1/hotspots",
        VIEWER,
        "Ranked Getis-Ord Gi* hotspots",
    )),
    r("GET", "/api/v1/districts", VIEWER, "The districts"),
    global(r(
        "POST",
        "/api/v1/districts",
        OPERATOR,
        "Add districts (GeoJSON FeatureCollection)",
    )),
    r(
        "GET",
        "/api/v1/districts/{id}",
        VIEWER,
        "One district's outline",
    ),
    heavy(r(
        "GET",
        "/api/v1/districts/{id}/summary",
        VIEWER,
        "A district's counts, trend, hotspots and fixes",
    )),
    r(
        "GET",
        "/api/v1/fixes",
        VIEWER,
        "The fixes with their verdicts",
    ),
    global(r("POST", "/api/v1/fixes", OPERATOR, "Record a fix")),
    r("GET", "/api/v1/fixes/{id}", VIEWER, "One fix"),
    r(
        "GET",
        "/api/v1/fixes/{id}/effect",
        VIEWER,
        "A fix's before/after effect",
    ),
    heavy(r(
        "GET",
        "/api/v1/resolution",
        VIEWER,
        "Time to resolve by group and period, Kaplan-Meier (JSON or CSV)",
    )),
    heavy(r(
        "GET",
        "/api/v1/resolution/ranking",
        VIEWER,
        "Districts or responsible units, slowest to answer first",
    )),
    r(
        "GET",
        "/api/v1/responsible",
        VIEWER,
        "The responsible units catalogue",
    ),
    global(r(
        "POST",
        "/api/v1/responsible",
        OPERATOR,
        "Add or rename responsible units",
    )),
    heavy(r(
        "GET",
        "/api/v1/process-changes",
        VIEWER,
        "The process changes with their verdicts",
    )),
    global(r(
        "POST",
        "/api/v1/process-changes",
        OPERATOR,
        "Record a process change",
    )),
    heavy(r(
        "GET",
        "/api/v1/process-changes/{id}/effect",
        VIEWER,
        "A process change's before/after time to resolve, log-rank test",
    )),
    r("GET", "/tiles", VIEWER, "The vector tile sources"),
    r("GET", "/tiles/", VIEWER, "The vector tile sources"),
    Route {
        stricter: Some(("/tiles/appeals", Role::Analyst)),
        ..r("GET", "/tiles/{file}", VIEWER, "TileJSON 3.0.0 of a source")
    },
    Route {
        stricter: Some(("/tiles/appeals/", Role::Analyst)),
        ..r(
            "GET",
            "/tiles/{layer}/{z}/{x}/{y}",
            VIEWER,
            "A Mapbox Vector Tile",
        )
    },
    r(
        "GET",
        "/open311/v2/services.json",
        VIEWER,
        "Open311: sectors as services",
    ),
    r(
        "GET",
        "/open311/v2/requests.json",
        ANALYST,
        "Open311: service requests",
    ),
    r(
        "POST",
        "/open311/v2/requests.json",
        OPERATOR,
        "Open311: post a service request",
    ),
    r("*", "/api/{*rest}", PUBLIC, "Unknown API paths: a JSON 404"),
];

/// The route entry for a matched path and method.
pub fn find(method: &str, path: &str) -> Option<&'static Route> {
    let method = if method == "HEAD" { "GET" } else { method };
    ROUTES
        .iter()
        .find(|r| r.path == path && (r.method == method || r.method == "*"))
}

impl Route {
    /// Who may call this route for the request path `uri_path`.
    pub fn need_for(&self, uri_path: &str) -> Need {
        match self.stricter {
            Some((prefix, role)) if uri_path.starts_with(prefix) => Need::Role(role),
            _ => self.need,
        }
    }
}
