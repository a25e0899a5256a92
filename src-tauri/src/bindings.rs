//! TypeScript declarations of every type the UI receives or sends, generated
//! from the Rust types with ts-rs into `ui/src/lib/bindings.ts`.
//!
//! `cargo test -p xvb-companion` fails when the file is stale;
//! `UPDATE_BINDINGS=1 cargo test -p xvb-companion bindings` rewrites it.

use crate::desktop::DesktopStatus;
use ts_rs::{Config as TsConfig, TS};
use xvb_core::app::{
    ContactsExport, DialRequest, ErrorCode, HistoryExport, HistoryPage, RecordingView,
    SettingsView, SourceDraft, SourceView, UiError,
};
use xvb_core::config::Config;
use xvb_core::contacts::sources::{CardDavSettings, CrmSettings, LdapSettings, SourceSettings};
use xvb_core::contacts::{Contact, RowError};
use xvb_core::notes::{Note, NoteDraft, Tag};
use xvb_core::pbx::call::Call;
use xvb_core::pbx::context::{CallerContext, LastContact, LastNote};
use xvb_core::pbx::decision::{Decision, RingPolicy};
use xvb_core::pbx::notifier::{AwaySummary, Notice};
use xvb_core::pbx::pop::Language;
use xvb_core::pbx::protocol::Direction;
use xvb_core::pbx::refusal::{Refusal, Refused};
use xvb_core::reach::link::LinkStatus;
use xvb_core::reach::tunnel::TunnelStatus;
use xvb_core::reach::Reach;
use xvb_core::reports::{AgentFigures, By, Figures, Report, ReportRequest};
use xvb_core::secret::{SecretKind, SecretState};
use xvb_core::store::{HistoryQuery, ImportReport};
use xvb_core::team::{
    AgentState, AgentStatus, Cleared, GroupLines, Member, MemberState, MissedEntry, Reached,
    StatusChange, TeamView,
};

fn declarations() -> String {
    let cfg = TsConfig::new();
    let decls = [
        Direction::decl(&cfg),
        Note::decl(&cfg),
        NoteDraft::decl(&cfg),
        Tag::decl(&cfg),
        Call::decl(&cfg),
        RingPolicy::decl(&cfg),
        Config::decl(&cfg),
        Decision::decl(&cfg),
        LastContact::decl(&cfg),
        LastNote::decl(&cfg),
        CallerContext::decl(&cfg),
        Notice::decl(&cfg),
        AwaySummary::decl(&cfg),
        Contact::decl(&cfg),
        RowError::decl(&cfg),
        ImportReport::decl(&cfg),
        ContactsExport::decl(&cfg),
        HistoryQuery::decl(&cfg),
        HistoryPage::decl(&cfg),
        HistoryExport::decl(&cfg),
        LinkStatus::decl(&cfg),
        TunnelStatus::decl(&cfg),
        Reach::decl(&cfg),
        SecretState::decl(&cfg),
        Language::decl(&cfg),
        Refusal::decl(&cfg),
        Refused::decl(&cfg),
        SettingsView::decl(&cfg),
        ErrorCode::decl(&cfg),
        UiError::decl(&cfg),
        RecordingView::decl(&cfg),
        SecretKind::decl(&cfg),
        DialRequest::decl(&cfg),
        DesktopStatus::decl(&cfg),
        MemberState::decl(&cfg),
        AgentState::decl(&cfg),
        AgentStatus::decl(&cfg),
        StatusChange::decl(&cfg),
        Member::decl(&cfg),
        Reached::decl(&cfg),
        Cleared::decl(&cfg),
        MissedEntry::decl(&cfg),
        GroupLines::decl(&cfg),
        TeamView::decl(&cfg),
        By::decl(&cfg),
        Figures::decl(&cfg),
        AgentFigures::decl(&cfg),
        Report::decl(&cfg),
        ReportRequest::decl(&cfg),
        SourceView::decl(&cfg),
        SourceDraft::decl(&cfg),
        SourceSettings::decl(&cfg),
        LdapSettings::decl(&cfg),
        CardDavSettings::decl(&cfg),
        CrmSettings::decl(&cfg),
    ];
    let mut out = String::from(
        "// Generated from the Rust types by `UPDATE_BINDINGS=1 cargo test -p xvb-companion bindings`. Do not edit.\n\n",
    );
    for decl in decls {
        out.push_str("export ");
        out.push_str(&decl);
        out.push_str("\n\n");
    }
    out
}

#[test]
fn bindings_are_fresh() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/lib/bindings.ts");
    let wanted = declarations();
    if std::env::var_os("UPDATE_BINDINGS").is_some() {
        std::fs::write(&path, &wanted).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == wanted,
        "{} is stale: run `UPDATE_BINDINGS=1 cargo test -p xvb-companion bindings`",
        path.display()
    );
}
