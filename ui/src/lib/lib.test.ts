import { describe, expect, it } from "vitest";
import { fixedInSettings } from "./api";
import { reachText, refusedText, secretText, wayOf } from "./reach";
import { callerText, dialInput, formatDuration, formatNumber, formatWhen } from "./format";
import { dictionaries, eventLabel, pickLanguage, statusLabel, translate } from "./i18n";
import { PAGE_SIZE, visibleWindow } from "./virtual";
import { narrowed } from "./history";
import { callsBars, percent, request, serviceLevels, shortLabel, span, talkBars } from "./reports";
import { phonesOf } from "./contacts";
import { shortcutOf } from "./shortcut";
import { contextLines, missedState, myExtension, ofGroup, statusAt, statusText, timer, waited } from "./team";
import type { MissedEntry } from "./bindings";

describe("format", () => {
  it("shows Russian numbers grouped", () => {
    expect(formatNumber("79201119613")).toBe("+7 920 111-96-13");
    expect(formatNumber("101")).toBe("101");
    expect(formatNumber("89161234567")).toBe("+7 916 123-45-67");
    expect(formatNumber(null)).toBe("");
  });
  it("shows durations as m:ss and h:mm:ss", () => {
    expect(formatDuration(16)).toBe("0:16");
    expect(formatDuration(3725)).toBe("1:02:05");
    expect(formatDuration(null)).toBe("");
  });
  it("shows today's times without the date", () => {
    const now = new Date(2026, 10, 23, 15, 0);
    expect(formatWhen(new Date(2026, 10, 23, 9, 5).toISOString(), "en", now)).toBe("09:05");
    expect(formatWhen(new Date(2026, 10, 20, 9, 5).toISOString(), "ru", now)).toBe("20.11.2026 09:05");
    expect(formatWhen(new Date(2026, 10, 20, 9, 5).toISOString(), "en", now)).toBe("2026-11-20 09:05");
  });
  it("keeps what a number can hold when typed or pasted", () => {
    expect(dialInput("tel:+7 (920) 111-96-13")).toBe("+7 (920) 111-96-13");
    expect(dialInput("call 8 920 abc")).toBe(" 8 920 ");
    expect(dialInput("+7+920")).toBe("+7920");
  });
});

describe("i18n", () => {
  it("has every text in both languages", () => {
    for (const key of Object.keys(dictionaries.en) as (keyof typeof dictionaries.en)[]) {
      expect(dictionaries.ru[key], key).toBeTruthy();
    }
    expect(Object.keys(dictionaries.ru).sort()).toEqual(Object.keys(dictionaries.en).sort());
  });
  it("follows the system unless chosen", () => {
    expect(pickLanguage(null, "ru-RU")).toBe("ru");
    expect(pickLanguage(undefined, "en-US")).toBe("en");
    expect(pickLanguage("en", "ru-RU")).toBe("en");
    expect(translate("ru", "missed")).toBe("Пропущенные");
  });
  it("names PBX statuses in the agent's language, unknown ones as sent", () => {
    expect(statusLabel("ru", "Success")).toBe("Отвечен");
    expect(statusLabel("en", "Missed")).toBe("Missed");
    expect(statusLabel("ru", "Voicemail")).toBe("Voicemail");
  });
  it("names a call's events in the agent's language, unknown ones as sent", () => {
    expect(["OUTGOING", "COMPLETED"].map((e) => eventLabel("ru", e)).join(" → ")).toBe("набор → завершён");
    expect(eventLabel("en", "INCOMING")).toBe("rang");
    expect(eventLabel("ru", "TRANSFERRED")).toBe("TRANSFERRED");
  });
});

describe("hotkey recorder", () => {
  const press = (code: string, mods: Partial<Record<"ctrlKey" | "altKey" | "shiftKey" | "metaKey", boolean>> = {}) =>
    shortcutOf({ code, ctrlKey: false, altKey: false, shiftKey: false, metaKey: false, ...mods });
  it("takes only a whole combination, named by the key's place", () => {
    expect(press("KeyD", { ctrlKey: true, altKey: true })).toBe("Ctrl+Alt+D");
    expect(press("Digit9", { ctrlKey: true, shiftKey: true })).toBe("Ctrl+Shift+9");
    expect(press("F12", { metaKey: true })).toBe("Super+F12");
    expect(press("ControlLeft", { ctrlKey: true })).toBe(null);
    expect(press("KeyD")).toBe(null);
    expect(press("Backspace")).toBe("");
  });
});

describe("contacts", () => {
  it("reads the numbers typed in the editor", () => {
    expect(phonesOf(" +7 920 111-96-13; 101 ,, ")).toEqual(["+7 920 111-96-13", "101"]);
  });
});

