//! Provenance in obmen's state: each order as the shop sent it, with its SHA-256, the run that
//! received it and the document it became (see the migration for the rules it keeps).

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use sqlx::Row;

use super::{now, time, Result, State};

/// An order as it was received.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Received {
    /// The shop's order id.
    pub order_id: String,
    /// The number the customer sees.
    pub order_number: String,
    /// The shop account.
    pub source: String,
    /// The SHA-256 of the payload, in hex, as kept when it came.
    pub sha256: String,
    /// The order as the shop sent it.
    pub payload: String,
    /// The run that received it.
    pub run_id: Option<i64>,
    /// When.
    pub received_at: DateTime<Utc>,
    /// The document it became, once written.
    pub document: Option<String>,
    /// When it was written.
    pub imported_at: Option<DateTime<Utc>>,
    /// The shop's cursor the order was read at (None: a retry from the quarantine).
    pub cursor: Option<String>,
    /// When the shop took its acknowledgement.
    pub told_at: Option<DateTime<Utc>>,
}

impl Received {
    /// True when the payload still hashes to what was kept.
    pub fn intact(&self) -> bool {
        sha256(&self.payload) == self.sha256
    }
}

/// A payload's SHA-256, in hex.
pub fn sha256(payload: &str) -> String {
    hex::encode(Sha256::digest(payload.as_bytes()))
}

/// An order received, to keep.
#[derive(Debug, Clone, Copy)]
pub struct Receiving<'a> {
    /// The shop's order id.
    pub order_id: &'a str,
    /// Its number.
    pub order_number: &'a str,
    /// The order as the shop sent it.
    pub payload: &'a str,
}

fn read(r: sqlx::sqlite::SqliteRow) -> Received {
    Received {
        order_id: r.get(0),
        order_number: r.get(1),
        source: r.get(2),
        sha256: r.get(3),
        payload: r.get(4),
        run_id: r.get(5),
        received_at: time(&r.get::<String, _>(6)),
        document: r.get(7),
        imported_at: r.get::<Option<String>, _>(8).map(|t| time(&t)),
        cursor: r.get(9),
        told_at: r.get::<Option<String>, _>(10).map(|t| time(&t)),
    }
}

impl State {
    /// Keeps orders as received, before their documents are written (a copy already kept, the
    /// same to the byte, is left as it is).
    pub async fn receive_orders(&self, server: &str, source: &str, run_id: Option<i64>, cursor: Option<&str>, orders: &[Receiving<'_>]) -> Result<()> {
        let mut tx = self.pool.begin().await.map_err(|e| self.err(e))?;
        let t = now();
        for o in orders {
            sqlx::query(
                "INSERT INTO provenance (server, source, order_id, order_number, sha256, payload, run_id, received_at, read_at_cursor)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                 ON CONFLICT (server, order_id, sha256) DO NOTHING",
            )
            .bind(server)
            .bind(source)
            .bind(o.order_id)
            .bind(o.order_number)
            .bind(sha256(o.payload))
            .bind(o.payload)
            .bind(run_id)
            .bind(&t)
            .bind(cursor)
            .execute(&mut *tx)
            .await
            .map_err(|e| self.err(e))?;
        }
        tx.commit().await.map_err(|e| self.err(e))
    }

    /// Notes the documents orders became: (order id, payload, document).
    pub async fn orders_booked(&self, server: &str, booked: &[(&str, &str, String)]) -> Result<()> {
        let mut tx = self.pool.begin().await.map_err(|e| self.err(e))?;
        let t = now();
        for (order_id, payload, document) in booked {
            sqlx::query("UPDATE provenance SET document = ?, imported_at = ? WHERE server = ? AND order_id = ? AND sha256 = ? AND document IS NULL")
                .bind(document)
                .bind(&t)
                .bind(server)
                .bind(order_id)
                .bind(sha256(payload))
                .execute(&mut *tx)
                .await
                .map_err(|e| self.err(e))?;
        }
        tx.commit().await.map_err(|e| self.err(e))
    }

    /// Notes when the shop took these orders' acknowledgements (their copies not told yet).
    pub async fn orders_told(&self, server: &str, order_ids: &[&str]) -> Result<()> {
        let mut tx = self.pool.begin().await.map_err(|e| self.err(e))?;
        let t = now();
        for id in order_ids {
            sqlx::query("UPDATE provenance SET told_at = ? WHERE server = ? AND order_id = ? AND told_at IS NULL")
                .bind(&t)
                .bind(server)
                .bind(id)
                .execute(&mut *tx)
                .await
                .map_err(|e| self.err(e))?;
        }
        tx.commit().await.map_err(|e| self.err(e))
    }

    /// Every copy kept of an order, by its id or its number (the number in any case of its ASCII
    /// letters, as [`crate::why::same_order`] compares), oldest first: found by the server's
    /// index, never by reading every copy kept.
    pub async fn provenance_of(&self, server: &str, order: &str) -> Result<Vec<Received>> {
        let rows = sqlx::query(
            "SELECT order_id, order_number, source, sha256, payload, run_id, received_at, document, imported_at, read_at_cursor, told_at FROM provenance WHERE server = ? AND (order_id = ? OR order_number = ? COLLATE NOCASE) ORDER BY id",
        )
            .bind(server)
            .bind(order)
            .bind(order)
            .fetch_all(&self.pool)
            .await
            .map_err(|e| self.err(e))?;
        Ok(rows.into_iter().map(read).collect())
    }

    /// Every copy kept of a server's orders received since `since` (all: None), oldest first.
    pub async fn provenance(&self, server: &str, since: Option<DateTime<Utc>>) -> Result<Vec<Received>> {
        let since = since.map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string()).unwrap_or_default();
        let rows = sqlx::query("SELECT order_id, order_number, source, sha256, payload, run_id, received_at, document, imported_at, read_at_cursor, told_at FROM provenance WHERE server = ? AND received_at >= ? ORDER BY id")
            .bind(server)
            .bind(since)
            .fetch_all(&self.pool)
            .await
            .map_err(|e| self.err(e))?;
        Ok(rows.into_iter().map(read).collect())
    }

