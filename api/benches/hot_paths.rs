//! Micro-benchmarks of the in-process work every request does before it reaches the
//! database: the access-token check, the policy check, keyset cursors and global ids.
//!
//! The password check (argon2) is deliberately slow and is left out on purpose.
//!
//! Run: `cargo bench -p api --bench hot_paths` (add `-- --quick` for a short run).

use std::hint::black_box;

use api::{
    auth::{jwt::JwtKeys, Actor},
    authz::{self, facts::TeamFacts, Action},
    graphql::ids::{self, Kind},
    pagination::{decode_cursor, encode_cursor, SortValue},
};
use async_graphql::ID;
use chrono::{TimeZone, Utc};
use criterion::{criterion_group, criterion_main, Criterion};
use entity::enums::{Discipline, OrgRole};
use uuid::Uuid;

const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";
const OTHER_SECRET: &[u8] = b"another secret another secret!!!";

fn jwt(c: &mut Criterion) {
    let keys = JwtKeys::new(SECRET);
    let (user, org) = (Uuid::now_v7(), Uuid::now_v7());
    let (valid, _) = keys.issue(user, org, 3).expect("token issues");
    // Well formed and unexpired, but signed with another secret: only the HMAC fails.
    let (bad_signature, _) = JwtKeys::new(OTHER_SECRET)
        .issue(user, org, 3)
        .expect("token issues");
    assert!(keys.verify(&valid).is_some());
    assert!(keys.verify(&bad_signature).is_none());

    let mut g = c.benchmark_group("jwt");
    g.bench_function("issue", |b| {
        b.iter(|| keys.issue(black_box(user), black_box(org), black_box(3)))
    });
    g.bench_function("verify_valid", |b| {
        b.iter(|| keys.verify(black_box(valid.as_str())))
    });
    g.bench_function("verify_bad_signature", |b| {
        b.iter(|| keys.verify(black_box(bad_signature.as_str())))
    });
    g.finish();
}

fn authz(c: &mut Criterion) {
    // Built as `IdentityService::authenticate` builds it from the user row.
    let member = Actor::user(
        Uuid::now_v7(),
        Uuid::now_v7(),
        OrgRole::Member,
        Discipline::Engineering,
    );
    let viewer = Actor::user(
        Uuid::now_v7(),
        Uuid::now_v7(),
        OrgRole::Viewer,
        Discipline::Engineering,
    );
    let lead = TeamFacts {
        actor_is_lead: true,
    };
    assert!(authz::check(&member, Action::UpdateTeam { team: &lead }).is_ok());
    assert!(authz::check(&viewer, Action::UpdateTeam { team: &lead }).is_err());

    let mut g = c.benchmark_group("authz");
    g.bench_function("allowed_write", |b| {
        b.iter(|| {
            authz::check(
                black_box(&member),
                black_box(Action::UpdateTeam { team: &lead }),
            )
        })
    });
    // DESIGN §2: a VIEWER writes nothing, even as a team LEAD.
    g.bench_function("denied_write", |b| {
        b.iter(|| {
            authz::check(
                black_box(&viewer),
                black_box(Action::UpdateTeam { team: &lead }),
            )
        })
    });
    g.finish();
}

fn cursor(c: &mut Criterion) {
    let id = Uuid::now_v7();
    let at = Utc
        .with_ymd_and_hms(2026, 4, 14, 9, 30, 0)
        .single()
        .expect("a valid time");
    let text = encode_cursor("name", &SortValue::Text("Payments".into()), id);
    let time = encode_cursor("created_at", &SortValue::Time(at), id);
    assert!(decode_cursor(&text, "after").is_ok());
    assert!(decode_cursor(&time, "after").is_ok());
    assert!(decode_cursor("not a cursor", "after").is_err());

    let mut g = c.benchmark_group("cursor");
    // The sort value is built per row by the order's key function, so it is built here too.
    g.bench_function("encode_text", |b| {
        b.iter(|| {
            encode_cursor(
                black_box("name"),
                &SortValue::Text(black_box("Payments").to_owned()),
                black_box(id),
            )
        })
    });
    g.bench_function("encode_time", |b| {
        b.iter(|| {
            encode_cursor(
                black_box("created_at"),
                &SortValue::Time(black_box(at)),
                black_box(id),
            )
        })
    });
    g.bench_function("decode_text", |b| {
        b.iter(|| decode_cursor(black_box(text.as_str()), "after"))
    });
    g.bench_function("decode_time", |b| {
        b.iter(|| decode_cursor(black_box(time.as_str()), "after"))
    });
    g.bench_function("decode_invalid", |b| {
        b.iter(|| decode_cursor(black_box("not a cursor"), "after"))
    });
    g.finish();
}

fn global_id(c: &mut Criterion) {
    let uuid = Uuid::now_v7();
    let team = ids::encode(Kind::Team, uuid);
    // The last kind in the lookup table: the slowest kind to parse.
    let item = ids::encode(Kind::RoadmapItem, uuid);
    let garbage = ID("garbage".into());
    assert_eq!(ids::decode(&team, Kind::Team, "teamId").ok(), Some(uuid));
    assert_eq!(
        ids::decode(&item, Kind::RoadmapItem, "itemId").ok(),
        Some(uuid)
    );
    assert!(ids::decode(&team, Kind::Squad, "squadId").is_err());

    let mut g = c.benchmark_group("global_id");
    g.bench_function("encode", |b| {
        b.iter(|| ids::encode(black_box(Kind::Team), black_box(uuid)))
    });
    g.bench_function("decode", |b| {
        b.iter(|| ids::decode(black_box(&team), Kind::Team, "teamId"))
    });
    g.bench_function("decode_last_kind", |b| {
        b.iter(|| ids::decode(black_box(&item), Kind::RoadmapItem, "itemId"))
    });
    g.bench_function("decode_wrong_kind", |b| {
        b.iter(|| ids::decode(black_box(&team), Kind::Squad, "squadId"))
    });
    g.bench_function("decode_invalid", |b| {
        b.iter(|| ids::decode(black_box(&garbage), Kind::Team, "teamId"))
    });
    g.finish();
}

criterion_group!(benches, jwt, authz, cursor, global_id);
criterion_main!(benches);
