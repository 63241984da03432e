//! A roadmap alignment session written up in Markdown for the people who were not there:
//! the items per squad by commitment, and the sign-offs with their comments.

use std::collections::HashMap;

use entity::{
    alignment_signoff, enums::Commitment, initiative, outcome, roadmap_alignment, roadmap_item,
    squad, user,
};
use uuid::Uuid;

use super::service::all_disciplines;

/// A title or a note on one line, however it was typed.
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The write-up of session `a`: its items per squad (squads in the order of their
/// best-ranked item) by commitment, then each discipline's sign-off. The maps hold the
/// rows the items and sign-offs point at; a missing one reads "Unknown squad",
/// "someone" or an empty title.
pub fn render(
    a: &roadmap_alignment::Model,
    items: &[roadmap_item::Model],
    signoffs: &[alignment_signoff::Model],
    initiatives: &HashMap<Uuid, initiative::Model>,
    squads: &HashMap<Uuid, squad::Model>,
    outcomes: &HashMap<Uuid, outcome::Model>,
    people: &HashMap<Uuid, user::Model>,
) -> String {
    use std::fmt::Write;
    let name = |id: &Uuid| {
        people
            .get(id)
            .map(|u| u.display_name.clone())
            .unwrap_or_else(|| "someone".into())
    };
    let mut out = String::new();
    let _ = writeln!(out, "# {} ({})", one_line(&a.title), a.quarter);
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "Status: **{}** · Facilitator: {}",
        sea_orm::ActiveEnum::to_value(&a.status),
        name(&a.facilitator_id)
    );
    if !a.notes.trim().is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(out, "{}", a.notes.trim());
    }
    // Squads in the order of their best-ranked item.
    let mut squad_order: Vec<Uuid> = Vec::new();
    for i in items {
        if !squad_order.contains(&i.squad_id) {
            squad_order.push(i.squad_id);
        }
    }
    if items.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(out, "_No items on the roadmap yet._");
    }
    for s in squad_order {
        let _ = writeln!(out);
        let squad_name = squads
            .get(&s)
            .map(|q| one_line(&q.name))
            .unwrap_or_else(|| "Unknown squad".into());
        let _ = writeln!(out, "## {squad_name}");
        for (commitment, label) in [
            (Commitment::Committed, "Committed"),
            (Commitment::Stretch, "Stretch"),
            (Commitment::Deferred, "Deferred"),
        ] {
            let mine: Vec<&roadmap_item::Model> = items
                .iter()
                .filter(|i| i.squad_id == s && i.commitment == commitment)
                .collect();
            if mine.is_empty() {
                continue;
            }
            let _ = writeln!(out);
            let _ = writeln!(out, "**{label}**");
            let _ = writeln!(out);
            for i in mine {
                let title = initiatives
                    .get(&i.initiative_id)
                    .map(|x| one_line(&x.title))
                    .unwrap_or_default();
                let mut line = format!("{}. {title}", i.rank);
                if let Some(o) = i.outcome_id.and_then(|o| outcomes.get(&o)) {
                    let _ = write!(line, " — for outcome “{}”", one_line(&o.title));
                }
                if !i.notes.trim().is_empty() {
                    let _ = write!(line, " ({})", one_line(&i.notes));
                }
                let _ = writeln!(out, "{line}");
            }
        }
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "## Sign-offs");
    let _ = writeln!(out);
    for d in all_disciplines() {
        let label = sea_orm::ActiveEnum::to_value(&d);
        match signoffs.iter().find(|s| s.discipline == d) {
            Some(s) => {
                let mut line = format!(
                    "- {label}: signed by {} on {}",
                    name(&s.user_id),
                    s.signed_at.format("%Y-%m-%d")
                );
                if !s.comment.trim().is_empty() {
                    let _ = write!(line, " — “{}”", one_line(&s.comment));
                }
                let _ = writeln!(out, "{line}");
            }
            None => {
                let _ = writeln!(out, "- {label}: not signed yet");
            }
        }
    }
    out
}
