//! GraphQL over WebSocket at `/graphql`: the graphql-transport-ws protocol
//! (<https://github.com/enisdenjo/graphql-ws/blob/master/PROTOCOL.md>), and the older
//! subscriptions-transport-ws (subprotocol `graphql-ws`) with its own rules
//! ([`Protocol::Legacy`]).
//!
//! The socket is this module's own: every message from the client is checked here
//! against the protocol, and a client that breaks it learns how from the close code.
//!
//! | code | when |
//! |---|---|
//! | 4400 | a message that is not JSON, has an unknown `type`, or lacks a required field |
//! | 4401 | `subscribe` before the server acknowledged `connection_init` |
//! | 4403 | `connection_init` refused (no valid token in its payload), or the caller's access revoked since (after an `error` for each running operation) |
//! | 4408 | no `connection_init` within [`CONNECTION_INIT_TIMEOUT`] |
//! | 4409 | `subscribe` with the id of an operation that is still running |
//! | 4429 | a second `connection_init` |
//! | 4500 | the server failed (the cause goes to the log) |
//!
//! Operations run on the WebSocket schema (`schema::build_ws_schema`: the limits
//! extension applies), as the caller that `connection_init` authenticated. That caller
//! is checked again whenever a revocation names it ([`crate::events::Revocation`],
//! published on every server), and its operations end when it no longer holds.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use actix_web::{http::header, web, HttpMessage, HttpRequest, HttpResponse};
use actix_ws::{
    AggregatedMessage, AggregatedMessageStream, CloseCode, CloseReason, ProtocolError, Session,
};
use async_graphql::ServerError;
use async_graphql::{Data, Request, Response};
use futures_util::{
    future::BoxFuture,
    stream::{self, BoxStream},
    StreamExt,
};
use serde::Serialize;
use serde_json::Value;
use tokio::sync::broadcast::{self, error::RecvError};
use tokio_stream::StreamMap;

use crate::{
    auth::{jwt::Claims, Actor, Principal},
    domain::integrations::is_api_token,
    error::{ApiError, ApiResult},
    events::{PrincipalId, RevocationNotice},
    graphql::context::Auth,
    schema::{register_loaders, NorthstarSchema},
    services::Services,
};

/// How long a client may wait before its `connection_init` (graphql-ws's default
/// `connectionInitWaitTimeout`); after that the socket closes with 4408.
pub const CONNECTION_INIT_TIMEOUT: Duration = Duration::from_secs(3);
/// How often the server pings the client.
const HEARTBEAT_INTERVAL: Duration = Duration::from_secs(5);
/// How long a client may stay silent (no frame, not even a pong) before it is dropped.
const CLIENT_TIMEOUT: Duration = Duration::from_secs(10);

/// The close codes of graphql-transport-ws that this server sends.
mod close {
    /// The message breaks the protocol.
    pub const BAD_REQUEST: u16 = 4400;
    /// An operation before the connection was acknowledged.
    pub const UNAUTHORIZED: u16 = 4401;
    /// The connection is refused.
    pub const FORBIDDEN: u16 = 4403;
    /// No `connection_init` in time.
    pub const INIT_TIMEOUT: u16 = 4408;
    /// An operation id already in use.
    pub const SUBSCRIBER_EXISTS: u16 = 4409;
    /// A second `connection_init`.
    pub const TOO_MANY_INITS: u16 = 4429;
    /// The server failed.
    pub const INTERNAL: u16 = 4500;
}

/// A subprotocol this server speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// graphql-transport-ws.
    TransportWs,
    /// subscriptions-transport-ws (Apollo's, named `graphql-ws`). Its own rules: its
    /// messages are `start`, `stop`, `data` and `connection_terminate`; a `start` with
    /// the id of a running operation replaces it; and before every close of the table
    /// above, a `connection_error` message carries the reason, since its clients read
    /// that message rather than close codes.
    Legacy,
}

impl Protocol {
    /// The name in `Sec-WebSocket-Protocol`.
    pub fn name(self) -> &'static str {
        match self {
            Self::TransportWs => "graphql-transport-ws",
            Self::Legacy => "graphql-ws",
        }
    }

    /// The first subprotocol the client offers that the server speaks.
    fn negotiate(req: &HttpRequest) -> Option<Self> {
        req.headers()
            .get_all(header::SEC_WEBSOCKET_PROTOCOL)
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .find_map(|p| match p.trim() {
                "graphql-transport-ws" => Some(Self::TransportWs),
                "graphql-ws" => Some(Self::Legacy),
                _ => None,
            })
    }
}

