//! The HTTP monitoring listener (`-m`/`http_port`): Go's endpoints, paths, query rules and response shape
//! (pretty-printed JSON, `Content-Type: application/json`, CORS header; 400 with the error text on a bad
//! parameter; 404 elsewhere). One handler per file; this file owns the listener and the routing.

pub mod connz;
pub mod jsz;
pub mod metrics;
pub mod misc;
pub mod proc_stats;
pub mod query;
mod stacks;
pub mod subsz;
pub mod timefmt;
pub mod varz;

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde::Serialize;
use tokio::net::TcpListener;

use crate::server::{host_port, ServerShared};
use query::Query;

pub struct Monitor {
    pub server: Arc<ServerShared>,
    pub http_host: String,
    pub http_port: i32,
    /// Always starts and ends with `/`.
    pub base: String,
    req_stats: Mutex<BTreeMap<String, u64>>,
}

/// Go's base path normalization: leading and trailing `/`.
pub fn normalize_base(p: &str) -> String {
    let mut b = String::from("/");
    b.push_str(p.trim_matches('/'));
    if !b.ends_with('/') {
        b.push('/');
    }
    b
}

impl Monitor {
    /// Monitoring data for a server whose HTTP listener is not running (system account requests).
    pub fn detached(server: Arc<ServerShared>) -> Monitor {
        let opts = server.opts();
        let http_host = if opts.http_host.is_empty() {
            opts.host.clone()
        } else {
            opts.http_host.clone()
        };
        Monitor {
            http_host,
            http_port: opts.http_port.max(0),
            base: normalize_base(&opts.http_base_path),
            req_stats: Mutex::new(BTreeMap::new()),
            server,
        }
    }

    pub fn req_stats(&self) -> BTreeMap<String, u64> {
        self.req_stats.lock().map(|m| m.clone()).unwrap_or_default()
    }

    fn count(&self, path: &str) {
        if let Ok(mut m) = self.req_stats.lock() {
            *m.entry(path.to_string()).or_insert(0) += 1;
        }
    }

    /// Route one request; `path` is the URL path, `query` the raw query string.
    pub fn route(&self, path: &str, query: Option<&str>) -> Response<Full<Bytes>> {
        // Go registers each handler at path.Join(base, endpoint): the index only at the base itself.
        let root = if self.base == "/" {
            "/"
        } else {
            self.base.trim_end_matches('/')
        };
        let rest = if path == root {
            ""
        } else {
            match path.strip_prefix(&self.base) {
                Some(r) if !r.is_empty() => r,
                _ => return not_found(),
            }
        };
        let q = Query::parse(query);
        let endpoint = if rest.is_empty() { "/" } else { rest };
        match endpoint {
            "/" => {
                self.count("/");
                html(misc::root_html(&self.base))
            }
            "metrics" => {
                self.count("/metrics");
                base_response(
                    StatusCode::OK,
                    "text/plain; version=0.0.4; charset=utf-8",
                    metrics::render(self).into_bytes(),
                )
            }
            "varz" => {
                self.count("/varz");
                json_response(&varz::varz(self))
            }
            "connz" => self.answer("/connz", connz::connz(self, &q)),
            "subsz" => self.answer("/subsz", subsz::subsz(self, &q)),
            "subscriptionsz" => self.answer("/subscriptionsz", subsz::subsz(self, &q)),
            "routez" => self.answer("/routez", misc::routez(self, &q)),
            "gatewayz" => self.answer("/gatewayz", misc::gatewayz(self, &q)),
            "leafz" => self.answer("/leafz", misc::leafz(self, &q)),
            "accountz" => self.answer("/accountz", misc::accountz(self, &q)),
            "accstatz" => self.answer("/accstatz", misc::accstatz(self, &q)),
            "jsz" => self.answer("/jsz", misc::jsz(self, &q)),
            "raftz" => {
                // A single server has no Raft groups: Go answers 404 with this text.
                self.count("/raftz");
                base_response(
                    StatusCode::NOT_FOUND,
                    "text/plain; charset=utf-8",
                    b"No Raft nodes registered".to_vec(),
                )
            }
            "ipqueuesz" => {
                // rnats has no internal IP queues: the map Go fills with its queues is empty
                // (Go's own answer without `all` lists only non-empty queues, usually none).
                self.count("/ipqueuesz");
                json_bytes(b"{}".to_vec())
            }
            "stacksz" => {
                self.count("/stacksz");
                base_response(
                    StatusCode::OK,
                    "application/json",
                    stacks::dump(self).into_bytes(),
                )
            }
            "debug/vars" => {
                self.count("/debug/vars");
                let v = crate::sys::server_reqs::expvarz();
                base_response(
                    StatusCode::OK,
                    "application/json; charset=utf-8",
                    serde_json::to_vec(&v).unwrap_or_default(),
                )
            }
            "healthz" => {
                // Go marshals the health status compactly (json.Marshal, not MarshalIndent).
                self.count("/healthz");
                match misc::healthz(self, &q) {
                    Ok(v) => json_bytes(crate::info::go_json(&v).into_bytes()),
                    Err(e) => bad_request(&e),
                }
            }
            _ => not_found(),
        }
    }

