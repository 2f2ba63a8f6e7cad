//! Import cycles and export approval (Go's `test/accounts_cycles_test.go`, `TestImportAuthorized`):
//! configurations whose imports would loop are refused with Go's text, look-alikes are accepted, the
//! cycle search stops at Go's depth limit, and an export approves importers by subject, account list
//! and account token position.

use crate::accounts_config::err_text;
use crate::config_opts::load_text;
use server::accounts::check::{check, export_approved};
use server::accounts::config::{AccountConfig, Export, ServiceImport, StreamImport};

/// Cycle configurations of Go's `test/accounts_cycles_test.go`.
fn assert_cycle(conf: &str) {
    let e = err_text(conf);
    assert!(e.contains("import forms a cycle"), "{e}");
}

fn assert_no_cycle(conf: &str) {
    load_text(conf).0.expect("no cycle");
}

// go: test/TestAccountCycleService
#[test]
fn service_import_cycles_are_refused() {
    assert_cycle(
        "accounts {
  A { exports [ { service: help } ], imports [ { service { subject: help, account: B } } ] }
  B { exports [ { service: help } ], imports [ { service { subject: help, account: A } } ] }
}",
    );
    assert_cycle(
        "accounts {
  A { exports [ { service: * } ], imports [ { service { subject: help, account: B } } ] }
  B { exports [ { service: help } ], imports [ { service { subject: *, account: A } } ] }
}",
    );
    assert_cycle(
        "accounts {
  A { exports [ { service: * } ], imports [ { service { subject: help, account: B } } ] }
  B { exports [ { service: help } ], imports [ { service { subject: help, account: C } } ] }
  C { exports [ { service: * } ], imports [ { service { subject: *, account: A } } ] }
}",
    );
}

// go: test/TestAccountCycleStream
#[test]
fn stream_import_cycles_are_refused() {
    assert_cycle(
        "accounts {
  A { exports [ { stream: strm } ], imports [ { stream { subject: strm, account: B } } ] }
  B { exports [ { stream: strm } ], imports [ { stream { subject: strm, account: A } } ] }
}",
    );
}

// go: test/TestAccountCycleStreamWithMapping
#[test]
fn stream_cycle_through_a_renamed_import_is_refused() {
    assert_cycle(
        "accounts {
  A { exports [ { stream: * } ], imports [ { stream { subject: bar, account: B } } ] }
  B { exports [ { stream: bar } ], imports [ { stream { subject: foo, account: A }, to: bar } ] }
}",
    );
}

// go: test/TestAccountCycleNonCycleStreamWithMapping
#[test]
fn renamed_stream_imports_without_a_cycle_are_accepted() {
    assert_no_cycle(
        "accounts {
  A { exports [ { stream: foo } ], imports [ { stream { subject: bar, account: B } } ] }
  B { exports [ { stream: bar } ], imports [ { stream { subject: baz, account: C }, to: bar } ] }
  C { exports [ { stream: baz } ], imports [ { stream { subject: foo, account: A }, to: bar } ] }
}",
    );
}

// go: test/TestAccountCycleServiceCycleWithMapping
#[test]
fn service_cycle_through_renamed_imports_is_refused() {
    assert_cycle(
        "accounts {
  A { exports [ { service: a } ], imports [ { service { subject: b, account: B }, to: a } ] }
  B { exports [ { service: b } ], imports [ { service { subject: a, account: A }, to: b } ] }
}",
    );
}

// go: test/TestAccountCycleServiceNonCycle
#[test]
fn service_imports_on_other_subjects_are_no_cycle() {
    assert_no_cycle(
        "accounts {
  A { exports [ { service: * } ], imports [ { service { subject: help, account: B } } ] }
  B { exports [ { service: help } ], imports [ { service { subject: nohelp, account: C } } ] }
  C { exports [ { service: * } ], imports [ { service { subject: *, account: A } } ] }
}",
    );
}

