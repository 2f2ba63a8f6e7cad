//! `rnats-server`: parse Go-compatible flags, start logging, run the server until a signal ends it.

use std::process::ExitCode;

use server::flags::{self, Command};
use server::{logging, signals, Server};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (opts, _given) = match flags::parse_args(&args) {
        Ok(Command::Run(opts, given)) => (opts, given),
        Ok(Command::CheckConfig(opts, _)) => {
            // Without a config file there is nothing to check; the config issue extends this.
            let f = opts
                .config_file
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_default();
            eprintln!("nats-server: configuration file {f} is valid");
            return ExitCode::SUCCESS;
        }
        Ok(Command::Help) => {
            println!("{}", flags::USAGE);
            return ExitCode::SUCCESS;
        }
        Ok(Command::HelpTls) => {
            println!("{}", flags::TLS_USAGE);
            return ExitCode::SUCCESS;
        }
        Ok(Command::Version) => {
            println!("nats-server: v{}", server::consts::VERSION);
            return ExitCode::SUCCESS;
        }
        Ok(Command::Signal { command, pid }) => {
            return signals::run_signal_command(&command, pid.as_deref())
        }
        Err(e) => return flags::exit_on_error(&e),
    };
    let _log = match logging::init(&opts) {
        Ok(g) => g,
        Err(e) => {
            eprintln!("nats-server: {e}");
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
            eprintln!("nats-server: {e}");
            return ExitCode::from(1);
        }
    };
    rt.block_on(run(*opts))
}

async fn run(opts: server::Options) -> ExitCode {
    let handle = match Server::start(opts.clone()).await {
        Ok(h) => h,
        Err(e) => {
            tracing::error!("{e}");
            eprintln!("nats-server: {e}");
            return ExitCode::from(1);
        }
    };
    if let Some(pid_file) = &opts.pid_file {
        if let Err(e) = signals::write_pid_file(pid_file) {
            tracing::error!("Could not write pidfile: {e}");
        }
    }
    let ports_file = opts.ports_file_dir.as_ref().and_then(|dir| {
        let ports = signals::Ports {
            nats: vec![handle.client_url()],
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
