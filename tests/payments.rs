//! Payment screening on real data: messages written for these tests from the
//! public ISO 20022 and SWIFT MT specifications (`tests/fixtures/payments`),
//! with real listed names, BICs, vessels and IMO numbers from the OFAC SDN
//! list in `../shared/lists-raw` and clean look-alikes, screened against
//! every default list. Each case of issue 12 has its own transaction or
//! message, and each assertion names what it expects found where.

use screener::eval;
use screener::jurisdictions::ListKind;
use screener::matching::Matcher;
use screener::payments::{
    self, HitKind, MessageResult, Role, Rules, Verdict, screen::TransactionResult,
};
use std::sync::{Arc, OnceLock};

fn matcher() -> &'static Matcher {
    static M: OnceLock<Matcher> = OnceLock::new();
    M.get_or_init(|| {
        let index = eval::index_manifest_defaults(&eval::default_manifest_for_tests())
            .unwrap_or_else(|e| panic!("{e}"));
        Matcher::new(Arc::new(index))
    })
}

fn fixture(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/payments")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn screen_with(raw: &[u8], rules: &Rules) -> MessageResult {
    payments::screen_message(matcher(), rules, raw).unwrap_or_else(|e| panic!("{e}"))
}

fn screen(raw: &[u8]) -> MessageResult {
    screen_with(raw, &Rules::builtin())
}

/// The hits of a transaction as (kind, role, entity caption or jurisdiction).
fn summary(tx: &TransactionResult) -> Vec<(HitKind, Role, String, bool)> {
    tx.hits
        .iter()
        .map(|h| {
            let what = match (&h.entity, &h.jurisdiction) {
                (Some(e), _) => e.caption.clone(),
                (_, Some(j)) => format!("{}: {}", j.list, j.jurisdiction),
                _ => String::new(),
            };
            (h.kind, h.role, what, h.holds)
        })
        .collect()
}

fn cases() -> &'static MessageResult {
    static R: OnceLock<MessageResult> = OnceLock::new();
    R.get_or_init(|| screen(&fixture("pacs008_cases.xml")))
}

fn case(n: usize) -> &'static TransactionResult {
    &cases().transactions[n - 1]
}

#[test]
fn one_result_per_transaction_and_a_message_verdict() {
    let r = cases();
    assert_eq!(r.message_type, "pacs.008.001.08");
    assert_eq!(r.message_id.as_deref(), Some("MSG-20261204-0001"));
    assert_eq!(r.transactions.len(), 7);
    let verdicts: Vec<Verdict> = r.transactions.iter().map(|t| t.verdict).collect();
    use Verdict::{Hold, Pass};
    assert_eq!(verdicts, [Pass, Hold, Hold, Hold, Hold, Hold, Pass]);
    assert_eq!(r.verdict, Hold);
    assert!(r.hits.is_empty(), "the group header's agents are clean");
    assert_eq!(
        r.parties.len(),
        2,
        "InstgAgt and InstdAgt of the group header"
    );
    let ids: Vec<Option<&str>> = r
        .transactions
        .iter()
        .map(|t| t.ids.end_to_end_id.as_deref())
        .collect();
    assert_eq!(ids[3], Some("E2E-VESSEL-4"));
    assert_eq!(
        case(1).amount.as_ref().map(|a| a.currency.as_str()),
        Some("EUR")
    );
}

#[test]
fn the_clean_transaction_has_no_hit_and_every_party_was_read() {
    let tx = case(1);
    assert!(tx.hits.is_empty(), "{:#?}", tx.hits);
    let roles: Vec<Role> = tx.parties.iter().map(|p| p.role).collect();
    for r in [
        Role::Debtor,
        Role::DebtorAgent,
        Role::CreditorAgent,
        Role::Creditor,
    ] {
        assert!(roles.contains(&r), "{r} in {roles:?}");
    }
    let debtor = tx
        .parties
        .iter()
        .find(|p| p.role == Role::Debtor)
        .expect("debtor");
    assert_eq!(debtor.names[0].value, "Müller Maschinenbau GmbH");
    assert_eq!(
        debtor.names[0].path,
        "/Document/FIToFICstmrCdtTrf/CdtTrfTxInf[1]/Dbtr/Nm"
    );
    assert_eq!(
        debtor.address.country.as_ref().map(|c| c.path.as_str()),
        Some("/Document/FIToFICstmrCdtTrf/CdtTrfTxInf[1]/Dbtr/PstlAdr/Ctry")
    );
    assert_eq!(
        debtor.accounts[0].iban.as_ref().map(|i| i.value.as_str()),
        Some("DE89370400440532013000")
    );
    assert!(
        debtor
            .identifiers
            .iter()
            .any(|i| i.value == "529900T8BM49AURSDO55")
    );
    assert_eq!(tx.free_text[0].value, "Invoice 2026-118 spare parts");
}

