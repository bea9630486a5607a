//! SWIFT MT payment messages: MT103 (single customer credit transfer) and
//! MT202 / MT202COV (financial institution transfer, with the underlying
//! customer transfer in sequence B of the COV variant).
//!
//! A small tokenizer reads the blocks (`{1:}` basic header, `{2:}`
//! application header, `{3:}` user header, `{4:}` text, `{5:}` trailer),
//! then the fields of block 4 (`:TAG:value` and its continuation lines;
//! CRLF or LF line ends). Parties come from the headers (sender and
//! receiver), 50A/F/K (ordering customer), 51A, 52A/D (ordering
//! institution), 53a-55a (reimbursement), 56a (intermediary), 57a (account
//! with institution), 58a (beneficiary institution) and 59/59A/59F
//! (beneficiary customer), including the numbered lines of 50F and 59F
//! (1/ name, 2/ address, 3/ country and town, 4/ birth date, 5/ place of
//! birth, 6/ customer id, 7/ national id, 8/ more of the line before).
//! Fields 70 and 72 are free text. Every value keeps its field tag and line
//! (`:59F: line 2`).
//!
//! Refused: missing blocks 1, 2 or 4, a type other than 103 and 202, a field
//! tag these messages do not have, text in block 4 before the first field.

use super::error::PaymentError;
use super::model::{
    Account, Amount, Format, FreeText, IdKind, Identifier, Located, Message, Party, PartyKind,
    Role, Transaction,
};
use super::rules::Limits;

/// The field tags of MT103, MT202 and MT202COV.
const KNOWN_TAGS: [&str; 44] = [
    "13C", "20", "21", "23B", "23E", "26T", "32A", "33B", "36", "50A", "50F", "50K", "51A", "52A",
    "52D", "53A", "53B", "53D", "54A", "54B", "54D", "55A", "55B", "55D", "56A", "56C", "56D",
    "57A", "57B", "57C", "57D", "58A", "58D", "59", "59A", "59F", "70", "71A", "71F", "71G", "72",
    "77B", "77T", "32B",
];

/// One block: its number, its content and the byte offset of the content.
struct Block<'a> {
    id: &'a str,
    content: &'a str,
    at: usize,
}

fn line_at(text: &str, offset: usize) -> u64 {
    crate::parse::line_of_offset(text.as_bytes(), offset as u64)
}

/// Splits the message into its blocks.
fn blocks(text: &str) -> Result<Vec<Block<'_>>, PaymentError> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let skip_space = |mut i: usize| {
        while bytes.get(i).is_some_and(u8::is_ascii_whitespace) {
            i += 1;
        }
        i
    };
    i = skip_space(i);
    while i < bytes.len() {
        if bytes.get(i) != Some(&b'{') {
            return Err(PaymentError::unprocessable(
                "mt_malformed",
                "expected a block ({1:…}, {2:…}, {3:…}, {4:…}, {5:…})",
            )
            .at(format!("line {}", line_at(text, i))));
        }
        let colon = text
            .get(i..)
            .and_then(|r| r.find(':'))
            .map(|c| i + c)
            .filter(|&c| c > i + 1 && c <= i + 4)
            .ok_or_else(|| {
                PaymentError::unprocessable("mt_malformed", "a block without its number")
                    .at(format!("line {}", line_at(text, i)))
            })?;
        let id = text.get(i + 1..colon).unwrap_or("");
        let start = colon + 1;
        let end = if id == "4" {
            // Block 4 ends with "-}" at the start of a line.
            let rest = text.get(start..).unwrap_or("");
            let mut found = None;
            let mut search = 0;
            while let Some(pos) = rest.get(search..).and_then(|r| r.find("-}")) {
                let abs = search + pos;
                let at_line_start =
                    abs == 0 || matches!(rest.as_bytes().get(abs - 1), Some(b'\n' | b'\r'));
                if at_line_start {
                    found = Some(start + abs);
                    break;
                }
                search = abs + 2;
            }
            found.ok_or_else(|| {
                PaymentError::unprocessable(
                    "mt_malformed",
                    "block 4 does not end with a line \"-}\": the message is truncated",
                )
                .at(format!("line {}", line_at(text, i)))
            })?
        } else {
            // Other blocks end at their matching brace (block 3 and 5 nest).
            let mut depth = 1usize;
            let mut j = start;
            loop {
                match bytes.get(j) {
                    Some(b'{') => depth += 1,
                    Some(b'}') => {
                        depth -= 1;
                        if depth == 0 {
                            break j;
                        }
                    }
                    Some(_) => {}
                    None => {
                        return Err(PaymentError::unprocessable(
                            "mt_malformed",
                            format!("block {id} is not closed with '}}'"),
                        )
                        .at(format!("line {}", line_at(text, i))));
                    }
                }
                j += 1;
            }
        };
        out.push(Block {
            id,
            content: text.get(start..end).unwrap_or(""),
            at: start,
        });
        i = if id == "4" { end + 2 } else { end + 1 };
        i = skip_space(i);
    }
    Ok(out)
}