describe("history filters", () => {
  const none = { search: "", filter: "all", fromDate: "", toDate: "", tag: "" } as const;
  it("tells an empty history from no calls matching", () => {
    expect(narrowed(none)).toBe(false);
    expect(narrowed({ ...none, search: "  " })).toBe(false);
    expect(narrowed({ ...none, search: "8916" })).toBe(true);
    expect(narrowed({ ...none, filter: "missed" })).toBe(true);
    expect(narrowed({ ...none, toDate: "2026-12-05" })).toBe(true);
    expect(narrowed({ ...none, tag: "VIP" })).toBe(true);
  });
});

describe("virtual list", () => {
  it("renders only the rows in view, with overscan, and names their pages", () => {
    const w = visibleWindow(44 * 5000, 440, 44, 100_000, 10);
    expect(w.first).toBe(4990);
    expect(w.last).toBe(5020);
    expect(w.pages).toEqual([49, 50]);
  });
  it("stops at the ends", () => {
    expect(visibleWindow(0, 440, 44, 5, 10)).toEqual({ first: 0, last: 5, pages: [0] });
    expect(visibleWindow(0, 440, 44, 0)).toEqual({ first: 0, last: 0, pages: [] });
    const end = visibleWindow(44 * 99_990, 440, 44, 100_000, 10);
    expect(end.last).toBe(100_000);
    expect(end.pages).toEqual([Math.floor(99_980 / PAGE_SIZE)]);
  });
});

describe("reach line and secret states", () => {
  it("words the reach line as the CLI and tray print it, in English", () => {
    expect(reachText("en", { kind: "listening", addr: "127.0.0.1:8787" })).toBe("listening on 127.0.0.1:8787");
    const link = { state: "connected", ext: "100", unused_extension: null, missed_before: null } as const;
    expect(reachText("en", { kind: "relay", link })).toBe("relay: connected as extension 100");
    const reopening = { state: "reopening", wait_ms: 2500, reason: "refused" } as const;
    expect(reachText("en", { kind: "tunnel", tunnel: reopening })).toBe("tunnel: re-opening in 2.5 s (refused)");
    const refused = reachText("en", { kind: "relay", link: { state: "refused" } });
    expect(refused).toMatch(/^relay: the relay refused this join code .*paste it under Team relay$/);
  });
  it("words it in Russian, with the time of calls missed while away in local time", () => {
    const now = new Date(2026, 10, 25, 12, 0);
    const before = new Date(2026, 10, 24, 9, 30).toISOString();
    const link = { state: "connected", ext: "101", unused_extension: "102", missed_before: before } as const;
    const line = reachText("ru", { kind: "relay", link }, now);
    expect(line).toMatch(/^ретранслятор: подключено как номер 101; внутренний номер 102 .* не используется; звонки до 24\.11\.2026 09:30 /);
    expect(reachText("ru", { kind: "starting" })).toBe("Запуск…");
  });
  it("tells the way in use: a joined relay first, then a tunnel, then where the listener is", () => {
    const direct = { relay_url: null, tunnel_server: null };
    expect(wayOf({ ...direct, listen: "127.0.0.1:8787" })).toBe("local");
    expect(wayOf({ ...direct, listen: "[::1]:8787" })).toBe("local");
    expect(wayOf({ ...direct, listen: "0.0.0.0:8787" })).toBe("lan");
    expect(wayOf({ ...direct, listen: "192.168.1.20:8787" })).toBe("lan");
    expect(wayOf({ ...direct, tunnel_server: "bore.example.com", listen: "127.0.0.1:8787" })).toBe("tunnel");
    expect(wayOf({ relay_url: "https://relay.example", tunnel_server: "bore.example.com", listen: "0.0.0.0:1" })).toBe("relay");
  });
  it("says what a refused request needs set right", () => {
    const now = new Date(2026, 11, 5, 12, 0);
    const at = new Date(2026, 11, 5, 10, 32).toISOString();
    const code = { kind: "access_code", sent: "10018", expected: "10019" } as const;
    expect(refusedText("en", { at, refusal: code }, now)).toMatch(
      /^The PBX tried at 10:32 with access code 10018; this computer expects 10019\./,
    );
    expect(refusedText("ru", { at, refusal: { kind: "unknown_address" } }, now)).toMatch(/^В 10:32 запрос пришёл на старый/);
  });
  it("says whether a secret is stored without ever showing it", () => {
    expect(secretText("ru", { state: "stored" })).toBe("сохранён");
    expect(secretText("en", { state: "not_stored" })).toBe("not stored");
    expect(secretText("en", { state: "not_needed" })).toBe("not needed");
    expect(secretText("en", { state: "unknown", reason: "no keyring; install gnome-keyring" })).toBe("no keyring; install gnome-keyring");
  });
  it("offers Settings for failures they put right", () => {
    expect(fixedInSettings({ code: "token", message: "no token", field: null })).toBe(true);
    expect(fixedInSettings({ code: "dial", message: "PBX said no", field: null })).toBe(false);
    expect(fixedInSettings("boom")).toBe(false);
  });
});

