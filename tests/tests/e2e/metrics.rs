//! Prometheus metrics of a relay cluster: two PostgreSQL nodes, each serving
//! `/metrics` on its own address, scraped by a real Prometheus from Debian.
//! Summed over the nodes, every call is counted once, whichever node the PBX
//! posted to; the team's gauges and each node's webhook timings are there.

use crate::groups::{ring, SALES_LINE};
use crate::team::{call, connect, Relays};
use xvb_e2e::postgres::PgCluster;
use xvb_e2e::process::free_port;
use xvb_e2e::prometheus::Prometheus;

#[test]
fn prometheus_counts_each_call_once_across_two_nodes() {
    let pg = PgCluster::start();
    let ports = [free_port(), free_port()];
    let relays = Relays::cluster_setup(&pg.url(), Vec::new(), |node, n| {
        let at = format!("127.0.0.1:{}", ports[n]);
        node.ok(&["config", "set", "relay_metrics_listen", &at]);
    });
    relays.wait_for_log("metrics for Prometheus on http://127.0.0.1:");
    let codes = relays.join_codes(&["100", "101"]);
    relays.relay(&["group", "add", "sales", "--line", SALES_LINE]);
    relays.relay(&["group", "members", "sales", "--add", "100,101"]);
    relays.wait_for_log("groups=1 members=2");
    let _agent = connect("100", &codes[0]);
    let targets: Vec<String> = ports.iter().map(|p| format!("127.0.0.1:{p}")).collect();
    let prometheus = Prometheus::scraping(&targets);

    // Sales: 3 answered, 2 missed; 2 more on a line no group answers (missed).
    let mut posts = 0;
    for n in 0..3 {
        let mut answered = call(&format!("M-A{n}"), &format!("7916000001{n}"), "100");
        answered.line = Some(SALES_LINE.into());
        for fields in [
            answered.incoming(),
            answered.answered(),
            answered.completed("Success", 30, None),
        ] {
            relays.post(&fields);
            posts += 1;
        }
    }
    for (n, line) in [SALES_LINE, SALES_LINE, "74950000009", "74950000009"]
        .into_iter()
        .enumerate()
    {
        let callid = format!("M-M{n}");
        ring(&relays, &callid, &format!("7916000002{n}"), line);
        let mut missed = call(&callid, &format!("7916000002{n}"), "");
        missed.line = Some(line.into());
        relays.post(&missed.completed("Missed", 0, None));
        posts += 2;
    }

    for (query, want) in [
        ("sum(xvb_calls_offered_total)", 7.0),
        ("sum(xvb_calls_offered_total{group=\"sales\"})", 5.0),
        ("sum(xvb_calls_answered_total)", 3.0),
        ("sum(xvb_calls_missed_total{group=\"sales\"})", 2.0),
        ("sum(xvb_calls_missed_total{group=\"all\"})", 2.0),
        ("sum(xvb_webhook_duration_seconds_count)", f64::from(posts)),
        ("max(xvb_callers_waiting)", 4.0),
        ("sum(xvb_agent_connections)", 1.0),
        ("max(xvb_agents{status=\"available\"})", 1.0),
        ("max(xvb_agents{status=\"offline\"})", 1.0),
    ] {
        assert_eq!(prometheus.wait_for(query, want), Some(want), "{query}");
    }
    // Both nodes took webhooks (the PBX posts to each in turn).
    for node in &targets {
        let query = format!("xvb_webhook_duration_seconds_count{{instance=\"{node}\"}}");
        assert!(prometheus.value(&query).unwrap_or(0.0) > 0.0, "{query}");
    }

    // Every panel of the Grafana dashboard in docs/ asks what Prometheus answers.
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../docs/grafana-relay-dashboard.json"
    );
    let dashboard: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap())
            .expect("the dashboard is JSON");
    let panels = dashboard["panels"].as_array().unwrap();
    assert!(panels.len() >= 8, "{panels:?}");
    for panel in panels {
        for target in panel["targets"].as_array().unwrap() {
            let expr = target["expr"].as_str().unwrap();
            assert!(
                prometheus.wait_for_any(expr).is_some(),
                "panel {:?}: no data for {expr}",
                panel["title"]
            );
        }
    }
}