#[test]
fn a_name_split_over_address_lines_is_found() {
    let tx = case(2);
    let hit = tx
        .hits
        .iter()
        .find(|h| h.kind == HitKind::Name && h.role == Role::Creditor)
        .unwrap_or_else(|| panic!("a creditor name hit in {:#?}", tx.hits));
    assert_eq!(
        hit.entity.as_ref().map(|e| e.caption.as_str()),
        Some("SYRIA INTERNATIONAL ISLAMIC BANK")
    );
    assert!(hit.holds);
    assert!(
        hit.path.contains("Cdtr/Nm to ") && hit.path.ends_with("AdrLine[1]"),
        "{}",
        hit.path
    );
    assert_eq!(hit.text, "SYRIA INTERNATIONAL ISLAMIC BANK");
    assert!(hit.score.is_some_and(|s| s >= 0.82));
    assert!(hit.explanation.is_some());
}

#[test]
fn a_listed_bic8_inside_a_bic11_is_found() {
    let tx = case(3);
    // Listed on the OFAC SDN list and, through it, on the US trade CSL.
    for s in summary(tx) {
        assert_eq!(
            s,
            (
                HitKind::Bic,
                Role::IntermediaryAgent,
                "HAVIN BANK LIMITED".to_string(),
                true
            )
        );
    }
    let hit = tx
        .hits
        .iter()
        .find(|h| h.entity.as_ref().is_some_and(|e| e.id == "us_ofac_sdn:906"))
        .unwrap_or_else(|| panic!("{:#?}", tx.hits));
    assert_eq!(hit.text, "HAVIGB2LXXX");
    assert_eq!(hit.ordinal, Some(1));
    assert!(
        hit.path.ends_with("/IntrmyAgt1/FinInstnId/BICFI"),
        "{}",
        hit.path
    );
    assert!(hit.reason.contains("BIC8 HAVIGB2L"), "{}", hit.reason);
}

#[test]
fn a_vessel_in_the_remittance_information_is_found() {
    let tx = case(4);
    let hit = tx
        .hits
        .iter()
        .find(|h| h.role == Role::RemittanceInformation)
        .unwrap_or_else(|| panic!("{:#?}", tx.hits));
    assert_eq!(hit.kind, HitKind::Name);
    assert_eq!(hit.text, "SABITI");
    let e = hit.entity.as_ref().expect("entity");
    assert_eq!(
        (e.caption.as_str(), e.schema.as_str()),
        ("SABITI", "Vessel")
    );
    assert!(hit.path.ends_with("/RmtInf/Ustrd[1]"), "{}", hit.path);
    assert!(hit.holds);
}

#[test]
fn a_crimean_town_in_the_creditor_address_holds() {
    let tx = case(5);
    assert_eq!(
        summary(tx),
        [(
            HitKind::Jurisdiction,
            Role::Creditor,
            "comprehensive_sanctions: Crimea".to_string(),
            true
        )]
    );
    let hit = &tx.hits[0];
    assert!(hit.path.ends_with("/Cdtr/PstlAdr/TwnNm"), "{}", hit.path);
    assert_eq!(hit.text, "Simferopol");
    assert!(hit.reason.contains("Crimea"), "{}", hit.reason);
    let j = hit.jurisdiction.as_ref().expect("jurisdiction");
    assert!(!j.sources.is_empty());
}

#[test]
fn an_iban_of_an_embargoed_country_holds() {
    let tx = case(6);
    let lists: Vec<ListKind> = tx
        .hits
        .iter()
        .filter(|h| h.kind == HitKind::Jurisdiction && h.role == Role::Debtor)
        .filter_map(|h| h.jurisdiction.as_ref().map(|j| j.list))
        .collect();
    assert_eq!(
        lists,
        [
            ListKind::ComprehensiveSanctions,
            ListKind::FatfCallForAction
        ]
    );
    let hit = &tx.hits[0];
    assert!(hit.path.ends_with("/DbtrAcct/Id/IBAN"), "{}", hit.path);
    assert!(
        hit.reason.contains("IBAN IR710570029971601460641001"),
        "{}",
        hit.reason
    );
    assert!(
        tx.warnings.is_empty(),
        "the IBAN is valid: {:?}",
        tx.warnings
    );
}

