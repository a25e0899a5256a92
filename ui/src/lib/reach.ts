// The reach line and secret states as the UI words them, in the agent's language
// (the core sends them typed; the CLI and the tray print the English forms).
import type { Config, LinkStatus, Reach, Refused, SecretState, TunnelStatus } from "./bindings";
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

/** The ways the PBX's events can reach the app, as the reach wizard offers them. */
export type Way = "relay" | "tunnel" | "lan" | "local";

/** The way `config` takes the PBX's events now. */
export function wayOf(config: Pick<Config, "relay_url" | "tunnel_server" | "listen">): Way {
  if (config.relay_url) return "relay";
  if (config.tunnel_server) return "tunnel";
  const host = listenParts(config.listen).host;
  return host === "127.0.0.1" || host === "::1" ? "local" : "lan";
}

/** `127.0.0.1:8787` or `[::]:8787` as its host and port. */
export function listenParts(listen: string): { host: string; port: string } {
  const at = listen.lastIndexOf(":");
  return { host: listen.slice(0, at).replace(/^\[|\]$/g, ""), port: listen.slice(at + 1) };
}
