//! The TLS side of accepting a client (Go's `createClientEx` from sending INFO to the end of the TLS
//! handshake, and `doTLSHandshake`): INFO goes out in the clear first, unless `handshake_first` asks for the
//! handshake before it (with an optional fallback delay for clients that do not start one); with
//! `allow_non_tls` the first bytes decide between TLS and plain text. The handshake must finish within the
//! TLS timeout. A failure is logged as Go logs it (`TLS handshake error: ...`, at debug level for
//! connections that never spoke TLS or timed out) and closes the connection as `TLS Handshake Failure`.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime};

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::TcpStream;
use tokio::time::Instant;
use tokio_rustls::server::TlsStream;

use super::{suites, x509, TlsConfig};
use crate::client::{ClientHandle, ClosedState};
use crate::info::Info;
use crate::options::Options;
use crate::protocol::errors::ServerErr;
use crate::server::ServerShared;

/// The client certificate a TLS connection presented.
#[derive(Debug, Clone)]
pub struct PeerCert {
    pub der: Vec<u8>,
    pub info: x509::CertInfo,
}

/// What a finished handshake agreed on, kept with the client.
#[derive(Debug, Clone)]
pub struct TlsState {
    /// `1.2` or `1.3`.
    pub version: &'static str,
    /// Go's name of the cipher suite.
    pub cipher: String,
    /// The first certificate the client presented.
    pub peer: Option<PeerCert>,
    /// The handshake came before INFO.
    pub first: bool,
}

/// A stream that first gives back bytes already read from it.
pub struct Prefixed<S> {
    pre: Vec<u8>,
    pos: usize,
    inner: S,
}

