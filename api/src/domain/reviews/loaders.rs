//! Loaders of the reviews area: reviews and comments by id, the reviewers and the
//! comments of each review, and the replies to each comment.

use entity::{architecture_review, review_comment, review_reviewer};
use uuid::Uuid;

use crate::{
    graphql::loaders::{ChildRelation, Registry},
    pagination::{Order, SortValue},
};

/// `ArchitectureReview.reviewers`: the assigned reviewers, in the order assigned.
pub struct ReviewReviewers;

impl ChildRelation for ReviewReviewers {
    type Entity = review_reviewer::Entity;
    fn parent_column() -> review_reviewer::Column {
        review_reviewer::Column::ReviewId
    }
    fn parent_of(m: &review_reviewer::Model) -> Uuid {
        m.review_id
    }
    fn order() -> Order<Self::Entity> {
        Order {
            column: review_reviewer::Column::CreatedAt,
            id: review_reviewer::Column::Id,
            descending: false,
            key: |m| SortValue::Time(m.created_at),
            id_of: |m| m.id,
        }
    }
}

fn comment_order() -> Order<review_comment::Entity> {
    Order {
        column: review_comment::Column::CreatedAt,
        id: review_comment::Column::Id,
        descending: false,
        key: |m| SortValue::Time(m.created_at),
        id_of: |m| m.id,
    }
}

/// `ArchitectureReview.comments`: every comment of a review, replies included, oldest
/// first.
pub struct ReviewComments;

impl ChildRelation for ReviewComments {
    type Entity = review_comment::Entity;
    fn parent_column() -> review_comment::Column {
        review_comment::Column::ReviewId
    }
    fn parent_of(m: &review_comment::Model) -> Uuid {
        m.review_id
    }
    fn order() -> Order<Self::Entity> {
        comment_order()
    }
}

/// `ReviewComment.replies`: the answers to a comment, oldest first.
pub struct CommentReplies;

impl ChildRelation for CommentReplies {
    type Entity = review_comment::Entity;
    fn parent_column() -> review_comment::Column {
        review_comment::Column::ReplyToId
    }
    fn parent_of(m: &review_comment::Model) -> Uuid {
        // Only replies are loaded here, so the parent is always set.
        m.reply_to_id.unwrap_or_default()
    }
    fn order() -> Order<Self::Entity> {
        comment_order()
    }
}

/// Registers the loaders of this area.
pub fn register(r: Registry<'_>) -> Registry<'_> {
    r.by_id::<architecture_review::Entity>()
        .by_id::<review_comment::Entity>()
        .relation::<ReviewReviewers>()
        .relation::<ReviewComments>()
        .relation::<CommentReplies>()
}
