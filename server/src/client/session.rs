//! One client connection's session task: handshake (INFO, registration), the read loop that parses and
//! dispatches ops, keepalive and auth timers, and cleanup. The publisher's own task does the delivery
//! (Go's producer-pushes design: readLoop → processInboundClientMsg → deliverMsg → flushClients).

use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use bytes::{Buf, BytesMut};
use rustc_hash::FxHashMap;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite};
use tokio::net::TcpStream;
use tokio::time::Instant;

use super::delivery::{Fanout, Message};
use super::{trace, ClientHandle, ClosedState, SubRef, Subscription};
use crate::accounts::{Account, PubCtx};
use crate::auth::{ClientPerms, Identity};
use crate::conn::writer::{run_writer, WriterEnd};
use crate::conn::Queued;
use crate::consts::FIRST_PING_INTERVAL;
use crate::gofmt::go_quote;
use crate::protocol::errors::{err_line, ServerErr};
use crate::protocol::{ClientOp, ClientParser, ConnectInfo, ErrAction, ProtoError};
use crate::server::ServerShared;
use crate::sublist::{is_valid_literal_subject, SublistResult};

/// Read buffer bounds (Go's readLoop: starts small, grows to 64 KiB when reads fill it).
const START_READ_BUF: usize = 512;
const MAX_READ_BUF: usize = 64 * 1024;
/// Per-connection match cache bound (Go's maxResultCacheSize).
const MAX_RESULT_CACHE: usize = 512;
/// How long a publisher may be stalled by slow subscribers per read batch (Go's stallTotalAllowed).
const STALL_TOTAL: Duration = Duration::from_millis(10);
const STALL_MIN: Duration = Duration::from_millis(2);

/// Queue group name reserved for the server's own services (Go's sysGroup).
const SYS_GROUP: &[u8] = b"_sys_";

const PONG: &[u8] = b"PONG\r\n";
const PING: &[u8] = b"PING\r\n";
const OK: &[u8] = b"+OK\r\n";

/// What the read loop does after an op.
enum Next {
    Continue,
    Close(ClosedState),
}

struct Session {
    server: Arc<ServerShared>,
    client: Arc<ClientHandle>,
    /// The account this connection is bound to (mirrors the client handle's, without its lock).
    account: Arc<Account>,
    parser: ClientParser,
    connect: ConnectInfo,
    connect_received: bool,
    first_pong_sent: bool,
    pings_out: i32,
    last_in: Instant,
    rtt_start: Option<Instant>,
    rtt: Option<Duration>,
    /// Match results by subject, valid while the subject index generation is unchanged (Go's `c.in.results`).
    cache: FxHashMap<Box<[u8]>, Arc<SublistResult<SubRef>>>,
    cache_genid: u64,
    in_msgs: u64,
    in_bytes: u64,
    /// Something arrived in this batch that counts as activity for the ping timer.
    activity: bool,
    /// Authentication is required and CONNECT has not arrived: the auth timer runs and the first op must
    /// be CONNECT (Go's expectConnect without connectReceived).
    awaiting_auth: bool,
    /// This connection's permissions, as last read from the client handle (generation `perms_gen`).
    perms: Option<Arc<ClientPerms>>,
    perms_gen: u64,
    /// A JWT user's own subscription limit (Go's user `subs` claim).
    user_max_subs: Option<i64>,
}

/// Run one accepted client connection to its end.
pub async fn run(server: Arc<ServerShared>, stream: TcpStream, peer: SocketAddr) {
    let opts = server.opts();
    let cid = server.next_cid();
    let account = server.accounts.global();
    account.add_client();
    let client = Arc::new(ClientHandle::new(
        cid,
        peer,
        opts.max_pending,
        account.clone(),
    ));
    client
        .max_payload
        .store(opts.max_payload as i64, Ordering::Relaxed);
    client
        .max_control_line
        .store(opts.max_control_line.max(1) as i64, Ordering::Relaxed);
    tracing::debug!("{} - Client connection created", client.label());

    // INFO goes out first, then the connection limit is checked, as in Go's createClient.
    let mut info = server.info_template();
    info.cid = cid;
    info.client_ip = peer.ip().to_string();
    // Go's createClient: a nonce when nkey users exist; auth_required shown as false with a no_auth_user,
    // though CONNECT is still expected first.
    let auth = server.auth();
    if auth.nonce_required() {
        info.nonce = crate::auth::generate_nonce();
        if let Ok(mut n) = client.nonce.lock() {
            n.clone_from(&info.nonce);
        }
    }
    info.auth_required = auth.info_auth_required();
    client
        .awaiting_connect
        .store(auth.required, Ordering::Release);
    if let Some(tls) = opts.tls_config.clone() {
        use crate::tls::handshake::{establish, Established};
        match establish(&server, &client, &mut info, stream, tls, &opts).await {
            Established::Tls(tls) => {
                let (rd, wr) = tokio::io::split(*tls);
                let writer = tokio::spawn(writer_task(server.clone(), client.clone(), wr));
                serve(server, client, rd, writer, auth.required).await;
            }
            Established::Plain(stream, pre) => {
                // The bytes read while telling TLS from plain text are parsed first.
                let (rd, wr) = stream.into_split();
                let rd = crate::tls::handshake::Prefixed::new(pre, rd);
                let writer = tokio::spawn(writer_task(server.clone(), client.clone(), wr));
                serve(server, client, rd, writer, auth.required).await;
            }
            Established::Refused => {}
            Established::Closed(reason) => {
                client.close(reason, false);
                finish(&server, &client, reason, &ConnectInfo::default());
            }
        }
        return;
    }
    let (rd, wr) = stream.into_split();
    if client.out.queue(&info.to_proto()) == Queued::SlowConsumer {
        // A max_pending smaller than the INFO itself: Go's queueOutbound closes the client as a slow consumer.
        if client.close(ClosedState::SlowConsumerPendingBytes, false) {
            server.stats.slow_consumers.fetch_add(1, Ordering::Relaxed);
            tracing::info!(
                "{} - Slow Consumer Detected: MaxPending of {} Exceeded",
                client.label(),
                client.out.max_pending()
            );
        }
    }
    let writer = tokio::spawn(writer_task(server.clone(), client.clone(), wr));

    if server.in_lame_duck() || server.is_shutting_down() {
        client.close(ClosedState::ServerShutdown, true);
    } else if !server.register(&client) {
        tracing::error!("{} - maximum connections exceeded", client.label());
        send_err(&client, &ServerErr::MaxConnectionsExceeded);
        client.close(ClosedState::MaxConnectionsExceeded, true);
        let _ = writer.await;
        return;
    }
    serve(server, client, rd, writer, auth.required).await;
}

