//! Waiting before reconnecting: the relay link and the tunnel both back off
//! exponentially (0.5 s to 30 s) with jitter.

use std::time::Duration;

/// First wait before reconnecting.
const BACKOFF_FIRST: Duration = Duration::from_millis(500);
/// Longest wait before reconnecting.
const BACKOFF_MAX: Duration = Duration::from_secs(30);

/// Exponential backoff with ±50 % jitter, so many agents do not return at once.
pub(crate) struct Backoff(Duration);

impl Backoff {
    /// Starting at the first wait.
    pub(crate) fn new() -> Backoff {
        Backoff(BACKOFF_FIRST)
    }

    /// The next wait.
    pub(crate) fn next(&mut self) -> Duration {
        let base = self.0;
        self.0 = (self.0 * 2).min(BACKOFF_MAX);
        let jitter = 0.5 + rand::random::<f64>();
        base.mul_f64(jitter)
    }

    /// Back to the first wait (after a connection that worked).
    pub(crate) fn reset(&mut self) {
        self.0 = BACKOFF_FIRST;
    }
}
