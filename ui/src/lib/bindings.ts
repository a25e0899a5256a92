// Generated from the Rust types by `UPDATE_BINDINGS=1 cargo test -p xvb-companion bindings`. Do not edit.

export type Direction = "in" | "out";

export type Note = { 
/**
 * Stays the same when the note is edited.
 */
id: string, 
/**
 * The call it is about.
 */
callid: string, 
/**
 * What was written (may be empty when only tags were picked).
 */
text: string, 
/**
 * Tags from the team's list.
 */
tags: Array<string>, 
/**
 * The moment of the recording it refers to, in seconds.
 */
at: number | null, 
/**
 * The extension that wrote it (none: an agent without an extension set).
 */
by: string | null, 
/**
 * When it was written.
 */
when: string, 
/**
 * Who edited it last, if anyone.
 */
edited_by?: string | null, 
/**
 * When it was edited last.
 */
edited_when?: string | null, 
/**
 * Removed by a relay's admin (`edited_by` says who): its text and tags
 * are gone, and a store that applies it deletes the note.
 */
removed?: boolean, };

export type NoteDraft = { 
/**
 * The note edited, or none for a new one.
 */
id?: string | null, 
/**
 * The call it is about.
 */
callid: string, 
/**
 * What was written.
 */
text: string, 
/**
 * Tags from the team's list.
 */
tags: Array<string>, 
/**
 * The moment of the recording, in seconds.
 */
at?: number | null, 
/**
 * For a new note: the id it takes, chosen by the writing app when the
 * draft is started, so a write retried after a dropped connection is
 * recognised and stored once ([`NoteDraft::keyed`]).
 */
key?: string | null, };

export type Tag = { 
/**
 * As shown and stored (`Call back`).
 */
name: string, 
/**
 * `#rrggbb`.
 */
color: string, };

export type Call = { 
/**
 * The PBX's call id.
 */
callid: string, 
/**
 * `in` or `out`, when known.
 */
direction: Direction | null, 
/**
 * The client's number as the PBX sent it.
 */
phone: string | null, 
/**
 * The client's number normalised (see [`crate::pbx::phone`]).
 */
phone_normalized: string | null, 
/**
 * The contact book's name for the number when the call was first seen.
 */
contact_name: string | null, 
/**
 * The number the client dialled (incoming).
 */
line_number: string | null, 
/**
 * The agent's extension: who answered (incoming) or who dialled (outgoing).
 */
ext: string | null, 
/**
 * The extension that answered, if any.
 */
answered_by: string | null, 
/**
 * When the first `ANSWERED` arrived (records stored before this field have none).
 */
answered_at: string | null, 
/**
 * The PBX's final status (`Success`, `Missed`, …) or, while live,
 * `Ringing` / `Answered` / `Cancelled`.
 */
status: string, 
/**
 * Whether a `COMPLETED` event was seen.
 */
completed: boolean, 
/**
 * Talk time in seconds, from `COMPLETED`.
 */
duration: number | null, 
/**
 * Recording URL, from `COMPLETED`.
 */
record_link: string | null, 
/**
 * Event names in arrival order (duplicates left out).
 */
events: Array<string>, 
/**
 * When the first event arrived.
 */
first_seen: string, 
/**
 * When the latest distinct event arrived.
 */
last_seen: string, 
/**
 * Agents' notes on the call, oldest first (attached when read from the store).
 */
notes?: Array<Note>, 
/**
 * Every tag of its notes, each once.
 */
tags?: Array<string>, 
/**
 * The app's own test call (Settings' *Send a test call*): never missed, never on the badge.
 */
test?: boolean, };

export type RingPolicy = "all" | "responsible";

