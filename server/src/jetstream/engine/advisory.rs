//! JetStream advisories, published in the stream's account on `$JS.EVENT.ADVISORY.*` when someone
//! listens (Go's `publishAdvisory`, jetstream_events.go types and `$JS.EVENT.ADVISORY` subjects).

use std::sync::Arc;

use serde::Serialize;

use crate::accounts::Account;
use crate::jetstream::api::GoTime;
use crate::server::ServerShared;

const DIGITS: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// A unique event id (22 base-62 characters, the shape of Go's nuid).
pub fn event_id() -> String {
    let mut a: u128 = rand::random();
    (0..22)
        .map(|_| {
            let c = DIGITS[(a % 62) as usize] as char;
            a /= 62;
            c
        })
        .collect()
}

/// Go's `TypedEvent`.
#[derive(Serialize)]
pub struct TypedEvent {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub id: String,
    pub timestamp: GoTime,
}

impl TypedEvent {
    pub fn new(kind: &'static str) -> TypedEvent {
        TypedEvent {
            kind,
            id: event_id(),
            timestamp: GoTime::now(),
        }
    }
}

fn is_empty(s: &str) -> bool {
    s.is_empty()
}

/// Go's `JSStreamActionAdvisory`.
#[derive(Serialize)]
struct StreamAction<'a> {
    #[serde(flatten)]
    event: TypedEvent,
    stream: &'a str,
    action: &'a str,
    #[serde(skip_serializing_if = "is_empty")]
    domain: &'a str,
}

/// Go's `JSConsumerActionAdvisory`.
#[derive(Serialize)]
struct ConsumerAction<'a> {
    #[serde(flatten)]
    event: TypedEvent,
    stream: &'a str,
    consumer: &'a str,
    action: &'a str,
    #[serde(skip_serializing_if = "is_empty")]
    domain: &'a str,
}

/// Go's delivery advisories: max deliveries, nak, terminated.
#[derive(Serialize)]
struct Delivery<'a> {
    #[serde(flatten)]
    event: TypedEvent,
    stream: &'a str,
    consumer: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    consumer_seq: Option<u64>,
    stream_seq: u64,
    deliveries: u64,
    #[serde(skip_serializing_if = "is_empty")]
    reason: &'a str,
    #[serde(skip_serializing_if = "is_empty")]
    domain: &'a str,
}

/// Publish `adv` on `subject` in `acc` if anyone listens.
pub fn publish<T: Serialize>(server: &ServerShared, acc: &Arc<Account>, subject: &str, adv: &T) {
    if !acc.sublist.has_interest(subject.as_bytes()) {
        return;
    }
    let body = crate::info::go_json(adv);
    acc.publish_internal(server, subject.as_bytes(), None, b"", body.as_bytes());
}

/// `create`, `delete` or `modify` of a stream.
pub fn stream_action(
    server: &ServerShared,
    acc: &Arc<Account>,
    stream: &str,
    action: &str,
    domain: &str,
) {
    let what = match action {
        "create" => "CREATED",
        "delete" => "DELETED",
        _ => "UPDATED",
    };
    let subject = format!("$JS.EVENT.ADVISORY.STREAM.{what}.{stream}");
    publish(
        server,
        acc,
        &subject,
        &StreamAction {
            event: TypedEvent::new("io.nats.jetstream.advisory.v1.stream_action"),
            stream,
            action,
            domain,
        },
    );
}

/// `create` or `delete` of a consumer.
pub fn consumer_action(
    server: &ServerShared,
    acc: &Arc<Account>,
    stream: &str,
    consumer: &str,
    action: &str,
    domain: &str,
) {
    let what = if action == "create" {
        "CREATED"
    } else {
        "DELETED"
    };
    let subject = format!("$JS.EVENT.ADVISORY.CONSUMER.{what}.{stream}.{consumer}");
    publish(
        server,
        acc,
        &subject,
        &ConsumerAction {
            event: TypedEvent::new("io.nats.jetstream.advisory.v1.consumer_action"),
            stream,
            consumer,
            action,
            domain,
        },
    );
}

