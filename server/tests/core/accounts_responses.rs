//! Responses to requests through service imports (Go's `TestCrossAccountServiceResponseTypes`,
//! `test/services_test.go`): singleton, streamed and chunked answers, the empty answer that ends a
//! stream, the export's response threshold, and pending responses cleaned up when nobody answers,
//! nobody listens or the requester leaves.

use std::time::Duration;

use futures::StreamExt;
use tokio::time::timeout;

use crate::accounts::{acc_server, login, sync};
use crate::accounts_services::{nats, pending, read_msg, respond_with};
use crate::support::*;

/// Account `foo` exports service `test.request` with `extra` export options; `bar` imports it as `foo`.
fn response_type_conf(extra: &str) -> String {
    format!(
        "
accounts {{
  foo {{ users = [ {{user: foo, password: foo}} ], exports = [ {{service: test.request {extra}}} ] }}
  bar {{
    users = [ {{user: bar, password: bar}} ]
    imports = [ {{service: {{account: foo, subject: test.request}}, to: foo}} ]
  }}
}}
"
    )
}

// go: server/TestCrossAccountServiceResponseTypes
#[tokio::test]
async fn streamed_responses_all_arrive_and_pending_ones_are_cleaned_up() {
    let (h, _d) = acc_server(&response_type_conf(", response: stream")).await;
    let mut foo = login(&h, "foo", "foo").await;
    sync(&mut foo, "SUB test.request 1\r\n").await;
    let mut bar = login(&h, "bar", "bar").await;
    bar.send(b"SUB bar 11\r\nPUB foo bar 4\r\nhelp\r\n").await;
    let req = read_msg(&mut foo).await;
    assert!(req.reply.starts_with("_R_."), "reply {:?}", req.reply);
    foo.send(
        format!("PUB {} 2\r\n22\r\n", req.reply)
            .repeat(10)
            .as_bytes(),
    )
    .await;
    bar.expect(b"MSG bar 11 2\r\n22\r\n".repeat(10).as_slice())
        .await;
    assert_eq!(pending(&h, "foo"), 1, "a stream stays open");
    // The requester goes away: its pending response goes too.
    drop(bar);
    wait_for("pending response removed", || pending(&h, "foo") == 0).await;

    // A request whose reply subject nobody listens on: the first answer finds no interest and the
    // pending response is dropped, so a later listener gets nothing more.
    let mut bar = login(&h, "bar", "bar").await;
    bar.send(b"PUB foo bar 4\r\nhelp\r\n").await;
    let req = read_msg(&mut foo).await;
    assert!(req.reply.starts_with("_R_."), "reply {:?}", req.reply);
    assert_eq!(pending(&h, "foo"), 1);
    sync(&mut foo, &format!("PUB {} 2\r\n22\r\n", req.reply)).await;
    wait_for("pending response removed", || pending(&h, "foo") == 0).await;
    sync(&mut bar, "SUB bar 11\r\n").await;
    sync(&mut foo, &format!("PUB {} 2\r\n33\r\n", req.reply)).await;
    bar.expect_open_and_idle().await;
}

/// Not a Go test of its own: what Go's `processServiceImport` does with a second answer to a
/// singleton request (dropped) and with an answer after the export's threshold (dropped), measured
/// against the Go binary.
#[tokio::test]
async fn singleton_takes_one_answer_and_a_stream_expires_after_its_threshold() {
    let (h, _d) = acc_server(&response_type_conf("")).await;
    let mut foo = login(&h, "foo", "foo").await;
    sync(&mut foo, "SUB test.request 1\r\n").await;
    let mut bar = login(&h, "bar", "bar").await;
    sync(&mut bar, "SUB bar 11\r\n").await;
    bar.send(b"PUB foo bar 1\r\nx\r\n").await;
    let req = read_msg(&mut foo).await;
    sync(
        &mut foo,
        &format!("PUB {r} 1\r\na\r\nPUB {r} 1\r\nb\r\n", r = req.reply),
    )
    .await;
    bar.expect(b"MSG bar 11 1\r\na\r\n").await;
    bar.expect_open_and_idle().await;

    let (h, _d) = acc_server(&response_type_conf(
        ", response: stream, threshold: \"200ms\"",
    ))
    .await;
    let mut foo = login(&h, "foo", "foo").await;
    sync(&mut foo, "SUB test.request 1\r\n").await;
    let mut bar = login(&h, "bar", "bar").await;
    sync(&mut bar, "SUB bar 11\r\n").await;
    bar.send(b"PUB foo bar 1\r\nx\r\n").await;
    let req = read_msg(&mut foo).await;
    // Answers closer together than the threshold keep the stream open...
    for i in 0..3 {
        tokio::time::sleep(Duration::from_millis(40)).await;
        sync(&mut foo, &format!("PUB {} 1\r\n{i}\r\n", req.reply)).await;
        bar.expect(format!("MSG bar 11 1\r\n{i}\r\n").as_bytes())
            .await;
    }
    // ...a silence longer than it ends it.
    wait_for("stream expired", || pending(&h, "foo") == 0).await;
    sync(&mut foo, &format!("PUB {} 1\r\nz\r\n", req.reply)).await;
    bar.expect_open_and_idle().await;
    assert_eq!(pending(&h, "foo"), 0);
}

