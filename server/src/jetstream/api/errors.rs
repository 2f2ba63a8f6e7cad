//! JetStream API errors: [`ErrorId`] names one entry of the catalogue (see `error_table.rs`),
//! [`ApiError`] is the `error` object every API response may carry.
//!
//! Go builds each error with a generated `NewJSxxxError(args...)` that fills the description's
//! `{placeholders}` with `strings.NewReplacer`: one left-to-right pass, replaced text is not
//! scanned again, and a placeholder without an argument stays as written. [`ErrorId::fill`]
//! keeps those rules. Arguments are formatted like Go's `%v`, so callers pass text already in
//! Go's form (durations through `gofmt::go_duration`, errors as their message).

use std::fmt;

use serde::{Deserialize, Serialize};

pub use super::error_table::ErrorId;

impl ErrorId {
    /// The Go constant's name, e.g. `JSStreamNameExistErr`.
    pub const fn constant(self) -> &'static str {
        self.entry().0
    }

    /// The HTTP-like status code (`error.code`).
    pub const fn code(self) -> u16 {
        self.entry().1
    }

    /// The stable NATS error code (`error.err_code`).
    pub const fn err_code(self) -> u16 {
        self.entry().2
    }

    /// The description as the catalogue writes it, placeholders included.
    pub const fn template(self) -> &'static str {
        self.entry().3
    }

    /// The entry with this `err_code`, if any.
    pub fn from_err_code(err_code: u16) -> Option<ErrorId> {
        ErrorId::ALL
            .iter()
            .copied()
            .find(|e| e.err_code() == err_code)
    }

    /// The entry with this Go constant name, if any.
    pub fn from_constant(name: &str) -> Option<ErrorId> {
        ErrorId::ALL.iter().copied().find(|e| e.constant() == name)
    }

    /// The error as Go's argument-less constructor returns it: the description verbatim.
    pub fn err(self) -> ApiError {
        ApiError {
            code: self.code(),
            err_code: self.err_code(),
            description: self.template().to_string(),
        }
    }

    /// The error with `{err}` filled in: Go's `NewJSxxxError(err)` for the many `{err}` entries.
    pub fn with_err(self, err: impl fmt::Display) -> ApiError {
        self.fill(&[("{err}", &err)])
    }

    /// The error with each `(placeholder, value)` filled in, as Go's generated constructors do.
    pub fn fill(self, args: &[(&str, &dyn fmt::Display)]) -> ApiError {
        let values: Vec<(&str, String)> = args.iter().map(|(k, v)| (*k, v.to_string())).collect();
        ApiError {
            code: self.code(),
            err_code: self.err_code(),
            description: replace_placeholders(self.template(), &values),
        }
    }
}

impl From<ErrorId> for ApiError {
    fn from(id: ErrorId) -> Self {
        id.err()
    }
}

/// Go's `strings.NewReplacer(k1, v1, ...).Replace(template)`: a single pass from the left; at
/// each position the first listed key that matches wins, and its value is not rescanned.
fn replace_placeholders(template: &str, values: &[(&str, String)]) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    'scan: while !rest.is_empty() {
        for (key, value) in values {
            if !key.is_empty() && rest.starts_with(key) {
                out.push_str(value);
                rest = &rest[key.len()..];
                continue 'scan;
            }
        }
        let ch_len = rest.chars().next().map_or(1, char::len_utf8);
        out.push_str(&rest[..ch_len]);
        rest = &rest[ch_len..];
    }
    out
}

/// The `error` object of a JetStream API response: Go's `ApiError`. `err_code` and
/// `description` are left out of the JSON when zero or empty, as Go's `omitempty` does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    pub code: u16,
    #[serde(default, skip_serializing_if = "is_zero_u16")]
    pub err_code: u16,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
}

fn is_zero_u16(v: &u16) -> bool {
    *v == 0
}

impl ApiError {
    /// Go's `IsNatsErr(err, id)`: the same catalogue entry, compared by `err_code`.
    pub fn is(&self, id: ErrorId) -> bool {
        self.err_code == id.err_code()
    }