describe("caller", () => {
  it("is the contact's name, else the number, else a hidden number", () => {
    expect(callerText({ contact_name: "Вася", phone: "79201119613" }, "Hidden number")).toBe("Вася");
    expect(callerText({ contact_name: null, phone: "79201119613" }, "Hidden number")).toBe("+7 920 111-96-13");
    expect(callerText({ contact_name: null, phone: null }, "Скрытый номер")).toBe("Скрытый номер");
  });
});

describe("team view", () => {
  const now = Date.parse("2026-12-04T10:00:00Z");
  it("counts a board row's timer from its state's start", () => {
    expect(timer("2026-12-04T09:59:53Z", now)).toBe("0:07");
    expect(timer("2026-12-04T08:56:48Z", now)).toBe("1:03:12");
    expect(timer(null, now)).toBe("");
    expect(timer("2026-12-04T10:00:05Z", now)).toBe("0:00");
  });
  it("says how long a missed caller waited, in either language", () => {
    expect(waited("en", "2026-12-04T09:48:00Z", now)).toBe("12 min");
    expect(waited("ru", "2026-12-04T08:55:00Z", now)).toBe("1 ч 05 мин");
  });
  it("says who is calling a missed caller back, or who reached them", () => {
    const entry = {
      phone: "79161234567", phone_normalized: "79161234567", contact: null, line_number: null, callid: "A",
      count: 2, first_missed: "2026-12-04T09:00:00Z", last_missed: "2026-12-04T09:30:00Z",
      claimed_by: null as string | null, cleared: null as MissedEntry["cleared"],
    };
    expect(missedState("en", entry, "101")).toBe("nobody is calling back yet");
    expect(missedState("en", { ...entry, claimed_by: "102" }, "101")).toBe("102 is calling back");
    expect(missedState("ru", { ...entry, claimed_by: "101" }, "101")).toBe("перезваниваете вы");
    const at = new Date(2026, 11, 4, 9, 42).toISOString();
    const cleared = { ...entry, cleared: { by: "103", how: "called_back" as const, at } };
    expect(missedState("en", cleared, "101", new Date(2026, 11, 4, 12))).toBe("reached: 103 called back at 09:42");
  });
  it("words a caller's last contact as the ring pop does", () => {
    const last = { at: "2026-12-02T09:50:00Z", seconds_before: 2 * 86_400 + 600, with: "101", answered: true, duration: 252, direction: null };
    expect(contextLines("en", { last, missed: 0, calling_back: null, last_note: null })).toEqual(["Last call 2 days ago with 101 (answered, 4:12)"]);
    const recent = { ...last, seconds_before: 3 * 3600 };
    const last_note = { by: "101", seconds_before: 3 * 3600, text: "Хочет скидку", tags: ["Call back"] };
    expect(contextLines("ru", { last: recent, missed: 3, calling_back: "102", last_note })).toEqual([
      "Пропущен 3× за сутки — перезванивает 102",
      "Последний звонок 3 ч назад, 101 (отвечен, 4:12)",
      "Последняя заметка 3 ч назад (101): Хочет скидку #Call back",
    ]);
    const tagsOnly = { by: null, seconds_before: 600, text: "", tags: ["Sale"] };
    expect(contextLines("en", { last: null, missed: 0, calling_back: null, last_note: tagsOnly })).toEqual(["Last note 10 min ago: #Sale"]);
  });
  it("knows this agent by the extension the relay connected it as", () => {
    const link = { state: "connected", ext: "102", unused_extension: "100", missed_before: null } as const;
    expect(myExtension({ kind: "relay", link }, "100")).toBe("102");
    expect(myExtension({ kind: "listening", addr: "127.0.0.1:8787" }, "100")).toBe("100");
    expect(myExtension(null, null)).toBe(null);
  });
});

describe("agent status", () => {
  const since = Date.parse("2026-12-05T10:00:00Z");
  it("words a break with its reason and time, and nothing while available", () => {
    const lunch = { state: "break", reason: "Обед", since: "2026-12-05T10:00:00Z" } as const;
    expect(statusText("ru", lunch, since + 130_000)).toBe("перерыв · Обед 2:10");
    expect(statusText("en", { state: "available", since: "2026-12-05T10:00:00Z" }, since)).toBe("");
    expect(statusText("en", null, since)).toBe("");
  });
  it("ends after-call work at its end", () => {
    const acw = { state: "acw", since: "2026-12-05T10:00:00Z", until: "2026-12-05T10:00:30Z" } as const;
    expect(statusText("en", acw, since + 12_000)).toBe("after-call work 0:12");
    expect(statusAt(acw, since + 30_000)?.state).toBe("available");
  });
});

