// App-wide UI state: language, the current tab, and the number on the dial pad.
import { pickLanguage, statusLabel, translate, type Key, type Lang } from "./i18n";

export const ui = $state({
  lang: pickLanguage(null, navigator.language) as Lang,
  tab: "calls" as "calls" | "dial" | "settings",
  dialNumber: "",
  focusCall: null as string | null,
});

/** The text of `key` in the current language. */
export function t(key: Key): string {
  return translate(ui.lang, key);
}

/** Opens the dial pad with `number` filled in. */
export function openDialPad(number: string) {
  ui.dialNumber = number;
  ui.tab = "dial";
}

/** A call status in the current language. */
export function status(value: string): string {
  return statusLabel(ui.lang, value);
}
