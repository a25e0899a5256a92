//! A PBX simulator: sends requests byte for byte as the PBX's Perl LWP does,
//! one TCP connection per request (`Connection: TE, close`), over TLS for an
//! `https://` webhook URL (a relay, or a tunnel with TLS in front); the
//! calls' bodies ([`SimCall`]); and a stand-in PBX ([`SimPbx`], in `sim_pbx`).

pub use super::sim_error::SimError;
pub use super::sim_pbx::SimPbx;
use crate::pbx::protocol::Fields;
use crate::CoreError;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::rustls;

/// Where the simulator sends: an `http://` or `https://` webhook URL.
#[derive(Debug, Clone)]
pub struct Target {
    tls: bool,
    host: String,
    port: u16,
    path: String,
}

impl Target {
    /// Reads a webhook URL (`http://` or `https://`).
    pub fn parse(url: &str) -> Result<Target, CoreError> {
        let parsed = url::Url::parse(url).map_err(|e| SimError::NotUrl {
            url: url.to_owned(),
            detail: e.to_string(),
        })?;
        let tls = match parsed.scheme() {
            "http" => false,
            "https" => true,
            other => return Err(SimError::Scheme(other.to_owned()).into()),
        };
        let host = parsed
            .host_str()
            .ok_or_else(|| SimError::NoHost(url.to_owned()))?
            .to_owned();
        let path = match parsed.query() {
            Some(q) => format!("{}?{q}", parsed.path()),
            None => parsed.path().to_owned(),
        };
        Ok(Target {
            tls,
            port: parsed.port_or_known_default().unwrap_or(80),
            host,
            path,
        })
    }

    /// The exact bytes LWP sends for these fields (`X-XVB-AC` when `header_ac` is set).
    pub fn request_bytes(&self, fields: &Fields, header_ac: Option<&str>) -> Vec<u8> {
        let body = fields.to_form();
        let mut head = format!(
            "POST {} HTTP/1.1\r\nTE: deflate,gzip;q=0.3\r\nConnection: TE, close\r\nHost: {}\r\n",
            self.path,
            self.host_header()
        );
        match header_ac {
            Some(ac) => head.push_str(&format!(
                "Content-Type: application/x-www-form-urlencoded\r\nX-XVB-AC: {ac}\r\nContent-Length: {}\r\n\r\n",
                body.len()
            )),
            None => head.push_str(&format!(
                "Content-Length: {}\r\nContent-Type: application/x-www-form-urlencoded\r\n\r\n",
                body.len()
            )),
        }
        let mut bytes = head.into_bytes();
        bytes.extend_from_slice(body.as_bytes());
        bytes
    }

    fn host_header(&self) -> String {
        if self.port == if self.tls { 443 } else { 80 } {
            self.host.clone()
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }

    /// Sends raw request bytes on a new connection and reads the reply until the server closes.
    pub async fn send_raw(&self, request: &[u8]) -> Result<Reply, CoreError> {
        let address = format!("{}:{}", self.host, self.port);
        let mut tcp = TcpStream::connect(&address)
            .await
            .map_err(|source| SimError::Connect {
                address: address.clone(),
                source,
            })?;
        let raw = if self.tls {
            let name = rustls::pki_types::ServerName::try_from(self.host.clone()).map_err(|e| {
                SimError::TlsName {
                    host: self.host.clone(),
                    detail: e.to_string(),
                }
            })?;
            let mut stream =
                tls_connector()
                    .connect(name, tcp)
                    .await
                    .map_err(|source| SimError::Tls {
                        address: address.clone(),
                        source,
                    })?;
            exchange(&mut stream, request).await
        } else {
            exchange(&mut tcp, request).await
        };
        Reply::parse(&raw.map_err(|source| SimError::NoReply { address, source })?)
    }

    /// Sends one PBX request.
    pub async fn send(&self, fields: &Fields, header_ac: Option<&str>) -> Result<Reply, CoreError> {
        self.send_raw(&self.request_bytes(fields, header_ac)).await
    }
}

/// Writes `request` and reads the reply until the server closes.
async fn exchange(
    stream: &mut (impl AsyncRead + AsyncWrite + Unpin),
    request: &[u8],
) -> std::io::Result<Vec<u8>> {
    stream.write_all(request).await?;
    let mut raw = Vec::new();
    match stream.read_to_end(&mut raw).await {
        Ok(_) => Ok(raw),
        // A TLS server that closes without close_notify, after a whole reply.
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof && !raw.is_empty() => Ok(raw),
        Err(e) => Err(e),
    }
}

/// TLS as the agent's other connections check it ([`crate::tls`]).
fn tls_connector() -> tokio_rustls::TlsConnector {
    tokio_rustls::TlsConnector::from(crate::tls::client_config())
}

/// A reply's status and body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// HTTP status code.
    pub status: u16,
    /// Body text (de-chunked).
    pub body: String,
}

