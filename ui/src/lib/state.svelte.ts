// App-wide UI state: language, the current tab, and the number on the dial pad.
import { api } from "./api";
import type { DialRequest, Tag } from "./bindings";
import { pickLanguage, statusLabel, translate, type Key, type Lang } from "./i18n";

export const ui = $state({
  // Until the settings arrive with the app's choice.
  lang: pickLanguage(null, navigator.language) as Lang,
  tab: "calls" as "calls" | "team" | "reports" | "contacts" | "dial" | "settings",
  dialNumber: "",
  /** Call as soon as the dial pad shows the number (a link, with *dial links at once*). */
  dialNow: false,
  /** Why a link or a selection gave no number, with what it was. */
  dialNotice: "",
  focusCall: null as string | null,
  /** Show the missed calls (the notice of calls while away was opened). */
  showMissed: false,
  /** Open this call in full with its note field focused (a pop's *Add note*). */
  noteCall: null as string | null,
  /** The tags a note may carry (the relay's list when joined, else the settings'). */
  tags: [] as Tag[],
});

/** Loads the tags a note may carry (again after settings change). */
export function loadTags() {
  api
    .tags()
    .then((tags) => (ui.tags = tags))
    .catch(() => {});
}

/** The text of `key` in the current language. */
export function t(key: Key): string {
  return translate(ui.lang, key);
}

/** Opens the dial pad with `number` filled in. */
export function openDialPad(number: string) {
  ui.dialNumber = number;
  ui.dialNotice = "";
  ui.tab = "dial";
}

/** A clicked link or the dial hotkey: the number on the dial pad (called at once
 * if asked), or what arrived and why it has no number — never dialled. */
export function openDialRequest(request: DialRequest) {
  openDialPad(request.number ?? "");
  if (request.error) ui.dialNotice = `${request.error}: ${request.text}`;
  ui.dialNow = request.dial_now && !!request.number;
}

/** A call status in the current language. */
export function status(value: string): string {
  return statusLabel(ui.lang, value);
}
