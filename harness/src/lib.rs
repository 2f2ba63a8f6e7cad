//! rnats conformance harness: the Go test inventory, the parity database, claim mapping,
//! status, black-box scenarios played against the Go server and rnats, benchmarks, the HTML report
//! and the CI gate. `main.rs` is a thin clap front end over this.

pub mod backend;
pub mod bench;
pub mod db;
pub mod gate;
pub mod inventory;
pub mod load;
pub mod mapping;
pub mod paths;
pub mod report;
pub mod scenario;
pub mod status;
pub mod testrun;
pub mod util;