/// Drive a registered connection to its end: the read loop, then the writer's end, then cleanup.
async fn serve<R: AsyncRead + Unpin>(
    server: Arc<ServerShared>,
    client: Arc<ClientHandle>,
    mut rd: R,
    writer: tokio::task::JoinHandle<WriterEnd>,
    auth_required: bool,
) {
    let opts = server.opts();
    let mut s = Session {
        parser: ClientParser::new(
            opts.max_control_line.max(1) as usize,
            opts.max_payload as i64,
        ),
        connect: ConnectInfo::default(),
        connect_received: false,
        first_pong_sent: false,
        pings_out: 0,
        last_in: Instant::now(),
        rtt_start: None,
        rtt: None,
        cache: FxHashMap::default(),
        cache_genid: 0,
        in_msgs: 0,
        in_bytes: 0,
        activity: false,
        awaiting_auth: auth_required,
        perms: None,
        perms_gen: 0,
        user_max_subs: None,
        server: server.clone(),
        account: client.account().unwrap_or_else(|| server.accounts.global()),
        client: client.clone(),
    };
    let reason = s.read_loop(&mut rd).await;
    client.close(reason, true);
    let end = writer.await.unwrap_or(WriterEnd::Error);
    let reason = match (client.close_reason(), end) {
        (Some(r), _) => r,
        (None, WriterEnd::Deadline) => ClosedState::SlowConsumerWriteDeadline,
        (None, _) => reason,
    };
    finish(&server, &client, reason, &s.connect);
}

/// Unregister a closed connection and keep it for /connz?state=closed.
fn finish(
    server: &ServerShared,
    client: &Arc<ClientHandle>,
    reason: ClosedState,
    connect: &ConnectInfo,
) {
    let cid = client.cid;
    let mut closed = crate::monitor::connz::conn_info(client, std::time::SystemTime::now());
    closed.subs_detail = crate::monitor::connz::sub_details(client);
    let stop = std::time::SystemTime::now();
    closed.stop = Some(crate::monitor::timefmt::rfc3339_nano(stop));
    closed.stop_t = Some(stop);
    closed.reason = reason.to_string();
    client.remove_all_subs();
    if let Some(acc) = client.account() {
        acc.remove_client();
    }
    server.unregister(cid);
    crate::sys::events::client_closed(server, client, reason, connect);
    if cid > 0 {
        server.save_closed(closed);
    }
    tracing::debug!("{} - Client connection closed: {}", client.label(), reason);
}

/// Run the writer; a write past write_deadline makes the client a slow consumer (Go's handleWriteTimeout).
async fn writer_task<W: AsyncWrite + Unpin + Send + 'static>(
    server: Arc<ServerShared>,
    client: Arc<ClientHandle>,
    wr: W,
) -> WriterEnd {
    let deadline = server.opts().write_deadline;
    let end = run_writer(client.out.clone(), wr, deadline).await;
    match end {
        WriterEnd::Deadline => {
            let expecting_connect = client.awaiting_connect.load(Ordering::Acquire);
            if client.close(ClosedState::SlowConsumerWriteDeadline, false) && !expecting_connect {
                server.stats.slow_consumers.fetch_add(1, Ordering::Relaxed);
                if let Some(acc) = client.account() {
                    acc.stats.slow_consumers.fetch_add(1, Ordering::Relaxed);
                }
                tracing::info!(
                    "{} - Slow Consumer Detected: WriteDeadline of {} exceeded with {} chunks of {} total bytes.",
                    client.label(),
                    crate::gofmt::go_duration(deadline),
                    1,
                    client.out.pending()
                );
            }
        }
        WriterEnd::Error => {
            client.close(ClosedState::WriteError, false);
        }
        WriterEnd::Closed => {}
    }
    end
}

/// Trace the server's own protocol replies as Go does: `->> [PONG]`, `->> [OK]`, `->> [-ERR <text>]`.
fn trace_out(client: &ClientHandle, bytes: &[u8]) {
    let label = client.label();
    if bytes == PONG {
        trace::op(&label, false, "PONG", &[]);
    } else if bytes == PING {
        trace::op(&label, false, "PING", &[]);
    } else if bytes == OK {
        trace::op(&label, false, "OK", &[]);
    } else if let Some(text) = bytes
        .strip_prefix(b"-ERR '")
        .and_then(|t| t.strip_suffix(b"'\r\n"))
    {
        trace::op(&label, false, "-ERR", &[text]);
    }
}

fn send_err(client: &ClientHandle, e: &ServerErr) {
    if crate::logging::trace_enabled() {
        trace_out(client, &e.wire());
    }
    if client.out.queue(&e.wire()) != Queued::Closed {
        client.out.wake();
    }
}