/// Upgrades a request to a GraphQL WebSocket and serves it until either side closes.
/// A client that offers no subprotocol this server speaks is refused (400). A message
/// may be up to `max_message` bytes (as a request body over HTTP).
pub fn start(
    req: &HttpRequest,
    payload: web::Payload,
    schema: NorthstarSchema,
    services: Services,
    max_message: usize,
) -> actix_web::Result<HttpResponse> {
    let Some(protocol) = Protocol::negotiate(req) else {
        return Ok(HttpResponse::BadRequest().body(
            "GraphQL over WebSocket needs the subprotocol graphql-transport-ws (or graphql-ws)",
        ));
    };
    let (response, session, messages) =
        actix_ws::handle_with_protocols(req, payload, &[protocol.name()])?;
    let incoming = messages
        .max_frame_size(max_message)
        .aggregate_continuations()
        .max_continuation_size(max_message);
    // Every operation over the socket is of the upgrade request: the audit log and the
    // log lines name it.
    let request_id = req
        .extensions()
        .get::<tracing_actix_web::RequestId>()
        .map(|id| Arc::<str>::from(id.to_string()));
    let connection = Connection {
        protocol,
        schema,
        services,
        session,
        request_id,
        init_received: false,
        data: None,
        credential: None,
        operations: StreamMap::new(),
    };
    actix_web::rt::spawn(connection.serve(incoming));
    Ok(response)
}

/// The results of one operation; `None` once it completed.
type Operation = BoxStream<'static, Option<Response>>;

/// A `connection_init` being checked.
type Init = BoxFuture<'static, ApiResult<(Actor, Credential)>>;

/// What authenticated a connection, kept to check it again when a revocation names its
/// principal.
enum Credential {
    /// A user's access token, checked again without its expiry: a connection outlives
    /// the token it opened with, but not the user's deactivation nor a bump of their
    /// token version.
    AccessToken(Claims),
    /// An integration's API token: the connection ends when it is revoked, or when it
    /// expires (`expires_at`).
    ApiToken {
        id: uuid::Uuid,
        expires_at: Option<chrono::DateTime<chrono::Utc>>,
    },
}

/// The principal a revocation must name to concern a connection of `actor`.
fn principal_of(actor: &Actor) -> PrincipalId {
    match actor.principal() {
        Principal::User { id, .. } => PrincipalId::User(*id),
        Principal::Token { id, .. } => PrincipalId::Token(*id),
    }
}

/// One client's socket.
struct Connection {
    protocol: Protocol,
    schema: NorthstarSchema,
    services: Services,
    session: Session,
    /// Whether `connection_init` arrived (a second one closes the socket).
    init_received: bool,
    /// What every operation runs with, once `connection_init` is acknowledged.
    data: Option<Arc<Data>>,
    /// Who the connection is for, once acknowledged, and how to check it again.
    credential: Option<(PrincipalId, Credential)>,
    /// The running operations, by the client's ids.
    operations: StreamMap<String, Operation>,
    /// The id of the request that opened the socket.
    request_id: Option<Arc<str>>,
}

/// How a connection ends.
#[derive(Debug, PartialEq, Eq)]
enum End {
    /// The server closes the socket with a code of [`close`] and a reason.
    Close(u16, String),
    /// The client closed the socket (or sent `connection_terminate`): the server
    /// answers with a close frame.
    Reply(Option<CloseReason>),
    /// The client is gone: there is no one to tell.
    Gone,
}

impl End {
    fn close(code: u16, reason: impl Into<String>) -> Self {
        Self::Close(code, reason.into())
    }
}

impl Connection {
    async fn serve(mut self, mut incoming: AggregatedMessageStream) {
        let end = self.run(&mut incoming).await;
        let reason = match end {
            End::Gone => return,
            End::Reply(reason) => reason,
            End::Close(code, reason) => {
                tracing::debug!(code, reason, "closing a GraphQL WebSocket");
                if self.protocol == Protocol::Legacy {
                    let error = ServerMessage::ConnectionError {
                        payload: ConnectionError { message: &reason },
                    };
                    let _ = self.send(&error).await;
                }
                Some(CloseReason {
                    code: CloseCode::from(code),
                    description: Some(reason),
                })
            }
        };
        let _ = self.session.close(reason).await;
    }

