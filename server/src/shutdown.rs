//! Signals the running server traps, as Go's `handleSignal` (signal.go): SIGINT and SIGTERM shut down
//! (SIGTERM is ignored while in lame duck mode), SIGUSR2 enters lame duck mode, SIGHUP reloads the
//! configuration, SIGUSR1 reopens the log file. Each is logged as `Trapped "<name>" signal`.

use std::sync::Arc;

use tokio::signal::unix::{signal, SignalKind};

use crate::server::ServerShared;

/// Install the handlers now (so a signal sent right after the pid or ports file appears is caught), then
/// serve them on a task. Must be called inside the runtime.
pub fn trap_signals(server: Arc<ServerShared>) {
    let (Ok(mut int), Ok(mut term), Ok(mut usr1), Ok(mut usr2), Ok(mut hup)) = (
        signal(SignalKind::interrupt()),
        signal(SignalKind::terminate()),
        signal(SignalKind::user_defined1()),
        signal(SignalKind::user_defined2()),
        signal(SignalKind::hangup()),
    ) else {
        tracing::error!("Could not install signal handlers");
        return;
    };
    tokio::spawn(async move {
        loop {
            tokio::select! {
                _ = int.recv() => {
                    tracing::info!("Trapped \"interrupt\" signal");
                    server.shutdown().await;
                    return;
                }
                _ = term.recv() => {
                    tracing::info!("Trapped \"terminated\" signal");
                    if !server.in_lame_duck() {
                        server.shutdown().await;
                        return;
                    }
                }
                _ = usr1.recv() => {
                    tracing::info!("Trapped \"user defined signal 1\" signal");
                    match crate::logging::reopen_log_file() {
                        Ok(true) => tracing::info!("File log re-opened"),
                        Ok(false) => tracing::info!("File log re-open ignored, not a file logger"),
                        Err(e) => tracing::error!("{e}"),
                    }
                }
                _ = usr2.recv() => {
                    tracing::info!("Trapped \"user defined signal 2\" signal");
                    let s = server.clone();
                    tokio::spawn(async move { s.lame_duck().await });
                }
                _ = hup.recv() => {
                    tracing::info!("Trapped \"hangup\" signal");
                    if let Err(e) = server.reload() {
                        tracing::error!("Failed to reload server configuration: {e}");
                    }
                }
            }
        }
    });
}