#[test]
fn clean_look_alikes_pass_and_monitoring_lists_are_only_reported() {
    let tx = case(7);
    assert_eq!(tx.verdict, Verdict::Pass);
    // Vietnam's BIC country: FATF increased monitoring, reported, not held.
    assert_eq!(
        summary(tx),
        [(
            HitKind::Jurisdiction,
            Role::IntermediaryAgent,
            "fatf_increased_monitoring: Vietnam".to_string(),
            false
        )]
    );
}

#[test]
fn a_namespace_prefixed_document_in_an_envelope() {
    let r = screen(&fixture("pacs008_prefixed.xml"));
    assert_eq!(r.message_type, "pacs.008.001.10");
    assert_eq!(r.message_id.as_deref(), Some("PFX-0001"));
    let tx = &r.transactions[0];
    assert_eq!(
        tx.ids.uetr.as_deref(),
        Some("9a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d")
    );
    // The same airline on several lists.
    let ids: Vec<&str> = tx
        .hits
        .iter()
        .filter_map(|h| h.entity.as_ref().map(|e| e.id.as_str()))
        .collect();
    assert!(ids.contains(&"us_ofac_sdn:12927"), "{ids:?}");
    for h in &tx.hits {
        assert_eq!((h.kind, h.role), (HitKind::Name, Role::Debtor));
        assert!(
            h.entity
                .as_ref()
                .is_some_and(|e| e.caption.eq_ignore_ascii_case("MAHAN AIR")),
            "{h:#?}"
        );
        assert_eq!(h.path, "/Document/FIToFICstmrCdtTrf/CdtTrfTxInf[1]/Dbtr/Nm");
    }
    assert_eq!(r.verdict, Verdict::Hold);
}

#[test]
fn a_pacs009_cover_payment_screens_the_underlying_transfer() {
    let r = screen(&fixture("pacs009_cov.xml"));
    assert_eq!(r.message_type, "pacs.009.001.08");
    let tx = &r.transactions[0];
    let name = tx
        .hits
        .iter()
        .find(|h| h.kind == HitKind::Name && h.role == Role::Creditor)
        .unwrap_or_else(|| panic!("{:#?}", tx.hits));
    assert!(
        name.path.contains("/UndrlygCstmrCdtTrf/Cdtr/Nm"),
        "{}",
        name.path
    );
    assert_eq!(
        name.entity.as_ref().map(|e| e.caption.as_str()),
        Some("ISLAMIC REPUBLIC OF IRAN SHIPPING LINES")
    );
    let imo = tx
        .hits
        .iter()
        .find(|h| h.kind == HitKind::Imo)
        .unwrap_or_else(|| panic!("{:#?}", tx.hits));
    assert_eq!(imo.text, "9116412");
    assert_eq!(
        imo.entity.as_ref().map(|e| e.caption.as_str()),
        Some("ADRIAN DARYA 1")
    );
    // The banks (debtor and creditor of a pacs.009 are institutions) are clean.
    assert!(tx.hits.iter().all(|h| h.kind != HitKind::Bic));
    let fi_debtor = tx
        .parties
        .iter()
        .find(|p| p.role == Role::Debtor && p.path.ends_with("CdtTrfTxInf[1]/Dbtr"))
        .expect("the FI debtor");
    assert_eq!(
        fi_debtor.kind,
        payments::model::PartyKind::FinancialInstitution
    );
}

#[test]
fn a_pain001_gives_the_payment_block_parties_to_each_transaction() {
    let r = screen(&fixture("pain001.xml"));
    assert_eq!(r.message_type, "pain.001.001.09");
    assert_eq!(r.transactions.len(), 2);
    // The initiating party is the message's.
    assert_eq!(r.parties[0].role, Role::InitiatingParty);
    for tx in &r.transactions {
        let debtor = tx
            .parties
            .iter()
            .find(|p| p.role == Role::Debtor)
            .expect("debtor");
        assert_eq!(debtor.names[0].value, "Alpenblick Hotels AG");
        assert!(
            debtor.accounts[0].iban.is_some(),
            "the PmtInf account joins its debtor"
        );
    }
    assert_eq!(
        r.transactions[0].verdict,
        Verdict::Pass,
        "{:#?}",
        r.transactions[0].hits
    );
    let tx = &r.transactions[1];
    assert_eq!(tx.verdict, Verdict::Hold);
    let hit = &tx.hits[0];
    assert_eq!(hit.kind, HitKind::Name);
    assert_eq!(
        hit.entity.as_ref().map(|e| e.id.as_str()),
        Some("us_ofac_sdn:41103")
    );
    // Screened as a person with the birth date the message gives.
    let q = hit.explanation.as_ref().expect("explanation");
    assert!(
        q.qualifiers
            .iter()
            .any(|x| x.feature == "birthDate" && x.effect > 0.0),
        "{:?}",
        q.qualifiers
    );
    let cdtr = tx
        .parties
        .iter()
        .find(|p| p.role == Role::Creditor)
        .expect("creditor");
    assert_eq!(cdtr.kind, payments::model::PartyKind::Person);
}

