//! A pop as Windows toast XML (the `ToastGeneric` schema) and the tag a call's
//! toast carries — plain text work, kept apart from WinRT so Linux tests it.

use std::hash::{Hash, Hasher};
use xvb_core::pbx::pop::{Pop, PopKind};

/// The toast for `pop`. A ring is an `incomingCall` toast (stays up until
/// answered, dismissed or withdrawn), silent: the agent's phone rings already.
pub fn toast_xml(pop: &Pop) -> String {
    let scenario = match pop.kind {
        PopKind::Ring => r#" scenario="incomingCall""#,
        _ => "",
    };
    let launch = pop.click.map(|(a, _)| a.id()).unwrap_or_default();
    let mut xml =
        format!(r#"<toast launch="{launch}"{scenario}><visual><binding template="ToastGeneric">"#);
    xml += &format!("<text>{}</text>", escape(&pop.title));
    if !pop.lines.is_empty() {
        xml += &format!("<text>{}</text>", escape(&pop.body()));
    }
    xml += "</binding></visual>";
    if !pop.buttons.is_empty() {
        xml += "<actions>";
        for (action, label) in &pop.buttons {
            xml += &format!(
                r#"<action content="{}" arguments="{}" activationType="foreground"/>"#,
                escape(label),
                action.id()
            );
        }
        xml += "</actions>";
    }
    xml + r#"<audio silent="true"/></toast>"#
}

/// A call's toast tag: short and fixed-length whatever the PBX's call id looks like
/// (Windows caps tags at 64 characters).
pub fn tag(callid: &str) -> String {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    callid.hash(&mut hasher);
    format!("{:016x}", hasher.finish())
}

/// Text for XML content and attribute values; control characters XML cannot
/// carry (a toast with one would not show) are dropped.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if c.is_control() && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use xvb_core::pbx::pop::PopAction;

    fn ring() -> Pop {
        Pop {
            kind: PopKind::Ring,
            title: "Incoming call: Рога & <Копыта>".into(),
            lines: vec!["+7 920 111-96-13".into(), "line: 101".into()],
            click: Some((PopAction::Open, "Open")),
            buttons: vec![
                (PopAction::Open, "Open"),
                (PopAction::OpenCrm, "Open in CRM"),
            ],
        }
    }

    #[test]
    fn a_ring_toast_stays_up_silently_with_its_buttons() {
        let xml = toast_xml(&ring());
        assert_eq!(
            xml,
            concat!(
                r#"<toast launch="open" scenario="incomingCall"><visual><binding template="ToastGeneric">"#,
                "<text>Incoming call: Рога &amp; &lt;Копыта&gt;</text>",
                "<text>+7 920 111-96-13\nline: 101</text></binding></visual><actions>",
                r#"<action content="Open" arguments="open" activationType="foreground"/>"#,
                r#"<action content="Open in CRM" arguments="crm" activationType="foreground"/>"#,
                r#"</actions><audio silent="true"/></toast>"#
            )
        );
    }

    #[test]
    fn an_in_call_toast_has_no_buttons_and_times_out() {
        let pop = Pop {
            kind: PopKind::InCall,
            title: "In call with \"Вася\"".into(),
            lines: vec![],
            click: None,
            buttons: vec![],
        };
        let xml = toast_xml(&pop);
        assert!(
            !xml.contains("scenario") && !xml.contains("<actions>"),
            "{xml}"
        );
        assert!(
            xml.contains("<text>In call with &quot;Вася&quot;</text></binding>"),
            "{xml}"
        );
    }

    #[test]
    fn markup_from_outside_is_text_in_the_toast() {
        let pop = Pop {
            kind: PopKind::Missed,
            title: "Missed call: <a href=\"x\">&".into(),
            lines: vec!["<b>Рога</b> & копыта\u{1b}[31m".into()],
            click: None,
            buttons: vec![],
        };
        let xml = toast_xml(&pop);
        assert!(
            xml.contains("<text>Missed call: &lt;a href=&quot;x&quot;&gt;&amp;</text>"),
            "{xml}"
        );
        assert!(
            xml.contains("<text>&lt;b&gt;Рога&lt;/b&gt; &amp; копыта[31m</text>"),
            "{xml}"
        );
    }

    #[test]
    fn tags_are_short_and_differ_per_call() {
        let long = "x".repeat(500);
        assert_eq!(tag(&long).len(), 16);
        assert_ne!(tag("1700000000.1"), tag("1700000000.2"));
        assert_eq!(tag("1700000000.1"), tag("1700000000.1"));
    }
}
