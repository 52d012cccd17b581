//! `GET /api/v1/openapi.json`: the OpenAPI description generated from the
//! route table ([`routes::ROUTES`]), so the document lists exactly the
//! routes the gate knows, each with the role it needs.

use super::AppState;
use super::routes::{self, Need, Route};
use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use utoipa::openapi::extensions::ExtensionsBuilder;
use utoipa::openapi::path::{
    HttpMethod, OperationBuilder, ParameterBuilder, ParameterIn, PathItem,
};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{
    ComponentsBuilder, InfoBuilder, OpenApi, OpenApiBuilder, PathsBuilder, Required,
    ResponseBuilder,
};

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/openapi.json", get(openapi))
}

async fn openapi() -> impl IntoResponse {
    let body = document().to_json().unwrap_or_else(|_| "{}".into());
    ([(header::CONTENT_TYPE, "application/json")], body)
}

/// The name of the bearer security scheme.
const BEARER: &str = "bearer";

/// Whether a route belongs in the document (the catch-all 404 does not).
pub fn documented(r: &Route) -> bool {
    r.method != "*" && r.path != "/tiles/"
}

/// The OpenAPI document of every documented route.
pub fn document() -> OpenApi {
    let mut paths = PathsBuilder::new();
    let mut by_path: Vec<(&str, PathItem)> = Vec::new();
    for r in routes::ROUTES.iter().filter(|r| documented(r)) {
        let method = match r.method {
            "POST" => HttpMethod::Post,
            _ => HttpMethod::Get,
        };
        let op = operation(r);
        match by_path.iter_mut().find(|(p, _)| *p == r.path) {
            Some((_, item)) => item.merge_operations(PathItem::new(method, op)),
            None => by_path.push((r.path, PathItem::new(method, op))),
        }
    }
    for (p, item) in by_path {
        paths = paths.path(p, item);
    }
    let bearer = SecurityScheme::Http(
        HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .description(Some(
                "A token from `hexwatch token create`; required when auth is on",
            ))
            .build(),
    );
    OpenApiBuilder::new()
        .info(
            InfoBuilder::new()
                .title("hexwatch")
                .version(env!("CARGO_PKG_VERSION"))
                .description(Some(
                    "H3 hexagon heat maps of citizens' appeals. Roles: viewer < analyst < operator < admin; \
                     viewers never see cells with fewer than k appeals.",
                ))
                .build(),
        )
        .paths(paths.build())
        .components(Some(
            ComponentsBuilder::new()
                .security_scheme(BEARER, bearer)
                .build(),
        ))
        .build()
}

fn operation(r: &Route) -> utoipa::openapi::path::Operation {
    let role = match r.need {
        Need::Public => "public".to_owned(),
        Need::Role(role) => role.name().to_owned(),
    };
    let mut ext = ExtensionsBuilder::new()
        .add("x-hexwatch-role", role.clone())
        .add("x-hexwatch-heavy", r.heavy);
    if let Some((prefix, stricter)) = r.stricter {
        ext = ext.add(
            "x-hexwatch-stricter",
            format!("{prefix}…: {}", stricter.name()),
        );
    }
    let mut op = OperationBuilder::new()
        .summary(Some(r.summary))
        .operation_id(Some(operation_id(r)))
        .description(Some(format!("Role: {role}.")))
        .response("200", ResponseBuilder::new().description("Success").build())
        .response(
            "400",
            ResponseBuilder::new()
                .description("A bad parameter, named in `error.field`")
                .build(),
        )
        .response(
            "429",
            ResponseBuilder::new()
                .description("Over the rate limit; see `Retry-After`")
                .build(),
        )
        .extensions(Some(ext.build()));
    if let Need::Role(_) = r.need {
        op = op
            .security(SecurityRequirement::new(BEARER, Vec::<String>::new()))
            .response(
                "401",
                ResponseBuilder::new().description("No valid token").build(),
            )
            .response(
                "403",
                ResponseBuilder::new()
                    .description("The token's role or districts do not allow this")
                    .build(),
            );
    }
    for name in path_parameters(r.path) {
        op = op.parameter(
            ParameterBuilder::new()
                .name(name)
                .parameter_in(ParameterIn::Path)
                .required(Required::True)
                .build(),
        );
    }
    op.build()
}

fn operation_id(r: &Route) -> String {
    let mut id = r.method.to_ascii_lowercase();
    for part in r
        .path
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|p| !p.is_empty())
    {
        id.push('_');
        id.push_str(part);
    }
    id
}

/// The `{name}` parameters of a path template.
fn path_parameters(path: &str) -> Vec<&str> {
    path.split('{')
        .skip(1)
        .filter_map(|s| s.split_once('}').map(|(name, _)| name))
        .collect()
}