export type Config = { 
/**
 * The PBX account number (`access_code` in every request).
 */
access_code: string | null, 
/**
 * My extension.
 */
extension: string | null, 
/**
 * Where the listener binds.
 */
listen: string, 
/**
 * Base URL the PBX reaches us at (tunnel, NAT), if not the listen address.
 */
public_url: string | null, 
/**
 * The PBX's `makeCall` address.
 */
pbx_url: string | null, 
/**
 * Which incoming calls ring for me.
 */
ring_policy: RingPolicy, 
/**
 * Do-not-disturb: keep history, show no pops.
 */
do_not_disturb: boolean, 
/**
 * CRM card URL with `{phone}` in it.
 */
crm_url_template: string | null, 
/**
 * UI language (`en`, `ru`); unset follows the OS locale.
 */
language: string | null, 
/**
 * Login for the PBX's recording downloads, if they need one (the password is in the keyring).
 */
recordings_user: string | null, 
/**
 * Disk space for cached recordings, in MB; the least recently played go first.
 */
recordings_cache_mb: number, 
/**
 * Whether a clicked `tel:` / `callto:` link is dialled at once (else it fills the dial pad).
 */
dial_links_at_once: boolean, 
/**
 * The global shortcut that dials the selected number (`Ctrl+Alt+D`); empty turns it off.
 */
dial_hotkey: string, 
/**
 * The team relay this agent takes its events from (set by joining; its token is in the keyring).
 */
relay_url: string | null, 
/**
 * On a team relay: the tray badge counts the team's waiting missed callers
 * rather than my own missed calls.
 */
team_missed_badge: boolean, 
/**
 * A bore server to tunnel the listener through (direct mode, behind NAT).
 */
tunnel_server: string | null, 
/**
 * The public port to ask the bore server for (0: any).
 */
tunnel_port: number, 
/**
 * On a team relay: how many days of events it keeps for agents that were away (at least 7).
 */
relay_keep_days: number, 
/**
 * On a team relay: a PostgreSQL connection string shared by several relay
 * nodes; unset keeps the relay's store in its SQLite file. `XVB_RELAY_DATABASE` wins.
 */
relay_database: string | null, 
/**
 * On a team relay: the addresses of reverse proxies in front of it (HAProxy,
 * nginx), whose connections are not capped as one address's.
 */
relay_trusted_proxies: string[], 
/**
 * On a team relay: where to serve Prometheus metrics (`/metrics`, plain
 * HTTP, nothing else there); unset: no metrics.
 */
relay_metrics_listen: string | null, 
/**
 * Tags notes may carry in direct mode (a relay keeps its own list).
 */
tags: Array<Tag>, 
/**
 * The random path secret of the webhook URL.
 */
webhook_secret: string, };

export type Decision = { "kind": "ring" } | { "kind": "answered_by_me" } | { "kind": "answered_by_colleague", "ext": string } | { "kind": "missed" } | { "kind": "nothing" };

export type LastContact = { 
/**
 * When it started.
 */
at: string, 
/**
 * Seconds between it and the call this context is for.
 */
seconds_before: number, 
/**
 * The extension that talked to them (or dialled them).
 */
with: string | null, 
/**
 * Whether they talked (an outgoing call may have gone unanswered).
 */
answered: boolean, 
/**
 * How long, in seconds.
 */
duration: number | null, 
/**
 * Who called whom.
 */
direction: Direction | null, };

export type LastNote = { 
/**
 * Who wrote it.
 */
by: string | null, 
/**
 * Seconds between it and the call this context is for.
 */
seconds_before: number, 
/**
 * What it says.
 */
text: string, 
/**
 * Its tags.
 */
tags: Array<string>, };

export type CallerContext = { 
/**
 * The latest earlier call that reached someone (or was dialled out), if any.
 */
last: LastContact | null, 
/**
 * Their calls nobody answered since then, within the queue's window (24 h).
 */
missed: number, 
/**
 * Who claimed them in the team's missed queue ("is calling back").
 */
calling_back: string | null, 
/**
 * The newest note on any of their earlier calls.
 */
last_note: LastNote | null, };

export type Notice = { 
/**
 * What to show.
 */
decision: Decision, 
/**
 * The call, merged with the event that caused the decision.
 */
call: Call, 
/**
 * The caller's responsible extension from the contact book.
 */
responsible: string | null, 
/**
 * The CRM card link, when a template is set.
 */
crm_url: string | null, 
/**
 * The caller's last contact with the team (a new call in from a known number).
 */
context: CallerContext | null, };

export type AwaySummary = { 
/**
 * Calls that came (and mostly went) meanwhile.
 */
calls: number, 
/**
 * Of those, the ones that rang for this agent and nobody answered.
 */
missed: number, };