/// Which delivery advisory.
pub enum DeliveryEvent<'a> {
    MaxDeliveries,
    Nak { consumer_seq: u64 },
    Terminated { consumer_seq: u64, reason: &'a str },
}

#[allow(clippy::too_many_arguments)]
pub fn delivery(
    server: &ServerShared,
    acc: &Arc<Account>,
    stream: &str,
    consumer: &str,
    stream_seq: u64,
    deliveries: u64,
    event: DeliveryEvent<'_>,
    domain: &str,
) {
    let (pre, kind, consumer_seq, reason) = match event {
        DeliveryEvent::MaxDeliveries => (
            "MAX_DELIVERIES",
            "io.nats.jetstream.advisory.v1.max_deliver",
            None,
            "",
        ),
        DeliveryEvent::Nak { consumer_seq } => (
            "MSG_NAKED",
            "io.nats.jetstream.advisory.v1.nak",
            Some(consumer_seq),
            "",
        ),
        DeliveryEvent::Terminated {
            consumer_seq,
            reason,
        } => (
            "MSG_TERMINATED",
            "io.nats.jetstream.advisory.v1.terminated",
            Some(consumer_seq),
            reason,
        ),
    };
    let subject = format!("$JS.EVENT.ADVISORY.CONSUMER.{pre}.{stream}.{consumer}");
    publish(
        server,
        acc,
        &subject,
        &Delivery {
            event: TypedEvent::new(kind),
            stream,
            consumer,
            consumer_seq,
            stream_seq,
            deliveries,
            reason,
            domain,
        },
    );
}

/// Go's `JSConsumerPauseAdvisory`. Go's `omitempty` has no effect on a `time.Time`, so
/// `pause_until` is always written (the zero time after a resume).
#[derive(Serialize)]
struct Pause<'a> {
    #[serde(flatten)]
    event: TypedEvent,
    stream: &'a str,
    consumer: &'a str,
    paused: bool,
    pause_until: GoTime,
    #[serde(skip_serializing_if = "is_empty")]
    domain: &'a str,
}

/// Go's `sendPauseAdvisoryLocked`: `paused` is whether `pause_until` is still ahead.
pub fn consumer_pause(
    server: &ServerShared,
    acc: &Arc<Account>,
    stream: &str,
    consumer: &str,
    pause_until: Option<GoTime>,
    domain: &str,
) {
    let until = pause_until.unwrap_or_default();
    let paused = until.unix_nanos() > GoTime::now().unix_nanos();
    let subject = format!("$JS.EVENT.ADVISORY.CONSUMER.PAUSE.{stream}.{consumer}");
    publish(
        server,
        acc,
        &subject,
        &Pause {
            event: TypedEvent::new("io.nats.jetstream.advisory.v1.consumer_pause"),
            stream,
            consumer,
            paused,
            pause_until: until,
            domain,
        },
    );
}

/// Go's `JSConsumerGroupPinnedAdvisory`.
#[derive(Serialize)]
struct Pinned<'a> {
    #[serde(flatten)]
    event: TypedEvent,
    #[serde(skip_serializing_if = "is_empty")]
    account: &'a str,
    stream: &'a str,
    consumer: &'a str,
    #[serde(skip_serializing_if = "is_empty")]
    domain: &'a str,
    group: &'a str,
    pinned_id: &'a str,
}

/// Go's `JSConsumerGroupUnpinnedAdvisory`.
#[derive(Serialize)]
struct Unpinned<'a> {
    #[serde(flatten)]
    event: TypedEvent,
    #[serde(skip_serializing_if = "is_empty")]
    account: &'a str,
    stream: &'a str,
    consumer: &'a str,
    #[serde(skip_serializing_if = "is_empty")]
    domain: &'a str,
    group: &'a str,
    reason: &'a str,
}

