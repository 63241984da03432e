//! The callers that permission tables name (STYLE "Tests"), one cast for every area.
//!
//! Everyone has one profile (name, discipline, organisation role) and one place in the
//! teams and squads a test asks for, so `TeamLead` means the same person in every file.
//! A test signs in only the callers it names, and creates only the places it names:
//!
//! ```ignore
//! let cast = Cast::with(&[TeamLead, Member, Viewer]).team("Payments").build(&app).await;
//! for (who, want) in [(Admin, Ok(())), (TeamLead, Ok(())), (Member, denied("FORBIDDEN"))] {
//!     let got = update_team(&app, cast.as_(who), json!({ "id": cast.team() })).await;
//!     assert_eq!(got.outcome(), want, "updateTeam as {who:?}");
//! }
//! ```

use super::{Session, TestApp};

/// Who calls. `Admin` and `OtherOrgAdmin` are always in the cast; anyone else only
/// when [`Cast::with`] names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    /// The ENGINEERING ADMIN who registered organisation "Acme".
    Admin,
    /// A PRODUCT ADMIN.
    ProductAdmin,
    /// An ENGINEERING MEMBER who is LEAD of the team.
    TeamLead,
    /// A PRODUCT MEMBER who is LEAD of the squad and a plain member of the team.
    SquadLead,
    /// An ENGINEERING MEMBER who is a plain member of the team and of the squad.
    Member,
    /// A DESIGN MEMBER of the other squad (of the same team) only.
    OtherSquadMember,
    /// An ENGINEERING MEMBER who is LEAD of the other team.
    OtherTeamLead,
    /// A PRODUCT MEMBER who is LEAD of the other team.
    ProductLead,
    /// An ENGINEERING MEMBER in no team: writes the reviews.
    Author,
    /// An ENGINEERING MEMBER in no team: reviews.
    Reviewer,
    /// Another ENGINEERING MEMBER in no team who reviews.
    SecondReviewer,
    /// An ENGINEERING MEMBER in no team, with no part in anything.
    Engineer,
    /// A PRODUCT MEMBER in no team or squad.
    ProductMember,
    /// An ENGINEERING VIEWER who is (even) LEAD of the team and of the squad.
    Viewer,
    /// The ADMIN who registered another organisation, "Globex".
    OtherOrgAdmin,
}

/// The teams and squads a cast works in, each created by [`CastBuilder::build`] when
/// the builder names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// The team.
    Team,
    /// The squad, in the team.
    Squad,
    /// Another squad of the team.
    OtherSquad,
    /// Another team of the organisation.
    OtherTeam,
}

/// The allocation each caller gives a squad they join: ten squads fit in 100%.
const SQUAD_ALLOCATION: i32 = 10;

impl Who {
    /// Display name, discipline and organisation role; `None` for the two admins, who
    /// register their organisations.
    fn profile(self) -> Option<(&'static str, &'static str, &'static str)> {
        use Who::*;
        Some(match self {
            Admin | OtherOrgAdmin => return None,
            ProductAdmin => ("Paula Admin", "PRODUCT", "ADMIN"),
            TeamLead => ("Tess Lead", "ENGINEERING", "MEMBER"),
            SquadLead => ("Sam Squad", "PRODUCT", "MEMBER"),
            Member => ("Max Member", "ENGINEERING", "MEMBER"),
            OtherSquadMember => ("Wanda Wallet", "DESIGN", "MEMBER"),
            OtherTeamLead => ("Otto Other", "ENGINEERING", "MEMBER"),
            ProductLead => ("Pia Productlead", "PRODUCT", "MEMBER"),
            Author => ("Ada Author", "ENGINEERING", "MEMBER"),
            Reviewer => ("Rita Reviewer", "ENGINEERING", "MEMBER"),
            SecondReviewer => ("Rob Reviewer", "ENGINEERING", "MEMBER"),
            Engineer => ("Eve Engineer", "ENGINEERING", "MEMBER"),
            ProductMember => ("Pat Product", "PRODUCT", "MEMBER"),
            Viewer => ("Vic Viewer", "ENGINEERING", "VIEWER"),
        })
    }

    /// The role (LEAD or MEMBER) this caller has in `place`, if they belong there.
    pub fn role_in(self, place: Place) -> Option<&'static str> {
        use {Place::*, Who::*};
        match (self, place) {
            (TeamLead | Viewer, Team) | (SquadLead | Viewer, Squad) => Some("LEAD"),
            (SquadLead | Member, Team) | (Member, Squad) => Some("MEMBER"),
            (OtherSquadMember, OtherSquad) => Some("MEMBER"),
            (OtherTeamLead | ProductLead, OtherTeam) => Some("LEAD"),
            _ => None,
        }
    }
}

/// A table's expectation for a caller who is refused with `code`.
pub fn denied(code: &str) -> Result<(), String> {
    Err(code.to_owned())
}

