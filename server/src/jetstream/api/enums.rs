//! The small enums of stream and consumer configs, spelled in JSON as Go spells them.
//!
//! Go decodes most of these by comparing the raw JSON token with a quoted literal
//! (`store.go`, `consumer.go`), so `"LIMITS"` or `null` is refused with
//! `can not unmarshal "\"LIMITS\""`. The discard policy alone lowercases first, and the
//! compression decodes a string before matching. Each [`Deserialize`] here keeps that rule and
//! Go's error text.

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use crate::gofmt::go_quote;

/// How Go matches the raw JSON token of an enum.
#[derive(Clone, Copy)]
enum Match {
    /// `switch string(data)`: the token as written.
    Exact,
    /// `switch strings.ToLower(string(data))`.
    Lower,
}

/// The raw token as Go's decoder would hand it to `UnmarshalJSON` (compact JSON).
fn raw(v: &Value) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

fn can_not_unmarshal(v: &Value) -> String {
    format!("can not unmarshal {}", go_quote(raw(v).as_bytes()))
}

macro_rules! go_enum {
    (
        $(#[$meta:meta])*
        $name:ident, $mode:expr, $err:expr, { $($(#[$vmeta:meta])* $variant:ident = $json:literal $(| $alias:literal)*),+ $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl $name {
            /// The JSON string Go writes.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $json,)+
                }
            }

            fn from_raw(v: &Value) -> Result<Self, String> {
                let token = match $mode {
                    Match::Exact => raw(v),
                    Match::Lower => raw(v).to_lowercase(),
                };
                $(
                    if token == concat!("\"", $json, "\"") $(|| token == concat!("\"", $alias, "\""))* {
                        return Ok($name::$variant);
                    }
                )+
                Err(($err)(v))
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let v = Value::deserialize(d)?;
                $name::from_raw(&v).map_err(D::Error::custom)
            }
        }
    };
}

go_enum!(
    /// Go's `RetentionPolicy`.
    RetentionPolicy, Match::Exact, can_not_unmarshal, {
        #[default]
        Limits = "limits",
        Interest = "interest",
        WorkQueue = "workqueue",
    }
);

go_enum!(
    /// Go's `DiscardPolicy`; decoded case-insensitively, as Go lowercases the token.
    DiscardPolicy, Match::Lower, can_not_unmarshal, {
        #[default]
        Old = "old",
        New = "new",
    }
);

go_enum!(
    /// Go's `StorageType`. Go's zero value means "not given" and `checkStreamCfg` turns it
    /// into file storage, so file is the default here.
    StorageType, Match::Exact, can_not_unmarshal, {
        #[default]
        File = "file",
        Memory = "memory",
    }
);

go_enum!(
    /// Go's `PersistModeType`; `""` also reads as the default mode.
    PersistMode, Match::Exact, can_not_unmarshal, {
        #[default]
        Default = "default" | "",
        Async = "async",
    }
);

go_enum!(
    /// Go's `AckPolicy`.
    AckPolicy, Match::Exact, can_not_unmarshal, {
        #[default]
        None = "none",
        All = "all",
        Explicit = "explicit",
        FlowControl = "flow_control",
    }
);

go_enum!(
    /// Go's `ReplayPolicy`.
    ReplayPolicy, Match::Exact, can_not_unmarshal, {
        #[default]
        Instant = "instant",
        Original = "original",
    }
);

go_enum!(
    /// Go's `DeliverPolicy`; `"undefined"` reads as all.
    DeliverPolicy, Match::Exact, can_not_unmarshal, {
        #[default]
        All = "all" | "undefined",
        Last = "last",
        New = "new",
        ByStartSequence = "by_start_sequence",
        ByStartTime = "by_start_time",
        LastPerSubject = "last_per_subject",
    }
);

go_enum!(
    /// Go's `PriorityPolicy`.
    PriorityPolicy, Match::Exact, |v: &Value| format!("unknown priority policy: {}", raw(v)), {
        #[default]
        None = "none",
        Overflow = "overflow",
        PinnedClient = "pinned_client",
        Prioritized = "prioritized",
    }
);

/// Go's `StoreCompression`. Go decodes a JSON string first (a number fails as a type error,
/// `null` as the empty string) and then matches it exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum StoreCompression {
    #[default]
    None,
    S2,
}

impl StoreCompression {
    /// The JSON string Go writes.
    pub const fn as_str(self) -> &'static str {
        match self {
            StoreCompression::None => "none",
            StoreCompression::S2 => "s2",
        }
    }
}

impl Serialize for StoreCompression {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for StoreCompression {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = match Value::deserialize(d)? {
            Value::Null => String::new(),
            Value::String(s) => s,
            other => {
                return Err(D::Error::custom(format!(
                    "json: cannot unmarshal {} into Go value of type string",
                    super::decode::json_kind(&other)
                )))
            }
        };
        match s.as_str() {
            "s2" => Ok(StoreCompression::S2),
            "none" => Ok(StoreCompression::None),
            _ => Err(D::Error::custom("unknown compression algorithm")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse<T: for<'de> Deserialize<'de>>(s: &str) -> Result<T, String> {
        serde_json::from_str::<T>(s).map_err(|e| e.to_string())
    }

    #[test]
    fn write_go_strings() {
        assert_eq!(
            serde_json::to_string(&RetentionPolicy::WorkQueue)
                .ok()
                .as_deref(),
            Some("\"workqueue\"")
        );
        assert_eq!(
            serde_json::to_string(&DiscardPolicy::New).ok().as_deref(),
            Some("\"new\"")
        );
        assert_eq!(
            serde_json::to_string(&StorageType::Memory).ok().as_deref(),
            Some("\"memory\"")
        );
        assert_eq!(
            serde_json::to_string(&StoreCompression::S2).ok().as_deref(),
            Some("\"s2\"")
        );
        assert_eq!(
            serde_json::to_string(&PersistMode::Async).ok().as_deref(),
            Some("\"async\"")
        );
        assert_eq!(
            serde_json::to_string(&DeliverPolicy::LastPerSubject)
                .ok()
                .as_deref(),
            Some("\"last_per_subject\"")
        );
    }

    #[test]
    fn read_like_go() {
        assert_eq!(
            parse::<RetentionPolicy>("\"interest\""),
            Ok(RetentionPolicy::Interest)
        );
        // Observed from the Go server: `invalid JSON: can not unmarshal "\"LIMITS\""`.
        assert_eq!(
            parse::<RetentionPolicy>("\"LIMITS\""),
            Err("can not unmarshal \"\\\"LIMITS\\\"\"".into())
        );
        assert_eq!(
            parse::<RetentionPolicy>("null"),
            Err("can not unmarshal \"null\"".into())
        );
        assert_eq!(parse::<DiscardPolicy>("\"NEW\""), Ok(DiscardPolicy::New));
        assert_eq!(
            parse::<StorageType>("\"Memory\""),
            Err("can not unmarshal \"\\\"Memory\\\"\"".into())
        );
        assert_eq!(parse::<PersistMode>("\"\""), Ok(PersistMode::Default));
        assert_eq!(
            parse::<DeliverPolicy>("\"undefined\""),
            Ok(DeliverPolicy::All)
        );
        assert_eq!(
            parse::<StoreCompression>("null"),
            Err("unknown compression algorithm".into())
        );
        assert_eq!(
            parse::<StoreCompression>("5"),
            Err("json: cannot unmarshal number into Go value of type string".into())
        );
        assert_eq!(
            parse::<PriorityPolicy>("\"x\""),
            Err("unknown priority policy: \"x\"".into())
        );
    }
}
