//! The requests a CardDAV sync makes of one address book, each within a time
//! and a size limit, and what the server's status means for the admin.

use super::multistatus::{self, Multistatus};
use super::CardDavSettings;
use crate::contacts::sources::{http_client, SourceError};
use crate::secret::Secret;
use reqwest::{Method, StatusCode};
use std::time::Duration;

/// How long connecting may take, and how long the server may stay silent.
const TIMEOUT: Duration = Duration::from_secs(20);
/// How long one request may take in all (a server sending a trickle).
const LONGEST_REQUEST: Duration = Duration::from_secs(600);
/// The most bytes of a listing: 2,000,000 cards' hrefs and ETags fit.
const LARGEST_LISTING: usize = 512 << 20;
/// The most bytes of a multiget's reply: a batch of cards, each at most
/// what the reader takes of one (only the properties asked for, if the
/// server honours that).
const LARGEST_CARDS: usize = 128 << 20;

/// One address book and the client that reads it.
pub(super) struct Book {
    client: reqwest::Client,
    url: url::Url,
    login: Option<(String, String)>,
}

impl Book {
    /// A client for the book at `settings.url`, logging in as `settings.user`.
    pub fn new(settings: &CardDavSettings, password: Option<&Secret>) -> Result<Book, SourceError> {
        let url = url::Url::parse(&settings.url)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https"))
            .ok_or_else(|| SourceError::Unreachable {
                url: settings.url.clone(),
                reason: "not an http:// or https:// URL".into(),
            })?;
        let client = http_client(&settings.url, |client| {
            client
                .connect_timeout(TIMEOUT)
                .read_timeout(TIMEOUT)
                .timeout(LONGEST_REQUEST)
                // A redirect would turn REPORT into GET: the admin is told where instead.
                .redirect(reqwest::redirect::Policy::none())
        })?;
        let login = settings.user.clone().map(|user| {
            let password = password.map(|p| p.expose().to_owned()).unwrap_or_default();
            (user, password)
        });
        Ok(Book { client, url, login })
    }

    /// The members changed since `token` (all of them for `""`), or none when
    /// the server refuses the token (forgotten: start again) or the report.
    pub async fn sync_collection(&self, token: &str) -> Result<Option<Multistatus>, SourceError> {
        let token = quick_xml::escape::escape(token);
        let body = format!(
            r#"<?xml version="1.0" encoding="utf-8"?><D:sync-collection xmlns:D="DAV:"><D:sync-token>{token}</D:sync-token><D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>"#
        );
        match self.ask("REPORT", None, body, LARGEST_LISTING).await {
            Ok(reply) => Ok(Some(reply)),
            // RFC 6578: 403 or 409 (valid-sync-token) for a token it no longer
            // knows; 400, 405, 501 or 403 (supported-report) from a server without the report.
            Err(Asked::Status(status, _))
                if matches!(status.as_u16(), 400 | 403 | 405 | 409 | 415 | 501) =>
            {
                Ok(None)
            }
            Err(e) => Err(self.worded(e)),
        }
    }

    /// Every member with its ETag (for a server without `sync-collection`).
    pub async fn propfind(&self) -> Result<Multistatus, SourceError> {
        let body = r#"<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:"><D:prop><D:resourcetype/><D:getetag/></D:prop></D:propfind>"#;
        self.ask("PROPFIND", Some("1"), body.into(), LARGEST_LISTING)
            .await
            .map_err(|e| self.worded(e))
    }

    /// The cards at `hrefs`, with their ETags (only the properties the book reads).
    pub async fn multiget(&self, hrefs: &[&str]) -> Result<Multistatus, SourceError> {
        let mut body = String::from(
            r#"<?xml version="1.0" encoding="utf-8"?><C:addressbook-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav"><D:prop><D:getetag/><C:address-data><C:prop name="VERSION"/><C:prop name="FN"/><C:prop name="N"/><C:prop name="TEL"/><C:prop name="X-XVB-RESPONSIBLE"/></C:address-data></D:prop>"#,
        );
        for href in hrefs {
            body.push_str(&format!(
                "<D:href>{}</D:href>",
                quick_xml::escape::escape(*href)
            ));
        }
        body.push_str("</C:addressbook-multiget>");
        self.ask("REPORT", Some("1"), body, LARGEST_CARDS)
            .await
            .map_err(|e| self.worded(e))
    }

    /// Sends one request to the book and reads its multistatus (at most
    /// `largest` bytes), each member's key set.
    async fn ask(
        &self,
        method: &str,
        depth: Option<&str>,
        body: String,
        largest: usize,
    ) -> Result<Multistatus, Asked> {
        let method = Method::from_bytes(method.as_bytes()).expect("a WebDAV method");
        let mut request = self
            .client
            .request(method, self.url.clone())
            .header("Content-Type", "application/xml; charset=utf-8")
            .body(body);
        if let Some(depth) = depth {
            request = request.header("Depth", depth);
        }
        if let Some((user, password)) = &self.login {
            request = request.basic_auth(user, Some(password));
        }
        let mut response = request.send().await.map_err(Asked::Network)?;
        let status = response.status();
        if status != StatusCode::MULTI_STATUS && !status.is_success() {
            let location = (response.headers().get(reqwest::header::LOCATION))
                .and_then(|l| l.to_str().ok())
                .map(|l| l.chars().take(500).collect());
            return Err(Asked::Status(status, location));
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(Asked::Network)? {
            if bytes.len() + chunk.len() > largest {
                return Err(Asked::Reply(format!(
                    "the reply is larger than {} MB",
                    largest >> 20
                )));
            }
            bytes.extend_from_slice(&chunk);
        }
        let text =
            String::from_utf8(bytes).map_err(|_| Asked::Reply("the reply is not UTF-8".into()))?;
        let mut reply = multistatus::parse(&text, self.url.path()).map_err(Asked::Reply)?;
        for member in &mut reply.members {
            member.key = self.key(&member.href);
        }
        Ok(reply)
    }

    /// An href's decoded path, resolved against the book's URL.
    fn key(&self, href: &str) -> String {
        let path = self
            .url
            .join(href)
            .map(|u| u.path().to_owned())
            .unwrap_or_else(|_| href.to_owned());
        percent_encoding::percent_decode_str(&path)
            .decode_utf8_lossy()
            .into_owned()
    }

    /// What went wrong, in the admin's terms.
    fn worded(&self, asked: Asked) -> SourceError {
        let url = self.url.to_string();
        match asked {
            Asked::Status(status, location) => match (status.as_u16(), location) {
                (401 | 403, _) => SourceError::LoginRefused {
                    status: status.as_u16(),
                },
                (404, _) => SourceError::NoAddressBook { url },
                (300..=399, Some(to)) => SourceError::Moved { url, to },
                (code, _) => SourceError::HttpStatus { url, status: code },
            },
            Asked::Reply(reason) => SourceError::BadReply { reason },
            Asked::Network(e) => SourceError::of_http(&url, &e),
        }
    }
}

/// Why one request failed.
enum Asked {
    /// The server answered with this status (and, for a redirect, where to).
    Status(StatusCode, Option<String>),
    /// The connection, TLS or time.
    Network(reqwest::Error),
    /// The body did not read.
    Reply(String),
}
