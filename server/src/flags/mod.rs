//! The `nats-server` command line: Go's flag syntax, every flag Go defines, and what the Go binary prints
//! and exits with for help, version, bad flags and bad values.
//!
//! Go: `ConfigureOptions` in server/opts.go and `main` in main.go. The order of decisions is Go's: a flag
//! error first (message on stderr, usage on stdout, exit 0 — Go's usage function exits 0), then `-v`, `-h`,
//! `--help_tls`, then a `version`/`help` word after the flags, then `--signal`, then `-t`, then the checks
//! that need the final options (cluster URL, TLS flags, routes). With a config file those last checks wait
//! until the file is loaded: load it, then call [`FlagSet::apply`] so flags given explicitly win.

mod defs;
mod finish;
mod goflag;
mod redact;
pub mod url;
mod usage;

#[cfg(test)]
mod tests;

use std::io::Write;

use crate::consts::VERSION;
use crate::options::Options;
use defs::Vars;
use goflag::Value;

pub use finish::{routes_from_str, TlsOverride};
pub use goflag::go_quote;
pub use redact::{redact_args, redact_url_list_user, redact_url_user};
pub use usage::USAGE;

/// What the command line asks for.
#[derive(Debug)]
pub enum Command {
    /// Run a server with these options. The [`FlagSet`] says which flags were given, so they can be
    /// applied again over a config file.
    Run(Box<Options>, FlagSet),
    /// `-h`, `--help` or `help`: print [`usage_text`] on stdout, exit 0.
    Help,
    /// `-v`, `--version` or `version`: print [`version_text`] on stdout, exit 0.
    Version,
    /// `--help_tls`: print [`tls_help_text`] on stdout, exit 0.
    HelpTls,
    /// `--signal <command>[=<pid or pid file>]`: send a signal to a running server and exit
    /// (see `crate::signals::run_signal_command`). `pid` is the raw text after `=`.
    Signal {
        command: String,
        pid: Option<String>,
    },
    /// `-t` with `-c`: check the config file, print [`check_config_text`] on stderr, exit 0.
    CheckConfig(Box<Options>, FlagSet),
}

/// Why the command line was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FlagError {
    /// Go's flag package refused the syntax or a value. Go prints the message on stderr, the usage on
    /// stdout, and exits with status 0.
    #[error("{0}")]
    Syntax(String),
    /// A later check failed. Go prints `nats-server: <message>` on stderr and exits with status 1.
    #[error("{0}")]
    Invalid(String),
}

impl FlagError {
    /// The exit status the Go binary uses.
    pub fn exit_code(&self) -> i32 {
        match self {
            FlagError::Syntax(_) => 0,
            FlagError::Invalid(_) => 1,
        }
    }

    /// What goes to stderr.
    pub fn stderr_text(&self) -> String {
        match self {
            FlagError::Syntax(msg) => format!("{msg}\n"),
            FlagError::Invalid(msg) => format!("nats-server: {msg}\n"),
        }
    }

    /// What goes to stdout.
    pub fn stdout_text(&self) -> String {
        match self {
            FlagError::Syntax(_) => usage_text(),
            FlagError::Invalid(_) => String::new(),
        }
    }

    /// Prints the error as Go does and returns the exit status to use.
    pub fn report(&self) -> i32 {
        // Nothing useful can be done if the terminal is gone.
        let _ = std::io::stderr().write_all(self.stderr_text().as_bytes());
        let _ = std::io::stdout().write_all(self.stdout_text().as_bytes());
        let _ = std::io::stdout().flush();
        self.exit_code()
    }
}

/// `--help` output (stdout).
pub fn usage_text() -> String {
    format!("{USAGE}\n")
}

/// Go's cipher suite names, as `--help_tls` lists them.
#[cfg(test)]
pub(crate) fn cipher_suite_names() -> &'static [&'static str] {
    usage::CIPHER_SUITES
}

/// `--version` output (stdout).
pub fn version_text() -> String {
    format!("nats-server: v{VERSION}\n")
}

