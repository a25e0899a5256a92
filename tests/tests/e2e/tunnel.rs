//! The single-agent tunnel: a `bore` server on loopback (bore-cli, in this test's
//! process), `xvb serve` with `tunnel_server` set, a PBX capture sent to the
//! tunnel's public address, and the tunnel re-opened after the server restarts.

use xvb_core::pbx::sim::Target;
use xvb_e2e::agent::{Agent, Served};
use xvb_e2e::pbx::{fixture, hook_path, readdressed};
use xvb_e2e::process::block_on;

use crate::bore::{BoreServer, SECRET};

/// Waits for the next `webhook URL:` line, which says where the tunnel is open
/// (its secret hidden, made whole from `agent`'s config).
fn tunnel_webhook(agent: &Agent, served: &mut Served) -> String {
    let open = served.expect_line("tunnel: open at http://127.0.0.1:");
    let url = served.expect_line("webhook URL: http://127.0.0.1:");
    let public = open.trim_start_matches("tunnel: open at ");
    assert!(url.contains(public), "{url} is not behind {public}");
    agent.unmasked(url.trim_start_matches("webhook URL: "))
}

fn replay_at(webhook: &str, capture: &[u8]) -> u16 {
    let target = Target::parse(webhook).unwrap();
    let request = readdressed(capture, hook_path(webhook));
    block_on(target.send_raw(request.as_bytes()))
        .unwrap()
        .status
}

#[test]
fn a_pbx_capture_arrives_through_the_tunnel_and_it_reopens() {
    let _turn = crate::bore::take_turn();
    let bore = BoreServer::start();
    let agent = Agent::with_env("100", vec![("XVB_TUNNEL_SECRET".into(), SECRET.into())]);
    agent.add_known_caller();
    agent.ok(&["config", "set", "tunnel_server", "127.0.0.1"]);
    let mut served = agent.serve();
    let webhook = tunnel_webhook(&agent, &mut served);
    assert_eq!(replay_at(&webhook, &fixture("pbx/01-incoming.http")), 200);
    let ring = served.expect_line("RING ");
    assert!(ring.contains("Вася"), "{ring}");

    // The bore server goes away and comes back: the tunnel re-opens by itself.
    drop(bore);
    let line = served.expect_line("tunnel: re-opening");
    assert!(line.contains("re-opening in"), "{line}");
    let _bore = BoreServer::start();
    let webhook = tunnel_webhook(&agent, &mut served);
    assert_eq!(replay_at(&webhook, &fixture("pbx/04-completed.http")), 200);
    let journal = agent.ok(&["journal"]);
    assert_eq!(
        journal.lines().count(),
        2,
        "both captures stored, through the first tunnel and the re-opened one: {journal}"
    );
}
