//! Generic organisation words of Russian, Ukrainian, Belarusian and Chinese
//! names translated into the English the lists use, for one more spelling
//! of an organisation's name: "558 АВИАЦИОННЫЙ РЕМОНТНЫЙ ЗАВОД" is listed as
//! "558 AIRCRAFT REPAIR PLANT", "…电子科技有限公司" as "… ELECTRONICS
//! TECHNOLOGY CO., LTD.". The name's own words (558, Kalashnikov, 恒邦) are
//! romanised as usual. (Arabic and Persian words are translated by the
//! Arabic-script system, `arabic::GLOSSES`.)
//!
//! Sources: the meanings are dictionary meanings (Wiktionary's Russian,
//! Ukrainian, Belarusian and Chinese entries for each word); where English
//! has several, the one the OFAC and UK lists use for these bodies is taken
//! (завод "plant", авиационный "aircraft", 有限公司 "co ltd").

use super::super::script::{Script, char_script};

/// Cyrillic word stems (folded, lower case) and their English: a word that
/// starts with the stem and has at most [`MAX_ENDING`] letters more (a case
/// or gender ending) is translated. Stems of three letters or fewer must be
/// the whole word.
const CYRILLIC: &[(&str, &str)] = &[
    // Russian
    ("завод", "plant"),
    ("фабрик", "factory"),
    ("научно", "scientific"),
    ("научн", "scientific"),
    ("исследовательск", "research"),
    ("институт", "institute"),
    ("университет", "university"),
    ("академи", "academy"),
    ("банк", "bank"),
    ("концерн", "concern"),
    ("фонд", "fund"),
    ("компани", "company"),
    ("корпораци", "corporation"),
    ("холдинг", "holding"),
    ("международн", "international"),
    ("судоходн", "shipping"),
    ("технологи", "technology"),
    ("технологическ", "technology"),
    ("электрон", "electronics"),
    // The noun (торговля "trade") before the adjective's shorter stem.
    ("торговл", "trade"),
    ("торгов", "trading"),
    ("авиационн", "aircraft"),
    ("ремонтн", "repair"),
    ("государственн", "state"),
    ("федеральн", "federal"),
    ("унитарн", "unitary"),
    ("предприяти", "enterprise"),
    ("морск", "marine"),
    ("порт", "port"),
    ("транспорт", "transport"),
    ("систем", "systems"),
    ("навигационн", "navigation"),
    ("конструкторск", "design"),
    ("бюро", "bureau"),
    ("центр", "center"),
    ("инвестици", "investment"),
    ("российск", "russian"),
    ("кредитн", "credit"),
    ("развити", "development"),
    ("реконструкци", "reconstruction"),
    ("министерств", "ministry"),
    ("оборон", "defense"),
    ("войск", "troops"),
    ("военн", "military"),
    ("частн", "private"),
    ("движени", "movement"),
    ("организаци", "organization"),
    ("общественн", "public"),
    ("нефт", "oil"),
    ("энергети", "energy"),
    ("строительн", "construction"),
    // The noun (промышленность "industry") before the adjective's stem.
    ("промышленност", "industry"),
    ("промышленн", "industrial"),
    ("химическ", "chemical"),
    ("радиационн", "radiation"),
    ("биологическ", "biological"),
    ("современн", "modern"),
    ("арктическ", "arctic"),
    ("обозрени", "outlook"),
    ("трейдинг", "trading"),
    ("казенн", "state"),
    ("казённ", "state"),
    ("комбинат", "combine"),
    ("агентств", "agency"),
    // The common misspelling of агентство.
    ("агенств", "agency"),
    ("социальн", "social"),
    ("проектировани", "design"),
    ("молекулярн", "molecular"),
    ("материал", "materials"),
    ("аддитивн", "additive"),
    ("автоматик", "automatics"),
    ("национальн", "national"),
    ("коммерческ", "commercial"),
    ("машиностроительн", "machine building"),
    ("производственн", "production"),
    ("лизингов", "leasing"),
    ("страховани", "insurance"),
    ("экспортн", "export"),
    ("кредит", "credit"),
    ("московск", "moscow"),
    ("всероссийск", "all russian"),
    ("индустриальн", "industrial"),
    ("сберегательн", "savings"),
    ("новое", "new"),
    ("новый", "new"),
    ("новая", "new"),
    ("новые", "new"),
    ("восточн", "eastern"),
    ("прям", "direct"),
    ("венчурн", "venture"),
    ("объединенн", "united"),
    ("горно", "mining"),
    ("металлургическ", "metallurgical"),
    ("флот", "fleet"),
    // "named after": ФГУП "НИТИ имени Александрова" is listed as the
    // ALEXANDROV RESEARCH INSTITUTE OF TECHNOLOGY.
    ("имени", "of"),
    ("защит", "defense"),
    ("федераци", "federation"),
    ("уральск", "ural"),
    ("сибирск", "siberian"),
    ("дальневосточн", "far eastern"),
    ("северн", "northern"),
    ("южн", "southern"),
    ("западн", "western"),
    // Ukrainian
    ("інститут", "institute"),
    ("дослідн", "research"),
    ("науков", "scientific"),
    ("державн", "state"),
    ("підприємств", "enterprise"),
    ("компані", "company"),
    ("авіаційн", "aircraft"),
    ("ремонтн", "repair"),
    // Belarusian
    ("рамонтн", "repair"),
    ("авіяцыйн", "aircraft"),
    ("навуков", "scientific"),
    ("дзяржаўн", "state"),
    ("прадпрыемств", "enterprise"),
    ("кампані", "company"),
    ("сучасн", "modern"),
    ("міжнародн", "international"),
    ("технологі", "technology"),
];

