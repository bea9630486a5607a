//! Tokenising a romanised name and telling its tokens apart: words,
//! particles (al, bin, abu, van, de …), honorifics and titles (dr, sheikh,
//! haji, general …), legal forms (one canonical token per phrase), initials
//! and numbers.

use super::canonical::canonical_token;
use super::legal::legal_form_at;
use serde::{Deserialize, Serialize};

/// The most tokens kept per name variant.
pub const MAX_TOKENS: usize = 32;
/// The longest token kept, in bytes (longer ones are cut).
pub const MAX_TOKEN_LEN: usize = 64;

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TokenKind {
    /// An ordinary name part.
    Word,
    /// A connecting word: article, filiation, nobiliary particle.
    Particle,
    /// A title or honorific (mr, dr, sheikh, haji, general, jr …).
    Honorific,
    /// A legal form, always in canonical form (`llc`, `jsc`, `ltd` …).
    LegalForm,
    /// A single letter.
    Initial,
    /// Digits only.
    Number,
}

/// One token of a romanised name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct NameToken {
    /// Lower-case ASCII (the romanised spelling, not the canonical key; a
    /// legal form is its canonical token).
    pub text: String,
    pub kind: TokenKind,
}

/// Whether `t` is a name particle (checked on the token and on its
/// canonical key, so "abdul" and "abou" count).
pub fn is_particle(t: &str) -> bool {
    is_particle_exact(t) || is_particle_exact(canonical_token(t).as_ref())
}

fn is_particle_exact(t: &str) -> bool {
    matches!(
        t,
        // Arabic articles, including the sun-letter forms (ad-Din, ar-Rahman).
        "al" | "el" | "ul" | "ud" | "ad" | "ar" | "as" | "at" | "az" | "ash" | "ath" | "adh"
            | "wal"
            // Filiation and kunya.
            | "bin" | "ibn" | "bint" | "binti" | "abu" | "um" | "umm" | "ould" | "abd"
            // Turkic patronymic markers.
            | "oglu" | "ogly" | "kyzy" | "qizi" | "gizi" | "uulu"
            // European particles.
            | "van" | "von" | "de" | "der" | "den" | "da" | "dos" | "do" | "di" | "du"
            | "la" | "le" | "les" | "del" | "della" | "delle" | "dello" | "degli" | "des" | "ten"
            | "ter" | "zu" | "af" | "av"
    )
}

/// Titles that are honorifics wherever they stand in a person's name.
fn is_title_anywhere(t: &str) -> bool {
    matches!(
        t,
        "mr" | "mrs"
            | "ms"
            | "miss"
            | "mx"
            | "dr"
            | "prof"
            | "sir"
            | "dame"
            | "mme"
            | "mlle"
            | "herr"
            | "frau"
            | "sr"
            | "sra"
            | "srta"
            | "jr"
            | "phd"
            | "shaykh"
            | "sheikh"
            | "shaikh"
            | "sheik"
            | "cheikh"
            | "sheykh"
            | "shekh"
            | "shaik"
            | "shaykha"
            | "sheikha"
            | "haji"
            | "hajji"
            | "hadji"
            | "hajj"
            | "haj"
            | "hadj"
            | "alhaji"
            | "alhajji"
            | "alhaj"
            | "mullah"
            | "mulla"
            | "molla"
            | "mawlawi"
            | "maulvi"
            | "molvi"
            | "mawlavi"
            | "maulawi"
            | "moulavi"
            | "mowlawi"
            | "mawlana"
            | "maulana"
            | "moulana"
            | "mowlana"
            | "qari"
            | "mufti"
            | "ayatollah"
            | "hojatoleslam"
            | "hojjatoleslam"
            | "allama"
            | "ustad"
            | "ustadh"
            | "gospodin"
            | "gospozha"
            | "pani"
            | "shri"
            | "shrimati"
            | "smt"
            | "duktur"
            | "doktor"
            | "doctor"
            | "docteur"
            | "sarkar"
    )
}