describe("the team view by group", () => {
  const entry = (phone: string, groups: string[], cleared = false) => ({
    phone,
    phone_normalized: phone,
    callid: phone,
    count: 1,
    first_missed: "2026-12-06T10:00:00Z",
    last_missed: "2026-12-06T10:00:00Z",
    groups,
    cleared: cleared ? { how: "called_back" as const, at: "2026-12-06T10:05:00Z", by: "100" } : null,
  });
  const member = (ext: string, groups: string[]) => ({ ext, state: "free" as const, connected: true, groups });
  const view = {
    at: "2026-12-06T10:06:00Z",
    members: [member("100", ["sales"]), member("101", ["sales", "support"]), member("102", ["support"]), member("200", [])],
    missed: [entry("1", ["sales"]), entry("2", ["support"]), entry("3", []), entry("4", ["support"], true)],
    waiting: 3,
    groups: [
      { name: "sales", lines: ["74950000001"] },
      { name: "support", lines: ["74950000002"] },
    ],
  };

  it("keeps a group's members and the callers of its lines and of every agent's lines", () => {
    const support = ofGroup(view, "support");
    expect(support.members.map((m) => m.ext)).toEqual(["101", "102"]);
    expect(support.missed.map((m) => m.phone)).toEqual(["2", "3", "4"]);
    expect(support.waiting).toBe(2);
  });

  it("shows everything for all groups, or a group the view no longer has", () => {
    expect(ofGroup(view, null)).toBe(view);
    expect(ofGroup(view, "vip")).toBe(view);
  });
});

describe("the reports' charts", () => {
  const figures = (answered: number, missed: number, sl: number | null) => ({
    offered: answered + missed, answered, missed, short_abandoned: 0, answered_in_time: answered,
    unresolved: 0, service_level: sl, longest_wait: 0, outgoing: 0, not_called_back: missed, repeat_callers: 0,
  });
  const report = {
    from: "2026-12-06T00:00:00Z", to: "2026-12-07T00:00:00Z", sl_seconds: 20,
    total: figures(6, 2, 75),
    periods: [["2026-12-06 09:00", figures(4, 0, 100)], ["2026-12-06 10:00", figures(2, 2, null)]] as [string, ReturnType<typeof figures>][],
    agents: [
      { ext: "100", answered: 2, outgoing: 0, talk_time: 60, missed_while_available: 0, available_seconds: 0, break_seconds: 0, acw_seconds: 0 },
      { ext: "101", answered: 4, outgoing: 1, talk_time: 240, missed_while_available: 1, available_seconds: 0, break_seconds: 0, acw_seconds: 0 },
    ],
  };

  it("stacks answered and missed per period, scaled to the busiest", () => {
    const bars = callsBars(report);
    expect(bars.length).toBe(24);
    expect(bars.map((b) => b.label).slice(8, 11)).toEqual(["08:00", "09:00", "10:00"]);
    expect(bars[8].answered + bars[8].missed).toBe(0);
    expect(bars[9].answeredHeight).toBe(1);
    expect(bars[10].answeredHeight + bars[10].missedHeight).toBe(1);
    expect(shortLabel("2026-12-06")).toBe("12-06");
  });

  it("leaves a period with nothing counted out of the service level, and ranks agents by talk", () => {
    expect(serviceLevels(report).map((l) => l.value).slice(9, 11)).toEqual([100, null]);
    expect(talkBars(report).map((a) => [a.ext, a.share])).toEqual([["101", 1], ["100", 0.25]]);
  });

  it("draws every day of a longer period, those without calls empty", () => {
    const start = new Date(2026, 11, 1);
    const end = new Date(2026, 11, 8);
    const week = { ...report, from: start.toISOString(), to: end.toISOString(), periods: [["2026-12-03", figures(5, 1, 80)]] as [string, ReturnType<typeof figures>][] };
    const bars = callsBars(week);
    expect(bars.map((b) => b.label)).toEqual(["12-01", "12-02", "12-03", "12-04", "12-05", "12-06", "12-07"]);
    expect(bars.map((b) => b.answered)).toEqual([0, 0, 5, 0, 0, 0, 0]);
  });

  it("asks for the days and the group in this computer's offset (the relay cuts hours or days)", () => {
    expect(request(7, "sales")).toEqual({ days: 7, group: "sales", offset_minutes: -new Date().getTimezoneOffset() });
    expect(request(1, null).offset_minutes).toBe(-new Date().getTimezoneOffset());
    expect([percent(null), percent(66.6), span(75), span(3725)]).toEqual(["–", "67%", "1:15", "1:02:05"]);
  });
});
