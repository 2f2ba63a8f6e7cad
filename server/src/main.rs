//! `rnats-server`: parse Go-compatible flags, start logging, run the server until a signal ends it.
//! Output and exit codes of the command line match the Go `nats-server` binary.

use std::io::Write;
use std::process::ExitCode;

use server::flags::{self, Command};
use server::{logging, signals, Server};

fn print(stdout: bool, text: &str) {
    // Nothing useful can be done if the terminal is gone.
    if stdout {
        let _ = std::io::stdout().write_all(text.as_bytes());
        let _ = std::io::stdout().flush();
    } else {
        let _ = std::io::stderr().write_all(text.as_bytes());
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (opts, given) = match flags::parse_args(&args) {
        Ok(Command::Run(opts, given)) => match with_config_file(*opts, &given) {
            Ok((opts, _)) => {
                // Go's NewServer validates the options before logging starts (`-t` does not).
                if let Err(e) = server::config::options::validate_auth(&opts) {
                    print(false, &format!("nats-server: {e}\n"));
                    return ExitCode::from(1);
                }
                (Box::new(opts), given)
            }
            Err(code) => return code,
        },
        Ok(Command::CheckConfig(opts, given)) => {
            let file = opts
                .config_file
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_default();
            return match with_config_file(*opts, &given) {
                Ok((_, digest)) => {
                    print(false, &flags::check_config_text(&file, &digest));
                    ExitCode::SUCCESS
                }
                Err(code) => code,
            };
        }
        Ok(Command::Help) => {
            print(true, &flags::usage_text());
            return ExitCode::SUCCESS;
        }
        Ok(Command::HelpTls) => {
            print(true, &flags::tls_help_text());
            return ExitCode::SUCCESS;
        }
        Ok(Command::Version) => {
            print(true, &flags::version_text());
            return ExitCode::SUCCESS;
        }
        Ok(Command::Signal { command, pid }) => {
            return match signals::run_signal_command(&command, pid.as_deref()) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    print(false, &format!("nats-server: {e}\n"));
                    ExitCode::from(1)
                }
            };
        }
        Err(e) => return ExitCode::from(e.report().clamp(0, 255) as u8),
    };
    // Go's main: NewServer validates the options before the logger exists, and `PrintAndDie`s.
    if let Err(e) = server::server::validate_options(&opts) {
        print(false, &format!("nats-server: {e}\n"));
        return ExitCode::from(1);
    }
    // NewServer then configures the accounts (a `system_account` that names no account fails here).
    if let Err(e) = server::accounts::Accounts::from_options(&opts) {
        print(false, &format!("nats-server: {e}\n"));
        return ExitCode::from(1);
    }
    let _log = match logging::init(&opts) {
        Ok(g) => g,
        Err(e) => {
            print(false, &logging::std_log_line(&e));
            return ExitCode::from(1);
        }
    };
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2);
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            print(false, &format!("nats-server: {e}\n"));
            return ExitCode::from(1);
        }
    };
    rt.block_on(run(*opts, given))
}

/// Go's ConfigureOptions: with `-c`, load the file, then apply the command-line flags over it.
/// Returns the options and the config digest; on error prints Go's message and gives the exit code.
fn with_config_file(
    opts: server::Options,
    given: &flags::FlagSet,
) -> Result<(server::Options, String), ExitCode> {
    let Some(path) = opts.config_file.clone() else {
        return Ok((opts, String::new()));
    };
    let mut file_opts = server::Options::default();
    // Go: `-t` fails on warnings too; a server starts with them after printing them on stderr.
    let loaded = if opts.check_config {
        server::config::options::load_file(&mut file_opts, &path).map(|d| (d, Vec::new()))
    } else {
        server::config::options::load_file_allowing_warnings(&mut file_opts, &path)
    };
    let digest = match loaded {
        Ok((d, warnings)) => {
            let text: String = warnings.iter().map(|w| format!("{w}\n")).collect();
            if !text.is_empty() {
                print(false, &text);
            }
            d
        }
        Err(e) => {
            // Go's PrintAndDie adds a newline after the message (an option error list already ends in one).
            print(false, &format!("nats-server: {e}\n"));
            return Err(ExitCode::from(1));
        }
    };
    file_opts.check_config = opts.check_config;
    if let Err(e) = given.apply(&mut file_opts) {
        return Err(ExitCode::from(e.report().clamp(0, 255) as u8));
    }
    file_opts.config_digest = digest.clone();
    Ok((file_opts, digest))
}

async fn run(opts: server::Options, given: flags::FlagSet) -> ExitCode {
    let handle = match Server::start(opts.clone()).await {
        Ok(h) => h,
        Err(e) => {
            logging::fatal(&e.to_string());
            return ExitCode::from(1);
        }
    };
    handle.shared.set_reload_flags(given);
    if let Some(pid_file) = &opts.pid_file {
        if let Err(e) = signals::write_pid_file(pid_file) {
            logging::fatal(&format!("Could not write pidfile: {e}"));
            return ExitCode::from(1);
        }
    }
    if let Some(dir) = &opts.ports_file_dir {
        handle.shared.write_ports_file(dir);
    }
    handle.wait_for_shutdown().await;
    // A reload may have moved the ports file: remove it from where the options now say it is.
    if let Some(dir) = &handle.shared.opts().ports_file_dir {
        let _ = signals::remove_ports_file(dir);
    }
    ExitCode::SUCCESS
}
