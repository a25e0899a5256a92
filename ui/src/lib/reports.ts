// The Reports tab's shapes: what a period asks for, and its charts' bars
// (plain SVG drawn by the component; no chart library, nothing to download).
import type { Figures, Report, ReportRequest } from "./bindings";

/** The periods the tab offers. */
export const PERIODS = [1, 7, 30] as const;

/** What to ask for: the last `days` days (1: today), in this computer's
 * offset (the report comes by hour for a day, by day for longer, and by agent). */
export function request(days: number, group: string | null): ReportRequest {
  return { days, group, offset_minutes: -new Date().getTimezoneOffset() };
}

/** One bar of the calls chart: its label, answered and missed, and heights in 0..1. */
export interface CallsBar {
  label: string;
  answered: number;
  missed: number;
  answeredHeight: number;
  missedHeight: number;
}

/** Every period of the report, those without calls as zeros: each hour of
 * the day (a day's report), or each day from `from` up to `to` (local time). */
export function allPeriods(report: Report): [string, Figures][] {
  const rows = report.periods ?? [];
  const found = new Map(rows);
  const two = (n: number) => String(n).padStart(2, "0");
  const day = (d: Date) => `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}`;
  const hourly = rows.length > 0 && rows[0][0].includes(" ");
  const keys: string[] = [];
  if (hourly) {
    const date = rows[0][0].split(" ")[0];
    for (let h = 0; h < 24; h++) keys.push(`${date} ${two(h)}:00`);
  } else {
    const end = Date.parse(report.to);
    for (let at = new Date(Date.parse(report.from)); at.getTime() < end; at.setDate(at.getDate() + 1)) keys.push(day(at));
  }
  const zero = { ...report.total, offered: 0, answered: 0, missed: 0, short_abandoned: 0, answered_in_time: 0, unresolved: 0,
    service_level: null, speed_of_answer: null, handle_time: null, longest_wait: 0, outgoing: 0, not_called_back: 0,
    callback_median: null, repeat_callers: 0 };
  const all: [string, Figures][] = keys.map((key) => [key, found.get(key) ?? zero]);
  // A period the calendar walk missed (a clock change) is kept as it came.
  for (const row of rows) if (!keys.includes(row[0])) all.push(row);
  return all;
}

/** The calls chart's bars: each period's answered and missed, stacked, scaled to the busiest. */
export function callsBars(report: Report): CallsBar[] {
  const rows = allPeriods(report);
  const most = Math.max(1, ...rows.map(([, f]) => f.answered + f.missed));
  return rows.map(([key, f]) => ({
    label: shortLabel(key),
    answered: f.answered,
    missed: f.missed,
    answeredHeight: f.answered / most,
    missedHeight: f.missed / most,
  }));
}

/** `09:00` for an hour's key, `12-01` for a day's. */
export function shortLabel(key: string): string {
  const [date, time] = key.split(" ");
  return time ?? date.slice(5);
}

/** The service level per period (null where nothing counted), 0..100. */
export function serviceLevels(report: Report): { label: string; value: number | null }[] {
  return allPeriods(report).map(([key, f]) => ({ label: shortLabel(key), value: f.service_level ?? null }));
}

/** Agents by talk time, busiest first, with their share of the busiest (0..1). */
export function talkBars(report: Report): { ext: string; seconds: number; share: number }[] {
  const agents = [...(report.agents ?? [])].sort((a, b) => b.talk_time - a.talk_time);
  const most = Math.max(1, ...agents.map((a) => a.talk_time));
  return agents.map((a) => ({ ext: a.ext, seconds: a.talk_time, share: a.talk_time / most }));
}

/** A tile's figure: `–` when nothing was measured. */
export function percent(value: number | null | undefined): string {
  return value === null || value === undefined ? "–" : `${Math.round(value)}%`;
}

/** Seconds as `m:ss` (or `h:mm:ss`); `–` when unmeasured. */
export function span(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return "–";
  const s = Math.round(seconds);
  const two = (n: number) => String(n).padStart(2, "0");
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h ? `${h}:${two(m)}:${two(s % 60)}` : `${m}:${two(s % 60)}`;
}

export type { Figures };
