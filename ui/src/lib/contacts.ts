// The Contacts tab's search and the phone numbers typed in its editor.
import type { Contact } from "./bindings";

/** A stored number's digits as the core normalises them: `00` dropped, `8…`
 * (11 digits) read as `7…`, 10 digits given the country code 7. */
function normalized(phone: string): string {
  let digits = phone.replace(/\D/g, "").replace(/^00/, "");
  if (digits.length === 11 && digits.startsWith("8")) digits = `7${digits.slice(1)}`;
  else if (digits.length === 10) digits = `7${digits}`;
  return digits;
}

/** What typed digits are looked for as: as typed, and a fragment typed with
 * the trunk prefix (`8916`, four digits or more) as stored (`7916`). */
function spellings(typed: string): string[] {
  const digits = typed.replace(/\D/g, "");
  if (digits.length >= 10) return [normalized(digits)];
  return digits.length >= 4 && digits.startsWith("8") ? [digits, `7${digits.slice(1)}`] : [digits];
}

/** Whether `contact` matches what was typed in the search: its name (any
 * case) or one of its numbers (any spelling). Empty matches every contact. */
export function contactMatches(contact: Contact, typed: string): boolean {
  const text = typed.trim().toLowerCase();
  if (!text) return true;
  if (contact.name.toLowerCase().includes(text)) return true;
  if (!/^[\d\s+().-]+$/.test(text) || !/\d/.test(text)) return false;
  const wanted = spellings(text);
  return contact.phones.some((p) => wanted.some((w) => normalized(p).includes(w)));
}

/** The numbers typed in the editor: separated by `;` or `,`, blanks dropped. */
export function phonesOf(text: string): string[] {
  return text
    .split(/[;,]/)
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
}
