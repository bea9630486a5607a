//! Parser for the Canadian Consolidated Autonomous Sanctions List (SEMA)
//! XML (`sema-lista.xml`, `<data-set><record>…`, format `ca_sema_xml`, list
//! `ca_dfatd_sema_sanctions`), streamed one `<record>` at a time.
//!
//! One `<record>` is one party. `Country` names the sanctions regime, not
//! the party's nationality ("Russia / Russie", "Justice for Victims of
//! Corrupt Foreign Officials Regulations (JVCFOR) / …"): its English part
//! goes to `program`. A record with `GivenName`/`LastName` is a Person, one
//! with a `ShipIMONumber` (or a ship type in `TitleOrShip` without person
//! names) a Vessel, any other an Organization. `Aliases` is free text with
//! names separated by ";", ",", " or ", "/" and language labels
//! ("Russian: …"); it is split with the rules of [`split_aliases`].
//!
//! The file has no record id. The entity id is built from the regime
//! (ISO code of the country, else the regime's acronym or initials), the
//! schedule and the item number: `ru-1p1-12` for Russia, Schedule 1, Part
//! 1, item 12; `ve-12` when there is no schedule. These are unique in the
//! published file; should two records ever share one, the later ones get
//! `-2`, `-3` … in file order and a note.

use super::dates::{parse_birth_dates, parse_date, parse_dates};
use super::xml::Records;
use super::{ParseError, ParsedList, SourceFile, UniqueIds, decode_text};
use crate::countries::country_code;
use crate::model::{Entity, Schema, collapse_whitespace, prop};

/// The child elements of one `<record>`, as text.
#[derive(Debug, Default)]
struct Record {
    fields: Vec<(String, String)>,
}

impl Record {
    fn get(&self, name: &str) -> &str {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }
}

/// The fields the parser maps; any other child element is kept in `notes`.
const KNOWN_FIELDS: [&str; 11] = [
    "Country",
    "LastName",
    "GivenName",
    "EntityOrShip",
    "ShipIMONumber",
    "DateOfBirthOrShipBuildDate",
    "Aliases",
    "TitleOrShip",
    "Schedule",
    "Item",
    "DateOfListing",
];

/// Parses sema-lista.xml files into one entity per `<record>`.
pub fn parse(list_id: &str, files: &[SourceFile]) -> Result<ParsedList, ParseError> {
    let mut entities = Vec::new();
    let mut ids = UniqueIds::with_separator('-');
    for file in files {
        parse_file(list_id, file, &mut entities, &mut ids)?;
    }
    Ok(ParsedList {
        entities,
        published: None,
        ..ParsedList::default()
    })
}

fn parse_file(
    list_id: &str,
    file: &SourceFile,
    entities: &mut Vec<Entity>,
    ids: &mut UniqueIds,
) -> Result<(), ParseError> {
    let text = decode_text(file);
    let mut records = Records::of_file(file, &text).with_byte_positions();
    records.expect_root(&["data-set"], "a SEMA list")?;
    let mut count = 0usize;
    while let Some(node) = records.next_record(|path, name| path.len() == 1 && name == "record")? {
        let record = Record {
            fields: node
                .children
                .into_iter()
                .map(|field| (field.name, field.text))
                .collect(),
        };
        let entity = build(list_id, &record, ids)
            .map_err(|msg| records.error_here(format!("<record> ending here: {msg}")))?;
        entities.push(entity);
        count += 1;
    }
    if count == 0 {
        return Err(ParseError::new(&file.name, "no <record> in the data set"));
    }
    Ok(())
}

/// The English part of a bilingual value ("Belarus / Bélarus" → "Belarus").
fn english(value: &str) -> &str {
    value.split(" / ").next().unwrap_or(value).trim()
}

/// The short code of a regime for ids: the ISO code of a country regime,
/// else the acronym in the last parentheses ("JVCFOR"), else the initials
/// of its words ("Hamas Terrorist Attacks" → "hta"). Lower case.
fn regime_code(regime: &str) -> String {
    if let Some(code) = country_code(regime) {
        return code.to_string();
    }
    if let (Some(open), Some(close)) = (regime.rfind('('), regime.rfind(')'))
        && open < close
        && let Some(inner) = regime.get(open + 1..close)
        && !inner.is_empty()
        && inner.chars().all(|c| c.is_alphanumeric())
    {
        return inner.to_lowercase();
    }
    regime
        .split_whitespace()
        .filter_map(|w| w.chars().next())
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The schedule for ids: "1, Part 1" → "1p1", "Part 2" → "p2", "1.1" → "1.1".
fn schedule_code(schedule: &str) -> String {
    schedule
        .to_lowercase()
        .replace("part", "p")
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == '.')
        .collect()
}