    async fn run(&mut self, incoming: &mut AggregatedMessageStream) -> End {
        let init_deadline = tokio::time::sleep(CONNECTION_INIT_TIMEOUT);
        tokio::pin!(init_deadline);
        let start = tokio::time::Instant::now() + HEARTBEAT_INTERVAL;
        let mut heartbeat = tokio::time::interval_at(start, HEARTBEAT_INTERVAL);
        let mut last_heard = Instant::now();
        let mut init: Option<Init> = None;
        // Taken when `connection_init` arrives, before its token is checked: a revocation
        // published after the check is heard, even while the check is still running.
        let mut revocations: Option<broadcast::Receiver<RevocationNotice>> = None;
        loop {
            let expiry = self.expiry();
            let step = tokio::select! {
                biased;
                () = tokio::time::sleep_until(expiry.unwrap_or_else(tokio::time::Instant::now)),
                    if expiry.is_some() =>
                {
                    tracing::info!("API token expired: ending a WebSocket connection");
                    self.revoke().await
                }
                notice = async { revocations.as_mut().expect("checked").recv().await },
                    if revocations.is_some() && self.credential.is_some() =>
                {
                    if notice == Err(RecvError::Closed) {
                        revocations = None;
                    }
                    self.on_notice(notice).await
                }
                frame = incoming.next() => {
                    last_heard = Instant::now();
                    self.on_frame(frame, &mut init, &mut revocations).await
                }
                auth = async { init.as_mut().expect("checked").await }, if init.is_some() => {
                    init = None;
                    self.on_init(auth).await
                }
                Some((id, result)) = self.operations.next(), if !self.operations.is_empty() => {
                    self.on_result(id, result).await
                }
                () = &mut init_deadline, if !self.init_received => {
                    Err(End::close(close::INIT_TIMEOUT, "Connection initialisation timeout"))
                }
                _ = heartbeat.tick() => {
                    if last_heard.elapsed() > CLIENT_TIMEOUT {
                        Err(End::Gone)
                    } else {
                        self.session.ping(b"").await.map_err(|_| End::Gone)
                    }
                }
            };
            if let Err(end) = step {
                return end;
            }
        }
    }

    /// When the connection's credential expires, if it does (an API token with an
    /// `expiresAt`).
    fn expiry(&self) -> Option<tokio::time::Instant> {
        let Some((
            _,
            Credential::ApiToken {
                expires_at: Some(at),
                ..
            },
        )) = &self.credential
        else {
            return None;
        };
        let left = (*at - chrono::Utc::now()).to_std().unwrap_or_default();
        Some(tokio::time::Instant::now() + left)
    }

    async fn on_frame(
        &mut self,
        frame: Option<Result<AggregatedMessage, ProtocolError>>,
        init: &mut Option<Init>,
        revocations: &mut Option<broadcast::Receiver<RevocationNotice>>,
    ) -> Result<(), End> {
        match frame {
            None => Err(End::Gone),
            Some(Err(ProtocolError::Overflow)) => {
                Err(End::close(CloseCode::Size.into(), "Message too big"))
            }
            Some(Err(e)) => Err(End::close(CloseCode::Protocol.into(), e.to_string())),
            Some(Ok(AggregatedMessage::Text(text))) => {
                self.on_message(text.as_bytes(), init, revocations).await
            }
            Some(Ok(AggregatedMessage::Binary(bytes))) => {
                self.on_message(&bytes, init, revocations).await
            }
            Some(Ok(AggregatedMessage::Ping(bytes))) => {
                self.session.pong(&bytes).await.map_err(|_| End::Gone)
            }
            Some(Ok(AggregatedMessage::Pong(_))) => Ok(()),
            Some(Ok(AggregatedMessage::Close(reason))) => Err(End::Reply(reason)),
        }
    }

