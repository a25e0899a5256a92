// A fixed-row-height virtual list: which rows to render and which pages to fetch.

export const PAGE_SIZE = 100;

export interface Window {
  /** First row index to render. */
  first: number;
  /** One past the last row index to render. */
  last: number;
  /** Page numbers that hold those rows. */
  pages: number[];
}

/** Rows visible in a viewport of `height` px scrolled to `scrollTop`, plus `overscan` rows each side. */
export function visibleWindow(
  scrollTop: number,
  height: number,
  rowHeight: number,
  total: number,
  overscan = 10,
): Window {
  if (total <= 0 || rowHeight <= 0) return { first: 0, last: 0, pages: [] };
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const last = Math.min(total, Math.ceil((scrollTop + height) / rowHeight) + overscan);
  const pages: number[] = [];
  for (let p = Math.floor(first / PAGE_SIZE); p <= Math.floor(Math.max(first, last - 1) / PAGE_SIZE); p++) {
    pages.push(p);
  }
  return { first, last, pages };
}
