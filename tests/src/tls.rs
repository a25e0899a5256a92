//! A test certificate authority made with `openssl`: a CA in a directory, and
//! server certificates for 127.0.0.1 it signs (PostgreSQL's, slapd's).

use crate::process::run_checked;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A CA's key and certificate (`ca.key`, `ca.crt`) in a directory.
pub struct TestCa {
    dir: PathBuf,
}

fn openssl(args: &[&str]) {
    run_checked(Command::new("openssl").args(args));
}

fn text(path: &Path) -> &str {
    path.to_str().expect("temporary paths are UTF-8")
}

impl TestCa {
    /// A new CA in `dir` (valid a day).
    pub fn create(dir: &Path) -> TestCa {
        let ca = TestCa {
            dir: dir.to_owned(),
        };
        openssl(&[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=xvb test CA",
            "-keyout",
            text(&ca.dir.join("ca.key")),
            "-out",
            text(&ca.dir.join("ca.crt")),
        ]);
        ca
    }

    /// Writes `NAME.key` and `NAME.crt` into `out`: a certificate for 127.0.0.1
    /// signed by this CA.
    pub fn server_certificate(&self, out: &Path, name: &str) {
        let csr = self.dir.join(format!("{name}.csr"));
        let ext = self.dir.join(format!("{name}.ext"));
        openssl(&[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-subj",
            "/CN=127.0.0.1",
            "-keyout",
            text(&out.join(format!("{name}.key"))),
            "-out",
            text(&csr),
        ]);
        std::fs::write(&ext, "subjectAltName=IP:127.0.0.1\n").unwrap();
        openssl(&[
            "x509",
            "-req",
            "-days",
            "1",
            "-in",
            text(&csr),
            "-CA",
            text(&self.dir.join("ca.crt")),
            "-CAkey",
            text(&self.dir.join("ca.key")),
            "-CAcreateserial",
            "-extfile",
            text(&ext),
            "-out",
            text(&out.join(format!("{name}.crt"))),
        ]);
    }
}
