//! Tests against JSON recorded from the Go server.
