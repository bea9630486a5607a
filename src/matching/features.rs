//! The score as an ordered table of named features, [`FEATURES`]. A score
//! starts from the name similarity of the best-aligned pair of names
//! ([`super::align`]); each feature in turn may then move it (a cap, a
//! factor, a penalty or a bonus), and the result is kept within [0, 1]:
//!
//! ```text
//! score = clamp(name similarity → shortWordTypo → typosOnly
//!               → commonTokensOnly → singleNamePart → nasabChain
//!               → kunya → weakAlias → previousName        (name stage)
//!               → legalForm → romanisedSyllables → number
//!               → identifier → birthDate → country
//!               → fullNameBirthDate → capLift → schema)          (party stage)
//! ```
//!
//! Name-stage features judge one listed name and decide which of a party's
//! names is its best match; party-stage features judge the party through
//! that best name. Each feature is a small pure function of the
//! [`Evidence`] and the score so far; its numbers live in
//! [`super::weights`]. An explanation lists every feature that applied with
//! the effect it really had (a cap that the score was already under has
//! effect 0), so the name similarity plus the effects gives the score.
//! The yente `/match` feature documentation and the table in `docs/API.md`
//! are generated from this table ([`markdown_table`]).

use super::align::{Alignment, PartyKind};
use super::weights::Weights;
use crate::analysis::{PreparedEntity, PreparedName, PreparedQuery};
use crate::model::{Schema, prop};
use crate::text::Script;

/// What the features read: the query, the listed party, which of its names
/// is being judged, and how that name's parts met the query's.
#[derive(Debug, Clone, Copy)]
pub struct Evidence<'a> {
    pub query: &'a PreparedQuery,
    pub party: &'a PreparedEntity,
    pub kind: PartyKind,
    /// The property the listed name comes from (`name`, `alias`, `weakAlias`…).
    pub property: &'static str,
    pub listed: &'a PreparedName,
    pub alignment: &'a Alignment,
}

/// When a feature applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// To each listed name: decides which name of the party matches best.
    Name,
    /// To the party, through its best name.
    Party,
}

/// How a feature moves the score (for the documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// Lowers the score to at most the coefficient.
    Cap,
    /// Multiplies the score by the coefficient.
    Factor,
    /// Subtracts a penalty (the coefficient is negative).
    Penalty,
    /// Adds the coefficient when it agrees, subtracts a penalty when it conflicts.
    BonusOrPenalty,
    /// Adds the coefficient, and lifts the score to at least a floor.
    BonusWithFloor,
    /// Lifts the score to at least the coefficient.
    Floor,
    /// Gives back the coefficient's share of what a cap took.
    Lift,
}

impl Effect {
    pub fn as_str(self) -> &'static str {
        match self {
            Effect::Cap => "cap",
            Effect::Factor => "factor",
            Effect::Penalty => "penalty",
            Effect::BonusOrPenalty => "bonus or penalty",
            Effect::BonusWithFloor => "bonus, floor",
            Effect::Floor => "floor",
            Effect::Lift => "lift",
        }
    }
}

/// Reads one field of [`Weights`].
pub type WeightOf = fn(&Weights) -> f64;

/// A feature's rule: the score after it, or `None` when it does not apply.
pub type Rule = fn(&Evidence, f64, &Weights) -> Option<f64>;

/// One named rule of the score.
#[derive(Clone, Copy)]
pub struct Feature {
    /// The name explanations and yente's `features` use (`birthDate`).
    pub name: &'static str,
    pub stage: Stage,
    pub effect: Effect,
    /// The fields of [`Weights`] it reads, by name.
    pub weights: &'static [(&'static str, WeightOf)],
    /// The number yente's feature documentation shows.
    pub coefficient: fn(&Weights) -> f64,
    pub description: &'static str,
    /// The score after this feature, or `None` when it does not apply.
    pub apply: Rule,
    /// What an analyst reads when it applied (built only for explanations).
    pub detail: fn(&Evidence, &Weights) -> String,
}

impl std::fmt::Debug for Feature {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Feature").field("name", &self.name).finish()
    }
}

/// The base of every score, documented beside the features.
pub const NAME_SIMILARITY: (&str, &str) = (
    "name",
    "Similarity of the best pair of names: query and listed name parts aligned exactly, by spelling variant, transliteration, phonetic key, initial or edit distance, weighted by how distinctive each part is.",
);