/// A BIC-and-branch from a 12-character logical terminal address.
fn lt_bic(lt: &str) -> Option<String> {
    let bic8 = lt.get(..8)?;
    let branch = lt.get(9..12)?;
    Some(format!("{bic8}{branch}"))
}

/// One field of block 4.
struct Field {
    tag: String,
    lines: Vec<String>,
    /// 1-based line of the message where the field starts.
    line: u64,
    /// In sequence B of an MT202COV.
    sequence_b: bool,
}

impl Field {
    fn path(&self, line: usize) -> String {
        let seq = if self.sequence_b { " (sequence B)" } else { "" };
        format!(":{}:{seq} line {line}", self.tag)
    }

    fn path_whole(&self) -> String {
        let seq = if self.sequence_b { " (sequence B)" } else { "" };
        format!(":{}:{seq}", self.tag)
    }
}

fn fields(
    text: &str,
    block: &Block<'_>,
    cov: bool,
    limits: &Limits,
) -> Result<Vec<Field>, PaymentError> {
    let first_line = line_at(text, block.at);
    let mut out: Vec<Field> = Vec::new();
    let mut sequence_b = false;
    for (n, raw) in block.content.split('\n').enumerate() {
        let line = raw.trim_end_matches('\r');
        let line_no = first_line + n as u64;
        if n == 0 && line.trim().is_empty() {
            continue;
        }
        let tag = line
            .strip_prefix(':')
            .and_then(|r| r.split_once(':'))
            .filter(|(t, _)| {
                (2..=3).contains(&t.len())
                    && t.bytes().take(2).all(|b| b.is_ascii_digit())
                    && t.bytes().skip(2).all(|b| b.is_ascii_uppercase())
            });
        match tag {
            Some((tag, value)) => {
                if !KNOWN_TAGS.contains(&tag) {
                    return Err(PaymentError::unprocessable(
                        "mt_unknown_field",
                        format!("field :{tag}: is not a field of MT103 or MT202"),
                    )
                    .at(format!("block 4, line {line_no}")));
                }
                if cov && tag.starts_with("50") {
                    sequence_b = true;
                }
                out.push(Field {
                    tag: tag.to_string(),
                    lines: vec![value.to_string()],
                    line: line_no,
                    sequence_b,
                });
            }
            None => match out.last_mut() {
                Some(f) => f.lines.push(line.to_string()),
                None if line.trim().is_empty() => {}
                None => {
                    return Err(PaymentError::unprocessable(
                        "mt_malformed",
                        "block 4 has text before its first field",
                    )
                    .at(format!("block 4, line {line_no}")));
                }
            },
        }
        if let Some(f) = out.last()
            && f.lines.iter().map(|l| l.chars().count()).sum::<usize>() > limits.max_field_chars
        {
            return Err(PaymentError::too_large(
                "field_too_long",
                format!(
                    "field :{}: is longer than {} characters (limits.max_field_chars)",
                    f.tag, limits.max_field_chars
                ),
            )
            .at(format!("block 4, line {}", f.line)));
        }
    }
    for f in &mut out {
        while f.lines.last().is_some_and(|l| l.trim().is_empty()) {
            f.lines.pop();
        }
    }
    Ok(out)
}

