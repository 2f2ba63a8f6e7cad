//! Decoding API requests the way the Go server does (`unmarshalRequest` in strict mode).
//!
//! Go reads requests with a `json.Decoder` that refuses unknown fields and decodes every
//! value in the body into the same struct. Keys match field names exactly or, failing that,
//! case-insensitively; `null` leaves a field at its zero value; the first problem in document
//! order is the error, in Go's words (`json: cannot unmarshal string into Go struct field
//! StreamConfigRequest.max_msgs of type int64`). [`parse`] reads the text, keeping key order;
//! the deserializer here applies Go's rules to any `#[serde(default)]` struct. Structs that
//! use `#[serde(flatten)]` lose the case and unknown-field rules, which is why
//! [`decode_stream_config_request`] handles `pedantic` itself.

mod go_types;
pub mod parse;

use std::fmt;

use serde::de::value::{Error, StrDeserializer};
use serde::de::{
    self, DeserializeOwned, DeserializeSeed, IntoDeserializer, MapAccess, SeqAccess, Visitor,
};
use serde::Deserializer;
use serde_json::Value;

use self::parse::{parse_stream, Node};
use super::stream_config::{StreamConfig, StreamConfigRequest};
use crate::gofmt::go_quote;

/// Why a request body could not be decoded, in Go's words. Go's API wraps it as
/// `invalid JSON: <text>` (`ErrorId::InvalidJSON`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError(pub String);

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DecodeError {}

/// Go's name for the kind of a JSON value in type errors.
pub(crate) fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// All values of the body merged into one object, as decoding them one after another into
/// the same struct does. No value at all is the zero struct.
fn merged_body(msg: &[u8], go_name: &str) -> Result<Node, DecodeError> {
    let values = parse_stream(msg).map_err(DecodeError)?;
    let mut fields = Vec::new();
    for v in values {
        match v {
            Node::Obj(f) => fields.extend(f),
            Node::Null => {}
            other => {
                return Err(DecodeError(format!(
                    "json: cannot unmarshal {} into Go value of type server.{go_name}",
                    other.kind()
                )))
            }
        }
    }
    Ok(Node::Obj(fields))
}

/// Decode a request body into `T` as Go decodes it into the Go struct named `go_name`
/// (which names the struct in error texts, e.g. `JSApiStreamPurgeRequest`).
pub fn decode_request<T: DeserializeOwned>(msg: &[u8], go_name: &str) -> Result<T, DecodeError> {
    let body = merged_body(msg, go_name)?;
    decode_node(&body, go_name)
}

fn decode_node<T: DeserializeOwned>(node: &Node, go_name: &str) -> Result<T, DecodeError> {
    let de = De {
        node,
        top: go_name,
        path: Vec::new(),
        last_is_index: false,
        go_type: None,
    };
    T::deserialize(de).map_err(|e| DecodeError(e.to_string()))
}

/// Decode a stream create or update body: Go's `StreamConfigRequest`, a `StreamConfig` with
/// the request-only `pedantic` flag beside it.
pub fn decode_stream_config_request(msg: &[u8]) -> Result<StreamConfigRequest, DecodeError> {
    const NAME: &str = "StreamConfigRequest";
    let Node::Obj(fields) = merged_body(msg, NAME)? else {
        return Err(DecodeError("json: unexpected body".into()));
    };
    let mut pedantic = false;
    let mut rest = Vec::with_capacity(fields.len());
    for (k, v) in fields {
        if k.eq_ignore_ascii_case("pedantic") {
            pedantic = match v {
                Node::Bool(b) => b,
                Node::Null => false,
                other => {
                    return Err(DecodeError(format!(
                    "json: cannot unmarshal {} into Go struct field {NAME}.pedantic of type bool",
                    other.kind()
                )))
                }
            };
        } else {
            rest.push((k, v));
        }
    }
    let config: StreamConfig = decode_node(&Node::Obj(rest), NAME)?;
    Ok(StreamConfigRequest { config, pedantic })
}

/// A position in the request: the node and how Go would name it in a type error.
#[derive(Clone)]
struct De<'a> {
    node: &'a Node,
    top: &'a str,
    path: Vec<String>,
    last_is_index: bool,
    /// The Go type of the field, when it differs from what the Rust type suggests.
    go_type: Option<&'static str>,
}