fn build(list_id: &str, rec: &Record, ids: &mut UniqueIds) -> Result<Entity, String> {
    let country = collapse_whitespace(rec.get("Country"));
    let regime = english(&country).to_string();
    let schedule = collapse_whitespace(rec.get("Schedule"));
    let item = collapse_whitespace(rec.get("Item"));
    if regime.is_empty() || item.is_empty() {
        return Err("record has no Country or no Item, so it has no id".into());
    }
    let mut source_id = regime_code(&regime);
    let sched = schedule_code(&schedule);
    if !sched.is_empty() {
        source_id.push('-');
        source_id.push_str(&sched);
    }
    source_id.push('-');
    source_id.push_str(&schedule_code(&item));
    let (source_id, duplicate) = ids.claim_numbered(&source_id);

    let given = collapse_whitespace(rec.get("GivenName"));
    let last = collapse_whitespace(rec.get("LastName"));
    let entity_name = collapse_whitespace(rec.get("EntityOrShip"));
    let imo: String = rec
        .get("ShipIMONumber")
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    let title_or_ship = collapse_whitespace(rec.get("TitleOrShip"));
    let is_person = !given.is_empty() || !last.is_empty();
    let schema = if is_person {
        Schema::Person
    } else if !imo.is_empty() || !title_or_ship.is_empty() {
        Schema::Vessel
    } else {
        Schema::Organization
    };
    let mut e = Entity::new(list_id, &source_id, schema);
    if duplicate > 1 {
        e.add(
            prop::NOTES,
            &format!("id made unique: another record has the same regime, schedule and item ({duplicate})"),
        );
    }

    let date = rec.get("DateOfBirthOrShipBuildDate").trim();
    match schema {
        Schema::Person => {
            let full: Vec<&str> = [given.as_str(), last.as_str()]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect();
            e.add(prop::NAME, &full.join(" "));
            e.add(prop::FIRST_NAME, &given);
            e.add(prop::LAST_NAME, &last);
            // A person record may still carry an entity name.
            e.add(prop::ALIAS, &entity_name);
            e.add(prop::TITLE, &title_or_ship);
            add_dates(&mut e, prop::BIRTH_DATE, "birth date", date);
        }
        Schema::Vessel => {
            e.add(prop::NAME, &entity_name);
            e.add(prop::TYPE, &title_or_ship);
            if !imo.is_empty() {
                e.add(prop::IMO_NUMBER, &imo);
            }
            add_dates(&mut e, prop::BUILD_DATE, "build date", date);
        }
        _ => {
            e.add(prop::NAME, &entity_name);
            if !date.is_empty() {
                e.add(prop::NOTES, &format!("DateOfBirthOrShipBuildDate: {date}"));
            }
        }
    }
    let aliases = rec.get("Aliases");
    let split = split_aliases(aliases, is_person);
    for (alias, weak) in &split {
        e.add(if *weak { prop::WEAK_ALIAS } else { prop::ALIAS }, alias);
    }
    if split.len() > 1 {
        e.add(prop::NOTES, &format!("Aliases as given: {aliases}"));
    }

    e.add(prop::PROGRAM, &regime);
    let mut listing = format!("Canadian sanctions regime: {country}");
    if !schedule.is_empty() {
        listing.push_str(&format!("; Schedule {schedule}"));
    }
    listing.push_str(&format!("; Item {item}"));
    e.add(prop::NOTES, &listing);
    let listed = rec.get("DateOfListing").trim();
    match parse_date(listed) {
        Some(d) => e.add(prop::LISTING_DATE, &d),
        None => e.add(prop::NOTES, &format!("DateOfListing: {listed}")),
    }
    for (k, v) in &rec.fields {
        if !KNOWN_FIELDS.contains(&k.as_str()) && !v.trim().is_empty() {
            e.add(prop::NOTES, &format!("{k}: {v}"));
        }
    }
    if e.name_count() == 0 {
        return Err("record names nobody".into());
    }
    Ok(e)
}

