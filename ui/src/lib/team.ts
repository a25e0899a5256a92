// The team view's words and clocks: what each board row and missed caller says.
import type { AgentStatus, CallerContext, LinkStatus, Member, MissedEntry, Reach, TeamView } from "./bindings";
import { fill, translate, type Lang } from "./i18n";
import { formatDuration, formatNumber, formatWhen } from "./format";

/** `h:mm:ss` / `m:ss` of the seconds from `since` to `now` (both in ms); empty without `since`. */
export function timer(since: string | null | undefined, now: number): string {
  if (!since) return "";
  const total = Math.max(0, Math.floor((now - Date.parse(since)) / 1000));
  const two = (n: number) => String(n).padStart(2, "0");
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  return h > 0 ? `${h}:${two(m)}:${two(total % 60)}` : `${m}:${two(total % 60)}`;
}

/** How long a caller has waited, in words: `2 min`, `1 h 05 min`. */
export function waited(lang: Lang, since: string, now: number): string {
  const minutes = Math.max(0, Math.floor((now - Date.parse(since)) / 60_000));
  if (minutes < 60) return fill(lang, "minutes", { n: String(minutes) });
  const rest = String(minutes % 60).padStart(2, "0");
  return fill(lang, "hoursMinutes", { h: String(Math.floor(minutes / 60)), m: rest });
}

/** The other party of a member's call: the contact's name, else the number. */
export function party(member: Member): string {
  return member.contact ?? formatNumber(member.phone);
}

/** Who claimed or reached a missed caller, in words (`me`: this agent's extension). */
export function missedState(lang: Lang, entry: MissedEntry, me: string | null, now: Date = new Date()): string {
  if (entry.cleared) {
    const key = entry.cleared.how === "called_back" ? "clearedCalledBack" : "clearedCalledIn";
    const by = entry.cleared.by ?? "?";
    return fill(lang, key, { ext: by, when: formatWhen(entry.cleared.at, lang, now) });
  }
  if (!entry.claimed_by) return translate(lang, "nobodyCallingBack");
  if (entry.claimed_by === me) return translate(lang, "youCallBack");
  return fill(lang, "extCallsBack", { ext: entry.claimed_by });
}

/** This agent's extension: the one the relay knows it by, else the setting. */
export function myExtension(reach: Reach | null, setting: string | null): string | null {
  const link: LinkStatus | null = reach?.kind === "relay" ? reach.link : null;
  return link?.state === "connected" ? link.ext : setting;
}

/** `12 min ago`, `5 h ago`, `3 days ago`. */
function ago(lang: Lang, seconds: number): string {
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return fill(lang, "minutesAgo", { n: String(minutes) });
  if (minutes < 2880) return fill(lang, "hoursAgo", { n: String(Math.floor(minutes / 60)) });
  return fill(lang, "daysAgo", { n: String(Math.floor(minutes / 1440)) });
}

/** A caller's last contact with the team, as the ring pop words it: "Missed 3× in
 * 24 h — 102 is calling back", "Last call 2 days ago with 101 (answered, 4:12)". */
export function contextLines(lang: Lang, context: CallerContext): string[] {
  const lines: string[] = [];
  const claim = context.calling_back ? fill(lang, "extCallsBack", { ext: context.calling_back }) : null;
  if (context.missed > 0) {
    const missed = fill(lang, "missedInDay", { n: String(context.missed) });
    lines.push(claim ? `${missed} — ${claim}` : missed);
  } else if (claim) {
    lines.push(claim);
  }
  const last = context.last;
  if (last) {
    const how = [translate(lang, last.answered ? "answeredWord" : "notAnswered")];
    if (last.duration) how.push(formatDuration(last.duration));
    const key = last.with ? "lastCallWith" : "lastCall";
    lines.push(fill(lang, key, { ago: ago(lang, last.seconds_before), ext: last.with ?? "", how: how.join(", ") }));
  }
  const note = context.last_note;
  if (note) {
    const text = [note.text.trim(), ...note.tags.map((tag) => `#${tag}`)].filter(Boolean).join(" ");
    const values = { ago: ago(lang, note.seconds_before), ext: note.by ?? "", text };
    lines.push(fill(lang, note.by ? "lastNoteBy" : "lastNote", values));
  }
  return lines;
}

/** A status at `now`: after-call work past its end is available again. */
export function statusAt(status: AgentStatus | null | undefined, now: number): AgentStatus | null {
  if (!status) return null;
  if (status.state === "acw" && status.until && Date.parse(status.until) <= now) {
    return { state: "available", since: status.until };
  }
  return status;
}

/** A board row's status in `lang` ("break · Lunch 2:10", "after-call work 0:12"); "" when available. */
export function statusText(lang: Lang, status: AgentStatus | null | undefined, now: number): string {
  const at = statusAt(status, now);
  if (!at || at.state === "available") return "";
  const word = at.state === "break" ? fill(lang, "statusBreak", { reason: at.reason ?? "" }) : translate(lang, "statusAcw");
  return `${word} ${timer(at.since, now)}`;
}

/** The view narrowed to group `name` (its members, the callers of its lines and of
 * lines every agent gets), as `xvb board --group` does; the whole view for `null`
 * or a group the view no longer has. */
export function ofGroup(view: TeamView, name: string | null): TeamView {
  if (!name || !(view.groups ?? []).some((g) => g.name === name)) return view;
  const mine = (groups: string[] | undefined) => (groups ?? []).includes(name);
  const missed = view.missed.filter((m) => !(m.groups ?? []).length || mine(m.groups));
  return {
    ...view,
    members: view.members.filter((m) => mine(m.groups)),
    missed,
    waiting: missed.filter((m) => !m.cleared).length,
  };
}
