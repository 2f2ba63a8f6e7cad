//! Every reply Go sent reads into our response type and serializes back to the same bytes:
//! field order, `omitempty`, escaping, times and `null`s all as Go writes them.

use serde::de::DeserializeOwned;
use serde::Serialize;

use super::go_fixtures::CASES;
use crate::info::go_json;
use crate::jetstream::api::responses::{
    AccountInfoResponse, MsgGetResponse, PubAckResponse, StreamCreateResponse, StreamInfoResponse,
    StreamListResponse, StreamNamesResponse, StreamPurgeResponse, SuccessResponse,
};

fn same_bytes<T: DeserializeOwned + Serialize>(subject: &str, reply: &str) {
    let parsed: T =
        serde_json::from_str(reply).unwrap_or_else(|e| panic!("{subject}: {e}\n{reply}"));
    assert_eq!(go_json(&parsed), reply, "{subject}");
}

/// Reads `reply` as the response type of `subject` and checks it writes back unchanged.
fn round_trip(s: &str, reply: &str) {
    if s.starts_with("$JS.API.STREAM.CREATE.") {
        same_bytes::<StreamCreateResponse>(s, reply);
    } else if s.starts_with("$JS.API.STREAM.INFO.") {
        same_bytes::<StreamInfoResponse>(s, reply);
    } else if s == "$JS.API.STREAM.NAMES" {
        same_bytes::<StreamNamesResponse>(s, reply);
    } else if s == "$JS.API.STREAM.LIST" {
        same_bytes::<StreamListResponse>(s, reply);
    } else if s.starts_with("$JS.API.STREAM.PURGE.") {
        same_bytes::<StreamPurgeResponse>(s, reply);
    } else if s.starts_with("$JS.API.STREAM.MSG.GET.") {
        same_bytes::<MsgGetResponse>(s, reply);
    } else if s.starts_with("$JS.API.STREAM.MSG.DELETE.") || s.starts_with("$JS.API.STREAM.DELETE.")
    {
        same_bytes::<SuccessResponse>(s, reply);
    } else if s == "$JS.API.INFO" {
        same_bytes::<AccountInfoResponse>(s, reply);
    } else if !s.starts_with("$JS.") {
        same_bytes::<PubAckResponse>(s, reply);
    } else {
        panic!("no response type for {s}");
    }
}

#[test]
fn go_replies_round_trip_byte_for_byte() {
    let mut checked = 0;
    for case in CASES {
        let Some(reply) = case.reply else { continue };
        round_trip(case.subject, reply);
        checked += 1;
    }
    assert!(checked > 150, "only {checked} replies checked");
}

#[test]
fn go_message_replies_round_trip_byte_for_byte() {
    use super::go_message_fixtures::MESSAGE_REPLIES;
    for (subject, reply) in MESSAGE_REPLIES {
        round_trip(subject, reply);
    }
    assert_eq!(MESSAGE_REPLIES.len(), 11);
}

#[test]
fn stored_message_data_is_base64_of_the_payload() {
    use super::go_message_fixtures::MESSAGE_REPLIES;
    let (_, reply) = MESSAGE_REPLIES[3];
    let got: MsgGetResponse = serde_json::from_str(reply).expect("msg get");
    let msg = got.message.expect("message");
    assert_eq!((msg.subject.as_str(), msg.sequence), ("m.b", 2));
    assert_eq!(msg.data, "<world> & \u{e9}".as_bytes());
    assert!(msg.header.is_empty());
}

#[test]
fn go_consumer_replies_round_trip_byte_for_byte() {
    use super::go_consumer_fixtures::CONSUMER_REPLIES;
    use crate::jetstream::api::responses::ConsumerInfoResponse;
    for (subject, reply) in CONSUMER_REPLIES {
        same_bytes::<ConsumerInfoResponse>(subject, reply);
    }
    assert_eq!(CONSUMER_REPLIES.len(), 5);
}
