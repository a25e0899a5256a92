// The dial hotkey's recorder: a key press in the field becomes the shortcut
// it makes, only when it is whole (one or more modifiers, then a key).

/** What a key press in the recorder means: a whole shortcut (`Ctrl+Alt+D`),
 * `""` to clear it (Backspace or Delete alone), or null to leave the field as
 * it is (a modifier alone, a key without a modifier, Tab). The key is named by
 * its place (`event.code`), so the keyboard layout does not change it. */
export function shortcutOf(event: Pick<KeyboardEvent, "code" | "ctrlKey" | "altKey" | "shiftKey" | "metaKey">): string | null {
  const modifiers = [
    event.ctrlKey && "Ctrl",
    event.altKey && "Alt",
    event.shiftKey && "Shift",
    event.metaKey && "Super",
  ].filter(Boolean) as string[];
  const code = event.code;
  if (/^(Control|Alt|Shift|Meta|OS)(Left|Right)?$/.test(code)) return null;
  if (modifiers.length === 0) return code === "Backspace" || code === "Delete" ? "" : null;
  const key = code.replace(/^Key([A-Z])$/, "$1").replace(/^Digit(\d)$/, "$1");
  return key ? [...modifiers, key].join("+") : null;
}
