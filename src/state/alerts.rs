//! The alerts' part of obmen's state (see [`crate::alerts`]): the problems open now, the messages
//! waiting for their channel, and marks (the day of the last digest).

use chrono::{DateTime, Utc};
use sqlx::Row;

use super::{now, time, Result, State};

/// A problem open now.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenProblem {
    /// The server.
    pub server: String,
    /// `failed`, `silent`, `quarantine` or `unacknowledged`.
    pub problem: String,
    /// When it started.
    pub started_at: DateTime<Utc>,
    /// When it was last told (started or reminded).
    pub last_sent_at: DateTime<Utc>,
    /// What went wrong, as last seen.
    pub reason: String,
    /// The run it was seen in.
    pub run_id: Option<i64>,
}

/// A message waiting for its channel.
#[derive(Debug, Clone, PartialEq)]
pub struct Outgoing {
    /// Its id.
    pub id: i64,
    /// `email` or `webhook`.
    pub channel: String,
    /// The server whose overrides choose the recipients.
    pub server: Option<String>,
    /// The subject (e-mail).
    pub subject: String,
    /// The text (e-mail).
    pub body: String,
    /// The webhook's JSON body.
    pub json: String,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// How many times sending it failed.
    pub tries: i64,
}

impl State {
    /// The problems open now, of every server.
    pub async fn open_problems(&self) -> Result<Vec<OpenProblem>> {
        let rows = sqlx::query("SELECT server, problem, started_at, last_sent_at, reason, run_id FROM alert_problems ORDER BY server, problem")
            .fetch_all(&self.pool)
            .await
            .map_err(|e| self.err(e))?;
        Ok(rows
            .into_iter()
            .map(|r| OpenProblem {
                server: r.get(0),
                problem: r.get(1),
                started_at: time(&r.get::<String, _>(2)),
                last_sent_at: time(&r.get::<String, _>(3)),
                reason: r.get(4),
                run_id: r.get(5),
            })
            .collect())
    }

