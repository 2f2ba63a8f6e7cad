//! Subject index (to be written).
