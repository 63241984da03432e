//! The HTTP surface: `/graphql` (POST, GET, GraphiQL), `/healthz`, `/readyz`,
//! `/metrics`.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

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
    domain::integrations::is_api_token,
    error::{code, ApiError, ApiResult},
    graphql::{
        context::{Auth, ClientAddress},
        documents::DocumentCache,
    },
    metrics::{self, Metrics},
    rate_limit::Budget,
    schema::{register_loaders, NorthstarSchema},
    services::Services,
    ws,
};

/// What every handler shares.
pub struct AppState {
    /// The schema of `/graphql` over HTTP.
    pub schema: NorthstarSchema,
    /// The schema of `/graphql` over WebSocket (`schema::build_ws_schema`).
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

/// A response to a request that could not be read as a GraphQL request (its body,
/// its media type, its query string): BAD_USER_INPUT with `status`, and no `data`.
fn request_error(req: &HttpRequest, status: StatusCode, message: &str) -> HttpResponse {
    let resp = Response::from_errors(vec![
        ApiError::BadRequest(message.to_owned()).into_server_error(Vec::new())
    ]);
    json_response(req, status, &resp, Ran::No)
}

/// Whether a request's operation ran: GraphQL over HTTP leaves `data` out of the
/// response of a request that never ran (it did not parse, was not valid, broke a
/// limit) and keeps it, `null` or not, once execution started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ran {
    Yes,
    No,
}

fn json_response(req: &HttpRequest, status: StatusCode, resp: &Response, ran: Ran) -> HttpResponse {
    let content_type = if wants_graphql_response(req) {
        GRAPHQL_RESPONSE
    } else {
        "application/json"
    };
    let body = serde_json::to_value(resp).and_then(|mut body| {
        if ran == Ran::No {
            if let Some(fields) = body.as_object_mut() {
                fields.remove("data");
            }
        }
        serde_json::to_vec(&body)
    });
    match body {
        Ok(body) => HttpResponse::build(status)
            .insert_header((header::CONTENT_TYPE, content_type))
            .body(body),
        Err(e) => {
            tracing::error!(error = %e, "serialising a response");
            HttpResponse::InternalServerError().finish()
        }
    }
}