impl<'a> De<'a> {
    fn child(
        &self,
        node: &'a Node,
        name: String,
        is_index: bool,
        go_type: Option<&'static str>,
    ) -> De<'a> {
        let mut path = self.path.clone();
        path.push(name);
        De {
            node,
            top: self.top,
            path,
            last_is_index: is_index,
            go_type,
        }
    }

    fn type_error(&self, value: &str, rust_default: &str) -> Error {
        let ty = self.go_type.unwrap_or(rust_default);
        let msg = if self.path.is_empty() {
            format!(
                "json: cannot unmarshal {value} into Go value of type server.{}",
                self.top
            )
        } else if self.last_is_index {
            format!(
                "json: cannot unmarshal {value} into {}.{} of type {ty}",
                self.top,
                self.path.join(".")
            )
        } else {
            format!(
                "json: cannot unmarshal {value} into Go struct field {}.{} of type {ty}",
                self.top,
                self.path.join(".")
            )
        };
        de::Error::custom(msg)
    }

    fn wrong_kind(&self, rust_default: &str) -> Error {
        self.type_error(self.node.kind(), rust_default)
    }
}

macro_rules! de_int {
    ($method:ident, $visit:ident, $ty:ty, $go:literal) => {
        fn $method<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
            match self.node {
                Node::Null => v.$visit(0),
                Node::Num(text) => match text.parse::<$ty>() {
                    Ok(n) => v.$visit(n),
                    Err(_) => Err(self.type_error(&format!("number {text}"), $go)),
                },
                _ => Err(self.wrong_kind($go)),
            }
        }
    };
}

