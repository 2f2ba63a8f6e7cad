//! `/stacksz`: what the Go server answers with its goroutine stacks, rnats answers with its tasks:
//! the runtime's worker threads and live tasks, then one entry per client connection (its session
//! and writer tasks and what they hold), per JetStream stream and consumer.

use std::fmt::Write;

use super::Monitor;

pub fn dump(m: &Monitor) -> String {
    let mut out = String::new();
    if let Ok(rt) = tokio::runtime::Handle::try_current() {
        let metrics = rt.metrics();
        let _ = writeln!(
            out,
            "runtime: {} worker threads, {} live tasks\n",
            metrics.num_workers(),
            metrics.num_alive_tasks()
        );
    }
    let _ = writeln!(
        out,
        "task accept loop [listening on {}]\n",
        m.server.client_addr
    );
    for c in m.server.clients_snapshot() {
        let meta = c.meta();
        let _ = writeln!(
            out,
            "task session cid:{} [{}] subs:{} pending_bytes:{} name:{:?}\ntask writer cid:{}\n",
            c.cid,
            c.peer,
            c.num_subs(),
            c.out.pending(),
            meta.name,
            c.cid
        );
    }
    if let Some(js) = m.server.jetstream.get() {
        for jsa in js.accounts() {
            for s in jsa.streams() {
                let _ = writeln!(
                    out,
                    "task stream '{} > {}' [expiry and sync timer]",
                    jsa.account.name, s.name
                );
                for c in s.consumers() {
                    let _ = writeln!(
                        out,
                        "task consumer '{} > {} > {}' [delivery]",
                        jsa.account.name, s.name, c.name
                    );
                }
            }
        }
    }
    out
}