    /// Go's `IsNatsErr(err, ids...)` with several ids: any of them.
    pub fn is_any(&self, ids: &[ErrorId]) -> bool {
        ids.iter().any(|id| self.is(*id))
    }
}

/// Go's `IsNatsErr` over any error: only an [`ApiError`] can match.
pub fn is_nats_err(err: Option<&(dyn std::error::Error + 'static)>, ids: &[ErrorId]) -> bool {
    err.and_then(|e| e.downcast_ref::<ApiError>())
        .is_some_and(|e| e.is_any(ids))
}

/// Go's `Unless(err)` option of the error constructors: when `err` already is an
/// [`ApiError`] it is passed on unchanged, otherwise `make` builds the new error.
pub fn unless(
    err: Option<&(dyn std::error::Error + 'static)>,
    make: impl FnOnce() -> ApiError,
) -> ApiError {
    match err.and_then(|e| e.downcast_ref::<ApiError>()) {
        Some(e) => e.clone(),
        None => make(),
    }
}

/// Go's `ApiError.Error()`: `description (err_code)`.
impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.description, self.err_code)
    }
}

impl std::error::Error for ApiError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_entry_keeps_its_description() {
        let e = ErrorId::StreamNameExist.err();
        assert_eq!(e.code, 400);
        assert_eq!(e.err_code, 10058);
        assert_eq!(
            e.description,
            "stream name already in use with a different configuration"
        );
        assert_eq!(
            crate::info::go_json(&e),
            r#"{"code":400,"err_code":10058,"description":"stream name already in use with a different configuration"}"#
        );
        assert_eq!(
            e.to_string(),
            "stream name already in use with a different configuration (10058)"
        );
    }

    #[test]
    fn placeholders_fill_like_go_replacer() {
        let e = ErrorId::StreamExternalDelPrefixOverlaps
            .fill(&[("{prefix}", &"a.b"), ("{subject}", &"foo.>")]);
        assert_eq!(
            e.description,
            "stream external delivery prefix a.b overlaps with stream subject foo.>"
        );
        // A value that itself looks like a placeholder is not expanded again.
        let e = ErrorId::StreamExternalDelPrefixOverlaps
            .fill(&[("{prefix}", &"{subject}"), ("{subject}", &"x")]);
        assert_eq!(
            e.description,
            "stream external delivery prefix {subject} overlaps with stream subject x"
        );
        // A placeholder with no argument stays as written.
        let e = ErrorId::StreamExternalDelPrefixOverlaps.fill(&[("{prefix}", &"p")]);
        assert_eq!(
            e.description,
            "stream external delivery prefix p overlaps with stream subject {subject}"
        );
        let e = ErrorId::StreamInvalidConfig.with_err("max age can not be negative");
        assert_eq!((e.code, e.err_code), (500, 10052));
        assert_eq!(e.description, "max age can not be negative");
    }

    #[test]
    fn omits_empty_fields_and_parses_go_json() {
        let e = ApiError {
            code: 503,
            err_code: 0,
            description: String::new(),
        };
        assert_eq!(crate::info::go_json(&e), r#"{"code":503}"#);
        let back: ApiError = serde_json::from_str(
            r#"{"code":404,"err_code":10059,"description":"stream not found"}"#,
        )
        .expect("valid error JSON");
        assert!(back.is(ErrorId::StreamNotFound));
        assert_eq!(back, ErrorId::StreamNotFound.err());
    }

    #[derive(Debug)]
    struct Other;
    impl fmt::Display for Other {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("x")
        }
    }
    impl std::error::Error for Other {}

    // go: server/TestIsNatsErr
    #[test]
    fn is_nats_err_matches_by_err_code() {
        let not_enabled = ErrorId::NotEnabledForAccount.err();
        fn some(e: &ApiError) -> Option<&(dyn std::error::Error + 'static)> {
            Some(e)
        }
        assert!(is_nats_err(
            some(&not_enabled),
            &[ErrorId::NotEnabledForAccount]
        ));
        assert!(!is_nats_err(
            some(&not_enabled),
            &[ErrorId::ClusterNotActive]
        ));
        assert!(!is_nats_err(
            some(&not_enabled),
            &[ErrorId::ClusterNotActive, ErrorId::ClusterNotAvail]
        ));
        assert!(is_nats_err(
            some(&not_enabled),
            &[ErrorId::ClusterNotActive, ErrorId::NotEnabledForAccount]
        ));
        // Only the err_code counts.
        let bare = ApiError {
            code: 0,
            err_code: 10039,
            description: String::new(),
        };
        assert!(is_nats_err(
            some(&bare),
            &[ErrorId::ClusterNotActive, ErrorId::NotEnabledForAccount]
        ));
        assert!(!is_nats_err(some(&bare), &[ErrorId::ClusterNotActive]));
        assert!(!is_nats_err(None, &[ErrorId::ClusterNotActive]));
        assert!(!is_nats_err(Some(&Other), &[ErrorId::ClusterNotActive]));
    }

    // go: server/TestApiError_Error
    #[test]
    fn error_text_is_description_and_code() {
        assert_eq!(
            ErrorId::ClusterNotActive.err().to_string(),
            "JetStream not in clustered mode (10006)"
        );
    }

    // go: server/TestApiError_NewWithTags
    #[test]
    fn new_with_tags_fills_every_placeholder() {
        let e = ErrorId::RestoreSubscribeFailed
            .fill(&[("{err}", &"failed error"), ("{subject}", &"the.subject")]);
        assert_eq!(
            e.description,
            "JetStream unable to subscribe to restore snapshot the.subject: failed error"
        );
        assert_ne!(e, ErrorId::RestoreSubscribeFailed.err());
    }

    // go: server/TestApiError_NewWithUnless
    #[test]
    fn unless_passes_api_errors_through() {
        let not_enabled = ErrorId::NotEnabledForAccount.err();
        let restore = || ErrorId::StreamRestore.with_err("failed error");
        let ne = unless(Some(&not_enabled), restore);
        assert!(ne.is(ErrorId::NotEnabledForAccount));
        assert!(restore().is(ErrorId::StreamRestore));
        assert!(unless(Some(&Other), restore).is(ErrorId::StreamRestore));
        let remap = || ErrorId::PeerRemap.err();
        assert!(unless(Some(&not_enabled), remap).is(ErrorId::NotEnabledForAccount));
        assert!(unless(None, remap).is(ErrorId::PeerRemap));
        assert!(unless(Some(&Other), remap).is(ErrorId::PeerRemap));
    }

    #[test]
    fn table_is_contiguous_and_unique() {
        // Go's generator refuses gaps and duplicates in error_code; so do we.
        for (i, id) in ErrorId::ALL.iter().enumerate() {
            assert_eq!(usize::from(id.err_code()), 10002 + i, "{:?}", id);
            assert_eq!(ErrorId::from_err_code(id.err_code()), Some(*id));
            assert_eq!(ErrorId::from_constant(id.constant()), Some(*id));
        }
    }

    /// Compares the table with Go's `server/errors.json` when the Go source tree is given in
    /// `RNATS_GO_SRC` (the directory holding `server/`).
    #[test]
    fn table_matches_go_errors_json() {
        let Ok(root) = std::env::var("RNATS_GO_SRC") else {
            println!("RNATS_GO_SRC not set: skipping the comparison with Go's errors.json");
            return;
        };
        let path = std::path::Path::new(&root).join("server/errors.json");
        let text = std::fs::read_to_string(&path).expect("read errors.json");
        let entries: Vec<serde_json::Value> =
            serde_json::from_str(&text).expect("parse errors.json");
        assert_eq!(entries.len(), ErrorId::ALL.len(), "number of entries");
        for e in &entries {
            let constant = e["constant"].as_str().expect("constant");
            let id =
                ErrorId::from_constant(constant).unwrap_or_else(|| panic!("missing {constant}"));
            assert_eq!(
                Some(u64::from(id.code())),
                e["code"].as_u64(),
                "{constant} code"
            );
            assert_eq!(
                Some(u64::from(id.err_code())),
                e["error_code"].as_u64(),
                "{constant} error_code"
            );
            assert_eq!(
                Some(id.template()),
                e["description"].as_str(),
                "{constant} description"
            );
        }
    }
}
