//! Identity end to end: signing up, signing in, tokens, invites and user
//! administration (DESIGN §2 "invite users, change roles, deactivate", §3 errors).

use futures_util::future::join_all;
use serde_json::{json, Value};

use crate::common::{base64url, denied, global_id, Cast, Gql, Session, TestApp, Who};

/// The password `TestApp::register_org` gives an organisation's first admin.
const ADMIN_PASSWORD: &str = "correct horse battery";
/// The password `TestApp::add_user` gives an invitee.
const INVITEE_PASSWORD: &str = "another good password";

const REGISTER: &str = r#"mutation($input: RegisterOrganizationInput!) {
    registerOrganization(input: $input) {
        accessToken refreshToken expiresIn
        user { id email displayName discipline orgRole isActive organization { name slug } }
    }
}"#;

const LOGIN: &str = r#"mutation($input: LoginInput!) {
    login(input: $input) { accessToken refreshToken expiresIn user { id email } }
}"#;

const REFRESH: &str = r#"mutation($input: RefreshTokenInput!) {
    refreshToken(input: $input) { accessToken refreshToken expiresIn user { id email } }
}"#;

const LOGOUT: &str = r#"mutation($input: LogoutInput!) { logout(input: $input) { success } }"#;

const VIEWER: &str = r#"{ viewer {
    id email displayName discipline orgRole isActive hasAcceptedInvite organization { id name }
} }"#;

const INVITE: &str = r#"mutation($input: InviteUserInput!) {
    inviteUser(input: $input) {
        inviteToken
        user { id email displayName discipline orgRole hasAcceptedInvite }
    }
}"#;

const ACCEPT: &str = r#"mutation($input: AcceptInviteInput!) {
    acceptInvite(input: $input) { accessToken refreshToken user { id email discipline orgRole } }
}"#;

const UPDATE_ROLE: &str = r#"mutation($input: UpdateUserRoleInput!) {
    updateUserRole(input: $input) { user { id orgRole version } }
}"#;

const DEACTIVATE: &str = r#"mutation($input: DeactivateUserInput!) {
    deactivateUser(input: $input) { user { id isActive deactivatedAt } }
}"#;

const USER: &str = r#"query($id: ID!) {
    node(id: $id) { ... on User { id orgRole isActive version } }
}"#;

const USERS: &str = r#"query($filter: UserFilter) { viewer { organization {
    users(first: 100, filter: $filter) { totalCount nodes { displayName isActive discipline } }
} } }"#;

// ---------------------------------------------------------------------------------
// Helpers

fn register_input(org: &str, email: &str, password: &str, display_name: &str) -> Value {
    json!({ "input": {
        "organizationName": org, "email": email, "password": password,
        "displayName": display_name, "discipline": "PRODUCT"
    }})
}

async fn register(app: &TestApp, input: Value) -> Gql {
    app.gql(None, REGISTER, input).await
}

async fn login(app: &TestApp, email: &str, password: &str) -> Gql {
    app.gql(
        None,
        LOGIN,
        json!({ "input": { "email": email, "password": password } }),
    )
    .await
}

async fn refresh(app: &TestApp, refresh_token: &str) -> Gql {
    app.gql(
        None,
        REFRESH,
        json!({ "input": { "refreshToken": refresh_token } }),
    )
    .await
}

async fn viewer(app: &TestApp, access_token: &str) -> Gql {
    app.gql(Some(access_token), VIEWER, json!({})).await
}

async fn invite(app: &TestApp, who: &Session, email: &str, discipline: &str, role: &str) -> Gql {
    app.gql_as(
        who,
        INVITE,
        json!({ "input": {
            "email": email, "displayName": "Ivy Invitee",
            "discipline": discipline, "orgRole": role
        }}),
    )
    .await
}

async fn accept(app: &TestApp, invite_token: &str, password: &str) -> Gql {
    app.gql(
        None,
        ACCEPT,
        json!({ "input": { "inviteToken": invite_token, "password": password } }),
    )
    .await
}

async fn update_role(app: &TestApp, who: &Session, user_id: &str, role: &str) -> Gql {
    app.gql_as(
        who,
        UPDATE_ROLE,
        json!({ "input": { "userId": user_id, "orgRole": role } }),
    )
    .await
}

async fn deactivate(app: &TestApp, who: &Session, user_id: &str) -> Gql {
    app.gql_as(who, DEACTIVATE, json!({ "input": { "userId": user_id } }))
        .await
}

/// A user of `who`'s organisation as `who` sees it (`node`).
async fn user(app: &TestApp, who: &Session, user_id: &str) -> Value {
    app.gql_as(who, USER, json!({ "id": user_id })).await.data()["node"].clone()
}

