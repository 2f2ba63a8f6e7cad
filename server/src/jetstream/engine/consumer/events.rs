//! What a consumer announces: delivery advisories (nak, terminated, max deliveries; Go's
//! `sendAdvisory` callers in consumer.go) and sampled ack metrics (Go's `sampleAck`).

use super::Consumer;

impl Consumer {
    /// Send a delivery advisory about `seq` (nak, terminated, max deliveries).
    pub fn delivery_advisory(
        &self,
        seq: u64,
        deliveries: u64,
        event: crate::jetstream::engine::advisory::DeliveryEvent<'_>,
    ) {
        let Some(stream) = self.stream.upgrade() else {
            return;
        };
        let Some(server) = stream.server() else {
            return;
        };
        crate::jetstream::engine::advisory::delivery(
            &server,
            &stream.account,
            &self.stream_name,
            &self.name,
            seq,
            deliveries,
            event,
            &stream.domain(),
        );
    }

    /// Go's `sampleAck`: an ack metric on `$JS.EVENT.METRIC.CONSUMER.ACK.<stream>.<consumer>`.
    pub fn ack_metric(&self, sseq: u64, dseq: u64, deliveries: u64, ack_time: i64) {
        let Some(stream) = self.stream.upgrade() else {
            return;
        };
        let Some(server) = stream.server() else {
            return;
        };
        crate::jetstream::engine::advisory::ack_metric(
            &server,
            &stream.account,
            &self.stream_name,
            &self.name,
            [sseq, dseq, deliveries],
            ack_time,
            &stream.domain(),
        );
    }
}
