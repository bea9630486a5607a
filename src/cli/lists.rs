//! `screener lists`: the stored lists with their current version, counts and
//! last error, as an aligned table or as JSON; `--catalog` shows the lists
//! the program can fetch instead.

use super::{CliResult, Context, thousands};
use clap::Args;
use screener::snapshot::ListStatus;
use serde::Serialize;
use std::collections::BTreeMap;
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct ListsArgs {
    /// Print JSON: an array with one object per list.
    #[arg(long)]
    json: bool,

    /// Show the catalog (what can be fetched) instead of what is stored.
    #[arg(long = "available")]
    available: bool,
}

/// One list in `lists --json`, named like the API's JSON (camelCase).
/// Version fields are null while no version is loaded.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ListRow {
    id: String,
    version: Option<String>,
    published: Option<String>,
    fetched_at: Option<String>,
    /// Combined sha256 of the version's raw files.
    sha256: Option<String>,
    entities: Option<usize>,
    schemas: Option<BTreeMap<String, usize>>,
    names: Option<usize>,
    last_error: Option<String>,
}

fn row(s: ListStatus) -> ListRow {
    let c = s.current;
    ListRow {
        id: s.id,
        version: c.as_ref().map(|m| m.version.clone()),
        published: c.as_ref().and_then(|m| m.published.clone()),
        fetched_at: c.as_ref().map(|m| rfc3339(m.fetched_at)),
        sha256: c.as_ref().map(|m| m.sha256.clone()),
        entities: c.as_ref().map(|m| m.entities),
        schemas: c.as_ref().map(|m| m.schemas.clone()),
        names: c.as_ref().map(|m| m.names),
        last_error: s.last_error,
    }
}

fn rfc3339(t: time::OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

pub fn run(ctx: &Context, args: ListsArgs) -> CliResult {
    if args.available {
        return catalog(ctx, args.json);
    }
    let store = ctx.open_store(None)?;
    let rows: Vec<ListRow> = store.lists().into_iter().map(row).collect();
    if args.json {
        println!("{}", serde_json::to_string_pretty(&rows)?);
        return Ok(ExitCode::SUCCESS);
    }
    if rows.is_empty() {
        println!(
            "no lists stored in {} yet; run `screener fetch` or `screener import`",
            store.root().display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let dash = || "-".to_string();
    let table: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.id.clone(),
                r.version.clone().unwrap_or_else(dash),
                r.published.clone().unwrap_or_else(dash),
                r.fetched_at.clone().unwrap_or_else(dash),
                r.entities.map(thousands).unwrap_or_else(dash),
                r.names.map(thousands).unwrap_or_else(dash),
                r.last_error
                    .as_deref()
                    .map(super::one_line)
                    .unwrap_or_else(|| "ok".to_string()),
            ]
        })
        .collect();
    print_table(
        &[
            "LIST",
            "VERSION",
            "PUBLISHED",
            "FETCHED",
            "ENTITIES",
            "NAMES",
            "STATUS",
        ],
        &table,
        &[4, 5],
    );
    Ok(ExitCode::SUCCESS)
}

fn catalog(ctx: &Context, json: bool) -> CliResult {
    let catalog = ctx.catalog()?;
    if json {
        let rows: Vec<serde_json::Value> = catalog
            .lists
            .iter()
            .map(|l| {
                serde_json::json!({
                    "id": l.id,
                    "title": l.title,
                    "publisher": l.publisher,
                    "sanctions": l.sanctions,
                    "format": l.format.id(),
                    "refreshSecs": l.refresh.as_secs(),
                    "autoFetch": l.auto_fetch,
                    "retired": l.retired,
                    "licence": l.licence,
                    "urls": l.files.iter().map(|f| &f.url).collect::<Vec<_>>(),
                })
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&rows)?);
        return Ok(ExitCode::SUCCESS);
    }
    let table: Vec<Vec<String>> = catalog
        .lists
        .iter()
        .map(|l| {
            vec![
                l.id.clone(),
                if l.sanctions { "sanctions" } else { "other" }.to_string(),
                l.format.id().to_string(),
                if l.auto_fetch { "yes" } else { "no" }.to_string(),
                l.title.clone(),
            ]
        })
        .collect();
    print_table(&["LIST", "KIND", "FORMAT", "AUTO", "TITLE"], &table, &[]);
    Ok(ExitCode::SUCCESS)
}

/// Prints rows under a header, columns padded to their widest cell;
/// the columns in `right` are right-aligned (numbers).
fn print_table(header: &[&str], rows: &[Vec<String>], right: &[usize]) {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (i, cell) in r.iter().enumerate() {
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(cell.chars().count());
            }
        }
    }
    let line = |cells: Vec<&str>| {
        let last = cells.len().saturating_sub(1);
        let mut out = String::new();
        for (i, cell) in cells.into_iter().enumerate() {
            let w = widths.get(i).copied().unwrap_or(0);
            let pad = w.saturating_sub(cell.chars().count());
            if right.contains(&i) {
                out.push_str(&" ".repeat(pad));
                out.push_str(cell);
            } else {
                out.push_str(cell);
                if i != last {
                    out.push_str(&" ".repeat(pad));
                }
            }
            if i != last {
                out.push_str("  ");
            }
        }
        println!("{out}");
    };
    line(header.to_vec());
    for r in rows {
        line(r.iter().map(String::as_str).collect());
    }
}