/// `--help_tls` output (stdout).
pub fn tls_help_text() -> String {
    let mut out = String::from(usage::TLS_USAGE);
    for c in usage::CIPHER_SUITES {
        out.push_str(&format!("    {c}\n"));
    }
    out.push_str("\nAvailable curve preferences include:\n");
    for c in usage::CURVE_PREFERENCES {
        out.push_str(&format!("    {c}\n"));
    }
    out.push_str(usage::OCSP_USAGE);
    out
}

/// What `-t -c <file>` prints on stderr when the file is valid (`digest` is the config digest).
pub fn check_config_text(config_file: &str, digest: &str) -> String {
    format!("nats-server: configuration file {config_file} is valid ({digest})\n")
}

/// The flags given on the command line, in order, with their checked values.
#[derive(Debug, Clone, Default)]
pub struct FlagSet {
    given: Vec<(&'static defs::FlagDef, Value)>,
}

impl FlagSet {
    /// The flag names given (without dashes), in command-line order.
    pub fn names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.given.iter().map(|(d, _)| d.name)
    }

    /// True if a flag setting this `Options` field was given, under any of its names (`"port"` for
    /// `-p`/`--port`; `"debug"` for `-D`, `--debug`, `-DV`, `-DVV`; cluster fields as `"cluster.name"`).
    pub fn sets(&self, field: &str) -> bool {
        self.given
            .iter()
            .any(|(d, _)| defs::fields(d.target).contains(&field))
    }

    /// True if no flag was given.
    pub fn is_empty(&self) -> bool {
        self.given.is_empty()
    }

    /// How the TLS flags change TLS, given the options the flags were applied to.
    pub fn tls_override(&self, opts: &Options) -> TlsOverride {
        finish::tls_override(&self.given, opts)
    }

    /// Applies the flags over `opts` (loaded from a config file), then takes Go's post-parse steps:
    /// `-DV`/`-VV`/`-DVV`, `--cluster`, `--routes`, the TLS flag checks and the routes check.
    pub fn apply(&self, opts: &mut Options) -> Result<(), FlagError> {
        let vars = self.set_values(opts);
        finish::finish(&self.given, &vars, opts).map_err(FlagError::Invalid)
    }

    fn set_values(&self, opts: &mut Options) -> Vars {
        let mut vars = Vars::default();
        for (def, value) in &self.given {
            defs::set(def.target, value, opts, &mut vars);
        }
        vars
    }
}

/// Parses the command line (without the program name) as the Go `nats-server` does.
pub fn parse_args(args: &[String]) -> Result<Command, FlagError> {
    let scan = goflag::scan(args, defs::lookup).map_err(FlagError::Syntax)?;
    let flags = FlagSet { given: scan.given };
    let mut opts = Options::default();
    let vars = flags.set_values(&mut opts);

    if vars.show_version {
        return Ok(Command::Version);
    }
    if vars.show_help {
        return Ok(Command::Help);
    }
    if vars.show_tls_help {
        return Ok(Command::HelpTls);
    }
    // Go: ProcessCommandLineArgs looks at the first argument after the flags.
    if let Some(arg) = scan.rest.first() {
        return match arg.to_lowercase().as_str() {
            "version" => Ok(Command::Version),
            "help" => Ok(Command::Help),
            _ => Err(FlagError::Invalid(format!(
                "unrecognized command: {}",
                go_quote(arg)
            ))),
        };
    }
    if !vars.signal.is_empty() {
        let parts: Vec<&str> = vars.signal.split('=').collect();
        if parts.len() > 2 {
            return Err(FlagError::Invalid(format!(
                "invalid signal parameters: {}",
                goflag::go_list(&parts[2..])
            )));
        }
        return Ok(Command::Signal {
            command: parts[0].to_string(),
            pid: parts.get(1).map(|p| p.to_string()),
        });
    }
    if opts.config_file.is_some() {
        // The config file is loaded by the caller, then `FlagSet::apply` finishes the job.
        return Ok(if opts.check_config {
            Command::CheckConfig(Box::new(opts), flags)
        } else {
            Command::Run(Box::new(opts), flags)
        });
    }
    if opts.check_config {
        return Err(FlagError::Invalid(
            "must specify [-c, --config] option to check configuration file syntax".into(),
        ));
    }
    finish::finish(&flags.given, &vars, &mut opts).map_err(FlagError::Invalid)?;
    Ok(Command::Run(Box::new(opts), flags))
}
