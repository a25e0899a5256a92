//! The recordings cache on disk: downloaded recordings and partial downloads
//! (`.g722.part`), the least recently used removed first once the cache
//! passes its size — partial ones counted too — and partial downloads nobody
//! resumed for a day removed when the cache is opened. A file's modification
//! time is when it was last used.

use std::path::{Path, PathBuf};
use std::time::Duration;

/// A partial download untouched this long is removed when the cache is opened.
pub(super) const STALE_PART: Duration = Duration::from_secs(24 * 60 * 60);

/// Removes the least recently used recordings and partial downloads from
/// `cache` until it holds at most `most_bytes`, sparing `keep` and downloads
/// written to within `stall` (still being written).
pub(super) fn evict(cache: &Path, most_bytes: u64, stall: Duration, keep: &Path) {
    let mut files = cached_files(cache);
    let mut total: u64 = files.iter().map(|(_, len, _)| len).sum();
    files.sort();
    for (modified, len, path) in files {
        if total <= most_bytes {
            break;
        }
        let writing = is_part(&path) && modified.elapsed().is_ok_and(|age| age < stall);
        if path != keep && !writing && std::fs::remove_file(&path).is_ok() {
            tracing::info!(path = %path.display(), "removed a cached recording to keep the cache small");
            total -= len;
        }
    }
}

/// The cache's recordings and partial downloads: when each was last used, its size.
fn cached_files(cache: &Path) -> Vec<(std::time::SystemTime, u64, PathBuf)> {
    let Ok(entries) = std::fs::read_dir(cache) else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter(|e| {
            let name = e.file_name();
            let name = name.to_string_lossy();
            name.ends_with(".g722") || name.ends_with(".g722.part")
        })
        .filter_map(|e| {
            let meta = e.metadata().ok()?;
            Some((meta.modified().ok()?, meta.len(), e.path()))
        })
        .collect()
}

fn is_part(path: &Path) -> bool {
    path.extension().is_some_and(|x| x == "part")
}

/// Removes partial downloads nobody resumed for [`STALE_PART`].
pub(super) fn remove_stale_parts(cache: &Path) {
    for (modified, _, path) in cached_files(cache) {
        let stale = is_part(&path) && modified.elapsed().is_ok_and(|age| age > STALE_PART);
        if stale && std::fs::remove_file(&path).is_ok() {
            tracing::info!(path = %path.display(), "removed a download nobody resumed for a day");
        }
    }
}

/// Marks a cached file as just used (its modification time orders eviction).
pub(super) fn touch(path: &Path) {
    if let Ok(file) = std::fs::File::options().append(true).open(path) {
        let _ = file.set_modified(std::time::SystemTime::now());
    }
}

#[cfg(test)]
mod tests {
    use crate::audio::fetch::{Fetcher, Limits, DEFAULT_CACHE_BYTES, DEFAULT_STALL};
    use std::path::{Path, PathBuf};
    use std::time::Duration;
    use std::time::SystemTime;

    /// A file of `len` bytes in `dir`, last used `age` ago.
    fn file(dir: &Path, name: &str, len: usize, age: Duration) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, vec![0u8; len]).unwrap();
        let file = std::fs::File::options().append(true).open(&path).unwrap();
        file.set_modified(SystemTime::now() - age).unwrap();
        path
    }

    fn fetcher(cache: &Path, cache_bytes: u64) -> Fetcher {
        let limits = Limits {
            cache_bytes,
            ..Limits::default()
        };
        Fetcher::new(
            Some("https://pbx.example"),
            cache.to_path_buf(),
            limits,
            None,
        )
        .unwrap()
    }

    const HOUR: Duration = Duration::from_secs(3600);

    #[test]
    fn downloads_nobody_resumed_for_a_day_go_when_the_cache_opens() {
        let cache = tempfile::tempdir().unwrap();
        let stale = file(cache.path(), "OLD.g722.part", 10, 25 * HOUR);
        let fresh = file(cache.path(), "NEW.g722.part", 10, HOUR);
        let played = file(cache.path(), "PLAYED.g722", 10, 30 * HOUR);
        fetcher(cache.path(), DEFAULT_CACHE_BYTES);
        assert!(!stale.exists());
        assert!(fresh.exists() && played.exists());
    }

    #[test]
    fn partial_downloads_count_toward_the_cache_limit() {
        let cache = tempfile::tempdir().unwrap();
        let stalled = file(cache.path(), "STALLED.g722.part", 600, 2 * HOUR);
        let writing = file(cache.path(), "WRITING.g722.part", 300, Duration::ZERO);
        let older = file(cache.path(), "OLDER.g722", 300, 3 * HOUR);
        let kept = file(cache.path(), "KEPT.g722", 100, Duration::ZERO);
        // 1,300 bytes against 700: the oldest go first, the one being written stays.
        super::evict(cache.path(), 700, DEFAULT_STALL, &kept);
        assert!(!older.exists() && !stalled.exists());
        assert!(writing.exists() && kept.exists());
    }
}
