//! ISO 20022 payment messages, read as a stream of XML events (quick-xml):
//! `pacs.008` (FI to FI customer credit transfer), `pacs.009` (financial
//! institution credit transfer, with the underlying customer credit transfer
//! of the COV variant) and `pain.001` (customer credit transfer initiation),
//! in any version whose party elements are those of the current ones
//! (`Nm`, `PstlAdr`, `Id/OrgId`, `Id/PrvtId`, `FinInstnId/BICFI` or `BIC`).
//!
//! The type comes from the `Document` element's namespace
//! (`urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08`), or from its message
//! element when there is no namespace; namespace prefixes are allowed
//! anywhere, and the `Document` may sit in an envelope beside an `AppHdr`.
//!
//! Every party is read with its role and the XPath of its element; every
//! value keeps the XPath it was read at (`/Document/FIToFICstmrCdtTrf/
//! CdtTrfTxInf[1]/Cdtr/PstlAdr/AdrLine[2]`). Parties of the group header are
//! the message's; parties of a `pain.001` payment information block belong
//! to each of its transactions.
//!
//! Refused outright (never resolved): a document type declaration (DTD)
//! and any entity reference other than the five XML entities and character
//! references, so external entities (XXE) and entity expansion cannot
//! happen. Also refused: XML that is not well-formed, content after the
//! root, nesting deeper than [`MAX_DEPTH`], and the documented limits of
//! [`Limits`] (transactions, field length, free-text fields).

use super::error::PaymentError;
use super::model::{
    Account, Amount, Format, IdKind, Identifier, Located, Message, Party, PartyKind, Role,
    Transaction,
};
use super::rules::Limits;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;

/// Deepest element nesting accepted (the messages need about twelve).
pub const MAX_DEPTH: usize = 64;

const NAMESPACE_PREFIX: &str = "urn:iso:std:iso:20022:tech:xsd:";

/// The message families read, by the element under `Document`.
const FAMILIES: [(&str, &str); 3] = [
    ("pacs.008", "FIToFICstmrCdtTrf"),
    ("pacs.009", "FICdtTrf"),
    ("pain.001", "CstmrCdtTrfInitn"),
];

/// Elements that repeat in these messages: their XPath step carries an index.
const REPEATED: [&str; 9] = [
    "PmtInf",
    "CdtTrfTxInf",
    "AdrLine",
    "Ustrd",
    "Strd",
    "Othr",
    "InstrForCdtrAgt",
    "InstrForNxtAgt",
    "ChrgsInf",
];

/// Elements under which party and account elements are recognised.
const SCOPES: [&str; 7] = [
    "GrpHdr",
    "PmtInf",
    "CdtTrfTxInf",
    "UndrlygCstmrCdtTrf",
    "SttlmInf",
    "ChrgsInf",
    "Strd",
];

/// A party element's role (and ordinal), by its name.
fn party_role(name: &str, parent: &str) -> Option<(Role, Option<u8>)> {
    Some(match name {
        "Dbtr" => (Role::Debtor, None),
        "Cdtr" => (Role::Creditor, None),
        "UltmtDbtr" => (Role::UltimateDebtor, None),
        "UltmtCdtr" => (Role::UltimateCreditor, None),
        "InitgPty" => (Role::InitiatingParty, None),
        "DbtrAgt" => (Role::DebtorAgent, None),
        "CdtrAgt" => (Role::CreditorAgent, None),
        "InstgAgt" | "FwdgAgt" => (Role::InstructingAgent, None),
        "InstdAgt" => (Role::InstructedAgent, None),
        "IntrmyAgt1" => (Role::IntermediaryAgent, Some(1)),
        "IntrmyAgt2" => (Role::IntermediaryAgent, Some(2)),
        "IntrmyAgt3" => (Role::IntermediaryAgent, Some(3)),
        "PrvsInstgAgt" | "PrvsInstgAgt1" => (Role::PreviousInstructingAgent, Some(1)),
        "PrvsInstgAgt2" => (Role::PreviousInstructingAgent, Some(2)),
        "PrvsInstgAgt3" => (Role::PreviousInstructingAgent, Some(3)),
        "InstgRmbrsmntAgt" => (Role::ReimbursementAgent, Some(1)),
        "InstdRmbrsmntAgt" => (Role::ReimbursementAgent, Some(2)),
        "ThrdRmbrsmntAgt" => (Role::ReimbursementAgent, Some(3)),
        "Agt" if parent == "ChrgsInf" => (Role::ChargesAgent, None),
        "Invcr" => (Role::Invoicer, None),
        "Invcee" => (Role::Invoicee, None),
        _ => return None,
    })
}

