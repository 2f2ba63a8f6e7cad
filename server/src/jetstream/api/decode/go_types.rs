//! Go type names of request fields, for type errors where the Rust type would name them
//! differently (`int` and `time.Duration` are `i64` here, slices and structs carry Go's
//! package-qualified names).

/// The Go type of `field` in the struct that Rust calls `rust_struct`, when it needs naming.
pub(super) fn field_type(rust_struct: &str, field: &str) -> Option<&'static str> {
    Some(match (rust_struct, field) {
        ("StreamConfig", "max_consumers" | "num_replicas") => "int",
        ("StreamConfig", "max_age" | "duplicate_window" | "subject_delete_marker_ttl") => {
            "time.Duration"
        }
        ("StreamConfig", "subjects") => "[]string",
        ("StreamConfig", "sources") => "[]*server.StreamSource",
        ("StreamConfig", "metadata") => "map[string]string",
        ("StreamConfig", "mirror") => "server.StreamSource",
        ("StreamConfig", "placement") => "server.Placement",
        ("StreamConfig", "subject_transform") => "server.SubjectTransformConfig",
        ("StreamConfig", "republish") => "server.RePublish",
        ("StreamConfig", "consumer_limits") => "server.StreamConsumerLimits",
        ("StreamConsumerLimits", "inactive_threshold") => "time.Duration",
        ("StreamConsumerLimits", "max_ack_pending") => "int",
        ("StreamSource", "subject_transforms") => "[]server.SubjectTransformConfig",
        ("StreamSource", "external") => "server.ExternalStream",
        ("StreamSource", "consumer") => "server.StreamConsumerSource",
        ("StreamSource", "opt_start_time") => "time.Time",
        ("Placement", "tags") => "[]string",
        ("StreamInfoRequest" | "StreamNamesRequest" | "ApiPagedRequest", "offset") => "int",
        ("MsgGetRequest", "batch" | "max_bytes") => "int",
        ("MsgGetRequest", "multi_last") => "[]string",
        ("MsgGetRequest", "start_time" | "up_to_time") => "time.Time",
        ("PauseRequest", "pause_until") => "time.Time",
        ("UnpinRequest", "group") => "string",
        ("ResetRequest", "seq") => "uint64",
        _ => return None,
    })
}
