//! Accounts on a running server (Go's `accounts_test.go`): isolation between accounts and stream
//! imports — prefixes, wildcard imports that deliver on the published subject, several imports under
//! one wildcard subscription, and the shadow subscriptions an import places in the exporting account's
//! subject index (counted there, and removed on UNSUB and on close). Accounts come from config files,
//! clients log in over the raw protocol.

use crate::config_opts::load_text;
use crate::support::*;
use server::ServerHandle;

/// Start an in-process server from config `text` (the directory holding the file is returned too).
pub async fn acc_server(text: &str) -> (ServerHandle, TempDir) {
    let (r, _, dir) = load_text(text);
    let mut o = r.expect("config loads");
    o.no_signals = true;
    o.no_log = true;
    o.host = "127.0.0.1".into();
    o.port = server::consts::RANDOM_PORT;
    (start(o).await, dir)
}

/// A quiet client logged in as `user`, after a PING/PONG round trip.
pub async fn login(h: &ServerHandle, user: &str, pass: &str) -> Raw {
    let mut r = Raw::connected(
        h,
        &format!(
            r#"{{"verbose":false,"pedantic":false,"headers":true,"user":"{user}","pass":"{pass}"}}"#
        ),
    )
    .await;
    r.send(b"PING\r\n").await;
    r.expect(b"PONG\r\n").await;
    r
}

/// Subscriptions in account `name`'s subject index (its clients' and the shadows placed there),
/// leaving out the system imports every account has.
pub fn count(h: &ServerHandle, name: &str) -> u32 {
    let mut all = Vec::new();
    h.shared
        .accounts
        .get(name)
        .unwrap_or_else(|| panic!("no account {name}"))
        .sublist
        .all(&mut all);
    // The system account's service imports (Go's registerSystemImports) are there from the start.
    all.iter()
        .filter(|s| !s.subject.starts_with(b"$SYS."))
        .count() as u32
}

/// Send `ops` then a PING, and wait for its PONG: the server has processed the ops.
pub async fn sync(r: &mut Raw, ops: &str) {
    r.send(format!("{ops}PING\r\n").as_bytes()).await;
    r.expect(b"PONG\r\n").await;
}

const FOO_BAR: &str = "
accounts {
  foo { users = [ {user: foo, password: foo} ] }
  bar { users = [ {user: bar, password: bar} ] }
}
";

// go: server/TestAccountIsolation
#[tokio::test]
async fn messages_do_not_cross_accounts() {
    let (h, _d) = acc_server(FOO_BAR).await;
    let mut foo = login(&h, "foo", "foo").await;
    let mut bar = login(&h, "bar", "bar").await;
    // Each client is bound to its own account.
    let mut names: Vec<String> = h
        .shared
        .clients_snapshot()
        .iter()
        .filter_map(|c| c.account().map(|a| a.name.clone()))
        .collect();
    names.sort();
    assert_eq!(names, ["bar", "foo"]);
    sync(&mut bar, "SUB foo 1\r\n").await;
    foo.send(b"SUB foo 1\r\nPUB foo 5\r\nhello\r\nPING\r\n")
        .await;
    foo.expect(b"MSG foo 1 5\r\nhello\r\nPONG\r\n").await;
    // Nothing shows up for the subscriber in the other account.
    bar.expect_open_and_idle().await;
    assert_eq!((count(&h, "foo"), count(&h, "bar")), (1, 1));
}

