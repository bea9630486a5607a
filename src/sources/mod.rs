//! The catalog of lists (`lists/sources.toml`): ids, URLs, formats, intervals;
//! and file-set manifests for imports from disk.
//!
//! [`Catalog::builtin`] is the catalog compiled into the binary;
//! [`Catalog::load`] reads another one (e.g. a site's own mirror catalog).
//! Loading validates every entry, so the rest of the program can rely on
//! known format ids, well-formed list ids, unique file names and parseable
//! refresh intervals.

pub mod manifest;

use crate::model::list_id::{is_catalog_id, is_custom_id};
use crate::parse::Format;
use serde::Deserialize;
use std::collections::HashSet;
use std::path::Path;
use std::time::Duration;

/// The catalog text compiled into the binary.
pub const BUILTIN_CATALOG: &str = include_str!("../../lists/sources.toml");

/// Every list the program knows how to fetch.
#[derive(Debug, Clone)]
pub struct Catalog {
    pub lists: Vec<ListSource>,
}

/// One list of the catalog.
#[derive(Debug, Clone)]
pub struct ListSource {
    pub id: String,
    pub title: String,
    pub publisher: String,
    pub homepage: Option<String>,
    /// An official sanctions list (member of the `sanctions` collection).
    pub sanctions: bool,
    pub format: Format,
    /// How often to look for a new version.
    pub refresh: Duration,
    pub licence: String,
    /// Whether `fetch` without an explicit list includes this one.
    pub auto_fetch: bool,
    /// When the publisher stopped updating the list, if it has.
    pub retired: Option<String>,
    /// Download size cap for this list's files, overriding the fetcher's.
    pub max_bytes: Option<u64>,
    pub files: Vec<SourceUrl>,
}

/// One file of a list and where the publisher serves it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceUrl {
    /// The file name handed to the parser (it tells the files of a set apart).
    pub name: String,
    /// What the file holds.
    pub role: String,
    pub url: String,
}