/// A client was pinned (`$JS.EVENT.ADVISORY.CONSUMER.PINNED`) or lost its pin
/// (`...UNPINNED`, reason `timeout` or `admin`).
pub fn pin_event(
    server: &ServerShared,
    acc: &Arc<Account>,
    c: &super::consumer::Consumer,
    e: &super::consumer::priority::PinEvent,
    domain: &str,
) {
    use super::consumer::priority::PinEvent;
    let (stream, consumer) = (c.stream_name.as_str(), c.name.as_str());
    match e {
        PinEvent::Pinned { group, id } => publish(
            server,
            acc,
            &format!("$JS.EVENT.ADVISORY.CONSUMER.PINNED.{stream}.{consumer}"),
            &Pinned {
                event: TypedEvent::new("io.nats.jetstream.advisory.v1.consumer_group_pinned"),
                account: &acc.name,
                stream,
                consumer,
                domain,
                group,
                pinned_id: id,
            },
        ),
        PinEvent::Unpinned { group, reason } => publish(
            server,
            acc,
            &format!("$JS.EVENT.ADVISORY.CONSUMER.UNPINNED.{stream}.{consumer}"),
            &Unpinned {
                event: TypedEvent::new("io.nats.jetstream.advisory.v1.consumer_group_unpinned"),
                account: &acc.name,
                stream,
                consumer,
                domain,
                group,
                reason,
            },
        ),
    }
}

/// Go's `JSConsumerAckMetric`.
#[derive(Serialize)]
struct AckMetric<'a> {
    #[serde(flatten)]
    event: TypedEvent,
    stream: &'a str,
    consumer: &'a str,
    consumer_seq: u64,
    stream_seq: u64,
    ack_time: i64,
    deliveries: u64,
    #[serde(skip_serializing_if = "is_empty")]
    domain: &'a str,
}

/// A sampled ack (`sample_freq`): `seqs` is the stream sequence, the consumer sequence and the
/// delivery count of the ack; `ack_time` the nanoseconds since delivery.
pub fn ack_metric(
    server: &ServerShared,
    acc: &Arc<Account>,
    stream: &str,
    consumer: &str,
    seqs: [u64; 3],
    ack_time: i64,
    domain: &str,
) {
    let [stream_seq, consumer_seq, deliveries] = seqs;
    publish(
        server,
        acc,
        &format!("$JS.EVENT.METRIC.CONSUMER.ACK.{stream}.{consumer}"),
        &AckMetric {
            event: TypedEvent::new("io.nats.jetstream.metric.v1.consumer_ack"),
            stream,
            consumer,
            consumer_seq,
            stream_seq,
            ack_time,
            deliveries,
            domain,
        },
    );
}

/// Go's `JSStreamBatchAbandonedAdvisory`.
#[derive(Serialize)]
struct BatchAbandoned<'a> {
    #[serde(flatten)]
    event: TypedEvent,
    #[serde(skip_serializing_if = "is_empty")]
    account: &'a str,
    stream: &'a str,
    #[serde(skip_serializing_if = "is_empty")]
    domain: &'a str,
    batch: &'a str,
    reason: &'a str,
}

/// An atomic batch was abandoned: `timeout`, `large`, `incomplete` or `unsupported`. Go sends it
/// in the stream's account, then in the system account with the account named.
pub fn batch_abandoned(
    server: &ServerShared,
    acc: &Arc<Account>,
    stream: &str,
    domain: &str,
    batch: &str,
    reason: &str,
) {
    let subject = format!("$JS.EVENT.ADVISORY.STREAM.BATCH_ABANDONED.{stream}");
    let mut adv = BatchAbandoned {
        event: TypedEvent::new("io.nats.jetstream.advisory.v1.stream_batch_abandoned"),
        account: "",
        stream,
        domain,
        batch,
        reason,
    };
    let system = server.accounts.system();
    if !system.as_ref().is_some_and(|s| Arc::ptr_eq(s, acc)) {
        publish(server, acc, &subject, &adv);
    }
    if let Some(sys) = system {
        adv.account = &acc.name;
        publish(server, &sys, &subject, &adv);
    }
}
