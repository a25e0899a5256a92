//! A relay's call-centre groups in SQLite: `relay_groups` and their lines and
//! members, the default group, and `relay_roles` ([`crate::groups`] has the
//! rules). Each change is one transaction, checked before anything is written.

use super::{unix_ms, Database};
use crate::groups::{
    DefaultGroup, Group, GroupChange, GroupError, GroupName, GroupSeconds, Line, Role, Routing,
};
use crate::CoreError;
use rusqlite::{params, Connection, OptionalExtension};
use std::collections::BTreeMap;

impl Database {
    /// The groups, the default group and the supervisors.
    pub fn routing(&self) -> Result<Routing, CoreError> {
        let mut groups = BTreeMap::new();
        let mut stmt = self
            .conn
            .prepare_cached("SELECT name, acw_seconds, sl_seconds FROM relay_groups")?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, u32>(1)?,
                r.get::<_, u32>(2)?,
            ))
        })?;
        for row in rows {
            let (name, acw_seconds, sl_seconds) = row?;
            let name = stored_name(&name)?;
            let group = Group {
                name: name.clone(),
                lines: Vec::new(),
                members: Default::default(),
                acw_seconds,
                sl_seconds,
            };
            groups.insert(name, group);
        }
        let mut stmt = self
            .conn
            .prepare_cached("SELECT group_name, line FROM relay_group_lines ORDER BY line")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        for row in rows {
            let (group, line) = row?;
            if let Some(group) = groups.get_mut(&stored_name(&group)?) {
                group
                    .lines
                    .push(Line::parse(&line).map_err(|e| CoreError::Corrupt(e.to_string()))?);
            }
        }
        let mut stmt = self
            .conn
            .prepare_cached("SELECT group_name, ext FROM relay_group_members")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        for row in rows {
            let (group, ext) = row?;
            if let Some(group) = groups.get_mut(&stored_name(&group)?) {
                group.members.insert(ext);
            }
        }
        let default = self
            .conn
            .query_row(
                "SELECT group_name FROM relay_group_default WHERE id = 1",
                [],
                |r| r.get::<_, Option<String>>(0),
            )
            .optional()?
            .flatten();
        let default = match default {
            Some(name) => DefaultGroup::Named(stored_name(&name)?),
            None => DefaultGroup::Everyone,
        };
        let mut stmt = self
            .conn
            .prepare_cached("SELECT ext FROM relay_roles WHERE role = 'supervisor'")?;
        let supervisors = stmt
            .query_map([], |r| r.get::<_, String>(0))?
            .collect::<Result<_, _>>()?;
        Ok(Routing {
            groups,
            default,
            supervisors,
        })
    }

    /// The groups `ext` joined when the stream stood at `seq` or later.
    pub fn groups_joined_since(&self, ext: &str, seq: i64) -> Result<Vec<GroupName>, CoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT group_name FROM relay_group_members WHERE ext = ?1 AND added_seq >= ?2",
        )?;
        let names = stmt.query_map(params![ext, seq], |r| r.get::<_, String>(0))?;
        names.map(|name| stored_name(&name?)).collect()
    }

    /// Makes `change`, all or nothing.
    pub fn change_groups(&self, change: &GroupChange) -> Result<(), CoreError> {
        match change {
            GroupChange::Add { name, lines } => self.add_group(name, lines),
            GroupChange::Lines { name, add, remove } => self.change_group_lines(name, add, remove),
            GroupChange::Members { name, add, remove } => {
                self.change_group_members(name, add, remove)
            }
            GroupChange::Remove(name) => self.remove_group(name),
            GroupChange::Default(default) => self.set_default_group(default),
            GroupChange::Seconds {
                name,
                setting,
                seconds,
            } => self.set_group_seconds(name, *setting, *seconds),
            GroupChange::Role { ext, role } => self.set_role(ext, *role),
        }
    }

    /// Adds group `name` answering `lines`.
    fn add_group(&self, name: &GroupName, lines: &[Line]) -> Result<(), CoreError> {
        let tx = self.conn.unchecked_transaction()?;
        if group_exists(&tx, name)? {
            return Err(GroupError::Exists(name.to_string()).into());
        }
        tx.execute(
            "INSERT INTO relay_groups (name) VALUES (?1)",
            [name.as_str()],
        )?;
        add_lines(&tx, name, lines)?;
        tx.commit()?;
        Ok(())
    }

    /// Gives group `name` the lines `add` and takes `remove` from it.
    fn change_group_lines(
        &self,
        name: &GroupName,
        add: &[Line],
        remove: &[Line],
    ) -> Result<(), CoreError> {
        let tx = self.conn.unchecked_transaction()?;
        need_group(&tx, name)?;
        for line in remove {
            tx.execute(
                "DELETE FROM relay_group_lines WHERE line = ?1 AND group_name = ?2",
                params![line.as_str(), name.as_str()],
            )?;
        }
        add_lines(&tx, name, add)?;
        tx.commit()?;
        Ok(())
    }

    /// Adds the agents `add` to group `name` and takes `remove` out of it.
    fn change_group_members(
        &self,
        name: &GroupName,
        add: &[String],
        remove: &[String],
    ) -> Result<(), CoreError> {
        let tx = self.conn.unchecked_transaction()?;
        need_group(&tx, name)?;
        let now = unix_ms(time::OffsetDateTime::now_utc());
        for ext in add {
            need_agent(&tx, ext)?;
            tx.execute(
                "INSERT INTO relay_group_members (group_name, ext, added_ms, added_seq)
                 VALUES (?1, ?2, ?3, (SELECT coalesce(max(seq), 0) FROM journal))
                 ON CONFLICT DO NOTHING",
                params![name.as_str(), ext, now],
            )?;
        }
        for ext in remove {
            tx.execute(
                "DELETE FROM relay_group_members WHERE group_name = ?1 AND ext = ?2",
                params![name.as_str(), ext],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Removes group `name` (its lines go to the default group; if it was the
    /// default, every agent is).
    fn remove_group(&self, name: &GroupName) -> Result<(), CoreError> {
        let tx = self.conn.unchecked_transaction()?;
        need_group(&tx, name)?;
        tx.execute("DELETE FROM relay_groups WHERE name = ?1", [name.as_str()])?;
        tx.commit()?;
        Ok(())
    }

    /// Sends calls on unclaimed lines to `default`.
    fn set_default_group(&self, default: &DefaultGroup) -> Result<(), CoreError> {
        let tx = self.conn.unchecked_transaction()?;
        let name = match default {
            DefaultGroup::Everyone => None,
            DefaultGroup::Named(name) => {
                need_group(&tx, name)?;
                Some(name.as_str())
            }
        };
        tx.execute(
            "INSERT INTO relay_group_default (id, group_name) VALUES (1, ?1)
             ON CONFLICT(id) DO UPDATE SET group_name = excluded.group_name",
            [name],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Sets one of group `name`'s settings in seconds.
    fn set_group_seconds(
        &self,
        name: &GroupName,
        setting: GroupSeconds,
        seconds: u32,
    ) -> Result<(), CoreError> {
        let tx = self.conn.unchecked_transaction()?;
        need_group(&tx, name)?;
        tx.execute(
            &format!(
                "UPDATE relay_groups SET {} = ?2 WHERE name = ?1",
                setting.column()
            ),
            params![name.as_str(), seconds],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Gives agent `ext` `role`.
    fn set_role(&self, ext: &str, role: Role) -> Result<(), CoreError> {
        let tx = self.conn.unchecked_transaction()?;
        need_agent(&tx, ext)?;
        tx.execute(
            "INSERT INTO relay_roles (ext, role) VALUES (?1, ?2)
             ON CONFLICT(ext) DO UPDATE SET role = excluded.role",
            params![ext, role.as_str()],
        )?;
        tx.commit()?;
        Ok(())
    }
}

/// A group name as stored (written only after [`GroupName::parse`]).
fn stored_name(name: &str) -> Result<GroupName, CoreError> {
    GroupName::parse(name).map_err(|e| CoreError::Corrupt(e.to_string()))
}

fn group_exists(conn: &Connection, name: &GroupName) -> Result<bool, CoreError> {
    Ok(conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM relay_groups WHERE name = ?1)")?
        .query_row([name.as_str()], |r| r.get(0))?)
}

fn need_group(conn: &Connection, name: &GroupName) -> Result<(), CoreError> {
    match group_exists(conn, name)? {
        true => Ok(()),
        false => Err(GroupError::NoGroup(name.to_string()).into()),
    }
}

fn need_agent(conn: &Connection, ext: &str) -> Result<(), CoreError> {
    let known: bool = conn
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM relay_agents WHERE ext = ?1 AND revoked_at IS NULL)",
        )?
        .query_row([ext], |r| r.get(0))?;
    match known {
        true => Ok(()),
        false => Err(GroupError::NoAgent(ext.to_owned()).into()),
    }
}

/// Gives `name` `lines`, refusing one another group answers.
fn add_lines(conn: &Connection, name: &GroupName, lines: &[Line]) -> Result<(), CoreError> {
    for line in lines {
        let owner: Option<String> = conn
            .prepare_cached("SELECT group_name FROM relay_group_lines WHERE line = ?1")?
            .query_row([line.as_str()], |r| r.get(0))
            .optional()?;
        if name.may_take(line, owner)? {
            conn.execute(
                "INSERT INTO relay_group_lines (line, group_name) VALUES (?1, ?2)",
                params![line.as_str(), name.as_str()],
            )?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(n: &str) -> GroupName {
        GroupName::parse(n).unwrap()
    }

    fn line(l: &str) -> Line {
        Line::parse(l).unwrap()
    }

    #[test]
    fn groups_are_stored_checked_and_read_back_as_routing() {
        let dir = tempfile::tempdir().unwrap();
        let db = Database::open(&dir.path().join("db.sqlite3")).unwrap();
        for ext in ["100", "101", "200"] {
            db.add_agent(ext, &format!("hash-{ext}")).unwrap();
        }
        db.add_group(&name("sales"), &[line("74950000001")])
            .unwrap();
        db.add_group(&name("support"), &[line("74950000002")])
            .unwrap();
        let refused = |e: CoreError| match e {
            CoreError::Group(e) => e,
            other => panic!("not a refusal: {other}"),
        };
        let taken = db
            .add_group(&name("vip"), &[line("8 495 000-00-01")])
            .unwrap_err();
        assert!(matches!(refused(taken), GroupError::LineTaken { group, .. } if group == "sales"));
        assert!(
            !db.routing().unwrap().groups.contains_key(&name("vip")),
            "nothing changed"
        );
        let twice = db.add_group(&name("sales"), &[]).unwrap_err();
        assert_eq!(refused(twice), GroupError::Exists("sales".into()));

        db.change_group_members(&name("sales"), &["100".into(), "101".into()], &[])
            .unwrap();
        let stranger = db
            .change_group_members(&name("sales"), &["105".into()], &[])
            .unwrap_err();
        assert_eq!(refused(stranger), GroupError::NoAgent("105".into()));
        db.change_group_members(&name("support"), &["101".into()], &[])
            .unwrap();
        db.change_group_members(&name("sales"), &[], &["101".into()])
            .unwrap();
        db.set_group_seconds(&name("support"), GroupSeconds::Acw, 30)
            .unwrap();
        db.set_role("200", Role::Supervisor).unwrap();
        db.set_default_group(&DefaultGroup::Named(name("support")))
            .unwrap();

        let routing = db.routing().unwrap();
        let sales = &routing.groups[&name("sales")];
        assert_eq!(sales.members.iter().collect::<Vec<_>>(), ["100"]);
        assert_eq!(sales.lines, [line("74950000001")]);
        assert_eq!(routing.groups[&name("support")].acw_seconds, 30);
        assert_eq!(routing.default, DefaultGroup::Named(name("support")));
        assert!(routing.supervisors.contains("200"));

        // The default group removed: every agent takes unclaimed lines again.
        db.remove_group(&name("support")).unwrap();
        let routing = db.routing().unwrap();
        assert_eq!(routing.default, DefaultGroup::Everyone);
        assert!(routing.groups_of("101").is_empty());
        let gone = db.remove_group(&name("support")).unwrap_err();
        assert_eq!(refused(gone), GroupError::NoGroup("support".into()));
    }
}
