//! Service exports and imports on a running server (Go's `accounts_test.go`, `test/services_test.go`,
//! `test/accounts_cycles_test.go`): requests cross into the exporting account with an `_R_.` reply
//! and a `Nats-Request-Info` header, answers come back on the requester's reply subject; no
//! responders, wildcard exports, several exporters of one subject, chains of imports and reloads.
//! Response types and thresholds: `accounts_responses.rs`.

use std::time::Duration;

use futures::StreamExt;
use tokio::time::timeout;

use crate::accounts::{acc_server, login, sync};
use crate::config_opts::load_text;
use crate::support::*;
use server::ServerHandle;

/// One MSG or HMSG read off a raw connection.
pub struct Msg {
    pub subject: String,
    pub sid: String,
    pub reply: String,
    /// The header block (empty for MSG).
    pub header: String,
    pub payload: Vec<u8>,
}

/// Read the next MSG or HMSG.
pub async fn read_msg(r: &mut Raw) -> Msg {
    let line = r.read_line().await;
    let f: Vec<&str> = line.trim_end().split(' ').collect();
    let (hmsg, n) = match f.first() {
        Some(&"MSG") => (false, f.len()),
        Some(&"HMSG") => (true, f.len()),
        _ => panic!("expected MSG or HMSG, got {line:?}"),
    };
    // MSG subj sid [reply] size / HMSG subj sid [reply] hsize size
    let sizes = if hmsg { 2 } else { 1 };
    let reply = if n == 3 + sizes {
        String::new()
    } else {
        f[3].to_string()
    };
    let total: usize = f[n - 1].parse().expect("size");
    let hsize: usize = if hmsg {
        f[n - 2].parse().expect("header size")
    } else {
        0
    };
    let mut body = Vec::new();
    while body.len() < total + 2 {
        let l = r.read_line().await;
        body.extend_from_slice(l.as_bytes());
    }
    assert!(body.ends_with(b"\r\n"), "message ends with CRLF");
    body.truncate(total);
    Msg {
        subject: f[1].to_string(),
        sid: f[2].to_string(),
        reply,
        header: String::from_utf8_lossy(&body[..hsize]).into_owned(),
        payload: body[hsize..].to_vec(),
    }
}

pub async fn nats(h: &ServerHandle, user: &str, pass: &str) -> async_nats::Client {
    async_nats::ConnectOptions::with_user_and_password(user.into(), pass.into())
        .connect(h.client_url())
        .await
        .expect("async-nats connects")
}

/// Answer every request on `subject` with `answer`.
pub async fn respond_with(nc: &async_nats::Client, subject: &str, answer: &'static [u8]) {
    let mut sub = nc.subscribe(subject.to_string()).await.unwrap();
    nc.flush().await.unwrap();
    let nc = nc.clone();
    tokio::spawn(async move {
        while let Some(m) = sub.next().await {
            if let Some(reply) = m.reply {
                let _ = nc.publish(reply, answer.into()).await;
            }
        }
    });
}

pub fn pending(h: &ServerHandle, account: &str) -> usize {
    h.shared
        .accounts
        .get(account)
        .expect("account")
        .num_pending_responses()
}

const FOO_EXPORTS_TEST_REQUEST: &str = "
accounts {
  foo { users = [ {user: foo, password: foo} ], exports = [ {service: test.request} ] }
  bar {
    users = [ {user: bar, password: bar} ]
    imports = [ {service: {account: foo, subject: test.request}, to: foo} ]
  }
}
";

// go: server/TestCrossAccountRequestReply
#[tokio::test]
async fn request_crosses_into_the_exporter_and_the_reply_comes_back() {
    // The exported subject of an import must be valid.
    let (r, _, _d) = load_text(
        "accounts {\n  foo { exports = [ {service: test.request} ] }\n  bar { imports = [ {service: {account: foo, subject: \"test..request.\"}, to: foo} ] }\n}\n",
    );
    let e = r.expect_err("invalid subject").to_string();
    assert!(
        e.ends_with(": Error adding service import \"test..request.\": sublist: invalid subject\n"),
        "{e}"
    );

    let (h, _d) = acc_server(FOO_EXPORTS_TEST_REQUEST).await;
    let mut foo = login(&h, "foo", "foo").await;
    let mut bar = login(&h, "bar", "bar").await;
    sync(&mut foo, "SUB test.request 1\r\n").await;
    bar.send(b"SUB bar 11\r\nPUB foo bar 4\r\nhelp\r\n").await;
    let req = read_msg(&mut foo).await;
    assert_eq!(
        (req.subject.as_str(), req.sid.as_str()),
        ("test.request", "1")
    );
    assert!(req.reply.starts_with("_R_."), "reply {:?}", req.reply);
    assert_eq!(req.payload, b"help");
    foo.send(format!("PUB {} 2\r\n22\r\n", req.reply).as_bytes())
        .await;
    bar.expect(b"MSG bar 11 2\r\n22\r\n").await;
    // A singleton answer ends the pending response.
    wait_for("no pending responses", || pending(&h, "foo") == 0).await;
}