// go: server/TestMultiAccountsIsolation
#[tokio::test]
async fn importers_of_different_exports_see_only_their_own() {
    let (h, _d) = acc_server(
        "
	listen: 127.0.0.1:-1
	accounts: {
		PUBLIC: {
			users:[{user: public, password: public}]
			exports: [
			  { stream: orders.client.stream.> }
			  { stream: orders.client2.stream.> }
			]
		}
		CLIENT: {
			users:[{user: client, password: client}]
			imports: [
			  { stream: { account: PUBLIC, subject: orders.client.stream.> }}
			]
		}
		CLIENT2: {
			users:[{user: client2, password: client2}]
			imports: [
			  { stream: { account: PUBLIC, subject: orders.client2.stream.> }}
			]
		}
	}",
    )
    .await;
    let mut client = login(&h, "client", "client").await;
    sync(&mut client, "SUB orders.> 1\r\n").await;
    let mut client2 = login(&h, "client2", "client2").await;
    sync(&mut client2, "SUB orders.> 1\r\n").await;
    let mut public = login(&h, "public", "public").await;
    sync(&mut public, "PUB orders.client.stream.entry 5\r\ntest1\r\n").await;
    client
        .expect(b"MSG orders.client.stream.entry 1 5\r\ntest1\r\n")
        .await;
    client2.expect_open_and_idle().await;

    sync(&mut client, "UNSUB 1\r\n").await;
    sync(&mut client2, "UNSUB 1\r\n").await;
    sync(&mut client, "SUB orders.*.stream.entry 2\r\n").await;
    sync(&mut client2, "SUB orders.*.stream.entry 2\r\n").await;
    sync(&mut public, "PUB orders.client.stream.entry 5\r\ntest2\r\n").await;
    client
        .expect(b"MSG orders.client.stream.entry 2 5\r\ntest2\r\n")
        .await;
    client2.expect_open_and_idle().await;
}