/// An account or party identifier line ("/DE89…", "/C/12345", "/34x").
fn account_of(line: &str, path: String) -> Option<Account> {
    let rest = line.strip_prefix('/')?;
    let rest = rest
        .strip_prefix("C/")
        .or_else(|| rest.strip_prefix("D/"))
        .unwrap_or(rest)
        .trim();
    if rest.is_empty() {
        return None;
    }
    let located = Located::new(rest, path);
    Some(if super::codes::Iban::read(rest).is_some() {
        Account {
            iban: Some(located),
            other: None,
        }
    } else {
        Account {
            iban: None,
            other: Some(located),
        }
    })
}

/// The role (and ordinal) of a party field.
fn field_role(tag: &str) -> Option<(Role, Option<u8>)> {
    Some(match tag.get(..2)? {
        "50" => (Role::Debtor, None),
        "51" => (Role::InstructingAgent, None),
        "52" => (Role::DebtorAgent, None),
        "53" => (Role::ReimbursementAgent, Some(1)),
        "54" => (Role::ReimbursementAgent, Some(2)),
        "55" => (Role::ReimbursementAgent, Some(3)),
        "56" => (Role::IntermediaryAgent, Some(1)),
        "57" => (Role::CreditorAgent, None),
        "58" => (Role::Creditor, None),
        "59" => (Role::Creditor, None),
        _ => return None,
    })
}

/// A party field read into a party.
fn party_of(f: &Field) -> Option<Party> {
    let (role, ordinal) = field_role(&f.tag)?;
    let mut p = Party::new(role, ordinal, f.path_whole());
    p.kind = if role.is_agent() || f.tag.starts_with("58") {
        PartyKind::FinancialInstitution
    } else {
        PartyKind::Unknown
    };
    let option = f.tag.get(2..).unwrap_or("");
    let mut lines = f.lines.iter().enumerate().map(|(i, l)| (i + 1, l.as_str()));
    let mut next = lines.next();
    // An account or party identifier on the first line.
    if let Some((n, l)) = next
        && l.starts_with('/')
    {
        if let Some(a) = account_of(l, f.path(n)) {
            p.accounts.push(a);
        }
        next = lines.next();
    } else if option == "F"
        && let Some((n, l)) = next
        && let Some((code, rest)) = l.split_once('/')
        && code.len() == 4
        && code.bytes().all(|b| b.is_ascii_uppercase())
    {
        // 50F party identifier: code/country/identifier.
        let person = matches!(code, "ARNU" | "CCPT" | "DRLC" | "NIDN" | "SOSE");
        if person {
            p.kind = PartyKind::Person;
        }
        let value = rest.split_once('/').map_or(rest, |(_, id)| id);
        p.identifiers.push(Identifier {
            kind: if person {
                IdKind::Person
            } else {
                IdKind::Other
            },
            value: value.to_string(),
            path: f.path(n),
        });
        next = lines.next();
    }
    let rest: Vec<(usize, &str)> = next.into_iter().chain(lines).collect();
    match option {
        "A" => {
            if let Some((n, l)) = rest.first() {
                p.identifiers.push(Identifier {
                    kind: IdKind::Bic,
                    value: l.trim().to_string(),
                    path: f.path(*n),
                });
            }
            if !role.is_agent() && !f.tag.starts_with("58") {
                p.kind = PartyKind::Organisation;
            }
        }
        "B" => {
            for (n, l) in &rest {
                p.address.lines.push(Located::new(l.trim(), f.path(*n)));
            }
        }
        "C" => {}
        "F" => numbered_lines(f, &rest, &mut p),
        // D, K and 59 without a letter: name and address lines.
        _ => {
            for (i, (n, l)) in rest.iter().enumerate() {
                let v = Located::new(l.trim(), f.path(*n));
                if i == 0 {
                    p.names.push(v.clone());
                } else {
                    p.address.lines.push(v.clone());
                }
                p.text_lines.push(v);
            }
        }
    }
    Some(p)
}

