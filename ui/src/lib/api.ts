// Typed calls into the Rust side: one function per command, types generated from Rust.
import { invoke } from "@tauri-apps/api/core";
import type {
  Contact, ContactsExport, DesktopStatus, ErrorCode, HistoryExport, HistoryPage, HistoryQuery, ImportReport, Note, NoteDraft, RecordingView, SecretKind, SettingsView, SourceDraft, SourceView, StatusChange, Tag, TeamView, UiError, Report, ReportRequest } from "./bindings";

export const api = {
  history: (query: HistoryQuery) => invoke<HistoryPage>("history", { query }),
  checkNumber: (number: string) => invoke<string>("check_number", { number }),
  dial: (number: string) => invoke<string>("dial", { number }),
  settings: () => invoke<SettingsView>("settings"),
  saveSettings: (changes: [string, string][]) => invoke<SettingsView>("save_settings", { changes }),
  setSecret: (kind: SecretKind, value: string) => invoke<void>("set_secret", { kind, value }),
  clearSecret: (kind: SecretKind) => invoke<void>("clear_secret", { kind }),
  playRecording: (callid: string) => invoke<RecordingView>("play_recording", { callid }),
  warmPlayer: () => invoke<string>("warm_player"),
  saveRecording: (callid: string) => invoke<string>("save_recording", { callid }),
  sendTestCall: () => invoke<string>("send_test_call"),
  missedSeen: () => invoke<void>("missed_seen"),
  takePending: () => invoke<[string, unknown] | null>("take_pending"),
  desktopStatus: () => invoke<DesktopStatus>("desktop_status"),
  setAutostart: (on: boolean) => invoke<DesktopStatus>("set_autostart", { on }),
  openLogsFolder: () => invoke<void>("open_logs_folder"),
  joinRelay: (code: string) => invoke<SettingsView>("join_relay", { code }),
  leaveRelay: () => invoke<SettingsView>("leave_relay"),
  team: () => invoke<TeamView | null>("team"),
  claimMissed: (phone: string) => invoke<string>("claim_missed", { phone }),
  releaseMissed: (phone: string) => invoke<string>("release_missed", { phone }),
  setStatus: (change: StatusChange) => invoke<void>("set_status", { change }),
  report: (asked: ReportRequest, team: boolean) => invoke<Report>("report", { asked, team }),
  tags: () => invoke<Tag[]>("tags"),
  saveNote: (draft: NoteDraft) => invoke<Note>("save_note", { draft }),
  exportHistory: (query: HistoryQuery, semicolon: boolean, utcOffsetMinutes: number) =>
    invoke<HistoryExport>("export_history", { query, semicolon, utcOffsetMinutes }),
  contacts: (search: string) => invoke<Contact[]>("contacts", { search }),
  contactSources: () => invoke<SourceView[]>("contact_sources"),
  syncSources: () => invoke<SourceView[]>("sync_sources"),
  addSource: (draft: SourceDraft) => invoke<SourceView[]>("add_source", { draft }),
  removeSource: (name: string) => invoke<SourceView[]>("remove_source", { name }),
  importContacts: (text: string) => invoke<ImportReport>("import_contacts", { text }),
  saveContact: (contact: Contact) => invoke<void>("save_contact", { contact }),
  removeContact: (id: number) => invoke<void>("remove_contact", { id }),
  exportContacts: () => invoke<ContactsExport>("export_contacts"),
};

/** The message of an error from a command (a `UiError`) or anything else. */
export function messageOf(error: unknown): string {
  if (error && typeof error === "object" && "message" in error) return (error as UiError).message;
  return String(error);
}

/** Failures the agent puts right in Settings (a missing token, extension or account). */
const SETTINGS_CODES: ErrorCode[] = ["config", "token", "listen", "relay", "tunnel"];

/** Whether `error` (from a command) is put right in Settings, so the UI offers to open them. */
export function fixedInSettings(error: unknown): boolean {
  return !!error && typeof error === "object" && SETTINGS_CODES.includes((error as UiError).code);
}

/** A query with every filter off. */
export function query(overrides: Partial<HistoryQuery> = {}): HistoryQuery {
  return {
    phone: null,
    search: null,
    status: null,
    direction: null,
    live: false,
    ext: null,
    tag: null,
    since_ms: null,
    until_ms: null,
    limit: 100,
    offset: 0,
    ...overrides,
  };
}