// go: server/TestNewAccountAndRequireNewAlwaysError
#[tokio::test]
async fn connect_may_not_name_an_account() {
    let (h, _d) = acc_server(
        "
		listen: 127.0.0.1:-1
		accounts: {
			A: { users: [ {user: ua, password: pa} ] },
			B: { users: [ {user: ub, password: pb} ] },
		}",
    )
    .await;
    let mut ok = Raw::connected(&h, r#"{"user":"ua", "pass":"pa"}"#).await;
    ok.expect(b"+OK\r\n").await;
    for extra in [
        r#""account":"ANY""#,
        r#""new_account":true"#,
        r#""account":"B""#,
        r#""account":"A""#,
    ] {
        let mut c = Raw::connected(&h, &format!(r#"{{"user":"ua", "pass":"pa", {extra}}}"#)).await;
        c.expect_close_after(b"-ERR 'Authorization Violation'\r\n")
            .await;
    }
}

const SIMPLE_MAPPING: &str = "
accounts {
  foo { users = [ {user: foo, password: foo} ], exports = [ {stream: foo} ] }
  bar {
    users = [ {user: bar, password: bar} ]
    imports = [ {stream: {account: foo, subject: foo}, prefix: import} ]
  }
}
";

// go: server/TestSimpleMapping
#[tokio::test]
async fn prefixed_import_delivers_to_plain_and_queue_subscribers_and_unsubscribes_cleanly() {
    // Importing what the other account does not export is refused.
    let (r, _, _d) = load_text(
        "accounts {\n  foo {}\n  bar { imports = [ {stream: {account: foo, subject: foo}, prefix: import} ] }\n}\n",
    );
    let e = r.expect_err("no export").to_string();
    assert!(
        e.ends_with(": Error adding stream import \"foo\": stream import not authorized\n"),
        "{e}"
    );

    let (h, _d) = acc_server(SIMPLE_MAPPING).await;
    let mut foo = login(&h, "foo", "foo").await;
    let mut bar = login(&h, "bar", "bar").await;
    sync(&mut bar, "SUB import.foo 1\r\nSUB import.foo bar 2\r\n").await;
    foo.send(b"PUB foo 5\r\nhello\r\n").await;
    let mut got = [bar.read_line().await, String::new()];
    bar.expect(b"hello\r\n").await;
    got[1] = bar.read_line().await;
    bar.expect(b"hello\r\n").await;
    got.sort();
    assert_eq!(got, ["MSG import.foo 1 5\r\n", "MSG import.foo 2 5\r\n"]);
    // Two subscriptions in bar, and their two shadows in foo.
    assert_eq!((count(&h, "bar"), count(&h, "foo")), (2, 2));
    sync(&mut bar, "UNSUB 1\r\nUNSUB 2\r\n").await;
    assert_eq!((count(&h, "bar"), count(&h, "foo")), (0, 0));
}

// go: server/TestShadowSubsCleanupOnClientClose
#[tokio::test]
async fn shadow_subscriptions_go_when_the_importing_client_closes() {
    let (h, _d) = acc_server(SIMPLE_MAPPING).await;
    let mut bar = login(&h, "bar", "bar").await;
    sync(&mut bar, "SUB import.foo 1\r\nSUB import.foo bar 2\r\n").await;
    assert_eq!(count(&h, "foo"), 2);
    drop(bar);
    wait_for("shadows removed", || count(&h, "foo") == 0).await;
    assert_eq!(count(&h, "bar"), 0);
}

/// foo exports everything to bar; bar imports `import` (with `extra` on the import).
fn wildcard_export(import: &str, extra: &str) -> String {
    format!(
        "
accounts {{
  foo {{ users = [ {{user: foo, password: foo}} ], exports = [ {{stream: \">\", accounts: [bar]}} ] }}
  bar {{
    users = [ {{user: bar, password: bar}} ]
    imports = [ {{stream: {{account: foo, subject: \"{import}\"}} {extra}}} ]
  }}
}}
"
    )
}

// go: server/TestNoPrefixWildcardMapping
#[tokio::test]
async fn wildcard_import_without_prefix_delivers_on_the_published_subject() {
    let (h, _d) = acc_server(&wildcard_export("*", "")).await;
    let mut foo = login(&h, "foo", "foo").await;
    let mut bar = login(&h, "bar", "bar").await;
    sync(&mut bar, "SUB foo 1\r\n").await;
    foo.send(b"PUB foo 5\r\nhello\r\n").await;
    bar.expect(b"MSG foo 1 5\r\nhello\r\n").await;
}

// go: server/TestPrefixWildcardMapping
#[tokio::test]
async fn wildcard_import_with_a_dotted_prefix_reaches_a_wildcard_subscriber() {
    // A trailing dot on the prefix is accepted and not doubled.
    let (h, _d) = acc_server(&wildcard_export("*", ", prefix: \"pub.imports.\"")).await;
    let mut foo = login(&h, "foo", "foo").await;
    let mut bar = login(&h, "bar", "bar").await;
    sync(&mut bar, "SUB pub.imports.* 1\r\n").await;
    foo.send(b"PUB foo 5\r\nhello\r\n").await;
    bar.expect(b"MSG pub.imports.foo 1 5\r\nhello\r\n").await;
}

// go: server/TestPrefixWildcardMappingWithLiteralSub
#[tokio::test]
async fn wildcard_import_with_a_prefix_reaches_a_literal_subscriber() {
    let (h, _d) = acc_server(&wildcard_export("*", ", prefix: \"pub.imports.\"")).await;
    let mut foo = login(&h, "foo", "foo").await;
    let mut bar = login(&h, "bar", "bar").await;
    sync(&mut bar, "SUB pub.imports.foo 1\r\n").await;
    foo.send(b"PUB foo 5\r\nhello\r\n").await;
    bar.expect(b"MSG pub.imports.foo 1 5\r\nhello\r\n").await;
}

// go: server/TestMultipleImportsAndSingleWCSub
#[tokio::test]
async fn one_wildcard_subscription_covers_two_prefixed_imports() {
    let (h, _d) = acc_server(
        "
accounts {
  foo {
    users = [ {user: foo, password: foo} ]
    exports = [ {stream: foo, accounts: [bar]}, {stream: bar, accounts: [bar]} ]
  }
  bar {
    users = [ {user: bar, password: bar} ]
    imports = [
      {stream: {account: foo, subject: foo}, prefix: \"pub.\"}
      {stream: {account: foo, subject: bar}, prefix: \"pub.\"}
    ]
  }
}
",
    )
    .await;
    let mut foo = login(&h, "foo", "foo").await;
    let mut bar = login(&h, "bar", "bar").await;
    sync(&mut bar, "SUB pub.* 1\r\n").await;
    foo.send(b"PUB foo 5\r\nhello\r\nPUB bar 5\r\nworld\r\n")
        .await;
    bar.expect(b"MSG pub.foo 1 5\r\nhello\r\nMSG pub.bar 1 5\r\nworld\r\n")
        .await;
    // One subscription in bar, a shadow per import in foo.
    assert_eq!((count(&h, "foo"), count(&h, "bar")), (2, 1));
    sync(&mut bar, "UNSUB 1\r\n").await;
    assert_eq!((count(&h, "foo"), count(&h, "bar")), (0, 0));
}

// go: server/TestStreamImportLengthBug
#[tokio::test]
async fn prefix_may_not_hold_wildcards_but_a_literal_prefix_works_under_a_full_wildcard() {
    let (r, _, _d) = load_text(
        "
	accounts {
	  foo {
	    exports = [{stream: \"client.>\"}]
	  }
	  bar {
	    imports = [{stream: {account: \"foo\", subject:\"client.>\"}, prefix:\"events.>\"}]
	  }
	}
	",
    );
    let e = r.expect_err("wildcard prefix").to_string();
    assert!(
        e.ends_with(": Error adding stream import \"client.>\": stream import prefix can not contain wildcard tokens\n"),
        "{e}"
    );
    let (h, _d) = acc_server(
        "
accounts {
  foo { users = [ {user: foo, password: foo} ], exports = [ {stream: \"client.>\"} ] }
  bar {
    users = [ {user: bar, password: bar} ]
    imports = [ {stream: {account: foo, subject: \"client.>\"}, prefix: events} ]
  }
}
",
    )
    .await;
    let mut foo = login(&h, "foo", "foo").await;
    let mut bar = login(&h, "bar", "bar").await;
    sync(&mut bar, "SUB events.> 1\r\n").await;
    foo.send(b"PUB client.a.b 2\r\nhi\r\n").await;
    bar.expect(b"MSG events.client.a.b 1 2\r\nhi\r\n").await;
}

/// `import` imports `test` from both foo and bar, with `foo_extra`/`bar_extra` on each import.
fn two_exporters(foo_extra: &str, bar_extra: &str) -> String {
    format!(
        "
accounts {{
  foo {{ users = [ {{user: foo, password: foo}} ], exports = [ {{stream: test}} ] }}
  bar {{ users = [ {{user: bar, password: bar}} ], exports = [ {{stream: test}} ] }}
  import {{
    users = [ {{user: imp, password: imp}} ]
    imports = [
      {{stream: {{account: foo, subject: test}} {foo_extra}}}
      {{stream: {{account: bar, subject: test}} {bar_extra}}}
    ]
  }}
}}
"
    )
}

// go: server/TestMultipleStreamImportsWithSameSubjectDifferentPrefix
#[tokio::test]
async fn same_subject_imported_from_two_accounts_under_two_prefixes() {
    let (h, _d) = acc_server(&two_exporters(", prefix: foo", ", prefix: bar")).await;
    let mut imp = login(&h, "imp", "imp").await;
    sync(&mut imp, "SUB *.test 1\r\n").await;
    let mut bar = login(&h, "bar", "bar").await;
    let mut foo = login(&h, "foo", "foo").await;
    bar.send(b"PUB test 9\r\nhello-bar\r\n").await;
    imp.expect(b"MSG bar.test 1 9\r\nhello-bar\r\n").await;
    foo.send(b"PUB test 9\r\nhello-foo\r\n").await;
    imp.expect(b"MSG foo.test 1 9\r\nhello-foo\r\n").await;
}

// go: server/TestMultipleStreamImportsWithSameSubject
#[tokio::test]
async fn same_subject_imported_from_two_accounts_but_not_twice_from_one() {
    let (r, _, _d) = load_text(
        "accounts {\n  foo { exports = [ {stream: test} ] }\n  import { imports = [ {stream: {account: foo, subject: test}}, {stream: {account: foo, subject: test}} ] }\n}\n",
    );
    let e = r.expect_err("duplicate").to_string();
    assert!(
        e.ends_with(": Error adding stream import \"test\": stream import already exists\n"),
        "{e}"
    );
    let (h, _d) = acc_server(&two_exporters("", "")).await;
    let mut imp = login(&h, "imp", "imp").await;
    sync(&mut imp, "SUB test 1\r\n").await;
    let mut bar = login(&h, "bar", "bar").await;
    let mut foo = login(&h, "foo", "foo").await;
    bar.send(b"PUB test 9\r\nhello-bar\r\n").await;
    imp.expect(b"MSG test 1 9\r\nhello-bar\r\n").await;
    foo.send(b"PUB test 9\r\nhello-foo\r\n").await;
    imp.expect(b"MSG test 1 9\r\nhello-foo\r\n").await;
}

// go: server/TestImportSubscriptionPartialOverlapWithPrefix
#[tokio::test]
async fn subscriptions_partly_overlapping_a_prefixed_import_receive_it() {
    let (h, _d) = acc_server(
        "
listen: 127.0.0.1:-1
accounts: {
  ACCOUNT_X: {
	users: [
	  {user: publisher}
	]
	exports: [
	  {stream: >}
	]
  },
  ACCOUNT_Y: {
	users: [
	  {user: subscriber}
	]
	imports: [
	  {stream: {account: ACCOUNT_X, subject: > }, prefix: myprefix}
	]
  }
}",
    )
    .await;
    let mut x = login(&h, "publisher", "").await;
    let mut y = login(&h, "subscriber", "").await;
    for (i, subj) in [
        ">",
        "myprefix.*",
        "myprefix.>",
        "myprefix.test",
        "*.>",
        "*.*",
        "*.test",
    ]
    .iter()
    .enumerate()
    {
        sync(&mut y, &format!("SUB {subj} {i}\r\n")).await;
        x.send(b"PUB test 5\r\nhello\r\n").await;
        y.expect(format!("MSG myprefix.test {i} 5\r\nhello\r\n").as_bytes())
            .await;
        // Go's test lets its client drop what follows (AutoUnsubscribe); the server, like Go's, does
        // not count imported messages against a max, so the subscription is removed outright.
        sync(&mut y, &format!("UNSUB {i}\r\n")).await;
    }
    y.expect_open_and_idle().await;
}

/// The configuration of Go's `TestAccountIsolationExportImport` (its `conf` half).
fn isolation_conf(exp: &str, imp: &str) -> String {
    format!(
        "
accounts: {{
  accExp: {{
    users: [{{user: accExp, password: accExp}}]
    exports: [{{stream: \"{exp}\"}}]
  }}
  accImp: {{
    users: [{{user: accImp, password: accImp}}]
    imports: [{{stream: {{account: accExp, subject: \"{imp}\"}}}}]
  }}
}}
"
    )
}

/// Configured exports and imports (the `conf` cases of Go's `TestAccountIsolationExportImport`; its
/// JWT cases need operator mode): the importer's `>` subscription receives the imported subject from
/// both accounts, and an unexported subject only from its own account.
#[tokio::test]
async fn imported_subjects_cross_and_others_stay_isolated() {
    let cases = [
        ("foo", "foo", "foo"),
        ("foo.>", "foo.bar", "foo.bar"),
        ("foo.>", "foo.bar.>", "foo.bar.whizz"),
        ("foo.>", "foo.>", "foo.bar"),
        ("foo.*", "foo.*", "foo.bar"),
        ("foo.*.bar", "foo.*.bar", "foo.whizz.bar"),
    ];
    for (exp, imp, subj) in cases {
        let (h, _d) = acc_server(&isolation_conf(exp, imp)).await;
        let mut e = login(&h, "accExp", "accExp").await;
        let mut i = login(&h, "accImp", "accImp").await;
        sync(&mut i, "SUB > 1\r\n").await;
        sync(&mut e, &format!("PUB {subj} 1\r\ne\r\nPUB fizz 1\r\ne\r\n")).await;
        i.send(format!("PUB {subj} 1\r\ni\r\nPUB fizz 1\r\ni\r\nPING\r\n").as_bytes())
            .await;
        i.expect(
            format!("MSG {subj} 1 1\r\ne\r\nMSG {subj} 1 1\r\ni\r\nMSG fizz 1 1\r\ni\r\nPONG\r\n")
                .as_bytes(),
        )
        .await;
    }
}
