//! An `INFO` sent by a client is decoded by Go into its `Info` struct and otherwise ignored; a decode
//! failure (bad JSON, a field of the wrong type) closes the connection without `-ERR`. This checks the
//! same thing: valid JSON object, and each known field (matched case-insensitively) of Go's type.

use serde_json::Value;

#[derive(Clone, Copy)]
enum Ty {
    Str,
    Bool,
    Int { min: i128, max: i128 },
    StrList,
    Object,
}

const I32: Ty = Ty::Int {
    min: i32::MIN as i128,
    max: i32::MAX as i128,
};
const I64: Ty = Ty::Int {
    min: i64::MIN as i128,
    max: i64::MAX as i128,
};
const U8: Ty = Ty::Int {
    min: 0,
    max: u8::MAX as i128,
};
const U64: Ty = Ty::Int {
    min: 0,
    max: u64::MAX as i128,
};

fn field_type(key: &str) -> Option<Ty> {
    Some(match key {
        "server_id"
        | "server_name"
        | "version"
        | "git_commit"
        | "go"
        | "host"
        | "ip"
        | "client_ip"
        | "nonce"
        | "cluster"
        | "domain"
        | "compression"
        | "remote_account"
        | "route_account"
        | "route_acc_add_reqid"
        | "gateway"
        | "gateway_url"
        | "xkey"
        | "gateway_cmd_payload" => Ty::Str,
        "headers" | "auth_required" | "tls_required" | "tls_verify" | "tls_available"
        | "jetstream" | "cluster_dynamic" | "ldm" | "connect_info" | "acc_is_sys" | "lnoc"
        | "lnocu" | "info_on_connect" | "gateway_nrp" | "gateway_iom" => Ty::Bool,
        "proto" | "port" | "api_lvl" | "route_pool_size" | "route_pool_idx" => I64,
        "max_payload" => I32,
        "client_id" => U64,
        "gossip_mode" | "gateway_cmd" => U8,
        "connect_urls" | "ws_connect_urls" | "gateway_urls" | "leafnode_urls" => Ty::StrList,
        "import" | "export" => Ty::Object,
        _ => return None,
    })
}

fn fits(ty: Ty, v: &Value) -> bool {
    match (ty, v) {
        (_, Value::Null) => true,
        (Ty::Str, Value::String(_))
        | (Ty::Bool, Value::Bool(_))
        | (Ty::Object, Value::Object(_)) => true,
        (Ty::Int { min, max }, Value::Number(n)) => {
            let as_int = n
                .as_i64()
                .map(i128::from)
                .or_else(|| n.as_u64().map(i128::from));
            as_int.is_some_and(|i| (min..=max).contains(&i))
        }
        (Ty::StrList, Value::Array(items)) => items
            .iter()
            .all(|i| matches!(i, Value::String(_) | Value::Null)),
        _ => false,
    }
}

/// Ok when Go's `json.Unmarshal` into `Info` would succeed.
pub fn check_client_info(json: &[u8]) -> Result<(), String> {
    let v: Value = serde_json::from_slice(json).map_err(|e| e.to_string())?;
    let Value::Object(map) = v else {
        return Err("json: cannot unmarshal non-object into Go value of type server.Info".into());
    };
    for (k, v) in &map {
        if let Some(ty) = field_type(&k.to_ascii_lowercase()) {
            if !fits(ty, v) {
                return Err(format!(
                    "json: cannot unmarshal into Go struct field Info.{k}"
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::check_client_info;

    #[test]
    fn go_decode_rules() {
        assert!(check_client_info(b"{}").is_ok());
        assert!(check_client_info(br#"{"port":4222,"host":"h","unknown":[1]}"#).is_ok());
        assert!(check_client_info(br#"{"PORT":"x"}"#).is_err());
        assert!(check_client_info(br#"{"port":"x"}"#).is_err());
        assert!(check_client_info(br#"{"client_id":-1}"#).is_err());
        assert!(check_client_info(br#"{"max_payload":1.5}"#).is_err());
        assert!(check_client_info(br#"{"connect_urls":[1]}"#).is_err());
        assert!(check_client_info(b"x").is_err());
        assert!(check_client_info(b"[]").is_err());
    }
}
