//! A wall clock the test sets: Debian's libfaketime preloaded into `xvb`, which
//! reads the time from a file the test writes before each step (frozen there
//! until the next). Monotonic time is left real, so timeouts and timers work.
//! For a scripted day: each event is stamped exactly when the script says.

use std::path::PathBuf;
use time::OffsetDateTime;

/// Where Debian's `faketime` package puts the library (its threaded build).
const LIBRARY: &str = "/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1";

/// The time `xvb` processes started with [`FakeClock::env`] read.
pub struct FakeClock {
    dir: tempfile::TempDir,
}

impl FakeClock {
    /// A clock standing at `at`.
    pub fn at(at: OffsetDateTime) -> FakeClock {
        assert!(
            std::path::Path::new(LIBRARY).exists(),
            "{LIBRARY} is missing: `make test` installs Debian's faketime package"
        );
        let clock = FakeClock {
            dir: tempfile::tempdir().unwrap(),
        };
        clock.set(at);
        clock
    }

    fn file(&self) -> PathBuf {
        self.dir.path().join("now")
    }

    /// Moves the clock to `at` (whole seconds, UTC).
    pub fn set(&self, at: OffsetDateTime) {
        let at = at.to_offset(time::UtcOffset::UTC);
        let text = format!(
            "{} {:02}:{:02}:{:02}\n",
            at.date(),
            at.hour(),
            at.minute(),
            at.second()
        );
        // Written whole and renamed: a process reading it never sees half a time.
        let next = self.dir.path().join("next");
        std::fs::write(&next, text).unwrap();
        std::fs::rename(next, self.file()).unwrap();
    }

    /// The environment that puts an `xvb` process on this clock (and in UTC).
    pub fn env(&self) -> Vec<(String, String)> {
        [
            ("LD_PRELOAD", LIBRARY.to_owned()),
            ("FAKETIME_TIMESTAMP_FILE", self.file().display().to_string()),
            ("FAKETIME_NO_CACHE", "1".to_owned()),
            ("FAKETIME_DONT_FAKE_MONOTONIC", "1".to_owned()),
            ("TZ", "UTC".to_owned()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect()
    }
}
