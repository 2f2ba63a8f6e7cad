//! Imports that rename with wildcard placeholders (Go's `accounts_test.go`,
//! `test/accounts_cycles_test.go`): `$N` and `{{wildcard(N)}}` destinations of stream and service
//! imports, subscriptions that only partly overlap a transformed import, and a subject mapping that
//! the cycle search must not mistake for a cycle.

use crate::accounts::{acc_server, login, sync};
use crate::accounts_services::read_msg;
use crate::config_opts::load_text;

// go: server/TestAccountImportsWithWildcardSupport
#[tokio::test]
async fn wildcard_imports_rename_requests_and_streams() {
    let (h, _d) = acc_server(
        "
    accounts {
      foo {
        users = [{user: derek, password: foo}]
        exports = [
          { service: \"request.*\" }
          { stream: \"events.>\" }
          { stream: \"info.*.*.>\" }
        ]
      }
      bar {
        users = [{user: ivan, password: bar}]
        imports = [
          { service: {account: \"foo\", subject:\"request.*\"}, to:\"my.request.*\"}
          { stream:  {account: \"foo\", subject:\"events.>\"}, to:\"foo.events.>\"}
          { stream:  {account: \"foo\", subject:\"info.*.*.>\"}, to:\"foo.info.$2.$1.>\"}
        ]
      }
    }
    ",
    )
    .await;
    let mut foo = login(&h, "derek", "foo").await;
    let mut bar = login(&h, "ivan", "bar").await;
    sync(&mut foo, "SUB request.* t22 1\r\n").await;
    bar.send(b"SUB r 9\r\nPUB my.request.22 r 4\r\nyes?\r\n")
        .await;
    let req = read_msg(&mut foo).await;
    assert_eq!(req.subject, "request.22", "the literal subject");
    foo.send(format!("PUB {} 4\r\nyes!\r\n", req.reply).as_bytes())
        .await;
    bar.expect(b"MSG r 9 4\r\nyes!\r\n").await;

    sync(&mut bar, "SUB foo.events.* 1\r\nSUB foo.info.> 2\r\n").await;
    sync(
        &mut foo,
        "PUB events.22 0\r\n\r\nPUB info.11.22.bar 0\r\n\r\n",
    )
    .await;
    bar.expect(b"MSG foo.events.22 1 0\r\n\r\nMSG foo.info.22.11.bar 2 0\r\n\r\n")
        .await;
}

// go: server/TestAccountImportsWithWildcardSupportStreamAndService
#[tokio::test]
async fn wildcard_imports_reorder_tokens_of_requests_and_streams() {
    let (h, _d) = acc_server(
        "
    accounts {
      foo {
        users = [{user: derek, password: foo}]
        exports = [
          { service: \"$request.*.$in.*.>\" }
          { stream: \"$events.*.$in.*.>\" }
        ]
      }
      bar {
        users = [{user: ivan, password: bar}]
        imports = [
          { service: {account: \"foo\", subject:\"$request.*.$in.*.>\"}, to:\"my.request.$2.$1.>\"}
          { stream:  {account: \"foo\", subject:\"$events.*.$in.*.>\"}, to:\"my.events.$2.$1.>\"}
        ]
      }
    }
    ",
    )
    .await;
    let mut foo = login(&h, "derek", "foo").await;
    let mut bar = login(&h, "ivan", "bar").await;
    sync(&mut foo, "SUB $request.> 1\r\n").await;
    bar.send(b"SUB r 9\r\nPUB my.request.1.2.bar r 4\r\nyes?\r\n")
        .await;
    let req = read_msg(&mut foo).await;
    assert_eq!(req.subject, "$request.2.$in.1.bar");
    foo.send(format!("PUB {} 4\r\nyes!\r\n", req.reply).as_bytes())
        .await;
    bar.expect(b"MSG r 9 4\r\nyes!\r\n").await;
    sync(&mut bar, "SUB my.events.> 1\r\n").await;
    foo.send(b"PUB $events.1.$in.2.bar 0\r\n\r\n").await;
    bar.expect(b"MSG my.events.2.1.bar 1 0\r\n\r\n").await;
}

// go: server/TestImportSubscriptionPartialOverlapWithTransform
#[tokio::test]
async fn subscriptions_partly_overlapping_a_transformed_import_receive_it() {
    let (h, _d) = acc_server(
        "
listen: 127.0.0.1:-1
accounts: {
  ACCOUNT_X: {
	users: [
	  {user: publisher}
	]
	exports: [
	  {stream: *.*.>}
	]
  },
  ACCOUNT_Y: {
	users: [
	  {user: subscriber}
	]
	imports: [
	  {stream: {account: ACCOUNT_X, subject: *.*.> }, to: myprefix.$2.$1.>}
	]
  }
}",
    )
    .await;
    let mut x = login(&h, "publisher", "").await;
    let mut y = login(&h, "subscriber", "").await;
    let subjects = [
        ">",
        "*.*.*.>",
        "*.2.*.>",
        "*.*.1.>",
        "*.2.1.>",
        "*.*.*.*",
        "*.2.1.*",
        "*.*.*.test",
        "*.*.1.test",
        "*.2.*.test",
        "*.2.1.test",
        "myprefix.*.*.*",
        "myprefix.>",
        "myprefix.*.>",
        "myprefix.*.*.>",
        "myprefix.2.>",
        "myprefix.2.1.>",
        "myprefix.*.1.>",
        "myprefix.2.*.>",
        "myprefix.2.1.*",
        "myprefix.*.*.test",
        "myprefix.2.1.test",
    ];
    for (i, subj) in subjects.iter().enumerate() {
        sync(&mut y, &format!("SUB {subj} {i}\r\n")).await;
        x.send(b"PUB 1.2.test 5\r\nhello\r\n").await;
        y.expect(format!("MSG myprefix.2.1.test {i} 5\r\nhello\r\n").as_bytes())
            .await;
        // Go's test lets its client drop the rest (AutoUnsubscribe); unsubscribe outright.
        sync(&mut y, &format!("UNSUB {i}\r\n")).await;
    }
    y.expect_open_and_idle().await;
}

// go: test/TestAccountImportSubjectMapping
#[tokio::test]
async fn an_import_mapping_with_the_wildcard_function_keeps_token_order() {
    let (h, _d) = acc_server(
        "
                port: -1
                accounts {
                  A {
                      users: [{user: a,  pass: x}]
                      imports [ {stream: {account: B, subject: \"foo.*.*\"}, to : \"foo.$1.{{wildcard(2)}}\"}]
                  }
                  B {
                      users: [{user: b, pass x}]
                      exports [ { stream: \">\" } ]
                  }
                }",
    )
    .await;
    let mut a = login(&h, "a", "x").await;
    sync(&mut a, "SUB foo.*.* 1\r\n").await;
    let mut b = login(&h, "b", "x").await;
    let n = 100;
    let pubs: String = (0..n)
        .map(|i| format!("PUB foo.{i}.{} 5\r\nHELLO\r\n", n - i))
        .collect();
    b.send(pubs.as_bytes()).await;
    for i in 0..n {
        a.expect(format!("MSG foo.{i}.{} 1 5\r\nHELLO\r\n", n - i).as_bytes())
            .await;
    }
}

// go: test/TestAccountCycleFalsePositiveSubjectMapping
#[test]
fn a_mapped_import_on_other_subjects_is_no_cycle() {
    load_text(
        "accounts {
  A {
    exports [ { service: \"a.*\" } ]
    imports [ { service { subject: \"a.*\", account: B }, to: \"b.*\" } ]
  }
  B {
    exports [ { service: \"a.*\" } ]
    imports [ { service { subject: \"a.foo\", account: A }, to: \"c.foo\" } ]
  }
}",
    )
    .0
    .expect("no cycle");
}
