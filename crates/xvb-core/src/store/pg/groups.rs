//! Call-centre groups on PostgreSQL (as `store/groups.rs` in SQLite): each
//! change one transaction, checked before anything is written; every node
//! reads the routing every second.

use super::PgStore;
use crate::groups::{
    DefaultGroup, Group, GroupChange, GroupError, GroupName, GroupSeconds, Line, Role, Routing,
};
use crate::CoreError;
use std::collections::BTreeMap;
use tokio_postgres::Transaction;

impl PgStore {
    /// The groups, the default group and the supervisors.
    pub async fn routing(&self) -> Result<Routing, CoreError> {
        let client = self.client().await?;
        let mut groups = BTreeMap::new();
        for row in client
            .query(
                "SELECT name, acw_seconds, sl_seconds FROM relay_groups",
                &[],
            )
            .await?
        {
            let name = stored_name(row.get(0))?;
            let (acw, sl): (i32, i32) = (row.get(1), row.get(2));
            let group = Group {
                name: name.clone(),
                lines: Vec::new(),
                members: Default::default(),
                acw_seconds: u32::try_from(acw).unwrap_or(0),
                sl_seconds: u32::try_from(sl).unwrap_or(0),
            };
            groups.insert(name, group);
        }
        for row in client
            .query(
                "SELECT group_name, line FROM relay_group_lines ORDER BY line",
                &[],
            )
            .await?
        {
            if let Some(group) = groups.get_mut(&stored_name(row.get(0))?) {
                let line: &str = row.get(1);
                let line = Line::parse(line).map_err(|e| CoreError::Corrupt(e.to_string()))?;
                group.lines.push(line);
            }
        }
        for row in client
            .query("SELECT group_name, ext FROM relay_group_members", &[])
            .await?
        {
            if let Some(group) = groups.get_mut(&stored_name(row.get(0))?) {
                group.members.insert(row.get(1));
            }
        }
        let default = client
            .query_opt(
                "SELECT group_name FROM relay_group_default WHERE id = 1",
                &[],
            )
            .await?
            .and_then(|row| row.get::<_, Option<String>>(0));
        let default = match default {
            Some(name) => DefaultGroup::Named(stored_name(&name)?),
            None => DefaultGroup::Everyone,
        };
        let supervisors = client
            .query("SELECT ext FROM relay_roles WHERE role = 'supervisor'", &[])
            .await?
            .iter()
            .map(|row| row.get(0))
            .collect();
        Ok(Routing {
            groups,
            default,
            supervisors,
        })
    }

    /// The groups `ext` joined when the stream stood at `seq` or later.
    pub async fn groups_joined_since(
        &self,
        ext: &str,
        seq: i64,
    ) -> Result<Vec<GroupName>, CoreError> {
        self.client()
            .await?
            .query(
                "SELECT group_name FROM relay_group_members WHERE ext = $1 AND added_seq >= $2",
                &[&ext, &seq],
            )
            .await?
            .iter()
            .map(|row| stored_name(row.get(0)))
            .collect()
    }

    /// Makes `change`, all or nothing.
    pub async fn change_groups(&self, change: &GroupChange) -> Result<(), CoreError> {
        match change {
            GroupChange::Add { name, lines } => self.add_group(name, lines).await,
            GroupChange::Lines { name, add, remove } => {
                self.change_group_lines(name, add, remove).await
            }
            GroupChange::Members { name, add, remove } => {
                self.change_group_members(name, add, remove).await
            }
            GroupChange::Remove(name) => self.remove_group(name).await,
            GroupChange::Default(default) => self.set_default_group(default).await,
            GroupChange::Seconds {
                name,
                setting,
                seconds,
            } => self.set_group_seconds(name, *setting, *seconds).await,
            GroupChange::Role { ext, role } => self.set_role(ext, *role).await,
        }
    }

