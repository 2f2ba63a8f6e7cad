//! Client protocol parser (being written).
pub struct ClientParser;
