use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(schema_name = "bench", table_name = "kpis")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false, default_expr = "Expr::cust(\"gen_random_uuid()\")")]
    pub id: Uuid,
    pub squad_id: Uuid,
    #[sea_orm(column_type = "Text")]
    pub name: String,
    #[sea_orm(column_type = "Text", default_value = "")]
    pub description: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub unit: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub direction: String,
    #[sea_orm(column_type = "Text")]
    pub category: String,
    #[sea_orm(column_type = "Double", nullable)]
    pub baseline: Option<f64>,
    #[sea_orm(column_type = "Double", nullable)]
    pub target: Option<f64>,
    #[sea_orm(default_expr = "Expr::current_timestamp()")]
    pub created_at: DateTimeWithTimeZone,
    #[sea_orm(default_expr = "Expr::current_timestamp()")]
    pub updated_at: DateTimeWithTimeZone,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::squads::Entity",
        from = "Column::SquadId",
        to = "super::squads::Column::Id",
        on_update = "NoAction",
        on_delete = "Cascade"
    )]
    Squads,
    #[sea_orm(has_many = "super::kpi_measurements::Entity")]
    KpiMeasurements,
}

impl Related<super::squads::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Squads.def()
    }
}

impl Related<super::kpi_measurements::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::KpiMeasurements.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelatedEntity)]
pub enum RelatedEntity {
    #[sea_orm(entity = "super::squads::Entity")]
    Squads,
    #[sea_orm(entity = "super::kpi_measurements::Entity")]
    KpiMeasurements,
}