impl Session {
    async fn read_loop<R: AsyncRead + Unpin>(&mut self, rd: &mut R) -> ClosedState {
        let mut rbuf = BytesMut::with_capacity(START_READ_BUF);
        let mut read_size = START_READ_BUF;
        let mut short_reads = 0u32;
        let server = self.server.clone();
        let seed = self.client.cid.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ rand::random::<u64>();
        let mut fan = Fanout::new(&server.stats, seed);
        // Before CONNECT the ping timer runs at ping_interval; CONNECT re-arms it with the short first ping.
        let ping = tokio::time::sleep(self.server.opts().ping_interval);
        tokio::pin!(ping);
        let auth_timer = tokio::time::sleep(self.server.opts().auth_timeout);
        tokio::pin!(auth_timer);
        loop {
            // Room for a full read of the current size, and for the rest of a pending large payload.
            let want = self
                .parser
                .needed_len()
                .map_or(0, |n| n.saturating_sub(rbuf.len()));
            rbuf.reserve(read_size.max(want));
            let room = rbuf.capacity() - rbuf.len();
            let n = tokio::select! {
                biased;
                _ = self.client.closed_wake.notified() => {
                    return self.client.close_reason().unwrap_or(ClosedState::ServerShutdown);
                }
                _ = &mut auth_timer, if self.awaiting_auth => {
                    // Go's authTimeout: the error, a debug line, and close.
                    send_err(&self.client, &ServerErr::AuthenticationTimeout);
                    tracing::debug!("{} - Authentication Timeout", self.client.label());
                    return ClosedState::AuthenticationTimeout;
                }
                _ = &mut ping => {
                    if let Some(reason) = self.ping_timer() {
                        return reason;
                    }
                    ping.as_mut().reset(Instant::now() + self.server.opts().ping_interval);
                    continue;
                }
                r = rd.read_buf(&mut rbuf) => match r {
                    Ok(0) => return ClosedState::ClientClosed,
                    Ok(n) => n,
                    Err(_) => return ClosedState::ReadError,
                },
            };
            // Go's readLoop sizing: double when a read fills the buffer, shrink after repeated short reads.
            if n >= room {
                read_size = (read_size * 2).min(MAX_READ_BUF);
                short_reads = 0;
            } else if n < read_size / 2 && read_size > START_READ_BUF {
                short_reads += 1;
                if short_reads > 2 {
                    read_size /= 2;
                    short_reads = 0;
                }
            }
            // A configuration reload may have changed the max payload or control line.
            let max_payload = self.client.max_payload.load(Ordering::Relaxed);
            if max_payload != self.parser.max_payload() {
                self.parser.set_max_payload(max_payload);
            }
            let mcl = self.client.max_control_line.load(Ordering::Relaxed).max(1) as usize;
            if mcl != self.parser.max_control_line() {
                self.parser.set_max_control_line(mcl);
            }
            let mut pos = 0;
            let result = loop {
                // Before CONNECT, with auth required, Go refuses the first byte of any other op.
                if self.awaiting_auth {
                    if let Some(b) = rbuf.get(pos) {
                        if *b != b'C' && *b != b'c' && !self.no_auth_user_login() {
                            break Some(self.auth_violation());
                        }
                    }
                }
                match self.parser.parse(&rbuf[pos..]) {
                    Ok(Some((op, used))) => {
                        pos += used;
                        match self.dispatch(op, &mut fan, &mut ping) {
                            Next::Continue => {}
                            Next::Close(r) => break Some(r),
                        }
                    }
                    Ok(None) => break None,
                    Err(e) => break Some(self.protocol_error(e)),
                }
            };
            rbuf.advance(pos);
            fan.finish_batch();
            self.flush_in_stats();
            if let Some(reason) = result {
                return reason;
            }
            if self.activity {
                self.activity = false;
                self.last_in = Instant::now();
                self.client.touch();
            }
            if let Some(out) = fan.stalled.take() {
                // Fast producer stall: give slow subscribers a moment to drain before reading more.
                let wait = if out.pending() >= out.max_pending() {
                    STALL_TOTAL
                } else {
                    STALL_MIN
                };
                let _ = tokio::time::timeout(wait, out.wait_drained()).await;
            }
        }
    }

    fn flush_in_stats(&mut self) {
        if self.in_msgs > 0 {
            let (m, b) = (
                std::mem::take(&mut self.in_msgs),
                std::mem::take(&mut self.in_bytes),
            );
            self.client.stats.in_msgs.fetch_add(m, Ordering::Relaxed);
            self.client.stats.in_bytes.fetch_add(b, Ordering::Relaxed);
            self.server.stats.in_msgs.fetch_add(m, Ordering::Relaxed);
            self.server.stats.in_bytes.fetch_add(b, Ordering::Relaxed);
            // Go's readLoop adds the batch to the client's account too.
            self.account.stats.in_msgs.fetch_add(m, Ordering::Relaxed);
            self.account.stats.in_bytes.fetch_add(b, Ordering::Relaxed);
        }
    }

    /// Queue protocol bytes to this client.
    fn send(&self, fan: &mut Fanout<'_>, bytes: &[u8]) {
        if crate::logging::trace_enabled() {
            trace_out(&self.client, bytes);
        }
        if let Queued::Ok { wake: true, .. } = self.client.out.queue(bytes) {
            fan.touched.push(self.client.clone());
        }
    }

    fn send_err(&self, fan: &mut Fanout<'_>, e: &ServerErr) {
        self.send(fan, &e.wire());
    }

    fn protocol_error(&mut self, e: ProtoError) -> ClosedState {
        let label = self.client.label();
        let reason = match &e {
            ProtoError::MaxPayload { .. } => ClosedState::MaxPayloadExceeded,
            ProtoError::MaxControlLine { .. } => ClosedState::MaxControlLineExceeded,
            _ => ClosedState::ProtocolViolation,
        };
        tracing::error!("{label} - {e}");
        if let (ErrAction::SendAndClose, Some(text)) = (e.action(), e.wire_text()) {
            self.client.out.queue(&err_line(text));
        }
        reason
    }