    /// Opens a problem and queues its messages, in one transaction: true when it was not open
    /// (where it was, only its reason and run are brought up to date and nothing is queued).
    pub async fn open_problem(&self, server: &str, problem: &str, reason: &str, run_id: Option<i64>, messages: &[NewMessage<'_>]) -> Result<bool> {
        let mut tx = self.pool.begin().await.map_err(|e| self.err(e))?;
        let t = now();
        let inserted = sqlx::query(
            "INSERT INTO alert_problems (server, problem, started_at, last_sent_at, reason, run_id) VALUES (?, ?, ?, ?, ?, ?)
             ON CONFLICT (server, problem) DO NOTHING",
        )
        .bind(server)
        .bind(problem)
        .bind(&t)
        .bind(&t)
        .bind(reason)
        .bind(run_id)
        .execute(&mut *tx)
        .await
        .map_err(|e| self.err(e))?
        .rows_affected()
            == 1;
        if inserted {
            queue(&mut tx, messages, &t).await.map_err(|e| self.err(e))?;
        } else {
            sqlx::query("UPDATE alert_problems SET reason = ?, run_id = COALESCE(?, run_id) WHERE server = ? AND problem = ?")
                .bind(reason)
                .bind(run_id)
                .bind(server)
                .bind(problem)
                .execute(&mut *tx)
                .await
                .map_err(|e| self.err(e))?;
        }
        tx.commit().await.map_err(|e| self.err(e))?;
        Ok(inserted)
    }

    /// Closes a problem and queues its messages: true when it was open.
    pub async fn close_problem(&self, server: &str, problem: &str, messages: &[NewMessage<'_>]) -> Result<bool> {
        let mut tx = self.pool.begin().await.map_err(|e| self.err(e))?;
        let closed = sqlx::query("DELETE FROM alert_problems WHERE server = ? AND problem = ?")
            .bind(server)
            .bind(problem)
            .execute(&mut *tx)
            .await
            .map_err(|e| self.err(e))?
            .rows_affected()
            == 1;
        if closed {
            queue(&mut tx, messages, &now()).await.map_err(|e| self.err(e))?;
        }
        tx.commit().await.map_err(|e| self.err(e))?;
        Ok(closed)
    }

    /// Forgets a server's problems without a message (the server was deleted).
    pub async fn forget_problems(&self, server: &str) -> Result<()> {
        sqlx::query("DELETE FROM alert_problems WHERE server = ?").bind(server).execute(&self.pool).await.map_err(|e| self.err(e))?;
        Ok(())
    }

    /// Queues a reminder of an open problem, and notes it was told now.
    pub async fn remind_problem(&self, server: &str, problem: &str, messages: &[NewMessage<'_>]) -> Result<()> {
        let mut tx = self.pool.begin().await.map_err(|e| self.err(e))?;
        let t = now();
        sqlx::query("UPDATE alert_problems SET last_sent_at = ? WHERE server = ? AND problem = ?")
            .bind(&t)
            .bind(server)
            .bind(problem)
            .execute(&mut *tx)
            .await
            .map_err(|e| self.err(e))?;
        queue(&mut tx, messages, &t).await.map_err(|e| self.err(e))?;
        tx.commit().await.map_err(|e| self.err(e))
    }

    /// Queues messages not tied to a problem (the daily digest), with a mark set in the same
    /// transaction, unless the mark already has this value: true when queued.
    pub async fn queue_once(&self, mark: &str, value: &str, messages: &[NewMessage<'_>]) -> Result<bool> {
        let mut tx = self.pool.begin().await.map_err(|e| self.err(e))?;
        let was: Option<String> =
            sqlx::query_scalar("SELECT value FROM alert_marks WHERE name = ?").bind(mark).fetch_optional(&mut *tx).await.map_err(|e| self.err(e))?;
        if was.as_deref() == Some(value) {
            return Ok(false);
        }
        sqlx::query("INSERT INTO alert_marks (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value")
            .bind(mark)
            .bind(value)
            .execute(&mut *tx)
            .await
            .map_err(|e| self.err(e))?;
        queue(&mut tx, messages, &now()).await.map_err(|e| self.err(e))?;
        tx.commit().await.map_err(|e| self.err(e))?;
        Ok(true)
    }

    /// A mark's value.
    pub async fn mark(&self, mark: &str) -> Result<Option<String>> {
        sqlx::query_scalar("SELECT value FROM alert_marks WHERE name = ?").bind(mark).fetch_optional(&self.pool).await.map_err(|e| self.err(e))
    }

    /// The messages due to be sent now, oldest first.
    pub async fn due_messages(&self, limit: i64) -> Result<Vec<Outgoing>> {
        let rows = sqlx::query(
            "SELECT id, channel, server, subject, body, json, created_at, tries FROM alert_outbox
             WHERE state = 'pending' AND next_try_at <= ? ORDER BY id LIMIT ?",
        )
        .bind(now())
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .map_err(|e| self.err(e))?;
        Ok(rows
            .into_iter()
            .map(|r| Outgoing {
                id: r.get(0),
                channel: r.get(1),
                server: r.get(2),
                subject: r.get(3),
                body: r.get(4),
                json: r.get(5),
                created_at: time(&r.get::<String, _>(6)),
                tries: r.get(7),
            })
            .collect())
    }

    /// A message its channel took.
    pub async fn message_sent(&self, id: i64) -> Result<()> {
        sqlx::query("UPDATE alert_outbox SET state = 'sent', sent_at = ?, last_error = NULL WHERE id = ?")
            .bind(now())
            .bind(id)
            .execute(&self.pool)
            .await
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// A message its channel did not take: tried again at `next` (None: given up).
    pub async fn message_failed(&self, id: i64, error: &str, next: Option<DateTime<Utc>>) -> Result<()> {
        let (state, at) = match next {
            Some(t) => ("pending", t.format("%Y-%m-%dT%H:%M:%SZ").to_string()),
            None => ("given_up", now()),
        };
        sqlx::query("UPDATE alert_outbox SET tries = tries + 1, last_error = ?, state = ?, next_try_at = ? WHERE id = ?")
            .bind(error)
            .bind(state)
            .bind(at)
            .bind(id)
            .execute(&self.pool)
            .await
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// Deletes messages sent or given up before `before`.
    pub async fn sweep_messages(&self, before: DateTime<Utc>) -> Result<u64> {
        let r = sqlx::query("DELETE FROM alert_outbox WHERE state <> 'pending' AND created_at < ?")
            .bind(before.format("%Y-%m-%dT%H:%M:%SZ").to_string())
            .execute(&self.pool)
            .await
            .map_err(|e| self.err(e))?;
        Ok(r.rows_affected())
    }

    /// Orders in a server's quarantine now.
    pub async fn quarantine_count(&self, server: &str) -> Result<u64> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM quarantine WHERE server = ? AND state = 'open'")
            .bind(server)
            .fetch_one(&self.pool)
            .await
            .map_err(|e| self.err(e))?;
        Ok(n.max(0) as u64)
    }

    /// Each server's runs that ended since `since` (dry runs left out): by outcome, and the
    /// orders imported and set aside, for the daily digest.
    pub async fn runs_since(&self, server: &str, since: DateTime<Utc>) -> Result<RunsSince> {
        let row = sqlx::query(
            "SELECT COUNT(*), COALESCE(SUM(outcome IN ('failed', 'interrupted')), 0),
                    COALESCE(SUM(json_extract(summary, '$.counts.imported')), 0),
                    COALESCE(SUM(json_extract(summary, '$.counts.set_aside')), 0),
                    COALESCE(SUM(json_extract(summary, '$.counts.exported')), 0)
             FROM runs WHERE server = ? AND dry_run = 0 AND ended_at >= ?",
        )
        .bind(server)
        .bind(since.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .fetch_one(&self.pool)
        .await
        .map_err(|e| self.err(e))?;
        let n = |i: usize| row.try_get::<i64, _>(i).unwrap_or(0).max(0) as u64;
        Ok(RunsSince { runs: n(0), failed: n(1), imported: n(2), set_aside: n(3), exported: n(4) })
    }
}

/// A server's runs over a day, for the digest.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunsSince {
    /// Runs that ended.
    pub runs: u64,
    /// Of them, failed or interrupted.
    pub failed: u64,
    /// Orders imported.
    pub imported: u64,
    /// Orders set aside.
    pub set_aside: u64,
    /// Records exported.
    pub exported: u64,
}

/// A message to queue for one channel.
#[derive(Debug, Clone, Copy)]
pub struct NewMessage<'a> {
    /// `email` or `webhook`.
    pub channel: &'a str,
    /// The server whose overrides choose the recipients.
    pub server: Option<&'a str>,
    /// The subject.
    pub subject: &'a str,
    /// The text.
    pub body: &'a str,
    /// The webhook's JSON.
    pub json: &'a str,
}

async fn queue(tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>, messages: &[NewMessage<'_>], at: &str) -> std::result::Result<(), sqlx::Error> {
    for m in messages {
        sqlx::query("INSERT INTO alert_outbox (channel, server, subject, body, json, created_at, next_try_at) VALUES (?, ?, ?, ?, ?, ?, ?)")
            .bind(m.channel)
            .bind(m.server)
            .bind(m.subject)
            .bind(m.body)
            .bind(m.json)
            .bind(at)
            .bind(at)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}
