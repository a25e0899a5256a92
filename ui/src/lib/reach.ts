// The reach line and secret states as the UI words them, in the agent's language
// (the core sends them typed; the CLI and the tray print the English forms).
import type { LinkStatus, Reach, Refused, SecretState, TunnelStatus } from "./bindings";
import { fill, translate, type Lang } from "./i18n";
import { formatWhen } from "./format";

const seconds = (ms: number) => (ms / 1000).toFixed(1);

function tunnelText(lang: Lang, tunnel: TunnelStatus): string {
  switch (tunnel.state) {
    case "opening":
      return translate(lang, "tunnelOpening");
    case "open":
      return fill(lang, "tunnelOpen", { url: tunnel.url });
    case "reopening":
      return fill(lang, "tunnelReopening", { wait: seconds(tunnel.wait_ms), reason: tunnel.reason });
  }
}

function linkText(lang: Lang, link: LinkStatus, now: Date): string {
  switch (link.state) {
    case "connecting":
      return translate(lang, "linkConnecting");
    case "connected": {
      const unused = link.unused_extension ? fill(lang, "linkUnusedExtension", { ext: link.unused_extension }) : "";
      const missed = link.missed_before
        ? fill(lang, "linkMissedBefore", { when: formatWhen(link.missed_before, lang, now) })
        : "";
      return fill(lang, "linkConnected", { ext: link.ext }) + unused + missed;
    }
    case "reconnecting":
      return fill(lang, "linkReconnecting", { wait: seconds(link.wait_ms), reason: link.reason });
    case "refused":
      return translate(lang, "linkRefused");
  }
}

/** How the PBX's events reach the app, as one line in `lang`. */
export function reachText(lang: Lang, reach: Reach, now: Date = new Date()): string {
  switch (reach.kind) {
    case "starting":
      return translate(lang, "reachStarting");
    case "listening":
      return fill(lang, "reachListening", { addr: reach.addr });
    case "tunnel":
      return fill(lang, "reachTunnel", { state: tunnelText(lang, reach.tunnel) });
    case "relay":
      return fill(lang, "reachRelay", { state: linkText(lang, reach.link, now) });
  }
}

/** Whether a secret is in the keyring, in `lang` (or why the keyring could not say). */
export function secretText(lang: Lang, state: SecretState): string {
  switch (state.state) {
    case "stored":
      return translate(lang, "tokenStored");
    case "not_stored":
      return translate(lang, "tokenNotStored");
    case "not_needed":
      return translate(lang, "secretNotNeeded");
    case "unknown":
      return state.reason;
  }
}

/** The latest request the listener refused, as Settings says it: when, and what to set right. */
export function refusedText(lang: Lang, refused: Refused, now: Date = new Date()): string {
  const when = formatWhen(refused.at, lang, now);
  const r = refused.refusal;
  switch (r.kind) {
    case "access_code":
      return r.expected
        ? fill(lang, "refusedCode", { when, sent: r.sent, expected: r.expected })
        : fill(lang, "refusedNoCode", { when, sent: r.sent });
    case "unknown_address":
      return fill(lang, "refusedAddress", { when });
    case "malformed":
      return fill(lang, "refusedMalformed", { when, reason: r.reason });
  }
}