    fn dispatch(
        &mut self,
        op: ClientOp<'_>,
        fan: &mut Fanout<'_>,
        ping: &mut std::pin::Pin<&mut tokio::time::Sleep>,
    ) -> Next {
        if crate::logging::trace_enabled() {
            self.trace_in(&op);
        }
        match op {
            ClientOp::Pub {
                subject,
                reply,
                payload,
            } => {
                self.publish(fan, subject, reply, 0, payload);
                Next::Continue
            }
            ClientOp::HPub {
                subject,
                reply,
                header_len,
                msg,
            } => {
                self.publish(fan, subject, reply, header_len, msg);
                Next::Continue
            }
            ClientOp::Sub {
                subject,
                queue,
                sid,
            } => {
                self.activity = true;
                self.subscribe(fan, subject, queue, sid);
                Next::Continue
            }
            ClientOp::Unsub { sid, max } => {
                self.activity = true;
                self.unsubscribe(fan, sid, max);
                Next::Continue
            }
            ClientOp::Ping => {
                self.send(fan, PONG);
                self.last_in = Instant::now();
                if self.connect_received && !self.first_pong_sent {
                    self.first_pong_sent = true;
                    if self.connect.protocol >= 1 {
                        let mut info = self.server.info_template();
                        info.cid = self.client.cid;
                        info.client_ip = self.client.peer.ip().to_string();
                        info.remote_account = self.account.name.clone();
                        info.connect_info = true;
                        self.send(fan, &info.to_proto());
                        self.client.async_info.store(true, Ordering::Release);
                    }
                }
                Next::Continue
            }
            ClientOp::Pong => {
                self.pings_out = 0;
                if let Some(start) = self.rtt_start.take() {
                    let rtt = start.elapsed();
                    self.rtt = Some(rtt);
                    if let Ok(mut m) = self.client.meta.lock() {
                        m.rtt = Some(rtt);
                    }
                }
                Next::Continue
            }
            ClientOp::Connect(json) => self.process_connect(fan, json, ping),
            ClientOp::Ok => Next::Continue,
            ClientOp::Info(json) => match crate::protocol::info_check::check_client_info(json) {
                Ok(()) => Next::Continue,
                Err(e) => {
                    tracing::error!("{} - {}", self.client.label(), e);
                    Next::Close(ClosedState::ProtocolViolation)
                }
            },
            ClientOp::Err(text) => {
                tracing::error!(
                    "{} - Client Error {}",
                    self.client.label(),
                    String::from_utf8_lossy(text)
                );
                Next::Close(ClosedState::ParseError)
            }
        }
    }

    fn trace_in(&self, op: &ClientOp<'_>) {
        let label = self.client.label();
        let max = self.server.opts().max_traced_msg_len;
        let size = |n: usize| n.to_string().into_bytes();
        match op {
            ClientOp::Pub {
                subject,
                reply,
                payload,
            } => {
                let n = size(payload.len());
                let mut args = vec![*subject];
                args.extend(reply.iter().copied());
                args.push(&n);
                trace::op(&label, true, "PUB", &args);
                trace::payload(&label, true, payload, max);
            }
            ClientOp::HPub {
                subject,
                reply,
                header_len,
                msg,
            } => {
                let (h, t) = (size(*header_len), size(msg.len()));
                let mut args = vec![*subject];
                args.extend(reply.iter().copied());
                args.push(&h);
                args.push(&t);
                trace::op(&label, true, "HPUB", &args);
                trace::payload(&label, true, msg, max);
            }
            ClientOp::Sub {
                subject,
                queue,
                sid,
            } => {
                let mut args = vec![*subject];
                args.extend(queue.iter().copied());
                args.push(sid);
                trace::op(&label, true, "SUB", &args);
            }
            ClientOp::Unsub { sid, max } => {
                let m = max.map(|m| m.to_string().into_bytes());
                let mut args = vec![*sid];
                args.extend(m.as_deref());
                trace::op(&label, true, "UNSUB", &args);
            }
            ClientOp::Connect(json) => trace::op(&label, true, "CONNECT", &[json]),
            ClientOp::Ping => trace::op(&label, true, "PING", &[]),
            ClientOp::Pong => trace::op(&label, true, "PONG", &[]),
            ClientOp::Info(json) => trace::op(&label, true, "INFO", &[json]),
            ClientOp::Ok => trace::op(&label, true, "OK", &[]),
            ClientOp::Err(text) => trace::op(&label, true, "-ERR", &[text]),
        }
    }

    fn process_connect(
        &mut self,
        fan: &mut Fanout<'_>,
        json: &[u8],
        ping: &mut std::pin::Pin<&mut tokio::time::Sleep>,
    ) -> Next {
        let mut ci = match ConnectInfo::parse(json) {
            Ok(ci) => ci,
            Err(e) => {
                tracing::error!("{} - {}", self.client.label(), e);
                return Next::Close(ClosedState::ProtocolViolation);
            }
        };
        let first = !self.connect_received;
        self.connect_received = true;
        // Go's processConnect stops the auth timer before anything else.
        self.awaiting_auth = false;
        self.client.awaiting_connect.store(false, Ordering::Release);
        self.client.touch();
        if let Ok(mut m) = self.client.meta.lock() {
            m.name = ci.name.clone();
            m.lang = ci.lang.clone();
            m.version = ci.version.clone();
            // Go's processConnect: the first RTT estimate is the time from accept to CONNECT.
            if m.rtt.is_none() {
                m.rtt = self.client.start.elapsed().ok();
            }
        }
        // CONNECT re-arms the ping timer with the short first ping (plus up to 20% jitter) to measure RTT early.
        let mut d = self.server.opts().ping_interval.min(FIRST_PING_INTERVAL);
        let jitter = d.as_nanos() as u64 / 5;
        if jitter > 0 {
            d += Duration::from_nanos(rand::random::<u64>() % jitter);
        }
        ping.as_mut().reset(Instant::now() + d);

        let headers = !self.server.opts().no_header_support && ci.headers;
        self.client.headers.store(headers, Ordering::Relaxed);
        self.parser.set_headers(headers);
        if !self.login(&mut ci) {
            self.connect = ci;
            return Next::Close(self.auth_violation());
        }
        // Without operator mode an account in CONNECT is an authorization failure.
        if ci.new_account || !ci.account.is_empty() {
            self.connect = ci;
            return Next::Close(self.auth_violation());
        }
        if first {
            if let Some(label) = client_label(&self.client, &ci) {
                if let Ok(mut l) = self.client.label.lock() {
                    *l = label;
                }
            }
        }
        if !(0..=1).contains(&ci.protocol) {
            self.connect = ci;
            self.send_err(fan, &ServerErr::InvalidClientProtocol);
            return Next::Close(ClosedState::BadClientProtocolVersion);
        }
        if ci.no_responders && !headers {
            self.connect = ci;
            self.send_err(fan, &ServerErr::NoRespondersRequiresHeaders);
            return Next::Close(ClosedState::NoRespondersRequiresHeaders);
        }
        if ci.verbose {
            self.send(fan, OK);
        }
        self.connect = ci;
        Next::Continue
    }

