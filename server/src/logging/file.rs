//! The log file: appended to, and rotated when it passes `log_size_limit` (Go: `fileLogger` in logger/log.go).
//!
//! Rules kept: the file opens with append+create and mode 0640; past the limit it is renamed to
//! `<name>.YYYY.MM.DD.hh.mm.ss.nnnnnnnnn` (local time), a fresh file is opened and starts with
//! `[INF] Rotated log, backup saved as "<backup>"` ending in `\r\n`; with a maximum number of files, the oldest
//! backups beyond it are removed. A failed close doubles the limit until the next try.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::os::unix::io::IntoRawFd;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::format::{civil, timestamp, Level, LineFormat};
use crate::flags::go_quote;
use crate::signals::go_error_text;

pub(crate) struct FileLog {
    path: PathBuf,
    file: Option<File>,
    /// Bytes in the current file.
    out: i64,
    /// The size that triggers rotation; 0 means never.
    limit: i64,
    /// The configured limit (`limit` doubles after a failed close).
    olimit: i64,
    max_num_files: usize,
    /// Lines written by the rotation itself have Go's prefix and (local) time, and plain labels.
    direct: LineFormat,
    #[cfg(test)]
    pub fail_close: bool,
}

fn open_append(path: &Path) -> io::Result<File> {
    OpenOptions::new()
        .append(true)
        .create(true)
        .mode(0o640)
        .open(path)
}

