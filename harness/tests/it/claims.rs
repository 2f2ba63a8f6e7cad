//! The claim scanner: accepted shapes, rejected typos, module paths, and validation against
//! the inventory.

use crate::support::{small_inventory, Ws};
use harness::mapping::claims::{parse_claim_line, scan_file, ClaimedTest, FileTarget};
use harness::mapping::notapp::{self, NaEntry};
use harness::mapping::{validate, workspace};

fn lib_target(modules: &[&str]) -> FileTarget {
    FileTarget {
        binary: "server".into(),
        modules: modules.iter().map(|s| s.to_string()).collect(),
    }
}

fn scan(text: &str) -> (Vec<ClaimedTest>, Vec<String>) {
    let (tests, errors) = scan_file(text, "server/src/a.rs", &lib_target(&["a"]));
    (tests, errors.iter().map(|e| e.to_string()).collect())
}

fn keys(t: &ClaimedTest) -> Vec<&str> {
    t.claims.iter().map(|c| c.0.as_str()).collect()
}

#[test]
fn claims_with_doc_comments_attributes_and_several_keys() {
    let src = r#"
#[cfg(test)]
mod tests {
    use super::*;

    /// Publishes to plain and queue subscribers.
    // go: server/TestClientSimplePubSub
    // go: server/TestClientPubWithQueueSub
    /// More docs after the claims.
    #[tokio::test(flavor = "multi_thread")]
    #[cfg_attr(
        miri,
        ignore
    )]
    async fn publish_reaches_everyone() {
        let s = "// go: server/TestInsideAString";
    }

    // go: test/TestProtoBasics
    #[test] fn same_line_attribute() {}

    /// go: conf/TestDocForm
    #[test]
    #[ignore = "slow"]
    pub(crate) fn doc_comment_form_and_ignored() {}

    #[test]
    fn unclaimed() {}
}
"#;
    let (tests, errors) = scan(src);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(tests.len(), 3);
    assert_eq!(tests[0].path, "a::tests::publish_reaches_everyone");
    assert_eq!(tests[0].binary, "server");
    assert_eq!(
        keys(&tests[0]),
        [
            "server/TestClientSimplePubSub",
            "server/TestClientPubWithQueueSub"
        ]
    );
    assert_eq!(tests[0].claims[0].1, 7, "claim line numbers are kept");
    assert_eq!(tests[0].line, 15);
    assert!(
        !tests[0].ignored,
        "cfg_attr(miri, ignore) is not a plain #[ignore]"
    );
    assert_eq!(tests[1].path, "a::tests::same_line_attribute");
    assert_eq!(keys(&tests[1]), ["test/TestProtoBasics"]);
    assert_eq!(keys(&tests[2]), ["conf/TestDocForm"]);
    assert!(tests[2].ignored);
}

#[test]
fn typos_are_rejected_with_the_right_form() {
    for (line, expect) in [
        ("// go:server/TestX", "malformed claim"),
        ("//go: server/TestX", "malformed claim"),
        ("// Go: server/TestX", "malformed claim"),
        ("// go : server/TestX", "malformed claim"),
        ("// go:  server/TestX", "malformed claim"),
        ("// go: TestX", "has no package dir"),
        (
            "// go: server/TestX server/TestY",
            "one `// go:` line per Go test",
        ),
        (
            "// go: server/TestX, server/TestY",
            "one `// go:` line per Go test",
        ),
        ("// go: server/", "malformed test name"),
        ("// Go: server/TestX_y", "malformed claim"),
        ("//go: server/Benchmark_Foo", "malformed claim"),
        ("// go: ser ver/TestX", "one `// go:` line"),
        ("// go: server//TestX", "malformed package dir"),
        ("//! go: server/TestX", "inner doc comment"),
    ] {
        match parse_claim_line(line) {
            Some(Err(m)) => assert!(m.contains(expect), "{line}: {m}"),
            other => panic!("{line}: expected an error, got {other:?}"),
        }
    }
    assert_eq!(
        parse_claim_line("// go: server/stree/TestSubjectTreeBasics"),
        Some(Ok("server/stree/TestSubjectTreeBasics".into()))
    );
    for prose in [
        "// going: nowhere",
        "// Go test ported below",
        "// see go.mod",
        "let x = 1;",
        "//! Go: `ConfigureOptions` in server/opts.go and `main` in main.go.",
        "// Go: ProcessCommandLineArgs looks at the first argument after the flags.",
        "/// Go: mirrors Testing helpers and TestsFoo",
        "// go:",
    ] {
        assert_eq!(parse_claim_line(prose), None, "{prose}");
    }
}

#[test]
fn misplaced_claims_are_errors() {
    let src = "// go: server/TestBlank\n\n#[test]\nfn a() {}\n\n// go: server/TestNotATest\nfn helper() {}\n\n// go: server/TestCode\nlet x = 1;\n#[test]\nfn b() {}\n\n// go: server/TestTwice\n// go: server/TestTwice\n#[test]\nfn c() {}\n\n// go:server/TestTypo\n#[test]\nfn d() {}\n\n// go: server/TestAtEnd\n";
    let (tests, errors) = scan(src);
    let expected = [
        "server/src/a.rs:1: claim `server/TestBlank` is not directly above a test fn (a blank line separates them)",
        "server/src/a.rs:6: claim `server/TestNotATest` is not directly above a test fn (`fn helper` has no #[test] attribute)",
        "server/src/a.rs:9: claim `server/TestCode` is not directly above a test fn (code sits between them)",
        "server/src/a.rs:15: claim `server/TestTwice` repeated for the same test",
        "server/src/a.rs:19: malformed claim `// go:server/TestTypo`",
        "server/src/a.rs:23: claim `server/TestAtEnd` is not directly above a test fn (the file ends)",
    ];
    assert_eq!(errors.len(), expected.len(), "{errors:#?}");
    for (got, want) in errors.iter().zip(expected) {
        assert!(got.starts_with(want), "got {got}\nwant {want}");
    }
    // The valid claim above c() still counts once; the typo above d() claims nothing.
    assert_eq!(tests.len(), 1);
    assert_eq!(tests[0].path, "a::c");
    assert_eq!(keys(&tests[0]), ["server/TestTwice"]);
}

