//! The process's open-descriptor limit: raised once, at the first server's
//! start, from its soft value to the hard one (a desktop session or a service
//! manager often starts programs at 1,024, far below what the kernel allows).

use std::sync::OnceLock;

/// The descriptor limit in force, after raising the soft limit to the hard
/// one (once per process). Where there is no such limit, a large number.
pub fn descriptor_limit() -> u64 {
    static LIMIT: OnceLock<u64> = OnceLock::new();
    *LIMIT.get_or_init(raise)
}

#[cfg(unix)]
fn raise() -> u64 {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit and setrlimit only read and write the struct given.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) != 0 {
            return 1024;
        }
        let soft = limit.rlim_cur;
        if limit.rlim_cur < limit.rlim_max {
            limit.rlim_cur = limit.rlim_max;
            if libc::setrlimit(libc::RLIMIT_NOFILE, &limit) != 0 {
                limit.rlim_cur = soft;
            } else {
                tracing::debug!(
                    from = soft,
                    to = limit.rlim_cur,
                    "raised the open-file limit"
                );
            }
        }
    }
    limit.rlim_cur
}

/// Windows has no such per-process limit on sockets.
#[cfg(not(unix))]
fn raise() -> u64 {
    u64::MAX
}