/// The organisation's user list with `filter`: (totalCount, display names in order).
async fn users(app: &TestApp, who: &Session, filter: Value) -> (i64, Vec<String>) {
    let res = app.gql_as(who, USERS, json!({ "filter": filter })).await;
    let conn = &res.data()["viewer"]["organization"]["users"];
    let names = conn["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["displayName"].as_str().unwrap().to_owned())
        .collect();
    (conn["totalCount"].as_i64().unwrap(), names)
}

/// The `Session` that an `AuthPayload` at `data[field]` describes.
fn session_of(res: &Gql, field: &str) -> Session {
    Session::from_auth_payload(&res.data()[field])
}

// ---------------------------------------------------------------------------------
// registerOrganization

async fn registering_an_organisation_signs_in_its_first_user_as_an_admin(app: TestApp) {
    let res = register(
        &app,
        register_input(
            "Acme Corp",
            "Founder@Acme.TEST",
            "ten chars!",
            "Fay Founder",
        ),
    )
    .await;
    let payload = &res.data()["registerOrganization"];
    let user = &payload["user"];
    assert_eq!(user["email"], "founder@acme.test", "emails are lower-cased");
    assert_eq!(user["displayName"], "Fay Founder");
    assert_eq!(user["discipline"], "PRODUCT");
    assert_eq!(user["orgRole"], "ADMIN");
    assert_eq!(user["isActive"], true);
    assert_eq!(user["organization"]["name"], "Acme Corp");
    assert_eq!(user["organization"]["slug"], "acme-corp");
    let expires_in = payload["expiresIn"].as_i64().unwrap();
    assert!(
        (1..=3600).contains(&expires_in),
        "a short-lived access token, got {expires_in}s"
    );
    assert!(!payload["refreshToken"].as_str().unwrap().is_empty());
    assert_ne!(payload["refreshToken"], payload["accessToken"]);

    let me = viewer(&app, payload["accessToken"].as_str().unwrap()).await;
    assert_eq!(me.data()["viewer"]["id"], user["id"]);
    assert_eq!(me.data()["viewer"]["orgRole"], "ADMIN");
    assert_eq!(me.data()["viewer"]["organization"]["name"], "Acme Corp");
}

async fn an_email_already_registered_cannot_register_again_in_any_casing(app: TestApp) {
    app.register_org("Acme").await;
    for email in ["admin@acme.test", "ADMIN@Acme.Test", "  Admin@acme.test "] {
        let res = register(
            &app,
            register_input("Initech", email, ADMIN_PASSWORD, "Ian"),
        )
        .await;
        assert_eq!(res.error_code(), Some("BAD_USER_INPUT"), "{email:?}");
        assert_eq!(res.error_field(), Some("email"), "{email:?}");
        assert!(res.body["data"].is_null(), "{email:?}: {}", res.body);
    }
    // The refused attempts left no organisation behind: the name's slug is still free.
    let res = register(
        &app,
        register_input("Initech", "ian@initech.test", ADMIN_PASSWORD, "Ian"),
    )
    .await;
    assert_eq!(
        res.data()["registerOrganization"]["user"]["organization"]["slug"],
        "initech"
    );
}

async fn registration_refuses_bad_input_and_names_the_field(app: TestApp) {
    let good = || register_input("Acme", "ada@acme.test", ADMIN_PASSWORD, "Ada");
    let long_name = "x".repeat(300);
    let cases: [(&str, &str, Value, &str); 6] = [
        (
            "a 9-character password",
            "password",
            json!("nine char"),
            "password",
        ),
        (
            "an email without @",
            "email",
            json!("ada.acme.test"),
            "email",
        ),
        (
            "an email without a domain",
            "email",
            json!("ada@acme"),
            "email",
        ),
        (
            "an empty organisation name",
            "organizationName",
            json!(""),
            "organizationName",
        ),
        (
            "a blank organisation name",
            "organizationName",
            json!("   "),
            "organizationName",
        ),
        (
            "a 300-character display name",
            "displayName",
            json!(long_name),
            "displayName",
        ),
    ];
    for (case, input_field, value, want_field) in cases {
        let mut vars = good();
        vars["input"][input_field] = value;
        let res = register(&app, vars).await;
        assert_eq!(res.error_code(), Some("BAD_USER_INPUT"), "{case}");
        assert_eq!(res.error_field(), Some(want_field), "{case}");
    }
    // Nothing was half-created by the refusals: the corrected input registers, and a
    // password of exactly 10 characters is long enough.
    let mut vars = good();
    vars["input"]["password"] = json!("ten chars!");
    let res = register(&app, vars).await;
    assert_eq!(
        res.data()["registerOrganization"]["user"]["email"],
        "ada@acme.test"
    );
}

async fn two_organisations_with_the_same_name_both_register_with_different_slugs(app: TestApp) {
    let mut slugs = Vec::new();
    for email in ["ada@one.test", "bob@two.test"] {
        let res = register(
            &app,
            register_input("Acme", email, ADMIN_PASSWORD, "Founder"),
        )
        .await;
        let org = &res.data()["registerOrganization"]["user"]["organization"];
        assert_eq!(org["name"], "Acme");
        slugs.push(org["slug"].as_str().unwrap().to_owned());
    }
    assert_eq!(slugs[0], "acme");
    assert_ne!(slugs[0], slugs[1], "slugs are unique");
    assert!(slugs[1].starts_with("acme"), "{}", slugs[1]);
}

// ---------------------------------------------------------------------------------
// login and viewer

async fn a_user_signs_in_with_their_password_and_any_casing_of_their_email(app: TestApp) {
    let admin = app.register_org("Acme").await;
    let res = login(&app, "  ADMIN@Acme.Test ", ADMIN_PASSWORD).await;
    let signed_in = session_of(&res, "login");
    assert_eq!(signed_in.user_id, admin.user_id);
    assert_eq!(signed_in.email, "admin@acme.test");
    assert_ne!(signed_in.refresh_token, admin.refresh_token, "a new login");
    let me = viewer(&app, &signed_in.token).await;
    assert_eq!(me.data()["viewer"]["id"], json!(admin.user_id));
}

async fn a_wrong_password_and_an_unknown_email_are_refused_alike(app: TestApp) {
    app.register_org("Acme").await;
    let wrong_password = login(&app, "admin@acme.test", "not the password").await;
    let unknown_email = login(&app, "nobody@acme.test", ADMIN_PASSWORD).await;
    for res in [&wrong_password, &unknown_email] {
        assert_eq!(res.error_code(), Some("UNAUTHENTICATED"), "{}", res.body);
        assert!(res.body["data"].is_null(), "{}", res.body);
    }
    assert_eq!(
        wrong_password.error_message(),
        unknown_email.error_message(),
        "the message must not tell which accounts exist"
    );
    assert_eq!(wrong_password.body["errors"], unknown_email.body["errors"]);
}

async fn viewer_without_a_token_is_unauthenticated(app: TestApp) {
    app.register_org("Acme").await;
    let res = app.gql(None, VIEWER, json!({})).await;
    assert_eq!(res.error_code(), Some("UNAUTHENTICATED"));
    assert!(res.body["data"].is_null(), "{}", res.body);
}

async fn a_garbage_or_tampered_token_is_unauthenticated(app: TestApp) {
    let admin = app.register_org("Acme").await;
    let member = app
        .add_user(&admin, "Mia Member", "ENGINEERING", "MEMBER")
        .await;
    let parts = |t: &str| -> Vec<String> { t.split('.').map(str::to_owned).collect() };
    let (a, m) = (parts(&admin.token), parts(&member.token));
    assert_eq!(a.len(), 3, "a JWT");

    // The admin's claims under the member's signature.
    let swapped_claims = format!("{}.{}.{}", m[0], a[1], m[2]);
    // One character of the signature changed.
    let mut sig = a[2].clone();
    let first = if sig.starts_with('A') { "B" } else { "A" };
    sig.replace_range(0..1, first);
    let bad_signature = format!("{}.{}.{sig}", a[0], a[1]);
    // Unsigned (`alg: none`) with the admin's claims.
    let unsigned = format!("{}.{}.", base64url(br#"{"alg":"none","typ":"JWT"}"#), a[1]);

    for (case, token) in [
        ("garbage", "garbage".to_owned()),
        ("claims swapped", swapped_claims),
        ("signature changed", bad_signature),
        ("alg none", unsigned),
        ("signature cut", format!("{}.{}", a[0], a[1])),
        ("a refresh token", admin.refresh_token.clone()),
    ] {
        let res = viewer(&app, &token).await;
        assert_eq!(
            res.error_code(),
            Some("UNAUTHENTICATED"),
            "{case}: {}",
            res.body
        );
    }
    // The genuine tokens still work: the refusals were about the tampering.
    for who in [&admin, &member] {
        assert_eq!(
            viewer(&app, &who.token).await.data()["viewer"]["id"],
            json!(who.user_id)
        );
    }
}

// ---------------------------------------------------------------------------------
// refreshToken and logout

async fn a_refresh_token_is_exchanged_for_new_working_tokens(app: TestApp) {
    let admin = app.register_org("Acme").await;
    let res = refresh(&app, &admin.refresh_token).await;
    let renewed = session_of(&res, "refreshToken");
    assert_eq!(renewed.user_id, admin.user_id);
    assert_ne!(renewed.refresh_token, admin.refresh_token, "rotated");
    assert!(res.data()["refreshToken"]["expiresIn"].as_i64().unwrap() > 0);
    let me = viewer(&app, &renewed.token).await;
    assert_eq!(me.data()["viewer"]["id"], json!(admin.user_id));
    // The new refresh token is good for the next exchange.
    let again = refresh(&app, &renewed.refresh_token).await;
    assert_eq!(session_of(&again, "refreshToken").user_id, admin.user_id);
}

async fn reusing_a_refresh_token_ends_its_whole_login(app: TestApp) {
    let admin = app.register_org("Acme").await;
    let other_login = session_of(&login(&app, &admin.email, ADMIN_PASSWORD).await, "login");
    let newer = session_of(&refresh(&app, &admin.refresh_token).await, "refreshToken");

    let reuse = refresh(&app, &admin.refresh_token).await;
    assert_eq!(
        reuse.error_code(),
        Some("UNAUTHENTICATED"),
        "{}",
        reuse.body
    );
    let after_reuse = refresh(&app, &newer.refresh_token).await;
    assert_eq!(
        after_reuse.error_code(),
        Some("UNAUTHENTICATED"),
        "the newer token of the same login is revoked too: {}",
        after_reuse.body
    );
    // Only that login ended: the user's other login goes on.
    let res = refresh(&app, &other_login.refresh_token).await;
    assert_eq!(session_of(&res, "refreshToken").user_id, admin.user_id);
}

async fn ten_parallel_refreshes_of_one_token_succeed_exactly_once(app: TestApp) {
    let admin = app.register_org("Acme").await;
    let results = join_all((0..10).map(|_| refresh(&app, &admin.refresh_token))).await;
    let winners = results.iter().filter(|r| r.outcome().is_ok()).count();
    assert_eq!(winners, 1, "{results:#?}");
    for res in results.iter().filter(|r| r.outcome().is_err()) {
        assert_eq!(res.error_code(), Some("UNAUTHENTICATED"), "{}", res.body);
    }
}

async fn after_logout_the_refresh_token_no_longer_works(app: TestApp) {
    let admin = app.register_org("Acme").await;
    let rotated = session_of(&refresh(&app, &admin.refresh_token).await, "refreshToken");
    let res = app
        .gql(
            None,
            LOGOUT,
            json!({ "input": { "refreshToken": rotated.refresh_token } }),
        )
        .await;
    assert_eq!(res.data()["logout"]["success"], true);
    let res = refresh(&app, &rotated.refresh_token).await;
    assert_eq!(res.error_code(), Some("UNAUTHENTICATED"), "{}", res.body);
    // Signing in again starts a new login that works.
    let again = session_of(&login(&app, &admin.email, ADMIN_PASSWORD).await, "login");
    let res = refresh(&app, &again.refresh_token).await;
    assert_eq!(session_of(&res, "refreshToken").user_id, admin.user_id);
}

// ---------------------------------------------------------------------------------
// inviteUser and acceptInvite

async fn an_invited_user_accepts_and_signs_in_with_their_discipline_and_role(app: TestApp) {
    let admin = app.register_org("Acme").await;
    let res = invite(&app, &admin, "Pia@Acme.Test", "PRODUCT", "VIEWER").await;
    let payload = &res.data()["inviteUser"];
    let invited = &payload["user"];
    assert_eq!(invited["email"], "pia@acme.test");
    assert_eq!(invited["hasAcceptedInvite"], false);
    let invite_token = payload["inviteToken"].as_str().unwrap();

    // No password yet: nothing signs in before the invite is accepted.
    let res = login(&app, "pia@acme.test", "any password at all").await;
    assert_eq!(res.error_code(), Some("UNAUTHENTICATED"));

    let res = accept(&app, invite_token, "a brand new password").await;
    let accepted = session_of(&res, "acceptInvite");
    assert_eq!(json!(accepted.user_id), invited["id"]);

    let res = login(&app, "PIA@acme.test", "a brand new password").await;
    let signed_in = session_of(&res, "login");
    let me = viewer(&app, &signed_in.token).await;
    let me = &me.data()["viewer"];
    assert_eq!(me["id"], invited["id"]);
    assert_eq!(me["discipline"], "PRODUCT");
    assert_eq!(me["orgRole"], "VIEWER");
    assert_eq!(me["hasAcceptedInvite"], true);
    let admin_org = viewer(&app, &admin.token).await.data()["viewer"]["organization"]["id"].clone();
    assert_eq!(
        me["organization"]["id"], admin_org,
        "joins the inviter's organisation"
    );
}

async fn an_invite_works_only_once(app: TestApp) {
    let admin = app.register_org("Acme").await;
    let res = invite(&app, &admin, "pia@acme.test", "DESIGN", "MEMBER").await;
    let token = res.data()["inviteUser"]["inviteToken"]
        .as_str()
        .unwrap()
        .to_owned();
    accept(&app, &token, "the first password").await.data();
    let second = accept(&app, &token, "the second password").await;
    assert_eq!(
        second.error_code(),
        Some("UNAUTHENTICATED"),
        "{}",
        second.body
    );
    // The second attempt changed nothing.
    let res = login(&app, "pia@acme.test", "the second password").await;
    assert_eq!(res.error_code(), Some("UNAUTHENTICATED"));
    login(&app, "pia@acme.test", "the first password")
        .await
        .data();
}

async fn a_bad_invite_token_is_unauthenticated(app: TestApp) {
    let admin = app.register_org("Acme").await;
    let res = invite(&app, &admin, "pia@acme.test", "DESIGN", "MEMBER").await;
    let token = res.data()["inviteUser"]["inviteToken"]
        .as_str()
        .unwrap()
        .to_owned();
    for bad in [
        "nsi_not-a-real-token".to_owned(),
        format!("{token}x"),
        String::new(),
    ] {
        let res = accept(&app, &bad, "a good long password").await;
        assert_eq!(
            res.error_code(),
            Some("UNAUTHENTICATED"),
            "{bad:?}: {}",
            res.body
        );
    }
    accept(&app, &token, "a good long password").await.data();
}

async fn an_invitee_password_shorter_than_ten_characters_is_refused(app: TestApp) {
    let admin = app.register_org("Acme").await;
    let res = invite(&app, &admin, "pia@acme.test", "DESIGN", "MEMBER").await;
    let token = res.data()["inviteUser"]["inviteToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let res = accept(&app, &token, "nine char").await;
    assert_eq!(res.error_code(), Some("BAD_USER_INPUT"));
    assert_eq!(res.error_field(), Some("password"));
    // The refusal did not use the invite up.
    accept(&app, &token, "ten chars!").await.data();
    login(&app, "pia@acme.test", "ten chars!").await.data();
}

async fn an_email_already_registered_cannot_be_invited(app: TestApp) {
    let admin = app.register_org("Acme").await;
    let other = app.register_org("Globex").await;
    let member = app
        .add_user(&admin, "Mia Member", "ENGINEERING", "MEMBER")
        .await;
    let pending = invite(&app, &admin, "pending@acme.test", "DESIGN", "MEMBER").await;
    pending.data();
    for email in [
        "ADMIN@acme.test",
        member.email.as_str(),
        other.email.as_str(),
        "pending@acme.test",
    ] {
        let res = invite(&app, &admin, email, "DESIGN", "MEMBER").await;
        assert_eq!(
            res.error_code(),
            Some("BAD_USER_INPUT"),
            "{email}: {}",
            res.body
        );
        assert_eq!(res.error_field(), Some("email"), "{email}");
    }
}

// ---------------------------------------------------------------------------------
// Who may administer users (DESIGN §2: ADMIN only)

async fn only_an_admin_may_invite_users(app: TestApp) {
    let cast = Cast::with(&[Who::Member, Who::Viewer]).build(&app).await;
    let vars = json!({ "input": {
        "email": "new@acme.test", "displayName": "New Person",
        "discipline": "DESIGN", "orgRole": "MEMBER"
    }});
    // Admin last, with the same email: its success shows the denied calls left nothing.
    for (who, want) in [
        (Who::Member, denied("FORBIDDEN")),
        (Who::Viewer, denied("FORBIDDEN")),
        (Who::Admin, Ok(())),
    ] {
        let got = app
            .gql_as(cast.as_(who), INVITE, vars.clone())
            .await
            .outcome();
        assert_eq!(got, want, "inviteUser as {who:?}");
    }
    let (total, names) = users(&app, &cast.admin, json!({ "search": "New Person" })).await;
    assert_eq!((total, names), (1, vec!["New Person".to_owned()]));
}

async fn only_an_admin_may_change_a_users_role(app: TestApp) {
    let cast = Cast::with(&[Who::Member, Who::Viewer]).build(&app).await;
    let target = app
        .add_user(&cast.admin, "Tess Target", "PRODUCT", "MEMBER")
        .await;
    let vars = json!({ "input": { "userId": target.user_id, "orgRole": "VIEWER" } });
    for (who, want) in [
        (Who::Member, denied("FORBIDDEN")),
        (Who::Viewer, denied("FORBIDDEN")),
        (Who::OtherOrgAdmin, denied("NOT_FOUND")),
        (Who::Admin, Ok(())),
    ] {
        let got = app
            .gql_as(cast.as_(who), UPDATE_ROLE, vars.clone())
            .await
            .outcome();
        assert_eq!(got, want, "updateUserRole as {who:?}");
        let role = &user(&app, &cast.admin, &target.user_id).await["orgRole"];
        let expected = if want.is_ok() { "VIEWER" } else { "MEMBER" };
        assert_eq!(role, expected, "role after updateUserRole as {who:?}");
    }
    // The target itself may not promote itself either.
    let res = update_role(&app, &target, &target.user_id, "ADMIN").await;
    assert_eq!(res.error_code(), Some("FORBIDDEN"));
}

async fn only_an_admin_may_deactivate_a_user(app: TestApp) {
    let cast = Cast::with(&[Who::Member, Who::Viewer]).build(&app).await;
    let target = app
        .add_user(&cast.admin, "Tess Target", "PRODUCT", "MEMBER")
        .await;
    let vars = json!({ "input": { "userId": target.user_id } });
    for (who, want) in [
        (Who::Member, denied("FORBIDDEN")),
        (Who::Viewer, denied("FORBIDDEN")),
        (Who::OtherOrgAdmin, denied("NOT_FOUND")),
        (Who::Admin, Ok(())),
    ] {
        let got = app
            .gql_as(cast.as_(who), DEACTIVATE, vars.clone())
            .await
            .outcome();
        assert_eq!(got, want, "deactivateUser as {who:?}");
        let active = &user(&app, &cast.admin, &target.user_id).await["isActive"];
        assert_eq!(
            active,
            want.is_err(),
            "isActive after deactivateUser as {who:?}"
        );
    }
}

// ---------------------------------------------------------------------------------
// deactivateUser and updateUserRole

async fn a_deactivated_users_token_stops_working_at_once(app: TestApp) {
    let admin = app.register_org("Acme").await;
    let member = app
        .add_user(&admin, "Mia Member", "ENGINEERING", "MEMBER")
        .await;
    viewer(&app, &member.token).await.data();

    let res = deactivate(&app, &admin, &member.user_id).await;
    let deactivated = &res.data()["deactivateUser"]["user"];
    assert_eq!(deactivated["isActive"], false);
    assert!(deactivated["deactivatedAt"].is_string(), "{deactivated}");

    let res = viewer(&app, &member.token).await;
    assert_eq!(
        res.error_code(),
        Some("UNAUTHENTICATED"),
        "access token: {}",
        res.body
    );
    let res = refresh(&app, &member.refresh_token).await;
    assert_eq!(
        res.error_code(),
        Some("UNAUTHENTICATED"),
        "refresh token: {}",
        res.body
    );
    let res = login(&app, &member.email, INVITEE_PASSWORD).await;
    assert_eq!(
        res.error_code(),
        Some("UNAUTHENTICATED"),
        "login: {}",
        res.body
    );
    // The admin who did it is unaffected.
    viewer(&app, &admin.token).await.data();
}

async fn the_last_active_admin_cannot_be_deactivated_or_demoted(app: TestApp) {
    let admin = app.register_org("Acme").await;
    let res = deactivate(&app, &admin, &admin.user_id).await;
    assert_eq!(res.error_code(), Some("BAD_USER_INPUT"), "{}", res.body);
    let res = update_role(&app, &admin, &admin.user_id, "MEMBER").await;
    assert_eq!(res.error_code(), Some("BAD_USER_INPUT"), "{}", res.body);

    // A deactivated second admin does not count.
    let second = app.add_user(&admin, "Sam Second", "DESIGN", "ADMIN").await;
    deactivate(&app, &admin, &second.user_id).await.data();
    let res = update_role(&app, &admin, &admin.user_id, "VIEWER").await;
    assert_eq!(res.error_code(), Some("BAD_USER_INPUT"), "{}", res.body);
    let res = deactivate(&app, &admin, &admin.user_id).await;
    assert_eq!(res.error_code(), Some("BAD_USER_INPUT"), "{}", res.body);

    let me = viewer(&app, &admin.token).await;
    assert_eq!(me.data()["viewer"]["orgRole"], "ADMIN");
    assert_eq!(me.data()["viewer"]["isActive"], true);
}

async fn with_two_admins_one_can_be_demoted(app: TestApp) {
    let admin = app.register_org("Acme").await;
    let second = app.add_user(&admin, "Sam Second", "DESIGN", "ADMIN").await;

    let res = update_role(&app, &second, &admin.user_id, "MEMBER").await;
    assert_eq!(res.data()["updateUserRole"]["user"]["orgRole"], "MEMBER");
    // The demotion takes effect at once, on the token already issued.
    let res = invite(&app, &admin, "late@acme.test", "DESIGN", "MEMBER").await;
    assert_eq!(res.error_code(), Some("FORBIDDEN"), "{}", res.body);
    // Now `second` is the last admin.
    let res = update_role(&app, &second, &second.user_id, "MEMBER").await;
    assert_eq!(res.error_code(), Some("BAD_USER_INPUT"), "{}", res.body);
}

async fn a_role_change_based_on_a_stale_version_is_a_conflict(app: TestApp) {
    let admin = app.register_org("Acme").await;
    let member = app
        .add_user(&admin, "Mia Member", "ENGINEERING", "MEMBER")
        .await;
    let read = user(&app, &admin, &member.user_id).await["version"]
        .as_i64()
        .unwrap();
    let change = |role: &str| json!({ "input": { "userId": member.user_id, "orgRole": role, "expectedVersion": read } });
    let res = app.gql_as(&admin, UPDATE_ROLE, change("VIEWER")).await;
    let updated = &res.data()["updateUserRole"]["user"];
    assert_eq!(updated["orgRole"], "VIEWER");
    assert!(updated["version"].as_i64().unwrap() > read);

    let res = app.gql_as(&admin, UPDATE_ROLE, change("ADMIN")).await;
    assert_eq!(res.error_code(), Some("CONFLICT"), "{}", res.body);
    assert_eq!(
        user(&app, &admin, &member.user_id).await["orgRole"],
        "VIEWER"
    );
}

// ---------------------------------------------------------------------------------
// Organization.users

async fn the_organisation_lists_its_active_users_with_a_total_count(app: TestApp) {
    let admin = app.register_org("Acme").await;
    app.add_user(&admin, "Grace Hopper", "ENGINEERING", "MEMBER")
        .await;
    app.add_user(&admin, "Ada Lovelace", "PRODUCT", "VIEWER")
        .await;
    let other = app.register_org("Globex").await;
    app.add_user(&other, "Olga Outsider", "DESIGN", "MEMBER")
        .await;

    let (total, names) = users(&app, &admin, json!(null)).await;
    assert_eq!(total, 3);
    assert_eq!(
        names,
        ["Acme Admin", "Ada Lovelace", "Grace Hopper"],
        "by display name"
    );
    let (total, names) = users(&app, &other, json!({})).await;
    assert_eq!(
        (total, names),
        (
            2,
            vec!["Globex Admin".to_owned(), "Olga Outsider".to_owned()]
        )
    );
}

async fn deactivated_users_are_listed_only_when_asked_for(app: TestApp) {
    let admin = app.register_org("Acme").await;
    app.add_user(&admin, "Grace Hopper", "ENGINEERING", "MEMBER")
        .await;
    let gone = app
        .add_user(&admin, "Ada Lovelace", "PRODUCT", "MEMBER")
        .await;
    deactivate(&app, &admin, &gone.user_id).await.data();

    let (total, names) = users(&app, &admin, json!({})).await;
    assert_eq!(
        (total, names),
        (2, vec!["Acme Admin".to_owned(), "Grace Hopper".to_owned()])
    );
    let (total, names) = users(&app, &admin, json!({ "includeDeactivated": true })).await;
    assert_eq!(total, 3);
    assert_eq!(names, ["Acme Admin", "Ada Lovelace", "Grace Hopper"]);
}

async fn the_user_list_searches_names_case_insensitively(app: TestApp) {
    let admin = app.register_org("Acme").await;
    app.add_user(&admin, "Grace Hopper", "ENGINEERING", "MEMBER")
        .await;
    app.add_user(&admin, "Ada Lovelace", "PRODUCT", "MEMBER")
        .await;
    app.add_user(&admin, "Alan Turing", "DESIGN", "MEMBER")
        .await;

    let cases: [(&str, &[&str]); 5] = [
        ("LOVEL", &["Ada Lovelace"]),
        ("hOpP", &["Grace Hopper"]),
        ("ada", &["Ada Lovelace"]),
        (
            "a",
            &["Acme Admin", "Ada Lovelace", "Alan Turing", "Grace Hopper"],
        ),
        // LIKE wildcards in the search are plain characters.
        ("%", &[]),
    ];
    for (search, want) in cases {
        let (total, names) = users(&app, &admin, json!({ "search": search })).await;
        assert_eq!(names, want, "search {search:?}");
        assert_eq!(total, want.len() as i64, "totalCount of search {search:?}");
    }
}

async fn the_user_list_filters_by_discipline(app: TestApp) {
    let admin = app.register_org("Acme").await; // ENGINEERING
    app.add_user(&admin, "Pia Product", "PRODUCT", "MEMBER")
        .await;
    app.add_user(&admin, "Pat Product", "PRODUCT", "VIEWER")
        .await;
    app.add_user(&admin, "Dee Design", "DESIGN", "MEMBER").await;

    let (total, names) = users(&app, &admin, json!({ "discipline": "PRODUCT" })).await;
    assert_eq!(
        (total, names),
        (2, vec!["Pat Product".to_owned(), "Pia Product".to_owned()])
    );
    let (total, names) = users(&app, &admin, json!({ "discipline": "ENGINEERING" })).await;
    assert_eq!((total, names), (1, vec!["Acme Admin".to_owned()]));
}

// ---------------------------------------------------------------------------------
// Ids

async fn a_user_id_of_the_wrong_kind_or_malformed_is_bad_input_on_user_id(app: TestApp) {
    let admin = app.register_org("Acme").await;
    let team = app.create_team(&admin, "Payments").await;
    let not_uuid = global_id("User", "not-a-uuid");
    for (case, id) in [
        ("a Team id", team.as_str()),
        ("garbage", "not an id"),
        ("User: without a uuid", not_uuid.as_str()),
        ("empty", ""),
    ] {
        for (op, res) in [
            (
                "updateUserRole",
                update_role(&app, &admin, id, "VIEWER").await,
            ),
            ("deactivateUser", deactivate(&app, &admin, id).await),
        ] {
            assert_eq!(
                res.error_code(),
                Some("BAD_USER_INPUT"),
                "{op} with {case}: {}",
                res.body
            );
            assert_eq!(res.error_field(), Some("userId"), "{op} with {case}");
        }
    }
}

async fn a_well_formed_user_id_that_does_not_exist_is_not_found(app: TestApp) {
    let admin = app.register_org("Acme").await;
    let other = app.register_org("Globex").await;
    let missing = global_id("User", "01900000-0000-7000-8000-000000000000");
    for (op, res) in [
        (
            "updateUserRole",
            update_role(&app, &admin, &missing, "VIEWER").await,
        ),
        ("deactivateUser", deactivate(&app, &admin, &missing).await),
    ] {
        assert_eq!(res.error_code(), Some("NOT_FOUND"), "{op}: {}", res.body);
        // DESIGN §2: another organisation's user looks exactly like a missing one.
        let res_other = match op {
            "updateUserRole" => update_role(&app, &admin, &other.user_id, "VIEWER").await,
            _ => deactivate(&app, &admin, &other.user_id).await,
        };
        assert_eq!(res_other.body["errors"], res.body["errors"], "{op}");
    }
    // The other organisation's admin was left alone.
    let me = viewer(&app, &other.token).await;
    assert_eq!(me.data()["viewer"]["orgRole"], "ADMIN");
}

// ---------------------------------------------------------------------------------
// Races: each of these once failed (write skew on PostgreSQL, SQLITE_BUSY_SNAPSHOT on
// SQLite, a refresh-token family revoked before the winner's new token existed).

/// The organisation's active ADMINs (display names), as `who` lists them.
async fn admins(app: &TestApp, who: &Session) -> Vec<String> {
    let (total, names) = users(app, who, json!({ "orgRole": "ADMIN" })).await;
    assert_eq!(total, names.len() as i64);
    names
}

/// Asserts that `res` failed with `code` (on `field`, when given).
#[track_caller]
fn assert_refused(res: &Gql, code: &str, field: Option<&str>, what: &str) {
    assert_eq!(res.error_code(), Some(code), "{what}: {}", res.body);
    assert_eq!(res.error_field(), field, "{what}: {}", res.body);
}

async fn two_admins_removing_each_other_at_once_leave_the_organisation_an_admin(app: TestApp) {
    // The rule (updateUserRole, deactivateUser): the organisation keeps at least one
    // active ADMIN; a call that would leave none is BAD_USER_INPUT on its field
    // (`orgRole`, `userId`). Exactly one of the two calls wins. The other is refused by
    // that rule when it runs while the winner's change is in flight; when it starts
    // after the winner committed, its caller is refused first, as no longer an ADMIN
    // (FORBIDDEN) or deactivated (UNAUTHENTICATED). Runs see both; any other outcome
    // fails.
    let mut refused_by_the_rule = 0;
    for round in 0..20 {
        let a = app.register_org(&format!("Org {round}")).await;
        let b = app
            .add_user(&a, &format!("Bea {round}"), "DESIGN", "ADMIN")
            .await;
        let (a_deactivates_b, b_demotes_a) = futures_util::join!(
            deactivate(&app, &a, &b.user_id),
            update_role(&app, &b, &a.user_id, "MEMBER"),
        );
        let (survivor, survivor_name) = match (a_deactivates_b.outcome(), b_demotes_a.outcome()) {
            (Ok(()), Err(code)) => {
                let what = format!("round {round}: b demoting a after a deactivated b");
                match code.as_str() {
                    "UNAUTHENTICATED" => assert_refused(&b_demotes_a, &code, None, &what),
                    _ => {
                        assert_refused(&b_demotes_a, "BAD_USER_INPUT", Some("orgRole"), &what);
                        refused_by_the_rule += 1;
                    }
                }
                (&a, format!("Org {round} Admin"))
            }
            (Err(code), Ok(())) => {
                let what = format!("round {round}: a deactivating b after b demoted a");
                match code.as_str() {
                    "FORBIDDEN" => assert_refused(&a_deactivates_b, &code, None, &what),
                    _ => {
                        assert_refused(&a_deactivates_b, "BAD_USER_INPUT", Some("userId"), &what);
                        refused_by_the_rule += 1;
                    }
                }
                (&b, format!("Bea {round}"))
            }
            (Ok(()), Ok(())) => panic!("round {round}: both succeeded, no active admin is left"),
            (Err(_), Err(_)) => panic!(
                "round {round}: both were refused, yet one of them could go ahead: {} / {}",
                a_deactivates_b.body, b_demotes_a.body
            ),
        };
        assert_eq!(
            admins(&app, survivor).await,
            [survivor_name],
            "round {round}: the organisation's one active ADMIN"
        );
    }
    // Otherwise every round ran one call after the other, and the rule went untested.
    assert!(
        refused_by_the_rule > 0,
        "in 20 rounds the two calls never overlapped"
    );
}

async fn concurrent_role_changes_of_different_users_all_succeed(app: TestApp) {
    let admin = app.register_org("Acme").await;
    let mut ids = Vec::new();
    for name in ["Ann One", "Ben Two", "Cat Three", "Dan Four"] {
        ids.push(app.add_user(&admin, name, "DESIGN", "MEMBER").await.user_id);
    }
    for round in 0..5 {
        let role = if round % 2 == 0 { "VIEWER" } else { "MEMBER" };
        let results = join_all(ids.iter().map(|id| update_role(&app, &admin, id, role))).await;
        for res in &results {
            assert_eq!(res.outcome(), Ok(()), "round {round}: {}", res.body);
        }
    }
}

async fn a_refresh_token_reused_in_a_race_ends_the_login_of_the_winner_too(app: TestApp) {
    let admin = app.register_org("Acme").await;
    for round in 0..20 {
        let s = session_of(&login(&app, &admin.email, ADMIN_PASSWORD).await, "login");
        let results = join_all((0..10).map(|_| refresh(&app, &s.refresh_token))).await;
        let winner = results.iter().find(|r| r.outcome().is_ok()).unwrap();
        let newer = session_of(winner, "refreshToken");
        let res = refresh(&app, &newer.refresh_token).await;
        assert_eq!(
            res.error_code(),
            Some("UNAUTHENTICATED"),
            "round {round}: reuse was detected, yet the winner's new token works"
        );
    }
}

crate::db_tests!(
    registering_an_organisation_signs_in_its_first_user_as_an_admin,
    an_email_already_registered_cannot_register_again_in_any_casing,
    registration_refuses_bad_input_and_names_the_field,
    two_organisations_with_the_same_name_both_register_with_different_slugs,
    a_user_signs_in_with_their_password_and_any_casing_of_their_email,
    a_wrong_password_and_an_unknown_email_are_refused_alike,
    viewer_without_a_token_is_unauthenticated,
    a_garbage_or_tampered_token_is_unauthenticated,
    a_refresh_token_is_exchanged_for_new_working_tokens,
    reusing_a_refresh_token_ends_its_whole_login,
    ten_parallel_refreshes_of_one_token_succeed_exactly_once,
    after_logout_the_refresh_token_no_longer_works,
    an_invited_user_accepts_and_signs_in_with_their_discipline_and_role,
    an_invite_works_only_once,
    a_bad_invite_token_is_unauthenticated,
    an_invitee_password_shorter_than_ten_characters_is_refused,
    an_email_already_registered_cannot_be_invited,
    only_an_admin_may_invite_users,
    only_an_admin_may_change_a_users_role,
    only_an_admin_may_deactivate_a_user,
    a_deactivated_users_token_stops_working_at_once,
    the_last_active_admin_cannot_be_deactivated_or_demoted,
    with_two_admins_one_can_be_demoted,
    a_role_change_based_on_a_stale_version_is_a_conflict,
    the_organisation_lists_its_active_users_with_a_total_count,
    deactivated_users_are_listed_only_when_asked_for,
    the_user_list_searches_names_case_insensitively,
    the_user_list_filters_by_discipline,
    a_user_id_of_the_wrong_kind_or_malformed_is_bad_input_on_user_id,
    a_well_formed_user_id_that_does_not_exist_is_not_found,
    two_admins_removing_each_other_at_once_leave_the_organisation_an_admin,
    concurrent_role_changes_of_different_users_all_succeed,
    a_refresh_token_reused_in_a_race_ends_the_login_of_the_winner_too,
);

/// Each server keeps the callers it has read (the caller cache): a role change or a
/// deactivation made through one server reaches the callers of another at once, by the
/// revocation it publishes (PostgreSQL's LISTEN/NOTIFY). The other server has read the
/// user before; without the notice it would go on answering from what it kept.
#[tokio::test]
async fn a_role_change_or_deactivation_through_one_server_holds_at_once_on_another() {
    let Some(a) = TestApp::spawn_postgres().await else {
        eprintln!("TEST_DATABASE_URL is not set: skipped (several servers need PostgreSQL)");
        return;
    };
    let b = TestApp::on_same_database(&a).await;
    let admin = a.register_org("Acme").await;
    let member = a
        .add_user(&admin, "Ada Admin", "ENGINEERING", "ADMIN")
        .await;
    let tries = std::sync::atomic::AtomicUsize::new(0);
    let create_team_on_b = || {
        let n = tries.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        b.gql_as(
            &member,
            "mutation($input: CreateTeamInput!) { createTeam(input: $input) { team { id } } }",
            json!({ "input": { "name": format!("Team {n}") } }),
        )
    };
    // Server b reads (and keeps) her row as an ADMIN's.
    create_team_on_b().await.data();
    let role_on_b = || async { viewer(&b, &member.token).await };

    // Within a short deadline (the notice crosses PostgreSQL); polled, not slept.
    async fn until<F, Fut>(mut check: F) -> bool
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = bool>,
    {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while std::time::Instant::now() < deadline {
            if check().await {
                return true;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        false
    }

    update_role(&a, &admin, &member.user_id, "MEMBER")
        .await
        .data();
    // What only an ADMIN may do is refused there now.
    assert!(
        until(|| async { create_team_on_b().await.error_code() == Some("FORBIDDEN") }).await,
        "the other server still lets her act as an ADMIN"
    );

    deactivate(&a, &admin, &member.user_id).await.data();
    assert!(
        until(|| async { role_on_b().await.error_code() == Some("UNAUTHENTICATED") }).await,
        "the other server still lets a deactivated user in"
    );
}
