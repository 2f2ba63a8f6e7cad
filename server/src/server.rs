//! (to be written)
pub struct Server;
pub struct ServerHandle;
