//! Payment messages for the benchmarks, made from the dev sets' names: a
//! typical pacs.008 (eight parties: the group header's two agents, debtor,
//! ultimate debtor, debtor agent, intermediary, creditor agent, creditor;
//! addresses, IBANs and a remittance line) and 140-character remittance
//! texts. One message in 25 carries a listed name, as a slice of real
//! traffic with alerts would.

#![allow(dead_code)]

/// Names from the dev sets: customers (people and companies) and listed
/// parties with their variations.
pub struct Names {
    pub customers: Vec<String>,
    pub listed: Vec<String>,
}

fn column(file: &str, every: usize) -> Vec<String> {
    let path = screener::eval::default_dev_dir_for_tests().join(file);
    let mut rdr =
        csv::Reader::from_path(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let headers = rdr.headers().expect("header").clone();
    let col = headers
        .iter()
        .position(|h| h == "query_name")
        .expect("query_name column");
    rdr.records()
        .enumerate()
        .filter(|(i, _)| i % every == 0)
        .filter_map(|(_, r)| r.ok()?.get(col).map(str::to_string))
        .filter(|n| !n.trim().is_empty())
        .collect()
}

pub fn names() -> Names {
    Names {
        customers: column("negatives_faker.csv", 3),
        listed: column("positives_ofac.csv", 1),
    }
}

/// XML text with the five special characters escaped.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

const BICS: [&str; 8] = [
    "DEUTDEFFXXX",
    "NWBKGB2LXXX",
    "BNPAFRPPXXX",
    "CHASUS33XXX",
    "UBSWCHZH80A",
    "INGBNL2AXXX",
    "BARCGB22XXX",
    "COBADEFFXXX",
];
const TOWNS: [(&str, &str); 8] = [
    ("Stuttgart", "DE"),
    ("Leeds", "GB"),
    ("Lyon", "FR"),
    ("Chicago", "US"),
    ("Zurich", "CH"),
    ("Utrecht", "NL"),
    ("Bristol", "GB"),
    ("Bremen", "DE"),
];
const IBANS: [&str; 4] = [
    "DE89370400440532013000",
    "GB29NWBK60161331926819",
    "CH9300762011623852957",
    "AT611904300234573201",
];
const REMITTANCE: [&str; 6] = [
    "Invoice {n} spare parts and freight",
    "Consulting fee November contract {n}",
    "PO {n} steel pipes, fittings and valves delivered to site",
    "Rent December flat {n} incl. service charge",
    "Charter hire voyage {n} bunker surcharge",
    "Refund order {n} returned goods",
];

/// The `i`-th message.
pub fn pacs008(i: usize, n: &Names) -> String {
    let pick = |v: &[String], k: usize| v[(i * 7 + k * 13) % v.len()].clone();
    let listed = i.is_multiple_of(25);
    let debtor = pick(&n.customers, 1);
    let creditor = if listed {
        pick(&n.listed, 2)
    } else {
        pick(&n.customers, 2)
    };
    let ultimate = pick(&n.customers, 3);
    let (town_d, ctry_d) = TOWNS[i % TOWNS.len()];
    let (town_c, ctry_c) = TOWNS[(i + 3) % TOWNS.len()];
    let bic = |k: usize| BICS[(i + k) % BICS.len()];
    let remittance = REMITTANCE[i % REMITTANCE.len()].replace("{n}", &format!("{}", 4000 + i));
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08">
  <FIToFICstmrCdtTrf>
    <GrpHdr>
      <MsgId>BENCH-{i}</MsgId><CreDtTm>2026-12-04T09:30:00Z</CreDtTm><NbOfTxs>1</NbOfTxs>
      <SttlmInf><SttlmMtd>INDA</SttlmMtd></SttlmInf>
      <InstgAgt><FinInstnId><BICFI>{b0}</BICFI></FinInstnId></InstgAgt>
      <InstdAgt><FinInstnId><BICFI>{b1}</BICFI></FinInstnId></InstdAgt>
    </GrpHdr>
    <CdtTrfTxInf>
      <PmtId><InstrId>I-{i}</InstrId><EndToEndId>E2E-{i}</EndToEndId><TxId>TX-{i}</TxId></PmtId>
      <IntrBkSttlmAmt Ccy="EUR">{amount}.00</IntrBkSttlmAmt>
      <IntrBkSttlmDt>2026-12-04</IntrBkSttlmDt>
      <ChrgBr>SHAR</ChrgBr>
      <IntrmyAgt1><FinInstnId><BICFI>{b2}</BICFI></FinInstnId></IntrmyAgt1>
      <UltmtDbtr><Nm>{ultimate}</Nm></UltmtDbtr>
      <Dbtr>
        <Nm>{debtor}</Nm>
        <PstlAdr><StrtNm>Hauptstrasse</StrtNm><BldgNb>{bn}</BldgNb><PstCd>{pc}</PstCd><TwnNm>{town_d}</TwnNm><Ctry>{ctry_d}</Ctry></PstlAdr>
      </Dbtr>
      <DbtrAcct><Id><IBAN>{iban_d}</IBAN></Id></DbtrAcct>
      <DbtrAgt><FinInstnId><BICFI>{b0}</BICFI></FinInstnId></DbtrAgt>
      <CdtrAgt><FinInstnId><BICFI>{b1}</BICFI></FinInstnId></CdtrAgt>
      <Cdtr>
        <Nm>{creditor}</Nm>
        <PstlAdr><AdrLine>{bn} Market Street</AdrLine><AdrLine>{town_c}</AdrLine><Ctry>{ctry_c}</Ctry></PstlAdr>
      </Cdtr>
      <CdtrAcct><Id><IBAN>{iban_c}</IBAN></Id></CdtrAcct>
      <RmtInf><Ustrd>{remittance}</Ustrd></RmtInf>
    </CdtTrfTxInf>
  </FIToFICstmrCdtTrf>
</Document>
"#,
        b0 = bic(0),
        b1 = bic(1),
        b2 = bic(2),
        amount = 1000 + (i * 37) % 90_000,
        ultimate = esc(&ultimate),
        debtor = esc(&debtor),
        creditor = esc(&creditor),
        bn = 1 + i % 200,
        pc = 10_000 + (i * 11) % 89_999,
        iban_d = IBANS[i % IBANS.len()],
        iban_c = IBANS[(i + 1) % IBANS.len()],
        remittance = esc(&remittance),
    )
}

/// The `i`-th remittance text of exactly 140 characters: words of real
/// remittances with a customer's or, one in 25, a listed party's name.
pub fn remittance_140(i: usize, n: &Names) -> String {
    let name = if i.is_multiple_of(25) {
        &n.listed[i % n.listed.len()]
    } else {
        &n.customers[(i * 7) % n.customers.len()]
    };
    let mut s = format!(
        "INV {} PAYMENT FOR GOODS DELIVERED TO {} AS PER CONTRACT {} DATED 01.11.2026 INCL FREIGHT AND INSURANCE CHARGES VIA HAMBURG PORT TERMINAL",
        4000 + i,
        name.to_uppercase(),
        900 + i % 97
    );
    let cut = s.char_indices().nth(140).map_or(s.len(), |(b, _)| b);
    s.truncate(cut);
    while s.chars().count() < 140 {
        s.push('.');
    }
    s
}