export type Contact = { 
/**
 * Row id in the store (0 before it is stored).
 */
id: number, 
/**
 * The name agents see, e.g. `Вася/Рога и копыта`.
 */
name: string, 
/**
 * Phone numbers as entered.
 */
phones: Array<string>, 
/**
 * Extension of the responsible agent.
 */
responsible: string | null, 
/**
 * Link to the client's CRM card.
 */
crm_url: string | null, 
/**
 * Free text.
 */
note: string | null, };

export type RowError = { 
/**
 * 1-based line in the file.
 */
line: number, 
/**
 * Why: in English, or in the agent's language after
 * [`RowError::in_language`].
 */
reason: string, };

export type ImportReport = { 
/**
 * New contacts.
 */
added: number, 
/**
 * Contacts that matched an existing one by number and were updated.
 */
updated: number, 
/**
 * Rows skipped, with their line and reason.
 */
errors: Array<RowError>, };

export type ContactsExport = { 
/**
 * Where it was saved (the Downloads folder).
 */
path: string, 
/**
 * How many contacts it holds.
 */
contacts: number, };

export type HistoryQuery = { 
/**
 * Digits the client's number contains (a whole number matches in any spelling).
 */
phone: string | null, 
/**
 * A number fragment or part of the contact's name, as typed.
 */
search: string | null, 
/**
 * Status, case-insensitive; `missed` also matches any unanswered incoming call.
 */
status: string | null, 
/**
 * Only this direction.
 */
direction: Direction | null, 
/**
 * Only calls still ringing or in progress.
 */
live: boolean, 
/**
 * Only calls of this extension: it was rung, answered or dialled (a colleague's recent calls).
 */
ext: string | null, 
/**
 * Only calls with a note carrying this tag (any letter case).
 */
tag: string | null, 
/**
 * Only calls first seen at or after this time (Unix milliseconds).
 */
since_ms: number | null, 
/**
 * Only calls first seen before this time (Unix milliseconds).
 */
until_ms: number | null, 
/**
 * At most this many calls.
 */
limit: number, 
/**
 * Skip this many (paging).
 */
offset: number, };

export type HistoryPage = { 
/**
 * The calls of this page.
 */
calls: Array<Call>, 
/**
 * Matching calls in all.
 */
total: number, };

export type HistoryExport = { 
/**
 * Where it was saved (the Downloads folder).
 */
path: string, 
/**
 * How many calls it holds.
 */
calls: number, };

export type LinkStatus = { "state": "connecting" } | { "state": "connected", 
/**
 * The agent's extension: the one its join code names.
 */
ext: string, 
/**
 * This computer's own extension setting, when it differs from `ext`:
 * not used in relay mode (decisions and dials use `ext`).
 */
unused_extension: string | null, 
/**
 * Set when this app came back after the relay had pruned events it had
 * not stored: when the relay's kept events begin (RFC 3339).
 */
missed_before: string | null, } | { "state": "refused" } | { "state": "reconnecting", 
/**
 * The wait, in milliseconds.
 */
wait_ms: number, 
/**
 * What went wrong.
 */
reason: string, };

export type TunnelStatus = { "state": "opening" } | { "state": "open", 
/**
 * `http://server:port`.
 */
url: string, } | { "state": "reopening", 
/**
 * The wait, in milliseconds.
 */
wait_ms: number, 
/**
 * What went wrong.
 */
reason: string, };

export type Reach = { "kind": "starting" } | { "kind": "listening", 
/**
 * The address listened on (`127.0.0.1:8787`).
 */
addr: string, } | { "kind": "tunnel", 
/**
 * The tunnel's state.
 */
tunnel: TunnelStatus, } | { "kind": "relay", 
/**
 * The link's state.
 */
link: LinkStatus, };

export type SecretState = { "state": "stored" } | { "state": "not_stored" } | { "state": "not_needed" } | { "state": "unknown", 
/**
 * Why, and what to do.
 */
reason: string, };

export type Language = "en" | "ru";

export type Refusal = { "kind": "access_code", 
/**
 * What the request sent (at most 24 characters).
 */
sent: string, 
/**
 * This computer's account number, if one is set.
 */
expected: string | null, } | { "kind": "unknown_address" } | { "kind": "malformed", 
/**
 * The reason: in English, or in the agent's language after
 * [`Refused::in_language`].
 */
reason: string, };

