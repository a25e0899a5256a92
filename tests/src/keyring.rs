//! What the OS keyring holds, looked at from outside `xvb`: the Secret Service
//! through `secret-tool` on Linux, Wine's Credential Manager through the
//! test-only `credread.exe` (beside the `xvb.exe` under test) on the Windows leg.

use crate::agent::WINDOWS_EXE_ENV;
use std::path::PathBuf;
use std::process::Command;
use xvb_core::secret::KEYRING_SERVICE;

/// The secret stored for keyring user `user` (`10019`, `10019/relay`…), or `None`;
/// `env` is the agent's (its private D-Bus session on Linux).
pub fn stored_secret(user: &str, env: &[(String, String)]) -> Option<String> {
    let out = match std::env::var_os(WINDOWS_EXE_ENV) {
        Some(exe) => {
            let credread = PathBuf::from(exe).with_file_name("credread.exe");
            Command::new(std::env::var_os("WINE").unwrap_or_else(|| "/usr/lib/wine/wine64".into()))
                .arg(credread)
                // windows-native-keyring-store names a credential `user.service`.
                .arg(format!("{user}.{KEYRING_SERVICE}"))
                .output()
        }
        None => Command::new("secret-tool")
            .args(["lookup", "service", KEYRING_SERVICE, "username", user])
            .envs(env.iter().map(|(k, v)| (k, v)))
            .output(),
    }
    .expect("the keyring's own tool runs (`make test` installs it)");
    let secret = String::from_utf8(out.stdout).expect("UTF-8 secret");
    (out.status.success() && !secret.is_empty()).then_some(secret)
}