/// Adds the dates of a field ("1972", "1963-1964", "1963 or 1964"); text
/// that is not read in full (or is approximate) is kept in `notes`.
fn add_dates(e: &mut Entity, property: &str, label: &str, text: &str) {
    if text.is_empty() {
        return;
    }
    let lower = text.to_lowercase();
    let mut complete = true;
    let mut approximate = false;
    let mut any = false;
    for piece in lower.split(" or ") {
        let parsed = if property == prop::BIRTH_DATE {
            parse_birth_dates(piece)
        } else {
            parse_dates(piece)
        };
        if parsed.dates.is_empty() {
            complete = false;
        }
        approximate |= parsed.approximate;
        for d in parsed.dates {
            any = true;
            e.add(property, &d);
        }
    }
    if !complete || !any {
        e.add(prop::NOTES, &format!("{label} as given: {text}"));
    } else if approximate {
        e.add(prop::NOTES, &format!("{label} approximate: {text}"));
    }
}

/// Language labels that introduce names in another script ("Russian: …").
const LANGUAGE_LABELS: [&str; 11] = [
    "Belarusian",
    "Belarussian",
    "Russian",
    "Ukrainian",
    "Arabic",
    "Hebrew",
    "Chinese",
    "Persian",
    "Farsi",
    "Armenian",
    "Georgian",
];

/// Legal-form words that, after a comma, belong to the name before it
/// ("Евро-Полис, ООО"), not a name of their own.
const LEGAL_FORMS: [&str; 24] = [
    "ооо", "ао", "оао", "пао", "зао", "сао", "фгуп", "нп", "мк", "llc", "jsc", "ltd", "ltd.",
    "inc", "inc.", "co.", "fsue", "ooo", "oao", "ao", "pjsc", "limited", "gmbh", "corp.",
];

/// Splits the free-text `Aliases` field into names. Returns (name, weak):
/// single-word names of a person (a bare given name or nickname such as
/// "Alexei") are weak aliases.
///
/// Rules, in order: language labels ("Russian:") and ";" separate names;
/// " or " separates names; "/" separates names when it has a space on one
/// side or joins two words of three letters or more ("GORT/ORTAS", not
/// "J/V"); "," separates names outside parentheses, except before a
/// lone legal-form word ("Банк Зенит, ПАО") or a word in lower case other
/// than an article (a comma inside a long name); in the last item of a
/// comma list, " and " / " et " separate names too ("A, B and C"), and for
/// an organisation the unsplit item is kept as well, since its own name
/// may contain "and".
pub fn split_aliases(text: &str, person: bool) -> Vec<(String, bool)> {
    let labelled = replace_language_labels(text);
    let mut out: Vec<(String, bool)> = Vec::new();
    for part in labelled.split(';') {
        for part in split_word(part, " or ")
            .iter()
            .flat_map(|p| split_word(p, " OR "))
        {
            for part in split_slashes(&part) {
                for name in split_commas(&part, person) {
                    let name = clean_alias(&name);
                    if name.is_empty() {
                        continue;
                    }
                    let weak = person && !name.contains(char::is_whitespace);
                    if !out.iter().any(|(n, _)| *n == name) {
                        out.push((name, weak));
                    }
                }
            }
        }
    }
    out
}

fn split_word(text: &str, sep: &str) -> Vec<String> {
    text.split(sep).map(str::to_string).collect()
}

/// Replaces "Russian:" / "Arabic :" style labels with ";".
fn replace_language_labels(text: &str) -> String {
    let mut out = text.to_string();
    for label in LANGUAGE_LABELS {
        let mut result = String::with_capacity(out.len());
        let mut rest = out.as_str();
        while let Some(pos) = rest.find(label) {
            let before = rest.get(..pos).unwrap_or("");
            let after = rest.get(pos + label.len()..).unwrap_or("");
            let after_trim = after.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{a0}');
            let starts_word = before.chars().last().is_none_or(|c| !c.is_alphanumeric());
            if starts_word && after_trim.starts_with(':') {
                result.push_str(before);
                result.push(';');
                rest = after_trim.get(1..).unwrap_or("");
            } else {
                result.push_str(rest.get(..pos + label.len()).unwrap_or(""));
                rest = after;
            }
        }
        result.push_str(rest);
        out = result;
    }
    out
}

