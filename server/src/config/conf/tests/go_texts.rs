//! Error texts and digests taken from the Go binary (nats-server v2.15.1, `-t -c main.conf` run
//! in a directory holding each case's files and with its environment). Parse errors must read
//! exactly as Go prints them after `nats-server: `, and valid configs must hash to the digest
//! Go prints.

use crate::config::conf::{digest, parse_file_with, MemHost, Mode, OsHost};

struct Case {
    name: &'static str,
    files: &'static [(&'static str, &'static str)],
    env: &'static [(&'static str, &'static str)],
    want: &'static str,
}

fn run(case: &Case) -> Result<String, String> {
    let mut host = MemHost::new();
    for (path, text) in case.files {
        host = host.with_file(path, *text);
    }
    for (name, value) in case.env {
        host = host.with_env(name, value);
    }
    parse_file_with("main.conf", &host, Mode::Pedantic)
        .map(|m| digest(&m))
        .map_err(|e| e.to_string())
}

#[test]
fn parse_errors_read_as_go() {
    for case in ERRORS {
        match run(case) {
            Err(got) => assert_eq!(got, case.want, "case {}", case.name),
            Ok(d) => panic!(
                "case {} parsed ({d}), want error {:?}",
                case.name, case.want
            ),
        }
    }
}

#[test]
fn valid_configs_hash_as_go() {
    for case in VALID {
        match run(case) {
            Ok(got) => assert_eq!(got, case.want, "case {}", case.name),
            Err(e) => panic!("case {} failed: {e}", case.name),
        }
    }
}

#[test]
fn float_out_of_range_reads_as_go() {
    let text = format!("a = {}.0\n", "9".repeat(400));
    let host = MemHost::new().with_file("main.conf", text.as_str());
    let e = parse_file_with("main.conf", &host, Mode::Pedantic).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!("float '{}.0' is out of the range", "9".repeat(400))
    );
}

