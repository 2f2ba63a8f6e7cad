//! Variables and environment variables in configuration files as the server options see them (Go's
//! `TestVarReferences*` and `TestEnvVar*`). Each test uses its own variable names: nextest runs every
//! test in a process of its own, and the names keep them apart under `cargo test` too.

use crate::config_opts::load_text;
use crate::support::*;
use server::Options;

fn port_of(text: &str) -> i32 {
    load_text(text).0.expect("loads").port
}

fn error_of(text: &str) -> String {
    load_text(text).0.expect_err("must fail").to_string()
}

// go: server/TestVarReferencesVar
#[test]
fn variable_chains_resolve() {
    assert_eq!(port_of("\n  A: 7890\n  B: $A\n  C: $B\n  port: $C\n"), 7890);
}

// go: server/TestVarReferencesEnvVar
#[test]
fn variable_chain_ending_in_the_environment() {
    std::env::set_var("_RN_TEST_ENV_NATS_PORT_1_", "7890");
    assert_eq!(
        port_of("\n  A: $_RN_TEST_ENV_NATS_PORT_1_\n  B: $A\n  C: $B\n  port: $C\n"),
        7890
    );
}

// go: server/TestVarReferencesSelf
#[test]
fn variable_referring_to_itself_is_not_found() {
    let e = error_of("A: $A");
    assert!(
        e.contains("variable reference for 'A' on line 1 can not be found"),
        "{e}"
    );
}

// go: server/TestEnvVarReferencesVar
#[test]
fn environment_value_cannot_name_a_file_variable() {
    std::env::set_var("_RN_TEST_ENV_NATS_PORT_2_", "$P");
    let e = error_of("\n  P: 8080\n  port: $_RN_TEST_ENV_NATS_PORT_2_\n");
    assert!(
        e.contains("variable reference for 'P' on line 1 can not be found"),
        "{e}"
    );
}

// go: server/TestEnvVarReferencesEnvVar
#[test]
fn environment_chains_resolve() {
    std::env::set_var("_RN_TEST_ENV_A3_", "$_RN_TEST_ENV_B3_");
    std::env::set_var("_RN_TEST_ENV_B3_", "$_RN_TEST_ENV_C3_");
    std::env::set_var("_RN_TEST_ENV_C3_", "7890");
    assert_eq!(port_of("\n  port: $_RN_TEST_ENV_A3_\n"), 7890);
}

// go: server/TestEnvVarReferencesSelf
#[test]
fn environment_variable_naming_itself_is_a_cycle() {
    std::env::set_var("_RN_TEST_ENV_4_", "$_RN_TEST_ENV_4_");
    let e = error_of("\n  TEST: $_RN_TEST_ENV_4_\n");
    assert!(e.contains("variable reference cycle"), "{e}");
}

// go: server/TestEnvVarReferencesSelfCycle
#[test]
fn environment_variables_in_a_ring_are_a_cycle() {
    std::env::set_var("_RN_TEST_ENV_A5_", "$_RN_TEST_ENV_B5_");
    std::env::set_var("_RN_TEST_ENV_B5_", "$_RN_TEST_ENV_C5_");
    std::env::set_var("_RN_TEST_ENV_C5_", "$_RN_TEST_ENV_A5_");
    let e = error_of("\n  TEST: $_RN_TEST_ENV_A5_\n");
    assert!(e.contains("variable reference cycle"), "{e}");
}

// go: server/TestEnvVarInclude
#[test]
fn environment_value_is_a_value_not_a_directive() {
    std::env::set_var("_RN_TEST_ENV_A6_", "include x");
    let e = error_of("\n  TEST: $_RN_TEST_ENV_A6_\n");
    assert!(
        e.contains("Expected a top-level value to end with a new line, comment or EOF"),
        "{e}"
    );
}

// go: server/TestEnvVarFromIncludedFile
#[test]
fn environment_variables_resolve_inside_included_files() {
    let dir = TempDir::new("opts-envinc");
    std::fs::write(
        dir.0.join("inc.conf"),
        "\n  TEST_PORT: $_RN_TEST_ENV_PORT_A7_\n",
    )
    .unwrap();
    let main = dir.0.join("main.conf");
    std::fs::write(&main, "\n  include \"./inc.conf\"\n  port: $TEST_PORT\n").unwrap();
    std::env::set_var("_RN_TEST_ENV_PORT_A7_", "$_RN_TEST_ENV_PORT_B7_");
    std::env::set_var("_RN_TEST_ENV_PORT_B7_", "7890");
    let mut o = Options::default();
    server::config::options::load_file(&mut o, &main).expect("loads");
    assert_eq!(o.port, 7890);
}
