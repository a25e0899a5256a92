//! HAProxy from Debian as the load balancer in front of relay nodes: HTTP and
//! WebSocket on one port, round robin, a node that stops answering its health
//! check taken out within a second, and a connection a dead node refuses sent
//! to another at once (`option redispatch`). Stopped on drop.

use crate::process::free_port;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running HAProxy.
pub struct Balancer {
    child: Child,
    _dir: tempfile::TempDir,
    /// The port agents and the PBX use.
    pub port: u16,
}

impl Balancer {
    /// Balances `127.0.0.1:port` over the relay nodes on `nodes` (loopback ports).
    pub fn start(nodes: &[u16]) -> Balancer {
        let dir = tempfile::tempdir().expect("temp dir");
        let port = free_port();
        let servers: String = nodes
            .iter()
            .enumerate()
            .map(|(i, node)| {
                format!("    server node{i} 127.0.0.1:{node} check inter 300ms fall 2 rise 2\n")
            })
            .collect();
        let config = format!(
            "global\n    maxconn 8000\n\
             defaults\n    mode http\n    timeout connect 2s\n    timeout client 60s\n    \
             timeout server 60s\n    timeout tunnel 1h\n    retries 3\n    \
             option redispatch 1\n\
             frontend relay\n    bind 127.0.0.1:{port}\n    default_backend nodes\n\
             backend nodes\n    balance roundrobin\n    option httpchk GET /relay/health\n{servers}"
        );
        let path = dir.path().join("haproxy.cfg");
        std::fs::write(&path, config).unwrap();
        let child = Command::new("/usr/sbin/haproxy")
            .arg("-f")
            .arg(&path)
            .arg("-db")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("haproxy runs (Debian package haproxy; `make test` installs it)");
        let balancer = Balancer {
            child,
            _dir: dir,
            port,
        };
        balancer.wait_listening();
        balancer
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn wait_listening(&self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(Instant::now() < deadline, "haproxy did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Balancer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