export type Refused = { 
/**
 * When (RFC 3339, UTC).
 */
at: string, 
/**
 * Why.
 */
refusal: Refusal, };

export type SettingsView = { 
/**
 * The saved settings.
 */
config: Config, 
/**
 * The URL to paste into the PBX.
 */
webhook_url: string, 
/**
 * Whether the PBX token is in the keyring.
 */
token: SecretState, 
/**
 * The same for the recordings password (not needed without `recordings_user`).
 */
recordings_password: SecretState, 
/**
 * The same for the tunnel secret (not needed without `tunnel_server`).
 */
tunnel_secret: SecretState, 
/**
 * How the PBX's events reach this app now: listening, a tunnel, or a relay.
 */
reach: Reach, 
/**
 * The latest request the listener refused since the app started, if any.
 */
refused: Refused | null, 
/**
 * The language in use: the setting, else the session's. The window, pops,
 * toasts and tray all follow it.
 */
language: Language, };

export type ErrorCode = "config" | "listen" | "store" | "number" | "dial" | "token" | "recording" | "relay" | "tunnel" | "test_call" | "desktop" | "note" | "export" | "contact" | "source";

export type UiError = { 
/**
 * What kind of failure.
 */
code: ErrorCode, 
/**
 * What happened and what to do: in English, or in the agent's language
 * after [`UiError::in_language`].
 */
message: string, 
/**
 * The settings field at fault, if any.
 */
field: string | null, };

export type RecordingView = { 
/**
 * The loopback URL the `<audio>` element plays.
 */
url: string, 
/**
 * Length in seconds.
 */
seconds: number, 
/**
 * Whether it came from the cache (no download).
 */
cached: boolean, 
/**
 * Something the agent should know about the file (bits reversed, length not
 * matching the call's duration).
 */
note: string | null, };

export type SecretKind = "pbx_token" | "recordings_password" | "tunnel_secret" | "relay_token" | "source_password";

export type DialRequest = { 
/**
 * What arrived: the link, or the selected text (cut to 200 characters).
 */
text: string, 
/**
 * The number found in it, as written.
 */
number: string | null, 
/**
 * Why there is nothing to dial, or why a link was not dialled at once.
 */
error: string | null, 
/**
 * Dial at once (a link, with *dial links at once* on).
 */
dial_now: boolean, };

export type DesktopStatus = { 
/**
 * Why the dial hotkey is not active (taken by another program, not a shortcut).
 */
hotkey_error: string | null, 
/**
 * Whether the app starts with the system session.
 */
autostart: boolean, 
/**
 * Where the log files are.
 */
log_dir: string, };

export type MemberState = "ringing" | "talking" | "unknown" | "free" | "offline";

export type AgentState = "available" | "break" | "acw";

export type AgentStatus = { 
/**
 * Available, break or after-call work.
 */
state: AgentState, 
/**
 * A break's reason.
 */
reason?: string | null, 
/**
 * Since when.
 */
since: string, 
/**
 * After-call work ends by itself then.
 */
until?: string | null, };

export type StatusChange = { "to": "available" } | { "to": "break", 
/**
 * The reason, in any letter case.
 */
reason: string, } | { "to": "acw_end" };

export type Member = { 
/**
 * The extension.
 */
ext: string, 
/**
 * The name the relay's admin gave it.
 */
name?: string | null, 
/**
 * What it is doing.
 */
state: MemberState, 
/**
 * Whether its agent's app is connected to the relay now.
 */
connected: boolean, 
/**
 * The other party's number (ringing, talking, unknown).
 */
phone?: string | null, 
/**
 * The other party's name in the book.
 */
contact?: string | null, 
/**
 * The call (ringing, talking, unknown).
 */
callid?: string | null, 
/**
 * The call's direction (ringing, talking, unknown).
 */
direction?: Direction | null, 
/**
 * Ringing or talking since; free or offline: when its last call ended (if within the window).
 */
since?: string | null, 
/**
 * Its status (a break, after-call work), if it set one.
 */
status?: AgentStatus | null, 
/**
 * The call-centre groups it is in.
 */
groups?: Array<string>, };