    async fn on_message(
        &mut self,
        bytes: &[u8],
        init: &mut Option<Init>,
        revocations: &mut Option<broadcast::Receiver<RevocationNotice>>,
    ) -> Result<(), End> {
        let message = ClientMessage::parse(self.protocol, bytes)
            .map_err(|reason| End::close(close::BAD_REQUEST, reason))?;
        match message {
            ClientMessage::ConnectionInit(payload) => {
                if self.init_received {
                    return Err(End::close(
                        close::TOO_MANY_INITS,
                        "Too many initialisation requests",
                    ));
                }
                self.init_received = true;
                *revocations = Some(self.services.events.revocations());
                *init = Some(Box::pin(authenticate(self.services.clone(), payload)));
                Ok(())
            }
            ClientMessage::Ping(payload) => self.send(&ServerMessage::Pong { payload }).await,
            ClientMessage::Pong => Ok(()),
            ClientMessage::Subscribe { id, request } => self.subscribe(id, *request).await,
            ClientMessage::Complete { id } => {
                // graphql-transport-ws: the client stopped listening and expects nothing
                // more; subscriptions-transport-ws clients wait for the `complete`.
                if self.operations.remove(&id).is_some() && self.protocol == Protocol::Legacy {
                    self.send(&ServerMessage::Complete { id: &id }).await?;
                }
                Ok(())
            }
            ClientMessage::Terminate => Err(End::Reply(Some(CloseCode::Normal.into()))),
        }
    }

    async fn subscribe(&mut self, id: String, request: Request) -> Result<(), End> {
        let Some(data) = self.data.clone() else {
            return Err(End::close(close::UNAUTHORIZED, "Unauthorized"));
        };
        if self.protocol == Protocol::TransportWs && self.operations.contains_key(&id) {
            return Err(End::close(
                close::SUBSCRIBER_EXISTS,
                format!("Subscriber for {id} already exists"),
            ));
        }
        // An API token spends from its budget per operation, as per HTTP request (opening
        // the socket spends nothing).
        if let Some((_, Credential::ApiToken { id: token, .. })) = &self.credential {
            match self.services.integrations.spend_budget(*token).await {
                Ok(budget) if budget.allowed => {}
                Ok(budget) => {
                    let retry_after = budget.retry_after();
                    let errors =
                        [ApiError::RateLimited { retry_after }.into_server_error(Vec::new())];
                    return self
                        .send(&ServerMessage::Error {
                            id: &id,
                            payload: &errors,
                        })
                        .await;
                }
                Err(e) => {
                    tracing::error!(error = ?e, "spending an API token's budget");
                    return Err(End::close(close::INTERNAL, "Internal server error"));
                }
            }
        }
        let results = self
            .schema
            .execute_stream_with_session_data(request, data)
            .map(Some)
            .chain(stream::once(async { None }));
        // subscriptions-transport-ws: a `start` with a running id replaces that operation.
        self.operations.insert(id, Box::pin(results));
        Ok(())
    }

    async fn on_result(&mut self, id: String, result: Option<Response>) -> Result<(), End> {
        match result {
            Some(response) => {
                let message = match self.protocol {
                    Protocol::TransportWs => ServerMessage::Next {
                        id: &id,
                        payload: &response,
                    },
                    Protocol::Legacy => ServerMessage::Data {
                        id: &id,
                        payload: &response,
                    },
                };
                self.send(&message).await
            }
            None => {
                // Free the id at once: the client may reuse it after `complete`.
                self.operations.remove(&id);
                self.send(&ServerMessage::Complete { id: &id }).await
            }
        }
    }

    async fn on_init(&mut self, auth: ApiResult<(Actor, Credential)>) -> Result<(), End> {
        match auth {
            Ok((actor, credential)) => {
                self.credential = Some((principal_of(&actor), credential));
                let mut data = Data::default();
                data.insert(Auth::authenticated(actor, self.request_id.clone()));
                // A subscription lives long: its loaders batch but do not cache, so each
                // event reads current rows.
                register_loaders(&mut data, &self.services.db, false);
                self.data = Some(Arc::new(data));
                self.send(&ServerMessage::ConnectionAck).await
            }
            Err(ApiError::Internal(cause)) => {
                tracing::error!(error = ?cause, "authenticating a WebSocket connection");
                Err(End::close(close::INTERNAL, "Internal server error"))
            }
            Err(e) => Err(End::close(
                close::FORBIDDEN,
                format!("Forbidden: {}", e.message()),
            )),
        }
    }

