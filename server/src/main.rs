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
    let opts = match flags::parse_args(&args) {
        Ok(Command::Run(opts, _given)) => opts,
        Ok(Command::CheckConfig(opts, _)) => {
            // Configuration files arrive with the config module; without one there is nothing to check.
            let f = opts
                .config_file
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_default();
            print(
                false,
                &format!("nats-server: configuration file {f} is valid\n"),
            );
            return ExitCode::SUCCESS;
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
    rt.block_on(run(*opts))
}

async fn run(opts: server::Options) -> ExitCode {
    let handle = match Server::start(opts.clone()).await {
        Ok(h) => h,
        Err(e) => {
            logging::fatal(&e.to_string());
            return ExitCode::from(1);
        }
    };
    if let Some(pid_file) = &opts.pid_file {
        if let Err(e) = signals::write_pid_file(pid_file) {
            logging::fatal(&format!("Could not write pidfile: {e}"));
            return ExitCode::from(1);
        }
    }
    let ports_file = opts.ports_file_dir.as_ref().and_then(|dir| {
        let ports = signals::Ports {
            nats: signals::format_urls("nats", handle.addr()),
            ..Default::default()
        };
        match signals::write_ports_file(dir, &ports) {
            Ok(p) => Some(p),
            Err(e) => {
                tracing::error!("Error writing ports file: {e}");
                None
            }
        }
    });
    if !opts.no_signals {
        server::shutdown::trap_signals(handle.shared.clone());
    }
    handle.wait_for_shutdown().await;
    if let Some(p) = ports_file {
        let _ = std::fs::remove_file(p);
    }
    ExitCode::SUCCESS
}
