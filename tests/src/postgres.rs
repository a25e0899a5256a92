//! A private PostgreSQL cluster for one test, from Debian's `postgresql` package:
//! `initdb` in a temporary directory (as the `postgres` user when the tests run
//! as root — `initdb` refuses root), started on a free loopback port with its
//! Unix socket in that directory, stopped and removed on drop. A synchronous
//! standby can be added ([`PgCluster::standby_of`]) and promoted.

use crate::process::{free_port, run_checked};
use crate::tls::TestCa;
use std::path::{Path, PathBuf};
use std::process::Command;

/// One running PostgreSQL server and its data directory.
pub struct PgCluster {
    dir: tempfile::TempDir,
    /// The loopback port it listens on.
    pub port: u16,
}

impl PgCluster {
    /// A fresh cluster (trust authentication on loopback, user `postgres`), running.
    pub fn start() -> PgCluster {
        let cluster = PgCluster::initialised();
        cluster.start_server();
        cluster
    }

    /// A fresh cluster that takes TLS connections only, with a certificate for
    /// 127.0.0.1 from a test CA ([`PgCluster::certificate`], for the clients' trust).
    pub fn start_with_tls() -> PgCluster {
        let cluster = PgCluster::initialised();
        let data = cluster.data();
        // A test CA, and the server's certificate for 127.0.0.1 signed by it.
        TestCa::create(cluster.dir.path()).server_certificate(&data, "server");
        if running_as_root() {
            run_checked(
                Command::new("chown")
                    .arg("-R")
                    .arg("postgres:postgres")
                    .arg(&data),
            );
        }
        run_checked(
            Command::new("chmod")
                .arg("600")
                .arg(data.join("server.key")),
        );
        // TLS on, and plain TCP connections refused.
        let mut conf = std::fs::OpenOptions::new()
            .append(true)
            .open(data.join("postgresql.conf"))
            .unwrap();
        std::io::Write::write_all(&mut conf, b"ssl = on\n").unwrap();
        std::fs::write(
            data.join("pg_hba.conf"),
            "local all all trust\nhostssl all all 127.0.0.1/32 trust\n",
        )
        .unwrap();
        cluster.start_server();
        cluster
    }

    /// The test CA that signed the server's certificate (PEM), for `SSL_CERT_FILE`.
    pub fn certificate(&self) -> PathBuf {
        self.dir.path().join("ca.crt")
    }

    /// A standby of `primary` (`pg_basebackup -R`), running, and named `standby`
    /// in the primary's `synchronous_standby_names` so every commit waits for it.
    pub fn standby_of(primary: &PgCluster) -> PgCluster {
        let standby = PgCluster::empty();
        standby.as_owner(Command::new(bin("pg_basebackup")).args([
            "-h",
            "127.0.0.1",
            "-p",
            &primary.port.to_string(),
            "-U",
            "postgres",
            "-D",
            standby.data().to_str().unwrap(),
            "-R",
            "--no-sync",
        ]));
        std::fs::write(
            standby.data().join("postgresql.auto.conf"),
            format!(
                "primary_conninfo = 'host=127.0.0.1 port={} user=postgres application_name=standby'\n",
                primary.port
            ),
        )
        .unwrap();
        standby.start_server();
        primary.sql("ALTER SYSTEM SET synchronous_standby_names = 'standby'");
        primary.sql("SELECT pg_reload_conf()");
        standby
    }

    /// `postgresql://postgres@127.0.0.1:PORT/postgres`.
    pub fn url(&self) -> String {
        format!("postgresql://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// Runs one SQL statement with `psql` and returns what it printed (unaligned, tuples only).
    pub fn sql(&self, statement: &str) -> String {
        let out = Command::new("psql")
            .args([
                "-X",
                "-A",
                "-t",
                "-v",
                "ON_ERROR_STOP=1",
                "-d",
                &self.url(),
                "-c",
            ])
            .arg(statement)
            .output()
            .expect("psql runs (Debian package postgresql-client)");
        assert!(
            out.status.success(),
            "{statement}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap().trim().to_owned()
    }

    /// Kills the server at once (SIGKILL to the postmaster), as a crash would.
    pub fn kill(&self) {
        let pid =
            std::fs::read_to_string(self.data().join("postmaster.pid")).expect("the server runs");
        let pid = pid.lines().next().expect("a pid");
        let _ = Command::new("kill").args(["-9", pid]).status();
    }

    /// Promotes this standby to primary and waits until it takes writes.
    pub fn promote(&self) {
        self.as_owner(Command::new(bin("pg_ctl")).args([
            "promote",
            "-w",
            "-D",
            self.data().to_str().unwrap(),
        ]));
    }

    /// A new, stopped cluster: `initdb` with trust authentication, user `postgres`.
    fn initialised() -> PgCluster {
        let cluster = PgCluster::empty();
        cluster.as_owner(Command::new(bin("initdb")).args([
            "-D",
            cluster.data().to_str().unwrap(),
            "-U",
            "postgres",
            "-A",
            "trust",
            "--no-sync",
        ]));
        cluster
    }

    fn empty() -> PgCluster {
        let dir = tempfile::tempdir().expect("temp dir");
        if running_as_root() {
            run_checked(
                Command::new("chown")
                    .arg("postgres:postgres")
                    .arg(dir.path()),
            );
        }
        PgCluster {
            dir,
            port: free_port(),
        }
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn start_server(&self) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1",
            self.port,
            self.dir.path().display()
        );
        self.as_owner(Command::new(bin("pg_ctl")).args([
            "start",
            "-w",
            "-D",
            self.data().to_str().unwrap(),
            "-l",
            self.dir.path().join("server.log").to_str().unwrap(),
            "-o",
            &options,
        ]));
    }

    /// Runs a server program as the cluster's owner: `postgres` under root.
    fn as_owner(&self, command: &mut Command) {
        if running_as_root() {
            let mut runuser = Command::new("runuser");
            runuser
                .args(["-u", "postgres", "--"])
                .arg(command.get_program())
                .args(command.get_args());
            run_checked(&mut runuser);
        } else {
            run_checked(command);
        }
    }
}

impl Drop for PgCluster {
    /// Ends the server like `pg_ctl stop -m immediate` (its backends follow the postmaster).
    fn drop(&mut self) {
        if self.data().join("postmaster.pid").exists() {
            self.kill();
        }
    }
}

/// A server program of Debian's newest installed PostgreSQL (`/usr/lib/postgresql/N/bin`).
fn bin(program: &str) -> PathBuf {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("PostgreSQL is installed (Debian package postgresql; `make test` installs it)")
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("bin").join(program).is_file())
        .collect();
    versions.sort_by_key(|p| version_of(p));
    versions
        .pop()
        .expect("a PostgreSQL version")
        .join("bin")
        .join(program)
}

fn version_of(dir: &Path) -> u32 {
    dir.file_name()
        .and_then(|n| n.to_str())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

fn running_as_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout.starts_with(b"0\n"))
        .unwrap_or(false)
}
