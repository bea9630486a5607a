//! FtM `topics` of listed parties, from their list and programmes.
//!
//! [`RULES`] is the one table: a party gets the topics of every row whose
//! lists include its list and whose programme words (if the row names any)
//! occur in one of its programmes. Programme words are compared as whole
//! words, case-insensitively, after splitting at every character that is
//! not a letter or digit (`CMIC-EO13959` → `cmic`, `eo13959`). Topics the
//! source itself gives (an FtM export's `topics`) are kept. A party no row
//! gives a topic to (a user's own list, an OpenSanctions export without
//! topics) is a person of interest, `poi`. docs/API.md ("Topics") shows
//! the table to users as [`table_markdown`] writes it (a test holds the
//! document to it).

use super::{Entity, LinkedSchema, prop};

/// Every topic FtM defines (followthemoney 4.11); the `topics` filter
/// accepts these and nothing else.
pub const FTM_TOPICS: &[&str] = &[
    "asset.frozen",
    "corp.clone",
    "corp.disqual",
    "corp.offshore",
    "corp.public",
    "corp.shell",
    "crime",
    "crime.boss",
    "crime.cyber",
    "crime.env",
    "crime.fin",
    "crime.fraud",
    "crime.terror",
    "crime.theft",
    "crime.traffick",
    "crime.traffick.drug",
    "crime.traffick.human",
    "crime.war",
    "debarment",
    "export.control",
    "export.control.linked",
    "export.risk",
    "fin",
    "fin.adivsor",
    "fin.bank",
    "fin.fund",
    "forced.labor",
    "geo.risk",
    "gov",
    "gov.admin",
    "gov.executive",
    "gov.financial",
    "gov.head",
    "gov.igo",
    "gov.judicial",
    "gov.legislative",
    "gov.muni",
    "gov.national",
    "gov.religion",
    "gov.security",
    "gov.soe",
    "gov.state",
    "invest.ban",
    "invest.risk",
    "mare.detained",
    "mare.shadow",
    "mare.sts",
    "mil",
    "poi",
    "pol.party",
    "pol.union",
    "reg.action",
    "reg.warn",
    "rel",
    "role.acct",
    "role.act",
    "role.civil",
    "role.diplo",
    "role.journo",
    "role.judge",
    "role.lawyer",
    "role.lobby",
    "role.oligarch",
    "role.pep",
    "role.pep.frmr",
    "role.pep.intl",
    "role.pep.natl",
    "role.pol",
    "role.rca",
    "role.spy",
    "sanction",
    "sanction.control",
    "sanction.counter",
    "sanction.linked",
    "wanted",
];

/// Whether FtM knows this topic.
pub fn is_topic(t: &str) -> bool {
    FTM_TOPICS.contains(&t)
}

/// The first topic of a `topics` filter that FtM does not know: the one
/// check every caller of the filter (the query, `/match`, `/search`) runs.
pub fn first_unknown(topics: &[String]) -> Option<&str> {
    topics.iter().map(String::as_str).find(|t| !is_topic(t))
}

/// Whether a party with these `topics` carries any of the `wanted` ones
/// (every party passes an empty filter).
pub fn passes(topics: &[impl AsRef<str>], wanted: &[String]) -> bool {
    wanted.is_empty()
        || topics
            .iter()
            .any(|t| wanted.iter().any(|w| w == t.as_ref()))
}

/// A FollowTheMoney topic in the OpenAPI document: a string of
/// [`FTM_TOPICS`].
pub struct Topic;

impl utoipa::PartialSchema for Topic {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .enum_values(Some(FTM_TOPICS.iter().copied()))
            .description(Some(
                "A FollowTheMoney topic (docs/API.md, \"Topics\", says which lists and programmes give which).",
            ))
            .into()
    }
}

impl utoipa::ToSchema for Topic {}

/// The topic of a party that no rule gives a topic to.
pub const FALLBACK: &str = "poi";

