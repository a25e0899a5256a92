use super::*;

const BOOK: &str = "/anna/book/";

#[test]
fn a_sync_reply_lists_changed_and_gone_members_and_the_token() {
    // Radicale 3.1's own bytes: a default namespace, a gone member with a
    // response-level status.
    let body = r#"<?xml version='1.0' encoding='utf-8'?>
<multistatus xmlns="DAV:"><sync-token>http://radicale.org/ns/sync/28a6</sync-token><response><href>/anna/book/a1.vcf</href><status>HTTP/1.1 404 Not Found</status></response><response><href>/anna/book/b2.vcf</href><propstat><prop><getetag>"599a"</getetag></prop><status>HTTP/1.1 200 OK</status></propstat></response></multistatus>"#;
    let reply = parse(body, BOOK).unwrap();
    assert_eq!(
        reply.sync_token.as_deref(),
        Some("http://radicale.org/ns/sync/28a6")
    );
    assert!(!reply.truncated);
    assert_eq!(reply.members.len(), 2);
    assert!(reply.members[0].gone());
    assert_eq!(reply.members[0].etag, None);
    assert_eq!(reply.members[1].href, "/anna/book/b2.vcf");
    assert_eq!(reply.members[1].etag.as_deref(), Some("\"599a\""));
    assert!(!reply.members[1].gone());
}

#[test]
fn prefixes_entities_and_refused_props_are_read_as_a_server_means_them() {
    // Nextcloud's style: `d:` and `card:` prefixes; a 404 propstat for a
    // prop the server lacks must not hide the 200 one; `&amp;` inside a card;
    // the book itself listed by a PROPFIND.
    let body = r#"<?xml version="1.0"?>
<d:multistatus xmlns:d="DAV:" xmlns:card="urn:ietf:params:xml:ns:carddav">
 <d:response><d:href>/remote.php/dav/addressbooks/users/anna/contacts/</d:href>
  <d:propstat><d:prop><d:resourcetype><d:collection/><card:addressbook/></d:resourcetype></d:prop>
  <d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>
 <d:response><d:href>/remote.php/dav/addressbooks/users/anna/contacts/x.vcf</d:href>
  <d:propstat><d:prop><d:getetag>&quot;e1&quot;</d:getetag>
   <card:address-data>BEGIN:VCARD&#13;
FN:Рога &amp; копыта&#13;
END:VCARD</card:address-data></d:prop>
  <d:status>HTTP/1.1 200 OK</d:status></d:propstat>
  <d:propstat><d:prop><d:getcontenttype/></d:prop><d:status>HTTP/1.1 404 Not Found</d:status></d:propstat>
 </d:response>
</d:multistatus>"#;
    let reply = parse(body, "/remote.php/dav/addressbooks/users/anna/contacts").unwrap();
    assert_eq!(reply.members.len(), 1, "the book itself is not a member");
    let card = &reply.members[0];
    assert_eq!(card.etag.as_deref(), Some("\"e1\""));
    assert!(card.card.as_deref().unwrap().contains("FN:Рога & копыта\r"));
    assert!(!card.collection);
}

#[test]
fn a_listing_cut_short_says_so() {
    let body = r#"<D:multistatus xmlns:D="DAV:"><D:response><D:href>http://dav.example/anna/book/</D:href><D:status>HTTP/1.1 507 Insufficient Storage</D:status></D:response><D:sync-token>t2</D:sync-token></D:multistatus>"#;
    let reply = parse(body, BOOK).unwrap();
    assert!(reply.truncated);
    assert!(reply.members.is_empty());
    assert_eq!(reply.sync_token.as_deref(), Some("t2"));
}

#[test]
fn what_is_not_a_multistatus_is_refused_with_a_reason() {
    assert!(parse("<html><body>Login</body></html>", BOOK)
        .unwrap_err()
        .contains("not a WebDAV multistatus"));
    assert!(parse("", BOOK).unwrap_err().contains("empty"));
    assert!(parse(
        r#"<m:multistatus xmlns:m="DAV:"><m:response><m:href>"#,
        BOOK
    )
    .is_err());
    assert!(parse(
        r#"<multistatus xmlns="DAV:"><response><status>HTTP/1.1 200 OK</status></response></multistatus>"#,
        BOOK
    )
    .unwrap_err()
    .contains("no href"));
}
