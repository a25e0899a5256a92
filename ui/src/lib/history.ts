// The history view's filters as a query, for a page of the list or the CSV export.
import { query } from "./api";
import type { Direction, HistoryQuery } from "./bindings";
import type { Lang } from "./i18n";

export type DirectionFilter = "all" | "in" | "out" | "missed";

/** What the agent set in the history's toolbar. */
export type Filters = {
  search: string;
  filter: DirectionFilter;
  /** `YYYY-MM-DD` (local) or empty. */
  fromDate: string;
  toDate: string;
  /** A tag's name, or empty for any tag. */
  tag: string;
};

/** Local midnight of `YYYY-MM-DD` (plus `plus` ms) in Unix ms; null for no date. */
function day(date: string, plus = 0): number | null {
  return date ? new Date(`${date}T00:00:00`).getTime() + plus : null;
}

/** The query for `filters`: the whole `to` day included, `limit` calls from `offset`. */
export function filtersQuery(filters: Filters, limit: number, offset = 0): HistoryQuery {
  const { filter } = filters;
  return query({
    search: filters.search.trim() || null,
    direction: filter === "in" || filter === "out" ? (filter as Direction) : null,
    status: filter === "missed" ? "missed" : null,
    tag: filters.tag || null,
    since_ms: day(filters.fromDate),
    until_ms: day(filters.toDate, 86_400_000),
    limit,
    offset,
  });
}

/** Whether anything in the toolbar narrows the list: an empty list then means
 * "no calls match", not "no calls yet". */
export function narrowed(filters: Filters): boolean {
  const { search, filter, fromDate, toDate, tag } = filters;
  return !!search.trim() || filter !== "all" || !!fromDate || !!toDate || !!tag;
}

/** `;` between fields by default where Excel expects it (a Russian locale). */
export function semicolonByDefault(lang: Lang): boolean {
  return lang === "ru";
}

/** Minutes east of UTC here (what the export writes times in). */
export function utcOffsetMinutes(at: Date = new Date()): number {
  return -at.getTimezoneOffset();
}
