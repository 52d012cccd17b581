//! The one gate in front of every route: finds the route in
//! [`routes::ROUTES`](super::routes::ROUTES), authenticates the bearer token,
//! compares roles, applies the request limits and hands the handler an
//! [`Access`] saying what it may show. Handlers check nothing themselves
//! beyond applying that `Access` (district scope, suppressed cells).

use super::routes::{self, Need};
use super::{AppState, error::ApiError};
use crate::auth::{Access, Role, TokenBook};
use axum::extract::{FromRequestParts, MatchedPath, Request, State};
use axum::http::{HeaderValue, StatusCode, header, request::Parts};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

/// Authentication settings.
#[derive(Debug, Clone)]
pub struct AuthConfig {
    /// Whether tokens are checked at all; off, every request has full access.
    pub enabled: bool,
    /// Anonymous callers get the viewer role (aggregates, rare cells suppressed).
    pub public_read: bool,
    /// Cells with fewer appeals than this are suppressed for viewers.
    pub k_anonymity: u32,
}

impl Default for AuthConfig {
    fn default() -> Self {
        AuthConfig {
            enabled: false,
            public_read: false,
            k_anonymity: 3,
        }
    }
}

/// The auth part of [`AppState`].
#[derive(Debug, Clone)]
pub struct Gate {
    /// Settings.
    pub cfg: Arc<AuthConfig>,
    /// Token lookups.
    pub tokens: TokenBook,
    /// Rates, heavy-query permits, time limits.
    pub limits: super::limits::Limits,
}

/// The middleware (a route layer, so the matched route is known).
pub async fn gate(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let open311 = req.uri().path().starts_with(OPEN311);
    let (mut req, api_key) = if open311 {
        match open311_key(req, st.cfg.max_body_bytes).await {
            Ok(found) => found,
            Err(e) => return refusal(e, true),
        }
    } else {
        (req, None)
    };
    let seen = Seen::of(&req, api_key);
    match admit(&st, seen).await {
        Ok((access, route)) => {
            req.extensions_mut().insert(access.clone());
            super::limits::run(&st, route, &access, req, next).await
        }
        Err(e) => refusal(e, open311),
    }
}

/// Where the Open311 routes live: their clients send `api_key` and read
/// errors in the GeoReport shape.
const OPEN311: &str = "/open311/";

/// A refused request's answer: hexwatch's error shape, or Open311's on its routes.
fn refusal(e: ApiError, open311: bool) -> Response {
    let status = e.status;
    let mut r = if open311 {
        super::open311::Open311Error::from(e).into_response()
    } else {
        e.into_response()
    };
    if status == StatusCode::UNAUTHORIZED {
        // RFC 6750: say which scheme is expected.
        r.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"hexwatch\""),
        );
    }
    r
}

/// GeoReport v2 clients authenticate with an `api_key` parameter (query or
/// form body) rather than a header; take it when no `Authorization` is sent.
/// A form body is read here (within the body limit) and handed on intact.
async fn open311_key(req: Request, max_body: usize) -> Result<(Request, Option<String>), ApiError> {
    if req.headers().contains_key(header::AUTHORIZATION) {
        return Ok((req, None));
    }
    let key_in = |pairs: &[u8]| {
        form_urlencoded::parse(pairs)
            .find(|(k, _)| k == "api_key")
            .map(|(_, v)| v.into_owned())
            .filter(|v| !v.trim().is_empty())
    };
    if let Some(key) = req.uri().query().and_then(|q| key_in(q.as_bytes())) {
        return Ok((req, Some(key)));
    }
    let form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("application/x-www-form-urlencoded"));
    if req.method() != axum::http::Method::POST || !form {
        return Ok((req, None));
    }
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, max_body).await.map_err(|_| {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
            format!("the body is larger than {max_body} bytes or could not be read"),
        )
    })?;
    let key = key_in(&bytes);
    Ok((
        Request::from_parts(parts, axum::body::Body::from(bytes)),
        key,
    ))
}

/// What the gate reads of a request (owned: the request itself is not `Sync`).
struct Seen {
    method: axum::http::Method,
    matched: Option<String>,
    path: String,
    authorization: Option<HeaderValue>,
    /// An Open311 client's `api_key`, sent instead of `Authorization`.
    api_key: Option<String>,
}