#[test]
fn read_errors_read_as_go() {
    let dir = std::env::temp_dir().join(format!("rnats-conf-read-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    let main = dir.join("main.conf");
    std::fs::write(&main, "include sub\n").unwrap();
    let main_s = main.to_string_lossy().into_owned();
    let dir_s = dir.to_string_lossy().into_owned();
    let include_dir = parse_file_with(&main_s, &OsHost, Mode::Pedantic);
    let missing = format!("{dir_s}/nope.conf");
    let pedantic_missing = parse_file_with(&missing, &OsHost, Mode::Pedantic);
    let plain_missing = parse_file_with(&missing, &OsHost, Mode::Plain);
    let top_dir = parse_file_with(&dir_s, &OsHost, Mode::Pedantic);
    std::fs::remove_dir_all(&dir).ok();

    assert_eq!(
        include_dir.unwrap_err().to_string(),
        format!("error parsing include file 'sub', read {dir_s}/sub: is a directory")
    );
    let e = pedantic_missing.unwrap_err();
    assert_eq!(
        e.to_string(),
        format!("open {missing}: no such file or directory")
    );
    assert_eq!(e.pos, None);
    assert_eq!(
        plain_missing.unwrap_err().to_string(),
        format!("error opening config file: open {missing}: no such file or directory")
    );
    assert_eq!(
        top_dir.unwrap_err().to_string(),
        format!("read {dir_s}: is a directory")
    );
}

const ERRORS: &[Case] = &[
    Case {
        name: "unterminated_dq",
        files: &[("main.conf", "port = 4222\nfoo = \"abc\n")],
        env: &[],
        want: "Parse error on line 3: 'Unexpected EOF.'",
    },
    Case {
        name: "bad_escape",
        files: &[("main.conf", "foo = \"a\\qb\"\n")],
        env: &[],
        want: "Parse error on line 1: 'Invalid escape character 'q'. Only the following escape characters are allowed: \\xXX, \\t, \\n, \\r, \\\", \\\\.'",
    },
    Case {
        name: "key_sep",
        files: &[("main.conf", " = 1\n")],
        env: &[],
        want: "Parse error on line 1: 'Unexpected key separator '=''",
    },
    Case {
        name: "map_key_sep",
        files: &[("main.conf", "a { : 1 }\n")],
        env: &[],
        want: "Parse error on line 1: 'Unexpected key separator ':'.'",
    },
    Case {
        name: "map_value_term",
        files: &[("main.conf", "a { b = 1 c }\n")],
        env: &[],
        want: "Parse error on line 1: 'Expected a map value terminator \",\" or a map terminator \"}\", but got 'c' instead.'",
    },
    Case {
        name: "map_value_comma",
        files: &[("main.conf", "a { b = , }\n")],
        env: &[],
        want: "Parse error on line 1: 'Unexpected map value terminator \",\".'",
    },
    Case {
        name: "map_eof",
        files: &[("main.conf", "a { b = 1\n")],
        env: &[],
        want: "Parse error on line 2: 'Unexpected EOF processing map.'",
    },
    Case {
        name: "map_key_eof",
        files: &[("main.conf", "a { b")],
        env: &[],
        want: "Parse error on line 1: 'Unexpected EOF processing map key.'",
    },
    Case {
        name: "map_array_end",
        files: &[("main.conf", "a { ] }\n")],
        env: &[],
        want: "Parse error on line 1: 'Unexpected array end ']' processing map.'",
    },
    Case {
        name: "array_term",
        files: &[("main.conf", "a = [1 2 x]\n")],
        env: &[],
        want: "Parse error on line 1: 'Expected an array value terminator \",\" or an array terminator \"]\", but got '2' instead.'",
    },
    Case {
        name: "array_last_int",
        files: &[("main.conf", "server_tags = [1,2]\n")],
        env: &[],
        want: "Parse error on line 2: 'Expected an array value terminator \",\" or an array terminator \"]\", but got '\0' instead.'",
    },
    Case {
        name: "array_comma",
        files: &[("main.conf", "a = [,]\n")],
        env: &[],
        want: "Parse error on line 1: 'Unexpected array value terminator ','.'",
    },
    Case {
        name: "array_slash",
        files: &[("main.conf", "a = [ /x ]\n")],
        env: &[],
        want: "Parse error on line 1: 'Unexpected array value terminator ','.'",
    },
    Case {
        name: "top_value_end",
        files: &[("main.conf", "a = 1 b\n")],
        env: &[],
        want: "Parse error on line 1: 'Expected a top-level value to end with a new line, comment or EOF, but got 'b' instead.'",
    },
    Case {
        name: "block_level_end",
        files: &[("main.conf", "{ a = 1 b }\n")],
        env: &[],
        want: "Parse error on line 1: 'Expected a block-level value to end with a new line, comment or EOF, but got 'b' instead.'",
    },
    Case {
        name: "block_end",
        files: &[("main.conf", "{ { a = 1 } x }\n")],
        env: &[],
        want: "Parse error on line 1: 'Expected a block-level to end with a '}', but got 'x' instead.'",
    },
    Case {
        name: "date_short",
        files: &[("main.conf", "a = 2016-05-04\n")],
        env: &[],
        want: "Parse error on line 2: 'Expected 'T' in ISO8601 datetime, but found '\\n' instead.'",
    },
    Case {
        name: "date_not_zulu",
        files: &[("main.conf", "a = 16-05-04T18:53:41Z\n")],
        env: &[],
        want: "Parse error on line 1: 'All ISO8601 dates must be in full Zulu form.'",
    },
    Case {
        name: "date_bad_sep",
        files: &[("main.conf", "a = 2016-05-04X18:53:41Z\n")],
        env: &[],
        want: "Parse error on line 1: 'Expected 'T' in ISO8601 datetime, but found 'X' instead.'",
    },
    Case {
        name: "date_month",
        files: &[("main.conf", "a = 2016-13-04T18:53:41Z\n")],
        env: &[],
        want: "expected Zulu formatted DateTime, but got '2016-13-04T18:53:41Z'",
    },
    Case {
        name: "date_feb29",
        files: &[("main.conf", "a = 2015-02-29T18:53:41Z\n")],
        env: &[],
        want: "expected Zulu formatted DateTime, but got '2015-02-29T18:53:41Z'",
    },
    Case {
        name: "date_hour",
        files: &[("main.conf", "a = 2016-05-04T24:53:41Z\n")],
        env: &[],
        want: "expected Zulu formatted DateTime, but got '2016-05-04T24:53:41Z'",
    },
    Case {
        name: "float_dot",
        files: &[("main.conf", "a = .5\n")],
        env: &[],
        want: "Parse error on line 1: 'Floats must start with a digit'",
    },
    Case {
        name: "neg_float_dot",
        files: &[("main.conf", "a = -.5\n")],
        env: &[],
        want: "Parse error on line 1: 'Floats must start with a digit, not '.'.'",
    },
    Case {
        name: "neg_not_digit",
        files: &[("main.conf", "a = -x\n")],
        env: &[],
        want: "Parse error on line 1: 'Expected a digit but got 'x'.'",
    },
    Case {
        name: "float_no_digit",
        files: &[("main.conf", "a = 1.x\n")],
        env: &[],
        want: "Parse error on line 1: 'Floats must have a digit after the '.', but got 'x' instead.'",
    },
    Case {
        name: "int_range",
        files: &[("main.conf", "a = 99999999999999999999\n")],
        env: &[],
        want: "integer '99999999999999999999' is out of the range",
    },
    Case {
        name: "int_range_neg",
        files: &[("main.conf", "a = -9223372036854775809\n")],
        env: &[],
        want: "integer '-9223372036854775809' is out of the range",
    },
    Case {
        name: "int_unicode_digit",
        files: &[("main.conf", "a = 1١\n")],
        env: &[],
        want: "expected integer, but got '1١'",
    },
    Case {
        name: "float_unicode",
        files: &[("main.conf", "a = 1.١\n")],
        env: &[],
        want: "expected float, but got '1.١'",
    },
    Case {
        name: "hex_eol",
        files: &[("main.conf", "a = \"x\\x4\n")],
        env: &[],
        want: "Parse error on line 2: 'Expected two hexadecimal digits after '\\x', but hit end of line'",
    },
    Case {
        name: "hex_bad",
        files: &[("main.conf", "a = \"\\xZZ\"\n")],
        env: &[],
        want: "Parse error on line 1: 'Expected two hexadecimal digits after '\\x', but got 'ZZ''",
    },
    Case {
        name: "value_newline",
        files: &[("main.conf", "a =\n1\n")],
        env: &[],
        want: "Parse error on line 2: 'Expected value but found new line'",
    },
    Case {
        name: "trailing_key",
        files: &[("main.conf", "port = 4222\nfoo\n")],
        env: &[],
        want: "config is invalid (main.conf:3:1)",
    },
    Case {
        name: "unexpected_eof_slash",
        files: &[("main.conf", "port = 4222\n/x = 1\n")],
        env: &[],
        want: "Parse error on line 2: 'Unexpected EOF.'",
    },
    Case {
        name: "block_eof",
        files: &[("main.conf", "a (\nabc\n")],
        env: &[],
        want: "Parse error on line 3: 'Unexpected EOF processing block.'",
    },
    Case {
        name: "quoted_key_eof",
        files: &[("main.conf", "\"abc")],
        env: &[],
        want: "Parse error on line 1: 'Unexpected EOF.'",
    },
    Case {
        name: "map_quoted_key_eof",
        files: &[("main.conf", "a { \"abc")],
        env: &[],
        want: "Parse error on line 1: 'Unexpected EOF processing double quoted map key.'",
    },
    Case {
        name: "map_squoted_key_eof",
        files: &[("main.conf", "a { 'abc")],
        env: &[],
        want: "Parse error on line 1: 'Unexpected EOF processing quoted map key.'",
    },
    Case {
        name: "include_array",
        files: &[("main.conf", "include [a]\n")],
        env: &[],
        want: "Parse error on line 1: 'Expected include value but found start of an array'",
    },
    Case {
        name: "include_map",
        files: &[("main.conf", "include {a}\n")],
        env: &[],
        want: "Parse error on line 1: 'Expected include value but found start of a map'",
    },
    Case {
        name: "include_block",
        files: &[("main.conf", "include (a)\n")],
        env: &[],
        want: "Parse error on line 1: 'Expected include value but found start of a block'",
    },
    Case {
        name: "include_number",
        files: &[("main.conf", "include 5.conf\n")],
        env: &[],
        want: "Parse error on line 1: 'Expected include value but found start of a number'",
    },
    Case {
        name: "include_escape",
        files: &[("main.conf", "include \\a\n")],
        env: &[],
        want: "Parse error on line 1: 'Expected include value but found escape sequence'",
    },
    Case {
        name: "include_newline",
        files: &[("main.conf", "include\t\nfoo\n")],
        env: &[],
        want: "Parse error on line 2: 'Expected include value but found new line'",
    },
    Case {
        name: "include_dq_eof",
        files: &[("main.conf", "include \"abc")],
        env: &[],
        want: "Parse error on line 1: 'Unexpected EOF in double quoted include'",
    },
    Case {
        name: "include_sq_eof",
        files: &[("main.conf", "include 'abc")],
        env: &[],
        want: "Parse error on line 1: 'Unexpected EOF in quoted include'",
    },
    Case {
        name: "include_missing",
        files: &[("main.conf", "port = 4222\ninclude nope.conf\n")],
        env: &[],
        want: "error parsing include file 'nope.conf', open nope.conf: no such file or directory",
    },
    Case {
        name: "include_bad",
        files: &[("main.conf", "port = 4222\ninclude bad.conf\n"), ("bad.conf", "a = \"x\n")],
        env: &[],
        want: "error parsing include file 'bad.conf', Parse error on line 2: 'Unexpected EOF.'",
    },
    Case {
        name: "include_nested_bad",
        files: &[("main.conf", "a { include sub/one.conf }\n"), ("sub/one.conf", "include two.conf\n"), ("sub/two.conf", "b = $nope\n")],
        env: &[],
        want: "error parsing include file 'sub/one.conf', error parsing include file 'two.conf', variable reference for 'nope' on line 1 can not be found",
    },
    Case {
        name: "include_trailing_key",
        files: &[("main.conf", "include inc.conf\n"), ("inc.conf", "zzz")],
        env: &[],
        want: "error parsing include file 'inc.conf', config is invalid (inc.conf:1:3)",
    },
    Case {
        name: "var_missing",
        files: &[("main.conf", "port = 4222\nfoo = $bar\n")],
        env: &[],
        want: "variable reference for 'bar' on line 2 can not be found",
    },
    Case {
        name: "var_missing_in_array",
        files: &[("main.conf", "a = [1, $nope]\n")],
        env: &[],
        want: "variable reference for 'nope' on line 1 can not be found",
    },
    Case {
        name: "env_cycle_self",
        files: &[("main.conf", "a = $CYC_A\n")],
        env: &[("CYC_A", "$CYC_A")],
        want: "variable reference for 'CYC_A' on line 1 could not be parsed: variable reference for 'CYC_A' on line 1 could not be parsed: variable reference cycle for 'CYC_A'",
    },
    Case {
        name: "env_cycle_two",
        files: &[("main.conf", "a = $CYC_A\n")],
        env: &[("CYC_A", "$CYC_B"), ("CYC_B", "$CYC_A")],
        want: "variable reference for 'CYC_A' on line 1 could not be parsed: variable reference for 'CYC_B' on line 1 could not be parsed: variable reference for 'CYC_A' on line 1 could not be parsed: variable reference cycle for 'CYC_A'",
    },
    Case {
        name: "env_parse_error",
        files: &[("main.conf", "a = $EBAD\n")],
        env: &[("EBAD", "foo bar")],
        want: "variable reference for 'EBAD' on line 1 could not be parsed: Parse error on line 1: 'Expected a top-level value to end with a new line, comment or EOF, but got 'b' instead.'",
    },
    Case {
        name: "env_missing_inner",
        files: &[("main.conf", "a = $EOUT\n")],
        env: &[("EOUT", "$EIN_MISSING")],
        want: "variable reference for 'EOUT' on line 1 could not be parsed: variable reference for 'EIN_MISSING' on line 1 can not be found",
    },
    Case {
        name: "env_int_range",
        files: &[("main.conf", "a = $EBIG\n")],
        env: &[("EBIG", "99999999999999999999")],
        want: "variable reference for 'EBIG' on line 1 could not be parsed: integer '99999999999999999999' is out of the range",
    },
    Case {
        name: "dq_eof_after_escape",
        files: &[("main.conf", "foo = \"abc\\t")],
        env: &[],
        want: "config is invalid (main.conf:1:8)",
    },
    Case {
        name: "nul_in_map",
        files: &[("main.conf", "a { b = 1")],
        env: &[],
        want: "Parse error on line 1: 'Expected a map value terminator \",\" or a map terminator \"}\", but got '\0' instead.'",
    },
];

const VALID: &[Case] = &[
    Case {
        name: "ok_size_wraps",
        files: &[(
            "main.conf",
            "port = 4222\nmax_pending = 9223372036854775807k\n",
        )],
        env: &[],
        want: "sha256:939662557bfa7d761b0c720467cd0868514aa80578afd3da5f10f6b3d645b8d1",
    },
    Case {
        name: "ok_port",
        files: &[("main.conf", "port = 4222\n")],
        env: &[],
        want: "sha256:797533ebd0dfba7d34a0f9337ecf147e442871f48ddfd07ed751575a5737267e",
    },
    Case {
        name: "ok_block_eof_paren",
        files: &[("main.conf", "server_name (\nabc\n)")],
        env: &[],
        want: "sha256:7fad305ed33096c9a645007e811332955ee9ea96f860d4be3c4fa4751c187861",
    },
    Case {
        name: "ok_block_nl",
        files: &[("main.conf", "server_name (\nabc\n)\n")],
        env: &[],
        want: "sha256:476bc98977c2b0b11ed1bac4620058c95ba3ba0f62927457f426b971c6b8d10b",
    },
    Case {
        name: "ok_timeout_tiny",
        files: &[("main.conf", "authorization { timeout: 0.0000001 }\n")],
        env: &[],
        want: "sha256:0cf2519d83b3592eb5f3f80f08033e24f0af96eb50a24964c7bb965f0f5003a1",
    },
    Case {
        name: "ok_timeout_negzero",
        files: &[("main.conf", "authorization { timeout: -0.0 }\n")],
        env: &[],
        want: "sha256:cf2ac64417f9a8584544f1b31b459760c31a9ba3792da9e9a7beee590cb8c7ab",
    },
    Case {
        name: "ok_server_name_escapes",
        files: &[(
            "main.conf",
            "server_name = \"<a&b>\\t\\x01\\x7fé\u{2028}\\x08\\x0c\"\n",
        )],
        env: &[],
        want: "sha256:84fda6347fb5f1c74d9d262b3707fcc06bf0e576cb6936ddc2d5558810ff61bc",
    },
    Case {
        name: "ok_include",
        files: &[
            ("main.conf", "include \"inc.conf\"\nserver_name: x\n"),
            ("inc.conf", "port = 4333\n"),
        ],
        env: &[],
        want: "sha256:2309ea421e303de7f59deadf943ae187dac84d9b171ccb7d5348e20c1f1dc725",
    },
    Case {
        name: "ok_env",
        files: &[("main.conf", "port = $ENV_PORT\n")],
        env: &[("ENV_PORT", "4555")],
        want: "sha256:3dc51421e0776eda31de573a66f869c9fad02b7c036a2eb8cf15ac3c4b1c624b",
    },
    Case {
        name: "ok_env_map",
        files: &[("main.conf", "authorization = $ENV_AUTH\n")],
        env: &[("ENV_AUTH", "{ user: a, password: b }")],
        want: "sha256:1e615487e1e30dfa26852913cc9a9ba34c164b8ccbc4dacf5814622c5f3f59df",
    },
    Case {
        name: "ok_sizes",
        files: &[("main.conf", "max_payload = 1MB\nmax_pending = 2k\n")],
        env: &[],
        want: "sha256:4a16f48275120786a8cd0bc585e09b252f7f2c9c99ff5cd8d5015893f621e246",
    },
    Case {
        name: "ok_unknown_suffix",
        files: &[("main.conf", "port = 4222\nmax_payload = 1kbib\n")],
        env: &[],
        want: "sha256:797533ebd0dfba7d34a0f9337ecf147e442871f48ddfd07ed751575a5737267e",
    },
    Case {
        name: "ok_var_used",
        files: &[("main.conf", "P = 4222\nport = $P\n")],
        env: &[],
        want: "sha256:7c0ccec1e58a14e6624669b19d41d86052066426addea874d57cacdd0ce6cdae",
    },
    Case {
        name: "ok_bcrypt",
        files: &[(
            "main.conf",
            "authorization { user: a, password: $2a$11$ooo }\n",
        )],
        env: &[],
        want: "sha256:6b68c53ae1a47160c47f221a14b94ade721ca70a0e4ff2222000274d3582b4ed",
    },
    Case {
        name: "ok_dup_key",
        files: &[("main.conf", "port = 4222\nport = 4333\n")],
        env: &[],
        want: "sha256:5942f6739f1572892ba80b954eee212713f172258629e16936dfeeae8e2eb80d",
    },
    Case {
        name: "ok_uppercase_include",
        files: &[
            ("main.conf", "İnclude inc.conf\n"),
            ("inc.conf", "port = 4333\n"),
        ],
        env: &[],
        want: "sha256:5942f6739f1572892ba80b954eee212713f172258629e16936dfeeae8e2eb80d",
    },
    Case {
        name: "ok_abs_include",
        files: &[
            ("main.conf", "include /inc.conf\n"),
            ("inc.conf", "port = 4334\n"),
        ],
        env: &[],
        want: "sha256:f056fdd25c3ffb6f704dac763d5d53de1caa431178cb2dd869095b76bd6053cc",
    },
];
