//! A loopback TCP relay between the product and a server the test started,
//! which stops passing the server's bytes once it has passed a given number
//! of them and tells the test, so the test can stop the server at a known
//! point of a long answer (an LDAP search half read), not at a guessed time.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::mpsc;

/// The relay: the port to give the product, and the signal that the cut came.
pub struct Cut {
    /// Where the product connects.
    pub port: u16,
    reached: mpsc::Receiver<()>,
}

impl Cut {
    /// Relays connections to `127.0.0.1:server_port`; the answer on
    /// connection number `cut` (0 first) is held after `after_bytes` of it,
    /// the others pass whole.
    pub fn start(server_port: u16, cut: usize, after_bytes: usize) -> Cut {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let (reached_tx, reached) = mpsc::channel();
        std::thread::spawn(move || {
            for (number, client) in listener.incoming().enumerate() {
                let Ok(client) = client else { break };
                let Ok(server) = TcpStream::connect(("127.0.0.1", server_port)) else {
                    let _ = client.shutdown(Shutdown::Both);
                    continue;
                };
                let (client_in, server_out) =
                    (client.try_clone().unwrap(), server.try_clone().unwrap());
                std::thread::spawn(move || pass(client_in, server_out, None, None));
                let reached = (number == cut).then(|| reached_tx.clone());
                let limit = reached.as_ref().map(|_| after_bytes);
                std::thread::spawn(move || pass(server, client, limit, reached));
            }
        });
        Cut { port, reached }
    }

    /// Waits until the answer has been cut.
    pub fn wait(&self) {
        self.reached
            .recv_timeout(std::time::Duration::from_secs(60))
            .expect("the answer never reached the cut");
    }
}

/// Copies `from` to `to`; with a limit, stops after it, tells `reached`, and
/// holds the connection until `from` closes (the server is stopped).
fn pass(
    mut from: TcpStream,
    mut to: TcpStream,
    limit: Option<usize>,
    reached: Option<mpsc::Sender<()>>,
) {
    let mut passed = 0;
    let mut buf = [0u8; 16 * 1024];
    loop {
        let want = limit.map_or(buf.len(), |l| (l - passed).min(buf.len()));
        if want == 0 {
            if let Some(reached) = &reached {
                let _ = reached.send(());
            }
            // Drain the server until it is gone, passing nothing more.
            while from.read(&mut buf).is_ok_and(|n| n > 0) {}
            break;
        }
        match from.read(&mut buf[..want]) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                passed += n;
                if to.write_all(&buf[..n]).is_err() {
                    break;
                }
            }
        }
    }
    let _ = to.shutdown(Shutdown::Both);
}
