//! Configuration: the NATS config file format (`conf`). Options are built from its tree.

pub mod conf;