/// The numbered lines of 50F and 59F.
fn numbered_lines(f: &Field, lines: &[(usize, &str)], p: &mut Party) {
    let mut name: Option<Located> = None;
    let mut last_code = 0u8;
    for (n, l) in lines {
        let Some((code, value)) = l.split_once('/') else {
            continue;
        };
        let value = value.trim();
        let code = match code {
            "8" if last_code == 1 => 1,
            "8" if last_code == 6 || last_code == 7 => {
                if let Some(id) = p.identifiers.last_mut() {
                    id.value.push_str(value);
                }
                continue;
            }
            c => c.parse::<u8>().unwrap_or(0),
        };
        last_code = code;
        let path = f.path(*n);
        match code {
            1 => match &mut name {
                Some(existing) => {
                    existing.value.push(' ');
                    existing.value.push_str(value);
                }
                None => name = Some(Located::new(value, path)),
            },
            2 => p.address.lines.push(Located::new(value, path)),
            3 => {
                let (country, town) = value.split_once('/').unwrap_or((value, ""));
                p.address.country = Some(Located::new(country.trim(), path.clone()));
                if !town.trim().is_empty() {
                    p.address.lines.push(Located::new(town.trim(), path));
                }
            }
            4 => {
                p.kind = PartyKind::Person;
                p.birth_date = Some(Located::new(birth_date(value), path));
            }
            5 => {
                p.kind = PartyKind::Person;
                let (country, place) = value.split_once('/').unwrap_or((value, ""));
                p.birth_country = Some(Located::new(country.trim(), path.clone()));
                if !place.trim().is_empty() {
                    p.birth_place.push(Located::new(place.trim(), path));
                }
            }
            6 => {
                let id = value.rsplit('/').next().unwrap_or(value);
                p.identifiers.push(Identifier {
                    kind: IdKind::Other,
                    value: id.to_string(),
                    path,
                });
            }
            7 => {
                p.kind = PartyKind::Person;
                let id = value.split_once('/').map_or(value, |(_, id)| id);
                p.identifiers.push(Identifier {
                    kind: IdKind::Person,
                    value: id.to_string(),
                    path,
                });
            }
            _ => {}
        }
    }
    if let Some(n) = name {
        p.text_lines.insert(0, n.clone());
        p.names.push(n);
    }
    p.text_lines.extend(p.address.lines.iter().cloned());
}

/// 50F line 4 is YYYYMMDD; the matcher reads YYYY-MM-DD.
fn birth_date(v: &str) -> String {
    let b = v.as_bytes();
    if b.len() == 8 && b.iter().all(u8::is_ascii_digit) {
        format!(
            "{}-{}-{}",
            v.get(..4).unwrap_or(""),
            v.get(4..6).unwrap_or(""),
            v.get(6..).unwrap_or("")
        )
    } else {
        v.to_string()
    }
}

/// Field 72 lines without their codes ("/INS/…", "//…").
fn without_codes(line: &str) -> &str {
    if let Some(rest) = line.strip_prefix("//") {
        return rest;
    }
    if let Some(rest) = line.strip_prefix('/')
        && let Some((code, text)) = rest.split_once('/')
        && !code.is_empty()
        && code.len() <= 8
        && code.bytes().all(|b| b.is_ascii_alphanumeric())
    {
        return text;
    }
    line
}