#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("cannot read catalog {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("catalog {path} is not valid TOML: {message}")]
    Syntax { path: String, message: String },
    #[error("catalog {path}: list '{id}': {message}")]
    Invalid {
        path: String,
        id: String,
        message: String,
    },
    #[error(
        "unknown list '{0}': use a list id of the catalog (see `screener lists --available`) or custom:<name> for your own list"
    )]
    UnknownList(String),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCatalog {
    #[serde(default)]
    list: Vec<RawList>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawList {
    id: String,
    title: String,
    publisher: String,
    #[serde(default)]
    homepage: Option<String>,
    sanctions: bool,
    format: String,
    refresh: String,
    licence: String,
    #[serde(default = "default_true")]
    auto_fetch: bool,
    #[serde(default)]
    retired: Option<String>,
    #[serde(default)]
    max_bytes: Option<u64>,
    #[serde(default)]
    files: Vec<RawFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    name: String,
    #[serde(default)]
    role: String,
    url: String,
}

fn default_true() -> bool {
    true
}

impl Catalog {
    /// The catalog shipped with the program (`lists/sources.toml`).
    pub fn builtin() -> Result<Catalog, CatalogError> {
        Catalog::from_toml(BUILTIN_CATALOG, "lists/sources.toml (built in)")
    }

    /// Reads and validates a catalog file.
    pub fn load(path: &Path) -> Result<Catalog, CatalogError> {
        let text = std::fs::read_to_string(path).map_err(|source| CatalogError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Catalog::from_toml(&text, &path.display().to_string())
    }

    /// Parses and validates catalog text; `origin` names it in error messages.
    pub fn from_toml(text: &str, origin: &str) -> Result<Catalog, CatalogError> {
        let raw: RawCatalog = toml::from_str(text).map_err(|e| CatalogError::Syntax {
            path: origin.to_string(),
            message: e.to_string(),
        })?;
        let mut seen = HashSet::new();
        let mut lists = Vec::with_capacity(raw.list.len());
        for l in raw.list {
            let invalid = |message: String| CatalogError::Invalid {
                path: origin.to_string(),
                id: l.id.clone(),
                message,
            };
            if !is_catalog_id(&l.id) {
                return Err(invalid(
                    "a list id is lower-case letters, digits and '_', starting with a letter"
                        .into(),
                ));
            }
            if !seen.insert(l.id.clone()) {
                return Err(invalid("the id appears twice".into()));
            }
            let format = Format::from_id(&l.format)
                .ok_or_else(|| invalid(format!("unknown format '{}'", l.format)))?;
            let refresh = parse_interval(&l.refresh).ok_or_else(|| {
                invalid(format!(
                    "refresh '{}' is not an interval like 30m, 6h or 1d",
                    l.refresh
                ))
            })?;
            if l.files.is_empty() {
                return Err(invalid("no files: give at least one [[list.files]]".into()));
            }
            let mut names = HashSet::new();
            let mut files = Vec::with_capacity(l.files.len());
            for f in l.files {
                if !is_plain_file_name(&f.name) {
                    return Err(invalid(format!(
                        "file name '{}' must be a plain file name",
                        f.name
                    )));
                }
                if !names.insert(f.name.to_ascii_lowercase()) {
                    return Err(invalid(format!("file name '{}' appears twice", f.name)));
                }
                if !(f.url.starts_with("https://") || f.url.starts_with("http://")) {
                    return Err(invalid(format!("url '{}' is not an http(s) URL", f.url)));
                }
                files.push(SourceUrl {
                    name: f.name,
                    role: f.role,
                    url: f.url,
                });
            }
            if l.max_bytes == Some(0) {
                return Err(invalid("max_bytes must be more than 0".into()));
            }
            lists.push(ListSource {
                id: l.id,
                title: l.title,
                publisher: l.publisher,
                homepage: l.homepage,
                sanctions: l.sanctions,
                format,
                refresh,
                licence: l.licence,
                auto_fetch: l.auto_fetch,
                retired: l.retired,
                max_bytes: l.max_bytes,
                files,
            });
        }
        Ok(Catalog { lists })
    }

    /// The list with this id.
    pub fn get(&self, id: &str) -> Option<&ListSource> {
        self.lists.iter().find(|l| l.id == id)
    }

    /// The list with this id, or an error a user can act on.
    pub fn require(&self, id: &str) -> Result<&ListSource, CatalogError> {
        self.get(id)
            .ok_or_else(|| CatalogError::UnknownList(id.to_string()))
    }

    /// Checks that `id` may be used for an import: a catalog id or `custom:<name>`.
    pub fn check_import_id(&self, id: &str) -> Result<(), CatalogError> {
        if self.get(id).is_some() || is_custom_id(id) {
            Ok(())
        } else {
            Err(CatalogError::UnknownList(id.to_string()))
        }
    }

    /// The lists `fetch` downloads when no list is named.
    pub fn auto_fetch(&self) -> impl Iterator<Item = &ListSource> {
        self.lists.iter().filter(|l| l.auto_fetch)
    }

    /// The ids of the official sanctions lists (the `sanctions` collection).
    pub fn sanctions_ids(&self) -> Vec<&str> {
        self.lists
            .iter()
            .filter(|l| l.sanctions)
            .map(|l| l.id.as_str())
            .collect()
    }
}

/// A file name without directories, usable as-is on disk.
pub fn is_plain_file_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 255
        && name != "."
        && name != ".."
        && !name.starts_with('.')
        && !name
            .chars()
            .any(|c| c == '/' || c == '\\' || c == ':' || c.is_control())
}

/// Parses `30m`, `6h`, `1d`, `90s` (one number and one unit).
pub fn parse_interval(text: &str) -> Option<Duration> {
    let text = text.trim();
    let unit_at = text.find(|c: char| !c.is_ascii_digit())?;
    let (number, unit) = text.split_at(unit_at);
    let n: u64 = number.parse().ok()?;
    let secs = match unit.trim() {
        "s" => n,
        "m" => n.checked_mul(60)?,
        "h" => n.checked_mul(3600)?,
        "d" => n.checked_mul(86_400)?,
        _ => return None,
    };
    (secs > 0).then(|| Duration::from_secs(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    const DESIGN_IDS: [&str; 12] = [
        "us_ofac_sdn",
        "us_ofac_cons",
        "un_sc_sanctions",
        "eu_fsf",
        "gb_fcdo_sanctions",
        "gb_hmt_sanctions",
        "ca_dfatd_sema_sanctions",
        "au_dfat_sanctions",
        "ch_seco_sanctions",
        "us_trade_csl",
        "us_bis_denied",
        "opensanctions",
    ];

    #[test]
    fn builtin_catalog_has_every_design_list_once() {
        let c = Catalog::builtin().unwrap();
        let ids: Vec<&str> = c.lists.iter().map(|l| l.id.as_str()).collect();
        assert_eq!(ids, DESIGN_IDS);
    }

    #[test]
    fn builtin_catalog_entries_are_complete() {
        let c = Catalog::builtin().unwrap();
        for l in &c.lists {
            assert!(!l.title.is_empty() && !l.publisher.is_empty(), "{}", l.id);
            assert!(!l.licence.is_empty(), "{}", l.id);
            for f in &l.files {
                assert!(f.url.starts_with("https://"), "{}: {}", l.id, f.url);
                assert!(!f.role.is_empty(), "{}: {}", l.id, f.name);
            }
        }
        let sdn = c.get("us_ofac_sdn").unwrap();
        assert_eq!(sdn.format, Format::OfacCsv);
        let names: Vec<&str> = sdn.files.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv"]);
        let un = c.get("un_sc_sanctions").unwrap();
        assert_eq!(un.format, Format::UnXml);
        assert_eq!(
            un.files[0].url,
            "https://scsanctions.un.org/resources/xml/en/consolidated.xml"
        );
        assert_eq!(un.refresh, Duration::from_secs(3600));
    }

    #[test]
    fn sanctions_flag_separates_official_lists() {
        let c = Catalog::builtin().unwrap();
        let s = c.sanctions_ids();
        assert!(s.contains(&"us_ofac_sdn") && s.contains(&"eu_fsf"));
        for not in ["us_trade_csl", "us_bis_denied", "opensanctions"] {
            assert!(!s.contains(&not), "{not} is not an official sanctions list");
        }
        let auto: Vec<&str> = c.auto_fetch().map(|l| l.id.as_str()).collect();
        assert!(!auto.contains(&"opensanctions") && !auto.contains(&"gb_hmt_sanctions"));
        assert!(auto.contains(&"un_sc_sanctions"));
    }

    #[test]
    fn ids_custom_and_unknown() {
        let c = Catalog::builtin().unwrap();
        assert!(c.check_import_id("eu_fsf").is_ok());
        assert!(c.check_import_id("custom:my-pep_list2").is_ok());
        let err = c.check_import_id("eu_sanctions").unwrap_err().to_string();
        assert!(err.contains("unknown list 'eu_sanctions'"), "{err}");
        for bad in [
            "custom:",
            "custom:Big",
            "custom:a/b",
            "custom:../x",
            "Eu",
            "a b",
        ] {
            assert!(!crate::model::list_id::is_valid(bad), "{bad}");
        }
        assert!(crate::model::list_id::is_valid("custom:a"));
    }

    #[test]
    fn invalid_entries_are_reported_with_the_list_id() {
        let base = |extra: &str| {
            format!(
                "[[list]]\nid = \"x\"\ntitle = \"t\"\npublisher = \"p\"\nsanctions = true\n\
                 licence = \"l\"\n{extra}"
            )
        };
        let files = "[[list.files]]\nname = \"a.xml\"\nurl = \"https://e.org/a.xml\"\n";
        let ok = base(&format!("format = \"un_xml\"\nrefresh = \"2h\"\n{files}"));
        let c = Catalog::from_toml(&ok, "t.toml").unwrap();
        assert_eq!(c.lists[0].refresh, Duration::from_secs(7200));
        assert!(c.lists[0].auto_fetch);

        let cases = [
            (
                base(&format!("format = \"zz\"\nrefresh = \"2h\"\n{files}")),
                "unknown format 'zz'",
            ),
            (
                base(&format!("format = \"un_xml\"\nrefresh = \"soon\"\n{files}")),
                "refresh 'soon'",
            ),
            (base("format = \"un_xml\"\nrefresh = \"2h\"\n"), "no files"),
            (
                base(
                    "format = \"un_xml\"\nrefresh = \"2h\"\n[[list.files]]\nname = \"../a\"\nurl = \"https://e.org/a\"\n",
                ),
                "plain file name",
            ),
            (
                base(
                    "format = \"un_xml\"\nrefresh = \"2h\"\n[[list.files]]\nname = \"a\"\nurl = \"ftp://e.org/a\"\n",
                ),
                "not an http(s) URL",
            ),
        ];
        for (text, want) in cases {
            let err = Catalog::from_toml(&text, "t.toml").unwrap_err().to_string();
            assert!(err.contains("list 'x'") && err.contains(want), "{err}");
        }
        let twice = format!("{ok}\n{ok}");
        let err = Catalog::from_toml(&twice, "t.toml")
            .unwrap_err()
            .to_string();
        assert!(err.contains("appears twice"), "{err}");
    }

    #[test]
    fn intervals() {
        assert_eq!(parse_interval("90s"), Some(Duration::from_secs(90)));
        assert_eq!(parse_interval("30m"), Some(Duration::from_secs(1800)));
        assert_eq!(parse_interval("1d"), Some(Duration::from_secs(86_400)));
        for bad in ["", "h", "0h", "5", "5w", "-1h", "1.5h"] {
            assert_eq!(parse_interval(bad), None, "{bad}");
        }
    }
}
