//! Account and server resource limits for a new or updated stream: Go's `selectLimits`,
//! `countStreams`, `tieredReservation`, `accountReservation`, `checkLimits` and
//! `checkBytesLimits` (`server/jetstream.go`, `server/jetstream_api.go`), as pure functions
//! over the numbers the server keeps.
//!
//! Un-tiered account limits are flat, so an R3 stream's bytes count three times; tiered
//! limits (`R1`, `R3`...) already include replication. Sums saturate at `i64::MAX` as Go's do.

use std::collections::BTreeMap;

use super::account::{is_same_tier, tier_name, JetStreamAccountLimits};
use super::enums::StorageType;
use super::errors::{ApiError, ErrorId};
use super::stream_config::StreamConfig;

/// Go's `addSaturate`: the sum as unsigned 64-bit arithmetic, capped at `i64::MAX`.
pub fn add_saturate(a: i64, b: i64) -> i64 {
    let (sum, carry) = (a as u64).overflowing_add(b as u64);
    if carry || sum > i64::MAX as u64 {
        i64::MAX
    } else {
        sum as i64
    }
}

/// Go's `mulSaturate` for non-negative inputs, capped at `i64::MAX`.
pub fn mul_saturate(a: i64, b: i64) -> i64 {
    let p = u128::from(a as u64) * u128::from(b as u64);
    if p > i64::MAX as u128 {
        i64::MAX
    } else {
        p as i64
    }
}

/// Go's `accountReservation`: the bytes a stream reserves against the account limit.
pub fn account_reservation(tier: &str, replicas: i64, bytes: i64) -> i64 {
    if bytes <= 0 {
        return 0;
    }
    if tier.is_empty() && replicas > 1 {
        return mul_saturate(replicas, bytes);
    }
    bytes
}

/// Go's `selectLimits`: the account-wide limits (key `""`) if set, else those of the
/// stream's replica tier, with the tier name (`""` for account-wide).
pub fn select_limits(
    limits: &BTreeMap<String, JetStreamAccountLimits>,
    replicas: i64,
) -> Option<(&JetStreamAccountLimits, String)> {
    if let Some(l) = limits.get("") {
        return Some((l, String::new()));
    }
    let tier = tier_name(replicas);
    limits.get(&tier).map(|l| (l, tier))
}

/// Go's `countStreams`: the other streams in the same tier (all, when un-tiered).
pub fn count_streams<'a>(
    tier: &str,
    cfg: &StreamConfig,
    streams: impl IntoIterator<Item = &'a StreamConfig>,
) -> i64 {
    let n = streams
        .into_iter()
        .filter(|s| {
            (tier.is_empty() || is_same_tier(s.replicas, cfg.replicas)) && s.name != cfg.name
        })
        .count();
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// Go's `tieredReservation`: bytes already reserved by the other streams of the same tier
/// and storage type that set `max_bytes`.
pub fn tiered_reservation<'a>(
    tier: &str,
    cfg: &StreamConfig,
    streams: impl IntoIterator<Item = &'a StreamConfig>,
) -> i64 {
    streams
        .into_iter()
        .filter(|s| s.name != cfg.name)
        .filter(|s| {
            (tier.is_empty() || is_same_tier(s.replicas, cfg.replicas))
                && s.max_bytes > 0
                && s.storage == cfg.storage
        })
        .fold(0, |acc, s| {
            add_saturate(acc, account_reservation(tier, s.replicas, s.max_bytes))
        })
}

/// The server's own storage budget: configured maximum and bytes reserved by streams.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ServerReservation {
    pub max_memory: i64,
    pub mem_reserved: i64,
    pub max_store: i64,
    pub store_reserved: i64,
}

/// Go's `checkBytesLimits`: would `add_bytes` more (plus `max_bytes_offset`) exceed the
/// account limits given `current_res` reserved, and, when `server` is given, this server?
#[allow(clippy::too_many_arguments)]
pub fn check_bytes_limits(
    selected: &JetStreamAccountLimits,
    tier: &str,
    add_bytes: i64,
    replicas: i64,
    storage: StorageType,
    server: Option<&ServerReservation>,
    current_res: i64,
    max_bytes_offset: i64,
) -> Result<(), ApiError> {
    // No max_bytes still takes a byte.
    let add_bytes = if add_bytes < 0 { 1 } else { add_bytes };
    let server_bytes = add_saturate(add_bytes, max_bytes_offset);
    let account_bytes = account_reservation(tier, replicas, server_bytes);
    let (limit, server_max, server_reserved, err) = match storage {
        StorageType::Memory => (
            selected.max_memory,
            server.map(|s| s.max_memory),
            server.map(|s| s.mem_reserved),
            ErrorId::MemoryResourcesExceeded,
        ),
        StorageType::File => (
            selected.max_store,
            server.map(|s| s.max_store),
            server.map(|s| s.store_reserved),
            ErrorId::StorageResourcesExceeded,
        ),
    };
    if limit >= 0 && (current_res > limit || account_bytes > limit.saturating_sub(current_res)) {
        return Err(err.err());
    }
    if let (Some(max), Some(reserved)) = (server_max, server_reserved) {
        if reserved > max || server_bytes > max.saturating_sub(reserved) {
            return Err(err.err());
        }
    }
    Ok(())
}