    /// Deletes the copies whose document (or, never written, whose receipt) is older than
    /// `years`; returns how many.
    pub async fn sweep_provenance(&self, years: u32) -> Result<u64> {
        let before = (Utc::now() - chrono::TimeDelta::days(i64::from(years) * 366)).format("%Y-%m-%dT%H:%M:%SZ").to_string();
        let r = sqlx::query("DELETE FROM provenance WHERE COALESCE(imported_at, received_at) < ?")
            .bind(before)
            .execute(&self.pool)
            .await
            .map_err(|e| self.err(e))?;
        Ok(r.rows_affected())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A copy is kept once however often it comes, a changed one beside it; its document is
    /// noted; retention deletes only what is older than the years given, and nothing else can
    /// change what was kept.
    #[tokio::test]
    async fn kept_once_each_version_and_swept_only_past_retention() {
        let dir = tempfile::tempdir().unwrap();
        let state = State::open(&dir.path().join("state.db")).await.unwrap();
        let first = Receiving { order_id: "7", order_number: "SH-7", payload: "{\"total\":1}" };
        for _ in 0..2 {
            state.receive_orders("S", "shop", Some(1), Some("c1"), &[first]).await.unwrap();
        }
        state.receive_orders("S", "shop", Some(2), None, &[Receiving { payload: "{\"total\":2}", ..first }]).await.unwrap();
        state.orders_told("S", &["7"]).await.unwrap();
        state.orders_booked("S", &[("7", "{\"total\":2}", "0000000042".into())]).await.unwrap();
        let kept = state.provenance_of("S", "sh-7".to_uppercase().as_str()).await.unwrap();
        assert_eq!(kept.len(), 2);
        assert_eq!(state.provenance_of("S", "sh-7").await.unwrap(), kept, "the number in another case");
        assert!(state.provenance_of("S", "SH-70").await.unwrap().is_empty());
        assert!(kept.iter().all(Received::intact));
        assert_eq!((kept[0].document.as_deref(), kept[1].document.as_deref()), (None, Some("0000000042")));
        assert_eq!((kept[0].cursor.as_deref(), kept[1].cursor.as_deref()), (Some("c1"), None));
        assert!(kept.iter().all(|k| k.told_at.is_some()));
        assert!(sqlx::query("UPDATE provenance SET payload = 'x'").execute(&state.pool).await.is_err(), "kept unchanged");
        assert_eq!(state.sweep_provenance(10).await.unwrap(), 0);
        sqlx::query("UPDATE provenance SET imported_at = '2010-01-01T00:00:00Z' WHERE document IS NOT NULL").execute(&state.pool).await.unwrap();
        assert_eq!(state.sweep_provenance(20).await.unwrap(), 0, "within twenty years");
        assert_eq!(state.sweep_provenance(10).await.unwrap(), 1);
        assert_eq!(state.provenance_of("S", "7").await.unwrap().len(), 1);
    }
}
