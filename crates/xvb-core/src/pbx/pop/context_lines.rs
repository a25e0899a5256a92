//! A caller's earlier contact with the team as the ring pop words it: "Last
//! call 2 days ago with 101 (answered, 4:12)", "Missed 3× in 24 h — 102 is
//! calling back", "Last: 101, 2 days ago — promised the invoice".

use super::words::Words;
use crate::pbx::context::{CallerContext, LastNote};

/// "Last call 2 days ago with 101 (answered, 4:12)"; "Missed 3 times in 24 h —
/// 102 is calling back".
pub(super) fn context_lines(context: &CallerContext, w: &Words) -> Vec<String> {
    let mut lines = Vec::new();
    let claim = context
        .calling_back
        .as_ref()
        .map(|ext| w.calling_back.replace("{ext}", ext));
    match (context.missed, claim) {
        (0, Some(claim)) => lines.push(claim),
        (0, None) => {}
        (n, claim) => {
            let missed = w.missed_times.replace("{n}", &n.to_string());
            lines.push(match claim {
                Some(claim) => format!("{missed} — {claim}"),
                None => missed,
            });
        }
    }
    if let Some(last) = &context.last {
        let mut how = vec![if last.answered {
            w.answered
        } else {
            w.not_answered
        }
        .to_owned()];
        how.extend(last.duration.filter(|d| *d > 0).map(clock));
        let with = last
            .with
            .as_ref()
            .map(|ext| w.with.replace("{ext}", ext))
            .unwrap_or_default();
        lines.push(format!(
            "{} {}{with} ({})",
            w.last_call,
            ago(last.seconds_before, w),
            how.join(", ")
        ));
    }
    if let Some(note) = &context.last_note {
        lines.push(last_note_line(note, w));
    }
    lines
}

/// The longest note text a pop shows (the call detail shows it whole).
const POP_NOTE_CHARS: usize = 120;

/// "Last: 101, 2 days ago — promised the invoice by Friday [Call back]".
fn last_note_line(note: &LastNote, w: &Words) -> String {
    let mut text: String = note.text.chars().take(POP_NOTE_CHARS).collect();
    if note.text.chars().count() > POP_NOTE_CHARS {
        text.push('…');
    }
    if !note.tags.is_empty() {
        let tags = format!("[{}]", note.tags.join(", "));
        text = if text.is_empty() {
            tags
        } else {
            format!("{text} {tags}")
        };
    }
    let by = note
        .by
        .as_deref()
        .map(|b| format!("{b}, "))
        .unwrap_or_default();
    format!(
        "{}: {by}{} — {text}",
        w.last_note,
        ago(note.seconds_before, w)
    )
}

/// `12 min ago`, `5 h ago`, `3 days ago`.
fn ago(seconds: i64, w: &Words) -> String {
    let (n, unit) = match seconds / 60 {
        minutes @ 0..60 => (minutes, w.minutes_ago),
        minutes @ 60..2880 => (minutes / 60, w.hours_ago),
        minutes => (minutes / 1440, w.days_ago),
    };
    unit.replace("{n}", &n.to_string())
}

/// `4:12`, `1:02:03`.
fn clock(seconds: u64) -> String {
    let (h, m, s) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}