#[test]
fn claims_inside_strings_and_block_comments_are_not_claims() {
    let src = "const S: &str = r#\"\n// go: server/TestInRaw\n\"#;\n/*\n// go: server/TestInBlock\n*/\n#[test]\nfn t() {}\n";
    let (tests, errors) = scan(src);
    assert!(
        tests.is_empty() && errors.is_empty(),
        "{tests:?} {errors:?}"
    );
}

#[test]
fn workspace_scan_maps_files_to_nextest_binaries() {
    let ws = Ws::new();
    ws.write("server/src/sub/mod.rs", "#[cfg(test)]\nmod tests;\n");
    ws.write(
        "server/src/sub/tests.rs",
        "// go: server/TestA\n#[test]\nfn in_tests_file() {}\n",
    );
    ws.write("server/src/main.rs", "fn main() {}\n#[cfg(test)]\nmod tests {\n    // go: server/TestB\n    #[test]\n    fn flag() {}\n}\n");
    ws.write("server/tests/core/main.rs", "mod pubsub;\n");
    ws.write(
        "server/tests/core/pubsub.rs",
        "// go: test/TestA\n#[tokio::test]\nasync fn pubsub_works() {}\n",
    );
    ws.write(
        "server/tests/single.rs",
        "// go: conf/TestLex\n#[test]\nfn lex() {}\n",
    );
    ws.write(
        "server/benches/b.rs",
        "// go: server/TestC\n#[test]\nfn not_scanned() {}\n",
    );
    let scan = workspace::scan(ws.root()).expect("scan");
    assert!(scan.errors.is_empty(), "{:?}", scan.errors);
    let mut got: Vec<(String, String, String)> = scan
        .tests
        .iter()
        .map(|t| (t.binary.clone(), t.path.clone(), t.file.clone()))
        .collect();
    got.sort();
    let want = [
        (
            "server",
            "sub::tests::in_tests_file",
            "server/src/sub/tests.rs",
        ),
        (
            "server::bin/rnats-server",
            "tests::flag",
            "server/src/main.rs",
        ),
        (
            "server::core",
            "pubsub::pubsub_works",
            "server/tests/core/pubsub.rs",
        ),
        ("server::single", "lex", "server/tests/single.rs"),
    ];
    let want: Vec<(String, String, String)> = want
        .iter()
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
        .collect();
    assert_eq!(got, want, "the harness package and benches are not scanned");
}

#[test]
fn validation_against_the_inventory() {
    let inv = small_inventory();
    let claim = |key: &str| ClaimedTest {
        file: "server/src/a.rs".into(),
        line: 9,
        binary: "server".into(),
        path: "a::t".into(),
        ignored: false,
        claims: vec![(key.to_string(), 8)],
    };
    let na = vec![NaEntry {
        key: "server/TestB".into(),
        reason: "r".into(),
        line: 4,
    }];
    let tests = [
        claim("server/TestA"),
        claim("servr/TestA"),
        claim("server/TestAA"),
        claim("server/TestQQQQQQQQQQQQ"),
        claim("server/TestB"),
    ];
    let problems: Vec<String> = validate(&inv, &tests, &na, "na.tsv")
        .iter()
        .map(|p| p.to_string())
        .collect();
    assert_eq!(problems.len(), 4, "{problems:#?}");
    assert!(
        problems[0].contains("unknown Go package dir `servr`")
            && problems[0].contains("conf, server, test"),
        "{}",
        problems[0]
    );
    assert!(
        problems[1].contains(
            "no Go test `server/TestAA` in inventory v2.15; did you mean `server/TestA`?"
        ),
        "{}",
        problems[1]
    );
    assert!(
        problems[2].contains("no Go test `server/TestQQQQQQQQQQQQ`")
            && !problems[2].contains("did you mean"),
        "{}",
        problems[2]
    );
    assert!(
        problems[3].contains("listed in na.tsv as not applicable"),
        "{}",
        problems[3]
    );
    // A not-applicable key must exist too.
    let bad_na = vec![NaEntry {
        key: "server/TestGone".into(),
        reason: "r".into(),
        line: 7,
    }];
    let problems = validate(&inv, &[], &bad_na, "na.tsv");
    assert_eq!(
        problems[0].to_string(),
        "na.tsv:7: no Go test `server/TestGone` in inventory v2.15"
    );
}

#[test]
fn not_applicable_file_parsing() {
    let text = "# comment\nkey\treason\nserver/TestA\tWindows service control manager\nserver/TestB\t\nserver/TestA\tagain\nno tab here\nbad key\tr\n";
    let (entries, problems) = notapp::parse(text, "na.tsv");
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].line, 3);
    let problems: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
    assert_eq!(problems.len(), 4, "{problems:#?}");
    assert!(problems[0].starts_with("na.tsv:4: `server/TestB` has no reason"));
    assert!(problems[1].starts_with("na.tsv:5: `server/TestA` is listed twice"));
    assert!(problems[2].starts_with("na.tsv:6: expected `<key><TAB><reason>`"));
    assert!(
        problems[3].starts_with("na.tsv:7: claim `bad key` has no package dir")
            || problems[3].contains("bad key")
    );
}
