//! A private OpenLDAP server for one test, from Debian's `slapd`: a config
//! file and an MDB database in a temporary directory, people loaded with
//! `slapadd`, started on a free loopback port (and `ldaps://` on another with
//! a test CA's certificate), killed on drop. People can be added and removed
//! while it runs (`ldapadd` / `ldapdelete` from `ldap-utils`).

use crate::agent::Agent;
use crate::process::{free_port, run_checked};
use crate::tls::TestCa;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Where the people are.
pub const BASE: &str = "ou=people,dc=example,dc=com";
/// Who the product binds as (read-only).
pub const READER_DN: &str = "cn=reader,dc=example,dc=com";
/// Its password.
pub const READER_PASSWORD: &str = "r3ader, secret";
const ROOT_DN: &str = "cn=admin,dc=example,dc=com";
const ROOT_PASSWORD: &str = "admin-secret";

/// `xvb contacts source add ldap` on `agent`: the source `corp` for `url`,
/// bound as the reader, the responsible extension in `employeeNumber`.
pub fn add_corp(agent: &Agent, url: &str) {
    agent.ok(&[
        "contacts",
        "source",
        "add",
        "ldap",
        "--name",
        "corp",
        "--url",
        url,
        "--bind-dn",
        READER_DN,
        "--base",
        BASE,
        "--responsible-attr",
        "employeeNumber",
    ]);
}

/// One person of the directory.
#[derive(Debug, Clone)]
pub struct Person {
    /// Their `uid`.
    pub uid: String,
    /// Their `cn`.
    pub name: String,
    /// `telephoneNumber` values.
    pub phones: Vec<String>,
    /// `mobile` values.
    pub mobiles: Vec<String>,
    /// `employeeNumber`: the responsible agent's extension.
    pub responsible: Option<String>,
}

impl Person {
    fn ldif(&self) -> String {
        let mut ldif = format!(
            "dn: uid={uid},{BASE}\nobjectClass: inetOrgPerson\nuid: {uid}\ncn: {name}\nsn: {name}\n",
            uid = self.uid,
            name = self.name
        );
        for phone in &self.phones {
            ldif.push_str(&format!("telephoneNumber: {phone}\n"));
        }
        for mobile in &self.mobiles {
            ldif.push_str(&format!("mobile: {mobile}\n"));
        }
        if let Some(ext) = &self.responsible {
            ldif.push_str(&format!("employeeNumber: {ext}\n"));
        }
        ldif.push('\n');
        ldif
    }
}

/// `count` people with Cyrillic names, each number spelt one of the ways
/// directories spell them: `+7 (495) 1NN-NN-NN`, `8 495 …`, `7495…`; every
/// third with a mobile, every fifth with a responsible extension (`1NN`).
pub fn people(count: usize) -> Vec<Person> {
    let surnames = ["Иванов", "Петрова", "Сидоров", "Кузнецова", "Смирнов"];
    (0..count)
        .map(|i| {
            let digits = format!("{:07}", 1_000_000 + i);
            let phone = match i % 3 {
                0 => format!(
                    "+7 (495) {}-{}-{}",
                    &digits[..3],
                    &digits[3..5],
                    &digits[5..]
                ),
                1 => format!("8 495 {digits}"),
                _ => format!("7495{digits}"),
            };
            Person {
                uid: format!("p{i}"),
                name: format!("{} {i}", surnames[i % surnames.len()]),
                phones: vec![phone],
                mobiles: (i % 3 == 0)
                    .then(|| format!("8-916-{digits}"))
                    .into_iter()
                    .collect(),
                responsible: (i % 5 == 0).then(|| format!("{}", 100 + i % 50)),
            }
        })
        .collect()
}

/// A person not among [`people`]: Новикова Анна, `8 (495) 999-00-11`
/// (`74959990011`), responsible 107.
pub fn newcomer() -> Person {
    Person {
        uid: "new".into(),
        name: "Новикова Анна".into(),
        phones: vec!["8 (495) 999-00-11".into()],
        mobiles: Vec::new(),
        responsible: Some("107".into()),
    }
}

/// A running `slapd` with its directory.
pub struct Slapd {
    dir: tempfile::TempDir,
    /// Its `ldap://` port.
    pub port: u16,
    /// Its `ldaps://` port, if it has a certificate.
    pub tls_port: Option<u16>,
    child: Option<Child>,
}

impl Slapd {
    /// A server on `ldap://127.0.0.1:PORT` with `people`.
    pub fn start(people: &[Person]) -> Slapd {
        Slapd::configured(people, false)
    }