/// Titles and offices that are honorifics only at the start of a person's
/// name ("General Trading", "Sayyid Qutb" as given name elsewhere).
fn is_leading_title(t: &str) -> bool {
    matches!(
        t,
        "general"
            | "gen"
            | "colonel"
            | "col"
            | "lieutenant"
            | "lt"
            | "major"
            | "maj"
            | "captain"
            | "capt"
            | "brigadier"
            | "admiral"
            | "adm"
            | "commander"
            | "cmdr"
            | "sergeant"
            | "sgt"
            | "marshal"
            | "president"
            | "prasident"
            | "praesident"
            | "presidente"
            | "monsieur"
            | "madame"
            | "senor"
            | "senora"
            | "signor"
            | "signora"
            | "minister"
            | "senator"
            | "governor"
            | "judge"
            | "ambassador"
            | "prince"
            | "princess"
            | "king"
            | "queen"
            | "emir"
            | "imam"
            | "rev"
            | "reverend"
            | "father"
            | "fr"
            | "bishop"
            | "pastor"
            | "rabbi"
            | "eng"
            | "engineer"
            | "don"
            | "dona"
            | "sayyid"
            | "sayed"
            | "seyed"
            | "seyyed"
            | "syed"
            | "sayyed"
            | "khanom"
            | "khanum"
            | "khanoum"
            | "khanim"
            | "uz"
            | "ogr"
            | "ogretmen"
            | "muhendis"
            | "hr"
            | "fru"
            | "mevr"
            | "dhr"
            | "sig"
            | "sigra"
            | "dott"
            | "ing"
            | "mgr"
    )
}

/// Whether `t` is a title or honorific (in any position).
pub fn is_honorific(t: &str) -> bool {
    is_title_anywhere(t) || is_leading_title(t) || is_title_anywhere(canonical_token(t).as_ref())
}

/// Splits one romanised variant into classified tokens: legal-form phrases
/// become one canonical `LegalForm` token; `is_org` (when known) decides
/// whether titles and ambiguous legal forms are looked for.
pub fn tokenize(variant: &str, is_org: Option<bool>) -> Vec<NameToken> {
    tokenize_with(variant, is_org, true)
}

/// [`tokenize`], with particles recognised only when `particles` is set:
/// syllables romanised from Chinese, Japanese or Korean ("ben", "do", "la")
/// are never particles.
pub fn tokenize_with(variant: &str, is_org: Option<bool>, particles: bool) -> Vec<NameToken> {
    let raw: Vec<&str> = variant
        .split(' ')
        .filter(|t| !t.is_empty())
        .take(MAX_TOKENS * 2)
        .map(|t| cut(t, MAX_TOKEN_LEN))
        .collect();
    let mut out: Vec<NameToken> = Vec::with_capacity(raw.len().min(MAX_TOKENS));
    let allow_ambiguous = is_org != Some(false);
    let mut legal_found = false;
    let mut i = 0;
    while i < raw.len() && out.len() < MAX_TOKENS {
        if let Some(m) = legal_form_at(&raw, i, allow_ambiguous) {
            out.push(NameToken {
                text: m.canonical.to_string(),
                kind: TokenKind::LegalForm,
            });
            legal_found = true;
            i += m.len.max(1);
            continue;
        }
        if let Some(t) = raw.get(i) {
            out.push(NameToken {
                text: (*t).to_string(),
                kind: TokenKind::Word,
            });
        }
        i += 1;
    }
    let is_org = is_org.unwrap_or(legal_found);
    // Cyrillic abbreviated titles г-н / г-жа come out as "g n" / "g zha".
    if !is_org
        && out.len() > 2
        && out.first().is_some_and(|t| t.text == "g" || t.text == "h")
        && out
            .get(1)
            .is_some_and(|t| matches!(t.text.as_str(), "n" | "zha" | "za" | "ja"))
    {
        for t in out.iter_mut().take(2) {
            t.kind = TokenKind::Honorific;
        }
    }
    let several = out.len() > 1;
    let mut leading = true;
    for tok in out.iter_mut() {
        if matches!(tok.kind, TokenKind::LegalForm | TokenKind::Honorific) {
            leading = leading && tok.kind == TokenKind::Honorific;
            continue;
        }
        let t = tok.text.as_str();
        let kind = if t.bytes().all(|b| b.is_ascii_digit()) {
            TokenKind::Number
        } else if t.len() == 1 {
            TokenKind::Initial
        } else if !is_org
            && ((leading && is_leading_title(t))
                || is_title_anywhere(t)
                || is_title_anywhere(canonical_token(t).as_ref()))
        {
            TokenKind::Honorific
        } else if particles && several && is_particle(t) {
            TokenKind::Particle
        } else {
            TokenKind::Word
        };
        if kind != TokenKind::Honorific {
            leading = false;
        }
        tok.kind = kind;
    }
    // A name made only of titles and particles ("Sayyid", "Abu Al") keeps
    // them as words: they are all there is to match.
    let has_content = out.iter().any(|t| {
        matches!(
            t.kind,
            TokenKind::Word | TokenKind::Initial | TokenKind::Number
        )
    });
    if !has_content {
        for tok in out.iter_mut() {
            if matches!(tok.kind, TokenKind::Honorific | TokenKind::Particle) {
                tok.kind = TokenKind::Word;
            }
        }
    }
    out
}