/// One row of the mapping.
#[derive(Debug)]
pub struct Rule {
    /// List ids the row applies to (`custom:` stands for every user list).
    pub lists: &'static [&'static str],
    /// Words of a programme; empty: every party of the lists.
    pub programme: &'static [&'static str],
    pub topics: &'static [&'static str],
}

/// The official sanctions lists: every party on them is sanctioned.
const SANCTIONS_LISTS: &[&str] = &[
    "us_ofac_sdn",
    "us_ofac_cons",
    "un_sc_sanctions",
    "eu_fsf",
    "gb_fcdo_sanctions",
    "gb_hmt_sanctions",
    "ca_dfatd_sema_sanctions",
    "au_dfat_sanctions",
    "ch_seco_sanctions",
];

/// Lists whose programmes name the regime (programme words apply there).
const PROGRAMME_LISTS: &[&str] = &[
    "us_ofac_sdn",
    "us_ofac_cons",
    "un_sc_sanctions",
    "eu_fsf",
    "gb_fcdo_sanctions",
    "gb_hmt_sanctions",
    "ca_dfatd_sema_sanctions",
    "au_dfat_sanctions",
    "ch_seco_sanctions",
    "us_trade_csl",
    "opensanctions",
    "custom:",
];

/// The mapping from list and programme to topics.
pub static RULES: &[Rule] = &[
    Rule {
        lists: SANCTIONS_LISTS,
        programme: &[],
        topics: &["sanction"],
    },
    Rule {
        lists: &["us_bis_denied"],
        programme: &[],
        topics: &["export.control"],
    },
    // The trade.gov list: its sub-list (the `source` column, the first
    // programme) says what kind of listing it is.
    Rule {
        lists: &["us_trade_csl"],
        programme: &["sdn", "fse", "ssi", "isn", "capta", "mbs", "plc", "cmic"],
        topics: &["sanction"],
    },
    Rule {
        lists: &["us_trade_csl"],
        programme: &["el", "meu", "uvl", "dpl"],
        topics: &["export.control"],
    },
    Rule {
        lists: &["us_trade_csl"],
        programme: &["dtc", "debarred"],
        topics: &["debarment"],
    },
    // Regimes named by their programmes, on every list that has them.
    Rule {
        lists: PROGRAMME_LISTS,
        programme: &[
            "sdgt",
            "sdt",
            "fto",
            "terr",
            "taqa",
            "terror",
            "terrorism",
            "terrorist",
            "isil",
            "qaida",
            "qaeda",
            "shabaab",
            "1373",
        ],
        topics: &["crime.terror"],
    },
    Rule {
        lists: PROGRAMME_LISTS,
        programme: &["sdnt", "sdntk", "drugs", "narcotics", "kingpin"],
        topics: &["crime.traffick.drug"],
    },
    Rule {
        lists: PROGRAMME_LISTS,
        programme: &["cyber", "cyber2", "cyber3", "cyber4"],
        topics: &["crime.cyber"],
    },
    Rule {
        lists: PROGRAMME_LISTS,
        programme: &["war", "kidnappers"],
        topics: &["crime.war"],
    },
    Rule {
        lists: PROGRAMME_LISTS,
        programme: &["cmic"],
        topics: &["invest.ban"],
    },
];

