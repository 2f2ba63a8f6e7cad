//! The scenario format: conversion of steps, layout-independent fingerprints, and every rule with
//! the line it reports.

use super::*;

fn one(text: &str) -> Scenario {
    let mut v = parse(text, "f.toml").expect("parses");
    assert_eq!(v.len(), 1);
    v.remove(0)
}

/// The single error of `text`, as `line: message`.
fn error(text: &str) -> String {
    let e = parse(text, "x/f.toml").expect_err("must not parse");
    assert_eq!(e.len(), 1, "{e:?}");
    assert_eq!(e[0].file, "x/f.toml");
    format!("{}: {}", e[0].line, e[0].message)
}

const HEAD: &str = "[[scenario]]\nname = \"s\"\nabout = \"a\"\n";

#[test]
fn steps_are_converted() {
    let s = one(&format!(
        "# comment\n{HEAD}go = [\"test/TestX\"]\nsteps = [\n  {{ open = \"a\", pong = true }},\n  {{ send = \"a\", lines = ['CONNECT {{}}', \"PING\"] }},\n  {{ send = \"a\", raw = \"ab\", repeat = 3, split = 2 }},\n  {{ recv = \"a\", match = 'P.NG' }},\n  {{ recv = \"a\", msgs = 4, sorted = true, timeout = 500 }},\n  {{ recv = \"a\", err = \"x\" }},\n  {{ close = \"a\" }},\n  {{ sleep = 5 }},\n  {{ kill = true }},\n]\n"
    ));
    assert_eq!(s.name, "s");
    assert_eq!(s.line, 3);
    assert_eq!(s.go, [("test/TestX".to_string(), 5)]);
    assert_eq!(s.steps.len(), 9);
    assert_eq!(s.steps[0].line, 7);
    assert!(matches!(&s.steps[0].action, Action::Open { client, pong: true } if client == "a"));
    assert!(
        matches!(&s.steps[1].action, Action::Send { bytes, split: None, .. } if bytes == b"CONNECT {}\r\nPING\r\n")
    );
    assert!(
        matches!(&s.steps[2].action, Action::Send { bytes, split: Some(2), .. } if bytes == b"ababab")
    );
    match &s.steps[3].action {
        Action::Recv {
            expect: Expect::Match(re),
            ..
        } => {
            assert!(re.is_match("PONG") && re.is_match("PING"));
            assert!(!re.is_match("PONGS"), "anchored at both ends");
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        &s.steps[4].action,
        Action::Recv { expect: Expect::Msgs { n: 4, sorted: true, share: None }, timeout, .. }
            if *timeout == Duration::from_millis(500)
    ));
    assert!(matches!(&s.steps[8].action, Action::Kill));
    assert_eq!(s.limit, DEFAULT_SCENARIO_LIMIT);
}

#[test]
fn json_messages_are_a_recv_expectation() {
    let s = one(&format!(
        "{HEAD}steps = [{{ open = \"a\" }}, {{ recv = \"a\", json = \"MSG _INBOX.1 1\" }}]\n"
    ));
    assert!(matches!(
        &s.steps[1].action,
        Action::Recv { expect: Expect::Json { head }, .. } if head == "MSG _INBOX.1 1"
    ));
}

#[test]
fn fingerprint_follows_content_not_layout() {
    let a = one(&format!("{HEAD}steps = [{{ open = \"a\" }}]\n"));
    let b = one(&format!(
        "# another comment\n\n{HEAD}steps = [\n    {{ open = \"a\" }},   # spaced\n]\n"
    ));
    let c = one(&format!("{HEAD}steps = [{{ open = \"b\" }}]\n"));
    assert_eq!(a.fingerprint, b.fingerprint);
    assert_ne!(a.fingerprint, c.fingerprint);
}

#[test]
fn syntax_error_names_its_line() {
    let e = error(&format!("{HEAD}steps = [\n  {{ open = \"a\" \n]\n"));
    assert!(e.starts_with("5: ") || e.starts_with("6: "), "{e}");
}

#[test]
fn unknown_keys_are_errors() {
    let e = error(&format!(
        "{HEAD}steps = [\n  {{ open = \"a\" }},\n  {{ recv = \"a\", lien = \"PONG\" }},\n]\n"
    ));
    assert!(e.starts_with("6: ") && e.contains("lien"), "{e}");
    let e = error(&format!("{HEAD}colour = 1\nsteps = []\n"));
    assert!(e.contains("colour"), "{e}");
}