impl Reply {
    /// Reads a whole HTTP/1.1 response.
    pub fn parse(raw: &[u8]) -> Result<Reply, CoreError> {
        let bad = || {
            CoreError::from(SimError::NotHttp(
                String::from_utf8_lossy(&raw[..raw.len().min(80)]).into_owned(),
            ))
        };
        let split = raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .ok_or_else(bad)?;
        let head = std::str::from_utf8(&raw[..split]).map_err(|_| bad())?;
        let status = head
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(bad)?;
        let mut body = raw[split + 4..].to_vec();
        if head
            .to_ascii_lowercase()
            .contains("transfer-encoding: chunked")
        {
            body = dechunk(&body);
        }
        Ok(Reply {
            status,
            body: String::from_utf8_lossy(&body).into_owned(),
        })
    }
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = data.windows(2).position(|w| w == b"\r\n") {
        let size_text = String::from_utf8_lossy(&data[..eol]);
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
            .unwrap_or(0);
        let start = eol + 2;
        if size == 0 || start + size > data.len() {
            break;
        }
        out.extend_from_slice(&data[start..start + size]);
        data = &data[(start + size + 2).min(data.len())..];
    }
    out
}

/// One simulated call's identity.
#[derive(Debug, Clone)]
pub struct SimCall {
    /// Account number.
    pub access_code: String,
    /// Call id shared by the call's events.
    pub callid: String,
    /// Client number.
    pub phone: String,
    /// Agent extension (answers incoming, dials outgoing).
    pub ext: String,
    /// Number the client dialled.
    pub line: Option<String>,
}

/// A call id in the PBX's style (23 URL-safe characters).
pub fn new_callid() -> String {
    crate::config::new_secret()[..23].to_owned()
}

impl SimCall {
    /// For the crate's tests: a call from one number to extension 100, account 10019.
    #[cfg(test)]
    pub(crate) fn to_100(callid: &str) -> SimCall {
        SimCall {
            access_code: "10019".into(),
            callid: callid.into(),
            phone: "79201110000".into(),
            ext: "100".into(),
            line: None,
        }
    }

    /// `cmd=contact`, as in the seed.
    pub fn contact(&self) -> Fields {
        Fields::from_pairs([
            ("access_code", Some(self.access_code.as_str())),
            ("cmd", Some("contact")),
            ("phone", Some(&self.phone)),
        ])
    }

    /// `INCOMING`, as in the seed (empty `ext`).
    pub fn incoming(&self) -> Fields {
        Fields::from_pairs([
            ("access_code", Some(self.access_code.as_str())),
            ("cmd", Some("event")),
            ("callid", Some(&self.callid)),
            ("type", Some("in")),
            ("event", Some("INCOMING")),
            ("ext", Some("")),
            ("phone", Some(&self.phone)),
            ("line_number", self.line.as_deref()),
        ])
    }

    /// `ANSWERED` by `ext`; the PBX also sends the account in `X-XVB-AC`.
    pub fn answered(&self) -> Fields {
        Fields::from_pairs([
            ("access_code", Some(self.access_code.as_str())),
            ("cmd", Some("event")),
            ("callid", Some(&self.callid)),
            ("type", Some("in")),
            ("event", Some("ANSWERED")),
            ("ext", Some(&self.ext)),
            ("phone", Some(&self.phone)),
        ])
    }

    /// Outgoing call start by `ext`.
    pub fn outgoing(&self) -> Fields {
        Fields::from_pairs([
            ("access_code", Some(self.access_code.as_str())),
            ("cmd", Some("event")),
            ("callid", Some(&self.callid)),
            ("type", Some("out")),
            ("event", Some("OUTGOING")),
            ("phone", Some(&self.phone)),
            ("ext", Some(&self.ext)),
        ])
    }

    /// `COMPLETED` with the seed's field order; `ext` empty for a missed call.
    pub fn completed(&self, status: &str, duration: u64, record_link: Option<&str>) -> Fields {
        let duration = duration.to_string();
        let ext = (!status.eq_ignore_ascii_case("missed")).then_some(self.ext.as_str());
        Fields::from_pairs([
            ("cmd", Some("event")),
            ("status", Some(status)),
            ("duration", Some(duration.as_str())),
            ("event", Some("COMPLETED")),
            ("phone", Some(&self.phone)),
            ("access_code", Some(self.access_code.as_str())),
            ("record_link", record_link),
            ("callid", Some(&self.callid)),
            ("ext", Some(ext.unwrap_or(""))),
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rebuilds_the_seed_contact_capture_byte_for_byte() {
        let target = Target::parse("http://localhost/crm-api").unwrap();
        let call = SimCall {
            access_code: "10019".into(),
            callid: String::new(),
            phone: "79201119613".into(),
            ext: String::new(),
            line: None,
        };
        let fixture = include_bytes!("../../../../tests/fixtures/pbx/02-contact.http");
        assert_eq!(
            String::from_utf8_lossy(&target.request_bytes(&call.contact(), None)),
            String::from_utf8_lossy(fixture)
        );
    }

    #[test]
    fn rebuilds_the_seed_answered_capture_byte_for_byte() {
        let target = Target::parse("http://localhost/crm-api").unwrap();
        let call = SimCall {
            access_code: "10019".into(),
            callid: "gZAozpVZQZI_A6HDWYnKxPg".into(),
            phone: "79201119613".into(),
            ext: "100".into(),
            line: None,
        };
        let fixture = include_bytes!("../../../../tests/fixtures/pbx/03-answered.http");
        assert_eq!(
            String::from_utf8_lossy(&target.request_bytes(&call.answered(), Some("10019"))),
            String::from_utf8_lossy(fixture)
        );
    }

    #[test]
    fn reads_chunked_replies() {
        let raw = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n{\"ok\r\n5\r\n\":tru\r\n2\r\ne}\r\n0\r\n\r\n";
        assert_eq!(Reply::parse(raw).unwrap().body, r#"{"ok":true}"#);
    }
}