impl<S> Prefixed<S> {
    pub fn new(pre: Vec<u8>, inner: S) -> Self {
        Prefixed { pre, pos: 0, inner }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Prefixed<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if self.pos < self.pre.len() {
            let n = (self.pre.len() - self.pos).min(buf.remaining());
            let start = self.pos;
            buf.put_slice(&self.pre[start..start + n]);
            self.pos += n;
            if self.pos == self.pre.len() {
                self.pre = Vec::new();
                self.pos = 0;
            }
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Prefixed<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }
    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }
    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// A client's TLS stream.
pub type ClientTls = TlsStream<Prefixed<TcpStream>>;

/// How accepting a client on a TLS-enabled listener ended.
pub enum Established {
    /// The handshake is done; INFO was sent, or is queued in the outbox when the handshake came first.
    Tls(Box<ClientTls>),
    /// A plain client on an `allow_non_tls` listener, with the bytes it already sent.
    Plain(TcpStream, Vec<u8>),
    /// Refused before registration (connection limit): nothing to clean up but the socket.
    Refused,
    /// Registered, then closed for this reason.
    Closed(ClosedState),
}

/// Read until `n` bytes arrived, the peer closed, or `wait` passed (Go's `io.ReadFull` under a deadline).
async fn read_up_to(stream: &mut TcpStream, have: &mut Vec<u8>, n: usize, wait: Duration) {
    let end = Instant::now() + wait;
    while have.len() < n {
        let mut buf = [0u8; 16];
        let want = n - have.len();
        match tokio::time::timeout_at(end, stream.read(&mut buf[..want])).await {
            Ok(Ok(0)) | Ok(Err(_)) | Err(_) => return,
            Ok(Ok(k)) => have.extend_from_slice(&buf[..k]),
        }
    }
}

async fn write_now(stream: &mut TcpStream, bytes: &[u8], deadline: Duration) -> bool {
    let w = stream.write_all(bytes);
    if deadline.is_zero() {
        w.await.is_ok()
    } else {
        matches!(tokio::time::timeout(deadline, w).await, Ok(Ok(())))
    }
}

fn secs(s: f64) -> Duration {
    Duration::try_from_secs_f64(s.max(0.0)).unwrap_or(Duration::MAX)
}

/// Go's `createClientEx` for a listener with TLS: INFO (unless the handshake comes first), registration,
/// then the TLS decision and handshake.
pub async fn establish(
    server: &ServerShared,
    client: &Arc<ClientHandle>,
    info: &mut Info,
    mut stream: TcpStream,
    cfg: Arc<TlsConfig>,
    opts: &Options,
) -> Established {
    let label = client.label();
    let orig_required = info.tls_required;
    let first = opts.tls_handshake_first;
    if first {
        info.tls_required = true;
    }
    if !first && !write_now(&mut stream, &info.to_proto(), opts.write_deadline).await {
        // Go registers the client anyway and closes it as a write error.
        if server.register(client) {
            return Established::Closed(ClosedState::WriteError);
        }
        return Established::Refused;
    }
    if server.in_lame_duck() || server.is_shutting_down() {
        return Established::Closed(ClosedState::ServerShutdown);
    }
    if !server.register(client) {
        tracing::error!("{label} - maximum connections exceeded");
        let _ = write_now(
            &mut stream,
            &ServerErr::MaxConnectionsExceeded.wire(),
            opts.write_deadline,
        )
        .await;
        return Established::Refused;
    }
    // Registered: a shutdown or lame duck close must not wait for the handshake to time out.
    tokio::select! {
        r = decide_and_handshake(server, client, info, stream, cfg, opts, orig_required, first) => r,
        _ = client.closed_wake.notified() => {
            Established::Closed(client.close_reason().unwrap_or(ClosedState::ServerShutdown))
        }
    }
}

/// After registration: the handshake-first fallback, the TLS-or-plain decision, and the handshake.
#[allow(clippy::too_many_arguments)]
async fn decide_and_handshake(
    server: &ServerShared,
    client: &Arc<ClientHandle>,
    info: &mut Info,
    mut stream: TcpStream,
    cfg: Arc<TlsConfig>,
    opts: &Options,
    orig_required: bool,
    mut first: bool,
) -> Established {
    let label = client.label();
    let mut pre = Vec::new();
    if first && !opts.tls_handshake_first_fallback.is_zero() {
        // Only a client doing the handshake first sends anything before INFO.
        read_up_to(&mut stream, &mut pre, 4, opts.tls_handshake_first_fallback).await;
        if pre.is_empty() {
            info.tls_required = orig_required;
            if !write_now(&mut stream, &info.to_proto(), opts.write_deadline).await {
                return Established::Closed(ClosedState::WriteError);
            }
            first = false;
        }
    }
    let tls_required = if !first && opts.allow_non_tls {
        read_up_to(&mut stream, &mut pre, 6, secs(opts.tls_timeout)).await;
        pre.first() == Some(&0x16)
    } else {
        info.tls_required
    };
    if !tls_required {
        return Established::Plain(stream, pre);
    }
    if client.is_closed() {
        return Established::Closed(client.close_reason().unwrap_or(ClosedState::ClientClosed));
    }
    if server.tls_rate.as_ref().is_some_and(|r| !r.allow()) {
        let _ = write_now(
            &mut stream,
            &ServerErr::ConnectionThrottling.wire(),
            opts.write_deadline,
        )
        .await;
        return Established::Closed(ClosedState::MaxConnectionsExceeded);
    }
    tracing::debug!("{label} - Starting TLS client connection handshake");
    let timeout = secs(opts.tls_timeout);
    let deadline = Instant::now() + timeout;
    let (local, peer) = (stream.local_addr().ok(), client.peer);
    // Go is suspicious of a first record that is not a handshake: that is a plain-text client or a probe.
    read_up_to(&mut stream, &mut pre, 3, timeout).await;
    if let Some(why) = not_tls(&pre) {
        let timed_out = pre.len() < 3 && Instant::now() >= deadline;
        return fail(&label, probe_or_timeout(why, timed_out, local, peer));
    }
    let (server_cfg, recording) = cfg.for_connection();
    let acceptor = tokio_rustls::TlsAcceptor::from(server_cfg);
    let accepted =
        tokio::time::timeout_at(deadline, acceptor.accept(Prefixed::new(pre, stream))).await;
    let tls = match accepted {
        Err(_) => return fail(&label, probe_or_timeout("", true, local, peer)),
        Ok(Err(e)) => {
            let mut msg = go_error(&e);
            if is_verification_error(&e) {
                let presented = recording.map(|r| r.presented()).unwrap_or_default();
                msg.push_str(&unverified_detail(&presented));
            }
            return fail(&label, Failure::Error(msg));
        }
        Ok(Ok(tls)) => tls,
    };
    let conn = tls.get_ref().1;
    let peer_cert = conn
        .peer_certificates()
        .and_then(|c| c.first())
        .map(|c| PeerCert {
            der: c.as_ref().to_vec(),
            info: x509::parse(c.as_ref()).unwrap_or_default(),
        });
    if let Some(pinned) = &opts.tls_pinned_certs {
        let ok = match &peer_cert {
            None => {
                tracing::debug!(
                    "{label} - Failed pinned cert test as client did not provide a certificate"
                );
                false
            }
            Some(p) => {
                let key = hex(&sha256(&p.info.raw_spki));
                let ok = pinned.contains(&key);
                if !ok {
                    tracing::debug!("{label} - Failed pinned cert test for key id: {key}");
                }
                ok
            }
        };
        if !ok {
            return fail(&label, Failure::Error("certificate not pinned".into()));
        }
    }
    let version = match conn.protocol_version() {
        Some(rustls::ProtocolVersion::TLSv1_3) => "1.3",
        _ => "1.2",
    };
    let cipher = conn
        .negotiated_cipher_suite()
        .map(suites::go_name)
        .unwrap_or_default();
    tracing::debug!("{label} - TLS handshake complete");
    tracing::debug!("{label} - TLS version {version}, cipher suite {cipher}");
    let _ = client.tls.set(TlsState {
        version,
        cipher,
        peer: peer_cert,
        first,
    });
    if first {
        // The delayed INFO goes out over TLS, first in the outbox.
        client.out.queue(&info.to_proto());
    }
    Established::Tls(Box::new(tls))
}

/// Why a handshake failed, and how loudly Go logs it.
enum Failure {
    /// A peer that never spoke TLS, or took too long: debug level.
    Probe(String),
    Timeout(String),
    Error(String),
}

fn probe_or_timeout(
    why: &str,
    timed_out: bool,
    local: Option<SocketAddr>,
    peer: SocketAddr,
) -> Failure {
    if timed_out {
        let local = local.map(|a| a.to_string()).unwrap_or_default();
        Failure::Timeout(format!("read tcp {local}->{peer}: i/o timeout"))
    } else if why.is_empty() {
        Failure::Error("EOF".into())
    } else {
        Failure::Probe(why.to_string())
    }
}

fn fail(label: &str, f: Failure) -> Established {
    match f {
        Failure::Probe(e) => tracing::debug!("{label} - TLS handshake error: {e}"),
        Failure::Timeout(e) => {
            tracing::debug!("{label} - TLS handshake error: {e}");
            tracing::debug!("{label} - TLS handshake timeout");
        }
        Failure::Error(e) => tracing::error!("{label} - TLS handshake error: {e}"),
    }
    Established::Closed(ClosedState::TlsHandshakeError)
}

/// Go's first-record check: `Some(reason)` when the bytes cannot start a TLS handshake (an empty reason
/// when the peer sent nothing at all).
fn not_tls(pre: &[u8]) -> Option<&'static str> {
    let Some(&typ) = pre.first() else {
        return Some("");
    };
    let bad_version = pre.len() >= 3 && u16::from_be_bytes([pre[1], pre[2]]) >= 0x1000;
    if (typ != 0x16 && typ != 0x15) || bad_version {
        return Some("tls: first record does not look like a TLS handshake");
    }
    if pre.len() < 3 {
        return Some("");
    }
    None
}

