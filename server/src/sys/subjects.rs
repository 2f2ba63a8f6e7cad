//! The system account's subjects, as Go names them (events.go constants). `{}` marks the variable
//! token (account name, server id or endpoint).

pub const CONNECT_EVENT: &str = "$SYS.ACCOUNT.{}.CONNECT";
pub const DISCONNECT_EVENT: &str = "$SYS.ACCOUNT.{}.DISCONNECT";
pub const ACC_DIRECT_REQ: &str = "$SYS.REQ.ACCOUNT.{}.{}";
pub const ACC_PING_REQ: &str = "$SYS.REQ.ACCOUNT.PING.{}";
pub const ACC_CONNS_NEW: &str = "$SYS.ACCOUNT.{}.SERVER.CONNS";
/// Kept by Go for backward compatibility; sent beside the new one.
pub const ACC_CONNS_OLD: &str = "$SYS.SERVER.ACCOUNT.{}.CONNS";
pub const LAME_DUCK_EVENT: &str = "$SYS.SERVER.{}.LAMEDUCK";
pub const SHUTDOWN_EVENT: &str = "$SYS.SERVER.{}.SHUTDOWN";
pub const AUTH_ERROR_EVENT: &str = "$SYS.SERVER.{}.CLIENT.AUTH.ERR";
pub const AUTH_ERROR_ACCOUNT_EVENT: &str = "$SYS.ACCOUNT.CLIENT.AUTH.ERR";
pub const SERVER_STATS: &str = "$SYS.SERVER.{}.STATSZ";
pub const SERVER_DIRECT_REQ: &str = "$SYS.REQ.SERVER.{}.{}";
pub const SERVER_PING_REQ: &str = "$SYS.REQ.SERVER.PING.{}";
/// The old statsz ping, kept by Go beside `$SYS.REQ.SERVER.PING.STATSZ`.
pub const SERVER_STATS_PING_REQ: &str = "$SYS.REQ.SERVER.PING";
pub const USER_DIRECT_INFO: &str = "$SYS.REQ.USER.INFO";
pub const USER_DIRECT_REQ: &str = "$SYS.REQ.USER.{}.INFO";
pub const DEBUG_SUBSCRIBERS: &str = "$SYS.DEBUG.SUBSCRIBERS";

/// `pattern` with each `{}` replaced by the next of `args`.
pub fn fmt(pattern: &str, args: &[&str]) -> String {
    let mut out = String::with_capacity(pattern.len() + 32);
    let mut it = args.iter();
    let mut rest = pattern;
    while let Some(i) = rest.find("{}") {
        out.push_str(&rest[..i]);
        out.push_str(it.next().copied().unwrap_or(""));
        rest = &rest[i + 2..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn fills_tokens_in_order() {
        assert_eq!(
            super::fmt(super::ACC_DIRECT_REQ, &["A", "CONNZ"]),
            "$SYS.REQ.ACCOUNT.A.CONNZ"
        );
    }
}
