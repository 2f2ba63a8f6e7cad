//! `-t` verdicts for bad configurations of the kinds Go's `config_check_test.go` lists, limited to keys
//! rnats implements: unknown fields, authorization blocks, permissions, users, durations and empty
//! files. Each file holds one mistake, since Go reports several in random (map) order; the output must
//! equal the Go binary's byte for byte.

use std::path::Path;
use std::process::Command;

use crate::support::*;

const CASES: &[(&str, &str)] = &[
    ("unknown_top", "\n  monitor = \"127.0.0.1:4442\"\n"),
    ("default_perms_top", "\n  \"default_permissions\" {\n    publish = [\"_SANDBOX.>\"]\n  }\n"),
    ("auth_empty", "\n  authorization = {\n  }\n"),
    ("auth_unknown", "\n  authorization = {\n    foo = \"bar\"\n  }\n"),
    ("user_unknown", "authorization = {\n  users = [\n    { user = \"foo\"\n      pass = \"bar\"\n      token = \"quux\" }\n  ]\n}\n"),
    ("perms_unknown", "authorization {\n  permissions {\n    inboxes = {}\n  }\n}\n"),
    ("allow_deny_unknown", "authorization {\n  permissions {\n    subscribe = {\n      denied = \"_INBOX.>\"\n    }\n  }\n}\n"),
    ("default_perms_unknown", "authorization {\n  default_permissions {\n    requests = \"b\"\n  }\n  users = [ { user = \"foo\", pass = \"bar\" } ]\n}\n"),
    ("user_perms_empty", "authorization = {\n  users = [\n    { user = \"foo\", pass = \"bar\", permissions = { } }\n  ]\n}\n"),
    ("user_perms_unknown", "authorization = {\n  users = [\n    { user = \"foo\", pass = \"bar\", permissions { inboxes = true } }\n  ]\n}\n"),
    ("auth_variable", "listen: 127.0.0.1:4222\nauthorization {\n  admin = { publish = \">\", subscribe = \">\" }\n  users = [ { user = \"a\", pass = \"b\", permissions = $admin } ]\n}\n"),
    ("top_variable", "\n  monitoring_port = 8222\n  http_port = $monitoring_port\n  port = 4222\n"),
    ("write_deadline_int", "\n  write_deadline = 100\n"),
    ("token_and_users", "authorization = {\n  token = \"s3cr3t\"\n  users = [ { user = \"foo\", pass = \"bar\" } ]\n}\n"),
    ("token_and_user", "authorization = {\n  user = \"foo\"\n  pass = \"bar\"\n  token = \"baz\"\n}\n"),
    ("user_and_users", "authorization = {\n  user = \"user1\"\n  pass = \"pwd1\"\n  users = [ { user = \"user2\", pass = \"pwd2\" } ]\n}\n"),
    ("duplicate_users", "authorization = {\n  users = [\n    {user: \"user1\", pass: \"pwd\"}\n    {user: \"user2\", pass: \"pwd\"}\n    {user: \"user1\", pass: \"pwd\"}\n  ]\n}\n"),
    ("duplicate_nkeys", "authorization = {\n  users = [\n    {nkey: UC6NLCN7AS34YOJVCYD4PJ3QB7QGLYG5B5IMBT25VW5K4TNUJODM7BOX}\n    {nkey: UC6NLCN7AS34YOJVCYD4PJ3QB7QGLYG5B5IMBT25VW5K4TNUJODM7BOX}\n  ]\n}\n"),
    ("users_not_list", "authorization = {\n  users = false\n}\n"),
    ("users_not_map", "authorization = {\n  users = [false]\n}\n"),
    ("perms_not_map", "authorization = {\n  users = [{user: hello, pass: world}]\n  permissions = false\n}\n"),
    ("allow_bad_item", "authorization {\n  permissions {\n    publish = {\n      allow = [false, \"hello\"]\n    }\n  }\n}\n"),
    ("deny_bad_item", "authorization {\n  permissions {\n    publish = {\n      deny = [true, \"foo\"]\n    }\n  }\n}\n"),
    ("allow_bad_type", "authorization {\n  permissions {\n    publish = { allow = false }\n  }\n}\n"),
    ("allow_bad_subject", "authorization {\n  permissions {\n    publish = { allow = [\"foo..bar\"] }\n  }\n}\n"),
    ("shorthand_bad_subject", "authorization {\n  permissions {\n    publish = \"foo bar baz\"\n  }\n}\n"),
    ("lame_duck_type", "\n  lame_duck_duration: abc\n"),
    ("lame_duck_small", "\n  lame_duck_duration: \"5s\"\n"),
    ("lame_duck_negative", "\n  lame_duck_duration: \"-5s\"\n"),
    ("grace_type", "\n  lame_duck_grace_period: abc\n"),
    ("grace_negative", "\n  lame_duck_grace_period: \"-5s\"\n"),
    ("conn_types_type", "authorization {\n  users [ {user: a, password: pwd, allowed_connection_types: 123} ]\n}\n"),
    ("conn_types_item", "authorization {\n  users [ {user: a, password: pwd, allowed_connection_types: [ 123 ]} ]\n}\n"),
    ("conn_types_unknown", "authorization {\n  users [ {user: a, password: pwd, allowed_connection_types: [ \"UNKNOWN\" ]} ]\n}\n"),
    ("empty", ""),
    ("only_comments", "# Nothing but a comment.\n"),
    ("duration_bool", "write_deadline: true\n"),
];

/// (stderr, exit code) of `<bin> -t -c <file>`.
fn check(bin: &Path, file: &Path) -> (String, i32) {
    let out = Command::new(bin)
        .args(["-t", "-c", file.to_str().unwrap()])
        .output()
        .expect("run binary");
    (
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

#[test]
fn bad_configs_get_the_go_verdict() {
    let go = go_server_bin();
    let ours = Path::new(env!("CARGO_BIN_EXE_rnats-server"));
    let dir = TempDir::new("conf-check");
    for (name, text) in CASES {
        let path = dir.0.join(format!("{name}.conf"));
        std::fs::write(&path, text).unwrap();
        assert_eq!(check(ours, &path), check(&go, &path), "{name}");
    }
}

// go: server/TestConfigCheckIncludes
#[test]
fn included_files_are_checked_with_their_own_positions() {
    let good = crate::config_opts::fixture("include_check_a.conf");
    let mut o = server::Options::default();
    server::config::options::load_file(&mut o, &good).expect("valid with includes");
    assert_eq!((o.port, o.http_port), (4222, 8222));
    assert_eq!(o.username, "foo");

    let bad = crate::config_opts::fixture("include_bad_check_a.conf");
    let mut o = server::Options::default();
    let err = server::config::options::load_file(&mut o, &bad)
        .expect_err("unused variable in an included file")
        .to_string();
    assert!(
        err.ends_with("include_bad_check_b.conf:10:19: unknown field \"monitoring_port\"\n"),
        "{err}"
    );
}
