use entity::enums::{Discipline, OrgRole};
use uuid::Uuid;

/// The authenticated caller of a request, within one organisation.
#[derive(Debug, Clone)]
pub struct Actor {
    org_id: Uuid,
    principal: Principal,
}

/// What kind of caller it is.
#[derive(Debug, Clone)]
pub enum Principal {
    /// A signed-in person.
    User {
        id: Uuid,
        org_role: OrgRole,
        discipline: Discipline,
    },
}

impl Actor {
    /// A signed-in user of `org_id`.
    pub fn user(org_id: Uuid, id: Uuid, org_role: OrgRole, discipline: Discipline) -> Self {
        Self {
            org_id,
            principal: Principal::User {
                id,
                org_role,
                discipline,
            },
        }
    }

    /// The tenant every query of this actor is confined to.
    pub fn org_id(&self) -> Uuid {
        self.org_id
    }

    /// The kind of caller.
    pub fn principal(&self) -> &Principal {
        &self.principal
    }

    /// The user behind the request.
    pub fn user_id(&self) -> Uuid {
        match &self.principal {
            Principal::User { id, .. } => *id,
        }
    }

    /// The discipline of a user caller.
    pub fn discipline(&self) -> Discipline {
        match &self.principal {
            Principal::User { discipline, .. } => *discipline,
        }
    }

    /// The organisation role of a user caller.
    pub fn org_role(&self) -> OrgRole {
        match &self.principal {
            Principal::User { org_role, .. } => *org_role,
        }
    }
}