/// Every feature, in the order it applies.
pub const FEATURES: [Feature; 17] = [
    Feature {
        name: "shortWordTypo",
        stage: Stage::Name,
        effect: Effect::Cap,
        weights: &[
            ("short_word_typo_cap", |w| w.short_word_typo_cap),
            ("short_word_max_chars", |w| w.short_word_max_chars as f64),
        ],
        coefficient: |w| w.short_word_typo_cap,
        description: "Two one-word names of at most six letters one edit apart, such as Oprea and OPERA: too little to tell a typo from another name, so the score is capped.",
        apply: short_word_typo,
        detail: |_, w| {
            format!(
                "two one-word names of at most six letters, one edit apart: score capped at {:.2}",
                w.short_word_typo_cap
            )
        },
    },
    Feature {
        name: "typosOnly",
        stage: Stage::Name,
        effect: Effect::Cap,
        weights: &[("typos_only_cap", |w| w.typos_only_cap)],
        coefficient: |w| w.typos_only_cap,
        description: "Every part of a person's name (two at least) met only some edits apart or as initials, none exactly or as another spelling, such as Kevin King and KONG, Kelvin, or Tutu Idrisli and Don TI: two typos at once are rarer than another person, so the score is capped.",
        apply: typos_only,
        detail: |_, w| {
            format!(
                "every name part met only some edits apart or as initials: score capped at {:.2}",
                w.typos_only_cap
            )
        },
    },
    Feature {
        name: "commonTokensOnly",
        stage: Stage::Name,
        effect: Effect::Cap,
        weights: &[("common_only_cap", |w| w.common_only_cap)],
        coefficient: |w| w.common_only_cap,
        description: "Only common name parts matched: the score is capped.",
        apply: common_tokens_only,
        detail: |_, w| {
            format!(
                "only common name parts matched: score capped at {:.2}",
                w.common_only_cap
            )
        },
    },
    Feature {
        name: "singleNamePart",
        stage: Stage::Name,
        effect: Effect::Cap,
        weights: &[("single_part_cap", |w| w.single_part_cap)],
        coefficient: |w| w.single_part_cap,
        description: "Only one of a person's name parts, or not the surname, matched: the score is capped.",
        apply: single_name_part,
        detail: |_, w| {
            format!(
                "only one name part, or not the surname, matched: score capped at {:.2}",
                w.single_part_cap
            )
        },
    },
    Feature {
        name: "nasabChain",
        stage: Stage::Name,
        effect: Effect::Cap,
        weights: &[("nasab_conflict_cap", |w| w.nasab_conflict_cap)],
        coefficient: |w| w.nasab_conflict_cap,
        description: "Arabic genealogical names (X BIN A BIN B, X OULD A) whose chains name different fathers in the same place, or the same names in another order (SALMAN BIN MUHAMMAD / MUHAMMAD BIN SALMAN): different people, so the score is capped. A chain that is only shorter does not conflict.",
        apply: nasab_chain,
        detail: |_, w| {
            format!(
                "the chains of fathers' names differ: score capped at {:.2}",
                w.nasab_conflict_cap
            )
        },
    },
    Feature {
        name: "kunya",
        stage: Stage::Name,
        effect: Effect::Cap,
        weights: &[("kunya_conflict_cap", |w| w.kunya_conflict_cap)],
        coefficient: |w| w.kunya_conflict_cap,
        description: "A person's kunya (ABU MAHMUD, father of Mahmud; UMM AHMAD) is a name of its own: its name meeting a given or father's name on the other side (SAMI MAHMUD) is another person, so the score is capped.",
        apply: kunya,
        detail: |_, w| {
            format!(
                "a kunya (Abu …, Umm …) met a name that is no kunya: score capped at {:.2}",
                w.kunya_conflict_cap
            )
        },
    },
    Feature {
        name: "weakAlias",
        stage: Stage::Name,
        effect: Effect::Factor,
        weights: &[("weak_alias_factor", |w| w.weak_alias_factor)],
        coefficient: |w| w.weak_alias_factor,
        description: "The match is on a weak alias (scaled down).",
        apply: weak_alias,
        detail: |_, _| "matched a weak alias".into(),
    },
    Feature {
        name: "previousName",
        stage: Stage::Name,
        effect: Effect::Factor,
        weights: &[("previous_name_factor", |w| w.previous_name_factor)],
        coefficient: |w| w.previous_name_factor,
        description: "The match is on a former name (scaled down).",
        apply: previous_name,
        detail: |_, _| "matched a former name".into(),
    },
    Feature {
        name: "legalForm",
        stage: Stage::Party,
        effect: Effect::Penalty,
        weights: &[("legal_form_conflict_penalty", |w| {
            w.legal_form_conflict_penalty
        })],
        coefficient: |w| -w.legal_form_conflict_penalty,
        description: "Both names state legal forms of different families, such as AG and GmbH (lowers).",
        apply: legal_form,
        detail: |_, _| "legal forms differ".into(),
    },
    Feature {
        name: "romanisedSyllables",
        stage: Stage::Party,
        effect: Effect::Cap,
        weights: &[("romanised_syllables_cap", |w| w.romanised_syllables_cap)],
        coefficient: |w| w.romanised_syllables_cap,
        description: "A person's name in Chinese characters or Hangul met only through its romanisation: the name alone is capped; birth date, country or identifier can lift it.",
        apply: romanised_syllables,
        detail: |_, w| {
            format!(
                "a Chinese or Korean name met only through its romanisation: name alone capped at {:.2}",
                w.romanised_syllables_cap
            )
        },
    },
    Feature {
        name: "number",
        stage: Stage::Party,
        effect: Effect::Penalty,
        weights: &[("number_unmatched_penalty", |w| w.number_unmatched_penalty)],
        coefficient: |w| -w.number_unmatched_penalty,
        description: "An organisation's number is in one name only, such as Fund and Fund I (lowers).",
        apply: number,
        detail: |_, _| "a number in one name is not in the other".into(),
    },
    Feature {
        name: "identifier",
        stage: Stage::Party,
        effect: Effect::BonusWithFloor,
        weights: &[
            ("identifier_match_bonus", |w| w.identifier_match_bonus),
            ("identifier_match_floor", |w| w.identifier_match_floor),
        ],
        coefficient: |w| w.identifier_match_bonus,
        description: "An identifier (passport, national id, registration, IMO, …) matches exactly.",
        apply: identifier,
        detail: |ev, _| match shared_identifier(ev) {
            Some(id) => format!("identifier {id} matches exactly"),
            None => String::new(),
        },
    },
    Feature {
        name: "birthDate",
        stage: Stage::Party,
        effect: Effect::BonusOrPenalty,
        weights: &[
            ("birth_date_exact_bonus", |w| w.birth_date_exact_bonus),
            ("birth_year_bonus", |w| w.birth_year_bonus),
            ("birth_date_conflict_penalty", |w| {
                w.birth_date_conflict_penalty
            }),
            ("birth_year_tolerance", |w| {
                f64::from(w.birth_year_tolerance)
            }),
        ],
        coefficient: |w| w.birth_date_exact_bonus,
        description: "Birth date matches (raises) or conflicts (lowers).",
        apply: birth_date,
        detail: birth_date_detail,
    },
    Feature {
        name: "country",
        stage: Stage::Party,
        effect: Effect::BonusOrPenalty,
        weights: &[
            ("country_match_bonus", |w| w.country_match_bonus),
            ("country_conflict_penalty", |w| w.country_conflict_penalty),
        ],
        coefficient: |w| w.country_match_bonus,
        description: "Country or nationality matches (raises) or conflicts (lowers).",
        apply: country,
        detail: country_detail,
    },
    Feature {
        name: "fullNameBirthDate",
        stage: Stage::Party,
        effect: Effect::Floor,
        weights: &[("full_name_birth_date_floor", |w| {
            w.full_name_birth_date_floor
        })],
        coefficient: |w| w.full_name_birth_date_floor,
        description: "The name met in full and the full birth date matches exactly: strong evidence together, so the score is lifted to at least the coefficient, even when every name part is common.",
        apply: full_name_birth_date,
        detail: |_, w| {
            format!(
                "the name met in full and the full birth date matches: lifted to at least {:.2}",
                w.full_name_birth_date_floor
            )
        },
    },
    Feature {
        name: "capLift",
        stage: Stage::Party,
        effect: Effect::Lift,
        weights: &[("cap_lift_share", |w| w.cap_lift_share)],
        coefficient: |w| w.cap_lift_share,
        description: "A name met in full whose score a name-stage cap lowered, with weaker evidence that agrees (a birth date that fits, a matching country, no conflict): the coefficient's share of what the cap took is given back.",
        apply: cap_lift,
        detail: |_, w| {
            format!(
                "a capped name met in full, with a birth date or country that agrees: {:.0} % of the cap given back",
                w.cap_lift_share * 100.0
            )
        },
    },
    Feature {
        name: "schema",
        stage: Stage::Party,
        effect: Effect::Penalty,
        weights: &[("schema_conflict_penalty", |w| w.schema_conflict_penalty)],
        coefficient: |w| -w.schema_conflict_penalty,
        description: "The query's entity type conflicts with the listed one (lowers).",
        apply: schema,
        detail: |ev, _| match ev.query.schema {
            Some(qs) => format!("query is a {qs}, listed party is a {}", ev.party.schema),
            None => String::new(),
        },
    },
];