/// An account element's owner (role and ordinal), by its name.
fn account_role(name: &str) -> Option<(Role, Option<u8>)> {
    Some(match name {
        "DbtrAcct" | "ChrgsAcct" => (Role::Debtor, None),
        "CdtrAcct" => (Role::Creditor, None),
        "DbtrAgtAcct" => (Role::DebtorAgent, None),
        "CdtrAgtAcct" => (Role::CreditorAgent, None),
        "IntrmyAgt1Acct" => (Role::IntermediaryAgent, Some(1)),
        "IntrmyAgt2Acct" => (Role::IntermediaryAgent, Some(2)),
        "IntrmyAgt3Acct" => (Role::IntermediaryAgent, Some(3)),
        "PrvsInstgAgt1Acct" => (Role::PreviousInstructingAgent, Some(1)),
        "PrvsInstgAgt2Acct" => (Role::PreviousInstructingAgent, Some(2)),
        "PrvsInstgAgt3Acct" => (Role::PreviousInstructingAgent, Some(3)),
        "InstgRmbrsmntAgtAcct" => (Role::ReimbursementAgent, Some(1)),
        "InstdRmbrsmntAgtAcct" => (Role::ReimbursementAgent, Some(2)),
        "ThrdRmbrsmntAgtAcct" => (Role::ReimbursementAgent, Some(3)),
        _ => return None,
    })
}

/// One open element.
struct Frame {
    name: String,
    step: String,
    /// Children seen so far, by name (for the XPath indexes).
    children: Vec<(String, usize)>,
}

/// A party or account being read, and the depth of its element.
struct Open<T> {
    item: T,
    depth: usize,
}

/// An account read in some scope, waiting for its party.
#[derive(Clone)]
struct PendingAccount {
    role: Role,
    ordinal: Option<u8>,
    path: String,
    account: Account,
    name: Option<Located>,
}

/// Where parties and accounts read now belong.
#[derive(Default, Clone)]
struct Scope {
    parties: Vec<Party>,
    accounts: Vec<PendingAccount>,
}

impl Scope {
    /// The parties with each account joined to its owner (a party is made
    /// for an account whose owner has no element of its own).
    fn finish(self) -> Vec<Party> {
        let mut parties = self.parties;
        for a in self.accounts {
            let at = parties
                .iter()
                .position(|p| p.role == a.role && p.ordinal == a.ordinal);
            let party = match at {
                Some(i) => &mut parties[i],
                None => {
                    parties.push(Party::new(a.role, a.ordinal, a.path.clone()));
                    let last = parties.len() - 1;
                    &mut parties[last]
                }
            };
            if let Some(n) = a.name {
                party.names.push(n);
            }
            party.accounts.push(a.account);
        }
        parties.retain(|p| !p.is_empty());
        parties
    }
}

struct Parser<'a> {
    text: &'a str,
    limits: &'a Limits,
    stack: Vec<Frame>,
    /// Index in `stack` of the `Document` element, once found.
    document: Option<usize>,
    message: Message,
    family: Option<&'static str>,
    group: Scope,
    payment_info: Option<(Scope, usize)>,
    transaction: Option<(Transaction, Scope, usize)>,
    party: Option<Open<Party>>,
    account: Option<Open<PendingAccount>>,
    /// Text of the innermost open element.
    buffer: String,
    buffer_chars: usize,
    /// The currency attribute of the amount element being read.
    currency: Option<String>,
    transactions_seen: usize,
    root_closed: bool,
    root_name: Option<String>,
}