impl<'de> Deserializer<'de> for De<'de> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        match self.node {
            Node::Null => v.visit_unit(),
            Node::Bool(b) => v.visit_bool(*b),
            Node::Num(text) => {
                if let Ok(n) = text.parse::<i64>() {
                    v.visit_i64(n)
                } else if let Ok(n) = text.parse::<u64>() {
                    v.visit_u64(n)
                } else {
                    match text.parse::<f64>() {
                        Ok(f) => v.visit_f64(f),
                        Err(_) => Err(self.type_error(&format!("number {text}"), "float64")),
                    }
                }
            }
            Node::Str(s) => v.visit_str(s),
            Node::Arr(items) => v.visit_seq(Seq {
                de: &self,
                items,
                next: 0,
            }),
            Node::Obj(fields) => v.visit_map(Map {
                de: &self,
                fields,
                keep: None,
                next: 0,
                value: None,
                go_struct: None,
            }),
        }
    }

    de_int!(deserialize_i8, visit_i8, i8, "int8");
    de_int!(deserialize_i16, visit_i16, i16, "int16");
    de_int!(deserialize_i32, visit_i32, i32, "int32");
    de_int!(deserialize_i64, visit_i64, i64, "int64");
    de_int!(deserialize_u8, visit_u8, u8, "uint8");
    de_int!(deserialize_u16, visit_u16, u16, "uint16");
    de_int!(deserialize_u32, visit_u32, u32, "uint32");
    de_int!(deserialize_u64, visit_u64, u64, "uint64");

    fn deserialize_f32<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        self.deserialize_f64(v)
    }

    fn deserialize_f64<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        match self.node {
            Node::Null => v.visit_f64(0.0),
            Node::Num(text) => match text.parse::<f64>() {
                Ok(f) if f.is_finite() => v.visit_f64(f),
                _ => Err(self.type_error(&format!("number {text}"), "float64")),
            },
            _ => Err(self.wrong_kind("float64")),
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        match self.node {
            Node::Null => v.visit_bool(false),
            Node::Bool(b) => v.visit_bool(*b),
            _ => Err(self.wrong_kind("bool")),
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        match self.node {
            Node::Null => v.visit_str(""),
            Node::Str(s) => v.visit_str(s),
            _ => Err(self.wrong_kind("string")),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        self.deserialize_str(v)
    }

    fn deserialize_char<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        self.deserialize_str(v)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        self.deserialize_str(v)
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        self.deserialize_str(v)
    }

    fn deserialize_option<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        match self.node {
            Node::Null => v.visit_none(),
            _ => v.visit_some(self),
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        v.visit_unit()
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        v: V,
    ) -> Result<V::Value, Error> {
        v.visit_unit()
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        v: V,
    ) -> Result<V::Value, Error> {
        v.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        match self.node {
            Node::Null => v.visit_seq(Seq {
                de: &self,
                items: &[],
                next: 0,
            }),
            Node::Arr(items) => v.visit_seq(Seq {
                de: &self,
                items,
                next: 0,
            }),
            _ => Err(self.wrong_kind("[]string")),
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _len: usize, v: V) -> Result<V::Value, Error> {
        self.deserialize_seq(v)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        v: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_seq(v)
    }

    fn deserialize_map<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        match self.node {
            Node::Null => v.visit_map(Map {
                de: &self,
                fields: &[],
                keep: None,
                next: 0,
                value: None,
                go_struct: None,
            }),
            Node::Obj(fields) => v.visit_map(Map {
                de: &self,
                fields,
                keep: None,
                next: 0,
                value: None,
                go_struct: None,
            }),
            _ => Err(self.wrong_kind("map[string]string")),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        known: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, Error> {
        let fields: &[(String, Node)] = match self.node {
            Node::Null => &[],
            Node::Obj(fields) => fields,
            _ => return Err(self.type_error(self.node.kind(), &format!("server.{name}"))),
        };
        // Go matches a key to a field exactly, else case-insensitively; a later duplicate wins.
        let canon: Vec<Option<&'static str>> = fields
            .iter()
            .map(|(k, _)| {
                known
                    .iter()
                    .find(|f| **f == k.as_str())
                    .or_else(|| known.iter().find(|f| f.eq_ignore_ascii_case(k)))
                    .copied()
            })
            .collect();
        let keep: Vec<bool> = (0..fields.len())
            .map(|i| match canon[i] {
                None => true,
                Some(c) => !canon[i + 1..].contains(&Some(c)),
            })
            .collect();
        v.visit_map(Map {
            de: &self,
            fields,
            keep: Some((canon, keep)),
            next: 0,
            value: None,
            go_struct: Some(name),
        })
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        _variants: &'static [&'static str],
        _v: V,
    ) -> Result<V::Value, Error> {
        Err(self.type_error(self.node.kind(), &format!("server.{name}")))
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        self.deserialize_str(v)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        v.visit_unit()
    }
}

struct Seq<'a, 'b> {
    de: &'b De<'a>,
    items: &'a [Node],
    next: usize,
}

impl<'de> SeqAccess<'de> for Seq<'de, '_> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        let Some(item) = self.items.get(self.next) else {
            return Ok(None);
        };
        let child = self.de.child(item, self.next.to_string(), true, None);
        self.next += 1;
        seed.deserialize(child).map(Some)
    }
}

/// Fields of an object. For a struct, `keep` holds each key's field name (None: unknown)
/// and whether this occurrence is the last one of its field.
struct Map<'a, 'b> {
    de: &'b De<'a>,
    fields: &'a [(String, Node)],
    keep: Option<(Vec<Option<&'static str>>, Vec<bool>)>,
    next: usize,
    value: Option<De<'a>>,
    go_struct: Option<&'static str>,
}

impl<'de> MapAccess<'de> for Map<'de, '_> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        while let Some((key, node)) = self.fields.get(self.next) {
            let i = self.next;
            self.next += 1;
            let (name, go_type) = match (&self.keep, self.go_struct) {
                (Some((canon, keep)), Some(st)) => {
                    let Some(field) = canon[i] else {
                        return Err(de::Error::custom(format!(
                            "json: unknown field {}",
                            go_quote(key.as_bytes())
                        )));
                    };
                    if !keep[i] {
                        continue;
                    }
                    (field.to_string(), go_types::field_type(st, field))
                }
                _ => (key.clone(), None),
            };
            self.value = Some(self.de.child(node, name.clone(), false, go_type));
            let key_de: StrDeserializer<'_, Error> = name.as_str().into_deserializer();
            return seed.deserialize(key_de).map(Some);
        }
        Ok(None)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        match self.value.take() {
            Some(de) => seed.deserialize(de),
            None => Err(de::Error::custom("value without a key")),
        }
    }
}

#[cfg(test)]
mod tests;
