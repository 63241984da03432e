//! A decision record in the usual ADR layout: Michael Nygard's, as adr-tools writes it
//! (`# 7. Title`, the date, `## Status` with the supersede links, then context,
//! decision and consequences). Links point at the adr-tools file name of the other
//! record (`0003-use-postgresql.md`), so an exported log links up.

use entity::{decision_record, enums::DecisionStatus};

/// The record as markdown. `supersedes` are the records it replaced (by number),
/// `superseded_by` the one that replaced it.
pub fn render(
    record: &decision_record::Model,
    supersedes: &[decision_record::Model],
    superseded_by: Option<&decision_record::Model>,
) -> String {
    let date = record.accepted_at.unwrap_or(record.created_at).date_naive();
    let mut md = format!(
        "# {}. {}\n\nDate: {}\n\n## Status\n\n{}\n",
        record.number,
        one_line(&record.title),
        date.format("%Y-%m-%d"),
        status_word(record.status),
    );
    for old in supersedes {
        md.push_str(&format!("\nSupersedes {}\n", link(old)));
    }
    if let Some(new) = superseded_by {
        md.push_str(&format!("\nSuperseded by {}\n", link(new)));
    }
    for (heading, body) in [
        ("Context", &record.context),
        ("Decision", &record.decision),
        ("Consequences", &record.consequences),
    ] {
        md.push_str(&format!("\n## {heading}\n"));
        let body = body.trim();
        if !body.is_empty() {
            md.push_str(&format!("\n{body}\n"));
        }
    }
    md
}

/// The adr-tools file name of a record: `0007-use-postgresql-for-the-ledger.md`.
pub fn file_name(number: i32, title: &str) -> String {
    let mut slug = String::new();
    for c in title.to_lowercase().chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-');
    let slug = if slug.is_empty() { "decision" } else { slug };
    format!("{number:04}-{slug}.md")
}

fn link(other: &decision_record::Model) -> String {
    let text = one_line(&other.title)
        .replace('[', "\\[")
        .replace(']', "\\]");
    format!(
        "[{}. {text}]({})",
        other.number,
        file_name(other.number, &other.title)
    )
}

/// A title on one line, however it was typed.
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn status_word(s: DecisionStatus) -> &'static str {
    match s {
        DecisionStatus::Proposed => "Proposed",
        DecisionStatus::Accepted => "Accepted",
        DecisionStatus::Deprecated => "Deprecated",
        DecisionStatus::Superseded => "Superseded",
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};
    use uuid::Uuid;

    use super::*;

    fn record(number: i32, title: &str, status: DecisionStatus) -> decision_record::Model {
        decision_record::Model {
            id: Uuid::now_v7(),
            organization_id: Uuid::nil(),
            number,
            title: title.into(),
            status,
            system: "ledger".into(),
            context: "We lose payments.\n\nThe ledger runs on MySQL 5.".into(),
            decision: "Move the ledger to PostgreSQL.".into(),
            consequences: String::new(),
            review_id: None,
            author_id: Uuid::nil(),
            superseded_by_id: None,
            accepted_at: None,
            created_at: Utc.with_ymd_and_hms(2026, 11, 30, 23, 59, 0).unwrap(),
            updated_at: Utc.with_ymd_and_hms(2026, 11, 30, 23, 59, 0).unwrap(),
            version: 1,
        }
    }

    #[test]
    fn a_record_renders_in_the_adr_tools_layout() {
        let mut adr = record(
            7,
            "Use  PostgreSQL\nfor the ledger",
            DecisionStatus::Accepted,
        );
        adr.accepted_at = Some(Utc.with_ymd_and_hms(2026, 12, 3, 10, 0, 0).unwrap());
        let old = record(
            3,
            "Use MySQL [5] for the ledger",
            DecisionStatus::Superseded,
        );
        let newer = record(9, "Use CockroachDB", DecisionStatus::Accepted);
        assert_eq!(
            render(&adr, &[old], Some(&newer)),
            "# 7. Use PostgreSQL for the ledger\n\
             \n\
             Date: 2026-12-03\n\
             \n\
             ## Status\n\
             \n\
             Accepted\n\
             \n\
             Supersedes [3. Use MySQL \\[5\\] for the ledger](0003-use-mysql-5-for-the-ledger.md)\n\
             \n\
             Superseded by [9. Use CockroachDB](0009-use-cockroachdb.md)\n\
             \n\
             ## Context\n\
             \n\
             We lose payments.\n\
             \n\
             The ledger runs on MySQL 5.\n\
             \n\
             ## Decision\n\
             \n\
             Move the ledger to PostgreSQL.\n\
             \n\
             ## Consequences\n"
        );
    }

    #[test]
    fn a_proposed_record_is_dated_when_written() {
        let md = render(
            &record(1, "Record decisions", DecisionStatus::Proposed),
            &[],
            None,
        );
        assert!(md.starts_with(
            "# 1. Record decisions\n\nDate: 2026-11-30\n\n## Status\n\nProposed\n\n## Context\n"
        ));
    }

    #[test]
    fn file_names_are_numbered_slugs() {
        assert_eq!(
            file_name(12, "Événements: Kafka!"),
            "0012-v-nements-kafka.md"
        );
        assert_eq!(file_name(1, "日本"), "0001-decision.md");
    }
}