    /// A revocation may concern this connection: its credential is checked again when
    /// the revocation names its principal, or when revocations may have been missed.
    async fn on_notice(&mut self, notice: Result<RevocationNotice, RecvError>) -> Result<(), End> {
        let Some((principal, credential)) = &self.credential else {
            return Ok(());
        };
        let concerned = match notice {
            Ok(RevocationNotice::Revoked(revocation)) => revocation.principal == *principal,
            Ok(RevocationNotice::Missed) | Err(RecvError::Lagged(_)) => true,
            Err(RecvError::Closed) => {
                tracing::error!("revocations no longer reach WebSocket connections");
                false
            }
        };
        if !concerned {
            return Ok(());
        }
        let still = match credential {
            Credential::AccessToken(claims) => {
                self.services.identity.actor_now(claims).await.map(|_| ())
            }
            Credential::ApiToken { id, .. } => {
                match self.services.integrations.token_is_active(*id).await {
                    Ok(true) => Ok(()),
                    Ok(false) => Err(ApiError::Unauthenticated),
                    Err(e) => Err(e),
                }
            }
        };
        match still {
            Ok(()) => Ok(()),
            Err(ApiError::Internal(cause)) => {
                tracing::error!(error = ?cause, "checking a WebSocket connection's caller again");
                Err(End::close(close::INTERNAL, "Internal server error"))
            }
            Err(_) => self.revoke().await,
        }
    }

    /// Ends a connection whose caller lost access: every running operation ends with an
    /// `error` (UNAUTHENTICATED, as the same token now gets over HTTP), then the socket
    /// closes with 4403.
    ///
    /// Errors first, rather than the close alone, because that is what a client library
    /// such as graphql-ws acts on: an `error` is final for its operation, and reaches the
    /// application's handler as GraphQL errors with a code it already handles. A bare
    /// 4403 is not final there: graphql-ws retries on it ("might grant access after
    /// retry"), reconnecting with the same dead token, and the application hears of it
    /// only after its retries run out. The close that follows ends the connection for
    /// clients that watch the socket, with the code that a refused `connection_init`
    /// gets.
    async fn revoke(&mut self) -> Result<(), End> {
        if let Some((principal, _)) = &self.credential {
            tracing::info!(?principal, "access revoked: ending a WebSocket connection");
        }
        let mut revoked = ApiError::Unauthenticated.into_server_error(Vec::new());
        revoked.message = "access was revoked; authenticate again".into();
        let errors = [revoked];
        let ids: Vec<String> = self.operations.keys().cloned().collect();
        self.operations.clear();
        for id in &ids {
            self.send(&ServerMessage::Error {
                id,
                payload: &errors,
            })
            .await?;
        }
        Err(End::close(close::FORBIDDEN, "Forbidden: access revoked"))
    }

    async fn send(&mut self, message: &ServerMessage<'_>) -> Result<(), End> {
        let text = serde_json::to_string(message).map_err(|e| {
            tracing::error!(error = %e, "serialising a WebSocket message");
            End::close(close::INTERNAL, "Internal server error")
        })?;
        self.session.text(text).await.map_err(|_| End::Gone)
    }
}

/// The caller a `connection_init` payload names, checked as over HTTP: a valid access
/// token of an active user (`IdentityService::authenticate`), or an active API token
/// (`IntegrationService::authenticate`).
async fn authenticate(services: Services, payload: Value) -> ApiResult<(Actor, Credential)> {
    let token = init_token(&payload).ok_or(ApiError::Unauthenticated)?;
    if is_api_token(&token) {
        let actor = services.integrations.authenticate(&token).await?;
        let id = actor.token_id().ok_or(ApiError::Unauthenticated)?;
        let expires_at = services.integrations.token_expiry(id).await?;
        return Ok((actor, Credential::ApiToken { id, expires_at }));
    }
    let claims = services
        .identity
        .verify_token(&token)
        .ok_or(ApiError::Unauthenticated)?;
    let actor = services.identity.actor_for(&claims).await?;
    Ok((actor, Credential::AccessToken(claims)))
}

/// The bearer token in a `connection_init` payload: `{"Authorization": "Bearer <token>"}`
/// (or `authorization`), or `{"token": "<token>"}`.
fn init_token(init: &Value) -> Option<String> {
    let field = |name: &str| init.get(name).and_then(|v| v.as_str());
    let auth = field("Authorization")
        .or_else(|| field("authorization"))
        .map(|a| a.strip_prefix("Bearer ").unwrap_or(a));
    auth.or_else(|| field("token")).map(|t| t.trim().to_owned())
}

