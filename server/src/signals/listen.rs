//! The signals a running server reacts to, and a listener for them (Go: `handleSignals` in
//! server/signal.go). What each one does is the server's business: SIGINT stops, SIGTERM stops unless in
//! lame duck mode, SIGUSR1 re-opens the log file, SIGUSR2 enters lame duck mode, SIGHUP reloads the config.

use std::io;

use tokio::signal::unix::{signal, Signal, SignalKind};

/// A signal the server handles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerSignal {
    /// SIGINT (`--signal quit`).
    Interrupt,
    /// SIGTERM (`--signal term`).
    Terminate,
    /// SIGUSR1 (`--signal reopen`).
    ReopenLog,
    /// SIGUSR2 (`--signal ldm`).
    LameDuck,
    /// SIGHUP (`--signal reload`).
    Reload,
}

impl ServerSignal {
    /// Go's name for the signal, as in `Trapped "terminated" signal`.
    pub fn name(self) -> &'static str {
        match self {
            ServerSignal::Interrupt => "interrupt",
            ServerSignal::Terminate => "terminated",
            ServerSignal::ReopenLog => "user defined signal 1",
            ServerSignal::LameDuck => "user defined signal 2",
            ServerSignal::Reload => "hangup",
        }
    }

    pub fn number(self) -> libc::c_int {
        match self {
            ServerSignal::Interrupt => libc::SIGINT,
            ServerSignal::Terminate => libc::SIGTERM,
            ServerSignal::ReopenLog => libc::SIGUSR1,
            ServerSignal::LameDuck => libc::SIGUSR2,
            ServerSignal::Reload => libc::SIGHUP,
        }
    }

    /// The line the server logs on receipt: `Trapped "<name>" signal`.
    pub fn trapped_message(self) -> String {
        format!("Trapped {} signal", crate::flags::go_quote(self.name()))
    }
}

/// Receives the server's signals. Creating it replaces the default action (exit) of each of them.
pub struct SignalListener {
    interrupt: Signal,
    terminate: Signal,
    reopen: Signal,
    lame_duck: Signal,
    reload: Signal,
}

impl SignalListener {
    /// Starts listening; must be called inside a tokio runtime.
    pub fn new() -> io::Result<Self> {
        Ok(SignalListener {
            interrupt: signal(SignalKind::interrupt())?,
            terminate: signal(SignalKind::terminate())?,
            reopen: signal(SignalKind::user_defined1())?,
            lame_duck: signal(SignalKind::user_defined2())?,
            reload: signal(SignalKind::hangup())?,
        })
    }

    /// The next signal; `None` once the runtime shuts the listeners down.
    pub async fn recv(&mut self) -> Option<ServerSignal> {
        tokio::select! {
            s = self.interrupt.recv() => s.map(|_| ServerSignal::Interrupt),
            s = self.terminate.recv() => s.map(|_| ServerSignal::Terminate),
            s = self.reopen.recv() => s.map(|_| ServerSignal::ReopenLog),
            s = self.lame_duck.recv() => s.map(|_| ServerSignal::LameDuck),
            s = self.reload.recv() => s.map(|_| ServerSignal::Reload),
        }
    }
}