/// Splits at "/" as described in [`split_aliases`].
fn split_slashes(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in text.char_indices() {
        if c != '/' {
            continue;
        }
        let before = text.get(..i).unwrap_or("");
        let after = text.get(i + 1..).unwrap_or("");
        let spaced =
            before.ends_with(char::is_whitespace) || after.starts_with(char::is_whitespace);
        let word_before = before
            .chars()
            .rev()
            .take_while(|c| c.is_alphanumeric())
            .count();
        let word_after = after.chars().take_while(|c| c.is_alphanumeric()).count();
        if spaced || (word_before >= 3 && word_after >= 3) {
            out.push(text.get(start..i).unwrap_or("").to_string());
            start = i + 1;
        }
    }
    out.push(text.get(start..).unwrap_or("").to_string());
    out
}

/// Splits at commas as described in [`split_aliases`].
fn split_commas(text: &str, person: bool) -> Vec<String> {
    let opens = text.matches('(').count();
    let closes = text.matches(')').count();
    let balanced = opens == closes;
    let mut raw: Vec<&str> = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    for (i, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth <= 0 || !balanced => {
                raw.push(text.get(start..i).unwrap_or(""));
                start = i + 1;
            }
            _ => {}
        }
    }
    raw.push(text.get(start..).unwrap_or(""));
    let mut merged: Vec<String> = Vec::new();
    for piece in raw {
        let trimmed = piece.trim_matches(|c: char| c.is_whitespace() || c == '\u{a0}');
        let first_word = trimmed
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_lowercase();
        let article = ["the", "la", "le", "les"].contains(&first_word.as_str())
            || first_word.starts_with("l'")
            || first_word.starts_with("l\u{2019}");
        let joins_previous = trimmed.is_empty()
            || LEGAL_FORMS.contains(&first_word.as_str())
                && trimmed.split_whitespace().count() == 1
            || trimmed.chars().next().is_some_and(char::is_lowercase) && !article;
        match merged.last_mut() {
            Some(prev) if joins_previous => {
                prev.push(',');
                prev.push_str(piece);
            }
            _ => merged.push(piece.to_string()),
        }
    }
    if merged.len() >= 2
        && let Some(last) = merged.pop()
    {
        for sep in [" and ", " et "] {
            if last.contains(sep) {
                // An organisation's name may itself hold "and" ("… Organized
                // Crime and Corruption of …"): keep the whole item as well.
                if !person {
                    merged.push(last.clone());
                }
                merged.extend(last.split(sep).map(str::to_string));
                return merged;
            }
        }
        merged.push(last);
    }
    merged
}

