//! Configuration: the NATS config file format (`conf`, a pure lexer and parser) and the server options
//! built from its tree (`options`).

pub mod conf;
pub mod options;
pub mod reload;
