//! placeholder
pub struct FileStore;
pub struct FileStoreConfig;
