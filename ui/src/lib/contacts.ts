// The numbers typed in the Contacts tab's editor. (Searching the book is the
// core's: the same number spellings as history's search.)

/** The numbers typed in the editor: separated by `;` or `,`, blanks dropped. */
export function phonesOf(text: string): string[] {
  return text
    .split(/[;,]/)
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
}
