//! Every number that shapes a score lives here, in one place: token
//! similarities and the lengths at which each way of matching two tokens
//! counts, token weights, the balance between the query's and the listed
//! name's coverage, the caps, factors, penalties and bonuses of the scoring
//! features (`features::FEATURES` names the ones each reads), how many
//! candidates are scored and the default threshold. They were tuned on
//! `../shared/eval/dev` with `screener eval`.
//!
//! Two numbers live with the analysis they shape, below this layer: which
//! tokens count as common among the loaded lists
//! (`analysis::stats::COMMON_TOKEN_*`) and the shortest identifier compared
//! (`analysis::MIN_IDENTIFIER_CHARS`). The bounds on the work one query may
//! cause are in `matching::query` and `analysis::name`.

use crate::analysis::PreparedToken;
use crate::text::TokenKind;

/// The scoring constants.
#[derive(Debug, Clone, PartialEq)]
pub struct Weights {
    /// Scores at or above this alert.
    pub threshold: f64,

    // Token similarities.
    pub sim_variant: f64,
    pub sim_skeleton: f64,
    /// Skeleton of three consonants only: weaker evidence.
    pub sim_short_skeleton: f64,
    /// One edit, in the first letter.
    pub sim_first_letter: f64,
    /// The same in a word of `first_letter_long_chars` letters or more, where
    /// another name one letter off at the start is rare.
    pub sim_first_letter_long: f64,
    pub first_letter_long_chars: usize,
    pub sim_phonetic: f64,
    /// Sounding alike, for names romanised from Arabic or Hebrew.
    pub sim_phonetic_abjad: f64,
    pub sim_initial: f64,
    pub sim_joined: f64,
    /// Joined words one letter off ("andrang heta" / "ndrangheta").
    pub sim_joined_typo: f64,
    /// The same when the joined word has twelve letters or more.
    pub sim_joined_typo_long: f64,
    pub sim_repeated: f64,
    pub sim_reordered: f64,
    /// The same letters written backwards.
    pub sim_reversed: f64,
    pub sim_abbreviation: f64,
    /// One token spelling the first letters of adjacent words.
    pub sim_initials: f64,
    /// A word with a Latvian or Lithuanian ending keeps at least this many
    /// letters without it.
    pub baltic_min_stem: usize,
    /// A word with a Russian genitive -a, in an organisation's name, keeps
    /// at least this many letters without it.
    pub genitive_min_stem: usize,
    /// Pairs below this similarity are not aligned at all.
    pub min_token_sim: f64,
    /// One hard typo (an edit in a short part or at the first letter, a
    /// sound-alike spelling) in a name whose other parts agree
    /// (`align`, step 5).
    pub sim_hard_typo: f64,
    /// A part at least this long may carry such a typo.
    pub hard_typo_min_chars: usize,
    /// With only a common word met exactly besides, the typo must be in a
    /// part at least this long.
    pub hard_typo_common_anchor_chars: usize,
    /// A person's given name cut short ("Ben" / "Benjamin") where a rare
    /// part met exactly and every other part agrees (`align`, step 5)...
    pub sim_short_form: f64,
    /// ... when the short form has at least this many letters.
    pub short_form_min_chars: usize,