/// Trims an alias: whitespace, stray separators, and a parenthesis or
/// quote left unbalanced by the splitting.
fn clean_alias(name: &str) -> String {
    let mut s = collapse_whitespace(name);
    loop {
        let before = s.len();
        s = s
            .trim_matches(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | ':'))
            .to_string();
        if s.starts_with('(') && !s.contains(')') {
            s.remove(0);
        }
        if s.ends_with(')') && !s.contains('(') {
            s.pop();
        }
        if s.ends_with('(') {
            s.pop();
        }
        // A lone straight quote left at an end by the splitting.
        if s.matches('"').count() % 2 == 1 {
            if s.starts_with('"') {
                s.remove(0);
            } else if s.ends_with('"') && !s.ends_with("\"\"") && s.matches('"').count() == 1 {
                s.pop();
            }
        }
        if s.len() == before {
            break;
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(text: &str, person: bool) -> Vec<String> {
        split_aliases(text, person)
            .into_iter()
            .map(|(n, _)| n)
            .collect()
    }

    #[test]
    fn regime_and_schedule_codes() {
        assert_eq!(regime_code("Belarus"), "by");
        assert_eq!(regime_code("Myanmar (Burma)"), "mm");
        assert_eq!(
            regime_code("Justice for Victims of Corrupt Foreign Officials Regulations (JVCFOR)"),
            "jvcfor"
        );
        assert_eq!(regime_code("Hamas Terrorist Attacks"), "hta");
        assert_eq!(schedule_code("1, Part 1"), "1p1");
        assert_eq!(schedule_code("1,Part 3"), "1p3");
        assert_eq!(schedule_code("Part 2"), "p2");
        assert_eq!(schedule_code("1.1"), "1.1");
        assert_eq!(english("Belarus / Bélarus"), "Belarus");
        assert_eq!(english("Venezuela "), "Venezuela");
    }

    #[test]
    fn alias_lists_of_people() {
        let a = split_aliases(
            "Ruslan Khikmetavich MASHADZEOU, Belarusian: Руслан Хiкметовiч МАШАДЗЕЎ, Russian\u{a0}: Руслан Хикметович МАШАДИЕВ",
            true,
        );
        assert_eq!(
            a,
            vec![
                ("Ruslan Khikmetavich MASHADZEOU".to_string(), false),
                ("Руслан Хiкметовiч МАШАДЗЕЎ".to_string(), false),
                ("Руслан Хикметович МАШАДИЕВ".to_string(), false)
            ]
        );
        assert_eq!(
            split_aliases("Alexei, Aleksei ", true),
            vec![("Alexei".to_string(), true), ("Aleksei".to_string(), true)]
        );
        assert_eq!(
            names(
                "Владимир Викторович ПАВЛЕНКО / Володимир Вiкторович ПАВЛЕНКО",
                true
            ),
            [
                "Владимир Викторович ПАВЛЕНКО",
                "Володимир Вiкторович ПАВЛЕНКО"
            ]
        );
        assert_eq!(
            names("(Юрий Николаевич ГОВТВИН / Юрiй Миколайович ГОВТВIН", true),
            ["Юрий Николаевич ГОВТВИН", "Юрiй Миколайович ГОВТВIН"]
        );
        assert_eq!(
            names(
                "Andrei Nikolayevich Eremenko, Андрій Миколайович Єременко and Андрей Николаевич Еременко",
                true
            ),
            [
                "Andrei Nikolayevich Eremenko",
                "Андрій Миколайович Єременко",
                "Андрей Николаевич Еременко"
            ]
        );
        assert_eq!(
            names("Dzmitry (Zmitser) Karsiuk", true),
            ["Dzmitry (Zmitser) Karsiuk"]
        );
    }

    #[test]
    fn alias_lists_of_organisations() {
        assert_eq!(names("Банк Зенит, ПАО", false), ["Банк Зенит, ПАО"]);
        assert_eq!(
            names(
                "Федеральное агентство по делам Содружества Независимых Государств, соотечественников, проживающих за рубежом, и по международному гуманитарному сотрудничеству or Россотрудничество",
                false
            ),
            [
                "Федеральное агентство по делам Содружества Независимых Государств, соотечественников, проживающих за рубежом, и по международному гуманитарному сотрудничеству",
                "Россотрудничество"
            ]
        );
        assert_eq!(
            names("ВЭБ; Vnesheconombank, VEB.RF", false),
            ["ВЭБ", "Vnesheconombank", "VEB.RF"]
        );
        assert_eq!(names("GORT/ORTAS", false), ["GORT", "ORTAS"]);
        assert_eq!(
            names("Центр (исследовательский, боевого применения) 924", false),
            ["Центр (исследовательский, боевого применения) 924"]
        );
        assert_eq!(
            names(
                "Military Industry Corporation, Defense Industries Corporation and Defense Industry System",
                false
            ),
            [
                "Military Industry Corporation",
                "Defense Industries Corporation and Defense Industry System",
                "Defense Industries Corporation",
                "Defense Industry System"
            ]
        );
        assert_eq!(
            names("Rukhservomotor, OOO Ruchservomotor", false),
            ["Rukhservomotor", "OOO Ruchservomotor"]
        );
        assert_eq!(
            names("Sazman-e Basij-e Mostazafan, the Basij", false),
            ["Sazman-e Basij-e Mostazafan", "the Basij"]
        );
        assert_eq!(
            names("Следственный Комитет Российской Федерации or СКР)", false),
            ["Следственный Комитет Российской Федерации", "СКР"]
        );
        assert!(split_aliases("", false).is_empty());
        assert_eq!(clean_alias("\" СКТБ РТ,"), "СКТБ РТ");
        assert_eq!(clean_alias("ОАО \"АЛЕВКУРП"), "ОАО \"АЛЕВКУРП");
    }
}
