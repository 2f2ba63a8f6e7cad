//! Every `-ERR` the server sends, with its exact Go text, and what happens to the connection after it.
//! Texts match the Go server's `client.go`/`errors.go`; the action matches what Go does next.

use std::fmt;

/// What the connection does after an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrAction {
    /// Send `-ERR '<text>'` and close.
    SendAndClose,
    /// Send `-ERR '<text>'` and keep serving.
    SendAndStay,
    /// Close without sending anything (bad arguments, bad CONNECT JSON...).
    CloseSilently,
}

/// A protocol error found while parsing client input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProtoError {
    /// Unknown op, or an op a client may not send. `snippet` is for the log.
    UnknownOp { snippet: String },
    /// The control line is longer than `max_control_line`.
    MaxControlLine { len: usize, max: usize },
    /// A PUB/HPUB size is above `max_payload`.
    MaxPayload { size: usize, max: i64 },
    /// Malformed arguments (wrong count, bad size, missing sid, payload not followed by CRLF...).
    /// Go closes the connection without an `-ERR`; `reason` is what it logs.
    BadArgs { reason: String },
    /// HPUB from a client that did not send `headers:true`.
    HeadersNotSupported,
}

impl ProtoError {
    /// The text sent inside `-ERR '...'`, if any.
    pub fn wire_text(&self) -> Option<&'static str> {
        match self {
            ProtoError::UnknownOp { .. } => Some("Unknown Protocol Operation"),
            ProtoError::MaxControlLine { .. } => Some("maximum control line exceeded"),
            ProtoError::MaxPayload { .. } => Some("Maximum Payload Violation"),
            ProtoError::BadArgs { .. } | ProtoError::HeadersNotSupported => None,
        }
    }

    pub fn action(&self) -> ErrAction {
        match self.wire_text() {
            Some(_) => ErrAction::SendAndClose,
            None => ErrAction::CloseSilently,
        }
    }
}

impl fmt::Display for ProtoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProtoError::UnknownOp { snippet } => {
                write!(f, "Client parser ERROR, proto='{snippet}...'")
            }
            ProtoError::MaxControlLine { len, max } => {
                write!(f, "maximum control line exceeded (max {max}, got {len})")
            }
            ProtoError::MaxPayload { size, max } => {
                // Go's maxPayloadViolation logs ErrMaxPayload's text; the client gets the -ERR text.
                write!(f, "maximum payload exceeded: {size} vs {max}")
            }
            ProtoError::BadArgs { reason } => f.write_str(reason),
            ProtoError::HeadersNotSupported => f.write_str("message headers not supported"),
        }
    }
}

impl std::error::Error for ProtoError {}

/// Errors the server raises outside the parser, with Go's exact texts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerErr {
    AuthorizationViolation,
    AuthenticationTimeout,
    StaleConnection,
    MaxConnectionsExceeded,
    MaxAccountConnectionsExceeded,
    MaxSubscriptionsExceeded,
    InvalidSubject,
    InvalidPublishSubject,
    InvalidClientProtocol,
    NoRespondersRequiresHeaders,
    SecureConnectionTlsRequired,
    /// `connection_rate_limit` reached.
    ConnectionThrottling,
    /// `Permissions Violation for Publish to "<subj>"` and friends: the full text.
    PermissionsViolation(String),
}

impl ServerErr {
    pub fn text(&self) -> &str {
        match self {
            ServerErr::AuthorizationViolation => "Authorization Violation",
            ServerErr::AuthenticationTimeout => "Authentication Timeout",
            ServerErr::StaleConnection => "Stale Connection",
            ServerErr::MaxConnectionsExceeded => "maximum connections exceeded",
            ServerErr::MaxAccountConnectionsExceeded => {
                "maximum account active connections exceeded"
            }
            ServerErr::MaxSubscriptionsExceeded => "maximum subscriptions exceeded",
            ServerErr::InvalidSubject => "Invalid Subject",
            ServerErr::InvalidPublishSubject => "Invalid Publish Subject",
            ServerErr::InvalidClientProtocol => "invalid client protocol",
            ServerErr::NoRespondersRequiresHeaders => "no responders requires headers support",
            ServerErr::SecureConnectionTlsRequired => "Secure Connection - TLS Required",
            ServerErr::ConnectionThrottling => {
                "Connection throttling is active. Please try again later."
            }
            ServerErr::PermissionsViolation(t) => t,
        }
    }

    pub fn action(&self) -> ErrAction {
        match self {
            ServerErr::MaxSubscriptionsExceeded
            | ServerErr::InvalidSubject
            | ServerErr::InvalidPublishSubject
            | ServerErr::PermissionsViolation(_) => ErrAction::SendAndStay,
            _ => ErrAction::SendAndClose,
        }
    }

    /// The bytes on the wire: `-ERR '<text>'\r\n`.
    pub fn wire(&self) -> Vec<u8> {
        err_line(self.text())
    }
}

/// `-ERR '<text>'\r\n`.
pub fn err_line(text: &str) -> Vec<u8> {
    let mut v = Vec::with_capacity(text.len() + 9);
    v.extend_from_slice(b"-ERR '");
    v.extend_from_slice(text.as_bytes());
    v.extend_from_slice(b"'\r\n");
    v
}