export type Reached = "called_back" | "called_in";

export type Cleared = { 
/**
 * The extension that talked to the caller, if the PBX said.
 */
by: string | null, 
/**
 * How.
 */
how: Reached, 
/**
 * When.
 */
at: string, };

export type MissedEntry = { 
/**
 * The number as the PBX last sent it (what to dial).
 */
phone: string, 
/**
 * The number, normalised (what claims name).
 */
phone_normalized: string, 
/**
 * The caller's name in the book.
 */
contact?: string | null, 
/**
 * The line they called.
 */
line_number?: string | null, 
/**
 * The latest missed call.
 */
callid: string, 
/**
 * How many calls were missed.
 */
count: number, 
/**
 * The first miss (the entry's age).
 */
first_missed: string, 
/**
 * The latest miss.
 */
last_missed: string, 
/**
 * Who is calling back, if anyone claimed it.
 */
claimed_by?: string | null, 
/**
 * Cleared: the caller was reached.
 */
cleared?: Cleared | null, 
/**
 * The call-centre groups its line goes to (none: every agent's).
 */
groups?: Array<string>, };

export type GroupLines = { 
/**
 * Its name.
 */
name: string, 
/**
 * The PBX lines it answers.
 */
lines: Array<string>, 
/**
 * Whether calls on lines no group answers go to it.
 */
default?: boolean, };

export type TeamView = { 
/**
 * When the relay derived it (timers count from the states' `since`).
 */
at: string, 
/**
 * One row per extension, in extension order.
 */
members: Array<Member>, 
/**
 * Open entries oldest first, then entries cleared within the window, newest first
 * (in what agents receive, at most [`SHOWN_WAITING`] and [`SHOWN_REACHED`]).
 */
missed: Array<MissedEntry>, 
/**
 * How many callers wait in all (open entries), shown or not.
 */
waiting: number, 
/**
 * The break reasons an agent may pick (the relay admin's list).
 */
breaks?: Array<string>, 
/**
 * The call-centre groups the view can be narrowed to (all of them for a
 * supervisor, an agent's own otherwise; none on a relay without groups).
 */
groups?: Array<GroupLines>, };

export type By = "total" | "hour" | "day" | "agent";

export type Figures = { 
/**
 * Incoming calls.
 */
offered: number, 
/**
 * Incoming calls answered.
 */
answered: number, 
/**
 * Incoming calls nobody answered.
 */
missed: number, 
/**
 * Missed calls that rang under [`SHORT_ABANDON`] (out of the service level).
 */
short_abandoned: number, 
/**
 * Calls answered within the threshold.
 */
answered_in_time: number, 
/**
 * Calls neither answered nor missed yet (still ringing): out of the service level.
 */
unresolved: number, 
/**
 * `answered_in_time` ÷ (`offered` − `short_abandoned` − `unresolved`), in per cent.
 */
service_level?: number | null, 
/**
 * The average wait of answered calls, in seconds.
 */
speed_of_answer?: number | null, 
/**
 * The average talk time of answered calls, in seconds.
 */
handle_time?: number | null, 
/**
 * The longest wait, answered or not, in seconds.
 */
longest_wait: number, 
/**
 * Outgoing calls.
 */
outgoing: number, 
/**
 * Callers first missed in the period and not reached since (by a call
 * back or a call in) up to the report's end.
 */
not_called_back: number, 
/**
 * The median time from a caller's first miss in the period to reaching them, in seconds.
 */
callback_median?: number | null, 
/**
 * Numbers that called in more than once in the period.
 */
repeat_callers: number, };

export type AgentFigures = { 
/**
 * Its extension.
 */
ext: string, 
/**
 * Incoming calls it answered.
 */
answered: number, 
/**
 * Calls it dialled.
 */
outgoing: number, 
/**
 * Talk time of the calls it answered or dialled, in seconds.
 */
talk_time: number, 
/**
 * The average talk time of the calls it answered, in seconds.
 */
handle_time?: number | null, 
/**
 * Missed calls that rang for it while it was available.
 */
missed_while_available: number, 
/**
 * Seconds available, on a break, in after-call work (from its first known status).
 */
available_seconds: number, 
/**
 * Seconds on a break.
 */
break_seconds: number, 
/**
 * Seconds in after-call work.
 */
acw_seconds: number, };