    /// Authenticate `ci` and take on its identity's permissions. False when the login fails.
    fn login(&mut self, ci: &mut ConnectInfo) -> bool {
        let auth = self.server.auth();
        let nonce = self
            .client
            .nonce
            .lock()
            .map(|n| n.clone())
            .unwrap_or_default();
        let label = self.client.label();
        let cert = self.client.tls.get().and_then(|t| t.peer.as_ref());
        let cert = cert.map(|p| &p.info);
        if let Some(op) = auth.operator.clone() {
            return self.login_jwt(&op, ci, nonce.as_bytes(), &label);
        }
        match crate::auth::authenticate_with_cert(&auth, ci, nonce.as_bytes(), &label, cert) {
            Ok(id) => {
                if let Identity::User { account, .. } = &id {
                    if !self.bind_account(account) {
                        return false;
                    }
                }
                apply_identity(&self.client, id);
                if let Ok(mut a) = self.client.auth.lock() {
                    *a = Some(ci.clone());
                }
                crate::sys::events::client_connected(&self.server, &self.client);
                true
            }
            Err(_) => {
                crate::sys::events::account_auth_error(&self.server, &self.client, ci);
                false
            }
        }
    }

    /// Operator mode login: the user JWT names the account, its claims the permissions, limits and
    /// expiry (Go's JWT branch of `processClientOrLeafAuthentication`).
    fn login_jwt(
        &mut self,
        op: &crate::auth::operator::OperatorAuth,
        ci: &mut ConnectInfo,
        nonce: &[u8],
        label: &str,
    ) -> bool {
        let host = Some(self.client.peer.ip());
        match crate::auth::operator::authenticate(&self.server, op, ci, nonce, host, label) {
            Ok(login) => {
                if !self.bind_to(login.account.clone()) {
                    return false;
                }
                if let Some(p) = login.max_payload {
                    let cur = self.client.max_payload.load(Ordering::Relaxed);
                    self.client.max_payload.store(cur.min(p), Ordering::Relaxed);
                }
                self.user_max_subs = Some(login.max_subs);
                // Go's applyAccountLimits: a JWT user already at its subscription limit (0) is told
                // and closed.
                if self.jwt_sub_limit() == Some(0) {
                    tracing::error!("{} - maximum subscriptions exceeded", self.client.label());
                    send_err(&self.client, &ServerErr::MaxSubscriptionsExceeded);
                    self.client
                        .close(ClosedState::MaxSubscriptionsExceeded, true);
                }
                apply_identity(
                    &self.client,
                    Identity::User {
                        perms: login.perms,
                        account: login.account.name.clone(),
                    },
                );
                if let Ok(mut a) = self.client.auth.lock() {
                    *a = Some(ci.clone());
                }
                if let Some(d) = login.expires_in {
                    expire_after(self.client.clone(), d);
                }
                crate::sys::events::client_connected(&self.server, &self.client);
                true
            }
            Err(_) => {
                crate::sys::events::account_auth_error(&self.server, &self.client, ci);
                false
            }
        }
    }

    /// Go's `applyAccountLimits` for a JWT user: the smallest of the user's, the account's and the
    /// server's subscription limits, where -1 (and the server's 0) mean none. None for other logins.
    fn jwt_sub_limit(&self) -> Option<i64> {
        let user = self.user_max_subs?;
        let min = |v: i64, limit: i64| match (v, limit) {
            (_, crate::accounts::NO_LIMIT_I64) => v,
            (crate::accounts::NO_LIMIT_I64, l) => l,
            (v, l) => v.min(l),
        };
        let acc = self.account.limits().max_subscriptions as i64;
        let server = match self.server.opts().max_subs as i64 {
            0 => crate::accounts::NO_LIMIT_I64,
            s => s,
        };
        Some(min(min(user, acc), server))
    }

    /// Go's `registerWithAccount` at login: move to the user's account and take on its limits. False
    /// when the account is full (the client was told and is being closed).
    fn bind_account(&mut self, name: &str) -> bool {
        let name = if name.is_empty() {
            crate::consts::GLOBAL_ACCOUNT
        } else {
            name
        };
        let Some(acc) = self.server.accounts.get(name) else {
            tracing::error!(
                "{} - Problem registering with account {:?}: account missing",
                self.client.label(),
                name
            );
            return false;
        };
        self.bind_to(acc)
    }

    fn bind_to(&mut self, acc: Arc<Account>) -> bool {
        if !Arc::ptr_eq(&acc, &self.account) {
            if !acc.add_client() {
                // Go's maxAccountConnExceeded: the client is told and closed; it stays counted where it was.
                tracing::error!(
                    "{} - {}",
                    self.client.label(),
                    ServerErr::MaxAccountConnectionsExceeded.text()
                );
                send_err(&self.client, &ServerErr::MaxAccountConnectionsExceeded);
                self.client
                    .close(ClosedState::MaxAccountConnectionsExceeded, true);
                return true;
            }
            self.account.remove_client();
            self.client.set_account(acc.clone());
            self.account = acc;
            self.cache.clear();
        }
        // Go's applyAccountLimits: the smaller of the account's and the server's max payload.
        let limits = self.account.limits();
        let server_max = self.server.opts().max_payload as i64;
        let mp = if limits.max_payload != crate::accounts::NO_LIMIT {
            (limits.max_payload as i64).min(server_max)
        } else {
            server_max
        };
        self.client.max_payload.store(mp, Ordering::Relaxed);
        true
    }