#[test]
fn an_mt103_with_crlf_line_ends_and_structured_59f() {
    let raw = fixture("mt103_crlf.txt");
    assert!(
        raw.windows(2).any(|w| w == b"\r\n"),
        "the fixture has CRLF line ends"
    );
    let r = screen(&raw);
    assert_eq!(r.message_type, "MT103");
    let tx = &r.transactions[0];
    assert_eq!(tx.ids.transaction_id.as_deref(), Some("FT-20261204-01"));
    let s = summary(tx);
    assert!(
        s.contains(&(
            HitKind::Name,
            Role::Creditor,
            "KOREA DAESONG BANK".to_string(),
            true
        )),
        "{s:#?}"
    );
    let name = tx
        .hits
        .iter()
        .find(|h| h.kind == HitKind::Name)
        .expect("name hit");
    assert_eq!(name.path, ":59F: line 2");
    assert_eq!(name.text, "KOREA DAESONG BANK");
    // Only whole listed names count in scanned text: "DAESONG" inside the
    // name is not KOREA DAESONG GENERAL TRADING CORPORATION.
    assert!(
        tx.hits
            .iter()
            .filter(|h| h.kind == HitKind::Name)
            .all(|h| h.text == "KOREA DAESONG BANK"),
        "{:#?}",
        tx.hits
    );
    // 3/KP/PYONGYANG: the country code and the town.
    let j: Vec<(&str, &str)> = tx
        .hits
        .iter()
        .filter_map(|h| {
            h.jurisdiction
                .as_ref()
                .map(|j| (h.path.as_str(), j.jurisdiction.as_str()))
        })
        .collect();
    assert!(j.contains(&(":59F: line 5", "North Korea")), "{j:?}");
    let debtor = tx
        .parties
        .iter()
        .find(|p| p.role == Role::Debtor)
        .expect("debtor");
    assert_eq!(debtor.names[0].value, "MUELLER MASCHINENBAU GMBH");
    assert_eq!(debtor.address.lines[1].value, "70173 STUTTGART");
    assert!(tx.hits.iter().all(|h| h.role != Role::Debtor));
}

#[test]
fn an_mt202cov_reads_sequence_b() {
    let r = screen(&fixture("mt202cov.txt"));
    assert_eq!(r.message_type, "MT202COV");
    let tx = &r.transactions[0];
    let creditor_paths: Vec<&str> = tx
        .parties
        .iter()
        .filter(|p| p.role == Role::Creditor)
        .map(|p| p.path.as_str())
        .collect();
    assert_eq!(creditor_paths, [":58A:", ":59: (sequence B)"]);
    // The listed vessel's name inside the beneficiary's name line.
    let hit = tx
        .hits
        .iter()
        .find(|h| h.kind == HitKind::Name && h.role == Role::Creditor)
        .unwrap_or_else(|| panic!("{:#?}", tx.hits));
    assert_eq!(
        hit.entity.as_ref().map(|e| e.caption.as_str()),
        Some("ADRIAN DARYA 1")
    );
    assert_eq!(tx.verdict, Verdict::Hold);
    // DUBAI in the address lines is a city, not the listed DUBAI TRADING COMPANY.
    assert!(
        tx.hits
            .iter()
            .all(|h| !h.text.eq_ignore_ascii_case("DUBAI")),
        "{:#?}",
        tx.hits
    );
}

#[test]
fn an_unstructured_mt_name_continued_on_the_next_line() {
    let raw = "{1:F01DEUTDEFFAXXX0000000001}{2:I103NWBKGB2LXXXXN}{4:\n:20:SPLIT-1\n:23B:CRED\n:32A:261204EUR100,00\n:50K:/DE89370400440532013000\nMUELLER MASCHINENBAU GMBH\n:59:/GB29NWBK60161331926819\nISLAMIC REPUBLIC OF IRAN\nSHIPPING LINES\nLONDON BRANCH\n:71A:SHA\n-}";
    let r = screen(raw.as_bytes());
    let tx = &r.transactions[0];
    let hit = tx
        .hits
        .iter()
        .find(|h| {
            h.kind == HitKind::Name
                && h.entity
                    .as_ref()
                    .is_some_and(|e| e.caption == "ISLAMIC REPUBLIC OF IRAN SHIPPING LINES")
        })
        .unwrap_or_else(|| panic!("{:#?}", tx.hits));
    assert_eq!(hit.path, ":59: line 2 to :59: line 3");
}

