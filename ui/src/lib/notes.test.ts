import { describe, expect, it } from "vitest";
import type { Note } from "./bindings";
import { filtersQuery, semicolonByDefault, utcOffsetMinutes } from "./history";
import { canSave, chipStyle, draftOf, emptyDraft, formatStamp, inkOn, tagColor, toggleTag, withNote } from "./notes";

const TAGS = [
  { name: "Sale", color: "#2e7d32" },
  { name: "Complaint", color: "#c62828" },
  { name: "Call back", color: "#fdd835" },
];

const note: Note = {
  id: "n1", callid: "C1", text: "Wants a discount", tags: ["Sale"], at: 75.6, by: "100", when: "2026-12-04T10:00:00Z",
};

describe("notes", () => {
  it("shows a moment of the recording as m:ss", () => {
    expect(formatStamp(75)).toBe("1:15");
    expect(formatStamp(75.9)).toBe("1:15");
    expect(formatStamp(0)).toBe("0:00");
    expect(formatStamp(3725)).toBe("1:02:05");
    expect(formatStamp(-2)).toBe("0:00");
  });
  it("saves a draft with text or a tag, not an empty one", () => {
    const draft = emptyDraft("C1");
    expect(draft).toEqual({ id: null, callid: "C1", text: "", tags: [], at: null, key: expect.stringMatching(/^[0-9a-f]{24}$/) });
    expect(emptyDraft("C1").key).not.toBe(draft.key);
    expect(canSave(draft)).toBe(false);
    expect(canSave({ ...draft, text: "  \n" })).toBe(false);
    expect(canSave({ ...draft, text: "ok" })).toBe(true);
    expect(canSave({ ...draft, tags: ["Sale"] })).toBe(true);
  });
  it("edits a note as a draft of the same id, its tags a copy", () => {
    const draft = draftOf(note);
    expect(draft).toEqual({ id: "n1", callid: "C1", text: "Wants a discount", tags: ["Sale"], at: 75.6 });
    draft.tags.push("Complaint");
    expect(note.tags).toEqual(["Sale"]);
  });
  it("toggles tags, keeping the list's order", () => {
    expect(toggleTag([], "Call back", TAGS)).toEqual(["Call back"]);
    expect(toggleTag(["Call back"], "Sale", TAGS)).toEqual(["Sale", "Call back"]);
    expect(toggleTag(["Sale", "Call back"], "Sale", TAGS)).toEqual(["Call back"]);
    expect(toggleTag(["Old"], "Sale", TAGS)).toEqual(["Sale", "Old"]);
  });
  it("puts a saved note in place of its old version, or last", () => {
    const other = { ...note, id: "n2", text: "later" };
    expect(withNote([note], other).map((n) => n.id)).toEqual(["n1", "n2"]);
    const edited = { ...note, text: "edited", edited_by: "101" };
    expect(withNote([note, other], edited)).toEqual([edited, other]);
    const removed = { ...note, text: "", tags: [], removed: true, edited_by: "900" };
    expect(withNote([note, other], removed)).toEqual([other]);
  });
  it("colours chips from the tag list, readable on light and dark", () => {
    expect(tagColor(TAGS, "sale")).toBe("#2e7d32");
    expect(tagColor(TAGS, "Gone")).toBe("#607d8b");
    expect(inkOn("#2e7d32")).toBe("#ffffff");
    expect(inkOn("#fdd835")).toBe("#1c2733");
    expect(inkOn("junk")).toBe("#ffffff");
    expect(chipStyle(TAGS, "Call back")).toBe("background: #fdd835; color: #1c2733; border-color: #fdd835");
  });
});

describe("history filters", () => {
  const none = { search: "", filter: "all" as const, fromDate: "", toDate: "", tag: "" };
  it("asks for every call when nothing is set", () => {
    const q = filtersQuery(none, 200);
    expect(q).toMatchObject({ search: null, direction: null, status: null, tag: null, since_ms: null, until_ms: null });
    expect([q.limit, q.offset, q.live]).toEqual([200, 0, false]);
  });
  it("turns the toolbar into a query: search, direction or missed, tag, whole days", () => {
    const q = filtersQuery({ search: "  скидк ", filter: "out", fromDate: "2026-12-01", toDate: "2026-12-03", tag: "Sale" }, 200, 400);
    expect(q.search).toBe("скидк");
    expect(q.direction).toBe("out");
    expect(q.status).toBe(null);
    expect(q.tag).toBe("Sale");
    expect(q.since_ms).toBe(new Date(2026, 11, 1).getTime());
    expect(q.until_ms).toBe(new Date(2026, 11, 4).getTime());
    expect(q.offset).toBe(400);
    const missed = filtersQuery({ ...none, filter: "missed" }, 10);
    expect([missed.status, missed.direction]).toEqual(["missed", null]);
  });
  it("exports with ';' in Russian (Excel's separator there), ',' otherwise, at local time", () => {
    expect(semicolonByDefault("ru")).toBe(true);
    expect(semicolonByDefault("en")).toBe(false);
    const at = new Date(2026, 11, 4);
    expect(utcOffsetMinutes(at)).toBe(-at.getTimezoneOffset());
  });
});
