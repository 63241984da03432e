//! Loaders of the decisions area: records by id, the records written from each review,
//! and the supersede links (the records each record superseded).

use std::{collections::HashMap, sync::Arc};

use async_graphql::dataloader::Loader;
use entity::decision_record;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::{
    error::ApiError,
    graphql::loaders::{group_by_org, ChildRelation, InOrg, LoadError, Registry},
    pagination::Order,
};

fn by_number() -> Order<decision_record::Entity> {
    super::decision_record_order(super::DecisionRecordSort::Number, false)
}

/// `ArchitectureReview.decisionRecords`: the records written from a review, by number.
pub struct ReviewDecisionRecords;

impl ChildRelation for ReviewDecisionRecords {
    type Entity = decision_record::Entity;
    fn parent_column() -> decision_record::Column {
        decision_record::Column::ReviewId
    }
    fn parent_of(m: &decision_record::Model) -> Uuid {
        // Only records of a review are loaded here, so the review is always set.
        m.review_id.unwrap_or_default()
    }
    fn order() -> Order<Self::Entity> {
        by_number()
    }
}

/// `DecisionRecord.supersedes`: the records a record replaced, by number.
pub struct DecisionSupersedes;

impl ChildRelation for DecisionSupersedes {
    type Entity = decision_record::Entity;
    fn parent_column() -> decision_record::Column {
        decision_record::Column::SupersededById
    }
    fn parent_of(m: &decision_record::Model) -> Uuid {
        // Only superseded records are loaded here, so the link is always set.
        m.superseded_by_id.unwrap_or_default()
    }
    fn order() -> Order<Self::Entity> {
        by_number()
    }
}

/// Every record each record superseded, for `DecisionRecord.markdown` (which lists
/// them all, not a page): one statement per batch.
pub struct SupersededRecords(DatabaseConnection);

impl Loader<InOrg> for SupersededRecords {
    type Value = Vec<decision_record::Model>;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[InOrg],
    ) -> Result<HashMap<InOrg, Vec<decision_record::Model>>, LoadError> {
        let mut out: HashMap<InOrg, Vec<decision_record::Model>> = HashMap::new();
        for (org, ids) in group_by_org(keys.iter().copied()) {
            let rows = decision_record::Entity::find()
                .filter(decision_record::Column::OrganizationId.eq(org))
                .filter(decision_record::Column::SupersededById.is_in(ids))
                .order_by_asc(decision_record::Column::Number)
                .all(&self.0)
                .await
                .map_err(|e| Arc::new(ApiError::from(e)))?;
            for row in rows {
                if let Some(parent) = row.superseded_by_id {
                    out.entry(InOrg { org, id: parent }).or_default().push(row);
                }
            }
        }
        Ok(out)
    }
}

/// Registers the loaders of this area.
pub fn register(r: Registry<'_>) -> Registry<'_> {
    let db = r.db.clone();
    r.by_id::<decision_record::Entity>()
        .relation::<ReviewDecisionRecords>()
        .relation::<DecisionSupersedes>()
        .with(SupersededRecords(db))
}
