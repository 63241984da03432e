//! The HTTP surface: `/graphql` (POST, GET, GraphiQL), `/healthz`, `/readyz`,
//! `/metrics`.

use std::time::{Duration, Instant};

use actix_web::{
    guard,
    http::{header, StatusCode},
    web, HttpRequest, HttpResponse,
};
use async_graphql::{http::GraphiQLSource, parser::types::OperationType, Response, ServerError};
use futures_util::StreamExt;
use tracing_actix_web::RequestId;

use crate::{
    config::Config,
    domain::Services,
    graphql::{
        documents::DocumentCache,
        limits::{self, coded_error},
        loaders, Auth, ClientAddress, NorthstarSchema,
    },
    metrics::{self, Metrics},
    ws,
};

/// What every handler shares.
pub struct AppState {
    /// The schema of `/graphql` over HTTP.
    pub schema: NorthstarSchema,
    /// The schema of `/graphql` over WebSocket (`graphql::build_ws_schema`).
    pub ws_schema: NorthstarSchema,
    /// Parsed documents of `/graphql` over HTTP, by their text.
    pub documents: DocumentCache,
    pub services: Services,
    pub config: Config,
    pub metrics: Metrics,
}

/// The routes of the server.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/graphql",
        web::get()
            .guard(guard::fn_guard(|ctx| {
                ctx.head()
                    .headers()
                    .get(header::UPGRADE)
                    .and_then(|v| v.to_str().ok())
                    .is_some_and(|v| v.eq_ignore_ascii_case("websocket"))
            }))
            .to(graphql_ws),
    )
    .route("/graphql", web::post().to(graphql_post))
    .route("/graphql", web::get().to(graphql_get))
    .route("/healthz", web::get().to(healthz))
    .route("/readyz", web::get().to(readyz))
    .route("/metrics", web::get().to(metrics));
}

const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";

fn wants_graphql_response(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains(GRAPHQL_RESPONSE))
}

/// A response that failed before execution (unreadable request), with its status.
fn request_error(req: &HttpRequest, status: StatusCode, message: &str) -> HttpResponse {
    let resp = Response::from_errors(vec![coded_error(message, "BAD_USER_INPUT")]);
    let status = if wants_graphql_response(req) || status != StatusCode::OK {
        status
    } else {
        StatusCode::BAD_REQUEST
    };
    json_response(req, status, &resp)
}

fn json_response(req: &HttpRequest, status: StatusCode, resp: &Response) -> HttpResponse {
    let content_type = if wants_graphql_response(req) {
        GRAPHQL_RESPONSE
    } else {
        "application/json"
    };
    let mut builder = HttpResponse::build(status);
    builder.insert_header((header::CONTENT_TYPE, content_type));
    match serde_json::to_vec(resp) {
        Ok(body) => builder.body(body),
        Err(e) => {
            tracing::error!(error = %e, "serialising a response");
            HttpResponse::InternalServerError().finish()
        }
    }
}

async fn graphql_post(
    state: web::Data<AppState>,
    req: HttpRequest,
    mut payload: web::Payload,
    request_id: RequestId,
) -> HttpResponse {
    let limit = state.config.body_limit;
    let too_large = || {
        request_error(
            &req,
            StatusCode::PAYLOAD_TOO_LARGE,
            &format!("the request body is larger than {limit} bytes"),
        )
    };
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return too_large();
    }
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let Ok(chunk) = chunk else {
            return request_error(
                &req,
                StatusCode::BAD_REQUEST,
                "the request body could not be read",
            );
        };
        if body.len() + chunk.len() > limit {
            return too_large();
        }
        body.extend_from_slice(&chunk);
    }
    let request: async_graphql::Request = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => {
            return request_error(
                &req,
                StatusCode::BAD_REQUEST,
                &format!("the body is not a GraphQL request: {e}"),
            )
        }
    };
    execute(&state, &req, request, request_id).await
}

async fn graphql_get(
    state: web::Data<AppState>,
    req: HttpRequest,
    request_id: RequestId,
) -> HttpResponse {
    let accepts_html = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"));
    if req.query_string().is_empty() && accepts_html {
        return HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .body(
                GraphiQLSource::build()
                    .endpoint("/graphql")
                    .title("Northstar GraphiQL")
                    .finish(),
            );
    }
    let mut request = match async_graphql::http::parse_query_string(req.query_string()) {
        Ok(r) => r,
        Err(e) => {
            return request_error(
                &req,
                StatusCode::BAD_REQUEST,
                &format!("invalid GET request: {e}"),
            )
        }
    };
    if is_mutation(&mut request) {
        // GraphQL over HTTP: GET is for queries only; a mutation must not run on a GET.
        let mut resp = request_error(
            &req,
            StatusCode::METHOD_NOT_ALLOWED,
            "mutations are only accepted over POST",
        );
        resp.headers_mut()
            .insert(header::ALLOW, header::HeaderValue::from_static("POST"));
        return resp;
    }
    execute(&state, &req, request, request_id).await
}

