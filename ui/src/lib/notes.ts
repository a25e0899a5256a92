// Notes on calls: drafts, tags and their colours, stamps in the recording.
import type { Note, NoteDraft, Tag } from "./bindings";
import { formatDuration } from "./format";

/** A moment of the recording as `m:ss` (`75.6 → 1:15`). */
export function formatStamp(seconds: number): string {
  return formatDuration(Math.max(0, Math.floor(seconds)));
}

/** An empty draft of a new note on `callid`. */
export function emptyDraft(callid: string): NoteDraft {
  // The key makes the new note's id: saving the same draft again (after a
  // dropped connection) stores it once.
  return { id: null, callid, text: "", tags: [], at: null, key: newKey() };
}

/** 24 random hex digits (getRandomValues works outside secure contexts too). */
function newKey(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(12)), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** A draft editing `note` (same id, text, tags and stamp). */
export function draftOf(note: Note): NoteDraft {
  return { id: note.id, callid: note.callid, text: note.text, tags: [...note.tags], at: note.at };
}

/** Whether a draft holds anything to save: some text or a tag. */
export function canSave(draft: NoteDraft): boolean {
  return draft.text.trim() !== "" || draft.tags.length > 0;
}

/** `tags` with `name` added, or taken out when it was there (keeping the list's order). */
export function toggleTag(tags: string[], name: string, list: Tag[] = []): string[] {
  if (tags.includes(name)) return tags.filter((t) => t !== name);
  const order = (t: string) => {
    const i = list.findIndex((tag) => tag.name === t);
    return i < 0 ? list.length : i;
  };
  return [...tags, name].sort((a, b) => order(a) - order(b));
}

/** `notes` with `saved` in place of the note of the same id, or added at the end (a removed one taken out). */
export function withNote(notes: Note[], saved: Note): Note[] {
  if (saved.removed) return notes.filter((n) => n.id !== saved.id);
  const i = notes.findIndex((n) => n.id === saved.id);
  if (i < 0) return [...notes, saved];
  return notes.map((n, j) => (j === i ? saved : n));
}

const GREY = "#607d8b";

/** The colour of the tag `name` in the list (letter case ignored); grey for a tag no longer listed. */
export function tagColor(list: Tag[], name: string): string {
  return list.find((tag) => tag.name.toLowerCase() === name.toLowerCase())?.color ?? GREY;
}

/** Text readable on `color` (`#rrggbb`): near-black on light colours, white on dark ones. */
export function inkOn(color: string): string {
  const hex = /^#?([0-9a-f]{6})$/i.exec(color.trim())?.[1];
  if (!hex) return "#ffffff";
  const [r, g, b] = [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255);
  const lin = (c: number) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
  const luminance = 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
  return luminance > 0.4 ? "#1c2733" : "#ffffff";
}

/** The inline style of a tag's chip. */
export function chipStyle(list: Tag[], name: string): string {
  const color = tagColor(list, name);
  return `background: ${color}; color: ${inkOn(color)}; border-color: ${color}`;
}