/// Reads an ISO 20022 message. `text` is the whole message.
pub fn parse(text: &str, limits: &Limits) -> Result<Message, PaymentError> {
    let mut p = Parser {
        text,
        limits,
        stack: Vec::new(),
        document: None,
        message: Message {
            format: Format::Iso20022,
            message_type: String::new(),
            id: None,
            parties: Vec::new(),
            transactions: Vec::new(),
            warnings: Vec::new(),
        },
        family: None,
        group: Scope::default(),
        payment_info: None,
        transaction: None,
        party: None,
        account: None,
        buffer: String::new(),
        buffer_chars: 0,
        currency: None,
        transactions_seen: 0,
        root_closed: false,
        root_name: None,
    };
    let mut reader = NsReader::from_str(text);
    reader.config_mut().check_end_names = true;
    loop {
        let pos = reader.buffer_position();
        let (ns, event) = match reader.read_resolved_event() {
            Ok(x) => x,
            Err(e) => {
                let at = match reader.error_position() {
                    0 => reader.buffer_position(),
                    p => p,
                };
                return Err(PaymentError::malformed(
                    "invalid_xml",
                    format!("the message is not well-formed XML: {e}"),
                )
                .at(p.place(at)));
            }
        };
        let namespace = match ns {
            ResolveResult::Bound(n) => Some(n.as_ref().to_string()),
            _ => None,
        };
        match event {
            Event::DocType(_) => {
                return Err(PaymentError::malformed(
                    "doctype_not_allowed",
                    "the message has a document type declaration (<!DOCTYPE …>); DTDs are refused, never read: ISO 20022 messages need none, and they are how external-entity (XXE) and entity-expansion attacks work",
                )
                .at(p.place(pos)));
            }
            Event::Start(start) => {
                p.open(&start, namespace, pos)?;
            }
            Event::Empty(start) => {
                p.open(&start, namespace, pos)?;
                p.close()?;
            }
            Event::End(_) => p.close()?,
            Event::Text(t) => {
                let content = t.xml10_content();
                if p.stack.is_empty() {
                    if !content.trim().is_empty() {
                        return Err(PaymentError::malformed(
                            "invalid_xml",
                            "text outside the root element",
                        )
                        .at(p.place(pos)));
                    }
                } else {
                    p.push_text(&content, pos)?;
                }
            }
            Event::CData(t) => {
                let content = t.xml10_content();
                p.push_text(&content, pos)?;
            }
            Event::GeneralRef(r) => {
                let resolved = crate::parse::xml::resolve_reference(&r).map_err(|m| {
                    PaymentError::malformed(
                        "entity_not_allowed",
                        format!(
                            "{m}: only the five XML entities (&amp; &lt; &gt; &quot; &apos;) and character references are read; other entities are refused, never resolved"
                        ),
                    )
                    .at(p.place(pos))
                })?;
                if p.stack.is_empty() {
                    return Err(PaymentError::malformed(
                        "invalid_xml",
                        "text outside the root element",
                    )
                    .at(p.place(pos)));
                }
                p.push_text(&resolved, pos)?;
            }
            Event::Eof => break,
            // The XML declaration, comments and processing instructions.
            _ => {}
        }
    }
    p.finish()
}

