//! API token rows: looked up by the hash of the presented token, created and
//! revoked by the CLI.

use super::super::{NewToken, StoreError, TokenRow};
use super::SqliteStore;
use sqlx::Row;

impl SqliteStore {
    pub(in crate::store) async fn insert_token(&self, t: &NewToken) -> Result<i64, StoreError> {
        let id = sqlx::query_scalar(
            "INSERT INTO tokens (hash, name, role, districts, created_at) VALUES (?, ?, ?, ?, ?) \
             RETURNING id",
        )
        .bind(&t.hash)
        .bind(t.name.as_deref())
        .bind(&t.role)
        .bind(t.districts.as_deref())
        .bind(t.created_at)
        .fetch_one(&self.pool)
        .await?;
        Ok(id)
    }

    pub(in crate::store) async fn token_by_hash(
        &self,
        hash: &str,
    ) -> Result<Option<TokenRow>, StoreError> {
        let row = sqlx::query(
            "SELECT id, name, role, districts, created_at, revoked_at FROM tokens WHERE hash = ?",
        )
        .bind(hash)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| token_row(&r)).transpose()
    }

    pub(in crate::store) async fn tokens(&self) -> Result<Vec<TokenRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, name, role, districts, created_at, revoked_at FROM tokens ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(token_row).collect()
    }

    pub(in crate::store) async fn revoke_token(
        &self,
        id: i64,
        at: i64,
    ) -> Result<bool, StoreError> {
        let done =
            sqlx::query("UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")
                .bind(at)
                .bind(id)
                .execute(&self.pool)
                .await?;
        Ok(done.rows_affected() == 1)
    }
}

fn token_row(r: &sqlx::sqlite::SqliteRow) -> Result<TokenRow, StoreError> {
    Ok(TokenRow {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        role: r.try_get("role")?,
        districts: r.try_get("districts")?,
        created_at: r.try_get("created_at")?,
        revoked_at: r.try_get("revoked_at")?,
    })
}