/// The mapping as a Markdown table, the form docs/API.md shows.
pub fn table_markdown() -> String {
    let code = |items: &[&str]| {
        items
            .iter()
            .map(|i| match *i {
                "custom:" => "`custom:<name>`".to_string(),
                i => format!("`{i}`"),
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut out = String::from("| Lists | Programme words | Topics |\n|---|---|---|\n");
    for rule in RULES {
        let words = if rule.programme.is_empty() {
            "(every party)".to_string()
        } else {
            code(rule.programme)
        };
        out.push_str(&format!(
            "| {} | {} | {} |\n",
            code(rule.lists),
            words,
            code(rule.topics)
        ));
    }
    out.push_str(&format!(
        "| any list, where no row gives a topic | | `{FALLBACK}` |\n"
    ));
    out
}

fn rule_has_list(rule: &Rule, list: &str) -> bool {
    rule.lists
        .iter()
        .any(|l| *l == list || (l.ends_with(':') && list.starts_with(l) && list.len() > l.len()))
}

fn words(programme: &str) -> impl Iterator<Item = String> + '_ {
    programme
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
}

/// The topics the table gives a party of `list` with these programmes,
/// in table order.
pub fn derive<'a>(list: &str, programmes: impl IntoIterator<Item = &'a str>) -> Vec<&'static str> {
    let programme_words: Vec<String> = programmes.into_iter().flat_map(words).collect();
    let mut out: Vec<&'static str> = Vec::new();
    for rule in RULES {
        if !rule_has_list(rule, list) {
            continue;
        }
        let hit = rule.programme.is_empty()
            || rule
                .programme
                .iter()
                .any(|w| programme_words.iter().any(|p| p == w));
        if hit {
            for t in rule.topics {
                if !out.contains(t) {
                    out.push(t);
                }
            }
        }
    }
    out
}

/// Sets a party's `topics`: those its source gave, and those of the table
/// for its list and the programmes of its `Sanction`; `poi` when none.
pub fn assign(e: &mut Entity) {
    let list = e.datasets.first().cloned().unwrap_or_default();
    let programmes: Vec<String> = e
        .linked(LinkedSchema::Sanction)
        .flat_map(|s| s.get(prop::PROGRAM).iter().chain(s.get(prop::PROGRAM_ID)))
        .cloned()
        .collect();
    let derived = derive(&list, programmes.iter().map(String::as_str));
    for t in derived {
        e.add(prop::TOPICS, t);
    }
    if e.get(prop::TOPICS).is_empty() {
        e.add(prop::TOPICS, FALLBACK);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_topic_of_the_table_is_an_ftm_topic() {
        for rule in RULES {
            for t in rule.topics {
                assert!(is_topic(t), "{t}");
            }
        }
        assert!(is_topic(FALLBACK));
    }

    #[test]
    fn list_and_programme_give_topics() {
        assert_eq!(
            derive("us_ofac_sdn", ["SDGT", "IRGC"]),
            ["sanction", "crime.terror"]
        );
        assert_eq!(
            derive("us_ofac_sdn", ["CYBER2"]),
            ["sanction", "crime.cyber"]
        );
        assert_eq!(
            derive("us_ofac_sdn", ["SDNTK"]),
            ["sanction", "crime.traffick.drug"]
        );
        assert_eq!(
            derive("un_sc_sanctions", ["Al-Qaida (QD)"]),
            ["sanction", "crime.terror"]
        );
        assert_eq!(derive("un_sc_sanctions", ["DPRK (KP)"]), ["sanction"]);
        assert_eq!(derive("us_bis_denied", []), ["export.control"]);
        assert_eq!(
            derive(
                "us_trade_csl",
                ["Entity List (EL) - Bureau of Industry and Security"]
            ),
            ["export.control"]
        );
        assert_eq!(
            derive("us_trade_csl", ["ITAR Debarred (DTC) - State Department"]),
            ["debarment"]
        );
        assert_eq!(
            derive(
                "us_trade_csl",
                [
                    "Specially Designated Nationals (SDN) - Treasury Department",
                    "SDGT"
                ]
            ),
            ["sanction", "crime.terror"]
        );
        // "election" is not the Entity List's "EL": words are whole.
        assert_eq!(
            derive("us_trade_csl", ["ELECTION-EO13848"]),
            Vec::<&str>::new()
        );
        assert_eq!(derive("custom:pep", []), Vec::<&str>::new());
        assert_eq!(derive("custom:pep", ["terrorism watch"]), ["crime.terror"]);
        assert_eq!(derive("customer", ["SDGT"]), Vec::<&str>::new());
    }
}
