//! Prometheus from Debian, scraping relay nodes' metrics every second, and
//! asked PromQL over its HTTP API. Stopped on drop.

use crate::process::free_port;
use std::io::{Read, Write};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running Prometheus with its own data directory.
pub struct Prometheus {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Prometheus {
    /// Scrapes `targets` (`127.0.0.1:PORT` each, path `/metrics`) every second.
    pub fn scraping(targets: &[String]) -> Prometheus {
        let dir = tempfile::tempdir().expect("temp dir");
        let port = free_port();
        let listed: Vec<String> = targets.iter().map(|t| format!("'{t}'")).collect();
        let config = format!(
            "global:\n  scrape_interval: 1s\n  scrape_timeout: 900ms\n\
             scrape_configs:\n  - job_name: xvb\n    static_configs:\n      - targets: [{}]\n",
            listed.join(", ")
        );
        let path = dir.path().join("prometheus.yml");
        std::fs::write(&path, config).unwrap();
        let child = Command::new("/usr/bin/prometheus")
            .arg(format!("--config.file={}", path.display()))
            .arg(format!(
                "--storage.tsdb.path={}",
                dir.path().join("data").display()
            ))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("prometheus runs (Debian package prometheus; `make test` installs it)");
        let prometheus = Prometheus {
            child,
            port,
            _dir: dir,
        };
        let started = Instant::now();
        while prometheus.get("/-/ready").0 != 200 {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "Prometheus never got ready"
            );
            std::thread::sleep(Duration::from_millis(200));
        }
        prometheus
    }

    /// `GET path` on its API: the status and the body (0 when it does not answer).
    fn get(&self, path: &str) -> (u16, String) {
        let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", self.port)) else {
            return (0, String::new());
        };
        let request = format!("GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n");
        let mut reply = String::new();
        if stream.write_all(request.as_bytes()).is_err()
            || stream.read_to_string(&mut reply).is_err()
        {
            return (0, String::new());
        }
        let status = reply
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let body = reply
            .split_once("\r\n\r\n")
            .map(|(_, b)| b.to_owned())
            .unwrap_or_default();
        (status, body)
    }

    /// The value of the instant PromQL `query` (its first series), if any yet.
    pub fn value(&self, query: &str) -> Option<f64> {
        let encoded: String = query
            .bytes()
            .map(|b| match b {
                b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'_' => (b as char).to_string(),
                other => format!("%{other:02X}"),
            })
            .collect();
        let (status, body) = self.get(&format!("/api/v1/query?query={encoded}"));
        if status != 200 {
            return None;
        }
        let json: serde_json::Value = serde_json::from_str(&body).ok()?;
        json["data"]["result"][0]["value"][1].as_str()?.parse().ok()
    }

    /// Waits until `query` is `want` (after a few scrapes); the last value seen.
    pub fn wait_for(&self, query: &str, want: f64) -> Option<f64> {
        self.wait_until(query, |seen| seen == Some(want))
    }

    /// Waits until `query` has a value (rates need two scrapes); it, if any.
    pub fn wait_for_any(&self, query: &str) -> Option<f64> {
        self.wait_until(query, |seen| seen.is_some())
    }

    fn wait_until(&self, query: &str, done: impl Fn(Option<f64>) -> bool) -> Option<f64> {
        let started = Instant::now();
        let mut seen = None;
        while started.elapsed() < Duration::from_secs(30) {
            seen = self.value(query);
            if done(seen) {
                break;
            }
            std::thread::sleep(Duration::from_millis(250));
        }
        seen
    }
}

impl Drop for Prometheus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
