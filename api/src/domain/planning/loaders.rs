//! Loaders of the planning area.

use entity::{dependency, initiative, outcome, outcome_initiative};
use uuid::Uuid;

use crate::{
    graphql::loaders::{ChildRelation, Registry},
    pagination::{Order, SortValue},
};

macro_rules! relation {
    ($(#[$m:meta])* $name:ident: $module:ident by $col:ident, $field:ident, $order:expr) => {
        $(#[$m])*
        pub struct $name;

        impl ChildRelation for $name {
            type Entity = $module::Entity;
            fn parent_column() -> $module::Column {
                $module::Column::$col
            }
            fn parent_of(m: &$module::Model) -> Uuid {
                Option::from(m.$field).unwrap_or_default()
            }
            fn order() -> Order<$module::Entity> {
                $order
            }
        }
    };
}

fn link_order() -> Order<outcome_initiative::Entity> {
    Order {
        column: outcome_initiative::Column::CreatedAt,
        id: outcome_initiative::Column::Id,
        descending: false,
        key: |m| SortValue::Time(m.created_at),
        id_of: |m| m.id,
    }
}

relation!(
    /// `Team.outcomes`: newest quarter first.
    TeamOutcomes: outcome by TeamId, team_id, super::outcome_order()
);
relation!(
    /// `Squad.outcomes`: newest quarter first.
    SquadOutcomes: outcome by SquadId, squad_id, super::outcome_order()
);
relation!(
    /// `Outcome.initiatives`: the links, in the order they were made.
    OutcomeLinks: outcome_initiative by OutcomeId, outcome_id, link_order()
);
relation!(
    /// `Initiative.outcomes`: the links, in the order they were made.
    InitiativeLinks: outcome_initiative by InitiativeId, initiative_id, link_order()
);
relation!(
    /// `Squad.initiatives`: oldest first.
    SquadInitiatives: initiative by SquadId, squad_id, super::initiative_order()
);
relation!(
    /// `Squad.dependencies`: what the squad needs from others, soonest due first.
    SquadNeeds: dependency by FromSquadId, from_squad_id, super::dependency_order()
);
relation!(
    /// `Squad.dependents`: what others need from the squad, soonest due first.
    SquadNeededBy: dependency by ToSquadId, to_squad_id, super::dependency_order()
);

/// Registers the loaders of this area.
pub fn register(r: Registry<'_>) -> Registry<'_> {
    r.by_id::<outcome::Entity>()
        .by_id::<initiative::Entity>()
        .by_id::<dependency::Entity>()
        .relation::<TeamOutcomes>()
        .relation::<SquadOutcomes>()
        .relation::<OutcomeLinks>()
        .relation::<InitiativeLinks>()
        .relation::<SquadInitiatives>()
        .relation::<SquadNeeds>()
        .relation::<SquadNeededBy>()
}