    /// Adds group `name` answering `lines`.
    async fn add_group(&self, name: &GroupName, lines: &[Line]) -> Result<(), CoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        if group_exists(&tx, name).await? {
            return Err(GroupError::Exists(name.to_string()).into());
        }
        tx.execute(
            "INSERT INTO relay_groups (name) VALUES ($1)",
            &[&name.as_str()],
        )
        .await?;
        add_lines(&tx, name, lines).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Gives group `name` the lines `add` and takes `remove` from it.
    async fn change_group_lines(
        &self,
        name: &GroupName,
        add: &[Line],
        remove: &[Line],
    ) -> Result<(), CoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        need_group(&tx, name).await?;
        for line in remove {
            tx.execute(
                "DELETE FROM relay_group_lines WHERE line = $1 AND group_name = $2",
                &[&line.as_str(), &name.as_str()],
            )
            .await?;
        }
        add_lines(&tx, name, add).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Adds the agents `add` to group `name` and takes `remove` out of it.
    async fn change_group_members(
        &self,
        name: &GroupName,
        add: &[String],
        remove: &[String],
    ) -> Result<(), CoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        need_group(&tx, name).await?;
        for ext in add {
            need_agent(&tx, ext).await?;
            tx.execute(
                "INSERT INTO relay_group_members (group_name, ext, added_seq)
                 VALUES ($1, $2, (SELECT last_seq FROM relay_head WHERE id = 1))
                 ON CONFLICT DO NOTHING",
                &[&name.as_str(), ext],
            )
            .await?;
        }
        for ext in remove {
            tx.execute(
                "DELETE FROM relay_group_members WHERE group_name = $1 AND ext = $2",
                &[&name.as_str(), ext],
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Removes group `name`.
    async fn remove_group(&self, name: &GroupName) -> Result<(), CoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        need_group(&tx, name).await?;
        tx.execute(
            "DELETE FROM relay_groups WHERE name = $1",
            &[&name.as_str()],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Sends calls on unclaimed lines to `default`.
    async fn set_default_group(&self, default: &DefaultGroup) -> Result<(), CoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let name = match default {
            DefaultGroup::Everyone => None,
            DefaultGroup::Named(name) => {
                need_group(&tx, name).await?;
                Some(name.as_str())
            }
        };
        tx.execute(
            "INSERT INTO relay_group_default (id, group_name) VALUES (1, $1)
             ON CONFLICT (id) DO UPDATE SET group_name = excluded.group_name",
            &[&name],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Sets one of group `name`'s settings in seconds.
    async fn set_group_seconds(
        &self,
        name: &GroupName,
        setting: GroupSeconds,
        seconds: u32,
    ) -> Result<(), CoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        need_group(&tx, name).await?;
        let seconds = i32::try_from(seconds).unwrap_or(i32::MAX);
        tx.execute(
            &format!(
                "UPDATE relay_groups SET {} = $2 WHERE name = $1",
                setting.column()
            ),
            &[&name.as_str(), &seconds],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Gives agent `ext` `role`.
    async fn set_role(&self, ext: &str, role: Role) -> Result<(), CoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        need_agent(&tx, ext).await?;
        tx.execute(
            "INSERT INTO relay_roles (ext, role) VALUES ($1, $2)
             ON CONFLICT (ext) DO UPDATE SET role = excluded.role",
            &[&ext, &role.as_str()],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

impl PgStore {
    /// The call `callid` as merged, if stored.
    pub async fn call(&self, callid: &str) -> Result<Option<crate::pbx::call::Call>, CoreError> {
        let client = self.client().await?;
        client
            .query_opt(
                "SELECT record FROM relay_calls WHERE callid = $1",
                &[&callid],
            )
            .await?
            .map(|row| {
                serde_json::from_value(row.get::<_, serde_json::Value>(0))
                    .map_err(CoreError::corrupt)
            })
            .transpose()
    }
}

fn stored_name(name: &str) -> Result<GroupName, CoreError> {
    GroupName::parse(name).map_err(|e| CoreError::Corrupt(e.to_string()))
}

async fn group_exists(tx: &Transaction<'_>, name: &GroupName) -> Result<bool, CoreError> {
    Ok(tx
        .query_opt(
            "SELECT 1 FROM relay_groups WHERE name = $1",
            &[&name.as_str()],
        )
        .await?
        .is_some())
}

async fn need_group(tx: &Transaction<'_>, name: &GroupName) -> Result<(), CoreError> {
    match group_exists(tx, name).await? {
        true => Ok(()),
        false => Err(GroupError::NoGroup(name.to_string()).into()),
    }
}

async fn need_agent(tx: &Transaction<'_>, ext: &str) -> Result<(), CoreError> {
    let known = tx
        .query_opt(
            "SELECT 1 FROM relay_agents WHERE ext = $1 AND revoked_at IS NULL",
            &[&ext],
        )
        .await?
        .is_some();
    match known {
        true => Ok(()),
        false => Err(GroupError::NoAgent(ext.to_owned()).into()),
    }
}

/// Gives `name` `lines`, refusing one another group answers.
async fn add_lines(
    tx: &Transaction<'_>,
    name: &GroupName,
    lines: &[Line],
) -> Result<(), CoreError> {
    for line in lines {
        let owner: Option<String> = tx
            .query_opt(
                "SELECT group_name FROM relay_group_lines WHERE line = $1",
                &[&line.as_str()],
            )
            .await?
            .map(|row| row.get(0));
        if name.may_take(line, owner)? {
            tx.execute(
                "INSERT INTO relay_group_lines (line, group_name) VALUES ($1, $2)",
                &[&line.as_str(), &name.as_str()],
            )
            .await?;
        }
    }
    Ok(())
}
