//! The limits every admitted request runs under: a rate per token (or per
//! client address without one) answered with 429 and `Retry-After`, a few
//! permits for heavy scans so tiles stay fast while big queries run, and a
//! time limit on reads. Body size and cells per answer are enforced where
//! the body and the answer are built.

use super::AppState;
use super::error::ApiError;
use super::routes::Route;
use crate::auth::Access;
use axum::extract::{ConnectInfo, Request};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter, clock::Clock};
use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;

/// Settings of the limits.
#[derive(Debug, Clone)]
pub struct LimitConfig {
    /// Requests per second per token (or client address); 0: unlimited.
    pub rate_per_second: u32,
    /// Requests a caller may send at once before the rate applies.
    pub burst: u32,
    /// Heavy queries (hexagons, aggregates, hotspots, change, summaries) run at once.
    pub heavy_permits: usize,
    /// How long a heavy query waits for a permit before a 503.
    pub heavy_wait: Duration,
    /// Longest a read may take before a 503.
    pub request_timeout: Duration,
    /// Longest a client may take to send a request's headers.
    pub header_timeout: Duration,
    /// Proxies whose `X-Forwarded-For` names the client (per-address rates).
    pub trusted_proxies: Vec<ipnet::IpNet>,
}

impl Default for LimitConfig {
    fn default() -> Self {
        LimitConfig {
            rate_per_second: 0,
            burst: 200,
            heavy_permits: 2,
            heavy_wait: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            header_timeout: Duration::from_secs(10),
            trusted_proxies: Vec::new(),
        }
    }
}

/// Who a rate applies to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Caller {
    Token(i64),
    Address(IpAddr),
    /// No token and no socket address (requests driven in-process).
    Unknown,
}

/// The limits' shared state.
#[derive(Debug, Clone)]
pub struct Limits {
    cfg: Arc<LimitConfig>,
    rate: Option<Arc<DefaultKeyedRateLimiter<Caller>>>,
    heavy: Arc<Semaphore>,
}

/// The longest an over-rate request waits for its 429.
const MAX_REFUSAL_DELAY: Duration = Duration::from_secs(1);

/// Callers remembered before idle ones are forgotten.
const MAX_CALLERS: usize = 100_000;

impl Limits {
    /// Limits with these settings.
    pub fn new(cfg: LimitConfig) -> Limits {
        let rate = NonZeroU32::new(cfg.rate_per_second).map(|r| {
            let burst = NonZeroU32::new(cfg.burst).unwrap_or(r);
            Arc::new(RateLimiter::keyed(Quota::per_second(r).allow_burst(burst)))
        });
        Limits {
            heavy: Arc::new(Semaphore::new(cfg.heavy_permits.max(1))),
            cfg: Arc::new(cfg),
            rate,
        }
    }

    /// The settings.
    pub fn config(&self) -> &LimitConfig {
        &self.cfg
    }

    /// `Err(retry after)` when `caller` is over its rate.
    fn over_rate(&self, caller: &Caller) -> Result<(), Duration> {
        let Some(rate) = &self.rate else {
            return Ok(());
        };
        if rate.len() > MAX_CALLERS {
            rate.retain_recent();
        }
        rate.check_key(caller).map_err(|not_until| {
            not_until.wait_time_from(governor::clock::DefaultClock::default().now())
        })
    }
}

/// Runs the handler of an admitted request within the limits.
pub async fn run(
    st: &AppState,
    route: Option<&'static Route>,
    access: &Access,
    req: Request,
    next: Next,
) -> Response {
    let limits = &st.gate.limits;
    let caller = match access.token {
        Some(id) => Caller::Token(id),
        None => req
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(Caller::Unknown, |c| {
                let client = super::client_ip::client_address(
                    c.0.ip(),
                    req.headers(),
                    &limits.cfg.trusted_proxies,
                );
                Caller::Address(client)
            }),
    };
    if let Err(wait) = limits.over_rate(&caller) {
        metrics::counter!("hexwatch_rate_limited_total").increment(1);
        // Answer no sooner than the caller may retry (at most a second): a
        // flooder waiting on its connections sends far fewer requests, so
        // refusing it costs a timer instead of the CPU that tiles need.
        tokio::time::sleep(wait.min(MAX_REFUSAL_DELAY)).await;
        return retry_later(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "too many requests; slow down",
            wait,
        );
    }
    let _permit = if route.is_some_and(|r| r.heavy) {
        match tokio::time::timeout(limits.cfg.heavy_wait, limits.heavy.clone().acquire_owned())
            .await
        {
            Ok(Ok(p)) => Some(p),
            _ => {
                return retry_later(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "busy",
                    "too many heavy queries are running; retry shortly",
                    Duration::from_secs(1),
                );
            }
        }
    } else {
        None
    };
    // Writes are never cut short: an interrupted handler could leave a
    // committed batch unacknowledged (the write itself runs to the end anyway).
    if matches!(*req.method(), Method::GET | Method::HEAD) {
        match tokio::time::timeout(limits.cfg.request_timeout, next.run(req)).await {
            Ok(r) => r,
            Err(_) => ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "timeout",
                format!(
                    "the request took longer than {} s; narrow it (bbox, res, period)",
                    limits.cfg.request_timeout.as_secs()
                ),
            )
            .into_response(),
        }
    } else {
        next.run(req).await
    }
}

/// An error answer with `Retry-After` in whole seconds (at least 1).
fn retry_later(status: StatusCode, code: &'static str, message: &str, wait: Duration) -> Response {
    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    let mut r = ApiError::new(status, code, message).into_response();
    if let Ok(v) = HeaderValue::from_str(&secs.max(1).to_string()) {
        r.headers_mut().insert(header::RETRY_AFTER, v);
    }
    r
}