/// Reads an MT103 or MT202/MT202COV message.
pub fn parse(text: &str, limits: &Limits) -> Result<Message, PaymentError> {
    let blocks = blocks(text)?;
    let get = |id: &str| blocks.iter().find(|b| b.id == id);
    let missing: Vec<&str> = [
        ("1", "1 (basic header)"),
        ("2", "2 (application header)"),
        ("4", "4 (text)"),
    ]
    .into_iter()
    .filter(|(id, _)| get(id).is_none())
    .map(|(_, what)| what)
    .collect();
    if !missing.is_empty() {
        return Err(PaymentError::unprocessable(
            "mt_missing_block",
            format!(
                "the MT message has no block {}: a message needs blocks 1, 2 and 4",
                missing.join(" and no block ")
            ),
        ));
    }
    let (Some(b1), Some(b2), Some(b4)) = (get("1"), get("2"), get("4")) else {
        return Err(PaymentError::unprocessable(
            "mt_missing_block",
            "blocks 1, 2 and 4 are required",
        ));
    };
    let b1c = b1.content.trim();
    let b2c = b2.content.trim();
    let header_error = |what: &str, b: &Block<'_>| {
        PaymentError::unprocessable("mt_malformed", what.to_string())
            .at(format!("line {}", line_at(text, b.at)))
    };
    if !(b1c.starts_with('F') || b1c.starts_with('A') || b1c.starts_with('L')) || b1c.len() < 15 {
        return Err(header_error(
            "block 1 is not a basic header (F01 + logical terminal address + session + sequence)",
            b1,
        ));
    }
    let direction = b2c.get(..1).unwrap_or("");
    let mt = b2c.get(1..4).unwrap_or("");
    if !matches!(direction, "I" | "O") || !mt.bytes().all(|b| b.is_ascii_digit()) || mt.len() != 3 {
        return Err(header_error(
            "block 2 is not an application header (I or O, then the message type)",
            b2,
        ));
    }
    let b3 = get("3").map(|b| b.content).unwrap_or("");
    let user_field = |tag: &str| -> Option<String> {
        let key = format!("{{{tag}:");
        let at = b3.find(&key)? + key.len();
        let rest = b3.get(at..)?;
        Some(rest.get(..rest.find('}')?)?.trim().to_string())
    };
    let cov = user_field("119").is_some_and(|v| v == "COV");
    let message_type = match (mt, cov) {
        ("103", _) => "MT103",
        ("202", false) => "MT202",
        ("202", true) => "MT202COV",
        _ => {
            return Err(PaymentError::unprocessable(
                "unknown_message_type",
                format!(
                    "MT{mt} is not a message this screener reads: send MT103, MT202 or MT202COV"
                ),
            )
            .at("block 2"));
        }
    };
    let mut tx = Transaction::new("block 4");
    tx.ids.uetr = user_field("121");
    // Sender and receiver from the headers (block 1 is the receiver of an
    // output message, whose sender is in block 2's MIR).
    let lt1 = b1c.get(3..15).unwrap_or("");
    let (sender, receiver) = if direction == "I" {
        (lt1, b2c.get(4..16).unwrap_or(""))
    } else {
        (b2c.get(14..26).unwrap_or(""), lt1)
    };
    for (role, lt, path) in [
        (Role::InstructingAgent, sender, "block 1 (sender)"),
        (Role::InstructedAgent, receiver, "block 2 (receiver)"),
    ] {
        let (path, lt) = if direction == "O" {
            match role {
                Role::InstructingAgent => ("block 2 (sender, MIR)", lt),
                _ => ("block 1 (receiver)", lt),
            }
        } else {
            (path, lt)
        };
        if let Some(bic) = lt_bic(lt) {
            let mut p = Party::new(role, None, path);
            p.kind = PartyKind::FinancialInstitution;
            p.identifiers.push(Identifier {
                kind: IdKind::Bic,
                value: bic,
                path: path.to_string(),
            });
            tx.parties.push(p);
        }
    }
    let fields = fields(text, b4, cov, limits)?;
    let mut id = None;
    for f in &fields {
        match f.tag.as_str() {
            "20" => {
                let v = f.lines.first().map(|l| l.trim().to_string());
                tx.ids.transaction_id = v.clone();
                id = v;
            }
            "21" => tx.ids.end_to_end_id = f.lines.first().map(|l| l.trim().to_string()),
            "32A" => {
                let v = f.lines.first().map(String::as_str).unwrap_or("");
                if let (Some(ccy), Some(amount)) = (v.get(6..9), v.get(9..)) {
                    tx.amount = Some(Amount {
                        currency: ccy.to_string(),
                        value: amount.trim().to_string(),
                    });
                }
            }
            "70" | "72" => {
                let role = if f.tag == "70" {
                    Role::RemittanceInformation
                } else {
                    Role::Instructions
                };
                let value: Vec<&str> = f
                    .lines
                    .iter()
                    .map(|l| {
                        if role == Role::Instructions {
                            without_codes(l)
                        } else {
                            l
                        }
                    })
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .collect();
                if !value.is_empty() {
                    tx.free_text.push(FreeText {
                        role,
                        value: value.join("\n"),
                        path: f.path_whole(),
                    });
                }
            }
            _ => {
                if let Some(p) = party_of(f) {
                    tx.parties.push(p);
                }
            }
        }
    }
    if !fields.iter().any(|f| f.tag == "20") {
        return Err(PaymentError::unprocessable(
            "mt_malformed",
            format!("{message_type} has no field :20: (transaction reference)"),
        )
        .at("block 4"));
    }
    tx.parties.retain(|p| !p.is_empty());
    Ok(Message {
        format: Format::SwiftMt,
        message_type: message_type.to_string(),
        id,
        parties: Vec::new(),
        transactions: vec![tx],
        warnings: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> Limits {
        super::super::rules::Rules::builtin().limits
    }

    const MT103: &str = "{1:F01BANKDEFFAXXX0000000000}{2:I103BANKGB2LXXXXN}{3:{121:8a562c67-ca16-48ba-b074-65581be6f001}}{4:\r\n:20:REF-1\r\n:23B:CRED\r\n:32A:260101EUR1000,00\r\n:50F:/DE89370400440532013000\r\n1/JOHN\r\n1/SMITH\r\n2/1 MAIN STREET\r\n3/DE/BERLIN\r\n4/19700101\r\n:52A:BANKDEFF\r\n:57D:SOME BANK\r\nLONDON\r\n:59:/GB29NWBK60161331926819\r\nACME LTD\r\n1 HIGH STREET\r\n:70:INVOICE 1\r\n:71A:SHA\r\n:72:/INS/ABCDGB2L\r\n-}{5:{CHK:123}}";

    #[test]
    fn an_mt103_with_crlf() {
        let m = parse(MT103, &limits()).expect("parses");
        assert_eq!(m.message_type, "MT103");
        let tx = &m.transactions[0];
        assert_eq!(
            tx.ids.uetr.as_deref(),
            Some("8a562c67-ca16-48ba-b074-65581be6f001")
        );
        assert_eq!(tx.amount.as_ref().map(|a| a.currency.as_str()), Some("EUR"));
        let roles: Vec<Role> = tx.parties.iter().map(|p| p.role).collect();
        assert_eq!(
            roles,
            [
                Role::InstructingAgent,
                Role::InstructedAgent,
                Role::Debtor,
                Role::DebtorAgent,
                Role::CreditorAgent,
                Role::Creditor
            ]
        );
        let debtor = &tx.parties[2];
        assert_eq!(debtor.names[0].value, "JOHN SMITH");
        assert_eq!(debtor.names[0].path, ":50F: line 2");
        assert_eq!(debtor.kind, PartyKind::Person);
        assert_eq!(
            debtor.birth_date.as_ref().map(|d| d.value.as_str()),
            Some("1970-01-01")
        );
        assert_eq!(
            debtor.address.country.as_ref().map(|c| c.value.as_str()),
            Some("DE")
        );
        assert_eq!(tx.parties[0].identifiers[0].value, "BANKDEFFXXX");
        assert_eq!(tx.parties[1].identifiers[0].value, "BANKGB2LXXX");
        let creditor = &tx.parties[5];
        assert_eq!(creditor.names[0].value, "ACME LTD");
        assert_eq!(creditor.address.lines[0].path, ":59: line 3");
        assert!(creditor.accounts[0].iban.is_some());
        assert_eq!(tx.free_text[1].value, "ABCDGB2L");
    }

    #[test]
    fn refusals_name_the_place() {
        let l = limits();
        let e = parse(&MT103.replace("{2:I103BANKGB2LXXXXN}", ""), &l).unwrap_err();
        assert_eq!(e.code, "mt_missing_block");
        assert!(e.detail.contains("block 2"), "{e}");
        let e = parse(&MT103.replace(":71A:SHA", ":99Z:SHA"), &l).unwrap_err();
        assert_eq!(e.code, "mt_unknown_field");
        assert_eq!(e.place.as_deref(), Some("block 4, line 18"));
        let e = parse(&MT103.replace("I103", "I940"), &l).unwrap_err();
        assert_eq!(e.code, "unknown_message_type");
        let e = parse(&MT103.replace("\r\n-}", "\r\n"), &l).unwrap_err();
        assert!(e.detail.contains("truncated"), "{e}");
    }
}