/// The name-stage features come first in [`FEATURES`]: this many.
const NAME_STAGE: usize = 8;

const _: () = {
    let mut i = 0;
    while i < FEATURES.len() {
        assert!(matches!(FEATURES[i].stage, Stage::Name) == (i < NAME_STAGE));
        i += 1;
    }
};

/// Runs the features of `stage` (all of them for `None`) over `score`, in
/// table order; with `record`, each feature that applied is noted there with
/// the effect it had.
#[inline]
pub fn apply(
    stage: Option<Stage>,
    ev: &Evidence,
    mut score: f64,
    w: &Weights,
    mut record: Option<&mut Vec<super::explain::Qualifier>>,
) -> f64 {
    let features = match stage {
        None => &FEATURES[..],
        Some(Stage::Name) => &FEATURES[..NAME_STAGE],
        Some(Stage::Party) => &FEATURES[NAME_STAGE..],
    };
    for f in features {
        if let Some(next) = (f.apply)(ev, score, w) {
            if let Some(out) = record.as_deref_mut() {
                out.push(super::explain::Qualifier {
                    feature: f.name.to_string(),
                    effect: super::score::round3(next - score),
                    detail: (f.detail)(ev, w),
                });
            }
            score = next;
        }
    }
    score
}

/// Two one-word names of at most six letters one edit apart.
#[inline]
fn short_word_typo(ev: &Evidence, score: f64, w: &Weights) -> Option<f64> {
    ev.alignment
        .short_word_typo
        .then_some(score.min(w.short_word_typo_cap))
}