/// The signed-in callers of a test and the places they work in.
pub struct Cast {
    /// [`Who::Admin`].
    pub admin: Session,
    /// [`Who::OtherOrgAdmin`].
    pub other_admin: Session,
    callers: Vec<(Who, Session)>,
    places: Vec<(Place, String)>,
}

/// Which callers and places a [`Cast`] gets; [`CastBuilder::build`] makes them.
#[must_use]
pub struct CastBuilder<'a> {
    callers: &'a [Who],
    places: Vec<(Place, &'a str)>,
}

impl Cast {
    /// A cast of the two admins and `callers`.
    pub fn with(callers: &[Who]) -> CastBuilder<'_> {
        for who in callers {
            assert!(who.profile().is_some(), "{who:?} is always in the cast");
        }
        CastBuilder {
            callers,
            places: Vec::new(),
        }
    }

    /// The caller's session.
    pub fn as_(&self, who: Who) -> &Session {
        match who {
            Who::Admin => &self.admin,
            Who::OtherOrgAdmin => &self.other_admin,
            _ => self
                .callers
                .iter()
                .find(|(w, _)| *w == who)
                .map(|(_, s)| s)
                .unwrap_or_else(|| panic!("{who:?} is not in this cast: name them in Cast::with")),
        }
    }

    /// The id of the team ([`Place::Team`]).
    pub fn team(&self) -> &str {
        self.place(Place::Team)
    }

    /// The id of the squad ([`Place::Squad`]).
    pub fn squad(&self) -> &str {
        self.place(Place::Squad)
    }

    /// The id of the other squad of the team ([`Place::OtherSquad`]).
    pub fn other_squad(&self) -> &str {
        self.place(Place::OtherSquad)
    }

    /// The id of the other team ([`Place::OtherTeam`]).
    pub fn other_team(&self) -> &str {
        self.place(Place::OtherTeam)
    }

    fn place(&self, place: Place) -> &str {
        self.places
            .iter()
            .find(|(p, _)| *p == place)
            .map(|(_, id)| id.as_str())
            .unwrap_or_else(|| panic!("this cast has no {place:?}: name it on Cast::with"))
    }

    /// Creates one more team `name` whose members are those of [`Place::Team`], for a
    /// table that needs a fresh team per row; returns its id.
    pub async fn new_team(&self, app: &TestApp, name: &str) -> String {
        let team = app.create_team(&self.admin, name).await;
        self.staff(app, Place::Team, &team).await;
        team
    }

    /// Adds every caller who belongs in `place` to the team or squad `id`.
    async fn staff(&self, app: &TestApp, place: Place, id: &str) {
        for (who, session) in &self.callers {
            let Some(role) = who.role_in(place) else {
                continue;
            };
            match place {
                Place::Team | Place::OtherTeam => {
                    app.add_team_member(&self.admin, id, &session.user_id, role)
                        .await;
                }
                Place::Squad | Place::OtherSquad => {
                    app.add_squad_member(&self.admin, id, &session.user_id, role, SQUAD_ALLOCATION)
                        .await
                        .data();
                }
            }
        }
    }
}

impl<'a> CastBuilder<'a> {
    /// Creates the team, named `name`.
    pub fn team(self, name: &'a str) -> Self {
        self.place(Place::Team, name)
    }

    /// Creates the squad, in the team, named `name`.
    pub fn squad(self, name: &'a str) -> Self {
        self.place(Place::Squad, name)
    }

    /// Creates the other squad, in the team, named `name`.
    pub fn other_squad(self, name: &'a str) -> Self {
        self.place(Place::OtherSquad, name)
    }

    /// Creates the other team, named `name`.
    pub fn other_team(self, name: &'a str) -> Self {
        self.place(Place::OtherTeam, name)
    }

    fn place(mut self, place: Place, name: &'a str) -> Self {
        self.places.push((place, name));
        self
    }

    /// Registers "Acme" and "Globex", signs the callers in, then creates the places
    /// (teams before squads) with everyone who belongs in them.
    pub async fn build(self, app: &TestApp) -> Cast {
        let admin = app.register_org("Acme").await;
        let mut callers = Vec::new();
        for &who in self.callers {
            let (name, discipline, org_role) = who.profile().expect("a caller with a profile");
            callers.push((who, app.add_user(&admin, name, discipline, org_role).await));
        }
        let other_admin = app.register_org("Globex").await;
        let mut cast = Cast {
            admin,
            other_admin,
            callers,
            places: Vec::new(),
        };
        let order = [
            Place::Team,
            Place::OtherTeam,
            Place::Squad,
            Place::OtherSquad,
        ];
        for place in order {
            let Some(&(_, name)) = self.places.iter().find(|(p, _)| *p == place) else {
                continue;
            };
            let id = match place {
                Place::Team | Place::OtherTeam => app.create_team(&cast.admin, name).await,
                Place::Squad | Place::OtherSquad => {
                    app.create_squad(&cast.admin, cast.team(), name).await
                }
            };
            cast.staff(app, place, &id).await;
            cast.places.push((place, id));
        }
        cast
    }
}