impl Seen {
    fn of(req: &Request, api_key: Option<String>) -> Seen {
        Seen {
            method: req.method().clone(),
            matched: req
                .extensions()
                .get::<MatchedPath>()
                .map(|p| p.as_str().to_owned()),
            // Decoded, so `/tiles/%61ppeals/…` is seen as the appeals layer it routes to.
            path: percent_encoding::percent_decode_str(req.uri().path())
                .decode_utf8_lossy()
                .into_owned(),
            authorization: req.headers().get(header::AUTHORIZATION).cloned(),
            api_key,
        }
    }
}

async fn admit(
    st: &AppState,
    req: Seen,
) -> Result<(Access, Option<&'static routes::Route>), ApiError> {
    // CORS preflights carry no credentials; the CORS layer answers them.
    if req.method == axum::http::Method::OPTIONS {
        return Ok((Access::anonymous(st.gate.cfg.k_anonymity), None));
    }
    let Some(path) = req.matched.as_deref() else {
        return Err(ApiError::internal("a route without a matched path"));
    };
    let Some(route) = routes::find(req.method.as_str(), path) else {
        if routes::ROUTES.iter().any(|r| r.path == path) {
            // A listed path asked with a method it does not serve.
            return Err(ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                format!("{path} does not answer {}", req.method),
            ));
        }
        // Fail closed: a route someone forgot to list is refused, not opened.
        return Err(ApiError::internal(format!(
            "route {} {path} is missing from api::routes::ROUTES",
            req.method
        )));
    };
    let need = route.need_for(&req.path);
    let gate = &st.gate;
    let access = if !gate.cfg.enabled {
        Access::full()
    } else {
        let secret = bearer(req.authorization.as_ref())?.or(req.api_key.as_deref());
        match secret {
            Some(secret) => {
                let grant = gate.tokens.find(secret).await?.ok_or_else(|| {
                    unauthorized("invalid_token", "the token is unknown or revoked")
                })?;
                Access {
                    min_count: min_count(grant.role, &gate.cfg),
                    role: grant.role,
                    districts: grant.districts,
                    token: Some(grant.id),
                }
            }
            None if gate.cfg.public_read => Access::anonymous(gate.cfg.k_anonymity),
            None => {
                if need == Need::Public {
                    return Ok((Access::anonymous(gate.cfg.k_anonymity), Some(route)));
                }
                return Err(unauthorized(
                    "unauthorized",
                    "this endpoint needs a token: send Authorization: Bearer <token>",
                ));
            }
        }
    };
    if let Need::Role(min) = need
        && access.role < min
    {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            format!(
                "this endpoint needs the {} role; the token has {}",
                min.name(),
                access.role.name()
            ),
        ));
    }
    if route.global && access.districts.is_some() {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "a token limited to districts cannot change what every district sees",
        ));
    }
    Ok((access, Some(route)))
}

/// Viewers see aggregates with rare cells suppressed; the other roles see counts as they are.
fn min_count(role: Role, cfg: &AuthConfig) -> u32 {
    if role == Role::Viewer {
        cfg.k_anonymity
    } else {
        0
    }
}

/// The bearer token of the request, if it sends one.
fn bearer(v: Option<&HeaderValue>) -> Result<Option<&str>, ApiError> {
    let Some(v) = v else {
        return Ok(None);
    };
    let v = v
        .to_str()
        .map_err(|_| unauthorized("invalid_token", "the Authorization header is not text"))?;
    match v.split_once(' ') {
        Some((scheme, token))
            if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() =>
        {
            Ok(Some(token.trim()))
        }
        _ => Err(unauthorized(
            "invalid_token",
            "the Authorization header must be `Bearer <token>`",
        )),
    }
}

fn unauthorized(code: &'static str, message: &str) -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, code, message)
}

impl<S: Send + Sync> FromRequestParts<S> for Access {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        // Missing means the gate did not run: refuse rather than guess.
        parts
            .extensions
            .get::<Access>()
            .cloned()
            .ok_or_else(|| ApiError::internal("a handler ran without the auth gate"))
    }
}