/// Go's wording for the handshake errors a client can cause.
fn go_error(e: &io::Error) -> String {
    if e.kind() == io::ErrorKind::UnexpectedEof {
        return "EOF".into();
    }
    let Some(re) = e.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>()) else {
        return e.to_string();
    };
    use rustls::{CertificateError as C, Error as E};
    let verify = "tls: failed to verify certificate: x509:";
    match re {
        E::NoCertificatesPresented => "tls: client didn't provide a certificate".into(),
        E::InvalidCertificate(C::UnknownIssuer) => {
            format!("{verify} certificate signed by unknown authority")
        }
        E::InvalidCertificate(C::ExpiredContext { time, not_after }) => format!(
            "{verify} certificate has expired or is not yet valid: current time {} is after {}",
            rfc3339(time.as_secs()),
            rfc3339(not_after.as_secs())
        ),
        E::InvalidCertificate(C::NotValidYetContext { time, not_before }) => format!(
            "{verify} certificate has expired or is not yet valid: current time {} is before {}",
            rfc3339(time.as_secs()),
            rfc3339(not_before.as_secs())
        ),
        E::InvalidCertificate(C::Expired | C::NotValidYet) => {
            format!("{verify} certificate has expired or is not yet valid")
        }
        E::InvalidCertificate(C::InvalidPurpose | C::InvalidPurposeContext { .. }) => {
            format!("{verify} certificate specifies an incompatible key usage")
        }
        E::PeerIncompatible(rustls::PeerIncompatible::NoCipherSuitesInCommon) => {
            "tls: no cipher suite supported by both client and server".into()
        }
        E::PeerIncompatible(rustls::PeerIncompatible::NoKxGroupsInCommon) => {
            "tls: no ECDHE curve supported by both client and server".into()
        }
        E::PeerIncompatible(_) => "tls: client offered only unsupported versions".into(),
        E::General(m) if m.contains("no server certificate") => {
            "tls: no certificates configured".into()
        }
        other => format!("tls: {other}"),
    }
}