impl Parser<'_> {
    /// `line N`, with the XPath of the open elements when inside the `Document`.
    fn place(&self, pos: u64) -> String {
        let line = crate::parse::line_of_offset(self.text.as_bytes(), pos);
        match self.path_to(self.stack.len()) {
            Some(path) => format!("line {line} ({path})"),
            None => format!("line {line}"),
        }
    }

    /// The XPath of the first `depth` open elements, from the `Document`.
    fn path_to(&self, depth: usize) -> Option<String> {
        let doc = self.document?;
        let steps = self.stack.get(doc..depth)?;
        if steps.is_empty() {
            return None;
        }
        let mut out = String::new();
        for f in steps {
            out.push('/');
            out.push_str(&f.step);
        }
        Some(out)
    }

    fn path(&self) -> String {
        self.path_to(self.stack.len()).unwrap_or_default()
    }

    /// The names of the open elements from `depth` on.
    fn names_from(&self, depth: usize) -> Vec<&str> {
        self.stack
            .get(depth..)
            .unwrap_or_default()
            .iter()
            .map(|f| f.name.as_str())
            .collect()
    }

    fn open(
        &mut self,
        start: &BytesStart<'_>,
        namespace: Option<String>,
        pos: u64,
    ) -> Result<(), PaymentError> {
        if self.root_closed {
            return Err(PaymentError::malformed(
                "invalid_xml",
                "an element after the end of the root element",
            )
            .at(self.place(pos)));
        }
        if self.stack.len() >= MAX_DEPTH {
            return Err(PaymentError::malformed(
                "nesting_too_deep",
                format!("elements are nested more than {MAX_DEPTH} deep"),
            )
            .at(self.place(pos)));
        }
        let name = start.local_name().as_ref().to_string();
        if self.root_name.is_none() {
            self.root_name = Some(name.clone());
        }
        let parent = self
            .stack
            .last()
            .map(|f| f.name.clone())
            .unwrap_or_default();
        let index = match self.stack.last_mut() {
            Some(f) => match f.children.iter_mut().find(|(n, _)| *n == name) {
                Some((_, count)) => {
                    *count += 1;
                    *count
                }
                None => {
                    f.children.push((name.clone(), 1));
                    1
                }
            },
            None => 1,
        };
        let step = if REPEATED.contains(&name.as_str()) || index > 1 {
            format!("{name}[{index}]")
        } else {
            name.clone()
        };
        self.stack.push(Frame {
            name: name.clone(),
            step,
            children: Vec::new(),
        });
        self.buffer.clear();
        self.buffer_chars = 0;
        let depth = self.stack.len();

        if self.document.is_none() {
            if name == "Document" {
                self.document = Some(depth - 1);
                if let Some(ns) = namespace.as_deref()
                    && let Some(t) = ns.strip_prefix(NAMESPACE_PREFIX)
                {
                    self.message.message_type = t.to_string();
                }
            }
            return Ok(());
        }
        let doc = self.document.unwrap_or(0);
        if depth == doc + 2 {
            return self.message_element(&name, pos);
        }
        if self.family.is_none() {
            return Ok(());
        }
        match name.as_str() {
            "Amt" | "InstdAmt" | "IntrBkSttlmAmt" => {
                self.currency = start.try_get_attribute("Ccy").ok().flatten().and_then(|a| {
                    a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                        .ok()
                        .map(|v| v.trim().to_string())
                });
            }
            "PmtInf" if depth == doc + 3 => {
                self.payment_info = Some((Scope::default(), depth));
            }
            "CdtTrfTxInf" if SCOPES.contains(&parent.as_str()) || depth == doc + 3 => {
                self.transactions_seen += 1;
                if self.transactions_seen > self.limits.max_transactions {
                    return Err(PaymentError::too_large(
                        "too_many_transactions",
                        format!(
                            "the message has more than {} transactions (limits.max_transactions); split it",
                            self.limits.max_transactions
                        ),
                    )
                    .at(self.place(pos)));
                }
                self.transaction = Some((Transaction::new(self.path()), Scope::default(), depth));
            }
            _ => {}
        }
        if self.party.is_none() && self.account.is_none() && SCOPES.contains(&parent.as_str()) {
            if let Some((role, ordinal)) = party_role(&name, &parent) {
                let mut party = Party::new(role, ordinal, self.path());
                if role.is_agent() {
                    party.kind = PartyKind::FinancialInstitution;
                }
                self.party = Some(Open { item: party, depth });
            } else if let Some((role, ordinal)) = account_role(&name) {
                self.account = Some(Open {
                    item: PendingAccount {
                        role,
                        ordinal,
                        path: self.path(),
                        account: Account::default(),
                        name: None,
                    },
                    depth,
                });
            }
        }
        if let Some(open) = &mut self.party {
            match name.as_str() {
                "FinInstnId" => open.item.kind = PartyKind::FinancialInstitution,
                "OrgId" if open.item.kind != PartyKind::FinancialInstitution => {
                    open.item.kind = PartyKind::Organisation;
                }
                "PrvtId" => open.item.kind = PartyKind::Person,
                _ => {}
            }
        }
        Ok(())
    }

    /// The element under `Document`: the message's family.
    fn message_element(&mut self, name: &str, pos: u64) -> Result<(), PaymentError> {
        let Some((family, _)) = FAMILIES.iter().find(|(_, el)| *el == name) else {
            let kind = if self.message.message_type.is_empty() {
                format!("<{name}>")
            } else {
                format!("{} (<{name}>)", self.message.message_type)
            };
            return Err(PaymentError::unprocessable(
                "unknown_message_type",
                format!(
                    "{kind} is not a message this screener reads: send pacs.008, pacs.009 or pain.001"
                ),
            )
            .at(self.place(pos)));
        };
        let declared = self.message.message_type.clone();
        if declared.is_empty() {
            self.message.message_type = (*family).to_string();
            self.message.warnings.push(super::model::Warning {
                code: "no_namespace",
                path: self.path(),
                detail: format!(
                    "the Document has no ISO 20022 namespace; read as {family} (version unknown)"
                ),
            });
        } else if !declared.starts_with(family) {
            return Err(PaymentError::unprocessable(
                "unknown_message_type",
                format!(
                    "the namespace says {declared} but the message element <{name}> is a {family}"
                ),
            )
            .at(self.place(pos)));
        }
        self.family = Some(family);
        Ok(())
    }

    fn push_text(&mut self, s: &str, pos: u64) -> Result<(), PaymentError> {
        self.buffer_chars += s.chars().count();
        if self.buffer_chars > self.limits.max_field_chars {
            return Err(PaymentError::too_large(
                "field_too_long",
                format!(
                    "a field is longer than {} characters (limits.max_field_chars)",
                    self.limits.max_field_chars
                ),
            )
            .at(self.place(pos)));
        }
        self.buffer.push_str(s);
        Ok(())
    }

    fn close(&mut self) -> Result<(), PaymentError> {
        let depth = self.stack.len();
        let value = std::mem::take(&mut self.buffer);
        self.buffer_chars = 0;
        let value = value.trim();
        if !value.is_empty() && self.family.is_some() {
            self.value(value);
        }
        // Close whatever ends with this element.
        if self.party.as_ref().is_some_and(|o| o.depth == depth)
            && let Some(open) = self.party.take()
        {
            self.scope_mut().parties.push(open.item);
        }
        if self.account.as_ref().is_some_and(|o| o.depth == depth)
            && let Some(open) = self.account.take()
        {
            self.scope_mut().accounts.push(open.item);
        }
        if self.transaction.as_ref().is_some_and(|t| t.2 == depth)
            && let Some((mut tx, scope, _)) = self.transaction.take()
        {
            tx.parties = scope.finish();
            if let Some((pmt, _)) = &self.payment_info {
                // pain.001: the payment information's parties (which the
                // schema puts before its transactions) are every
                // transaction's.
                tx.parties.extend(pmt.clone().finish());
            }
            if tx.free_text.len() > self.limits.max_free_text_fields {
                return Err(PaymentError::too_large(
                    "too_many_fields",
                    format!(
                        "a transaction has {} free-text fields; the limit is {} (limits.max_free_text_fields)",
                        tx.free_text.len(),
                        self.limits.max_free_text_fields
                    ),
                )
                .at(tx.path.clone()));
            }
            self.message.transactions.push(tx);
        }
        if self.payment_info.as_ref().is_some_and(|p| p.1 == depth) {
            self.payment_info = None;
        }
        self.stack.pop();
        if self.stack.is_empty() {
            self.root_closed = true;
        }
        Ok(())
    }

    /// Where a party or account closing now belongs.
    fn scope_mut(&mut self) -> &mut Scope {
        if let Some((_, scope, _)) = &mut self.transaction {
            return scope;
        }
        if let Some((scope, _)) = &mut self.payment_info {
            return scope;
        }
        &mut self.group
    }

    /// A leaf element's text.
    fn value(&mut self, value: &str) {
        let path = self.path();
        let depth = self.stack.len();
        let name = self
            .stack
            .last()
            .map(|f| f.name.clone())
            .unwrap_or_default();
        if let Some(open) = &self.party {
            let rel: Vec<String> = self
                .names_from(open.depth)
                .into_iter()
                .map(str::to_string)
                .collect();
            self.party_value(&rel, value, path);
            return;
        }
        if let Some(open) = &mut self.account {
            let rel: Vec<&str> = self
                .stack
                .get(open.depth..)
                .unwrap_or_default()
                .iter()
                .map(|f| f.name.as_str())
                .collect();
            let a = &mut open.item;
            match rel.as_slice() {
                ["Id", "IBAN"] => a.account.iban = Some(Located::new(value, path)),
                ["Id", "Othr", "Id"] => a.account.other = Some(Located::new(value, path)),
                ["Nm"] => a.name = Some(Located::new(value, path)),
                _ => {}
            }
            return;
        }
        let doc = self.document.unwrap_or(0);
        if depth >= doc + 3 && self.stack.get(doc + 2).is_some_and(|f| f.name == "GrpHdr") {
            if name == "MsgId" && depth == doc + 4 {
                self.message.id = Some(value.to_string());
            }
            return;
        }
        let free_text_role = {
            let names = self.names_from(0);
            if names.contains(&"RmtInf") && matches!(name.as_str(), "Ustrd" | "AddtlRmtInf") {
                Some(Role::RemittanceInformation)
            } else if name == "InstrInf"
                && names
                    .iter()
                    .any(|n| matches!(*n, "InstrForCdtrAgt" | "InstrForNxtAgt"))
            {
                Some(Role::Instructions)
            } else {
                None
            }
        };
        let currency = self.currency.clone();
        let Some((tx, _, tx_depth)) = &mut self.transaction else {
            return;
        };
        if let Some(role) = free_text_role {
            tx.free_text.push(super::model::FreeText {
                role,
                value: value.to_string(),
                path,
            });
            return;
        }
        let rel: Vec<&str> = self
            .stack
            .get(*tx_depth..)
            .unwrap_or_default()
            .iter()
            .map(|f| f.name.as_str())
            .collect();
        match rel.as_slice() {
            ["PmtId", "InstrId"] => tx.ids.instruction_id = Some(value.to_string()),
            ["PmtId", "EndToEndId"] => tx.ids.end_to_end_id = Some(value.to_string()),
            ["PmtId", "TxId"] => tx.ids.transaction_id = Some(value.to_string()),
            ["PmtId", "UETR"] => tx.ids.uetr = Some(value.to_string()),
            ["IntrBkSttlmAmt"] | ["Amt", "InstdAmt"] => {
                tx.amount = Some(Amount {
                    currency: currency.unwrap_or_default(),
                    value: value.to_string(),
                });
            }
            _ => {}
        }
    }

    /// A value inside a party element; `rel` are the element names from the
    /// party's element down.
    fn party_value(&mut self, rel: &[String], value: &str, path: String) {
        let Some(open) = &mut self.party else {
            return;
        };
        let p = &mut open.item;
        let rel: Vec<&str> = rel.iter().map(String::as_str).collect();
        let Some((&last, inner)) = rel.split_last() else {
            return;
        };
        let under = |n: &str| inner.contains(&n);
        if let Some(i) = rel.iter().position(|n| *n == "PstlAdr") {
            let field = rel.get(i + 1).copied().unwrap_or("");
            if rel.len() == i + 2 {
                match field {
                    "Ctry" => p.address.country = Some(Located::new(value, path)),
                    "AdrTp" => {}
                    _ => p.address.lines.push(Located::new(value, path)),
                }
            }
            return;
        }
        if under("CtctDtls") {
            return;
        }
        match last {
            "Nm" if inner.iter().all(|n| matches!(*n, "FinInstnId" | "Pty")) => {
                p.names.push(Located::new(value, path));
            }
            "BICFI" | "BIC" | "AnyBIC" | "BICOrBEI" | "BEI" => p.identifiers.push(Identifier {
                kind: IdKind::Bic,
                value: value.to_string(),
                path,
            }),
            "LEI" => p.identifiers.push(Identifier {
                kind: IdKind::Lei,
                value: value.to_string(),
                path,
            }),
            "MmbId" if under("ClrSysMmbId") => p.identifiers.push(Identifier {
                kind: IdKind::ClearingMember,
                value: value.to_string(),
                path,
            }),
            "BirthDt" => p.birth_date = Some(Located::new(value, path)),
            "CityOfBirth" | "PrvcOfBirth" => p.birth_place.push(Located::new(value, path)),
            "CtryOfBirth" => p.birth_country = Some(Located::new(value, path)),
            "CtryOfRes" if inner.is_empty() => {
                p.residence_country = Some(Located::new(value, path));
            }
            "Id" if under("Othr") && !under("SchmeNm") => {
                let kind = if under("PrvtId") {
                    IdKind::Person
                } else if under("OrgId") {
                    IdKind::Organisation
                } else {
                    IdKind::Other
                };
                p.identifiers.push(Identifier {
                    kind,
                    value: value.to_string(),
                    path,
                });
            }
            _ => {}
        }
    }

    fn finish(mut self) -> Result<Message, PaymentError> {
        if !self.stack.is_empty() {
            let open = self
                .stack
                .last()
                .map(|f| f.name.clone())
                .unwrap_or_default();
            return Err(PaymentError::malformed(
                "invalid_xml",
                format!("the message ends before </{open}>: it is truncated"),
            )
            .at(self.place(self.text.len() as u64)));
        }
        if self.document.is_none() {
            let root = self.root_name.clone().unwrap_or_default();
            return Err(PaymentError::unprocessable(
                "unknown_message_type",
                if root.is_empty() {
                    "the message has no XML element".to_string()
                } else {
                    format!(
                        "no ISO 20022 <Document> element found (the root element is <{root}>): send pacs.008, pacs.009 or pain.001"
                    )
                },
            ));
        }
        if self.family.is_none() {
            return Err(PaymentError::unprocessable(
                "unknown_message_type",
                "the <Document> element is empty",
            ));
        }
        if self.message.transactions.is_empty() {
            return Err(PaymentError::unprocessable(
                "no_transactions",
                "the message has no transaction (CdtTrfTxInf): nothing to screen",
            ));
        }
        self.message.parties = std::mem::take(&mut self.group).finish();
        Ok(self.message)
    }
}