fn is_mutation(request: &mut async_graphql::Request) -> bool {
    let operation_name = request.operation_name.clone();
    let Ok(doc) = request.parsed_query() else {
        return false;
    };
    doc.operations.iter().any(|(name, op)| {
        let selected = match (&operation_name, name) {
            (Some(wanted), Some(name)) => wanted.as_str() == name.as_str(),
            (None, _) => true,
            (Some(_), None) => false,
        };
        selected && op.node.ty == OperationType::Mutation
    })
}

async fn execute(
    state: &AppState,
    req: &HttpRequest,
    request: async_graphql::Request,
    request_id: RequestId,
) -> HttpResponse {
    let started = Instant::now();
    let claims = bearer(req).and_then(|token| state.services.identity.verify_token(token));
    let mut request = request.data(Auth::from_claims(claims));
    if let Some(peer) = req.peer_addr() {
        request = request.data(ClientAddress(peer.ip().to_string()));
    }
    let mut resp = match state.documents.prepare(&mut request) {
        Err(err) => Response::from_errors(vec![err]),
        Ok(()) => {
            loaders::register(&mut request.data, &state.services.db, true);
            match tokio::time::timeout(
                state.config.request_timeout(),
                state.schema.execute(request),
            )
            .await
            {
                Ok(resp) => resp,
                Err(_) => {
                    tracing::warn!("request timed out");
                    Response::from_errors(vec![coded_error(
                        "the request took too long",
                        "INTERNAL",
                    )])
                }
            }
        }
    };
    let request_id = request_id.to_string();
    for err in &mut resp.errors {
        finish_error(err, &request_id);
    }
    state.metrics.observe(
        started.elapsed(),
        resp.errors
            .iter()
            .filter_map(|e| match e.extensions.as_ref()?.get("code") {
                Some(async_graphql::Value::String(code)) => Some(code.as_str()),
                _ => None,
            }),
    );
    // GraphQL over HTTP: with the new media type, a request that never executed
    // (unparsable, invalid) is a 400; an executed one is a 200, errors or not.
    let executed = !(resp.data == async_graphql::Value::Null
        && !resp.errors.is_empty()
        && resp.errors.iter().all(|e| e.path.is_empty()));
    let status = if executed || !wants_graphql_response(req) {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    json_response(req, status, &resp)
}

/// Every error leaves with a code; internal ones also with the request id that the
/// log line carries.
fn finish_error(err: &mut ServerError, request_id: &str) {
    let ext = err.extensions.get_or_insert_with(Default::default);
    if ext.get("code").is_none() {
        // Only errors raised before execution (parsing, validation) come without one.
        ext.set("code", limits::request_error_code(&err.message));
    }
    if matches!(ext.get("code"), Some(async_graphql::Value::String(c)) if c == "INTERNAL") {
        ext.set("requestId", request_id);
        err.message = format!("internal error (request id {request_id})");
    }
}

/// GraphQL over WebSocket (graphql-transport-ws, and the older graphql-ws): the `ws`
/// module serves the socket.
async fn graphql_ws(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> actix_web::Result<HttpResponse> {
    ws::start(
        &req,
        payload,
        state.ws_schema.clone(),
        state.services.clone(),
        state.config.body_limit,
    )
}

fn bearer(req: &HttpRequest) -> Option<&str> {
    req.headers()
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({ "status": "ok" }))
}

async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(metrics::CONTENT_TYPE)
        .body(state.metrics.encode())
}

async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let ping = tokio::time::timeout(Duration::from_secs(2), state.services.db.ping()).await;
    match ping {
        Ok(Ok(())) => HttpResponse::Ok().json(serde_json::json!({ "status": "ready" })),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "database does not answer");
            HttpResponse::ServiceUnavailable().json(serde_json::json!({ "status": "unavailable" }))
        }
        Err(_) => {
            tracing::warn!("database ping timed out");
            HttpResponse::ServiceUnavailable().json(serde_json::json!({ "status": "unavailable" }))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_leaves_with_a_code_and_internal_ones_with_the_request_id() {
        let mut uncoded = ServerError::new("Unknown field", None);
        finish_error(&mut uncoded, "r-1");
        let ext = uncoded.extensions.unwrap();
        assert_eq!(
            ext.get("code"),
            Some(&async_graphql::Value::from("BAD_USER_INPUT"))
        );

        let mut internal = coded_error("db exploded: relation \"user\" does not exist", "INTERNAL");
        finish_error(&mut internal, "r-2");
        assert_eq!(internal.message, "internal error (request id r-2)");
        let ext = internal.extensions.unwrap();
        assert_eq!(
            ext.get("requestId"),
            Some(&async_graphql::Value::from("r-2"))
        );
    }
}