    /// [`Slapd::start`], also on `ldaps://` with a certificate for 127.0.0.1
    /// from a test CA ([`Slapd::ca`]).
    pub fn start_with_tls(people: &[Person]) -> Slapd {
        Slapd::configured(people, true)
    }

    fn configured(people: &[Person], tls: bool) -> Slapd {
        let dir = tempfile::tempdir().unwrap();
        let path = |name: &str| dir.path().join(name).to_str().unwrap().to_owned();
        std::fs::create_dir(dir.path().join("db")).unwrap();
        let tls_lines = if tls {
            TestCa::create(dir.path()).server_certificate(dir.path(), "slapd");
            format!(
                "TLSCACertificateFile {}\nTLSCertificateFile {}\nTLSCertificateKeyFile {}\n",
                path("ca.crt"),
                path("slapd.crt"),
                path("slapd.key")
            )
        } else {
            String::new()
        };
        let conf = format!(
            "include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
modulepath /usr/lib/ldap
moduleload back_mdb
pidfile {pid}
{tls_lines}database mdb
maxsize 104857600
suffix \"dc=example,dc=com\"
rootdn \"{ROOT_DN}\"
rootpw {ROOT_PASSWORD}
directory {db}
limits dn.exact=\"{READER_DN}\" size=unlimited size.prtotal=unlimited
access to * by dn.exact=\"{READER_DN}\" read by * auth
",
            pid = path("slapd.pid"),
            db = path("db"),
        );
        std::fs::write(dir.path().join("slapd.conf"), conf).unwrap();
        let mut ldif = format!(
            "dn: dc=example,dc=com\nobjectClass: dcObject\nobjectClass: organization\no: Example\ndc: example\n\n\
             dn: {BASE}\nobjectClass: organizationalUnit\nou: people\n\n\
             dn: {READER_DN}\nobjectClass: person\ncn: reader\nsn: reader\nuserPassword: {READER_PASSWORD}\n\n"
        );
        for person in people {
            ldif.push_str(&person.ldif());
        }
        std::fs::write(dir.path().join("people.ldif"), ldif).unwrap();
        run_checked(Command::new("slapadd").args([
            "-q",
            "-f",
            &path("slapd.conf"),
            "-l",
            &path("people.ldif"),
        ]));
        let mut slapd = Slapd {
            dir,
            port: free_port(),
            tls_port: tls.then(free_port),
            child: None,
        };
        slapd.run();
        slapd
    }

    /// Starts the server (again) on its ports and waits until it answers.
    pub fn run(&mut self) {
        let mut urls = format!("ldap://127.0.0.1:{}/", self.port);
        if let Some(port) = self.tls_port {
            urls.push_str(&format!(" ldaps://127.0.0.1:{port}/"));
        }
        let conf = self.dir.path().join("slapd.conf");
        let child = Command::new("slapd")
            .arg("-f")
            .arg(&conf)
            .args(["-h", &urls, "-d", "0"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("slapd starts (`make test` installs the slapd package)");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(Instant::now() < deadline, "slapd never listened");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Kills the server (its data stays for [`Slapd::run`]).
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// `ldap://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("ldap://127.0.0.1:{}", self.port)
    }

    /// `ldaps://127.0.0.1:PORT`.
    pub fn tls_url(&self) -> String {
        format!(
            "ldaps://127.0.0.1:{}",
            self.tls_port.expect("started with TLS")
        )
    }

    /// The test CA that signed the server's certificate (PEM), for `SSL_CERT_FILE`.
    pub fn ca(&self) -> PathBuf {
        self.dir.path().join("ca.crt")
    }

    /// Adds `person` while the server runs.
    pub fn add(&self, person: &Person) {
        let mut ldapadd = Command::new("ldapadd")
            .args(["-x", "-H", &self.url(), "-D", ROOT_DN, "-w", ROOT_PASSWORD])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .expect("ldapadd runs (`make test` installs ldap-utils)");
        ldapadd
            .stdin
            .take()
            .unwrap()
            .write_all(person.ldif().as_bytes())
            .unwrap();
        assert!(ldapadd.wait().unwrap().success(), "ldapadd {}", person.uid);
    }

    /// Removes the person `uid` while the server runs.
    pub fn remove(&self, uid: &str) {
        run_checked(Command::new("ldapdelete").args([
            "-x",
            "-H",
            &self.url(),
            "-D",
            ROOT_DN,
            "-w",
            ROOT_PASSWORD,
            &format!("uid={uid},{BASE}"),
        ]));
    }
}

impl Drop for Slapd {
    fn drop(&mut self) {
        self.kill();
    }
}