/// foo exports `ngs.update.*` (to `$bar` only unless `public`), `$bar` imports `ngs.update.$bar` as
/// `ngs.update`.
fn wildcard_service(public: bool) -> String {
    let accounts = if public { "" } else { ", accounts: [\"$bar\"]" };
    format!(
        "
accounts {{
  foo {{ users = [ {{user: foo, password: foo}} ], exports = [ {{service: \"ngs.update.*\"{accounts}}} ] }}
  \"$bar\" {{
    users = [ {{user: bar, password: bar}} ]
    imports = [ {{service: {{account: foo, subject: \"ngs.update.$bar\"}}, to: ngs.update}} ]
  }}
}}
"
    )
}

// go: server/TestServiceExportWithWildcards
#[tokio::test]
async fn wildcard_service_export_maps_a_literal_import() {
    for public in [true, false] {
        let (h, _d) = acc_server(&wildcard_service(public)).await;
        let mut foo = login(&h, "foo", "foo").await;
        let mut bar = login(&h, "bar", "bar").await;
        sync(&mut foo, "SUB ngs.update.* 1\r\n").await;
        bar.send(b"SUB reply 11\r\nPUB ngs.update reply 4\r\nhelp\r\n")
            .await;
        let req = read_msg(&mut foo).await;
        assert_eq!(
            (req.subject.as_str(), req.sid.as_str()),
            ("ngs.update.$bar", "1")
        );
        assert!(req.reply.starts_with("_R_."), "reply {:?}", req.reply);
        assert_eq!(req.payload, b"help");
        foo.send(format!("PUB {} 2\r\n22\r\n", req.reply).as_bytes())
            .await;
        bar.expect(b"MSG reply 11 2\r\n22\r\n").await;
        wait_for("no pending responses", || pending(&h, "foo") == 0).await;
    }
}

// go: server/TestServiceImportWithWildcards
#[tokio::test]
async fn wildcard_service_import_keeps_the_published_subject() {
    // A wildcard import cannot be mapped to a literal, nor be broader than the export.
    let conf = |import: &str| {
        format!("accounts {{\n  foo {{ exports = [ {{service: \"test.*\"}} ] }}\n  bar {{ imports = [ {import} ] }}\n}}\n")
    };
    let (r, _, _d) = load_text(&conf(
        "{service: {account: foo, subject: \"test.*\"}, to: foo}",
    ));
    let e = r.expect_err("mapped wildcard").to_string();
    assert!(
        e.ends_with(": Error adding service import \"test.*\": failed to create mapping transform for service import subject from \"foo\" to \"test.*\": invalid mapping destination: not using all of the token wildcard(s) in foo\n"),
        "{e}"
    );
    let (r, _, _d) = load_text(&conf("{service: {account: foo, subject: \"test.>\"}}"));
    let e = r.expect_err("broader").to_string();
    assert!(
        e.ends_with(": Error adding service import \"test.>\": service import not authorized\n"),
        "{e}"
    );

    let (h, _d) = acc_server(
        "
accounts {
  foo { users = [ {user: foo, password: foo} ], exports = [ {service: \"test.*\"} ] }
  bar { users = [ {user: bar, password: bar} ], imports = [ {service: {account: foo, subject: \"test.*\"}} ] }
}
",
    )
    .await;
    let mut foo = login(&h, "foo", "foo").await;
    sync(&mut foo, "SUB test.* 1\r\n").await;
    let mut bar = login(&h, "bar", "bar").await;
    bar.send(b"SUB bar 11\r\nPUB test.22 bar 4\r\nhelp\r\n")
        .await;
    let req = read_msg(&mut foo).await;
    assert_eq!((req.subject.as_str(), req.sid.as_str()), ("test.22", "1"));
    assert!(req.reply.starts_with("_R_."), "reply {:?}", req.reply);
    assert_eq!(req.payload, b"help");
    foo.send(format!("PUB {} 2\r\n22\r\n", req.reply).as_bytes())
        .await;
    bar.expect(b"MSG bar 11 2\r\n22\r\n").await;
}

// go: test/TestServiceAllowResponsesPerms
#[tokio::test]
async fn allow_responses_lets_the_responder_answer_an_import() {
    let (h, _d) = acc_server(
        "
		listen: 127.0.0.1:-1
		accounts: {
		    A: {
		        users: [ {user: a, password: pwd, permissions = {subscribe=foo, allow_responses=true}} ]
		        exports: [ {service: \"foo\"} ]
		    },
		    B: {
		        users: [{user: b, password: pwd} ]
			    imports: [ {service: { account: A, subject: \"foo\"}} ]
		    }
		}",
    )
    .await;
    let nc = nats(&h, "a", "pwd").await;
    respond_with(&nc, "foo", b"Hello").await;
    let nc2 = nats(&h, "b", "pwd").await;
    let resp = timeout(WAIT, nc2.request("foo", "help".into()))
        .await
        .expect("in time")
        .expect("response");
    assert_eq!(&resp.payload[..], b"Hello");
}

// go: server/TestAccountMultipleServiceImportsWithSameSubjectFromDifferentAccounts
#[tokio::test]
async fn one_request_reaches_two_exporters_of_the_same_subject() {
    let (h, _d) = acc_server(
        "
		accounts: {
			SVC-E: {
				users: [ { user:svc-e, password:svc-e } ]
				exports: [ { accounts: [CLIENTS], service: \"SvcReq.>\", response_type: singleton } ]
			}

			SVC-W: {
				users: [ { user:svc-w, password:svc-w } ]
				exports: [ { accounts: [CLIENTS], service: \"SvcReq.>\", response_type: singleton } ]
			}

			CLIENTS: {
				users: [ { user:cl, password:cl } ]
				imports: [
					{ service: { account: SVC-E, subject: \"SvcReq.>\" } }
					{ service: { account: SVC-W, subject: \"SvcReq.>\" } }
				]
			}
		}
		listen: \"127.0.0.1:-1\"",
    )
    .await;
    let e = nats(&h, "svc-e", "svc-e").await;
    respond_with(&e, "SvcReq.>", b"From SVC-E").await;
    let w = nats(&h, "svc-w", "svc-w").await;
    respond_with(&w, "SvcReq.>", b"From SVC-W").await;
    let mut cl = login(&h, "cl", "cl").await;
    cl.send(b"SUB inbox 1\r\nPUB SvcReq.Test inbox 4\r\ntest\r\n")
        .await;
    let mut got = vec![
        read_msg(&mut cl).await.payload,
        read_msg(&mut cl).await.payload,
    ];
    got.sort();
    assert_eq!(got, [b"From SVC-E".to_vec(), b"From SVC-W".to_vec()]);
}

// go: server/TestAccountServiceImportNoResponders
#[tokio::test]
async fn request_through_an_import_without_responders_gets_no_responders() {
    let (h, _d) = acc_server(
        "
				port: -1
				accounts: {
					accExp: {
						users: [{user: accExp, password: accExp}]
						exports: [{service: \"foo\"}]
					}
					accImp: {
						users: [{user: accImp, password: accImp}]
						imports: [{service: {account: accExp, subject: \"foo\"}}]
					}
				}",
    )
    .await;
    let nc = nats(&h, "accImp", "accImp").await;
    let err = timeout(WAIT, nc.request("foo", "request".into()))
        .await
        .expect("answered in time")
        .expect_err("no responders");
    assert_eq!(err.kind(), async_nats::RequestErrorKind::NoResponders);
}

/// A service import of `>` from the importing account's no_auth_user, through `hops` (B, or B then C).
async fn import_everything(conf: &str) {
    let (h, _d) = acc_server(conf).await;
    let nc1 = nats(&h, "x", "x").await;
    respond_with(&nc1, "foo", b"HELLO").await;
    let nc2 = async_nats::connect(h.client_url()).await.unwrap();
    let resp = timeout(WAIT, nc2.request("foo", "".into()))
        .await
        .expect("in time")
        .expect("response");
    assert_eq!(&resp.payload[..], b"HELLO");
}

// go: test/TestServiceImportReplyMatchCycle
#[tokio::test]
async fn importing_every_subject_still_routes_the_reply() {
    import_everything(
        "
		port: -1
		accounts {
		  A {
			users: [{user: d,  pass: x}]
			imports [ {service: {account: B, subject: \">\" }}]
		  }
		  B {
			users: [{user: x,  pass: x}]
		    exports [ { service: \">\" } ]
		  }
		}
		no_auth_user: d",
    )
    .await;
}

// go: test/TestServiceImportReplyMatchCycleMultiHops
#[tokio::test]
async fn importing_every_subject_through_two_hops_still_routes_the_reply() {
    import_everything(
        "
		port: -1
		accounts {
		  A {
			users: [{user: d,  pass: x}]
			imports [ {service: {account: B, subject: \">\" }}]
		  }
		  B {
		    exports [ { service: \">\" } ]
			imports [ {service: {account: C, subject: \">\" }}]
		  }
		  C {
			users: [{user: x,  pass: x}]
		    exports [ { service: \">\" } ]
		  }
		}
		no_auth_user: d",
    )
    .await;
}

const IMPORT_CYCLE: &str = "
	port: -1
	accounts: {
		CP: {
			users: [
				{user: cp, password: cp},
			],
			exports: [
				{service: \"q1.>\", response_type: Singleton},
				{service: \"q2.>\", response_type: Singleton},
				%s
			],
		},
		A: {
			users: [
				{user: a, password: a},
			],
			imports: [
				{service: {account: CP, subject: \"q1.>\"}},
				{service: {account: CP, subject: \"q2.>\"}},
				%s
			]
		},
	}
";

// go: server/TestAccountImportCycle
#[tokio::test]
async fn import_whose_reply_is_also_imported_works_before_and_after_a_reload() {
    let dir = TempDir::new("acc-reload");
    let path = dir.0.join("reload.conf");
    std::fs::write(&path, IMPORT_CYCLE.replace("%s", "")).unwrap();
    let mut o = server::Options::default();
    server::config::options::load_file(&mut o, &path).expect("loads");
    o.no_signals = true;
    o.no_log = true;
    let h = start(o).await;
    let cp = nats(&h, "cp", "cp").await;
    respond_with(&cp, "q1.>", b"reply").await;
    let mut a = login(&h, "a", "a").await;
    sync(&mut a, "SUB q2.inbox 1\r\n").await;
    a.send(b"PUB q1.a q2.inbox 4\r\ntest\r\n").await;
    a.expect(b"MSG q2.inbox 1 5\r\nreply\r\n").await;

    let text = IMPORT_CYCLE
        .replacen("%s", "{service: \"q3.>\", response_type: Singleton},", 1)
        .replacen("%s", "{service: {account: CP, subject: \"q3.>\"}},", 1);
    std::fs::write(&path, text).unwrap();
    h.shared.reload().expect("reload");
    a.send(b"PUB q1.a q2.inbox 4\r\ntest\r\n").await;
    a.expect(b"MSG q2.inbox 1 5\r\nreply\r\n").await;
    // The new import works too.
    let cp3 = nats(&h, "cp", "cp").await;
    respond_with(&cp3, "q3.>", b"three").await;
    a.send(b"PUB q3.a q2.inbox 4\r\ntest\r\n").await;
    a.expect(b"MSG q2.inbox 1 5\r\nthree\r\n").await;
}

/// Not a Go test of its own: the `Nats-Request-Info` header a service import adds, as the Go binary
/// writes it: the requester's account and RTT, and with `share` its connection details too.
#[tokio::test]
async fn request_info_header_names_the_requesting_account() {
    let (h, _d) = acc_server(
        "
accounts {
  foo { users = [ {user: foo, password: foo} ], exports = [ {service: a}, {service: b} ] }
  bar {
    users = [ {user: bar, password: bar} ]
    imports = [ {service: {account: foo, subject: a}}, {service: {account: foo, subject: b}, share: true} ]
  }
}
",
    )
    .await;
    let mut foo = login(&h, "foo", "foo").await;
    sync(&mut foo, "SUB a 1\r\nSUB b 2\r\n").await;
    let mut bar = login(&h, "bar", "bar").await;
    bar.send(b"PUB a r 1\r\nx\r\n").await;
    let m = read_msg(&mut foo).await;
    let info = request_info(&m.header);
    let keys: Vec<&String> = info.as_object().expect("object").keys().collect();
    assert_eq!(keys, ["acc", "rtt"], "{info}");
    assert_eq!(info["acc"], "bar");
    assert_eq!(m.payload, b"x");

    bar.send(b"PUB b r 1\r\ny\r\n").await;
    let m = read_msg(&mut foo).await;
    let info = request_info(&m.header);
    let mut keys: Vec<&String> = info.as_object().expect("object").keys().collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "acc",
            "client_type",
            "host",
            "id",
            "kind",
            "rtt",
            "server",
            "start",
            "user"
        ],
        "{info}"
    );
    assert_eq!(
        (&info["acc"], &info["user"], &info["kind"], &info["host"]),
        (
            &"bar".into(),
            &"bar".into(),
            &"Client".into(),
            &"127.0.0.1".into()
        )
    );
}

fn request_info(header: &str) -> serde_json::Value {
    assert!(header.starts_with("NATS/1.0\r\n"), "{header:?}");
    let line = header
        .lines()
        .find_map(|l| l.strip_prefix("Nats-Request-Info: "))
        .unwrap_or_else(|| panic!("no Nats-Request-Info in {header:?}"));
    serde_json::from_str(line).expect("JSON")
}

// go: server/TestAccountReloadServiceImportPanic
#[tokio::test]
async fn requests_keep_flowing_through_reloads() {
    let dir = TempDir::new("acc-reload-svc");
    let path = dir.0.join("reload.conf");
    std::fs::write(
        &path,
        "
		listen: 127.0.0.1:-1
		accounts {
			A {
				users = [ { user: \"a\", pass: \"p\" } ]
				exports [ { service: \"HELP\" } ]
			}
			B {
				users = [ { user: \"b\", pass: \"p\" } ]
				imports [ { service: { account: A, subject: \"HELP\"} } ]
			}
			$SYS { users = [ { user: \"admin\", pass: \"s3cr3t!\" } ] }
		}
	",
    )
    .unwrap();
    let mut o = server::Options::default();
    server::config::options::load_file(&mut o, &path).expect("loads");
    o.no_signals = true;
    o.no_log = true;
    let h = start(o).await;
    let a = nats(&h, "a", "p").await;
    respond_with(&a, "HELP", b"OK").await;
    let b = nats(&h, "b", "p").await;
    let mut replies = b.subscribe("reply").await.unwrap();
    b.flush().await.unwrap();
    // Keep publishing requests while the configuration is reloaded over and over.
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let publisher = {
        let (b, done) = (b.clone(), done.clone());
        tokio::spawn(async move {
            let mut sent = 0u64;
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                b.publish_with_reply("HELP", "reply", "HELP".into())
                    .await
                    .unwrap();
                sent += 1;
                if sent % 64 == 0 {
                    tokio::task::yield_now().await;
                }
            }
            b.flush().await.unwrap();
            sent
        })
    };
    // Go reloads 1000 times; a few hundred keep the debug-build run short.
    for _ in 0..300 {
        h.shared.reload().expect("reload");
        tokio::task::yield_now().await;
    }
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    let sent = publisher.await.unwrap();
    assert!(sent > 0);
    let mut got = 0u64;
    while got < sent {
        timeout(Duration::from_secs(20), replies.next())
            .await
            .unwrap_or_else(|_| panic!("{got} of {sent} responses"))
            .expect("subscription open");
        got += 1;
    }
}

// go: server/TestAccountServiceAndStreamExportDoubleDelivery
#[tokio::test]
async fn a_subject_exported_as_stream_and_service_is_delivered_once() {
    let (h, _d) = acc_server(
        "
		listen: 127.0.0.1:-1
		accounts: {
			tenant1: {
				jetstream: enabled
				users: [ { user: \"one\", password: \"one\" } ]
				exports: [
					{ stream: \"DW.>\" }
					{ service: \"DW.>\" }
				]
 			}
			global: {
				jetstream: enabled
				users: [ { user: \"global\", password: \"global\" } ]
				imports: [
					{ stream: { account: tenant1, subject: \"DW.>\" }, prefix: tenant1 }
					{ service: { account: tenant1, subject: \"DW.>\" }, to: \"tenant1.DW.>\" }
				]
			}
			$SYS { users = [ { user: \"admin\", pass: \"s3cr3t!\" } ] }
		}
	",
    )
    .await;
    let mut one = login(&h, "one", "one").await;
    sync(&mut one, "SUB > 1\r\n").await;
    one.send(b"PUB DW.test.123 4\r\ntest\r\n").await;
    one.expect(b"MSG DW.test.123 1 4\r\ntest\r\n").await;
    let extra = one.drain_for(Duration::from_millis(200)).await;
    assert!(
        extra.is_empty(),
        "delivered again: {:?}",
        String::from_utf8_lossy(&extra)
    );
}
