//! Screening a parsed message: every party's names through the matcher (as
//! `/v1/screen` calls it), its BICs exactly against the lists' `swiftBic`
//! values, the countries of its address, IBAN and BIC against the
//! jurisdiction lists, its name and address lines and every free-text field
//! scanned for listed names, vessels, IMO numbers and BICs; then the
//! pass/hold verdict per transaction and for the message, by the [`Rules`].
//!
//! Screening runs in two steps: first every check that needs no matcher is
//! done and every name query is collected (once per distinct query, so a
//! debtor repeated over a thousand transactions is screened once); then the
//! queries run in parallel and the hits are put together.

use super::codes::{Bic, Iban, country_code};
use super::error::{ErrorClass, PaymentError};
use super::freetext::{self, Word};
use super::lookups::Lookups;
use super::model::{
    Amount, Format, IdKind, Located, Message, Party, PartyKind, Role, Transaction, TransactionIds,
    Warning,
};
use super::rules::Rules;
use crate::jurisdictions::{JurisdictionHit, Jurisdictions, MatchedBy};
use crate::matching::{EntitySummary, Explanation, MatchResult, Matcher, Query, ScreenOptions};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::Arc;

/// Pass or hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Pass,
    Hold,
}

/// What a hit is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum HitKind {
    /// A listed party's name (in a name field, address lines or free text).
    Name,
    /// A listed BIC.
    Bic,
    /// A listed vessel's IMO number.
    Imo,
    /// A country or region on a jurisdiction list.
    Jurisdiction,
}

/// One finding, with everything an analyst needs to judge it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Hit {
    pub kind: HitKind,
    pub role: Role,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ordinal: Option<u8>,
    /// Where in the message.
    pub path: String,
    /// The text screened.
    pub text: String,
    /// Whether this hit holds the payment (by the rules).
    pub holds: bool,
    /// Why this is a hit, in a sentence.
    pub reason: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entity: Option<EntitySummary>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explanation: Option<Explanation>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jurisdiction: Option<JurisdictionHit>,
}

/// The result for one transaction.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TransactionResult {
    /// 1-based, in message order.
    pub number: usize,
    pub path: String,
    pub ids: TransactionIds,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amount: Option<Amount>,
    /// Hold when a hit of the transaction, or of the message's own
    /// parties, holds.
    pub verdict: Verdict,
    pub hits: Vec<Hit>,
    /// What was screened: the parties as read.
    pub parties: Vec<Party>,
    pub free_text: Vec<super::model::FreeText>,
    pub warnings: Vec<Warning>,
}

/// The result for a whole message.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MessageResult {
    pub verdict: Verdict,
    pub format: Format,
    pub message_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    /// Hits on the message's own parties (ISO group header).
    pub hits: Vec<Hit>,
    pub parties: Vec<Party>,
    pub transactions: Vec<TransactionResult>,
    /// Warnings about the message as a whole.
    pub warnings: Vec<Warning>,
    /// Where the rules in force came from.
    pub rules: String,
    /// `{list id: version}` of the lists searched.
    pub list_versions: std::collections::BTreeMap<String, String>,
}

/// Whose check this is: the scope (0: the message, then each
/// transaction), and the role and ordinal of the party or field.
#[derive(Debug, Clone, Copy)]
struct Who {
    scope: usize,
    role: Role,
    ordinal: Option<u8>,
}

/// A name query and where its results go.
struct NameUse {
    who: Who,
    path: String,
    text: String,
    query: usize,
}

/// The checks of one message, before the name queries run.
struct Plan {
    queries: Vec<(Query, f64)>,
    query_keys: HashMap<String, usize>,
    uses: Vec<NameUse>,
    /// Per scope (0: the message, then each transaction): direct hits and warnings.
    hits: Vec<Vec<Hit>>,
    warnings: Vec<Vec<Warning>>,
}

/// Screens payment messages against one index.
pub struct PaymentScreener<'a> {
    matcher: &'a Matcher,
    /// The lists the rules name, resolved (`None`: every loaded list).
    lists: Option<std::collections::BTreeSet<String>>,
    lookups: Arc<Lookups>,
    rules: &'a Rules,
    jurisdictions: &'static Jurisdictions,
}

fn warn(code: &'static str, path: &str, detail: String) -> Warning {
    Warning {
        code,
        path: path.to_string(),
        detail,
    }
}