/// A message from the client that follows the protocol.
#[derive(Debug)]
enum ClientMessage {
    ConnectionInit(Value),
    Ping(Option<Value>),
    Pong,
    Subscribe {
        id: String,
        request: Box<Request>,
    },
    Complete {
        id: String,
    },
    /// subscriptions-transport-ws only.
    Terminate,
}

impl ClientMessage {
    /// The message in `bytes`, or why it breaks the protocol (the reason of a 4400).
    fn parse(protocol: Protocol, bytes: &[u8]) -> Result<Self, String> {
        let invalid = |why: &str| format!("Invalid message received: {why}");
        let value: Value =
            serde_json::from_slice(bytes).map_err(|e| invalid(&format!("not JSON ({e})")))?;
        let Value::Object(mut message) = value else {
            return Err(invalid("not a JSON object"));
        };
        let Some(Value::String(kind)) = message.remove("type") else {
            return Err(invalid("'type' is missing or not a string"));
        };
        let payload = message.remove("payload");
        let id = message.remove("id");
        let id = || match id {
            Some(Value::String(id)) if !id.is_empty() => Ok(id),
            _ => Err(invalid(&format!("'{kind}' needs a non-empty string 'id'"))),
        };
        match (protocol, kind.as_str()) {
            (_, "connection_init") => Ok(Self::ConnectionInit(
                optional_object(&kind, payload)?
                    .unwrap_or_else(|| Value::Object(Default::default())),
            )),
            (_, "ping") => Ok(Self::Ping(optional_object(&kind, payload)?)),
            (_, "pong") => optional_object(&kind, payload).map(|_| Self::Pong),
            (Protocol::TransportWs, "subscribe") | (Protocol::Legacy, "start") => {
                let request = operation(&kind, payload)?;
                Ok(Self::Subscribe {
                    id: id()?,
                    request: Box::new(request),
                })
            }
            (Protocol::TransportWs, "complete") | (Protocol::Legacy, "stop") => {
                Ok(Self::Complete { id: id()? })
            }
            (Protocol::Legacy, "connection_terminate") => Ok(Self::Terminate),
            _ => {
                let kind: String = kind.chars().take(32).collect();
                Err(invalid(&format!("unexpected type '{kind}'")))
            }
        }
    }
}

/// A payload that may be absent or null, and otherwise must be an object.
fn optional_object(kind: &str, payload: Option<Value>) -> Result<Option<Value>, String> {
    match payload {
        None | Some(Value::Null) => Ok(None),
        Some(object @ Value::Object(_)) => Ok(Some(object)),
        Some(_) => Err(format!(
            "Invalid message received: the payload of '{kind}' must be an object"
        )),
    }
}

/// The GraphQL request in the payload of `subscribe`: `query` a string; `variables`,
/// `extensions` objects and `operationName` a string, each optional or null.
fn operation(kind: &str, payload: Option<Value>) -> Result<Request, String> {
    let invalid = |why: &str| format!("Invalid message received: '{kind}' {why}");
    let Some(Value::Object(mut payload)) = payload else {
        return Err(invalid("needs a payload object"));
    };
    if !matches!(payload.get("query"), Some(Value::String(_))) {
        return Err(invalid("needs a string 'payload.query'"));
    }
    for (field, want) in [
        ("variables", "an object"),
        ("extensions", "an object"),
        ("operationName", "a string"),
    ] {
        match payload.get(field) {
            None => {}
            Some(Value::Null) => {
                payload.remove(field);
            }
            Some(Value::Object(_)) if want == "an object" => {}
            Some(Value::String(_)) if want == "a string" => {}
            Some(_) => return Err(invalid(&format!("needs 'payload.{field}' to be {want}"))),
        }
    }
    serde_json::from_value(Value::Object(payload))
        .map_err(|e| invalid(&format!("has an unreadable payload ({e})")))
}

/// A message from the server.
#[derive(Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum ServerMessage<'a> {
    ConnectionAck,
    /// subscriptions-transport-ws: why the connection ends.
    ConnectionError {
        payload: ConnectionError<'a>,
    },
    Pong {
        #[serde(skip_serializing_if = "Option::is_none")]
        payload: Option<Value>,
    },
    /// graphql-transport-ws: a result.
    Next {
        id: &'a str,
        payload: &'a Response,
    },
    /// subscriptions-transport-ws: a result.
    Data {
        id: &'a str,
        payload: &'a Response,
    },
    /// The operation failed and ends (no `complete` follows).
    Error {
        id: &'a str,
        payload: &'a [ServerError],
    },
    Complete {
        id: &'a str,
    },
}

