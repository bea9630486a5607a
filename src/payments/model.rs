//! What the parsers read out of a payment message: its transactions, and in
//! each the parties with their role and exact place in the message (an
//! XPath for ISO 20022, the field tag and line for SWIFT MT), their names,
//! addresses, identifiers and accounts, and the free-text fields.

use serde::Serialize;

/// The message standard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    Iso20022,
    SwiftMt,
}

/// A value and where it was read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Located {
    pub value: String,
    pub path: String,
}

impl Located {
    pub fn new(value: impl Into<String>, path: impl Into<String>) -> Located {
        Located {
            value: value.into(),
            path: path.into(),
        }
    }
}

/// What a party, or a free-text field, is in the payment. Hold rules and
/// thresholds are set per role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Debtor,
    Creditor,
    UltimateDebtor,
    UltimateCreditor,
    InitiatingParty,
    DebtorAgent,
    CreditorAgent,
    InstructingAgent,
    InstructedAgent,
    IntermediaryAgent,
    PreviousInstructingAgent,
    /// Settlement and reimbursement agents (ISO `SttlmInf`, MT 53a/54a/55a).
    ReimbursementAgent,
    ChargesAgent,
    Invoicer,
    Invoicee,
    /// Remittance information (ISO `RmtInf`, MT 70).
    RemittanceInformation,
    /// Instructions between the banks (ISO `InstrForCdtrAgt` /
    /// `InstrForNxtAgt`, MT 72).
    Instructions,
}

impl Role {
    pub const ALL: [Role; 17] = [
        Role::Debtor,
        Role::Creditor,
        Role::UltimateDebtor,
        Role::UltimateCreditor,
        Role::InitiatingParty,
        Role::DebtorAgent,
        Role::CreditorAgent,
        Role::InstructingAgent,
        Role::InstructedAgent,
        Role::IntermediaryAgent,
        Role::PreviousInstructingAgent,
        Role::ReimbursementAgent,
        Role::ChargesAgent,
        Role::Invoicer,
        Role::Invoicee,
        Role::RemittanceInformation,
        Role::Instructions,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Debtor => "debtor",
            Role::Creditor => "creditor",
            Role::UltimateDebtor => "ultimate_debtor",
            Role::UltimateCreditor => "ultimate_creditor",
            Role::InitiatingParty => "initiating_party",
            Role::DebtorAgent => "debtor_agent",
            Role::CreditorAgent => "creditor_agent",
            Role::InstructingAgent => "instructing_agent",
            Role::InstructedAgent => "instructed_agent",
            Role::IntermediaryAgent => "intermediary_agent",
            Role::PreviousInstructingAgent => "previous_instructing_agent",
            Role::ReimbursementAgent => "reimbursement_agent",
            Role::ChargesAgent => "charges_agent",
            Role::Invoicer => "invoicer",
            Role::Invoicee => "invoicee",
            Role::RemittanceInformation => "remittance_information",
            Role::Instructions => "instructions",
        }
    }

    pub fn from_name(name: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == name)
    }

    /// Banks in the chain: screened as organisations.
    pub fn is_agent(self) -> bool {
        matches!(
            self,
            Role::DebtorAgent
                | Role::CreditorAgent
                | Role::InstructingAgent
                | Role::InstructedAgent
                | Role::IntermediaryAgent
                | Role::PreviousInstructingAgent
                | Role::ReimbursementAgent
                | Role::ChargesAgent
        )
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What the message says a party is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PartyKind {
    /// The message does not say.
    #[default]
    Unknown,
    /// A private person: the message gives a private id or a birth date.
    Person,
    /// An organisation: the message gives an organisation id.
    Organisation,
    /// A financial institution (an agent, or a party identified as one).
    FinancialInstitution,
}

/// The kinds of identifier a party carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum IdKind {
    Bic,
    Lei,
    ClearingMember,
    Organisation,
    Person,
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Identifier {
    pub kind: IdKind,
    pub value: String,
    pub path: String,
}

/// An account: an IBAN, or another identification.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, utoipa::ToSchema)]
pub struct Account {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iban: Option<Located>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub other: Option<Located>,
}

/// A postal address: its country code (when the message has one) and every
/// other part as a line (street, building, postcode, town, region, free
/// address lines), each with its own path.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, utoipa::ToSchema)]
pub struct Address {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<Located>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub lines: Vec<Located>,
}

impl Address {
    pub fn is_empty(&self) -> bool {
        self.country.is_none() && self.lines.is_empty()
    }
}

/// One party of a transaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Party {
    pub role: Role,
    /// 1, 2, 3 for the numbered agents (intermediary 1-3, previous
    /// instructing 1-3).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ordinal: Option<u8>,
    /// Where the party's element or field starts.
    pub path: String,
    pub kind: PartyKind,
    /// The names given for the party (the name, an account holder's name);
    /// the first is the party's name.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub names: Vec<Located>,
    #[serde(skip_serializing_if = "Address::is_empty")]
    pub address: Address,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub identifiers: Vec<Identifier>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<Located>,
    /// Place of birth (town) and country of birth.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub birth_place: Vec<Located>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub birth_country: Option<Located>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub residence_country: Option<Located>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub accounts: Vec<Account>,
    /// Name and address as the lines of an unstructured field (MT 50K/59,
    /// ISO address lines after the name): scanned together, so a name
    /// carried over onto the next line is still found.
    #[serde(skip)]
    pub text_lines: Vec<Located>,
}

impl Party {
    pub fn new(role: Role, ordinal: Option<u8>, path: impl Into<String>) -> Party {
        Party {
            role,
            ordinal,
            path: path.into(),
            kind: PartyKind::Unknown,
            names: Vec::new(),
            address: Address::default(),
            identifiers: Vec::new(),
            birth_date: None,
            birth_place: Vec::new(),
            birth_country: None,
            residence_country: None,
            accounts: Vec::new(),
            text_lines: Vec::new(),
        }
    }

    /// True when nothing was read for the party.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
            && self.address.is_empty()
            && self.identifiers.is_empty()
            && self.accounts.is_empty()
            && self.birth_date.is_none()
    }
}

/// A free-text field: remittance information, instructions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FreeText {
    pub role: Role,
    pub value: String,
    pub path: String,
}

/// The references of a transaction, as far as the message gives them.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TransactionIds {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instruction_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_to_end_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transaction_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uetr: Option<String>,
}

/// An amount as written in the message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Amount {
    pub currency: String,
    pub value: String,
}

/// One transaction: what one result is given for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Transaction {
    /// Where the transaction starts (`.../CdtTrfTxInf[2]`, `block 4`).
    pub path: String,
    pub ids: TransactionIds,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amount: Option<Amount>,
    pub parties: Vec<Party>,
    pub free_text: Vec<FreeText>,
}

impl Transaction {
    pub fn new(path: impl Into<String>) -> Transaction {
        Transaction {
            path: path.into(),
            ids: TransactionIds::default(),
            amount: None,
            parties: Vec::new(),
            free_text: Vec::new(),
        }
    }
}

/// Something that could not be read as the standard says, but did not stop
/// the screening (an IBAN failing its check digits, an unknown country code).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Warning {
    pub code: &'static str,
    pub path: String,
    pub detail: String,
}

/// A parsed message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Message {
    pub format: Format,
    /// `pacs.008.001.08`, `pain.001.001.09`, `MT103`, `MT202COV`.
    pub message_type: String,
    /// The message's own reference (ISO `MsgId`, MT field 20).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Parties of the message as a whole (ISO group header).
    pub parties: Vec<Party>,
    pub transactions: Vec<Transaction>,
    pub warnings: Vec<Warning>,
}