/// `t` cut to at most `max` bytes at a character boundary.
fn cut(t: &str, max: usize) -> &str {
    if t.len() <= max {
        return t;
    }
    let mut end = max;
    while end > 0 && !t.is_char_boundary(end) {
        end -= 1;
    }
    t.get(..end).unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(s: &str, org: Option<bool>) -> Vec<(String, TokenKind)> {
        tokenize(s, org)
            .into_iter()
            .map(|t| (t.text, t.kind))
            .collect()
    }

    fn k(list: &[(&str, TokenKind)]) -> Vec<(String, TokenKind)> {
        list.iter().map(|(t, k)| (t.to_string(), *k)).collect()
    }

    use TokenKind::*;

    #[test]
    fn person_names() {
        assert_eq!(
            kinds("bin ladin usama bin muhammad bin awad", Some(false)),
            k(&[
                ("bin", Particle),
                ("ladin", Word),
                ("usama", Word),
                ("bin", Particle),
                ("muhammad", Word),
                ("bin", Particle),
                ("awad", Word)
            ])
        );
        assert_eq!(
            kinds("haji abdul sattar barakzai", None),
            k(&[
                ("haji", Honorific),
                ("abdul", Particle),
                ("sattar", Word),
                ("barakzai", Word)
            ])
        );
        assert_eq!(
            kinds("mustafa hajji muhammad khan", None),
            k(&[
                ("mustafa", Word),
                ("hajji", Honorific),
                ("muhammad", Word),
                ("khan", Word)
            ])
        );
        assert_eq!(
            kinds("general ali hassan al majid", Some(false)),
            k(&[
                ("general", Honorific),
                ("ali", Word),
                ("hassan", Word),
                ("al", Particle),
                ("majid", Word)
            ])
        );
        assert_eq!(
            kinds("john f kennedy 2", None),
            k(&[
                ("john", Word),
                ("f", Initial),
                ("kennedy", Word),
                ("2", Number)
            ])
        );
    }

    #[test]
    fn organisations() {
        assert_eq!(
            kinds("general trading llc", None),
            k(&[("general", Word), ("trading", Word), ("llc", LegalForm)])
        );
        assert_eq!(
            kinds("ooo romashka", None),
            k(&[("llc", LegalForm), ("romashka", Word)])
        );
        assert_eq!(
            kinds("romashka limited liability company", None),
            k(&[("romashka", Word), ("llc", LegalForm)])
        );
        assert_eq!(
            kinds("banco nacional de cuba s a", None),
            k(&[
                ("banco", Word),
                ("nacional", Word),
                ("de", Particle),
                ("cuba", Word),
                ("jsc", LegalForm)
            ])
        );
    }

    #[test]
    fn names_of_only_titles_keep_them() {
        assert_eq!(kinds("sayyid", None), k(&[("sayyid", Word)]));
        assert_eq!(kinds("abu al", None), k(&[("abu", Word), ("al", Word)]));
    }

    #[test]
    fn bounded() {
        let long = "a ".repeat(1000);
        assert_eq!(tokenize(&long, None).len(), MAX_TOKENS);
        let word = "x".repeat(1000);
        let toks = tokenize(&word, None);
        assert_eq!(toks.first().map(|t| t.text.len()), Some(MAX_TOKEN_LEN));
    }
}