    /// Go's parser exception: with a no_auth_user, a client may start with another op than CONNECT and is
    /// logged in as that user. False when there is no such user or the login fails.
    fn no_auth_user_login(&mut self) -> bool {
        let auth = self.server.auth();
        let usable = auth
            .users
            .get(&auth.no_auth_user)
            .is_some_and(|u| crate::auth::connection_type_allowed(&u.allowed_connection_types));
        if auth.no_auth_user.is_empty() || !usable {
            return false;
        }
        self.awaiting_auth = false;
        self.connect_received = true;
        self.client.awaiting_connect.store(false, Ordering::Release);
        let mut ci = self.connect.clone();
        let ok = self.login(&mut ci);
        self.connect = ci;
        ok
    }

    /// Go's authViolation: log who failed (details are in the debug log), tell the client, close.
    fn auth_violation(&mut self) -> ClosedState {
        let label = self.client.label();
        match crate::auth::auth_user(&self.connect) {
            Some(who) => tracing::error!("{label} - authentication error - {who}"),
            None => tracing::error!("{label} - authentication error"),
        }
        send_err(&self.client, &ServerErr::AuthorizationViolation);
        crate::sys::events::auth_error(&self.server, &self.client, &self.connect);
        ClosedState::AuthenticationViolation
    }

    /// The permissions in force, re-read when a login or reload replaced them.
    fn current_perms(&mut self) -> Option<&ClientPerms> {
        let g = self.client.perms_gen.load(Ordering::Acquire);
        if g != self.perms_gen {
            self.perms = self.client.perms();
            self.perms_gen = g;
        }
        self.perms.as_deref()
    }

    fn publish(
        &mut self,
        fan: &mut Fanout<'_>,
        subject: &[u8],
        reply: Option<&[u8]>,
        header_len: usize,
        msg: &[u8],
    ) {
        self.in_msgs += 1;
        self.in_bytes += msg.len() as u64;
        self.activity = true;
        // Go sends the error in pedantic mode but still processes the message.
        if self.connect.pedantic && !is_valid_literal_subject(subject) {
            self.send_err(fan, &ServerErr::InvalidPublishSubject);
        }
        // Go's order: gateway-routed replies, the client's publish permissions, then RAFT subjects outside
        // the system account.
        if subject.len() > 5 && subject.starts_with(b"_GR_.") {
            self.pub_violation(fan, subject);
            return;
        }
        let denied = self
            .current_perms()
            .is_some_and(|p| p.restricts_publish() && !p.pub_allowed(subject));
        if denied {
            self.pub_violation(fan, subject);
            return;
        }
        if subject.starts_with(b"$NRG.") {
            self.pub_violation(fan, subject);
            return;
        }
        if let Some(r) = reply {
            if is_reserved_reply(r) {
                let text = format!(
                    "Permissions Violation for Publish with Reply of {}",
                    go_quote(r)
                );
                tracing::error!(
                    "{} - Publish Violation - Reply {}",
                    self.client.label(),
                    go_quote(r)
                );
                self.send_err(fan, &ServerErr::PermissionsViolation(text));
                return;
            }
        }
        if self.connect.verbose {
            self.send(fan, OK);
        }
        // Go's selectMappedSubject: a mapping changes where the message goes and what it is called.
        let mapped = self.account.map_subject(subject);
        let subject = mapped.as_deref().unwrap_or(subject);
        let result = self.match_cached(subject);
        let m = Message {
            subject,
            reply,
            header_len,
            msg,
        };
        let ctx = PubCtx {
            server: &self.server,
            client: &self.client,
            account: &self.account,
            from_service: false,
            chain: &[],
        };
        let delivered = fan.deliver_result(&result, &m, &ctx, self.client.cid, self.connect.echo);
        if !delivered && self.connect.no_responders {
            if let Some(reply) = reply {
                self.no_responders(fan, subject, reply);
            }
        }
    }

    fn pub_violation(&mut self, fan: &mut Fanout<'_>, subject: &[u8]) {
        let text = format!("Permissions Violation for Publish to {}", go_quote(subject));
        tracing::error!(
            "{} - Publish Violation - Subject {}",
            self.client.label(),
            go_quote(subject)
        );
        self.send_err(fan, &ServerErr::PermissionsViolation(text));
    }

    /// `NATS/1.0 503` status to the requester's own reply subscription (Go's processInboundClientMsg).
    fn no_responders(&mut self, fan: &mut Fanout<'_>, subject: &[u8], reply: &[u8]) {
        let r = self.account.sublist.match_subject(reply);
        let Some(sub) = r.psubs.iter().find(|s| s.client.cid == self.client.cid) else {
            return;
        };
        let mut hdr = Vec::with_capacity(32 + subject.len());
        hdr.extend_from_slice(b"NATS/1.0 503\r\nNats-Subject: ");
        hdr.extend_from_slice(subject);
        hdr.extend_from_slice(b"\r\n\r\n");
        let m = Message {
            subject: reply,
            reply: None,
            header_len: hdr.len(),
            msg: &hdr,
        };
        let queued = self
            .client
            .out
            .queue_with(|b| super::delivery::encode_msg(b, &m, &sub.sid, true, &hdr));
        if let Queued::Ok { wake: true, .. } = queued {
            fan.touched.push(self.client.clone());
        }
    }