#[test]
fn the_rules_decide_what_holds() {
    // Intermediary agents' hits reported only.
    let rules = Rules::with_overrides(
        Some("[roles]\nintermediary_agent = { threshold = 0.82, hold = false }"),
        "test",
    )
    .expect("rules");
    let r = screen_with(&fixture("pacs008_cases.xml"), &rules);
    let tx = &r.transactions[2];
    assert_eq!(tx.verdict, Verdict::Pass);
    assert!(!tx.hits.is_empty(), "still reported");
    assert!(tx.hits.iter().all(|h| !h.holds));
    // FATF increased monitoring made to hold.
    let rules = Rules::with_overrides(
        Some("[jurisdictions]\nhold = [\"comprehensive_sanctions\", \"fatf_call_for_action\", \"fatf_increased_monitoring\"]"),
        "test",
    )
    .expect("rules");
    let r = screen_with(&fixture("pacs008_cases.xml"), &rules);
    assert_eq!(r.transactions[6].verdict, Verdict::Hold);
    // Screening only a list that holds none of these parties.
    let rules =
        Rules::with_overrides(Some("lists = [\"un_sc_sanctions\"]"), "test").expect("rules");
    let r = screen_with(&fixture("pacs008_prefixed.xml"), &rules);
    assert!(
        r.transactions[0]
            .hits
            .iter()
            .all(|h| h.kind != HitKind::Name)
    );
    // A list that does not exist is refused, never an empty success.
    let rules = Rules::with_overrides(Some("lists = [\"no_such_list\"]"), "test").expect("rules");
    let e = payments::screen_message(matcher(), &rules, &fixture("pacs008_prefixed.xml"))
        .expect_err("unknown list");
    assert_eq!(e.code, "invalid_rules");
}

#[test]
fn invalid_codes_are_screened_where_possible_with_warnings() {
    let xml = String::from_utf8(fixture("pacs008_prefixed.xml")).expect("utf8")
        .replace("<ns2:Ctry>AE</ns2:Ctry>", "<ns2:Ctry>XX</ns2:Ctry>")
        .replace(
            "<ns2:BICFI>BOFAUS3NXXX</ns2:BICFI></ns2:FinInstnId></ns2:DbtrAgt>",
            "<ns2:BICFI>BOFA-US3N</ns2:BICFI></ns2:FinInstnId></ns2:DbtrAgt><ns2:DbtrAgtAcct><ns2:Id><ns2:IBAN>IR710570029971601460641002</ns2:IBAN></ns2:Id></ns2:DbtrAgtAcct>",
        );
    let r = screen(xml.as_bytes());
    let tx = &r.transactions[0];
    let codes: Vec<&str> = tx.warnings.iter().map(|w| w.code).collect();
    assert!(codes.contains(&"invalid_country"), "{codes:?}");
    assert!(codes.contains(&"invalid_bic"), "{codes:?}");
    assert!(codes.contains(&"invalid_iban"), "{codes:?}");
    // The IBAN fails its check digits but its country is still checked,
    // and the name is still screened.
    assert!(
        tx.hits
            .iter()
            .any(|h| h.kind == HitKind::Jurisdiction && h.role == Role::DebtorAgent)
    );
    assert!(
        tx.hits
            .iter()
            .any(|h| h.kind == HitKind::Name && h.role == Role::Debtor)
    );
    assert_eq!(tx.verdict, Verdict::Hold);
}

#[test]
fn clean_remittance_texts_pass() {
    let texts = [
        "Invoice 2026-118 spare parts",
        "SALARY NOVEMBER 2026",
        "Rent December flat 3B",
        "Payment for consulting services rendered",
        "PO 4711 steel pipes and fittings",
        "School fees term 2 Oxford",
        "Refund order 99812 Amazon",
        "Loan repayment contract 20-1182",
        "Membership subscription golf club",
        "Dividend payment Q3 2026",
    ];
    let raw_for = |t: &str| {
        String::from_utf8(fixture("pacs008_prefixed.xml"))
            .expect("utf8")
            .replace("MAHAN AIR", "Emirates Aviation Services LLC")
            .replace("Engine overhaul 4411", t)
    };
    for t in texts {
        let r = screen(raw_for(t).as_bytes());
        assert_eq!(
            r.verdict,
            Verdict::Pass,
            "{t}: {:#?}",
            r.transactions[0].hits
        );
    }
}