/// A POST's body must be JSON (GraphQL over HTTP): `application/json`, or any
/// `…+json` type, with parameters such as a charset. Without a `content-type`, or
/// with another, the request is refused (415) before its body is read.
fn json_body(req: &HttpRequest) -> bool {
    let Some(value) = req.headers().get(header::CONTENT_TYPE) else {
        return false;
    };
    let Ok(value) = value.to_str() else {
        return false;
    };
    let essence = value
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

async fn graphql_post(
    state: web::Data<AppState>,
    req: HttpRequest,
    mut payload: web::Payload,
    request_id: RequestId,
) -> HttpResponse {
    if !json_body(&req) {
        return request_error(
            &req,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "a POST body must be JSON: send content-type: application/json",
        );
    }
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
    let rid: Arc<str> = request_id.to_string().into();
    let (caller, budget) = match caller(state, req, rid).await {
        Ok(caller) => caller,
        Err((err, budget)) => (Err(err), budget),
    };
    let prepared = caller.and_then(|auth| {
        let mut request = request.data(auth);
        if let Some(peer) = req.peer_addr() {
            request = request.data(ClientAddress(peer.ip().to_string()));
        }
        state.documents.prepare(&mut request).map(|()| request)
    });
    let (mut resp, ran) = match prepared {
        Err(err) => (
            Response::from_errors(vec![err.into_server_error(Vec::new())]),
            Ran::No,
        ),
        Ok(mut request) => {
            register_loaders(&mut request.data, &state.services.db, true);
            match tokio::time::timeout(
                state.config.request_timeout(),
                state.schema.execute(request),
            )
            .await
            {
                Ok(resp) => {
                    // Errors without a path and no data: the document did not parse or
                    // was not valid, so nothing ran. An executed operation's errors
                    // carry the path of their field.
                    let ran = if resp.data == async_graphql::Value::Null
                        && !resp.errors.is_empty()
                        && resp.errors.iter().all(|e| e.path.is_empty())
                    {
                        Ran::No
                    } else {
                        Ran::Yes
                    };
                    (resp, ran)
                }
                Err(_) => {
                    tracing::warn!("request timed out");
                    let timeout = ApiError::Timeout.into_server_error(Vec::new());
                    (Response::from_errors(vec![timeout]), Ran::No)
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
    // GraphQL over HTTP: with application/json every response to a well-formed request
    // is a 200. With the new media type, one without `data` is a 4xx or 5xx: 400 for a
    // request that could not run, 504 for one stopped by the timeout.
    let timed_out = resp.errors.iter().any(|e| {
        e.extensions
            .as_ref()
            .and_then(|x| x.get("code"))
            .is_some_and(|c| *c == async_graphql::Value::from(code::TIMEOUT))
    });
    let status = match (ran, wants_graphql_response(req)) {
        // An HTTP client retries a 429 after `Retry-After`, whatever the media type.
        _ if budget.is_some_and(|b| !b.allowed) => StatusCode::TOO_MANY_REQUESTS,
        (Ran::Yes, _) | (Ran::No, false) => StatusCode::OK,
        (Ran::No, true) if timed_out => StatusCode::GATEWAY_TIMEOUT,
        (Ran::No, true) => StatusCode::BAD_REQUEST,
    };
    let mut response = json_response(req, status, &resp, ran);
    if let Some(budget) = budget {
        budget_headers(&mut response, &budget);
    }
    // The id the log lines and the audit log name, for the client to quote.
    if let Ok(v) = header::HeaderValue::from_str(&request_id) {
        response
            .headers_mut()
            .insert(header::HeaderName::from_static("x-request-id"), v);
    }
    response
}

/// Who the request is from, and, for an API token, what is left of its budget.
///
/// A user's access token is only verified here (no I/O; the user is read on first use,
/// `Auth`). An API token is looked up and spends from its budget before anything runs:
/// over the budget is RATE_LIMITED. An invalid, revoked or expired token is no caller
/// at all, so whatever needs one is UNAUTHENTICATED.
async fn caller(
    state: &AppState,
    req: &HttpRequest,
    request_id: Arc<str>,
) -> Result<(ApiResult<Auth>, Option<Budget>), (ApiError, Option<Budget>)> {
    let Some(token) = bearer(req) else {
        return Ok((Ok(Auth::from_claims(None, Some(request_id))), None));
    };
    if !is_api_token(token) {
        let claims = state.services.identity.verify_token(token);
        return Ok((Ok(Auth::from_claims(claims, Some(request_id))), None));
    }
    let integrations = &state.services.integrations;
    let actor = match integrations.authenticate(token).await {
        Ok(actor) => actor,
        Err(ApiError::Unauthenticated) => {
            return Ok((Ok(Auth::from_claims(None, Some(request_id))), None))
        }
        Err(e) => return Err((e, None)),
    };
    let Some(id) = actor.token_id() else {
        return Err((ApiError::Unauthenticated, None));
    };
    let budget = integrations.spend_budget(id).await.map_err(|e| (e, None))?;
    if !budget.allowed {
        let retry_after = budget.retry_after();
        return Err((ApiError::RateLimited { retry_after }, Some(budget)));
    }
    Ok((
        Ok(Auth::authenticated(actor, Some(request_id))),
        Some(budget),
    ))
}

/// `X-RateLimit-Limit`, `-Remaining` and `-Reset` (seconds since the Unix epoch) on
/// every response to an API token, and `Retry-After` (seconds) once over the budget.
fn budget_headers(response: &mut HttpResponse, budget: &Budget) {
    let headers = response.headers_mut();
    let mut set = |name: &'static str, value: String| {
        if let Ok(v) = header::HeaderValue::from_str(&value) {
            headers.insert(header::HeaderName::from_static(name), v);
        }
    };
    set("x-ratelimit-limit", budget.limit.to_string());
    set("x-ratelimit-remaining", budget.remaining.to_string());
    set("x-ratelimit-reset", budget.reset_at.to_string());
    if !budget.allowed {
        set("retry-after", budget.retry_after().to_string());
    }
}

/// Every error leaves with a code; internal ones also with the request id that the
/// log line carries.
fn finish_error(err: &mut ServerError, request_id: &str) {
    // Only async-graphql's own errors (parsing, validation, an argument's value) come
    // without a code.
    *err = ApiError::code_request_error(std::mem::replace(err, ServerError::new("", None)));
    let ext = err.extensions.get_or_insert_with(Default::default);
    if matches!(ext.get("code"), Some(async_graphql::Value::String(c)) if c == code::INTERNAL) {
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

        let mut internal = ApiError::internal(anyhow::anyhow!(
            "db exploded: relation \"user\" does not exist"
        ))
        .into_server_error(Vec::new());
        finish_error(&mut internal, "r-2");
        assert_eq!(internal.message, "internal error (request id r-2)");
        let ext = internal.extensions.unwrap();
        assert_eq!(
            ext.get("requestId"),
            Some(&async_graphql::Value::from("r-2"))
        );
    }
}