/// Go's `checkLimits`: the consumer count limit, then the bytes limits.
pub fn check_limits(
    selected: &JetStreamAccountLimits,
    tier: &str,
    cfg: &StreamConfig,
    server: Option<&ServerReservation>,
    current_res: i64,
    max_bytes_offset: i64,
) -> Result<(), ApiError> {
    if cfg.max_consumers > 0
        && selected.max_consumers > 0
        && cfg.max_consumers > selected.max_consumers
    {
        return Err(ErrorId::MaximumConsumersLimit.err());
    }
    check_bytes_limits(
        selected,
        tier,
        cfg.max_bytes,
        cfg.replicas,
        cfg.storage,
        server,
        current_res,
        max_bytes_offset,
    )
}

/// Go's `jsNonClusteredStreamLimitsCheck`, run on the request's config before the config
/// check: a tier must apply, the stream count must allow one more, and the bytes must fit.
pub fn non_clustered_stream_limits_check<'a>(
    limits: &BTreeMap<String, JetStreamAccountLimits>,
    cfg: &StreamConfig,
    streams: impl IntoIterator<Item = &'a StreamConfig> + Clone,
    server: &ServerReservation,
) -> Result<(), ApiError> {
    let Some((selected, tier)) = select_limits(limits, cfg.replicas) else {
        return Err(ErrorId::NoLimits.err());
    };
    if selected.max_streams > 0
        && count_streams(&tier, cfg, streams.clone()) >= selected.max_streams
    {
        return Err(ErrorId::MaximumStreamsLimit.err());
    }
    let reserved = tiered_reservation(&tier, cfg, streams);
    check_limits(selected, &tier, cfg, Some(server), reserved, 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    // go: server/TestJetStreamAccountReservation
    #[test]
    fn account_reservation_like_go() {
        let max = i64::MAX;
        for (tier, replicas, bytes, want) in [
            ("", 3, 0, 0),
            ("", 3, -100, 0),
            ("R3", 3, -1, 0),
            ("", 1, 100, 100),
            ("", 0, 100, 100),
            ("", 3, 100, 300),
            ("", 5, 100, 500),
            ("R1", 1, 100, 100),
            ("R3", 3, 100, 100),
            ("", 3, max, max),
            ("", 2, max / 2 + 1, max),
            ("R3", 3, max, max),
        ] {
            assert_eq!(
                account_reservation(tier, replicas, bytes),
                want,
                "{tier} R{replicas} {bytes}"
            );
        }
    }

    // go: server/TestJetStreamCheckBytesLimitsOverflow
    #[test]
    fn byte_limits_do_not_overflow() {
        let limits = JetStreamAccountLimits {
            max_store: 1024,
            max_memory: 1024,
            ..Default::default()
        };
        // add_bytes + max_bytes_offset would wrap without saturation.
        for storage in [StorageType::File, StorageType::Memory] {
            assert!(check_bytes_limits(&limits, "", i64::MAX, 1, storage, None, 0, 1).is_err());
        }
        let unlimited_server = ServerReservation {
            max_memory: i64::MAX,
            max_store: i64::MAX,
            ..Default::default()
        };
        let store_full = ServerReservation {
            store_reserved: i64::MAX - 1,
            ..unlimited_server
        };
        let e = check_bytes_limits(
            &limits,
            "",
            2,
            1,
            StorageType::File,
            Some(&store_full),
            0,
            0,
        );
        assert_eq!(e, Err(ErrorId::StorageResourcesExceeded.err()));
        let mem_full = ServerReservation {
            mem_reserved: i64::MAX - 1,
            ..unlimited_server
        };
        let e = check_bytes_limits(
            &limits,
            "",
            2,
            1,
            StorageType::Memory,
            Some(&mem_full),
            0,
            0,
        );
        assert_eq!(e, Err(ErrorId::MemoryResourcesExceeded.err()));
        // And within both budgets it passes.
        assert!(check_bytes_limits(
            &limits,
            "",
            2,
            1,
            StorageType::File,
            Some(&unlimited_server),
            0,
            0
        )
        .is_ok());
    }

    #[test]
    fn stream_count_tiers_and_reservations() {
        let s = |name: &str, replicas: i64, max_bytes: i64| StreamConfig {
            name: name.into(),
            replicas,
            max_bytes,
            ..Default::default()
        };
        let existing = [s("a", 1, 100), s("b", 3, 50), s("c", 1, -1)];
        let new = s("n", 1, 10);
        assert_eq!(count_streams("", &new, &existing), 3);
        assert_eq!(count_streams("R1", &new, &existing), 2);
        assert_eq!(tiered_reservation("", &new, &existing), 100 + 150);
        assert_eq!(tiered_reservation("R1", &new, &existing), 100);
        let server = ServerReservation {
            max_memory: 1 << 30,
            max_store: 1 << 30,
            ..Default::default()
        };
        let mut limits = BTreeMap::from([(
            String::new(),
            JetStreamAccountLimits {
                max_streams: 3,
                ..JetStreamAccountLimits::UNLIMITED
            },
        )]);
        assert_eq!(
            non_clustered_stream_limits_check(&limits, &new, &existing, &server),
            Err(ErrorId::MaximumStreamsLimit.err())
        );
        // Re-creating an existing stream does not count it twice.
        assert!(
            non_clustered_stream_limits_check(&limits, &s("a", 1, 100), &existing, &server).is_ok()
        );
        limits.clear();
        limits.insert("R3".into(), JetStreamAccountLimits::UNLIMITED);
        assert_eq!(
            non_clustered_stream_limits_check(&limits, &new, &existing, &server),
            Err(ErrorId::NoLimits.err())
        );
    }
}