impl FileLog {
    /// Opens (or creates) the file. The error reads as Go's: `open <path>: <reason>`.
    pub fn open(path: &Path, time: bool) -> Result<Self, String> {
        let file = open_append(path)
            .map_err(|e| format!("open {}: {}", path.display(), go_error_text(&e)))?;
        let out = file
            .metadata()
            .map(|m| i64::try_from(m.len()).unwrap_or(i64::MAX))
            .unwrap_or(0);
        Ok(FileLog {
            path: path.to_path_buf(),
            file: Some(file),
            out,
            limit: 0,
            olimit: 0,
            max_num_files: 0,
            direct: LineFormat::new(time, false, false),
            #[cfg(test)]
            fail_close: false,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Sets the rotation size; returns true when the file is already past it, so the caller logs
    /// "Rotating logfile..." and that line triggers the rotation (as Go does).
    pub fn set_limit(&mut self, limit: i64) -> bool {
        self.limit = limit;
        self.olimit = limit;
        limit > 0 && self.out > self.limit
    }

    /// The configured rotation size (0: none).
    pub fn limit_setting(&self) -> i64 {
        self.olimit
    }

    pub fn max_num_files(&self) -> usize {
        self.max_num_files
    }

    pub fn set_max_num_files(&mut self, max: usize) {
        self.max_num_files = max;
    }

    /// Writes one formatted line, then rotates if the file grew past the limit.
    pub fn write(&mut self, line: &[u8]) -> io::Result<()> {
        let Some(file) = self.file.as_mut() else {
            return Err(io::Error::other("log file is closed"));
        };
        file.write_all(line)?;
        self.out += line.len() as i64;
        if self.limit > 0 && self.out > self.limit {
            self.rotate();
        }
        Ok(())
    }

    fn rotate(&mut self) {
        if let Err(e) = self.close_file() {
            self.limit *= 2;
            let msg = format!(
                "Unable to close logfile for rotation ({e}), will attempt next rotation at size {}",
                self.limit
            );
            self.log_direct(Level::Error, &msg);
            return;
        }
        let now = SystemTime::now();
        let c = civil(now, false);
        let backup = format!(
            "{}.{:04}.{:02}.{:02}.{:02}.{:02}.{:02}.{:09}",
            self.path.display(),
            c.year,
            c.month,
            c.day,
            c.hour,
            c.min,
            c.sec,
            c.nanos
        );
        // As in Go, a failed rename is not reported: the reopened file simply continues the old one.
        let _ = std::fs::rename(&self.path, &backup);
        match open_append(&self.path) {
            Ok(f) => self.file = Some(f),
            Err(e) => {
                // Nowhere left to log: say so once on stderr; later lines are dropped.
                let _ = writeln!(
                    io::stderr(),
                    "Unable to re-open the logfile {} after rotation: {}",
                    go_quote(&self.path.display().to_string()),
                    go_error_text(&e)
                );
                return;
            }
        }
        let msg = format!("Rotated log, backup saved as {}", go_quote(&backup));
        self.out = self.log_direct(Level::Info, &msg) as i64;
        self.limit = self.olimit;
        if self.max_num_files > 0 {
            self.purge();
        }
    }

    fn close_file(&mut self) -> io::Result<()> {
        #[cfg(test)]
        if self.fail_close {
            return Err(io::Error::other("on purpose"));
        }
        let Some(file) = self.file.take() else {
            return Ok(());
        };
        // Closed by hand so a failed close is seen (dropping a File ignores it).
        let fd = file.into_raw_fd();
        // SAFETY: `fd` came from `into_raw_fd`, so it is open and owned by nobody else.
        if unsafe { libc::close(fd) } != 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }

    /// Writes a line of the rotation itself, ending in `\r\n` as Go's `logDirect` does; returns its length.
    fn log_direct(&mut self, level: Level, msg: &str) -> usize {
        let mut entry = Vec::with_capacity(64 + msg.len());
        entry.extend_from_slice(self.direct.prefix.as_bytes());
        if self.direct.time {
            entry.extend_from_slice(timestamp(SystemTime::now(), false).as_bytes());
            entry.push(b' ');
        }
        entry.extend_from_slice(self.direct.label(level).as_bytes());
        entry.extend_from_slice(msg.as_bytes());
        entry.extend_from_slice(b"\r\n");
        if let Some(f) = self.file.as_mut() {
            let _ = f.write_all(&entry);
        }
        entry.len()
    }

    /// Removes the oldest backups so that at most `max_num_files` files remain, the live one included.
    fn purge(&mut self) {
        let dir = match self.path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let base = self
            .path
            .file_name()
            .map(|b| b.to_string_lossy().into_owned())
            .unwrap_or_default();
        let entries = match std::fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) => {
                let msg = format!(
                    "Unable to read directory {} for log purge ({}), will attempt next rotation",
                    go_quote(&dir.display().to_string()),
                    go_error_text(&e)
                );
                self.log_direct(Level::Error, &msg);
                return;
            }
        };
        let prefix = format!("{base}.");
        let mut backups: Vec<String> = entries
            .filter_map(|e| e.ok())
            .filter(|e| e.file_type().map(|t| !t.is_dir()).unwrap_or(false))
            .filter_map(|e| e.file_name().into_string().ok())
            .filter(|name| {
                name.strip_prefix(&prefix)
                    .map(is_backup_stamp)
                    .unwrap_or(false)
            })
            .collect();
        // The stamps sort in time order by name.
        backups.sort();
        let max_backups = self.max_num_files - 1;
        if backups.len() <= max_backups {
            return;
        }
        let excess = backups.len() - max_backups;
        for name in backups.into_iter().take(excess) {
            if let Err(e) = std::fs::remove_file(dir.join(&name)) {
                let msg = format!(
                    "Unable to remove backup log file {} ({}), will attempt next rotation",
                    go_quote(&name),
                    go_error_text(&e)
                );
                self.log_direct(Level::Error, &msg);
                return;
            }
            self.log_direct(Level::Info, &format!("Purged log file {}", go_quote(&name)));
        }
    }
}

/// True for `YYYY.MM.DD.hh.mm.ss[.fraction]`, the stamp rotation appends (Go checks it with `time.Parse`).
pub(crate) fn is_backup_stamp(stamp: &str) -> bool {
    let parts: Vec<&str> = stamp.split('.').collect();
    if parts.len() != 6 && parts.len() != 7 {
        return false;
    }
    let num = |s: &str, min_len: usize, max_len: usize, max: u32| -> Option<u32> {
        if s.len() < min_len || s.len() > max_len || !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        s.parse().ok().filter(|v| *v <= max)
    };
    let ok = num(parts[0], 4, 4, 9999).is_some()
        && num(parts[1], 2, 2, 12).is_some_and(|m| m >= 1)
        && num(parts[2], 2, 2, 31).is_some_and(|d| d >= 1)
        && num(parts[3], 1, 2, 23).is_some()
        && num(parts[4], 2, 2, 59).is_some()
        && num(parts[5], 2, 2, 59).is_some();
    ok && parts
        .get(6)
        .is_none_or(|f| num(f, 1, 9, u32::MAX).is_some())
}
