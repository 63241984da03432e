//! No N+1: a nested query costs a fixed number of SQL statements, whatever its size.

use serde_json::json;

use crate::common::{Session, TestApp};

const NESTED: &str = r#"{
  teams(first: 100) {
    totalCount
    edges { node {
      name
      members { totalCount edges { node { role user { displayName discipline } } } }
      squads { totalCount edges { node {
        name disciplines isCrossFunctional team { name }
        members { totalCount edges { node { allocationPercent user { displayName squads { totalCount } } } } }
      } } }
    } }
  }
}"#;

/// Seeds `n` teams, each with a lead and two squads of three members (one per
/// discipline), and returns the statements the nested query ran.
async fn statements_for(
    app: &TestApp,
    admin: &Session,
    people: &[Session],
    n: usize,
    first: usize,
) -> u64 {
    for i in first..first + n {
        let team = app.create_team(admin, &format!("Team {i:03}")).await;
        app.add_team_member(admin, &team, &people[0].user_id, "LEAD")
            .await;
        for s in 0..2 {
            let squad = app
                .create_squad(admin, &team, &format!("Squad {i:03}-{s}"))
                .await;
            for p in people {
                app.add_squad_member(admin, &squad, &p.user_id, "MEMBER", 1)
                    .await
                    .data();
            }
        }
    }
    let before = app.statements.get();
    let res = app.gql_as(admin, NESTED, json!({})).await;
    let after = app.statements.get();
    let teams = res.data()["teams"]["edges"].as_array().unwrap();
    assert_eq!(teams.len(), first + n);
    let squad = &teams[0]["node"]["squads"]["edges"][0]["node"];
    assert_eq!(squad["isCrossFunctional"], true);
    assert_eq!(squad["members"]["totalCount"], 3);
    after - before
}

async fn a_nested_query_of_10_or_50_teams_costs_statements_bounded_by_its_shape(app: TestApp) {
    let admin = app.register_org("Acme").await;
    let people = vec![
        app.add_user(&admin, "Erin Engineer", "ENGINEERING", "MEMBER")
            .await,
        app.add_user(&admin, "Pat Product", "PRODUCT", "MEMBER")
            .await,
        app.add_user(&admin, "Dana Designer", "DESIGN", "MEMBER")
            .await,
    ];
    let ten = statements_for(&app, &admin, &people, 10, 0).await;
    let fifty = statements_for(&app, &admin, &people, 40, 10).await;
    println!(
        "nested teams query ({:?}): 10 teams: {ten} statements; 50 teams: {fifty} statements",
        app.db_kind
    );
    // One statement per loader per wave of the query's shape: 1 to authenticate, 2 for
    // the teams page and its total, then a page and a count per nested connection and
    // one by-id batch per object field. Loads of one loader from two waves (`user` at
    // two depths) may or may not share a batch, depending on which wave's rows come
    // back first, so the count varies a little between runs, but it is bounded by the
    // shape alone, never by the number of rows: an N+1 would cost 50 to 300 statements
    // here. `kpi_statements.rs` pins an exact count for a shape whose loaders each
    // serve one wave.
    const SHAPE_BOUND: u64 = 30;
    assert!(ten <= SHAPE_BOUND, "{ten} statements for 10 teams");
    assert!(fifty <= SHAPE_BOUND, "{fifty} statements for 50 teams");
}

crate::db_tests!(a_nested_query_of_10_or_50_teams_costs_statements_bounded_by_its_shape);