export type Report = { 
/**
 * The period's start (RFC 3339).
 */
from: string, 
/**
 * The period's end, not included.
 */
to: string, 
/**
 * The group, if one was asked for.
 */
group?: string | null, 
/**
 * The service level's threshold used, in seconds.
 */
sl_seconds: number, 
/**
 * The whole period.
 */
total: Figures, 
/**
 * By hour or day: each with calls, in order (`2026-12-01 09:00`, `2026-12-01`).
 */
periods?: Array<[string, Figures]>, 
/**
 * By agent: each agent with calls or status changes, by extension.
 */
agents?: Array<AgentFigures>, };

export type ReportRequest = { 
/**
 * Days back, today included (1 to [`MOST_DAYS`]; others are brought into that).
 */
days: number, 
/**
 * Only this group.
 */
group: string | null, 
/**
 * The asker's offset from UTC in minutes (where its days begin).
 */
offset_minutes: number, };

export type SourceView = { 
/**
 * `local` (the contact book) or the source's name.
 */
name: string, 
/**
 * `local`, `ldap`, `carddav` or `crm`.
 */
kind: string, 
/**
 * Entries in its copy (contacts, for the book).
 */
entries: number, 
/**
 * Numbers in its copy.
 */
numbers: number, 
/**
 * The last sync that read it.
 */
synced_at: string | null, 
/**
 * Why the last try failed, in English (its copy stays in use).
 */
error_en: string | null, 
/**
 * The same in Russian.
 */
error_ru: string | null, };

export type SourceDraft = { 
/**
 * Its name.
 */
name: string, 
/**
 * What it is.
 */
settings: SourceSettings, 
/**
 * Digits put before 7-digit local numbers.
 */
local_prefix: string | null, 
/**
 * Its password (a CRM's token), for the keyring; none when it needs none.
 */
password: string | null, };

export type SourceSettings = { "kind": "ldap" } & LdapSettings | { "kind": "carddav" } & CardDavSettings | { "kind": "crm" } & CrmSettings;

export type LdapSettings = { 
/**
 * `ldap://host[:port]` or `ldaps://host[:port]`.
 */
url: string, 
/**
 * Upgrade an `ldap://` connection with StartTLS.
 */
starttls: boolean, 
/**
 * Who binds (none: an anonymous bind).
 */
bind_dn: string | null, 
/**
 * Where the search starts.
 */
base: string, 
/**
 * Which entries are read.
 */
filter: string, 
/**
 * The attribute with the name agents see (`cn`, `displayName`).
 */
name_attr: string, 
/**
 * The attributes with numbers (`telephoneNumber`, `mobile`, `ipPhone`).
 */
number_attrs: Array<string>, 
/**
 * The attribute with the responsible agent's extension, if any.
 */
responsible_attr: string | null, };

export type CardDavSettings = { 
/**
 * The address book's own URL (`https://cloud.example/remote.php/dav/addressbooks/users/anna/contacts/`).
 */
url: string, 
/**
 * The login (none: no authentication).
 */
user: string | null, };

export type CrmSettings = { 
/**
 * The GET URL, with `{number}` where the caller's number goes (and
 * `{token}` where the keyring's token goes, for a Bitrix24 webhook).
 */
url: string, 
/**
 * Headers sent (`Authorization: Bearer {token}`: `{token}` is the keyring's).
 */
headers: Array<[string, string]>, 
/**
 * JSON pointer to the name (`/_embedded/contacts/0/name`).
 */
name_pointer: string, 
/**
 * JSON pointer to the responsible agent's extension.
 */
responsible_pointer: string | null, 
/**
 * JSON pointer to the client's card URL.
 */
card_pointer: string | null, 
/**
 * How long a request may take, in ms (`cmd=contact` waits no longer).
 */
timeout_ms: number, 
/**
 * How long a name found is kept, in minutes.
 */
found_minutes: number, 
/**
 * How long "not in the CRM" is kept, in minutes.
 */
missing_minutes: number, };