/// Letters a Cyrillic word may have beyond its stem (-ый, -ого, -ами …).
const MAX_ENDING: usize = 4;

/// The longest form of общество (общества, обществом), not the adjective
/// общественный "public".
const SOCIETY_LETTERS: usize = 9;

/// Words before общество that make it a legal form: joint-stock (акционерное,
/// and the closed, open, public and non-public kinds, which come before it).
const LEGAL_BEFORE_SOCIETY: [&str; 1] = ["акционерн"];

/// Chinese words (simplified and traditional) and their English, longest
/// first where one contains another.
const HAN: &[(&str, &str)] = &[
    ("有限责任公司", "company limited"),
    ("有限責任公司", "company limited"),
    ("股份有限公司", "co ltd"),
    ("有限公司", "co ltd"),
    ("公司", "company"),
    ("集团", "group"),
    ("集團", "group"),
    ("银行", "bank"),
    ("銀行", "bank"),
    ("科技", "technology"),
    ("技术", "technology"),
    ("技術", "technology"),
    ("电子", "electronics"),
    ("電子", "electronics"),
    ("贸易", "trading"),
    ("貿易", "trading"),
    ("国际", "international"),
    ("國際", "international"),
    ("航运", "shipping"),
    ("航運", "shipping"),
    ("船务", "shipping"),
    ("船務", "shipping"),
    ("研究所", "research institute"),
    ("研究院", "research institute"),
    ("工厂", "factory"),
    ("工廠", "factory"),
    ("控股", "holdings"),
    ("实业", "industrial"),
    ("實業", "industrial"),
    ("发展", "development"),
    ("發展", "development"),
    ("物流", "logistics"),
    ("能源", "energy"),
    ("石油", "petroleum"),
    ("化工", "chemical"),
    ("进出口", "import export"),
    ("進出口", "import export"),
    ("投资", "investment"),
    ("投資", "investment"),
    ("有限", "limited"),
    ("基金会", "foundation"),
    ("基金會", "foundation"),
    ("基金", "fund"),
    ("中东", "middle east"),
    ("中東", "middle east"),
    ("工业", "industries"),
    ("工業", "industries"),
    ("中心", "center"),
    ("大学", "university"),
    ("大學", "university"),
    ("海运", "shipping"),
    ("海運", "shipping"),
    ("商贸", "trading"),
    ("商貿", "trading"),
    ("半导体", "semiconductor"),
    ("半導體", "semiconductor"),
    ("材料", "materials"),
    ("机械", "machinery"),
    ("機械", "machinery"),
    ("设备", "equipment"),
    ("設備", "equipment"),
    // Written as one word in many company names (HONGKONG … LIMITED), the
    // spelling [`crate::text::canonical_token`] takes as Hong Kong's.
    ("香港", "hongkong"),
];

