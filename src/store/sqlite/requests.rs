//! Appeals read back whole, private fields included, a page at a time: the
//! Open311 `GET requests.json` list (analysts only).

use super::super::{RequestPage, RequestRow, StoreError};
use super::SqliteStore;
use sqlx::{QueryBuilder, Row, Sqlite};

impl SqliteStore {
    pub(in crate::store) async fn requests(
        &self,
        q: &RequestPage,
    ) -> Result<Vec<RequestRow>, StoreError> {
        let mut qb: QueryBuilder<Sqlite> = QueryBuilder::new(
            "SELECT a.id, s.code, a.lat, a.lon, a.created_at, a.status, a.resolved_at, \
             a.address, a.text, r.code AS responsible, a.due_at FROM appeals a \
             JOIN sectors s ON s.id = a.sector_id \
             LEFT JOIN responsible r ON r.id = a.responsible_id WHERE 1 = 1",
        );
        if !q.ids.is_empty() {
            qb.push(" AND a.id IN (");
            let mut ids = qb.separated(", ");
            for id in &q.ids {
                ids.push_bind(*id);
            }
            qb.push(")");
        }
        if let Some((source, external_id)) = &q.key {
            qb.push(" AND a.source = ").push_bind(source.as_str());
            qb.push(" AND a.external_id = ")
                .push_bind(external_id.as_str());
        }
        if let Some(s) = q.sector {
            qb.push(" AND a.sector_id = ").push_bind(i64::from(s));
        }
        if let Some(t) = q.from {
            qb.push(" AND a.created_at >= ").push_bind(t);
        }
        if let Some(t) = q.to {
            qb.push(" AND a.created_at < ").push_bind(t);
        }
        if let Some(statuses) = &q.statuses {
            qb.push(" AND a.status IN (");
            let mut list = qb.separated(", ");
            for s in statuses {
                list.push_bind(i64::from(*s));
            }
            qb.push(")");
        }
        if let Some([w, s, e, n]) = q.bbox {
            qb.push(" AND a.lat >= ").push_bind(s);
            qb.push(" AND a.lat <= ").push_bind(n);
            // West beyond east: the box crosses the antimeridian.
            if w <= e {
                qb.push(" AND a.lon >= ").push_bind(w);
                qb.push(" AND a.lon <= ").push_bind(e);
            } else {
                qb.push(" AND (a.lon >= ").push_bind(w);
                qb.push(" OR a.lon <= ").push_bind(e).push(")");
            }
        }
        qb.push(" ORDER BY a.created_at DESC, a.id DESC LIMIT ")
            .push_bind(q.limit as i64)
            .push(" OFFSET ")
            .push_bind(q.offset as i64);
        let rows = qb.build().fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                Ok(RequestRow {
                    id: r.try_get("id")?,
                    sector: r.try_get("code")?,
                    lat: r.try_get("lat")?,
                    lon: r.try_get("lon")?,
                    created_at: r.try_get("created_at")?,
                    status: r.try_get::<i64, _>("status")? as u8,
                    resolved_at: r.try_get("resolved_at")?,
                    address: r.try_get("address")?,
                    text: r.try_get("text")?,
                    responsible: r.try_get("responsible")?,
                    due_at: r.try_get("due_at")?,
                })
            })
            .collect()
    }
}