/// Every distinctive part of a person's name met only by edit distance.
#[inline]
fn typos_only(ev: &Evidence, score: f64, w: &Weights) -> Option<f64> {
    ev.alignment
        .typos_only
        .then_some(score.min(w.typos_only_cap))
}

/// The only distinctive part that matched is a common one.
#[inline]
fn common_tokens_only(ev: &Evidence, score: f64, w: &Weights) -> Option<f64> {
    ev.alignment
        .common_only
        .then_some(score.min(w.common_only_cap))
}

/// A person matched on one name part only, or not on the listed surname.
#[inline]
fn single_name_part(ev: &Evidence, score: f64, w: &Weights) -> Option<f64> {
    ev.alignment
        .single_part
        .then_some(score.min(w.single_part_cap))
}

/// Two genealogical chains name different fathers, or the same names in
/// another order.
#[inline]
fn nasab_chain(ev: &Evidence, score: f64, w: &Weights) -> Option<f64> {
    ev.alignment
        .nasab_conflict
        .then_some(score.min(w.nasab_conflict_cap))
}

/// A kunya's name met a name that is no kunya.
#[inline]
fn kunya(ev: &Evidence, score: f64, w: &Weights) -> Option<f64> {
    ev.alignment
        .kunya_conflict
        .then_some(score.min(w.kunya_conflict_cap))
}

/// The listed name is a weak alias (OFAC "weak a.k.a.").
#[inline]
fn weak_alias(ev: &Evidence, score: f64, w: &Weights) -> Option<f64> {
    (ev.property == prop::WEAK_ALIAS).then_some(score * w.weak_alias_factor)
}

/// The listed name is a former name.
#[inline]
fn previous_name(ev: &Evidence, score: f64, w: &Weights) -> Option<f64> {
    (ev.property == prop::PREVIOUS_NAME).then_some(score * w.previous_name_factor)
}

/// Both names state legal forms of different families (AG vs GmbH).
fn legal_form(ev: &Evidence, score: f64, w: &Weights) -> Option<f64> {
    ev.alignment
        .legal_form_conflict
        .then_some(score - w.legal_form_conflict_penalty)
}

/// A person's name in Chinese characters or Hangul met only through its
/// romanisation: thousands of people share each romanised Korean or Chinese
/// name (KIM Yong Su, ZHANG Lei), so the name alone does not alert; a birth
/// date, nationality or identifier that agrees lifts it.
fn romanised_syllables(ev: &Evidence, score: f64, w: &Weights) -> Option<f64> {
    let script = ev.query.name.script;
    (ev.kind.person && matches!(script, Script::Han | Script::Hangul) && ev.listed.script != script)
        .then_some(score.min(w.romanised_syllables_cap))
}

/// An organisation's number in one name only ("Fund II" / "Fund").
fn number(ev: &Evidence, score: f64, w: &Weights) -> Option<f64> {
    ev.alignment
        .number_unmatched
        .then_some(score - w.number_unmatched_penalty)
}

/// The first query identifier the party also carries.
fn shared_identifier<'a>(ev: &Evidence<'a>) -> Option<&'a str> {
    ev.query
        .identifiers
        .iter()
        .find(|id| ev.party.identifiers.contains(id))
        .map(String::as_str)
}

/// An identifier matches exactly: strong evidence.
fn identifier(ev: &Evidence, score: f64, w: &Weights) -> Option<f64> {
    shared_identifier(ev).map(|_| (score + w.identifier_match_bonus).max(w.identifier_match_floor))
}

/// How a query's birth date meets a listed person's, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum DateAgreement {
    /// The same full date.
    Exact,
    /// Agrees as far as both are precise (same year, or year and month).
    Fits,
    /// A year apart at most: neither agrees nor conflicts.
    Near,
    Conflict,
}

