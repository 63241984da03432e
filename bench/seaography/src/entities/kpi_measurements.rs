use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(schema_name = "bench", table_name = "kpi_measurements")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false, default_expr = "Expr::cust(\"gen_random_uuid()\")")]
    pub id: Uuid,
    pub kpi_id: Uuid,
    #[sea_orm(column_type = "Double")]
    pub value: f64,
    #[sea_orm(default_expr = "Expr::current_timestamp()")]
    pub recorded_at: DateTimeWithTimeZone,
    #[sea_orm(column_type = "Text", default_value = "")]
    pub note: String,
    #[sea_orm(default_expr = "Expr::current_timestamp()")]
    pub created_at: DateTimeWithTimeZone,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::kpis::Entity",
        from = "Column::KpiId",
        to = "super::kpis::Column::Id",
        on_update = "NoAction",
        on_delete = "Cascade"
    )]
    Kpis,
}

impl Related<super::kpis::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Kpis.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelatedEntity)]
pub enum RelatedEntity {
    #[sea_orm(entity = "super::kpis::Entity")]
    Kpis,
}
