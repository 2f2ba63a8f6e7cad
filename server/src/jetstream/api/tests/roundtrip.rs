//! Every reply Go sent reads into our response type and serializes back to the same bytes:
//! field order, `omitempty`, escaping, times and `null`s all as Go writes them.

use serde::de::DeserializeOwned;
use serde::Serialize;

use super::go_fixtures::CASES;
use crate::info::go_json;
use crate::jetstream::api::responses::{
    AccountInfoResponse, MsgGetResponse, StreamCreateResponse, StreamInfoResponse,
    StreamListResponse, StreamNamesResponse, StreamPurgeResponse, SuccessResponse,
};

fn same_bytes<T: DeserializeOwned + Serialize>(subject: &str, reply: &str) {
    let parsed: T =
        serde_json::from_str(reply).unwrap_or_else(|e| panic!("{subject}: {e}\n{reply}"));
    assert_eq!(go_json(&parsed), reply, "{subject}");
}

#[test]
fn go_replies_round_trip_byte_for_byte() {
    let mut checked = 0;
    for case in CASES {
        let Some(reply) = case.reply else { continue };
        let s = case.subject;
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
        } else if s.starts_with("$JS.API.STREAM.MSG.DELETE.")
            || s.starts_with("$JS.API.STREAM.DELETE.")
        {
            same_bytes::<SuccessResponse>(s, reply);
        } else if s == "$JS.API.INFO" {
            same_bytes::<AccountInfoResponse>(s, reply);
        } else {
            panic!("no response type for {s}");
        }
        checked += 1;
    }
    assert!(checked > 150, "only {checked} replies checked");
}