/// How the query's birth date meets the listed person's dates, if both have
/// one; of a query date that reads two ways, the reading that agrees best.
fn date_agreement<'a>(ev: &Evidence<'a>, w: &Weights) -> Option<(&'a str, DateAgreement)> {
    let listed = &ev.party.birth_dates;
    if listed.is_empty() || ev.party.schema != Schema::Person {
        return None;
    }
    let year = |d: &str| -> i32 { d.get(..4).and_then(|y| y.parse().ok()).unwrap_or(0) };
    let agreement = |qd: &str| {
        if listed.iter().any(|d| d == qd && d.len() == 10) {
            DateAgreement::Exact
        } else if listed.iter().any(|d| compatible_dates(qd, d)) {
            DateAgreement::Fits
        } else if listed
            .iter()
            .any(|d| (year(d) - year(qd)).abs() <= w.birth_year_tolerance)
        {
            DateAgreement::Near
        } else {
            DateAgreement::Conflict
        }
    };
    ev.query
        .birth_dates
        .iter()
        .map(|qd| (qd.as_str(), agreement(qd)))
        .min_by_key(|(_, a)| *a)
}

/// Two partial ISO dates agree where both are precise.
fn compatible_dates(a: &str, b: &str) -> bool {
    let n = a.len().min(b.len());
    n >= 4 && a[..n] == b[..n]
}

/// A person's birth date agrees (raises) or conflicts (lowers). A conflict
/// against an exact, rare name met in full that alerts keeps the alert (the
/// conflict is in the explanation for the analyst to weigh); against any
/// other name it lowers the score in full.
fn birth_date(ev: &Evidence, score: f64, w: &Weights) -> Option<f64> {
    match date_agreement(ev, w)?.1 {
        DateAgreement::Exact => Some(score + w.birth_date_exact_bonus),
        DateAgreement::Fits => Some(score + w.birth_year_bonus),
        DateAgreement::Near => None,
        DateAgreement::Conflict => {
            let lowered = score - w.birth_date_conflict_penalty;
            Some(if exact_rare_full_name(ev, w) && score >= w.threshold {
                lowered.max(w.threshold)
            } else {
                lowered
            })
        }
    }
}

/// The name met in full, nearly exactly, with at least two rare words.
fn exact_rare_full_name(ev: &Evidence, w: &Weights) -> bool {
    let a = ev.alignment;
    a.full_name && a.rare_parts >= 2 && !a.common_only && a.score >= w.sim_variant
}

/// The query's name met in full and a full birth date that matches exactly:
/// together they identify the person, whatever the name's parts.
fn full_name_birth_date(ev: &Evidence, score: f64, w: &Weights) -> Option<f64> {
    (ev.alignment.query_in_full
        && score < w.full_name_birth_date_floor
        && matches!(date_agreement(ev, w), Some((_, DateAgreement::Exact))))
    .then_some(w.full_name_birth_date_floor)
}

/// A name met in full that a name-stage cap lowered (only common parts, one
/// part of a person's name, a romanised Chinese or Korean name), with weaker
/// evidence that agrees and none that conflicts: a share of what the cap
/// took comes back.
fn cap_lift(ev: &Evidence, score: f64, w: &Weights) -> Option<f64> {
    let a = ev.alignment;
    let capped = a.common_only
        || a.single_part
        || romanised_syllables(ev, a.score, w).is_some_and(|s| s < a.score);
    if !a.query_in_full || !capped || score >= a.score {
        return None;
    }
    let date = date_agreement(ev, w).map(|(_, d)| d);
    let country = shared_country(ev);
    let conflict = date == Some(DateAgreement::Conflict) || country == Some(None);
    let agrees = matches!(date, Some(DateAgreement::Exact | DateAgreement::Fits))
        || matches!(country, Some(Some(_)));
    (agrees && !conflict).then_some(score + w.cap_lift_share * (a.score - score))
}

fn birth_date_detail(ev: &Evidence, w: &Weights) -> String {
    let listed = ev.party.birth_dates.join(", ");
    match date_agreement(ev, w) {
        Some((qd, DateAgreement::Exact)) => format!("birth date {qd} matches"),
        Some((qd, DateAgreement::Fits)) => format!("birth date {qd} fits listed {listed}"),
        Some((qd, DateAgreement::Conflict)) => {
            format!("birth date {qd} conflicts with listed {listed}")
        }
        Some((_, DateAgreement::Near)) | None => String::new(),
    }
}

/// The first query country the party also has, when both have countries.
fn shared_country<'a>(ev: &Evidence<'a>) -> Option<Option<&'a str>> {
    let (q, e) = (&ev.query.countries, &ev.party.countries);
    if q.is_empty() || e.is_empty() {
        return None;
    }
    Some(q.iter().find(|c| e.contains(c)).map(String::as_str))
}

/// A country or nationality agrees (raises) or conflicts (lowers).
fn country(ev: &Evidence, score: f64, w: &Weights) -> Option<f64> {
    Some(match shared_country(ev)? {
        Some(_) => score + w.country_match_bonus,
        None => score - w.country_conflict_penalty,
    })
}