    // When each way of matching two tokens counts (lengths in characters).
    /// Same skeleton: at least this many consonants ...
    pub skeleton_min_consonants: usize,
    /// ... and `sim_skeleton` (rather than `sim_short_skeleton`) from this many.
    pub skeleton_long_consonants: usize,
    /// Doubled letters collapsed: both tokens at least this long.
    pub repeated_min_chars: usize,
    /// Letters reordered: both tokens at least this long.
    pub reordered_min_chars: usize,
    /// Abbreviation (organisations only): the short form at least this long
    /// and at least `abbreviation_min_shortening` characters shorter.
    pub abbreviation_min_chars: usize,
    pub abbreviation_min_shortening: usize,
    /// Same phonetic key: both tokens at least this long (romanised from
    /// Arabic or Hebrew: `phonetic_min_chars_abjad`).
    pub phonetic_min_chars: usize,
    pub phonetic_min_chars_abjad: usize,
    /// ... and the key has at least this many consonants.
    pub phonetic_min_consonants: usize,
    /// Joined words may be this many edits off once they have
    /// `joined_typo_min_chars` letters; `sim_joined_typo_long` from
    /// `joined_typo_long_chars`.
    pub joined_typo_max_edits: usize,
    pub joined_typo_min_chars: usize,
    pub joined_typo_long_chars: usize,
    /// Words romanised from Arabic or Hebrew written apart on one side and
    /// together on the other meet on the same consonant skeleton when their
    /// lengths differ by at most this many letters (vowels written or not:
    /// "al khalij" / "alkhaleej"), and the skeleton has at least
    /// `skeleton_long_consonants` consonants; they count `sim_skeleton`.
    pub joined_skeleton_max_len_diff: usize,
    /// ... and every word but the last is a prefix of at most this many
    /// letters (an article, "abd", "abu", "bin"): two whole names joined on
    /// a skeleton are too loose a match ("alia shkhr" is not "alshehri").
    pub joined_skeleton_max_lead_chars: usize,
    /// A query word and a listed legal form this long or longer, one edit
    /// apart, are the legal form mistyped (step 5 of `align`).
    pub legal_typo_min_chars: usize,
    /// A word with a legal form or a number written onto it ("SIBERICAOY")
    /// meets the word it is written onto when that has at least this many
    /// letters.
    pub glued_min_stem: usize,
    /// A vessel's or aircraft's name of at most `mark_max_parts` parts, each
    /// of at most `mark_max_part_letters` letters or with a digit, is a
    /// registration mark or code, compared whole (`align`, step 6); one edit
    /// counts from `mark_min_chars` characters.
    pub mark_max_parts: usize,
    pub mark_max_part_letters: usize,
    pub mark_min_chars: usize,
    /// A word spelling the initials of adjacent words has this many letters.
    pub initials_min_letters: usize,
    pub initials_max_letters: usize,

    // Token weights.
    pub weight_word: f64,
    pub weight_common_word: f64,
    pub weight_particle: f64,
    pub weight_legal_form: f64,
    pub weight_initial: f64,
    pub weight_number: f64,
    /// Patronymics ("Viktorovich", "Ivanovna") say little about identity.
    pub weight_patronymic: f64,
    /// A place name in an organisation's name ("Europe", "China") that the
    /// other name lacks: a branch or market, not another party.
    pub weight_place_in_org: f64,
    /// A word saying what kind of body an organisation is ("Center",
    /// "Organization", "Group") that the other name lacks, when a query
    /// word of at least `organisation_kind_anchor_chars` letters met.
    pub weight_organisation_kind: f64,
    pub organisation_kind_anchor_chars: usize,

    /// A pair counts as a distinctive match (for the caps) from this similarity.
    pub distinctive_match_sim: f64,
    /// An organisation is named in full when every pair is at least this close.
    pub full_org_match_sim: f64,

    /// How much an unmatched query token costs (relative to its weight).
    pub unmatched_query_cost: f64,
    /// The same for a person's query part between two matched parts (a
    /// middle, father's or grandfather's name the listing leaves out).
    pub unmatched_query_middle_cost: f64,
    /// How much an unmatched listed token costs: listed names often carry
    /// patronymics and extra given names that customers leave out.
    pub unmatched_listed_cost: f64,
    /// The same for a listed person's middle names, between two matched parts.
    pub unmatched_listed_middle_cost: f64,
    /// The same for organisations, whose names have no optional middle parts,
    /// and for names romanised syllable by syllable (Chinese, Korean).
    pub unmatched_listed_cost_strict: f64,

