//! JetStream data survives `kill -9` of the server process: with the default settings every
//! acknowledged message has reached the OS before its PubAck left, so a process crash loses none.

use async_nats::jetstream::{self, stream};

use crate::process::{ScratchDir, ServerProc};

#[tokio::test]
async fn acknowledged_messages_survive_kill_9() {
    let store = ScratchDir::new("js-kill9");
    let sd = store.path().display().to_string();
    let mut first = ServerProc::start(&["-js", "-sd", &sd]).await;
    let nc = async_nats::connect(first.url()).await.unwrap();
    let js = jetstream::new(nc);
    js.create_stream(stream::Config {
        name: "K".into(),
        subjects: vec!["k.*".into()],
        storage: stream::StorageType::File,
        ..Default::default()
    })
    .await
    .unwrap();
    let mut acked = 0u64;
    for i in 0..300 {
        let ack = js
            .publish(format!("k.{}", i % 7), format!("m{i}").into())
            .await
            .unwrap()
            .await
            .unwrap();
        acked = ack.sequence;
    }
    assert_eq!(acked, 300);
    first.signal(libc::SIGKILL);
    first.wait_exit().await;

    let second = ServerProc::start(&["-js", "-sd", &sd]).await;
    let nc = async_nats::connect(second.url()).await.unwrap();
    let js = jetstream::new(nc);
    let mut s = js.get_stream("K").await.unwrap();
    let info = s.info().await.unwrap();
    assert_eq!((info.state.messages, info.state.last_sequence), (300, 300));
    assert_eq!(&s.get_raw_message(300).await.unwrap().payload[..], b"m299");
}
