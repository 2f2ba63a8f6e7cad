//! The CONNECT JSON a client sends, decoded as Go's `encoding/json` decodes it into `ClientOpts`:
//! keys match case-insensitively, unknown keys are ignored, `null` leaves the default, and a value of the wrong
//! type is an error (the server then closes the connection without `-ERR`).
//! Defaults when a field is absent: `verbose`, `pedantic` and `echo` are true (Go's `defaultOpts`).

use serde_json::{Map, Value};

/// Client options from CONNECT (`ClientOpts` in Go's client.go).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectInfo {
    pub echo: bool,
    pub verbose: bool,
    pub pedantic: bool,
    pub tls_required: bool,
    pub nkey: String,
    pub jwt: String,
    pub sig: String,
    pub auth_token: String,
    pub user: String,
    pub pass: String,
    pub name: String,
    pub lang: String,
    pub version: String,
    pub protocol: i64,
    pub account: String,
    pub new_account: bool,
    pub headers: bool,
    pub no_responders: bool,
    pub remote_account: String,
    pub proxy_sig: String,
}

impl Default for ConnectInfo {
    fn default() -> Self {
        ConnectInfo {
            echo: true,
            verbose: true,
            pedantic: true,
            tls_required: false,
            nkey: String::new(),
            jwt: String::new(),
            sig: String::new(),
            auth_token: String::new(),
            user: String::new(),
            pass: String::new(),
            name: String::new(),
            lang: String::new(),
            version: String::new(),
            protocol: 0,
            account: String::new(),
            new_account: false,
            headers: false,
            no_responders: false,
            remote_account: String::new(),
            proxy_sig: String::new(),
        }
    }
}

impl ConnectInfo {
    /// Decode CONNECT JSON. The error text is what the server logs before closing.
    pub fn parse(json: &[u8]) -> Result<ConnectInfo, String> {
        let value: Value = serde_json::from_slice(json).map_err(|e| e.to_string())?;
        let Value::Object(map) = value else {
            return Err(
                "json: cannot unmarshal non-object into Go value of type server.ClientOpts".into(),
            );
        };
        let mut ci = ConnectInfo::default();
        ci.apply(&map)?;
        Ok(ci)
    }

    fn apply(&mut self, map: &Map<String, Value>) -> Result<(), String> {
        let mut first_err: Option<String> = None;
        for (key, value) in map {
            if value.is_null() {
                continue;
            }
            let res = match key.to_ascii_lowercase().as_str() {
                "echo" => set_bool(&mut self.echo, key, value),
                "verbose" => set_bool(&mut self.verbose, key, value),
                "pedantic" => set_bool(&mut self.pedantic, key, value),
                "tls_required" => set_bool(&mut self.tls_required, key, value),
                "new_account" => set_bool(&mut self.new_account, key, value),
                "headers" => set_bool(&mut self.headers, key, value),
                "no_responders" => set_bool(&mut self.no_responders, key, value),
                "nkey" => set_str(&mut self.nkey, key, value),
                "jwt" => set_str(&mut self.jwt, key, value),
                "sig" => set_str(&mut self.sig, key, value),
                "auth_token" => set_str(&mut self.auth_token, key, value),
                "user" => set_str(&mut self.user, key, value),
                "pass" => set_str(&mut self.pass, key, value),
                "name" => set_str(&mut self.name, key, value),
                "lang" => set_str(&mut self.lang, key, value),
                "version" => set_str(&mut self.version, key, value),
                "account" => set_str(&mut self.account, key, value),
                "remote_account" => set_str(&mut self.remote_account, key, value),
                "proxy_sig" => set_str(&mut self.proxy_sig, key, value),
                "protocol" => match value.as_i64() {
                    Some(n) => {
                        self.protocol = n;
                        Ok(())
                    }
                    None => Err(type_err(key, value, "int")),
                },
                _ => Ok(()),
            };
            // Go's decoder keeps going after a type error and reports the first one.
            if let Err(e) = res {
                first_err.get_or_insert(e);
            }
        }
        match first_err {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

fn set_bool(slot: &mut bool, key: &str, v: &Value) -> Result<(), String> {
    match v.as_bool() {
        Some(b) => {
            *slot = b;
            Ok(())
        }
        None => Err(type_err(key, v, "bool")),
    }
}

fn set_str(slot: &mut String, key: &str, v: &Value) -> Result<(), String> {
    match v.as_str() {
        Some(s) => {
            *slot = s.to_string();
            Ok(())
        }
        None => Err(type_err(key, v, "string")),
    }
}

fn type_err(key: &str, v: &Value, want: &str) -> String {
    let got = match v {
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
        Value::Null => "null",
    };
    format!("json: cannot unmarshal {got} into Go struct field ClientOpts.{key} of type {want}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_connect_means_verbose_pedantic_echo() {
        let ci = ConnectInfo::parse(b"{}").unwrap();
        assert!(ci.verbose && ci.pedantic && ci.echo);
        assert!(!ci.headers && !ci.no_responders);
        assert_eq!(ci.protocol, 0);
    }

    #[test]
    fn keys_match_case_insensitively_and_unknown_keys_are_ignored() {
        let ci = ConnectInfo::parse(
            br#"{"VERBOSE":false,"Pedantic":false,"zzz":[1],"protocol":1,"Name":"n"}"#,
        )
        .unwrap();
        assert!(!ci.verbose && !ci.pedantic);
        assert_eq!(ci.protocol, 1);
        assert_eq!(ci.name, "n");
    }

    #[test]
    fn wrong_types_and_bad_json_are_errors() {
        assert!(ConnectInfo::parse(br#"{"verbose":"yes"}"#).is_err());
        assert!(ConnectInfo::parse(br#"{"protocol":1.5}"#).is_err());
        assert!(ConnectInfo::parse(br#"{"verbose":false"#).is_err());
        assert!(ConnectInfo::parse(b"[]").is_err());
        assert!(ConnectInfo::parse(b"\xff").is_err());
    }

    // go: server/TestClientConnect
    #[test]
    fn connect_fields_are_captured() {
        let ci = ConnectInfo::parse(
            br#"{"verbose":true,"pedantic":true,"tls_required":false,"echo":false}"#,
        )
        .unwrap();
        assert_eq!(
            ci,
            ConnectInfo {
                verbose: true,
                pedantic: true,
                echo: false,
                ..ConnectInfo::default()
            }
        );
        let ci = ConnectInfo::parse(br#"{"user":"derek","pass":"foo"}"#).unwrap();
        assert_eq!(
            ci,
            ConnectInfo {
                user: "derek".into(),
                pass: "foo".into(),
                ..ConnectInfo::default()
            }
        );
        let ci = ConnectInfo::parse(br#"{"user":"derek","pass":"foo","name":"router"}"#).unwrap();
        assert_eq!(
            ci,
            ConnectInfo {
                user: "derek".into(),
                pass: "foo".into(),
                name: "router".into(),
                ..ConnectInfo::default()
            }
        );
        let ci = ConnectInfo::parse(br#"{"auth_token":"YZZ222","name":"router"}"#).unwrap();
        assert_eq!(
            ci,
            ConnectInfo {
                auth_token: "YZZ222".into(),
                name: "router".into(),
                ..ConnectInfo::default()
            }
        );
    }

    #[test]
    fn null_leaves_the_default() {
        let ci = ConnectInfo::parse(br#"{"echo":null,"verbose":null}"#).unwrap();
        assert!(ci.echo && ci.verbose);
    }
}
