//! Hiding secrets in the command line before anything can show it (Go: `RedactArgs` in server/opts.go).
//!
//! `--user`, `--pass` and `--auth` values become `[REDACTED]`; the user info of `--routes`, `--cluster` and
//! `--cluster_listen` URLs becomes `[REDACTED]`, the rest of each URL is kept.

use super::url;

/// Replaces secret flag values in `args` (a whole argv, or the arguments after it) in place.
pub fn redact_args(args: &mut [String]) {
    for i in 0..args.len() {
        let Some(name) = flag_name(&args[i]) else {
            continue;
        };
        match name {
            "user" | "pass" | "auth" => redact_value(args, i, |_| "[REDACTED]".to_string()),
            "routes" => redact_value(args, i, redact_url_list_user),
            "cluster" | "cluster_listen" => redact_value(args, i, redact_url_user),
            _ => {}
        }
    }
}

/// The name of `-name`, `--name`, `-name=...` or `--name=...`.
fn flag_name(arg: &str) -> Option<&str> {
    let rest = arg.strip_prefix("--").or_else(|| arg.strip_prefix('-'))?;
    Some(rest.split('=').next().unwrap_or(rest))
}

fn redact_value(args: &mut [String], i: usize, redact: impl Fn(&str) -> String) {
    if let Some((flag, value)) = args[i].split_once('=') {
        args[i] = format!("{flag}={}", redact(value));
    } else if i + 1 < args.len() {
        args[i + 1] = redact(&args[i + 1]);
    }
}

/// Go's `redactURLUser`: a URL with user info gets `[REDACTED]` in place of it; anything else is unchanged.
pub fn redact_url_user(raw: &str) -> String {
    if !raw.contains('@') {
        return raw.to_string();
    }
    let value = raw.trim();
    // A ":-1" port is not a valid URL port; it only matters for validation, the text is kept as given.
    let parse_value = match value.strip_suffix(":-1") {
        Some(prefix) => format!("{prefix}:0"),
        None => value.to_string(),
    };
    match url::parse(&parse_value) {
        Ok(u) if u.user.is_some() => {}
        _ => return raw.to_string(),
    }
    // The URL parsed with user info, so it is `scheme://userinfo@host...`.
    let Some((scheme, rest)) = value.split_once("://") else {
        return raw.to_string();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let Some(at) = rest[..authority_end].rfind('@') else {
        return raw.to_string();
    };
    format!(
        "{}://[REDACTED]@{}",
        scheme.to_ascii_lowercase(),
        &rest[at + 1..]
    )
}

/// Go's `redactURLListUser`: [`redact_url_user`] on each comma-separated URL.
pub fn redact_url_list_user(raw: &str) -> String {
    raw.split(',')
        .map(redact_url_user)
        .collect::<Vec<_>>()
        .join(",")
}