/// The folded name with its generic organisation words in English, or
/// `None` when it has none.
pub fn translated(folded: &str) -> Option<String> {
    let mut out = String::with_capacity(folded.len() + 16);
    let mut changed = false;
    let mut words = folded.split(' ').peekable();
    let mut previous = "";
    while let Some(word) = words.next() {
        let before = std::mem::replace(&mut previous, word);
        // Общество is a "society" (Общество Царьград, the TSARGRAD SOCIETY),
        // but the "company" of a legal form, which the text step reads
        // whole: акционерное общество (joint-stock company), общество с
        // ограниченной ответственностью (limited liability company).
        if word.starts_with("обществ") && word.chars().count() <= SOCIETY_LETTERS {
            let legal = LEGAL_BEFORE_SOCIETY.iter().any(|p| before.starts_with(p))
                || words.peek().is_some_and(|next| *next == "с");
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(if legal { word } else { "society" });
            changed |= !legal;
            continue;
        }
        // "Scientific-research" (научно-исследовательский) is English
        // "research" (research institute); the first half adds nothing.
        if word.starts_with("научно")
            && words
                .peek()
                .is_some_and(|next| next.starts_with("исследовательск"))
        {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        if word == "и" || word == "і" {
            // "And", translated only along with another word: alone it may
            // be an initial.
            out.push_str("and");
        } else if let Some(en) = cyrillic_word(word) {
            out.push_str(en);
            changed = true;
        } else if word.chars().any(|c| char_script(c) == Script::Han) {
            changed |= han_words(word, &mut out);
        } else {
            out.push_str(word);
        }
    }
    changed.then_some(out)
}

fn cyrillic_word(word: &str) -> Option<&'static str> {
    // Every stem starts with a Cyrillic letter (two bytes): most words,
    // in Latin letters or starting with another letter, are settled here.
    let first = word.as_bytes().get(..2)?;
    let letters = word.chars().count();
    CYRILLIC.iter().find_map(|&(stem, en)| {
        if stem.as_bytes().get(..2) != Some(first) {
            return None;
        }
        let stem_letters = stem.chars().count();
        let fits = if stem_letters <= 3 {
            word == stem
        } else {
            word.starts_with(stem) && letters <= stem_letters + MAX_ENDING
        };
        fits.then_some(en)
    })
}

/// Writes `word` with its known Chinese words in English (set apart by
/// spaces); whether any was found.
fn han_words(word: &str, out: &mut String) -> bool {
    let mut rest = word;
    let mut changed = false;
    while let Some(c) = rest.chars().next() {
        if let Some(&(zh, en)) = HAN.iter().find(|(zh, _)| rest.starts_with(zh)) {
            out.push(' ');
            out.push_str(en);
            out.push(' ');
            rest = &rest[zh.len()..];
            changed = true;
        } else {
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    changed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cyrillic_organisation_words() {
        // A society, except as the word of a legal form.
        assert_eq!(
            translated("общество царьград").as_deref(),
            Some("society царьград")
        );
        assert_eq!(translated("акционерное общество вектор"), None);
        assert_eq!(
            translated("общество с ограниченной ответственностью вектор"),
            None
        );
        assert_eq!(
            translated("558 авиационный ремонтный завод").as_deref(),
            Some("558 aircraft repair plant")
        );
        assert_eq!(
            translated("558 авіяцыйны рамонтны завод").as_deref(),
            Some("558 aircraft repair plant")
        );
        assert_eq!(
            translated("концерн калашников").as_deref(),
            Some("concern калашников")
        );
        assert_eq!(
            translated("современный морской арктический транспорт спг").as_deref(),
            Some("modern marine arctic transport спг")
        );
        assert_eq!(
            translated("федеральное казенное предприятие").as_deref(),
            Some("federal state enterprise")
        );
        assert_eq!(
            translated("компания структура").as_deref(),
            Some("company структура")
        );
        // "Group" is left out: as a legal word it would leave a short
        // abbreviation alone to carry the name ("Группа РТК" alerted
        // against "LLC RTK" on the negatives).
        assert_eq!(translated("группа ртк"), None);
        assert_eq!(
            translated("уральский банк реконструкции и развития").as_deref(),
            Some("ural bank reconstruction and development")
        );
        assert_eq!(
            translated("фгуп нити имени александрова").as_deref(),
            Some("фгуп нити of александрова")
        );
        assert_eq!(
            translated("всероссийский научно исследовательский институт автоматики").as_deref(),
            Some("all russian research institute automatics")
        );
        assert_eq!(translated("иван и петров"), None);
        assert_eq!(
            translated("росатом аддитивные технологии").as_deref(),
            Some("росатом additive technology")
        );
        // A noun is not read as the adjective its stem starts.
        assert_eq!(
            translated("транспортная промышленность и торговля").as_deref(),
            Some("transport industry and trade")
        );
        // Person names are left alone.
        assert_eq!(translated("владимир путин"), None);
        // A longer word that only starts like a stem is not translated.
        assert_eq!(translated("газпром"), None);
        assert_eq!(translated("банкротов"), None);
    }

    #[test]
    fn chinese_organisation_words() {
        assert_eq!(
            translated("信諾電子科技有限公司").as_deref(),
            Some("信諾 electronics  technology  co ltd ")
        );
        assert_eq!(
            translated("中东石油基金会").as_deref(),
            Some(" middle east  petroleum  foundation ")
        );
        assert_eq!(translated("习近平"), None);
    }
}
