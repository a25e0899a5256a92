//! WebDAV's `multistatus` replies read into what a CardDAV sync needs: each
//! member's href, its ETag and vCard, whether it is gone, and the new sync
//! token. Namespaces are resolved (servers pick their own prefixes).
//!
//! Hand-written over `quick-xml`'s reader rather than serde: a multistatus
//! nests `propstat`s whose status decides whether their props count, which
//! serde's derive cannot say without a tree of wrapper types.

use quick_xml::events::Event;
use quick_xml::name::{Namespace, ResolveResult};
use quick_xml::NsReader;

const DAV: &str = "DAV:";
/// The longest text of one element read (a card; an href, an ETag and a
/// token are far shorter).
const LONGEST_FIELD: usize = 1 << 20;
/// The longest href, ETag, status or sync token.
const LONGEST_NAME: usize = 8 << 10;
const CARDDAV: &str = "urn:ietf:params:xml:ns:carddav";

/// One member of the collection, as a reply listed it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Member {
    /// Its path, as the server wrote it (what a request names it by).
    pub href: String,
    /// Its path decoded, resolved against the book's URL (what it is kept
    /// and compared by; set by the request that read the reply).
    pub key: String,
    /// Its ETag (absent for a member that is gone).
    pub etag: Option<String>,
    /// Its vCard (only in an `addressbook-multiget` reply).
    pub card: Option<String>,
    /// The response's own status (`404`: the member is gone).
    pub status: Option<u16>,
    /// A collection, not a card (a `PROPFIND` lists the book itself).
    pub collection: bool,
}

/// A whole reply.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct Multistatus {
    /// Its members.
    pub members: Vec<Member>,
    /// The token the next `sync-collection` starts from.
    pub sync_token: Option<String>,
    /// The server cut the listing short (`507` for the book itself): ask again from `sync_token`.
    pub truncated: bool,
}

/// One `propstat`'s props, which count only if its status is 2xx.
#[derive(Default)]
struct Props {
    etag: Option<String>,
    card: Option<String>,
    ok: bool,
    collection: bool,
}

/// Where the reader is, by the elements that matter.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Field {
    Href,
    Status,
    PropStatus,
    Etag,
    Card,
    Token,
    Other,
}

/// Reads a `multistatus` body; the error says what was wrong.
pub(super) fn parse(body: &str, book_path: &str) -> Result<Multistatus, String> {
    let mut reader = NsReader::from_str(body);
    let mut reply = Multistatus::default();
    let mut seen_root = false;
    let mut member: Option<Member> = None;
    let mut props: Option<Props> = None;
    let mut field = Field::Other;
    let mut text = String::new();
    loop {
        let (namespace, event) = reader
            .read_resolved_event()
            .map_err(|e| format!("not XML: {e}"))?;
        let ns = match namespace {
            ResolveResult::Bound(Namespace(ns)) => ns,
            _ => "",
        };
        match event {
            Event::Start(e) | Event::Empty(e) if !seen_root => {
                if ns != DAV || e.local_name().as_ref() != "multistatus" {
                    return Err("the reply is not a WebDAV multistatus".into());
                }
                seen_root = true;
            }
            Event::Start(e) => {
                field = match (ns, e.local_name().as_ref()) {
                    (DAV, "response") => {
                        member = Some(Member::default());
                        Field::Other
                    }
                    (DAV, "propstat") => {
                        props = Some(Props::default());
                        Field::Other
                    }
                    (DAV, "href") if member.is_some() => Field::Href,
                    (DAV, "status") if props.is_some() => Field::PropStatus,
                    (DAV, "status") if member.is_some() => Field::Status,
                    (DAV, "getetag") => Field::Etag,
                    (CARDDAV, "address-data") => Field::Card,
                    (DAV, "sync-token") if member.is_none() => Field::Token,
                    (DAV, "collection") => {
                        props.iter_mut().for_each(|p| p.collection = true);
                        Field::Other
                    }
                    _ => Field::Other,
                };
                text.clear();
            }
            Event::Empty(e) if (ns, e.local_name().as_ref()) == (DAV, "collection") => {
                props.iter_mut().for_each(|p| p.collection = true);
            }
            Event::Text(t) => text.push_str(&t.xml10_content()),
            Event::CData(t) => text.push_str(&t.xml10_content()),
            _ if text.len() > LONGEST_FIELD => {
                return Err(format!("a field is longer than {} kB", LONGEST_FIELD >> 10));
            }
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    _ => quick_xml::escape::resolve_predefined_entity(&r.xml10_content())
                        .ok_or_else(|| format!("unknown entity &{};", r.xml10_content()))?
                        .to_owned(),
                };
                text.push_str(&resolved);
            }
            Event::End(e) => {
                let value = std::mem::take(&mut text);
                if field != Field::Card && field != Field::Other && value.len() > LONGEST_NAME {
                    return Err(format!(
                        "an href, ETag or token is longer than {LONGEST_NAME} bytes"
                    ));
                }
                match (field, member.as_mut(), props.as_mut()) {
                    (Field::Href, Some(m), _) => m.href = value.trim().to_owned(),
                    (Field::Status, Some(m), _) => m.status = status_of(&value),
                    (Field::Etag, _, Some(p)) => p.etag = Some(value.trim().to_owned()),
                    (Field::Card, _, Some(p)) => p.card = Some(value),
                    (Field::PropStatus, _, Some(p)) => {
                        p.ok = status_of(&value).is_some_and(|s| (200..300).contains(&s))
                    }
                    (Field::Token, None, _) => reply.sync_token = Some(value.trim().to_owned()),
                    _ => {}
                }
                field = Field::Other;
                match (ns, e.local_name().as_ref()) {
                    (DAV, "propstat") => {
                        if let (Some(m), Some(p)) = (member.as_mut(), props.take()) {
                            if p.ok {
                                m.etag = m.etag.take().or(p.etag);
                                m.card = m.card.take().or(p.card);
                                m.collection |= p.collection;
                            }
                        }
                    }
                    (DAV, "response") => {
                        if let Some(m) = member.take() {
                            if m.href.is_empty() {
                                return Err("a response has no href".into());
                            }
                            if same_path(&m.href, book_path) {
                                reply.truncated |= m.status == Some(507);
                            } else {
                                reply.members.push(m);
                            }
                        }
                    }
                    _ => {}
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if member.is_some() {
        return Err("the reply ends inside a response".into());
    }
    if !seen_root {
        return Err("the reply is empty".into());
    }
    Ok(reply)
}

impl Member {
    /// Reported gone.
    pub fn gone(&self) -> bool {
        self.status == Some(404)
    }
}

/// The code of a status line (`HTTP/1.1 404 Not Found`).
fn status_of(line: &str) -> Option<u16> {
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Whether two hrefs name the same path (one may end in `/`, or be a full URL).
fn same_path(href: &str, path: &str) -> bool {
    let href = url::Url::parse(href)
        .map(|u| u.path().to_owned())
        .unwrap_or_else(|_| href.to_owned());
    href.trim_end_matches('/') == path.trim_end_matches('/')
}

#[cfg(test)]
mod tests;
