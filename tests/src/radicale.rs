//! A private CardDAV server for one test, from Debian's `radicale`: its
//! config, logins (`htpasswd`, plain) and collections in a temporary
//! directory, on a free loopback port, killed on drop. One user's address
//! book is uploaded whole with one `PUT` (as Radicale imports a `.vcf`), and
//! cards are changed and deleted while it runs over HTTP, as a phone would.

use crate::process::{free_port, terminate};
use std::io::Write;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The book's owner.
pub const USER: &str = "anna";
/// Their password.
pub const PASSWORD: &str = "c4rd, secret";

/// One contact of the book.
#[derive(Debug, Clone)]
pub struct Card {
    /// Its UID (and file name).
    pub uid: String,
    /// `FN`.
    pub name: String,
    /// `TEL`s.
    pub phones: Vec<String>,
    /// `X-XVB-RESPONSIBLE`.
    pub responsible: Option<String>,
}

impl Card {
    fn vcard(&self) -> String {
        let mut card = format!(
            "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:{}\r\nFN:{}\r\nN:{};;;;\r\n",
            self.uid, self.name, self.name
        );
        for phone in &self.phones {
            card.push_str(&format!("TEL;TYPE=WORK:{phone}\r\n"));
        }
        if let Some(ext) = &self.responsible {
            card.push_str(&format!("X-XVB-RESPONSIBLE:{ext}\r\n"));
        }
        card.push_str("END:VCARD\r\n");
        card
    }
}

/// [`crate::ldap::people`]' names and numbers as cards (numbers in several
/// spellings, Cyrillic names, every fifth with a responsible extension).
pub fn cards(count: usize) -> Vec<Card> {
    crate::ldap::people(count)
        .into_iter()
        .map(|p| Card {
            uid: p.uid,
            name: p.name,
            phones: p.phones.into_iter().chain(p.mobiles).collect(),
            responsible: p.responsible,
        })
        .collect()
}

/// `xvb contacts source add carddav` on `agent`: the source `book`, the
/// owner's book on `radicale` (the password in `XVB_SOURCE_PASSWORD_BOOK`
/// or the keyring).
pub fn add_book(agent: &crate::agent::Agent, radicale: &Radicale) {
    agent.ok(&[
        "contacts",
        "source",
        "add",
        "carddav",
        "--name",
        "book",
        "--url",
        &radicale.url(),
        "--user",
        USER,
    ]);
}

/// A running Radicale with one address book.
pub struct Radicale {
    _dir: tempfile::TempDir,
    port: u16,
    child: Child,
}

impl Radicale {
    /// A server on `http://127.0.0.1:PORT` whose user [`USER`] has the book `book` with `cards`.
    pub fn start(cards: &[Card]) -> Radicale {
        let dir = tempfile::tempdir().unwrap();
        let path = |name: &str| dir.path().join(name).to_str().unwrap().to_owned();
        std::fs::write(dir.path().join("users"), format!("{USER}:{PASSWORD}\n")).unwrap();
        let port = free_port();
        let config = format!(
            "[server]\nhosts = 127.0.0.1:{port}\nmax_content_length = 100000000\n\
             [auth]\ntype = htpasswd\nhtpasswd_filename = {users}\nhtpasswd_encryption = plain\ndelay = 0\n\
             [storage]\nfilesystem_folder = {collections}\n\
             [rights]\ntype = owner_only\n\
             [logging]\nlevel = warning\n",
            users = path("users"),
            collections = path("collections"),
        );
        std::fs::write(dir.path().join("config"), config).unwrap();
        // Debian's script, with Debian's Python (not whichever `python3` is first on PATH).
        let child = Command::new("/usr/bin/radicale")
            .args(["--config", &path("config")])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("radicale starts (`make test` installs the radicale package)");
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "radicale never listened");
            std::thread::sleep(Duration::from_millis(50));
        }
        let radicale = Radicale {
            _dir: dir,
            port,
            child,
        };
        // A whole book in one PUT, as Radicale takes an imported .vcf.
        let book: String = cards.iter().map(Card::vcard).collect();
        radicale.http("PUT", "", Some(&book));
        radicale
    }

    /// The book's URL.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/{USER}/book/", self.port)
    }

    /// Adds or changes `card`.
    pub fn put(&self, card: &Card) {
        self.http("PUT", &format!("{}.vcf", card.uid), Some(&card.vcard()));
    }

    /// Deletes the card `uid`.
    pub fn delete(&self, uid: &str) {
        self.http("DELETE", &format!("{uid}.vcf"), None);
    }

    /// One request as the book's owner, with curl (the body on its standard
    /// input: a whole book is too long for an argument); asserts a 2xx status.
    fn http(&self, method: &str, file: &str, body: Option<&str>) {
        let url = format!("{}{file}", self.url());
        let mut curl = Command::new("curl");
        curl.args(["-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", method])
            .args(["-u", &format!("{USER}:{PASSWORD}"), &url])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped());
        if body.is_some() {
            let kind = if method == "PUT" {
                "text/vcard"
            } else {
                "application/xml"
            };
            curl.args([
                "-H",
                &format!("Content-Type: {kind}"),
                "--data-binary",
                "@-",
            ]);
        }
        let mut child = curl.spawn().expect("curl runs");
        let mut stdin = child.stdin.take().expect("piped");
        stdin
            .write_all(body.unwrap_or_default().as_bytes())
            .unwrap();
        drop(stdin);
        let Output { stdout, .. } = child.wait_with_output().unwrap();
        let got = String::from_utf8_lossy(&stdout);
        assert!(got.starts_with('2'), "{method} {url}: HTTP {got}");
    }
}

impl Drop for Radicale {
    fn drop(&mut self) {
        terminate(&mut self.child);
    }
}