// go: test/TestAccountCycleServiceNonCycleChain
#[test]
fn a_chain_of_service_imports_is_no_cycle() {
    assert_no_cycle(
        "accounts {
  A { exports [ { service: help } ], imports [ { service { subject: help, account: B } } ] }
  B { exports [ { service: help } ], imports [ { service { subject: help, account: C } } ] }
  C { exports [ { service: help } ], imports [ { service { subject: help, account: D } } ] }
  D { exports [ { service: help } ] }
}",
    );
}

// go: test/TestAccountCycleWithRenaming
#[test]
fn cycles_through_placeholder_renames_are_refused() {
    assert_cycle(
        "accounts {
  A { exports [ { service: * } ], imports [ { service { subject: foo, account: B }, to: foo } ] }
  B { exports [ { service: foo } ], imports [ { service { subject: *, account: A }, to: \"$1\" } ] }
}",
    );
    assert_cycle(
        "accounts {
  A { exports [ { stream: * } ], imports [ { stream { subject: foo, account: B }, to: foo } ] }
  B { exports [ { stream: foo } ], imports [ { stream { subject: *, account: A }, to: \"$1\" } ] }
}",
    );
}

// go: test/TestAccountCycleServiceMissedDueToFromMutation
#[test]
fn a_narrower_import_seen_first_does_not_hide_a_service_cycle() {
    assert_cycle(
        "accounts {
  A {
    exports [ { service: * } ]
    imports [
      { service { subject: narrow, account: C } }
      { service { subject: other, account: D } }
    ]
  }
  C { exports [ { service: narrow } ] }
  D { exports [ { service: other } ], imports [ { service { subject: other, account: E } } ] }
  E { exports [ { service: * } ], imports [ { service { subject: *, account: A } } ] }
}",
    );
}

// go: test/TestAccountCycleStreamMissedDueToToMutation
#[test]
fn a_narrower_import_seen_first_does_not_hide_a_stream_cycle() {
    assert_cycle(
        "accounts {
  A {
    exports [ { stream: * } ]
    imports [
      { stream { subject: narrow, account: C }, to: narrow }
      { stream { subject: other, account: D }, to: other }
    ]
  }
  C { exports [ { stream: narrow } ] }
  D { exports [ { stream: other } ], imports [ { stream { subject: other, account: E }, to: other } ] }
  E { exports [ { stream: * } ], imports [ { stream { subject: *, account: A } } ] }
}",
    );
}

// go: test/TestAccountCycleDepthLimit
#[test]
fn the_cycle_search_stops_at_its_depth_limit() {
    // A chain one longer than Go's MaxAccountCycleSearchDepth (1024): each account imports from the
    // one before it, so only the last import's search runs out of depth.
    let chain = 1025;
    let services: Vec<AccountConfig> = (1..=chain)
        .map(|i| {
            let mut a = AccountConfig::new(&format!("ACC-{i}"));
            a.service_exports.push(Export {
                subject: "*".into(),
                ..Export::default()
            });
            if i > 1 {
                a.service_imports.push(ServiceImport {
                    account: format!("ACC-{}", i - 1),
                    subject: "foo".into(),
                    to: "foo".into(),
                    share: false,
                    token: String::new(),
                });
            }
            a
        })
        .collect();
    assert_eq!(
        run_big(move || check(&services, false)),
        ["Error adding service import \"foo\": search cycle depth exhausted"]
    );
    let streams: Vec<AccountConfig> = (1..=chain)
        .map(|i| {
            let mut a = AccountConfig::new(&format!("ACC-{i}"));
            a.stream_exports.push(Export {
                subject: "foo".into(),
                ..Export::default()
            });
            if i > 1 {
                a.stream_imports.push(StreamImport {
                    account: format!("ACC-{}", i - 1),
                    subject: "foo".into(),
                    ..StreamImport::default()
                });
            }
            a
        })
        .collect();
    assert_eq!(
        run_big(move || check(&streams, false)),
        ["Error adding stream import \"foo\": search cycle depth exhausted"]
    );
}

/// Run `f` on a thread with the stack of the server's main thread (the search recurses per account).
fn run_big<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(8 << 20)
        .spawn(f)
        .expect("thread")
        .join()
        .expect("no panic")
}

fn public(subject: &str) -> Export {
    Export {
        subject: subject.into(),
        ..Export::default()
    }
}

fn to(subject: &str, accounts: &[&str]) -> Export {
    Export {
        subject: subject.into(),
        accounts: Some(accounts.iter().map(|a| a.to_string()).collect()),
        ..Export::default()
    }
}

fn at_position(subject: &str, pos: u32) -> Export {
    Export {
        subject: subject.into(),
        accounts: Some(Vec::new()),
        account_token_position: pos,
        ..Export::default()
    }
}

// go: server/TestImportAuthorized
#[test]
fn import_authorization_by_subject_account_and_token_position() {
    let bar = "$bar";
    let cases = |exports: &[Export], want: &[(&str, bool)]| {
        for (subject, ok) in want {
            assert_eq!(
                export_approved(exports, bar, subject, &|_| false),
                *ok,
                "{subject} against {:?}",
                exports.iter().map(|e| &e.subject).collect::<Vec<_>>()
            );
        }
    };
    cases(
        &[],
        &[
            ("foo", false),
            ("*", false),
            (">", false),
            ("foo.*", false),
            ("foo.>", false),
        ],
    );
    let mut exports = vec![public("foo")];
    cases(&exports, &[("foo", true), ("bar", false), ("*", false)]);
    exports.push(to("*", &[bar]));
    cases(
        &exports,
        &[
            ("foo", true),
            ("bar", true),
            ("baz", true),
            ("foo.bar", false),
            (">", false),
            ("*", true),
            ("foo.*", false),
            ("*.*", false),
            ("*.>", false),
        ],
    );
    cases(
        &[public(">")],
        &[
            ("foo", true),
            ("bar", true),
            ("baz", true),
            ("foo.bar", true),
            (">", true),
            ("*", true),
            ("foo.*", true),
            ("*.*", true),
            ("*.>", true),
        ],
    );
    // The importing account's name at a token position.
    let streams = [at_position("foo.*", 2), at_position("bar.*.foo", 2)];
    cases(
        &streams,
        &[
            ("foo.$bar", true),
            ("bar.$bar.foo", true),
            ("baz.foo.$bar", false),
            ("foo.X", false),
            ("bar.X.foo", false),
            ("baz.foo.X", false),
        ],
    );
    let services = [at_position("a.*", 2), at_position("b.*.a", 2)];
    cases(
        &services,
        &[
            ("a.$bar", true),
            ("b.$bar.a", true),
            ("c.a.$bar", false),
            ("a.X", false),
            ("b.X.a", false),
            ("c.a.X", false),
        ],
    );
    // A position that is not a `*` token is refused when the export is added.
    for kind in ["stream", "service"] {
        let e = err_text(&format!(
            "accounts {{\n  foo {{ exports [ {{ {kind}: \"baz.*.>\", account_token_position: 3 }} ] }}\n}}\n"
        ));
        assert_eq!(
            e,
            format!("conf:1:0: Error adding {kind} export \"baz.*.>\": sublist: invalid subject\n")
        );
    }
    // Partial and full wildcards in one export, approved for one account only.
    let exports = [to("foo.*.baz.>", &[bar])];
    cases(
        &exports,
        &[
            ("foo.bar.baz.1", true),
            ("foo.bar.baz.*", true),
            ("foo.*.baz.1.1", true),
            ("foo.22.baz.22", true),
            ("foo.bar.baz", false),
            ("", false),
            ("foo.bar.*.*", false),
        ],
    );
    for other in ["foobar", "baz"] {
        assert!(!export_approved(&exports, other, "foo.bar.baz.1", &|_| {
            false
        }));
    }
}
