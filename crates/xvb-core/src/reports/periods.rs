//! The fold of a report's calls into the period's figures and each hour's or
//! day's: one pass over the calls in time order, then one over the callers'
//! misses and reaches. A caller missed and reached later counts in the hour
//! (or day) of the first miss, so the rows add up to the whole period.

use super::facts::{time_of, CallFacts};
use super::figures::Tally;
use super::{By, Figures, ReportAsk};

const HOUR_MS: i64 = 3_600_000;
const DAY_MS: i64 = 24 * HOUR_MS;

/// The hours or days calls fall in (none when the report is not cut by time).
struct Periods {
    /// The length of one, and the report's offset from UTC, in milliseconds.
    cut: Option<(i64, i64)>,
    offset: time::UtcOffset,
    /// Each one's number (local milliseconds ÷ its length) and tally, in order.
    keys: Vec<i64>,
    tallies: Vec<Tally>,
}

impl Periods {
    fn of(ask: &ReportAsk) -> Periods {
        let offset_ms = i64::from(ask.offset.whole_seconds()) * 1000;
        let cut = match ask.by {
            By::Hour => Some((HOUR_MS, offset_ms)),
            By::Day => Some((DAY_MS, offset_ms)),
            By::Total | By::Agent => None,
        };
        Periods {
            cut,
            offset: ask.offset,
            keys: Vec::new(),
            tallies: Vec::new(),
        }
    }

    /// The period a call first seen at `at` falls in (calls come oldest first).
    fn index(&mut self, at: i64) -> Option<usize> {
        let (length, offset) = self.cut?;
        let key = (at + offset).div_euclid(length);
        if self.keys.last() != Some(&key) {
            self.keys.push(key);
            self.tallies.push(Tally::default());
        }
        Some(self.keys.len() - 1)
    }

    /// Each period's label (`2026-12-01 09:00`, `2026-12-01`) and figures.
    fn rows(self) -> Vec<(String, Figures)> {
        let Some((length, offset)) = self.cut else {
            return Vec::new();
        };
        let local = self.offset;
        self.keys
            .into_iter()
            .zip(self.tallies)
            .map(|(key, tally)| {
                let start_ms = key * length - offset;
                let start = time_of(start_ms).to_offset(local);
                let label = if length == HOUR_MS {
                    format!("{} {:02}:00", start.date(), start.hour())
                } else {
                    start.date().to_string()
                };
                (label, tally.figures())
            })
            .collect()
    }
}

/// A number's incoming calls so far: in all, and in the latest period it called in.
#[derive(Debug, Clone, Copy, Default)]
struct Calls {
    all: u32,
    period: Option<usize>,
    in_period: u32,
}

/// The figures of `calls` (oldest first, numbers below `names`) for the whole
/// period and, when `ask` cuts by hour or day, each one with calls.
pub(super) fn fold(
    calls: &[&CallFacts],
    names: usize,
    ask: &ReportAsk,
    sl_ms: i64,
) -> (Figures, Vec<(String, Figures)>) {
    let mut total = Tally::default();
    let mut periods = Periods::of(ask);
    let mut period_of = Vec::with_capacity(calls.len());
    let mut numbers = vec![Calls::default(); names];
    for call in calls {
        total.add(call, sl_ms);
        let period = periods.index(call.first_seen);
        if let Some(i) = period {
            periods.tallies[i].add(call, sl_ms);
        }
        period_of.push(period);
        let Some(phone) = call.phone.filter(|_| !call.outgoing) else {
            continue;
        };
        let number = &mut numbers[phone as usize];
        number.all += 1;
        if number.all == 2 {
            total.repeat_caller();
        }
        if let Some(i) = period {
            if number.period != Some(i) {
                (number.period, number.in_period) = (Some(i), 0);
            }
            number.in_period += 1;
            if number.in_period == 2 {
                periods.tallies[i].repeat_caller();
            }
        }
    }
    callbacks(calls, &period_of, names, &mut total, &mut periods.tallies);
    (total.figures(), periods.rows())
}

/// Follows each number's misses and reaches in time order (as the team's
/// missed-call queue does): a caller missed is open from the first miss until
/// a call back or a call in reaches them; each open one at the end is not
/// called back. Both count in the whole period and in the first miss's.
fn callbacks(
    calls: &[&CallFacts],
    period_of: &[Option<usize>],
    names: usize,
    total: &mut Tally,
    periods: &mut [Tally],
) {
    // (when, number, which call, missed), in time order.
    let mut moments: Vec<(i64, u32, usize, bool)> = calls
        .iter()
        .enumerate()
        .filter_map(|(i, call)| {
            let phone = call.phone?;
            if call.missed {
                return Some((call.first_seen, phone, i, true));
            }
            let reached = if call.outgoing {
                call.answered_by.is_some() || call.success
            } else {
                call.answered_by.is_some()
            };
            reached.then(|| (call.answered_at.unwrap_or(call.last_seen), phone, i, false))
        })
        .collect();
    moments.sort_unstable();
    let mut open: Vec<Option<(i64, Option<usize>)>> = vec![None; names];
    for (at, phone, call, missed) in moments {
        let number = &mut open[phone as usize];
        match (missed, *number) {
            (true, None) => *number = Some((at, period_of[call])),
            (false, Some((first, period))) => {
                let seconds = (at - first).max(0) as f64 / 1000.0;
                total.called_back(seconds);
                if let Some(i) = period {
                    periods[i].called_back(seconds);
                }
                *number = None;
            }
            _ => {}
        }
    }
    for (_, period) in open.into_iter().flatten() {
        total.not_called_back();
        if let Some(i) = period {
            periods[i].not_called_back();
        }
    }
}