#[test]
fn step_rules() {
    let cases = [
        (
            "{ open = \"a\" }, { send = \"a\", close = \"a\" }",
            "has send and close",
        ),
        (
            "{ open = \"a\" }, { send = \"a\", line = \"x\" }",
            "`line` does not apply to a `send`",
        ),
        (
            "{ send = \"b\", lines = [\"PING\"] }",
            "client `b` is used before",
        ),
        (
            "{ open = \"a\" }, { recv = \"a\", line = \"x\", err = \"y\" }",
            "expects one of",
        ),
        ("{ open = \"a\" }, { recv = \"a\" }", "expects one of"),
        (
            "{ open = \"a\" }, { open = \"b\" }, { recv = [\"a\", \"b\"], msgs = 2 }",
            "add `sorted` or `share`",
        ),
        (
            "{ open = \"a\" }, { open = \"b\" }, { recv = [\"a\", \"b\"], line = \"x\" }",
            "only `msgs`",
        ),
        ("{ open = \"a\" }, { open = \"a\" }", "already open"),
        ("{ open = \"a b\" }", "client name"),
        (
            "{ open = \"a\" }, { send = \"a\" }",
            "takes `lines` or `raw`",
        ),
        (
            "{ open = \"a\" }, { send = \"a\", raw = \"x\", split = 0 }",
            "`split`",
        ),
        (
            "{ open = \"a\" }, { recv = \"a\", msgs = 2, share = 1.5 }",
            "`share`",
        ),
        (
            "{ open = \"a\" }, { recv = \"a\", line = \"x\", sorted = true }",
            "go with `msgs`",
        ),
        (
            "{ open = \"a\" }, { recv = \"a\", json = \"MSG x 1\", msg = \"MSG x 1 0\" }",
            "expects one of",
        ),
        (
            "{ open = \"a\" }, { send = \"a\", lines = [\"x\"], json = \"MSG x 1\" }",
            "`json` does not apply to a `send`",
        ),
        (
            "{ open = \"a\" }, { recv = \"a\", match = \"(\" }",
            "`match`",
        ),
        (
            "{ open = \"a\" }, { recv = \"a\", closed = false }",
            "only `true`",
        ),
        ("{ sleep = 0 }", "`sleep`"),
        ("{ http = \"varz\" }", "takes a path"),
        (
            "{ open = \"a\" }, { close = \"a\" }, { send = \"a\", raw = \"x\" }",
            "used before",
        ),
        ("{ }", "needs one action"),
    ];
    for (steps, want) in cases {
        let e = error(&format!("{HEAD}steps = [{steps}]\n"));
        assert!(e.starts_with("4: ") && e.contains(want), "{steps}: {e}");
    }
}

#[test]
fn scenario_rules() {
    let e = error("[[scenario]]\nname = \"Bad Name\"\nabout = \"a\"\nsteps = [{ sleep = 1 }]\n");
    assert!(e.starts_with("2: ") && e.contains("scenario name"), "{e}");
    let e = error("[[scenario]]\nname = \"s\"\nabout = \" \"\nsteps = [{ sleep = 1 }]\n");
    assert!(e.contains("needs an `about`"), "{e}");
    let e = error("[[scenario]]\nname = \"s\"\nabout = \"a\"\nsteps = []\n");
    assert!(e.contains("no steps"), "{e}");
    let e = error(&format!(
        "{HEAD}go = [\n  \"TestX\",\n]\nsteps = [{{ sleep = 1 }}]\n"
    ));
    assert!(e.starts_with("5: ") && e.contains("package dir"), "{e}");
    let e = error(&format!("{HEAD}steps = [{{ http = \"/varz\" }}]\n"));
    assert!(e.contains("monitor = true"), "{e}");
    let e = error(&format!(
        "{HEAD}limit = 999999\nsteps = [{{ sleep = 1 }}]\n"
    ));
    assert!(e.contains("`limit`"), "{e}");
    let e = error("[[scenario]]\nname = \"s\"\nsteps = [{ sleep = 1 }]\n");
    assert!(e.contains("about"), "{e}");
}

#[test]
fn known_differences_file() {
    let dir = tempfile::tempdir().expect("dir");
    let p = dir.path().join("k.tsv");
    std::fs::write(
        &p,
        "name\treason\n# note\n\na\twhy not\nbroken line\nb\t \n",
    )
    .expect("write");
    let (ok, errors) = read_known(&p, "k.tsv");
    assert_eq!(ok, [("a".to_string(), "why not".to_string(), 4)]);
    let lines: Vec<u32> = errors.iter().map(|e| e.line).collect();
    assert_eq!(lines, [5, 6]);
    assert_eq!(
        read_known(&dir.path().join("none.tsv"), "x"),
        (vec![], vec![])
    );
}
