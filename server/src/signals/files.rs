//! The pid file (`-P`) and the ports file (`--ports_file_dir`) that scripts and test suites read.
//!
//! Go: `logPid`, `Ports`, `PortsInfo`, `portFile`, `logPorts`, `deletePortsFile`, `resolveHostPorts` and
//! `formatURL` in server/server.go. Rules kept: the pid file holds the bare pid, no newline, mode 0600; the
//! ports file is `<dir>/<executable name>_<pid>.ports`, mode 0666, holding the `Ports` JSON with empty lists
//! left out; a listener on an unspecified address is reported once per interface address, IPv4 before IPv6
//! within an interface. The server writes the ports file once its listeners are up and removes it at
//! shutdown (the pid file stays).

use std::fs::OpenOptions;
use std::io::{self, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// Where the server can be reached, as URLs per listener kind (Go: `Ports`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ports {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub nats: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub monitoring: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cluster: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub profile: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub websocket: Vec<String>,
}

/// Writes this process's pid to `path`: the bare number, no newline, mode 0600 (Go: `logPid`).
pub fn write_pid_file(path: &Path) -> io::Result<()> {
    write_file(path, std::process::id().to_string().as_bytes(), 0o600)
}

fn write_file(path: &Path, data: &[u8], mode: u32) -> io::Result<()> {
    let mut f = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(mode)
        .open(path)?;
    f.write_all(data)
}

/// The file name of the running executable (Go: `filepath.Base(os.Args[0])`).
pub fn exe_name() -> String {
    let arg0 = std::env::args_os().next().unwrap_or_default();
    let arg0 = arg0.to_string_lossy();
    let trimmed = arg0.trim_end_matches('/');
    if trimmed.is_empty() {
        return if arg0.is_empty() { "." } else { "/" }.to_string();
    }
    trimmed.rsplit('/').next().unwrap_or(trimmed).to_string()
}

/// `<dir>/<executable name>_<pid>.ports` (Go: `portFile`).
pub fn ports_file_path(dir: &Path) -> PathBuf {
    dir.join(format!("{}_{}.ports", exe_name(), std::process::id()))
}

/// Writes the ports file into `dir` and returns its path (Go: `logPorts`).
pub fn write_ports_file(dir: &Path, ports: &Ports) -> io::Result<PathBuf> {
    let path = ports_file_path(dir);
    let data = serde_json::to_vec(ports)?;
    write_file(&path, &data, 0o666)?;
    Ok(path)
}

/// Removes the ports file from `dir` at shutdown (Go: `deletePortsFile`; Go logs a failure as
/// `Error cleaning up ports file <path>: <error>`).
pub fn remove_ports_file(dir: &Path) -> io::Result<()> {
    std::fs::remove_file(ports_file_path(dir))
}

/// `<proto>://<host:port>` for each address the listener at `addr` can be reached on (Go: `formatURL`).
pub fn format_urls(proto: &str, addr: SocketAddr) -> Vec<String> {
    resolve_host_ports(addr)
        .into_iter()
        .map(|hp| format!("{proto}://{hp}"))
        .collect()
}

/// `host:port` for `addr`, or for every interface address when `addr` is unspecified (0.0.0.0 or ::)
/// (Go: `resolveHostPorts`).
pub fn resolve_host_ports(addr: SocketAddr) -> Vec<String> {
    let port = addr.port();
    if !addr.ip().is_unspecified() {
        return vec![join_host_port(addr.ip(), port)];
    }
    interface_addrs()
        .into_iter()
        .map(|ip| join_host_port(ip, port))
        .collect()
}

/// Go's `net.JoinHostPort` of an `IP.String()`: IPv6 in brackets, IPv4-mapped IPv6 as IPv4.
fn join_host_port(ip: IpAddr, port: u16) -> String {
    match ip {
        IpAddr::V4(v4) => format!("{v4}:{port}"),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => format!("{v4}:{port}"),
            None => format!("[{v6}]:{port}"),
        },
    }
}

/// The addresses of all interfaces, grouped by interface index, IPv4 before IPv6 within one (the order
/// Go's `net.Interfaces` and `Addrs` give on Linux).
fn interface_addrs() -> Vec<IpAddr> {
    let mut found: Vec<(u32, usize, IpAddr)> = Vec::new();
    let mut head: *mut libc::ifaddrs = std::ptr::null_mut();
    // SAFETY: getifaddrs fills `head` with a list we only read and then free once with freeifaddrs.
    unsafe {
        if libc::getifaddrs(&mut head) != 0 {
            return Vec::new();
        }
        let mut cur = head;
        while !cur.is_null() {
            let ifa = &*cur;
            cur = ifa.ifa_next;
            if ifa.ifa_addr.is_null() || ifa.ifa_name.is_null() {
                continue;
            }
            let ip = match i32::from((*ifa.ifa_addr).sa_family) {
                libc::AF_INET => {
                    let sin = &*(ifa.ifa_addr as *const libc::sockaddr_in);
                    IpAddr::V4(Ipv4Addr::from(u32::from_be(sin.sin_addr.s_addr)))
                }
                libc::AF_INET6 => {
                    let sin6 = &*(ifa.ifa_addr as *const libc::sockaddr_in6);
                    IpAddr::V6(Ipv6Addr::from(sin6.sin6_addr.s6_addr))
                }
                _ => continue,
            };
            let index = libc::if_nametoindex(ifa.ifa_name);
            let family_rank = usize::from(ip.is_ipv6());
            // Keep the kernel's order within a family: the position breaks ties.
            found.push((index, family_rank * 1_000_000 + found.len(), ip));
        }
        libc::freeifaddrs(head);
    }
    found.sort_by_key(|(index, rank, _)| (*index, *rank));
    found.into_iter().map(|(_, _, ip)| ip).collect()
}
