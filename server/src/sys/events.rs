//! Events the server publishes in the system account: a client's connect and disconnect
//! (`$SYS.ACCOUNT.<account>.CONNECT` / `.DISCONNECT`, Go's `accountConnectEvent` /
//! `accountDisconnectEvent`), an account's connection count whenever it changes and every 30s while
//! it has connections (`$SYS.SERVER.ACCOUNT.<account>.CONNS` and `$SYS.ACCOUNT.<account>.SERVER.CONNS`,
//! Go's `accConnsUpdate`/`sendAccConnsUpdate`), failed logins (`$SYS.SERVER.<id>.CLIENT.AUTH.ERR`, and
//! `$SYS.ACCOUNT.CLIENT.AUTH.ERR` in the client's own account), lame duck mode and shutdown. The
//! global account's connection count is not published, as in Go. Nothing is built when nobody
//! listens.

use std::sync::Arc;
use std::time::SystemTime;

use serde::Serialize;

use super::account_reqs::{account_stat, AccountStat};
use super::envelope::{
    ClientInfo, DataStats, ServerInfo, TypedEvent, ACCOUNT_CONNS_TYPE, CONNECT_EVENT_TYPE,
    DISCONNECT_EVENT_TYPE,
};
use super::subjects::*;
use super::System;
use crate::accounts::Account;
use crate::client::{ClientHandle, ClosedState};
use crate::consts::GLOBAL_ACCOUNT;
use crate::monitor::timefmt::rfc3339_nano;
use crate::protocol::ConnectInfo;
use crate::server::ServerShared;

/// Go's `ConnectEventMsg`.
#[derive(Serialize)]
struct ConnectEvent<'a> {
    #[serde(flatten)]
    head: TypedEvent,
    server: &'a ServerInfo,
    client: &'a ClientInfo,
}

/// Go's `DisconnectEventMsg` (also the auth error event).
#[derive(Serialize)]
struct DisconnectEvent<'a> {
    #[serde(flatten)]
    head: TypedEvent,
    server: &'a ServerInfo,
    client: &'a ClientInfo,
    sent: DataStats,
    received: DataStats,
    reason: &'a str,
}

/// Go's `AccountNumConns`.
#[derive(Serialize)]
struct AccountNumConns<'a> {
    #[serde(flatten)]
    head: &'a TypedEvent,
    server: &'a ServerInfo,
    #[serde(flatten)]
    stat: &'a AccountStat,
}

/// Go's `getRawAuthUser`.
fn raw_auth_user(ci: &ConnectInfo) -> String {
    if !ci.nkey.is_empty() {
        ci.nkey.clone()
    } else if !ci.user.is_empty() {
        ci.user.clone()
    } else if !ci.auth_token.is_empty() {
        "[REDACTED]".into()
    } else {
        String::new()
    }
}

/// The client block of an event.
fn client_info(c: &ClientHandle, ci: Option<&ConnectInfo>, acc: &str) -> ClientInfo {
    let meta = c.meta();
    let stored = c.auth.lock().ok().and_then(|a| a.clone());
    let user = ci
        .or(stored.as_ref())
        .map(raw_auth_user)
        .unwrap_or_default();
    ClientInfo {
        start: Some(rfc3339_nano(c.start)),
        host: c.peer.ip().to_string(),
        id: c.cid,
        acc: acc.to_string(),
        user,
        name: meta.name,
        lang: meta.lang,
        ver: meta.version,
        name_tag: acc.to_string(),
        kind: "Client".into(),
        client_type: "nats".into(),
        ..ClientInfo::default()
    }
}

fn account_name(c: &ClientHandle) -> String {
    c.account()
        .map(|a| a.name.clone())
        .unwrap_or_else(|| "N/A".into())
}

/// A client logged in: its account's new connection count, then the connect event.
pub fn client_connected(server: &ServerShared, c: &Arc<ClientHandle>) {
    let Some(sys) = super::of(server) else { return };
    if let Some(acc) = c.account() {
        acc_conns_update(sys, server, &acc);
    }
    let acc = account_name(c);
    let subject = fmt(CONNECT_EVENT, &[&acc]);
    if !sys.interested(&sys.account, &subject) {
        return;
    }
    let head = TypedEvent::new(CONNECT_EVENT_TYPE, sys.next_event_id(), SystemTime::now());
    let client = client_info(c, None, &acc);
    let ev = ConnectEvent {
        head,
        server: &sys.server_info(server),
        client: &client,
    };
    sys.publish(server, &subject, crate::info::go_json(&ev).as_bytes());
}

/// A client connection ended (it has left its account): the account's connection count, then the
/// disconnect event with what the client sent and received, and the credentials it gave (`ci`).
pub fn client_closed(
    server: &ServerShared,
    c: &Arc<ClientHandle>,
    reason: ClosedState,
    ci: &ConnectInfo,
) {
    let Some(sys) = super::of(server) else { return };
    if let Some(acc) = c.account() {
        acc_conns_update(sys, server, &acc);
    }
    let acc = account_name(c);
    let subject = fmt(DISCONNECT_EVENT, &[&acc]);
    if !sys.interested(&sys.account, &subject) {
        return;
    }
    let now = SystemTime::now();
    let payload = disconnect_event(sys, server, c, Some(ci), &acc, now, reason.as_str());
    sys.publish(server, &subject, &payload);
}