/// A certificate that was presented but did not verify (Go's `CertificateVerificationError`).
fn is_verification_error(e: &io::Error) -> bool {
    e.get_ref()
        .and_then(|i| i.downcast_ref::<rustls::Error>())
        .is_some_and(|re| matches!(re, rustls::Error::InvalidCertificate(_)))
}

/// Go's detail of a refused chain: ` (<subject> SHA-256: <hex>; ...)`.
fn unverified_detail(presented: &[Vec<u8>]) -> String {
    let subjects: Vec<String> = presented
        .iter()
        .map(|der| {
            let subject = x509::parse(der)
                .map(|c| super::dn::name_string(&c.subject))
                .unwrap_or_default();
            format!("{subject} SHA-256: {}", hex(&sha256(der)))
        })
        .collect();
    if subjects.is_empty() {
        String::new()
    } else {
        format!(" ({})", subjects.join("; "))
    }
}

fn rfc3339(unix: u64) -> String {
    let t = SystemTime::UNIX_EPOCH + Duration::from_secs(unix);
    time::OffsetDateTime::from(t)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

fn sha256(b: &[u8]) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(b).into()
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_record_check_follows_go() {
        assert_eq!(
            not_tls(b"CON"),
            Some("tls: first record does not look like a TLS handshake")
        );
        assert_eq!(
            not_tls(&[0x16, 0x20, 0x00]),
            Some("tls: first record does not look like a TLS handshake")
        );
        assert_eq!(not_tls(&[0x16, 0x03, 0x01]), None);
        assert_eq!(not_tls(&[0x16]), Some(""));
        assert_eq!(not_tls(&[]), Some(""));
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
    }

    #[tokio::test]
    async fn prefixed_stream_replays_then_reads_on() {
        let (mut a, b) = tokio::io::duplex(64);
        a.write_all(b"world").await.unwrap();
        drop(a);
        let mut p = Prefixed::new(b"hello ".to_vec(), b);
        let mut out = String::new();
        p.read_to_string(&mut out).await.unwrap();
        assert_eq!(out, "hello world");
    }
}