    /// Score cap when the only distinctive token that matched is a common one.
    pub common_only_cap: f64,
    /// Score cap for two one-word names of at most `short_word_max_chars`
    /// letters one edit apart.
    pub short_word_typo_cap: f64,
    pub short_word_max_chars: usize,
    /// Score cap for a person whose name parts (two at least) all met only
    /// some edits apart.
    pub typos_only_cap: f64,
    /// Score cap for a person when only one name part matched.
    pub single_part_cap: f64,
    /// Score cap when two Arabic genealogical chains name different fathers
    /// in the same place, or the same names in another order.
    pub nasab_conflict_cap: f64,
    /// Score cap when a kunya's name ("Abu Mahmud") met a name that is no
    /// kunya ("Mahmud").
    pub kunya_conflict_cap: f64,
    /// Score cap (before birth date, country and identifier) for a person's
    /// name in Chinese characters or Hangul met only through romanisation.
    pub romanised_syllables_cap: f64,
    /// Factor for a match on a weak alias (OFAC "weak a.k.a.").
    pub weak_alias_factor: f64,
    /// Factor for a match on a previous name.
    pub previous_name_factor: f64,

    // Qualifiers.
    /// Added when a full birth date matches exactly. Enough to take a name
    /// held at `single_part_cap` to the threshold: one name part met (a
    /// surname typed alone, a given name where the list omits the surname)
    /// with the same day, month and year is a pair for an analyst to see,
    /// since a stranger shares a given birth date about once in 20,000.
    pub birth_date_exact_bonus: f64,
    pub birth_year_bonus: f64,
    pub birth_date_conflict_penalty: f64,
    /// Birth years this far apart neither agree nor conflict.
    pub birth_year_tolerance: i32,
    pub country_match_bonus: f64,
    pub country_conflict_penalty: f64,
    pub schema_conflict_penalty: f64,
    /// Both names carry a legal form and they differ (AG vs GmbH).
    pub legal_form_conflict_penalty: f64,
    /// An organisation's number missing on one side ("Fund II" / "Fund").
    pub number_unmatched_penalty: f64,
    /// A name met in full with a full birth date that matches exactly is
    /// lifted to at least this (it alerts even when every part is common).
    pub full_name_birth_date_floor: f64,
    /// Weaker evidence (a birth date that fits, a country that matches)
    /// gives back this share of what the name-stage caps took from a name
    /// met in full.
    pub cap_lift_share: f64,
    /// Score floor when an identifier matches exactly.
    pub identifier_match_floor: f64,
    pub identifier_match_bonus: f64,

    // Candidates.
    /// Parties scored per result asked for (`limit`), and at least
    /// `min_candidates`. Retrieval sums the keys of every spelling a query
    /// has, so a romanised query ranks a party with many aliases above the
    /// one whose single alias it spells; the pool leaves room for that
    /// (40 rather than 32 found a cross-script name and a typo on the dev
    /// sets, with no more false alerts, for about 5 % of batch speed).
    pub candidates_per_result: usize,
    pub min_candidates: usize,
}

/// At most this many adjacent words may be written as one word (a constant,
/// not a field: it bounds the inner loop of the alignment, and the analysis
/// keeps the lengths of such runs).
pub use crate::analysis::MAX_JOINED_WORDS;

/// [`Weights::fuzzy_similarity`] gives nothing beyond this many edits.
pub const MAX_FUZZY_EDITS: usize = 3;

/// Results scoring below this are left out unless a call says otherwise
/// (`ScreenOptions::min_score`).
pub const DEFAULT_MIN_SCORE: f64 = 0.5;

/// yente's default `threshold` and `cutoff` (yente 5.5.0, whose default
/// algorithm is nomenklatura's logic-v2), on yente's score scale.
pub const YENTE_THRESHOLD: f64 = 0.70;
pub const YENTE_CUTOFF: f64 = 0.50;