fn disconnect_event(
    sys: &System,
    server: &ServerShared,
    c: &ClientHandle,
    ci: Option<&ConnectInfo>,
    acc: &str,
    now: SystemTime,
    reason: &str,
) -> Vec<u8> {
    use std::sync::atomic::Ordering::Relaxed;
    let mut client = client_info(c, ci, acc);
    client.stop = Some(rfc3339_nano(now));
    client.rtt = c.meta().rtt.map(|d| d.as_nanos() as u64).unwrap_or(0);
    let ev = DisconnectEvent {
        head: TypedEvent::new(DISCONNECT_EVENT_TYPE, sys.next_event_id(), now),
        server: &sys.server_info(server),
        client: &client,
        sent: DataStats::plain(
            c.stats.in_msgs.load(Relaxed),
            c.stats.in_bytes.load(Relaxed),
        ),
        received: DataStats::plain(
            c.stats.out_msgs.load(Relaxed),
            c.stats.out_bytes.load(Relaxed),
        ),
        reason,
    };
    crate::info::go_json(&ev).into_bytes()
}

/// A login failed with the credentials in `ci`: an event in the client's account for its owner
/// (Go's `sendAccountAuthErrorEvent`).
pub fn account_auth_error(server: &ServerShared, c: &Arc<ClientHandle>, ci: &ConnectInfo) {
    let Some(sys) = super::of(server) else { return };
    let Some(a) = c.account() else { return };
    if sys.interested(&a, AUTH_ERROR_ACCOUNT_EVENT) {
        let reason = ClosedState::AuthenticationViolation.as_str();
        let now = SystemTime::now();
        let payload = disconnect_event(sys, server, c, Some(ci), &a.name, now, reason);
        a.publish_internal(
            server,
            AUTH_ERROR_ACCOUNT_EVENT.as_bytes(),
            super::NO_REPLY,
            b"",
            &payload,
        );
    }
}

/// A client is being closed for an authorization violation: the system account's event (Go's
/// `sendAuthErrorEvent`), with the credentials it tried.
pub fn auth_error(server: &ServerShared, c: &Arc<ClientHandle>, ci: &ConnectInfo) {
    let Some(sys) = super::of(server) else { return };
    let subject = fmt(AUTH_ERROR_EVENT, &[&server.id]);
    if sys.interested(&sys.account, &subject) {
        let reason = ClosedState::AuthenticationViolation.as_str();
        let acc = account_name(c);
        let payload = disconnect_event(sys, server, c, Some(ci), &acc, SystemTime::now(), reason);
        sys.publish(server, &subject, &payload);
    }
}

/// Go's `accConnsUpdate`: both connection-count subjects, never for the global account.
fn acc_conns_update(sys: &System, server: &ServerShared, acc: &Arc<Account>) {
    if acc.name == GLOBAL_ACCOUNT {
        return;
    }
    let subjects = [
        fmt(ACC_CONNS_OLD, &[&acc.name]),
        fmt(ACC_CONNS_NEW, &[&acc.name]),
    ];
    send_conns_update(sys, server, acc, &subjects);
}

/// Go's `sendAccConnsUpdate`: the account's statistics to each subject (one event id), and the
/// heartbeat re-armed while it has connections.
pub fn send_conns_update(
    sys: &System,
    server: &ServerShared,
    acc: &Arc<Account>,
    subjects: &[String],
) {
    let stat = account_stat(acc);
    arm_heartbeat(sys, acc, stat.total_conns > 0);
    let wanted: Vec<&String> = subjects
        .iter()
        .filter(|s| sys.interested(&sys.account, s))
        .collect();
    if wanted.is_empty() {
        return;
    }
    let head = TypedEvent::new(ACCOUNT_CONNS_TYPE, sys.next_event_id(), SystemTime::now());
    for subject in wanted {
        let ev = AccountNumConns {
            head: &head,
            server: &sys.server_info(server),
            stat: &stat,
        };
        sys.publish(server, subject, crate::info::go_json(&ev).as_bytes());
    }
}

/// Start (or restart) the account's connection-count heartbeat, or stop it at zero connections.
fn arm_heartbeat(sys: &System, acc: &Arc<Account>, running: bool) {
    if sys.is_stopped() {
        return;
    }
    let Ok(mut timers) = sys.acc_timers.lock() else {
        return;
    };
    if !running {
        if let Some(h) = timers.remove(&acc.name) {
            h.abort();
        }
        return;
    }
    let Ok(rt) = tokio::runtime::Handle::try_current() else {
        return;
    };
    let weak_acc = Arc::downgrade(acc);
    let server = sys.server.clone();
    let every = sys.hb_interval();
    let task = rt.spawn(async move {
        tokio::time::sleep(every).await;
        let (Some(server), Some(acc)) = (server.upgrade(), weak_acc.upgrade()) else {
            return;
        };
        if let Some(sys) = super::of(&server) {
            acc_conns_update(sys, &server, &acc);
        }
    });
    if let Some(old) = timers.insert(acc.name.clone(), task) {
        old.abort();
    }
}

/// Lame duck mode began (Go's `sendLDMShutdownEventLocked`).
pub fn lame_duck(server: &ServerShared) {
    let Some(sys) = super::of(server) else { return };
    let subject = fmt(LAME_DUCK_EVENT, &[&server.id]);
    if sys.interested(&sys.account, &subject) {
        let si = sys.server_info(server);
        sys.publish(server, &subject, crate::info::go_json(&si).as_bytes());
    }
}

/// The server is shutting down (Go's `sendShutdownEvent`): the last event; timers stop.
pub fn shutdown(server: &ServerShared) {
    let Some(sys) = super::of(server) else { return };
    if sys.is_stopped() {
        return;
    }
    let subject = fmt(SHUTDOWN_EVENT, &[&server.id]);
    if sys.interested(&sys.account, &subject) {
        let si = sys.server_info(server);
        sys.publish(server, &subject, crate::info::go_json(&si).as_bytes());
    }
    sys.stop();
}