    fn match_cached(&mut self, subject: &[u8]) -> Arc<SublistResult<SubRef>> {
        let sl = &self.account.sublist;
        let genid = sl.genid();
        if genid != self.cache_genid {
            self.cache.clear();
            self.cache_genid = genid;
        } else if let Some(r) = self.cache.get(subject) {
            return r.clone();
        }
        let r = sl.match_subject(subject);
        // Unlike Go, empty results are cached too: publishing without interest is then a hash lookup.
        // The cache is small and per connection, so many distinct subjects only cost evictions.
        if self.cache.len() >= MAX_RESULT_CACHE {
            let drop: Vec<Box<[u8]>> = self.cache.keys().take(32).cloned().collect();
            for k in drop {
                self.cache.remove(&k);
            }
        }
        self.cache.insert(subject.into(), r.clone());
        r
    }

    fn subscribe(
        &mut self,
        fan: &mut Fanout<'_>,
        subject: &[u8],
        queue: Option<&[u8]>,
        sid: &[u8],
    ) {
        // Go's processSubEx order: permissions (the reserved queue group), then the subscription limit.
        let allowed = self
            .current_perms()
            .is_none_or(|p| p.can_subscribe(subject, queue));
        if !allowed && queue.is_none() {
            let text = format!(
                "Permissions Violation for Subscription to {}",
                go_quote(subject)
            );
            tracing::error!(
                "{} - Subscription Violation - Subject {}, SID {}",
                self.client.label(),
                go_quote(subject),
                String::from_utf8_lossy(sid)
            );
            self.send_err(fan, &ServerErr::PermissionsViolation(text));
            return;
        }
        if let Some(q) = queue.filter(|q| !allowed || *q == SYS_GROUP) {
            let text = format!(
                "Permissions Violation for Subscription to {} using queue {}",
                go_quote(subject),
                go_quote(q)
            );
            tracing::error!(
                "{} - Subscription Violation - Subject {}, Queue: {}, SID {}",
                self.client.label(),
                go_quote(subject),
                go_quote(q),
                String::from_utf8_lossy(sid)
            );
            self.send_err(fan, &ServerErr::PermissionsViolation(text));
            return;
        }
        // Go's applyAccountLimits: the smaller of the account's and the server's limit.
        let max_subs = match (
            self.server.opts().max_subs,
            self.account.limits().max_subscriptions,
        ) {
            (s, a) if a != crate::accounts::NO_LIMIT && (s <= 0 || (a as i64) < s as i64) => {
                a.max(0) as i64
            }
            (s, _) => s as i64,
        };
        let max_subs = self.jwt_sub_limit().unwrap_or(max_subs);
        let existing = {
            let Ok(subs) = self.client.subs.lock() else {
                return;
            };
            let limited = if self.user_max_subs.is_some() {
                max_subs >= 0
            } else {
                max_subs > 0
            };
            if limited && subs.len() >= max_subs as usize {
                drop(subs);
                tracing::error!("{} - maximum subscriptions exceeded", self.client.label());
                self.send_err(fan, &ServerErr::MaxSubscriptionsExceeded);
                return;
            }
            subs.contains_key(sid)
        };
        if !existing {
            let sub = SubRef(Arc::new(Subscription::new(
                self.client.clone(),
                subject,
                queue,
                sid,
            )));
            if self
                .account
                .sublist
                .insert(subject, queue, sub.clone())
                .is_err()
            {
                self.send_err(fan, &ServerErr::InvalidSubject);
                return;
            }
            let imports = self.account.imports();
            crate::accounts::imports::add_shadows(&self.account, &imports, &sub);
            if let Ok(mut subs) = self.client.subs.lock() {
                subs.insert(sid.into(), sub);
            }
        }
        if self.connect.verbose {
            self.send(fan, OK);
        }
    }

    fn unsubscribe(&mut self, fan: &mut Fanout<'_>, sid: &[u8], max: Option<u64>) {
        let sub = self
            .client
            .subs
            .lock()
            .ok()
            .and_then(|s| s.get(sid).cloned());
        if self.connect.verbose {
            self.send(fan, OK);
        }
        let Some(sub) = sub else { return };
        let delivered = sub.delivered.load(Ordering::Relaxed);
        match max {
            Some(m) if m > 0 && m > delivered => sub.max.store(m, Ordering::Relaxed),
            _ => self.client.remove_sub(&sub),
        }
    }

    /// Go's processPingTimer. Returns a close reason when the connection is stale.
    fn ping_timer(&mut self) -> Option<ClosedState> {
        let interval = self.server.opts().ping_interval;
        let need_rtt = self.rtt.is_none();
        if self.last_in.elapsed() < interval && !need_rtt {
            return None;
        }
        if self.pings_out + 1 > self.server.opts().max_pings_out {
            tracing::debug!(
                "{} - Stale Client Connection - Closing",
                self.client.label()
            );
            self.server
                .stats
                .stale_connections
                .fetch_add(1, Ordering::Relaxed);
            send_err(&self.client, &ServerErr::StaleConnection);
            return Some(ClosedState::StaleConnection);
        }
        self.pings_out += 1;
        self.rtt_start = Some(Instant::now());
        send_raw(&self.client, PING);
        None
    }
}

fn send_raw(client: &ClientHandle, bytes: &[u8]) {
    if crate::logging::trace_enabled() {
        trace_out(client, bytes);
    }
    if client.out.queue(bytes) != Queued::Closed {
        client.out.wake();
    }
}

/// Go's client log label after CONNECT: `<ip:port> - cid:<n> - "v<version>:<lang>:<name>" - "<account>/<user>"`,
/// each quoted part present only when known.
fn client_label(client: &ClientHandle, ci: &ConnectInfo) -> Option<String> {
    let mut parts = Vec::new();
    if !ci.version.is_empty() {
        parts.push(format!("v{}", ci.version));
    }
    if !ci.lang.is_empty() {
        parts.push(ci.lang.clone());
    }
    if !ci.name.is_empty() {
        parts.push(ci.name.clone());
    }
    let ncs = (!parts.is_empty()).then(|| parts.join(":"));
    let account = client
        .account()
        .map(|a| a.name.clone())
        .unwrap_or_else(|| crate::consts::GLOBAL_ACCOUNT.to_string());
    let acs = crate::auth::auth_user_label(ci).map(|u| format!("{account}/{u}"));
    let base = format!("{} - cid:{}", client.peer, client.cid);
    match (ncs, acs) {
        (Some(n), Some(a)) => Some(format!("{base} - {n:?} - {a:?}")),
        (Some(n), None) => Some(format!("{base} - {n:?}")),
        (None, Some(a)) => Some(format!("{base} - {a:?}")),
        (None, None) => None,
    }
}