    fn answer<T: Serialize>(&self, path: &str, r: Result<T, String>) -> Response<Full<Bytes>> {
        self.count(path);
        match r {
            Ok(v) => json_response(&v),
            Err(e) => bad_request(&e),
        }
    }
}

fn base_response(status: StatusCode, content_type: &str, body: Vec<u8>) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from(body)));
    *r.status_mut() = status;
    if let Ok(v) = content_type.parse() {
        r.headers_mut().insert(hyper::header::CONTENT_TYPE, v);
    }
    r
}

/// Pretty JSON as Go's `json.MarshalIndent(v, "", "  ")`, with Go's HTML-safe escaping.
pub fn json_response<T: Serialize>(v: &T) -> Response<Full<Bytes>> {
    let text = serde_json::to_string_pretty(v).unwrap_or_else(|_| "{}".into());
    json_bytes(crate::info::go_html_escape(&text).into_bytes())
}

/// A 200 JSON body with Go's monitoring headers.
fn json_bytes(body: Vec<u8>) -> Response<Full<Bytes>> {
    let mut r = base_response(StatusCode::OK, "application/json", body);
    r.headers_mut().insert(
        hyper::header::ACCESS_CONTROL_ALLOW_ORIGIN,
        hyper::header::HeaderValue::from_static("*"),
    );
    r
}

fn html(body: String) -> Response<Full<Bytes>> {
    base_response(
        StatusCode::OK,
        "text/html; charset=utf-8",
        body.into_bytes(),
    )
}

fn bad_request(text: &str) -> Response<Full<Bytes>> {
    base_response(
        StatusCode::BAD_REQUEST,
        "text/plain; charset=utf-8",
        text.as_bytes().to_vec(),
    )
}

fn not_found() -> Response<Full<Bytes>> {
    let mut r = base_response(
        StatusCode::NOT_FOUND,
        "text/plain; charset=utf-8",
        b"404 page not found\n".to_vec(),
    );
    r.headers_mut().insert(
        hyper::header::X_CONTENT_TYPE_OPTIONS,
        hyper::header::HeaderValue::from_static("nosniff"),
    );
    r
}

/// Bind the monitoring listener (port -1 means random) and serve it: plain HTTP on `http_port`, or HTTPS on
/// `https_port` with the client TLS certificates (Go's `startMonitoring`). Returns the bound address.
pub async fn start(server: Arc<ServerShared>, secure: bool) -> std::io::Result<SocketAddr> {
    let opts = server.opts();
    let host = if opts.http_host.is_empty() {
        opts.host.clone()
    } else {
        opts.http_host.clone()
    };
    let wanted = if secure {
        opts.https_port
    } else {
        opts.http_port
    };
    let port = if wanted == -1 { 0 } else { wanted };
    let listener = TcpListener::bind(host_port(&host, port)).await?;
    let addr = listener.local_addr()?;
    tracing::info!(
        "Starting {} monitor on {}",
        if secure { "https" } else { "http" },
        host_port(&host, addr.port() as i32)
    );
    let monitor = Arc::new(Monitor {
        http_host: host,
        http_port: if secure { 0 } else { addr.port() as i32 },
        base: normalize_base(&opts.http_base_path),
        req_stats: Mutex::new(BTreeMap::new()),
        server,
    });
    let _ = monitor.server.monitor.set(Arc::downgrade(&monitor));
    tokio::spawn(serve(monitor, listener, secure));
    Ok(addr)
}

async fn serve(m: Arc<Monitor>, listener: TcpListener, secure: bool) {
    loop {
        let (stream, _) = tokio::select! {
            _ = m.server.stopped() => return,
            r = listener.accept() => match r {
                Ok(x) => x,
                Err(_) => {
                    tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                    continue;
                }
            },
        };
        let m = m.clone();
        tokio::spawn(async move {
            if !secure {
                serve_conn(m, stream).await;
                return;
            }
            // The certificates in force when the connection arrives (a reload may have replaced them); the
            // monitor never asks for a client certificate.
            let opts = m.server.opts();
            let Some(tls) = opts.tls_config.clone() else {
                return;
            };
            let acceptor = tokio_rustls::TlsAcceptor::from(tls.monitor.clone());
            let wait = std::time::Duration::try_from_secs_f64(opts.tls_timeout.max(0.0))
                .unwrap_or(std::time::Duration::from_secs(2));
            if let Ok(Ok(s)) = tokio::time::timeout(wait, acceptor.accept(stream)).await {
                serve_conn(m, s).await;
            }
        });
    }
}

async fn serve_conn<S>(m: Arc<Monitor>, stream: S)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let svc = service_fn(move |req: Request<Incoming>| {
        let m = m.clone();
        async move { Ok::<_, Infallible>(m.route(req.uri().path(), req.uri().query())) }
    });
    let _ = http1::Builder::new()
        .serve_connection(TokioIo::new(stream), svc)
        .await;
}