impl<'a> PaymentScreener<'a> {
    /// A screener over the matcher's index. Refused when the rules' lists
    /// name an unknown list or none that is loaded: screening would then
    /// search nothing.
    pub fn new(
        matcher: &'a Matcher,
        rules: &'a Rules,
    ) -> Result<PaymentScreener<'a>, PaymentError> {
        // An unknown or unloaded list, or none left to search, is an error:
        // a payment must never pass because nothing was searched.
        let lists = matcher.resolve_lists(&rules.lists).map_err(|e| {
            PaymentError::new(
                ErrorClass::Unavailable,
                "invalid_rules",
                format!("the lists of the payment rules ({}): {e}", rules.origin),
            )
        })?;
        Ok(PaymentScreener {
            matcher,
            lists,
            lookups: Lookups::of(matcher.index()),
            rules,
            jurisdictions: Jurisdictions::builtin(),
        })
    }

    /// Screens one parsed message.
    pub fn screen(&self, msg: &Message) -> Result<MessageResult, PaymentError> {
        let scopes = msg.transactions.len() + 1;
        let mut plan = Plan {
            queries: Vec::new(),
            query_keys: HashMap::new(),
            uses: Vec::new(),
            hits: vec![Vec::new(); scopes],
            warnings: vec![Vec::new(); scopes],
        };
        for p in &msg.parties {
            self.plan_party(&mut plan, 0, p);
        }
        for (i, tx) in msg.transactions.iter().enumerate() {
            for p in &tx.parties {
                self.plan_party(&mut plan, i + 1, p);
            }
            for ft in &tx.free_text {
                self.plan_free_text(&mut plan, i + 1, ft);
            }
        }
        let results = self.run(&plan.queries);
        let mut results: Vec<Vec<MatchResult>> = results
            .into_iter()
            .map(|r| {
                r.map_err(|e| {
                    PaymentError::new(
                        ErrorClass::Unavailable,
                        "screening_failed",
                        format!("a name could not be screened: {e}"),
                    )
                })
            })
            .collect::<Result<_, _>>()?;
        for u in &plan.uses {
            let Some(found) = results.get_mut(u.query) else {
                continue;
            };
            for m in found.iter().filter(|m| m.is_match) {
                let hit = self.name_hit(u.who, &u.path, &u.text, m, false);
                if let Some(list) = plan.hits.get_mut(u.who.scope) {
                    add_name_hit(list, hit);
                }
            }
        }
        let mut hits = plan.hits.into_iter();
        let mut warnings = plan.warnings.into_iter();
        let message_hits = hits.next().unwrap_or_default();
        let mut message_warnings = msg.warnings.clone();
        message_warnings.extend(warnings.next().unwrap_or_default());
        let message_holds = message_hits.iter().any(|h| h.holds);
        let transactions: Vec<TransactionResult> = msg
            .transactions
            .iter()
            .zip(hits.zip(warnings))
            .enumerate()
            .map(|(i, (tx, (hits, warnings)))| {
                transaction_result(i, tx, hits, warnings, message_holds)
            })
            .collect();
        let hold = message_holds || transactions.iter().any(|t| t.verdict == Verdict::Hold);
        Ok(MessageResult {
            verdict: if hold { Verdict::Hold } else { Verdict::Pass },
            format: msg.format,
            message_type: msg.message_type.clone(),
            message_id: msg.id.clone(),
            hits: message_hits,
            parties: msg.parties.clone(),
            transactions,
            warnings: message_warnings,
            rules: self.rules.origin.clone(),
            list_versions: self.matcher.list_versions(self.lists.as_ref()),
        })
    }

    /// The name queries, in parallel when there are several.
    fn run(
        &self,
        queries: &[(Query, f64)],
    ) -> Vec<Result<Vec<MatchResult>, crate::matching::ScreenError>> {
        use rayon::prelude::*;
        let one = |(q, threshold): &(Query, f64)| {
            let opts = ScreenOptions {
                threshold: Some(*threshold),
                limit: 3,
                min_score: *threshold,
            };
            self.matcher.screen(q, &opts).map(|s| s.matches)
        };
        if queries.len() > 1 {
            queries.par_iter().map(one).collect()
        } else {
            queries.iter().map(one).collect()
        }
    }

    /// A hit on a listed name; `scanned`: found by the scan of address
    /// lines or free text.
    fn name_hit(&self, who: Who, path: &str, text: &str, m: &MatchResult, scanned: bool) -> Hit {
        let rule = self.rules.role(who.role);
        let found_in = if scanned {
            format!("'{text}', found in {path}")
        } else {
            format!("'{text}'")
        };
        Hit {
            kind: HitKind::Name,
            role: who.role,
            ordinal: who.ordinal,
            path: path.to_string(),
            text: text.to_string(),
            holds: rule.hold,
            reason: format!(
                "{} {found_in} matches the listed {} '{}' ({}) with score {:.2} (threshold {:.2})",
                who.role.as_str().replace('_', " "),
                m.entity.schema,
                m.entity.caption,
                m.entity.id,
                m.score,
                rule.threshold
            ),
            entity: Some(m.entity.clone()),
            score: Some(m.score),
            explanation: Some(m.explanation.clone()),
            jurisdiction: None,
        }
    }

    /// Scores a span of scanned text against the listed parties the scan
    /// proposed for it, with the matcher's scorer, token statistics and
    /// weights (the scan did the candidate retrieval). Only a match that
    /// covers the whole listed name (up to legal forms, particles and
    /// titles) counts: a city or a word that is only part of a listed name
    /// ("DUBAI" of "DUBAI TRADING COMPANY") is not a finding in free text.
    fn score_window(
        &self,
        name: &str,
        vessel: bool,
        parties: &[u32],
        threshold: f64,
    ) -> Vec<MatchResult> {
        use crate::matching::score::score_entity;
        let query = Query {
            name: name.to_string(),
            schema: vessel.then(|| "Vessel".to_string()),
            ..Query::default()
        };
        let Ok(crate::matching::Prepared {
            query: mut prepared,
            ..
        }) = crate::matching::prepare_query(&query)
        else {
            return Vec::new();
        };
        let index = self.matcher.index();
        let stats = index.stats();
        stats.mark_common(&mut prepared.name);
        let weights = self.matcher.weights();
        let whole = |e: &crate::matching::Explanation| {
            e.unmatched_listed.iter().all(|t| {
                crate::text::is_canonical_legal_form(t)
                    || crate::text::is_particle(t)
                    || crate::text::is_honorific(t)
            })
        };
        parties
            .iter()
            .filter_map(|&ord| {
                let e = index.entity(ord)?;
                if let Some(l) = &self.lists
                    && !e.on_any_list(l)
                {
                    return None;
                }
                let quick = score_entity(&prepared, e, weights, threshold, false)?;
                if quick.score < threshold {
                    return None;
                }
                let scored = score_entity(&prepared, e, weights, threshold, true)?;
                let explanation = scored.explanation.filter(whole)?;
                Some(MatchResult {
                    entity: crate::matching::EntitySummary::of_party(e),
                    score: scored.score,
                    is_match: true,
                    explanation,
                })
            })
            .collect()
    }

    /// Adds a name query (once per distinct query) and its use.
    fn plan_name(&self, plan: &mut Plan, who: Who, path: &str, query: Query) {
        let threshold = self.rules.role(who.role).threshold;
        if let Err(e) = query.validate() {
            if let Some(w) = plan.warnings.get_mut(who.scope) {
                w.push(warn(
                    "name_not_screened",
                    path,
                    format!("the name '{}' cannot be screened: {e}", query.name),
                ));
            }
            return;
        }
        let key = format!(
            "{}|{threshold}",
            serde_json::to_string(&query).unwrap_or_default()
        );
        let text = query.name.clone();
        let next = plan.queries.len();
        let idx = *plan.query_keys.entry(key).or_insert(next);
        if idx == next {
            plan.queries.push((query, threshold));
        }
        plan.uses.push(NameUse {
            who,
            path: path.to_string(),
            text,
            query: idx,
        });
    }

    fn push_hit(&self, plan: &mut Plan, scope: usize, hit: Hit) {
        if let Some(list) = plan.hits.get_mut(scope)
            && !list.iter().any(|h| {
                h.kind == hit.kind
                    && h.role == hit.role
                    && h.ordinal == hit.ordinal
                    && h.path == hit.path
                    && h.entity.as_ref().map(|e| &e.id) == hit.entity.as_ref().map(|e| &e.id)
                    && h.jurisdiction.as_ref().map(|j| (j.list, &j.jurisdiction))
                        == hit.jurisdiction.as_ref().map(|j| (j.list, &j.jurisdiction))
            })
        {
            list.push(hit);
        }
    }

    fn push_warning(plan: &mut Plan, scope: usize, w: Warning) {
        if let Some(list) = plan.warnings.get_mut(scope) {
            list.push(w);
        }
    }

    /// A jurisdiction hit on a party or field.
    fn jurisdiction_hit(
        &self,
        plan: &mut Plan,
        who: Who,
        at: &Located,
        what: &str,
        j: JurisdictionHit,
    ) {
        let role = who.role;
        let holds = self.rules.role(role).hold && self.rules.jurisdiction_holds(j.list);
        let hit = Hit {
            kind: HitKind::Jurisdiction,
            role,
            ordinal: who.ordinal,
            path: at.path.clone(),
            text: at.value.clone(),
            holds,
            reason: format!("{} {what}: {}", role.as_str().replace('_', " "), j.reason),
            entity: None,
            score: None,
            explanation: None,
            jurisdiction: Some(j),
        };
        self.push_hit(plan, who.scope, hit);
    }

    /// The jurisdiction checks of a country code field.
    fn check_country(
        &self,
        plan: &mut Plan,
        who: Who,
        field: &Located,
        what: &str,
    ) -> Option<&'static str> {
        match country_code(&field.value) {
            Ok(code) => {
                for j in self.jurisdictions.country(code) {
                    self.jurisdiction_hit(plan, who, field, what, j);
                }
                Some(code)
            }
            Err(why) => {
                Self::push_warning(
                    plan,
                    who.scope,
                    warn("invalid_country", &field.path, format!("{what}: {why}")),
                );
                None
            }
        }
    }

    /// Places named in address-like lines (town, region, country names, postcodes).
    fn check_places(
        &self,
        plan: &mut Plan,
        who: Who,
        country: Option<&str>,
        lines: &[Located],
        what: &str,
    ) {
        for line in lines {
            for j in self.jurisdictions.address(country, &[line.value.as_str()]) {
                if j.matched_by != MatchedBy::CountryCode {
                    self.jurisdiction_hit(plan, who, line, what, j);
                }
            }
        }
    }

    fn plan_party(&self, plan: &mut Plan, scope: usize, p: &Party) {
        let role = p.role;
        let who = Who {
            scope,
            role,
            ordinal: p.ordinal,
        };
        let schema = match p.kind {
            PartyKind::Person => Some("Person"),
            PartyKind::Organisation | PartyKind::FinancialInstitution => Some("Organization"),
            PartyKind::Unknown if role.is_agent() => Some("Organization"),
            PartyKind::Unknown => None,
        };
        let birth_date = p.birth_date.as_ref().and_then(|d| {
            let ok = crate::parse::dates::parse_date(&d.value).is_some();
            if !ok {
                Self::push_warning(
                    plan,
                    scope,
                    warn(
                        "invalid_birth_date",
                        &d.path,
                        format!(
                            "'{}' is not a date; the name is screened without it",
                            d.value
                        ),
                    ),
                );
            }
            ok.then(|| d.value.clone())
        });
        // Identifiers: BICs (as BIC11 and BIC8), LEIs and the others.
        let mut identifiers: Vec<String> = Vec::new();
        for id in &p.identifiers {
            if id.kind == IdKind::Bic {
                match Bic::read(&id.value) {
                    Some(b) => {
                        identifiers.push(b.value.clone());
                        identifiers.push(b.bic8().to_string());
                    }
                    None => identifiers.push(id.value.clone()),
                }
            } else {
                identifiers.push(id.value.clone());
            }
        }
        identifiers.dedup();
        identifiers.truncate(crate::matching::query::MAX_ATTRIBUTES);
        for name in &p.names {
            let query = Query {
                name: name.value.clone(),
                schema: schema.map(str::to_string),
                birth_date: birth_date.clone(),
                identifiers: identifiers.clone(),
                lists: self.rules.lists.clone(),
                ..Query::default()
            };
            self.plan_name(plan, who, &name.path, query);
        }
        // BICs: exact against the lists, and their country.
        for id in p.identifiers.iter().filter(|i| i.kind == IdKind::Bic) {
            let Some(bic) = Bic::read(&id.value) else {
                Self::push_warning(
                    plan,
                    scope,
                    warn(
                        "invalid_bic",
                        &id.path,
                        format!(
                            "'{}' is not a BIC (8 or 11 letters and digits): not looked up in the lists",
                            id.value
                        ),
                    ),
                );
                continue;
            };
            if let Some(problem) = bic.problem() {
                Self::push_warning(plan, scope, warn("invalid_bic", &id.path, problem));
            }
            self.bic_hits(plan, who, &id.path, &bic.value);
            if let Some(code) = bic.country() {
                let at = Located::new(bic.value.clone(), id.path.clone());
                for j in self.jurisdictions.country(code) {
                    let what = format!(
                        "BIC {} has the country code {}",
                        bic.value,
                        code.to_ascii_uppercase()
                    );
                    self.jurisdiction_hit(plan, who, &at, &what, j);
                }
            }
        }
        // Accounts: the IBAN's country.
        for a in &p.accounts {
            let Some(field) = &a.iban else { continue };
            let Some(iban) = Iban::read(&field.value) else {
                Self::push_warning(
                    plan,
                    scope,
                    warn(
                        "invalid_iban",
                        &field.path,
                        format!(
                            "'{}' is not an IBAN: its country is not checked",
                            field.value
                        ),
                    ),
                );
                continue;
            };
            if let Some(problem) = iban.problem() {
                Self::push_warning(plan, scope, warn("invalid_iban", &field.path, problem));
            }
            if let Some(code) = iban.country() {
                let at = Located::new(iban.value.clone(), field.path.clone());
                for j in self.jurisdictions.country(code) {
                    let what = format!("IBAN {} is an account in {}", iban.value, j.jurisdiction);
                    self.jurisdiction_hit(plan, who, &at, &what, j);
                }
            }
        }
        // Address: its country code, and the places its lines name.
        let code = p
            .address
            .country
            .as_ref()
            .and_then(|c| self.check_country(plan, who, c, "address country"));
        self.check_places(plan, who, code, &p.address.lines, "address names a place");
        if let Some(c) = &p.residence_country {
            self.check_country(plan, who, c, "country of residence");
        }
        let birth = p
            .birth_country
            .as_ref()
            .and_then(|c| self.check_country(plan, who, c, "country of birth"));
        self.check_places(plan, who, birth, &p.birth_place, "place of birth");
        // Name and address lines read together: a listed name carried over
        // onto the next line, or written in the address.
        let lines: Vec<Located> = if p.text_lines.is_empty() {
            p.names
                .iter()
                .take(1)
                .chain(p.address.lines.iter())
                .cloned()
                .collect()
        } else {
            p.text_lines.clone()
        };
        let first_is_name = p
            .names
            .first()
            .is_some_and(|n| lines.first().is_some_and(|l| l.value == n.value));
        if !lines.is_empty() {
            self.scan(plan, who, &lines, first_is_name.then_some(0));
        }
    }

    fn plan_free_text(&self, plan: &mut Plan, scope: usize, ft: &super::model::FreeText) {
        let lines: Vec<Located> = ft
            .value
            .split('\n')
            .map(|l| Located::new(l, ft.path.clone()))
            .collect();
        let who = Who {
            scope,
            role: ft.role,
            ordinal: None,
        };
        self.scan(plan, who, &lines, None);
        let at = Located::new(ft.value.clone(), ft.path.clone());
        let texts: Vec<&str> = lines.iter().map(|l| l.value.as_str()).collect();
        for j in self.jurisdictions.address(None, &texts) {
            self.jurisdiction_hit(plan, who, &at, "text names a place", j);
        }
    }

    /// Scans lines for listed names, vessels, IMO numbers and BICs.
    fn scan(&self, plan: &mut Plan, who: Who, lines: &[Located], skip_line: Option<usize>) {
        let limits = &self.rules.limits;
        let texts: Vec<&str> = lines.iter().map(|l| l.value.as_str()).collect();
        let words: Vec<Word> = freetext::words(&texts, limits.max_field_chars);
        let finds = freetext::scan(&self.lookups, &words, skip_line, limits.max_text_windows);
        let field_path = lines.first().map(|l| l.path.as_str()).unwrap_or("");
        if finds.skipped > 0 {
            Self::push_warning(
                plan,
                who.scope,
                warn(
                    "text_not_fully_screened",
                    field_path,
                    format!(
                        "{} more candidate names in this text were not checked (limits.max_text_windows = {})",
                        finds.skipped, limits.max_text_windows
                    ),
                ),
            );
        }
        for w in &finds.windows {
            let first = words.get(w.first).and_then(|x| lines.get(x.line));
            let last = words.get(w.last).and_then(|x| lines.get(x.line));
            let path = match (first, last) {
                (Some(a), Some(b)) if a.path != b.path => format!("{} to {}", a.path, b.path),
                (Some(a), _) => a.path.clone(),
                _ => field_path.to_string(),
            };
            let text = w.text(&words);
            let threshold = self.rules.role(who.role).threshold;
            for m in self.score_window(&text, w.vessel, &w.parties, threshold) {
                let hit = self.name_hit(who, &path, &text, &m, true);
                if let Some(list) = plan.hits.get_mut(who.scope) {
                    add_name_hit(list, hit);
                }
            }
        }
        for (word, listed) in &finds.bics {
            for l in listed {
                let at = Located::new(word.clone(), field_path);
                let hit = self.listed_hit(HitKind::Bic, who, &at, l.ord, |caption, id| {
                    format!(
                        "the text names the BIC {word}, which matches the listed BIC {} of '{caption}' ({id})",
                        l.bic
                    )
                });
                if let Some(h) = hit {
                    self.push_hit(plan, who.scope, h);
                }
            }
        }
        for (digits, ords) in &finds.imos {
            for &ord in ords {
                let at = Located::new(digits.clone(), field_path);
                let hit = self.listed_hit(HitKind::Imo, who, &at, ord, |caption, id| {
                    format!(
                        "the text names IMO number {digits}, the IMO number of the listed vessel '{caption}' ({id})"
                    )
                });
                if let Some(h) = hit {
                    self.push_hit(plan, who.scope, h);
                }
            }
        }
    }

    /// Exact BIC hits of a party's BIC field.
    fn bic_hits(&self, plan: &mut Plan, who: Who, path: &str, bic: &str) {
        let Some(listed) = bic.get(..8).and_then(|b8| self.lookups.bics.get(b8)) else {
            return;
        };
        let at = Located::new(bic, path);
        for l in listed {
            let how = if l.bic == bic {
                "is exactly".to_string()
            } else if l.bic.len() == 8
                || bic.len() == 8
                || l.bic.ends_with("XXX")
                || bic.ends_with("XXX")
            {
                format!(
                    "has the same institution and location (BIC8 {}) as",
                    l.bic.get(..8).unwrap_or("")
                )
            } else {
                format!("has the same BIC8 ({}) as", l.bic.get(..8).unwrap_or(""))
            };
            let hit = self.listed_hit(HitKind::Bic, who, &at, l.ord, |caption, id| {
                format!(
                    "{} BIC {bic} {how} the listed BIC {} of '{caption}' ({id})",
                    who.role.as_str().replace('_', " "),
                    l.bic
                )
            });
            if let Some(h) = hit {
                self.push_hit(plan, who.scope, h);
            }
        }
    }

    /// A hit on a listed party found by an exact identifier (`at`: the
    /// identifier as written and where), unless the rules' lists leave the
    /// party out.
    fn listed_hit(
        &self,
        kind: HitKind,
        who: Who,
        at: &Located,
        ord: u32,
        reason: impl FnOnce(&str, &str) -> String,
    ) -> Option<Hit> {
        let e = self.matcher.index().entity(ord)?;
        if let Some(l) = &self.lists
            && !e.on_any_list(l)
        {
            return None;
        }
        Some(Hit {
            kind,
            role: who.role,
            ordinal: who.ordinal,
            path: at.path.clone(),
            text: at.value.clone(),
            holds: self.rules.role(who.role).hold,
            reason: reason(&e.caption, &e.id),
            entity: Some(EntitySummary::of_party(e)),
            score: Some(1.0),
            explanation: None,
            jurisdiction: None,
        })
    }
}

/// Keeps one name hit per role and listed party: the best scoring.
fn add_name_hit(list: &mut Vec<Hit>, hit: Hit) {
    let id = hit.entity.as_ref().map(|e| e.id.clone());
    let same = list.iter_mut().find(|h| {
        h.kind == HitKind::Name
            && h.role == hit.role
            && h.ordinal == hit.ordinal
            && h.entity.as_ref().map(|e| &e.id) == id.as_ref()
    });
    match same {
        Some(h) if h.score < hit.score => *h = hit,
        Some(_) => {}
        None => list.push(hit),
    }
}

fn transaction_result(
    i: usize,
    tx: &Transaction,
    hits: Vec<Hit>,
    warnings: Vec<Warning>,
    message_holds: bool,
) -> TransactionResult {
    let hold = message_holds || hits.iter().any(|h| h.holds);
    TransactionResult {
        number: i + 1,
        path: tx.path.clone(),
        ids: tx.ids.clone(),
        amount: tx.amount.clone(),
        verdict: if hold { Verdict::Hold } else { Verdict::Pass },
        hits,
        parties: tx.parties.clone(),
        free_text: tx.free_text.clone(),
        warnings,
    }
}
