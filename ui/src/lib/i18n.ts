// The UI's words in English and Russian (words-en.ts, words-ru.ts) and how
// they are looked up. The language is the app's one choice, made by the core
// (the setting, else the session's locale) and sent with the settings.
import { en, type Key } from "./words-en";
import { ru } from "./words-ru";

export type Lang = "en" | "ru";
export type { Key };

export const dictionaries: Record<Lang, Record<Key, string>> = { en, ru };

/** The language to use: the chosen one, else the system's (Russian for any `ru*`), else English. */
export function pickLanguage(chosen: string | null | undefined, system: string | undefined): Lang {
  if (chosen === "ru" || chosen === "en") return chosen;
  return system?.toLowerCase().startsWith("ru") ? "ru" : "en";
}

/** The text of `key` in `lang`. */
export function translate(lang: Lang, key: Key): string {
  return dictionaries[lang][key];
}

/** The text of `key` in `lang` with each `{name}` replaced by `values[name]`. */
export function fill(lang: Lang, key: Key, values: Record<string, string>): string {
  return translate(lang, key).replace(/\{(\w+)\}/g, (_, name: string) => values[name] ?? "");
}

/** A call's event (`INCOMING`, `COMPLETED` …) in `lang`; events the PBX invents are shown as sent. */
export function eventLabel(lang: Lang, event: string): string {
  const key = `event_${event}` as Key;
  return key in dictionaries[lang] ? dictionaries[lang][key] : event;
}

/** A call's status in `lang`; statuses the PBX invents are shown as sent. */
export function statusLabel(lang: Lang, status: string): string {
  const key = `status_${status}` as Key;
  return key in dictionaries[lang] ? dictionaries[lang][key] : status;
}