/// yente's score scale onto screener's: knots `(yente, screener)` of a
/// monotone piecewise-linear map that the yente routes apply to the
/// `threshold` and `cutoff` a yente client sends (or yente's defaults when
/// it sends none). Each screener value is the one whose alert decisions on
/// the dev sets agree best with yente's at that yente value (mean agreement
/// over positives_ofac, positives_typos, cross_script, a sample of
/// negatives_faker and the nomenklatura pairs). Made by
/// `tests/calibration/yente_calibration.py --base URL --dev ../shared/eval/dev`
/// against `screener serve --manifest ../shared/lists-raw/MANIFEST.toml`;
/// the table is in docs/API.md ("Calibration against yente").
pub const YENTE_SCALE: [(f64, f64); 7] = [
    (0.0, 0.0),
    (0.5, 0.62),
    (0.6, 0.73),
    (0.7, 0.77),
    (0.8, 0.90),
    (0.9, 0.93),
    (1.0, 1.0),
];

/// A threshold or cutoff on yente's scale (in [0, 1]) as the screener score
/// that alerts comparably, by [`YENTE_SCALE`].
pub fn from_yente_scale(v: f64) -> f64 {
    let v = v.clamp(0.0, 1.0);
    YENTE_SCALE
        .windows(2)
        .find(|w| v <= w[1].0)
        .map_or(1.0, |w| {
            let ((y0, s0), (y1, s1)) = (w[0], w[1]);
            s0 + (v - y0) / (y1 - y0) * (s1 - s0)
        })
}

pub const DEFAULT_WEIGHTS: Weights = Weights {
    threshold: 0.82,
    sim_variant: 0.95,
    sim_skeleton: 0.88,
    sim_short_skeleton: 0.8,
    sim_first_letter: 0.6,
    sim_first_letter_long: 0.85,
    first_letter_long_chars: 8,
    sim_phonetic: 0.6,
    sim_phonetic_abjad: 0.7,
    sim_initial: 0.75,
    sim_joined: 0.93,
    sim_joined_typo: 0.8,
    sim_joined_typo_long: 0.9,
    sim_repeated: 0.9,
    sim_reordered: 0.8,
    sim_reversed: 0.9,
    sim_abbreviation: 0.8,
    sim_initials: 0.85,
    baltic_min_stem: 4,
    genitive_min_stem: 5,
    min_token_sim: 0.5,
    sim_hard_typo: 0.85,
    hard_typo_min_chars: 3,
    hard_typo_common_anchor_chars: 5,
    sim_short_form: 0.8,
    short_form_min_chars: 3,
    skeleton_min_consonants: 3,
    skeleton_long_consonants: 4,
    repeated_min_chars: 2,
    reordered_min_chars: 5,
    abbreviation_min_chars: 4,
    abbreviation_min_shortening: 2,
    phonetic_min_chars: 5,
    phonetic_min_chars_abjad: 4,
    phonetic_min_consonants: 2,
    joined_typo_max_edits: 1,
    joined_typo_min_chars: 8,
    joined_typo_long_chars: 12,
    joined_skeleton_max_len_diff: 3,
    joined_skeleton_max_lead_chars: 3,
    legal_typo_min_chars: 3,
    glued_min_stem: 4,
    mark_max_parts: 3,
    mark_max_part_letters: 3,
    mark_min_chars: 5,
    initials_min_letters: 2,
    initials_max_letters: 5,
    weight_word: 1.0,
    weight_common_word: 0.45,
    weight_particle: 0.1,
    weight_legal_form: 0.1,
    weight_initial: 0.5,
    weight_number: 0.8,
    weight_patronymic: 0.5,
    weight_place_in_org: 0.1,
    weight_organisation_kind: 0.2,
    organisation_kind_anchor_chars: 5,
    distinctive_match_sim: 0.7,
    full_org_match_sim: 0.9,
    unmatched_query_cost: 0.6,
    unmatched_query_middle_cost: 0.3,
    unmatched_listed_cost: 0.3,
    unmatched_listed_middle_cost: 0.15,
    unmatched_listed_cost_strict: 0.6,
    common_only_cap: 0.7,
    short_word_typo_cap: 0.8,
    short_word_max_chars: 6,
    typos_only_cap: 0.8,
    single_part_cap: 0.75,
    nasab_conflict_cap: 0.7,
    kunya_conflict_cap: 0.7,
    romanised_syllables_cap: 0.8,
    weak_alias_factor: 0.92,
    previous_name_factor: 0.98,
    birth_date_exact_bonus: 0.07,
    birth_year_bonus: 0.03,
    birth_date_conflict_penalty: 0.20,
    birth_year_tolerance: 1,
    country_match_bonus: 0.02,
    country_conflict_penalty: 0.08,
    schema_conflict_penalty: 0.30,
    legal_form_conflict_penalty: 0.12,
    number_unmatched_penalty: 0.1,
    full_name_birth_date_floor: 0.86,
    cap_lift_share: 0.35,
    identifier_match_floor: 0.95,
    identifier_match_bonus: 0.15,
    candidates_per_result: 6,
    min_candidates: 40,
};

