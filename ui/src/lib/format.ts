// Formatting shared by the views.

/** `79201119613` (or `89201119613`, the same number dialled in Russia) →
 * `+7 920 111-96-13`; other numbers as they are. */
export function formatNumber(phone: string | null | undefined): string {
  if (!phone) return "";
  const digits = phone.replace(/\D/g, "");
  if (digits.length === 11 && (digits.startsWith("7") || digits.startsWith("8"))) {
    return `+7 ${digits.slice(1, 4)} ${digits.slice(4, 7)}-${digits.slice(7, 9)}-${digits.slice(9)}`;
  }
  return phone;
}

/** Seconds as `m:ss` or `h:mm:ss`; empty for unknown. */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return "";
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = String(seconds % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}

/** An RFC 3339 time as local `HH:MM` today, else `DD.MM HH:MM` (or `YYYY-MM-DD HH:MM` in English). */
export function formatWhen(rfc3339: string, lang: string, now: Date = new Date()): string {
  const t = new Date(rfc3339);
  const two = (n: number) => String(n).padStart(2, "0");
  const time = `${two(t.getHours())}:${two(t.getMinutes())}`;
  const sameDay = t.toDateString() === now.toDateString();
  if (sameDay) return time;
  return lang === "ru"
    ? `${two(t.getDate())}.${two(t.getMonth() + 1)}.${t.getFullYear()} ${time}`
    : `${t.getFullYear()}-${two(t.getMonth() + 1)}-${two(t.getDate())} ${time}`;
}

/** What the dial pad keeps of typed or pasted text: digits, one leading +, and separators. */
export function dialInput(text: string): string {
  const kept = text.replace(/^\s*(tel|callto):\/*/i, "").replace(/[^\d+\s().-]/g, "");
  return kept.replace(/(?!^)\+/g, "").slice(0, 32);
}

/** Who called, as agents read it: the contact's name, else the number, else
 * `hidden` (the caller withheld their number). */
export function callerText(call: { contact_name: string | null; phone: string | null }, hidden: string): string {
  return call.contact_name ?? (call.phone ? formatNumber(call.phone) : hidden);
}
