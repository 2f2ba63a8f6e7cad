//! The services the system account exports and every other account imports, added to the account
//! configurations as if configured (Go's `addSystemAccountExports` and `registerSystemImports`):
//! an account's `$SYS.REQ.SERVER.PING.CONNZ` and `$SYS.REQ.ACCOUNT.PING.CONNZ` become
//! `$SYS.REQ.ACCOUNT.<account>.CONNZ` in the system account, `$SYS.REQ.ACCOUNT.PING.STATZ` its
//! `STATZ`, and `$SYS.REQ.USER.INFO` its `$SYS.REQ.USER.<account>.INFO` with the requester's details
//! shared. Exports or imports already configured for those subjects take precedence.

use crate::accounts::config::{AccountConfig, Export, ResponseType, ServiceImport};
use crate::sublist::is_subset_match;

use super::subjects::{fmt, ACC_DIRECT_REQ, ACC_PING_REQ, DEBUG_SUBSCRIBERS, SERVER_PING_REQ};
use super::subjects::{USER_DIRECT_INFO, USER_DIRECT_REQ};

fn has_export_matching(cfg: &AccountConfig, subject: &str) -> bool {
    cfg.service_exports
        .iter()
        .any(|e| is_subset_match(subject.as_bytes(), e.subject.as_bytes()))
}

fn import(cfg: &mut AccountConfig, sys: &str, local: &str, remote: String, share: bool) {
    // Go's serviceImportExists: one from the system account on this local subject already.
    let exists = cfg.service_imports.iter().any(|si| {
        let from = if si.to.is_empty() {
            &si.subject
        } else {
            &si.to
        };
        si.account == sys && from == local
    });
    if !exists {
        cfg.service_imports.push(ServiceImport {
            account: sys.to_string(),
            subject: remote,
            to: local.to_string(),
            share,
            token: String::new(),
        });
    }
}

/// Add the system services to `cfgs`, where the account named `sys` is the system account.
pub fn add_system_services(cfgs: &mut [AccountConfig], sys: &str) {
    for cfg in cfgs.iter_mut() {
        if cfg.name == sys {
            add_exports(cfg);
        } else {
            let name = cfg.name.clone();
            let connz = fmt(ACC_DIRECT_REQ, &[&name, "CONNZ"]);
            import(
                cfg,
                sys,
                &fmt(ACC_PING_REQ, &["CONNZ"]),
                connz.clone(),
                false,
            );
            import(cfg, sys, &fmt(SERVER_PING_REQ, &["CONNZ"]), connz, false);
            let statz = fmt(ACC_DIRECT_REQ, &[&name, "STATZ"]);
            import(cfg, sys, &fmt(ACC_PING_REQ, &["STATZ"]), statz, false);
            let user = fmt(USER_DIRECT_REQ, &[&name]);
            import(cfg, sys, USER_DIRECT_INFO, user, true);
        }
    }
}

fn add_exports(cfg: &mut AccountConfig) {
    for ep in ["CONNZ", "STATZ"] {
        let subject = fmt(ACC_DIRECT_REQ, &["*", ep]);
        if !has_export_matching(cfg, &subject) {
            // The importing account's name must be the fourth token.
            cfg.service_exports.push(Export {
                subject,
                response_type: ResponseType::Streamed,
                account_token_position: 4,
                ..Export::default()
            });
        }
    }
    if !has_export_matching(cfg, DEBUG_SUBSCRIBERS) {
        cfg.service_exports.push(Export {
            subject: DEBUG_SUBSCRIBERS.to_string(),
            ..Export::default()
        });
    }
    let user = fmt(USER_DIRECT_REQ, &["*"]);
    if !has_export_matching(cfg, &user) {
        cfg.service_exports.push(Export {
            subject: user,
            ..Export::default()
        });
        let own = fmt(USER_DIRECT_REQ, &[&cfg.name.clone()]);
        let sys = cfg.name.clone();
        import(cfg, &sys, USER_DIRECT_INFO, own, true);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_exports_and_account_imports() {
        let mut cfgs = vec![AccountConfig::new("SYS"), AccountConfig::new("A")];
        add_system_services(&mut cfgs, "SYS");
        let subjects: Vec<&str> = cfgs[0]
            .service_exports
            .iter()
            .map(|e| e.subject.as_str())
            .collect();
        assert_eq!(
            subjects,
            [
                "$SYS.REQ.ACCOUNT.*.CONNZ",
                "$SYS.REQ.ACCOUNT.*.STATZ",
                "$SYS.DEBUG.SUBSCRIBERS",
                "$SYS.REQ.USER.*.INFO"
            ]
        );
        assert_eq!(cfgs[0].service_imports.len(), 1);
        assert_eq!(cfgs[0].service_imports[0].subject, "$SYS.REQ.USER.SYS.INFO");
        let a: Vec<(&str, &str, bool)> = cfgs[1]
            .service_imports
            .iter()
            .map(|i| (i.to.as_str(), i.subject.as_str(), i.share))
            .collect();
        assert_eq!(
            a,
            [
                (
                    "$SYS.REQ.ACCOUNT.PING.CONNZ",
                    "$SYS.REQ.ACCOUNT.A.CONNZ",
                    false
                ),
                (
                    "$SYS.REQ.SERVER.PING.CONNZ",
                    "$SYS.REQ.ACCOUNT.A.CONNZ",
                    false
                ),
                (
                    "$SYS.REQ.ACCOUNT.PING.STATZ",
                    "$SYS.REQ.ACCOUNT.A.STATZ",
                    false
                ),
                ("$SYS.REQ.USER.INFO", "$SYS.REQ.USER.A.INFO", true),
            ]
        );
        // Applying twice adds nothing.
        add_system_services(&mut cfgs, "SYS");
        assert_eq!(cfgs[1].service_imports.len(), 4);
        assert_eq!(cfgs[0].service_exports.len(), 4);
    }

    #[test]
    fn a_configured_export_takes_precedence() {
        let mut sys = AccountConfig::new("SYS");
        sys.service_exports.push(Export {
            subject: "$SYS.REQ.>".into(),
            ..Export::default()
        });
        let mut cfgs = vec![sys];
        add_system_services(&mut cfgs, "SYS");
        let subjects: Vec<&str> = cfgs[0]
            .service_exports
            .iter()
            .map(|e| e.subject.as_str())
            .collect();
        assert_eq!(subjects, ["$SYS.REQ.>", "$SYS.DEBUG.SUBSCRIBERS"]);
        assert!(cfgs[0].service_imports.is_empty());
    }
}
