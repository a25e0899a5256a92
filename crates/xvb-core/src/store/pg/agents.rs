//! The relay's agents on PostgreSQL, the nodes (heartbeats) and which agent is
//! connected to which node.

use super::PgStore;
use crate::store::NodeRow;
use crate::store::{rfc3339, AgentRow};
use crate::CoreError;
use time::OffsetDateTime;

/// A node not heard from for this long is taken as gone (its connections too).
const NODE_GONE_AFTER_SECONDS: f64 = 30.0;

const AGENT_COLUMNS: &str = "a.id, a.ext, a.created_at, a.revoked_at, a.last_seen_at,
     EXISTS (SELECT 1 FROM relay_connections c JOIN relay_nodes n USING (node_id)
             WHERE c.agent_id = a.id AND n.heartbeat_at > now() - make_interval(secs => $0))";

fn agent_columns() -> String {
    AGENT_COLUMNS.replace("$0", &NODE_GONE_AFTER_SECONDS.to_string())
}

fn agent_row(row: &tokio_postgres::Row) -> AgentRow {
    let time = |i: usize| row.get::<_, Option<OffsetDateTime>>(i).map(rfc3339);
    AgentRow {
        id: row.get(0),
        ext: row.get(1),
        created_at: rfc3339(row.get(2)),
        revoked_at: time(3),
        last_seen_at: time(4),
        connected: row.get(5),
    }
}

impl PgStore {
    /// Adds an agent; its id.
    pub async fn add_agent(&self, ext: &str, token_hash: &str) -> Result<i64, CoreError> {
        let client = self.client().await?;
        Ok(client
            .query_one(
                "INSERT INTO relay_agents (ext, token_hash) VALUES ($1, $2) RETURNING id",
                &[&ext, &token_hash],
            )
            .await?
            .get(0))
    }

    /// Revokes the agents with this id or extension; how many.
    pub async fn revoke_agents(&self, id_or_ext: &str) -> Result<usize, CoreError> {
        let client = self.client().await?;
        let id: i64 = id_or_ext.parse().unwrap_or(-1);
        Ok(client
            .execute(
                "UPDATE relay_agents SET revoked_at = now()
                 WHERE (id = $1 OR ext = $2) AND revoked_at IS NULL",
                &[&id, &id_or_ext],
            )
            .await? as usize)
    }

    /// The agent (not revoked) holding the token with this hash.
    pub async fn agent_for_token(&self, token_hash: &str) -> Result<Option<AgentRow>, CoreError> {
        let client = self.client().await?;
        let sql = format!(
            "SELECT {} FROM relay_agents a WHERE a.token_hash = $1 AND a.revoked_at IS NULL",
            agent_columns()
        );
        Ok(client
            .query_opt(&sql, &[&token_hash])
            .await?
            .as_ref()
            .map(agent_row))
    }

    /// The ids of every revoked agent.
    pub async fn revoked_agent_ids(&self) -> Result<Vec<i64>, CoreError> {
        let client = self.client().await?;
        let rows = client
            .query(
                "SELECT id FROM relay_agents WHERE revoked_at IS NOT NULL",
                &[],
            )
            .await?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }

