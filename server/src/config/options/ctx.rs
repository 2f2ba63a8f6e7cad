//! Typed reads of config values with Go's error texts: a value of the wrong type is reported as Go's
//! failed type assertion (`interface conversion: interface {} is int64, not string`) at its position.

use std::time::Duration;

use crate::config::conf::{Entry, Value};

#[derive(Default)]
pub struct Ctx {
    pub errors: Vec<String>,
    pub warnings: Vec<String>,
}

impl Ctx {
    pub fn error(&mut self, e: &Entry, msg: impl std::fmt::Display) {
        self.errors.push(format!("{}: {}", e.value.pos, msg));
    }

    fn mismatch(&mut self, e: &Entry, want: &str) {
        let got = e.value.value.go_type_name();
        self.error(
            e,
            format_args!("interface conversion: interface {{}} is {got}, not {want}"),
        );
    }

    pub fn string(&mut self, e: &Entry) -> Option<String> {
        match &e.value.value {
            Value::String(s) => Some(s.clone()),
            _ => {
                self.mismatch(e, "string");
                None
            }
        }
    }

    pub fn int(&mut self, e: &Entry) -> Option<i64> {
        match &e.value.value {
            Value::Integer(i) => Some(*i),
            _ => {
                self.mismatch(e, "int64");
                None
            }
        }
    }

    pub fn boolean(&mut self, e: &Entry) -> Option<bool> {
        match &e.value.value {
            Value::Bool(b) => Some(*b),
            _ => {
                self.mismatch(e, "bool");
                None
            }
        }
    }

    /// An i32 option: above 2^31-1 is Go's `<key> value is too big`.
    pub fn int32(&mut self, e: &Entry, key: &str) -> Option<i32> {
        let v = self.int(e)?;
        if v > i32::MAX as i64 {
            self.error(e, format_args!("{key} value is too big"));
            return None;
        }
        Some(v as i32)
    }

    /// Go's `parseDuration`: a duration string, or (deprecated) an integer number of seconds with a warning.
    pub fn duration(&mut self, e: &Entry, field: &str) -> Option<Duration> {
        match &e.value.value {
            Value::String(s) => match crate::gofmt::parse_go_duration(s) {
                Ok(d) => Some(d),
                Err(err) => {
                    self.error(e, format_args!("error parsing {field}: {err}"));
                    None
                }
            },
            // Anything else is taken as the deprecated number of seconds: the warning comes first, then
            // a value that is no integer fails Go's type assertion.
            v => {
                self.warnings.push(format!(
                    "{}: invalid use of field {:?}: {field} should be converted to a duration",
                    e.value.pos, field
                ));
                match v {
                    Value::Integer(i) => Some(Duration::from_secs((*i).max(0) as u64)),
                    _ => {
                        self.mismatch(e, "int64");
                        None
                    }
                }
            }
        }
    }
}
