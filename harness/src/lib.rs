//! rnats conformance harness: the Go test inventory, the parity database, claim mapping,
//! status, the HTML report and the CI gate. `main.rs` is a thin clap front end over this.

pub mod bench;
pub mod db;
pub mod gate;
pub mod inventory;
pub mod load;
pub mod mapping;
pub mod paths;
pub mod report;
pub mod status;
pub mod testrun;
pub mod util;