#[derive(Serialize)]
struct ConnectionError<'a> {
    message: &'a str,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_that_break_the_protocol_are_refused_with_a_reason() {
        for (protocol, text, why) in [
            (Protocol::TransportWs, "not json", "not JSON"),
            (Protocol::TransportWs, "[1]", "not a JSON object"),
            (Protocol::TransportWs, r#"{"id":"1"}"#, "'type'"),
            (Protocol::TransportWs, r#"{"type":7}"#, "'type'"),
            (
                Protocol::TransportWs,
                r#"{"type":"hello"}"#,
                "unexpected type 'hello'",
            ),
            (
                Protocol::TransportWs,
                r#"{"type":"start","id":"1","payload":{"query":"{a}"}}"#,
                "unexpected type",
            ),
            (
                Protocol::TransportWs,
                r#"{"type":"connection_init","payload":"x"}"#,
                "must be an object",
            ),
            (
                Protocol::TransportWs,
                r#"{"type":"subscribe","payload":{"query":"{a}"}}"#,
                "'id'",
            ),
            (
                Protocol::TransportWs,
                r#"{"type":"subscribe","id":"","payload":{"query":"{a}"}}"#,
                "'id'",
            ),
            (
                Protocol::TransportWs,
                r#"{"type":"subscribe","id":"1"}"#,
                "payload object",
            ),
            (
                Protocol::TransportWs,
                r#"{"type":"subscribe","id":"1","payload":{}}"#,
                "payload.query",
            ),
            (
                Protocol::TransportWs,
                r#"{"type":"subscribe","id":"1","payload":{"query":"{a}","variables":[]}}"#,
                "payload.variables",
            ),
            (
                Protocol::TransportWs,
                r#"{"type":"subscribe","id":"1","payload":{"query":"{a}","operationName":1}}"#,
                "payload.operationName",
            ),
            (Protocol::TransportWs, r#"{"type":"complete"}"#, "'id'"),
            (
                Protocol::Legacy,
                r#"{"type":"subscribe","id":"1","payload":{"query":"{a}"}}"#,
                "unexpected type",
            ),
        ] {
            let err = ClientMessage::parse(protocol, text.as_bytes()).expect_err(text);
            assert!(
                err.starts_with("Invalid message received: "),
                "{text}: {err}"
            );
            assert!(err.contains(why), "{text}: {err}");
        }
    }

    #[test]
    fn messages_that_follow_the_protocol_are_read() {
        let read = |protocol, text: &str| ClientMessage::parse(protocol, text.as_bytes()).unwrap();
        assert!(matches!(
            read(Protocol::TransportWs, r#"{"type":"connection_init"}"#),
            ClientMessage::ConnectionInit(Value::Object(_))
        ));
        assert!(matches!(
            read(Protocol::TransportWs, r#"{"type":"ping","payload":null}"#),
            ClientMessage::Ping(None)
        ));
        let ClientMessage::Subscribe { id, request } = read(
            Protocol::TransportWs,
            r#"{"type":"subscribe","id":"a","payload":{"query":"{a}","variables":null,"operationName":null,"extensions":{}}}"#,
        ) else {
            panic!("a subscribe")
        };
        assert_eq!((id.as_str(), request.query.as_str()), ("a", "{a}"));
        assert!(matches!(
            read(
                Protocol::Legacy,
                r#"{"type":"start","id":"1","payload":{"query":"{a}","variables":{"x":1}}}"#
            ),
            ClientMessage::Subscribe { .. }
        ));
        assert!(matches!(
            read(Protocol::Legacy, r#"{"type":"stop","id":"1"}"#),
            ClientMessage::Complete { .. }
        ));
        assert!(matches!(
            read(Protocol::Legacy, r#"{"type":"connection_terminate"}"#),
            ClientMessage::Terminate
        ));
    }

    #[test]
    fn the_token_comes_from_authorization_or_token() {
        for (payload, want) in [
            (
                serde_json::json!({ "Authorization": "Bearer abc" }),
                Some("abc"),
            ),
            (serde_json::json!({ "authorization": "abc " }), Some("abc")),
            (serde_json::json!({ "token": "abc" }), Some("abc")),
            (serde_json::json!({}), None),
        ] {
            assert_eq!(init_token(&payload).as_deref(), want, "{payload}");
        }
    }
}