impl Default for Weights {
    fn default() -> Self {
        DEFAULT_WEIGHTS
    }
}

impl Weights {
    /// How much a token counts in a name: distinctive words most; common
    /// words, patronymics, initials and numbers less; particles and legal
    /// forms little; honorifics nothing.
    pub fn token_weight(&self, t: &PreparedToken) -> f64 {
        match t.kind {
            TokenKind::Honorific => 0.0,
            TokenKind::Particle => self.weight_particle,
            TokenKind::LegalForm => self.weight_legal_form,
            TokenKind::Initial => self.weight_initial,
            TokenKind::Number => self.weight_number,
            TokenKind::Word => {
                if t.patronymic {
                    self.weight_patronymic
                } else if t.common {
                    self.weight_common_word
                } else {
                    self.weight_word
                }
            }
        }
    }

    /// Similarity of two tokens `distance` edits apart, the longer having
    /// `len` characters; 0 when they are too far apart to be the same name.
    /// The most edits (up to [`MAX_FUZZY_EDITS`]) at which two tokens, the
    /// longer `len` characters long, can still count as the same name.
    pub fn max_fuzzy_edits(&self, len: usize) -> usize {
        (1..=MAX_FUZZY_EDITS)
            .rev()
            .find(|&d| self.fuzzy_similarity(d, len) > 0.0)
            .unwrap_or(0)
    }

    pub fn fuzzy_similarity(&self, distance: usize, len: usize) -> f64 {
        match (distance, len) {
            (0, _) => 1.0,
            (1, 0..=3) => 0.0,
            (1, 4) => 0.8,
            (1, _) => 0.9,
            (2, 0..=6) => 0.0,
            (2, 7..=8) => 0.6,
            (2, _) => 0.8,
            (3, 0..=11) => 0.0,
            (3, _) => 0.7,
            _ => 0.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_yente_scale_is_monotone_and_keeps_its_knots_and_ends() {
        for (y, s) in YENTE_SCALE {
            assert!((from_yente_scale(y) - s).abs() < 1e-12, "{y} -> {s}");
        }
        assert_eq!(from_yente_scale(0.0), 0.0);
        assert_eq!(from_yente_scale(1.0), 1.0);
        let mut last = 0.0;
        for i in 0..=1000 {
            let s = from_yente_scale(f64::from(i) / 1000.0);
            assert!(
                s >= last && (0.0..=1.0).contains(&s),
                "{i}: {s} after {last}"
            );
            last = s;
        }
        // Between two knots: on the line that joins them.
        assert!((from_yente_scale(0.65) - 0.75).abs() < 1e-12);
    }
}