fn country_detail(ev: &Evidence, _: &Weights) -> String {
    match shared_country(ev) {
        Some(Some(c)) => format!("country {c} matches"),
        Some(None) => format!(
            "countries {} differ from listed {}",
            ev.query.countries.join(", "),
            ev.party.countries.join(", ")
        ),
        None => String::new(),
    }
}

/// The query's entity type conflicts with the listed one.
fn schema(ev: &Evidence, score: f64, w: &Weights) -> Option<f64> {
    let qs = ev.query.schema?;
    schemas_conflict(qs, ev.party.schema).then_some(score - w.schema_conflict_penalty)
}

/// Person vs organisation vs vessel vs aircraft; `LegalEntity` fits anything
/// but a vessel or aircraft.
pub fn schemas_conflict(a: Schema, b: Schema) -> bool {
    use Schema::*;
    let class = |s: Schema| match s {
        Person => 1,
        Organization | Company => 2,
        Vessel => 3,
        Airplane => 4,
        LegalEntity => 0,
    };
    let (ca, cb) = (class(a), class(b));
    if ca == cb {
        return false;
    }
    if ca == 0 || cb == 0 {
        return matches!((ca, cb), (0, 3) | (0, 4) | (3, 0) | (4, 0));
    }
    true
}

/// The features as a Markdown table, in the order they apply, with the
/// values of `w` (generated into `docs/API.md`).
pub fn markdown_table(w: &Weights) -> String {
    let mut out = String::from(
        "| order | feature | stage | effect | weights | what it means |\n|---|---|---|---|---|---|\n",
    );
    out.push_str(&format!(
        "| 0 | `{}` | name | base | | {} |\n",
        NAME_SIMILARITY.0, NAME_SIMILARITY.1
    ));
    for (i, f) in FEATURES.iter().enumerate() {
        let weights: Vec<String> = f
            .weights
            .iter()
            .map(|(name, value)| match value(w) {
                // Counts (letters, years) as whole numbers.
                v if v.fract() == 0.0 && v.abs() >= 1.0 => format!("`{name}` {v}"),
                v => format!("`{name}` {v:.2}"),
            })
            .collect();
        out.push_str(&format!(
            "| {} | `{}` | {} | {} | {} | {} |\n",
            i + 1,
            f.name,
            match f.stage {
                Stage::Name => "name",
                Stage::Party => "party",
            },
            f.effect.as_str(),
            weights.join(", "),
            f.description
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matching::DEFAULT_WEIGHTS;
    use crate::model::Entity;

    const W: &Weights = &DEFAULT_WEIGHTS;

    /// The pieces an [`Evidence`] borrows, owned.
    struct Case {
        query: PreparedQuery,
        party: PreparedEntity,
        kind: PartyKind,
        property: &'static str,
        alignment: Alignment,
    }

    impl Case {
        /// A person query for "Ivan Petrov" against a listed person of that name.
        fn new() -> Case {
            let mut e = Entity::new("test", "1", Schema::Person);
            e.add(prop::NAME, "Ivan Petrov");
            e.finish();
            Case {
                query: PreparedQuery {
                    name: PreparedName::new("Ivan Petrov", Some(false)),
                    schema: Some(Schema::Person),
                    birth_dates: Vec::new(),
                    countries: Vec::new(),
                    identifiers: Vec::new(),
                },
                party: PreparedEntity::new(&e),
                kind: PartyKind {
                    org: false,
                    person: true,
                },
                property: prop::NAME,
                alignment: Alignment::default(),
            }
        }

        fn run(&self, f: Rule, score: f64) -> Option<f64> {
            let ev = Evidence {
                query: &self.query,
                party: &self.party,
                kind: self.kind,
                property: self.property,
                listed: &self.party.names[0].1,
                alignment: &self.alignment,
            };
            f(&ev, score, W)
        }
    }

    fn close(a: Option<f64>, b: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() < 1e-9)
    }

    #[test]
    fn caps_apply_only_with_their_fact_and_only_lower() {
        type Flag = fn(&mut Alignment);
        let caps: [(Rule, Flag, f64); 3] = [
            (
                short_word_typo,
                |a| a.short_word_typo = true,
                W.short_word_typo_cap,
            ),
            (
                common_tokens_only,
                |a| a.common_only = true,
                W.common_only_cap,
            ),
            (
                single_name_part,
                |a| a.single_part = true,
                W.single_part_cap,
            ),
        ];
        for (feature, set, cap) in caps {
            let mut c = Case::new();
            assert_eq!(c.run(feature, 0.95), None);
            set(&mut c.alignment);
            assert!(close(c.run(feature, 0.95), cap));
            // Already under the cap: applies, changes nothing.
            assert!(close(c.run(feature, 0.4), 0.4));
        }
    }

    #[test]
    fn alias_factors_scale_by_the_listed_property() {
        let mut c = Case::new();
        assert_eq!(c.run(weak_alias, 0.9), None);
        assert_eq!(c.run(previous_name, 0.9), None);
        c.property = prop::WEAK_ALIAS;
        assert!(close(c.run(weak_alias, 0.9), 0.9 * W.weak_alias_factor));
        assert_eq!(c.run(previous_name, 0.9), None);
        c.property = prop::PREVIOUS_NAME;
        assert!(close(
            c.run(previous_name, 0.9),
            0.9 * W.previous_name_factor
        ));
    }

    #[test]
    fn legal_form_and_number_penalties() {
        let mut c = Case::new();
        assert_eq!(c.run(legal_form, 0.9), None);
        assert_eq!(c.run(number, 0.9), None);
        c.alignment.legal_form_conflict = true;
        c.alignment.number_unmatched = true;
        assert!(close(
            c.run(legal_form, 0.9),
            0.9 - W.legal_form_conflict_penalty
        ));
        assert!(close(c.run(number, 0.9), 0.9 - W.number_unmatched_penalty));
    }

    #[test]
    fn romanised_syllables_cap_a_person_met_only_through_romanisation() {
        let mut c = Case::new();
        assert_eq!(c.run(romanised_syllables, 0.95), None, "Latin query");
        c.query.name = PreparedName::new("金铁三", Some(false));
        assert!(close(
            c.run(romanised_syllables, 0.95),
            W.romanised_syllables_cap
        ));
        c.kind.person = false;
        assert_eq!(c.run(romanised_syllables, 0.95), None, "not a person");
    }

    #[test]
    fn identifier_lifts_to_a_floor() {
        let mut c = Case::new();
        c.party.identifiers = vec!["AB123456".into()].into();
        assert_eq!(c.run(identifier, 0.5), None);
        c.query.identifiers = vec!["ZZ999999".into(), "AB123456".into()];
        assert!(close(c.run(identifier, 0.5), W.identifier_match_floor));
        let high = 0.9;
        assert!(close(
            c.run(identifier, high),
            (high + W.identifier_match_bonus).max(W.identifier_match_floor)
        ));
    }

    #[test]
    fn one_name_part_with_the_exact_birth_date_reaches_the_threshold() {
        // A person's name held at the single-part cap ("Тешић" for
        // Slobodan TESIC) alerts with the exact birth date, not with the
        // year alone.
        let mut c = Case::new();
        c.party.birth_dates = vec!["1958-12-21".into()].into();
        c.query.birth_dates = vec!["1958-12-21".into()];
        let exact = c.run(birth_date, W.single_part_cap).unwrap_or(0.0);
        assert!(
            crate::matching::score::round3(exact) >= W.threshold,
            "{exact}"
        );
        c.query.birth_dates = vec!["1958".into()];
        let year = c.run(birth_date, W.single_part_cap).unwrap_or(0.0);
        assert!(crate::matching::score::round3(year) < W.threshold, "{year}");
    }

    #[test]
    fn birth_date_agrees_fits_or_conflicts() {
        let mut c = Case::new();
        c.party.birth_dates = vec!["1952-10-07".into()].into();
        assert_eq!(c.run(birth_date, 0.8), None, "no query date");
        let with = |dates: &[&str]| {
            let mut c = Case::new();
            c.party.birth_dates = vec!["1952-10-07".into()].into();
            c.query.birth_dates = dates.iter().map(|d| d.to_string()).collect();
            c.run(birth_date, 0.8)
        };
        assert!(close(with(&["1952-10-07"]), 0.8 + W.birth_date_exact_bonus));
        assert!(close(with(&["1952-10"]), 0.8 + W.birth_year_bonus));
        assert!(close(with(&["1952"]), 0.8 + W.birth_year_bonus));
        assert_eq!(with(&["1953-01-01"]), None, "a year apart");
        assert!(close(with(&["1960"]), 0.8 - W.birth_date_conflict_penalty));
        // Two readings of one typed date: the better-agreeing one counts.
        assert!(close(
            with(&["1952-07-10", "1952-10-07"]),
            0.8 + W.birth_date_exact_bonus
        ));
        // Not for organisations.
        c.query.birth_dates = vec!["1960".into()];
        c.party.schema = Schema::Organization;
        assert_eq!(c.run(birth_date, 0.8), None);
    }

    #[test]
    fn a_conflicting_date_keeps_the_alert_of_an_exact_rare_full_name_only() {
        let mut c = Case::new();
        c.party.birth_dates = vec!["1952-10-07".into()].into();
        c.query.birth_dates = vec!["1960-01-01".into()];
        c.alignment.score = 1.0;
        c.alignment.full_name = true;
        c.alignment.rare_parts = 2;
        // Exact and rare: lowered, but not below the threshold.
        assert!(close(c.run(birth_date, 1.0), W.threshold));
        // A score that did not alert is lowered in full.
        assert!(close(
            c.run(birth_date, 0.7),
            0.7 - W.birth_date_conflict_penalty
        ));
        // Common parts: the conflict removes the alert.
        c.alignment.common_only = true;
        assert!(close(
            c.run(birth_date, 1.0),
            1.0 - W.birth_date_conflict_penalty
        ));
        c.alignment.common_only = false;
        c.alignment.rare_parts = 1;
        assert!(c.run(birth_date, 1.0).is_some_and(|s| s < W.threshold));
    }

    #[test]
    fn full_name_and_exact_birth_date_alert_together() {
        let mut c = Case::new();
        c.party.birth_dates = vec!["1952-10-07".into()].into();
        c.query.birth_dates = vec!["1952-10-07".into()];
        assert_eq!(c.run(full_name_birth_date, 0.76), None, "not in full");
        c.alignment.query_in_full = true;
        assert!(close(
            c.run(full_name_birth_date, 0.76),
            W.full_name_birth_date_floor
        ));
        assert!(W.full_name_birth_date_floor >= W.threshold);
        // Already above the floor: nothing to do.
        assert_eq!(c.run(full_name_birth_date, 0.95), None);
        // A year only is weaker evidence: no floor.
        c.query.birth_dates = vec!["1952".into()];
        assert_eq!(c.run(full_name_birth_date, 0.76), None);
    }

    #[test]
    fn weaker_evidence_gives_back_a_share_of_a_cap() {
        let mut c = Case::new();
        c.alignment.score = 1.0;
        c.alignment.query_in_full = true;
        c.alignment.common_only = true;
        c.party.birth_dates = vec!["1952-10-07".into()].into();
        c.party.countries = vec!["ru".into()].into();
        assert_eq!(c.run(cap_lift, 0.7), None, "no evidence");
        c.query.birth_dates = vec!["1952".into()];
        let lifted = 0.73 + W.cap_lift_share * (1.0 - 0.73);
        assert!(close(c.run(cap_lift, 0.73), lifted));
        // A country that conflicts cancels it.
        c.query.countries = vec!["ua".into()];
        assert_eq!(c.run(cap_lift, 0.73), None);
        c.query.countries = vec!["ru".into()];
        assert!(close(c.run(cap_lift, 0.73), lifted));
        // No cap, nothing to give back.
        c.alignment.common_only = false;
        assert_eq!(c.run(cap_lift, 0.73), None);
    }

    #[test]
    fn nasab_conflict_caps() {
        let mut c = Case::new();
        assert_eq!(c.run(nasab_chain, 0.95), None);
        c.alignment.nasab_conflict = true;
        assert!(close(c.run(nasab_chain, 0.95), W.nasab_conflict_cap));
    }

    #[test]
    fn country_agrees_or_conflicts() {
        let mut c = Case::new();
        c.party.countries = vec!["ru".into()].into();
        assert_eq!(c.run(country, 0.8), None);
        c.query.countries = vec!["ua".into(), "ru".into()];
        assert!(close(c.run(country, 0.8), 0.8 + W.country_match_bonus));
        c.query.countries = vec!["ua".into()];
        assert!(close(c.run(country, 0.8), 0.8 - W.country_conflict_penalty));
    }

    #[test]
    fn schema_conflicts_between_kinds_of_party() {
        let mut c = Case::new();
        assert_eq!(c.run(schema, 0.8), None);
        c.query.schema = Some(Schema::Organization);
        assert!(close(c.run(schema, 0.8), 0.8 - W.schema_conflict_penalty));
        c.query.schema = Some(Schema::LegalEntity);
        assert_eq!(c.run(schema, 0.8), None);
        assert!(schemas_conflict(Schema::LegalEntity, Schema::Vessel));
    }

    /// The table applied in order: each recorded effect is what it did, so
    /// the name similarity plus the effects is the score.
    #[test]
    fn recorded_effects_add_up_to_the_score() {
        let mut c = Case::new();
        c.alignment.single_part = true;
        c.property = prop::WEAK_ALIAS;
        c.query.birth_dates = vec!["1960".into()];
        c.party.birth_dates = vec!["1952-10-07".into()].into();
        let ev = Evidence {
            query: &c.query,
            party: &c.party,
            kind: c.kind,
            property: c.property,
            listed: &c.party.names[0].1,
            alignment: &c.alignment,
        };
        let mut record = Vec::new();
        let score = apply(None, &ev, 0.9, W, Some(&mut record));
        let names: Vec<&str> = record.iter().map(|q| q.feature.as_str()).collect();
        assert_eq!(names, ["singleNamePart", "weakAlias", "birthDate"]);
        let total: f64 = 0.9 + record.iter().map(|q| q.effect).sum::<f64>();
        assert!((total - score).abs() < 0.002, "{total} vs {score}");
        assert!(record.iter().all(|q| !q.detail.is_empty()), "{record:?}");
        // The name stage alone stops before the party's features.
        let name_only = apply(Some(Stage::Name), &ev, 0.9, W, None);
        assert!(close(
            Some(name_only),
            W.single_part_cap * W.weak_alias_factor
        ));
    }
}