/// Go's `setExpiration` timer: when a JWT login runs out the client is told
/// `User Authentication Expired` and closed.
fn expire_after(client: Arc<ClientHandle>, d: Duration) {
    tokio::spawn(async move {
        tokio::time::sleep(d).await;
        if client.is_closed() {
            return;
        }
        tracing::debug!("{} - User Authentication Expired", client.label());
        if client.out.queue(&err_line("User Authentication Expired")) != Queued::Closed {
            client.out.wake();
        }
        client.close(ClosedState::AuthenticationExpired, true);
    });
}

/// Take on the permissions of a login (a token or single user keeps what the connection had, as in Go).
pub fn apply_identity(client: &ClientHandle, id: Identity) {
    if let Identity::User { perms: p, .. } = id {
        let label = client.label();
        client.set_perms(p.map(|p| Arc::new(ClientPerms::new(&p, &label))));
    }
}

/// Reply subjects a client may not use: service import replies, JetStream acks, gateway routed replies.
fn is_reserved_reply(reply: &[u8]) -> bool {
    reply.starts_with(b"_R_.")
        || (reply.len() > 8 && reply.starts_with(b"$JS.ACK."))
        || (reply.len() > 5 && reply.starts_with(b"_GR_."))
}

/// After a reload (Go's `reloadAuthorization`): log every client in again with the credentials it used;
/// those that no longer pass are closed with `Authorization Violation`, the others take the new
/// permissions and lose subscriptions those no longer allow.
pub fn reauthorize_clients(server: &ServerShared) {
    let auth = server.auth();
    if let Some(op) = auth.operator.clone() {
        reauthorize_jwt_clients(server, &op);
        return;
    }
    for c in server.clients_snapshot() {
        if c.is_closed() {
            continue;
        }
        let mut ci = c
            .auth
            .lock()
            .ok()
            .and_then(|a| a.clone())
            .unwrap_or_default();
        let nonce = c.nonce.lock().map(|n| n.clone()).unwrap_or_default();
        let label = c.label();
        let cert = c.tls.get().and_then(|t| t.peer.as_ref()).map(|p| &p.info);
        match crate::auth::authenticate_with_cert(&auth, &mut ci, nonce.as_bytes(), &label, cert) {
            Err(_) => {
                match crate::auth::auth_user(&ci) {
                    Some(who) => tracing::error!("{label} - authentication error - {who}"),
                    None => tracing::error!("{label} - authentication error"),
                }
                send_err(&c, &ServerErr::AuthorizationViolation);
                c.close(ClosedState::AuthenticationViolation, true);
            }
            Ok(id) => {
                apply_identity(&c, id);
                if let Ok(mut a) = c.auth.lock() {
                    *a = Some(ci.clone());
                }
                remove_unauthorized_subs(&c, &ci);
            }
        }
    }
}

/// Operator mode reload: accounts follow the resolver, then every client logs in again with its
/// user JWT; those whose account is gone or who no longer pass are closed with
/// `Authorization Violation`.
fn reauthorize_jwt_clients(server: &ServerShared, op: &crate::auth::operator::OperatorAuth) {
    crate::auth::operator::refresh_accounts(server, op);
    for c in server.clients_snapshot() {
        if c.is_closed() {
            continue;
        }
        let Some(ci) = c.auth.lock().ok().and_then(|a| a.clone()) else {
            continue;
        };
        let nonce = c.nonce.lock().map(|n| n.clone()).unwrap_or_default();
        let label = c.label();
        let host = Some(c.peer.ip());
        match crate::auth::operator::authenticate(server, op, &ci, nonce.as_bytes(), host, &label) {
            Ok(login) if c.account().is_some_and(|a| Arc::ptr_eq(&a, &login.account)) => {
                apply_identity(
                    &c,
                    Identity::User {
                        perms: login.perms,
                        account: login.account.name.clone(),
                    },
                );
                remove_unauthorized_subs(&c, &ci);
            }
            _ => {
                match crate::auth::auth_user(&ci) {
                    Some(who) => tracing::error!("{label} - authentication error - {who}"),
                    None => tracing::error!("{label} - authentication error"),
                }
                send_err(&c, &ServerErr::AuthorizationViolation);
                c.close(ClosedState::AuthenticationViolation, true);
            }
        }
    }
}

/// Go's `processSubsOnConfigReload` for permissions.
fn remove_unauthorized_subs(c: &Arc<ClientHandle>, ci: &ConnectInfo) {
    let Some(p) = c.perms() else { return };
    let subs: Vec<SubRef> = c
        .subs
        .lock()
        .map(|s| s.values().cloned().collect())
        .unwrap_or_default();
    let who = crate::auth::auth_user(ci).unwrap_or_else(|| "User \"N/A\"".to_string());
    for sub in subs {
        if p.can_subscribe(&sub.subject, sub.queue.as_deref()) {
            continue;
        }
        c.remove_sub(&sub);
        let (subj, sid) = (go_quote(&sub.subject), go_quote(&sub.sid));
        let text = match &sub.queue {
            Some(q) => {
                let q = go_quote(q);
                tracing::info!(
                    "Removed sub {subj} using queue {q} (sid {sid}) for {who} - not authorized"
                );
                format!(
                    "Permissions Violation for Subscription to {subj} using queue {q} (sid {sid})"
                )
            }
            None => {
                tracing::info!("Removed sub {subj} (sid {sid}) for {who} - not authorized");
                format!("Permissions Violation for Subscription to {subj} (sid {sid})")
            }
        };
        send_err(c, &ServerErr::PermissionsViolation(text));
    }
}
