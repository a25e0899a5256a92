//! A `bore` server on loopback for the tests that tunnel (bore-cli as a
//! library, in this test process). Its control port is fixed (7835), so those
//! tests take turns: [`take_turn`].

use std::sync::{Mutex, MutexGuard};

/// The bore server's secret.
pub const SECRET: &str = "bore s3cret";

static TURN: Mutex<()> = Mutex::new(());

/// A test's turn at bore's control port, until dropped. Only other tests'
/// threads wait on it (a test holds it across its awaits, as it holds
/// `xvb_e2e::desktop::take_turn()`).
pub struct BoreTurn {
    _held: MutexGuard<'static, ()>,
}

/// Waits until no other test uses the bore server's port, and holds it.
pub fn take_turn() -> BoreTurn {
    BoreTurn {
        _held: TURN.lock().unwrap_or_else(|poisoned| poisoned.into_inner()),
    }
}

/// A bore server on 127.0.0.1 (control port 7835) in its own runtime; dropping it
/// stops the server and every tunnel through it.
pub struct BoreServer(Option<tokio::runtime::Runtime>);

impl BoreServer {
    /// Starts it, asking tunnels for [`SECRET`].
    pub fn start() -> BoreServer {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        runtime.spawn(async {
            let mut server = bore_cli::server::Server::new(20_000..=40_000, Some(SECRET));
            server.set_bind_addr("127.0.0.1".parse().unwrap());
            if let Err(e) = server.listen().await {
                eprintln!("bore server: {e}");
            }
        });
        BoreServer(Some(runtime))
    }
}

impl Drop for BoreServer {
    fn drop(&mut self) {
        if let Some(runtime) = self.0.take() {
            runtime.shutdown_background();
        }
    }
}