    /// Counts a connection of agent `id` to this node in or out. Committed
    /// without waiting for the disk (`synchronous_commit = off`): it is only
    /// bookkeeping for `xvb relay status`, and a storm of agents reconnecting
    /// must not queue the webhook's commits behind thousands of flushes.
    pub async fn set_agent_connected(&self, id: i64, connected: bool) -> Result<(), CoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        tx.batch_execute("SET LOCAL synchronous_commit = off")
            .await?;
        let counted = if connected {
            "INSERT INTO relay_connections (node_id, agent_id) VALUES ($1, $2)"
        } else {
            "DELETE FROM relay_connections WHERE ctid = (SELECT ctid FROM relay_connections
             WHERE node_id = $1 AND agent_id = $2 LIMIT 1)"
        };
        tx.execute(counted, &[&self.node_id, &id]).await?;
        tx.execute(
            "UPDATE relay_agents SET last_seen_at = now() WHERE id = $1",
            &[&id],
        )
        .await?;
        tx.batch_execute(&format!("NOTIFY {}", super::team::TEAM_CHANNEL))
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// This node starting: registered, with no connections.
    pub async fn register_node(&self) -> Result<(), CoreError> {
        let client = self.client().await?;
        client
            .execute(
                "INSERT INTO relay_nodes (node_id) VALUES ($1)
                 ON CONFLICT (node_id) DO UPDATE SET started_at = now(), heartbeat_at = now()",
                &[&self.node_id],
            )
            .await?;
        client
            .execute(
                "DELETE FROM relay_connections WHERE node_id = $1",
                &[&self.node_id],
            )
            .await?;
        Ok(())
    }

    /// This node is alive.
    pub async fn heartbeat(&self) -> Result<(), CoreError> {
        let client = self.client().await?;
        client
            .execute(
                "UPDATE relay_nodes SET heartbeat_at = now() WHERE node_id = $1",
                &[&self.node_id],
            )
            .await?;
        Ok(())
    }

    /// Every agent, revoked ones too.
    pub async fn agents(&self) -> Result<Vec<AgentRow>, CoreError> {
        let client = self.client().await?;
        let sql = format!(
            "SELECT {} FROM relay_agents a ORDER BY a.id",
            agent_columns()
        );
        Ok(client
            .query(&sql, &[])
            .await?
            .iter()
            .map(agent_row)
            .collect())
    }

    /// When any node last had a request from the PBX.
    pub async fn last_request_at(&self) -> Result<Option<String>, CoreError> {
        let client = self.client().await?;
        let row = client
            .query_one("SELECT max(last_request_at) FROM relay_nodes", &[])
            .await?;
        Ok(row.get::<_, Option<OffsetDateTime>>(0).map(rfc3339))
    }

    /// Events stored since midnight (UTC).
    pub async fn events_today(&self) -> Result<i64, CoreError> {
        let client = self.client().await?;
        Ok(client
            .query_one(
                "SELECT count(*) FROM relay_events
                 WHERE received_at >= date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'",
                &[],
            )
            .await?
            .get(0))
    }

    /// Every node seen in the last day: alive or not, its agents, its last PBX request.
    pub async fn nodes(&self) -> Result<Vec<NodeRow>, CoreError> {
        let client = self.client().await?;
        let rows = client
            .query(
                "SELECT n.node_id, n.heartbeat_at > now() - make_interval(secs => $1),
                        (SELECT count(*) FROM relay_connections c WHERE c.node_id = n.node_id),
                        n.last_request_at
                 FROM relay_nodes n WHERE n.heartbeat_at > now() - interval '1 day'
                 ORDER BY n.node_id",
                &[&NODE_GONE_AFTER_SECONDS],
            )
            .await?;
        Ok(rows
            .iter()
            .map(|r| NodeRow {
                node_id: r.get(0),
                alive: r.get(1),
                agents: if r.get::<_, bool>(1) { r.get(2) } else { 0 },
                last_request_at: r.get::<_, Option<OffsetDateTime>>(3).map(rfc3339),
            })
            .collect())
    }

    /// The primary's standbys (`pg_stat_replication`): name, sync state and replay lag;
    /// empty when there are none or this role may not see them.
    pub async fn standbys(&self) -> Result<Vec<String>, CoreError> {
        let client = self.client().await?;
        let rows = client
            .query(
                "SELECT application_name || ' (' || sync_state || ', replay lag '
                        || coalesce(replay_lag::text, '0') || ')'
                 FROM pg_stat_replication ORDER BY application_name",
                &[],
            )
            .await?;
        Ok(rows.iter().filter_map(|r| r.get(0)).collect())
    }
}