const BASIC_MA_SETUP: &str = "
	server_name: A
	listen: 127.0.0.1:-1

	accounts: {
	    A: {
	        users: [ {user: a, password: pwd} ]
	        exports: [{service: \"foo\", response: stream}]
	    },
	    B: {
	        users: [{user: b, password: pwd} ]
		    imports: [{ service: { account: A, subject: \"foo\"}, to: \"foo_request\" }]
	    }
	}
";

// go: test/TestServiceImportWithStreamed
#[tokio::test]
async fn streamed_service_requests_are_pending_until_the_requester_leaves() {
    let (h, _d) = acc_server(BASIC_MA_SETUP).await;
    let nc = nats(&h, "a", "pwd").await;
    respond_with(&nc, "foo", b"world").await;
    let nc2 = nats(&h, "b", "pwd").await;
    for _ in 0..10 {
        let resp = timeout(WAIT, nc2.request("foo_request", "hello".into()))
            .await
            .expect("in time")
            .expect("response");
        assert_eq!(&resp.payload[..], b"world");
    }
    // Streamed responses stay pending while the requester listens on its reply subjects.
    assert_eq!(pending(&h, "A"), 10);
    drop(nc2);
    wait_for("pending responses removed", || pending(&h, "A") == 0).await;

    // Old-style requests: a fresh inbox per request, unsubscribed after one answer.
    let mut b = login(&h, "b", "pwd").await;
    for i in 0..10 {
        b.send(
            format!("SUB inbox.{i} {i}\r\nUNSUB {i} 1\r\nPUB foo_request inbox.{i} 5\r\nhello\r\n")
                .as_bytes(),
        )
        .await;
        b.expect(format!("MSG inbox.{i} {i} 5\r\nworld\r\n").as_bytes())
            .await;
    }
    wait_for("pending responses removed", || pending(&h, "A") == 0).await;
}

// go: test/TestServiceImportWithStreamedResponseAndEOF
#[tokio::test]
async fn an_empty_answer_ends_a_streamed_response() {
    let (h, _d) = acc_server(BASIC_MA_SETUP).await;
    let nc = nats(&h, "a", "pwd").await;
    let mut sub = nc.subscribe("foo").await.unwrap();
    nc.flush().await.unwrap();
    let responder = nc.clone();
    tokio::spawn(async move {
        while let Some(m) = sub.next().await {
            let Some(reply) = m.reply else { continue };
            for i in 1..=4 {
                let _ = responder
                    .publish(reply.clone(), format!("world-{i}").into())
                    .await;
            }
            let _ = responder.publish(reply, "".into()).await;
        }
    });
    let mut b = login(&h, "b", "pwd").await;
    for i in 0..10 {
        b.send(format!("SUB inbox.{i} {i}\r\nPUB foo_request inbox.{i} 4\r\nXOXO\r\n").as_bytes())
            .await;
        for n in 1..=4 {
            b.expect(format!("MSG inbox.{i} {i} 7\r\nworld-{n}\r\n").as_bytes())
                .await;
        }
        b.expect(format!("MSG inbox.{i} {i} 0\r\n\r\n").as_bytes())
            .await;
    }
    assert_eq!(pending(&h, "A"), 0);
}

const AUTO_CLEANUP: &str = "
		listen: 127.0.0.1:-1
		accounts: {
		    A: {
		        users: [ {user: a, password: pwd} ]
		        exports: [ {service: \"foo\"} ]
		    },
		    B: {
		        users: [{user: b, password: pwd} ]
			    imports: [ {service: { account: A, subject: \"foo\"}} ]
		    }
		}
";

// go: test/TestServiceExportsAutoDirectCleanup
#[tokio::test]
async fn requests_without_responders_replies_or_listeners_leave_nothing_pending() {
    let (h, _d) = acc_server(AUTO_CLEANUP).await;
    let mut a = login(&h, "a", "pwd").await;
    let mut b = login(&h, "b", "pwd").await;
    // No responder.
    sync(&mut b, &"PUB foo reply 0\r\n\r\n".repeat(10)).await;
    assert_eq!(pending(&h, "A"), 0);
    // A responder, but requests without a reply subject.
    sync(&mut a, "SUB foo 1\r\n").await;
    sync(&mut b, &"PUB foo 0\r\n\r\n".repeat(10)).await;
    for _ in 0..10 {
        let m = read_msg(&mut a).await;
        assert_eq!((m.subject.as_str(), m.reply.as_str()), ("foo", ""));
    }
    assert_eq!(pending(&h, "A"), 0);
    // Requesters that stop listening before the (late) answer.
    for i in 0..10 {
        sync(
            &mut b,
            &format!("SUB inbox.{i} {i}\r\nPUB foo inbox.{i} 0\r\n\r\nUNSUB {i}\r\n"),
        )
        .await;
        let req = read_msg(&mut a).await;
        sync(&mut a, &format!("PUB {} 5\r\nworld\r\n", req.reply)).await;
    }
    assert_eq!(pending(&h, "A"), 0);
    b.expect_open_and_idle().await;
}

// go: test/TestServiceExportsPruningCleanup
#[tokio::test]
async fn unanswered_streamed_requests_are_pruned_after_the_threshold() {
    let (h, _d) = acc_server(
        "
		listen: 127.0.0.1:-1
		accounts: {
		    A: {
		        users: [ {user: a, password: pwd} ]
		        exports: [ {service: \"foo\", response: stream, threshold: \"10ms\"} ]
		    },
		    B: {
		        users: [{user: b, password: pwd} ]
			    imports: [ {service: { account: A, subject: \"foo\"}} ]
		    }
		}",
    )
    .await;
    let mut a = login(&h, "a", "pwd").await;
    sync(&mut a, "SUB foo 1\r\n").await;
    let mut b = login(&h, "b", "pwd").await;
    sync(&mut b, "SUB reply 1\r\n").await;
    for _ in 0..2 {
        sync(&mut b, &"PUB foo reply 0\r\n\r\n".repeat(10)).await;
        for _ in 0..10 {
            read_msg(&mut a).await;
        }
        // Pending right after the requests; pruned once the threshold passes unanswered.
        assert!(pending(&h, "A") > 0);
        wait_for("pruned", || pending(&h, "A") == 0).await;
    }
}

// go: test/TestServiceExportsResponseThresholdChunked
#[tokio::test]
async fn chunks_closer_than_the_threshold_all_arrive() {
    let (h, _d) = acc_server(
        "
		listen: 127.0.0.1:-1
		accounts: {
		    A: {
		        users: [ {user: a, password: pwd} ]
		        exports: [ {service: \"foo\", response: chunked, threshold: \"200ms\"} ]
		    },
		    B: {
		        users: [{user: b, password: pwd} ]
			    imports: [ {service: { account: A, subject: \"foo\"}} ]
		    }
		}",
    )
    .await;
    let mut a = login(&h, "a", "pwd").await;
    sync(&mut a, "SUB foo 1\r\n").await;
    let mut b = login(&h, "b", "pwd").await;
    sync(&mut b, "SUB inbox 1\r\n").await;
    b.send(b"PUB foo inbox 0\r\n\r\n").await;
    let req = read_msg(&mut a).await;
    // Ten chunks a quarter threshold apart, then the empty end: longer in all than the threshold (Go's
    // test: 10ms and 5ms, scaled up for slow test machines).
    for i in 1..=10 {
        tokio::time::sleep(Duration::from_millis(50)).await;
        let chunk = format!("chunk-{i}");
        a.send(format!("PUB {} {}\r\n{chunk}\r\n", req.reply, chunk.len()).as_bytes())
            .await;
    }
    a.send(format!("PUB {} 0\r\n\r\n", req.reply).as_bytes())
        .await;
    for i in 1..=10 {
        let chunk = format!("chunk-{i}");
        b.expect(format!("MSG inbox 1 {}\r\n{chunk}\r\n", chunk.len()).as_bytes())
            .await;
    }
    b.expect(b"MSG inbox 1 0\r\n\r\n").await;
}
