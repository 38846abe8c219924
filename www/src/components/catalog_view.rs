//! A catalog's contents: its attributes (OSAttr as Windows names, HWIDs, version, list identifier,
//! this update, member hash) and its members in a table with a search box and filters (by file
//! name, tag, attribute text, and coverage status when the catalog belongs to a package).

use std::collections::BTreeMap;
use std::rc::Rc;

use drvsig::report::{CatalogMemberReport, CatalogReport, PackageReport};
use drvsig::Outcome;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use super::badge::Badge;
use crate::state::{hex_offset, FileId};

/// Most member rows rendered at once (a "show more" button adds more).
const PAGE: usize = 200;

/// The coverage status of each member (by tag) of the catalog at `path`, from every package that
/// uses it: `covered`, `mismatch` (a file of that name has another digest) or `missing` (no file).
pub fn member_statuses(path: &str, packages: &[PackageReport]) -> BTreeMap<String, &'static str> {
    let mut out = BTreeMap::new();
    for p in packages {
        for row in p.coverage.iter().filter(|r| r.catalog == path) {
            for m in &row.members {
                out.insert(m.tag.clone(), "covered");
            }
            for m in &row.named_members {
                out.entry(m.tag.clone()).or_insert("mismatch");
            }
        }
        for m in p.missing_members.iter().filter(|m| m.catalog == path) {
            out.entry(m.tag.clone()).or_insert("missing");
        }
    }
    out
}

/// Where the search text is looked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    Any,
    Name,
    Tag,
    Attribute,
}

/// Whether a member matches the search (case-insensitive) and the status filter.
pub fn member_matches(m: &CatalogMemberReport, query: &str, field: Field, status: &str, statuses: &BTreeMap<String, &'static str>) -> bool {
    if !status.is_empty() && statuses.get(&m.tag).copied().unwrap_or("") != status {
        return false;
    }
    let q = query.trim().to_lowercase();
    if q.is_empty() {
        return true;
    }
    let name = || member_file(m).to_lowercase().contains(&q);
    let tag = || m.tag.to_lowercase().contains(&q) || m.digest.as_deref().is_some_and(|d| d.contains(&q));
    let attr = || {
        m.attributes.iter().any(|a| a.name.to_lowercase().contains(&q) || a.value.to_lowercase().contains(&q))
            || m.data_type.as_deref().is_some_and(|d| d.contains(&q))
    };
    match field {
        Field::Any => name() || tag() || attr(),
        Field::Name => name(),
        Field::Tag => tag(),
        Field::Attribute => attr(),
    }
}

fn member_file(m: &CatalogMemberReport) -> &str {
    m.attributes.iter().find(|a| a.name.eq_ignore_ascii_case("File")).map(|a| a.value.as_str()).unwrap_or("")
}

#[derive(Properties, PartialEq)]
pub struct CatalogViewProps {
    pub id: FileId,
    pub catalog: Rc<CatalogReport>,
    /// Member tag -> coverage status, empty when the catalog is in no package.
    pub statuses: Rc<BTreeMap<String, &'static str>>,
}

#[function_component(CatalogView)]
pub fn catalog_view(props: &CatalogViewProps) -> Html {
    let query = use_state(String::new);
    let field = use_state(|| Field::Any);
    let status = use_state(String::new);
    let shown = use_state(|| PAGE);
    let c = &props.catalog;
    let search_id = format!("catalog-{}-search", props.id);
    let field_id = format!("catalog-{}-field", props.id);
    let status_id = format!("catalog-{}-status", props.id);

    let on_query = {
        let query = query.clone();
        Callback::from(move |e: InputEvent| {
            let input: HtmlInputElement = e.target_unchecked_into();
            query.set(input.value());
        })
    };
    let on_field = {
        let field = field.clone();
        Callback::from(move |e: Event| {
            let select: HtmlSelectElement = e.target_unchecked_into();
            field.set(match select.value().as_str() {
                "name" => Field::Name,
                "tag" => Field::Tag,
                "attribute" => Field::Attribute,
                _ => Field::Any,
            });
        })
    };
    let on_status = {
        let status = status.clone();
        Callback::from(move |e: Event| {
            let select: HtmlSelectElement = e.target_unchecked_into();
            status.set(select.value());
        })
    };
    let more = {
        let shown = shown.clone();
        Callback::from(move |_: MouseEvent| shown.set(*shown + PAGE))
    };

    let matching: Vec<&CatalogMemberReport> =
        c.members.iter().filter(|m| member_matches(m, &query, *field, &status, &props.statuses)).collect();
    let total = c.members.len();
    let has_status = !props.statuses.is_empty();
    let os_attr = c.attributes.iter().find(|a| a.name.eq_ignore_ascii_case("OSAttr")).map(|a| a.value.clone());
    let other_attrs: Vec<_> = c
        .attributes
        .iter()
        .filter(|a| !a.name.eq_ignore_ascii_case("OSAttr") && !a.name.to_ascii_uppercase().starts_with("HWID"))
        .collect();

    html! {
        <section class="catalog-view" aria-label="Catalog contents">
            <dl class="facts catalog-facts">
                <div class="fact"><dt>{ "Member hash" }</dt><dd>{ c.subject_algorithm.to_ascii_uppercase().replace("SHA", "SHA-") }{ format!(" (v{})", if c.subject_algorithm == "sha256" { 2 } else { 1 }) }</dd></div>
                <div class="fact"><dt>{ "Version" }</dt><dd>{ c.version }</dd></div>
                <div class="fact"><dt>{ "This update" }</dt><dd>{ &c.this_update }</dd></div>
                if let Some(next) = &c.next_update {
                    <div class="fact"><dt>{ "Next update" }</dt><dd>{ next }</dd></div>
                }
                <div class="fact fact-wide"><dt>{ "List identifier" }</dt><dd><code class="hash">{ &c.list_identifier }</code></dd></div>
                <div class="fact fact-wide">
                    <dt>{ "Windows (OSAttr)" }</dt>
                    <dd>
                        if c.os_attr_windows.is_empty() {
                            <span class="muted">{ "not stated" }</span>
                        } else {
                            <ul class="chip-list">
                                { for c.os_attr_windows.iter().map(|w| html! { <li class="kind-chip">{ w }</li> }) }
                            </ul>
                        }
                        if let Some(raw) = os_attr {
                            <span class="cell-sub"><code>{ raw }</code></span>
                        }
                    </dd>
                </div>
                <div class="fact fact-wide">
                    <dt>{ "Hardware IDs" }</dt>
                    <dd>
                        if c.hwids.is_empty() {
                            <span class="muted">{ "none" }</span>
                        } else {
                            <super::paged_list::PagedList items={std::rc::Rc::new(c.hwids.clone())} label="the catalog's hardware IDs" />
                        }
                    </dd>
                </div>
                if !other_attrs.is_empty() {
                    <div class="fact fact-wide">
                        <dt>{ "Other attributes" }</dt>
                        <dd>
                            <ul class="plain-list compact-list">
                                { for other_attrs.iter().map(|a| html! { <li><code>{ format!("{} = {}", a.name, a.value) }</code></li> }) }
                            </ul>
                        </dd>
                    </div>
                }
            </dl>

            <div class="catalog-filters" role="search" aria-label="Filter catalog members">
                <div class="filter">
                    <label for={search_id.clone()}>{ "Search members" }</label>
                    <input
                        id={search_id}
                        class="catalog-search"
                        type="search"
                        placeholder="File name, tag or attribute"
                        value={(*query).clone()}
                        oninput={on_query}
                    />
                </div>
                <div class="filter">
                    <label for={field_id.clone()}>{ "Search in" }</label>
                    <select id={field_id} class="catalog-field" onchange={on_field}>
                        <option value="any" selected={*field == Field::Any}>{ "Everything" }</option>
                        <option value="name" selected={*field == Field::Name}>{ "File name" }</option>
                        <option value="tag" selected={*field == Field::Tag}>{ "Tag / digest" }</option>
                        <option value="attribute" selected={*field == Field::Attribute}>{ "Attributes" }</option>
                    </select>
                </div>
                if has_status {
                    <div class="filter">
                        <label for={status_id.clone()}>{ "Status" }</label>
                        <select id={status_id} class="catalog-status" onchange={on_status}>
                            <option value="" selected={status.is_empty()}>{ "All" }</option>
                            <option value="covered" selected={*status == "covered"}>{ "Covered" }</option>
                            <option value="mismatch" selected={*status == "mismatch"}>{ "Mismatch" }</option>
                            <option value="missing" selected={*status == "missing"}>{ "Missing" }</option>
                        </select>
                    </div>
                }
                <p class="filter-count muted" aria-live="polite" data-count={matching.len().to_string()}>
                    { format!("{} of {} members", matching.len(), total) }
                </p>
            </div>

            <div class="table-scroll">
                <table class="data-table stack members-table">
                    <caption class="visually-hidden">{ "Catalog members" }</caption>
                    <thead>
                        <tr>
                            <th scope="col">{ "File" }</th>
                            <th scope="col">{ "Tag" }</th>
                            <th scope="col">{ "Hashes" }</th>
                            <th scope="col">{ "Attributes" }</th>
                            if has_status {
                                <th scope="col">{ "Status" }</th>
                            }
                        </tr>
                    </thead>
                    <tbody>
                        { for matching.iter().take(*shown).map(|m| member_row(m, has_status, props.statuses.get(&m.tag).copied())) }
                        if matching.is_empty() {
                            <tr><td colspan={if has_status { "5" } else { "4" }} class="muted empty-row">{ "No member matches." }</td></tr>
                        }
                    </tbody>
                </table>
            </div>
            if matching.len() > *shown {
                <button type="button" class="button button-small show-more" onclick={more}>
                    { format!("Show {} more", (matching.len() - *shown).min(PAGE)) }
                </button>
            }
        </section>
    }
}

fn member_row(m: &CatalogMemberReport, has_status: bool, status: Option<&'static str>) -> Html {
    let file = member_file(m);
    let attrs: Vec<_> = m.attributes.iter().filter(|a| !a.name.eq_ignore_ascii_case("File")).collect();
    let (outcome, word) = match status {
        Some("covered") => (Outcome::Pass, "covered"),
        Some("mismatch") => (Outcome::Fail, "mismatch"),
        Some("missing") => (Outcome::Warn, "missing"),
        _ => (Outcome::NotPresent, "not used"),
    };
    html! {
        <tr data-member={m.tag.clone()} data-file={file.to_string()} data-status={status.unwrap_or("")} class={classes!(status.map(|s| format!("is-{s}")))}>
            <th scope="row">
                if file.is_empty() { <span class="muted">{ "(no File attribute)" }</span> } else { <span class="file-base">{ file }</span> }
                <span class="cell-sub">{ format!("at {}", hex_offset(m.offset)) }</span>
            </th>
            <td data-label="Tag"><code class="hash tag">{ &m.tag }</code></td>
            <td data-label="Hashes">
                { m.data_type.clone().unwrap_or_else(|| "\u{2013}".into()) }
                if let Some(alg) = &m.digest_algorithm {
                    <span class="cell-sub">{ alg }</span>
                }
            </td>
            <td data-label="Attributes">
                <ul class="plain-list compact-list">
                    { for attrs.iter().map(|a| html! { <li><code>{ format!("{}: {}", a.name, a.value) }</code></li> }) }
                </ul>
            </td>
            if has_status {
                <td data-label="Status"><Badge {outcome} text={word} /></td>
            }
        </tr>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use drvsig::report::{CoverageRow, MemberMatch, MissingMember, NameValueReport};

    fn member(tag: &str, file: &str, osattr: &str) -> CatalogMemberReport {
        CatalogMemberReport {
            tag: tag.into(),
            attributes: vec![
                NameValueReport { name: "File".into(), value: file.into(), flags: 0 },
                NameValueReport { name: "OSAttr".into(), value: osattr.into(), flags: 0 },
            ],
            ..Default::default()
        }
    }

    #[test]
    fn statuses_from_packages_and_filtering() {
        let packages = vec![PackageReport {
            coverage: vec![CoverageRow {
                catalog: "p/a.cat".into(),
                members: vec![MemberMatch { tag: "AA".into(), ..Default::default() }],
                named_members: vec![MemberMatch { tag: "BB".into(), ..Default::default() }],
                ..Default::default()
            }],
            missing_members: vec![MissingMember { catalog: "p/a.cat".into(), tag: "CC".into(), ..Default::default() }],
            ..Default::default()
        }];
        let s = member_statuses("p/a.cat", &packages);
        assert_eq!(s.get("AA"), Some(&"covered"));
        assert_eq!(s.get("BB"), Some(&"mismatch"));
        assert_eq!(s.get("CC"), Some(&"missing"));
        assert!(member_statuses("other.cat", &packages).is_empty());

        let a = member("AA", "drv.sys", "2:10.0");
        let b = member("BB", "drv.inf", "2:6.1");
        assert!(member_matches(&a, "DRV.S", Field::Any, "", &s));
        assert!(!member_matches(&b, "drv.s", Field::Name, "", &s));
        assert!(member_matches(&b, "bb", Field::Tag, "", &s));
        assert!(!member_matches(&b, "bb", Field::Name, "", &s));
        assert!(member_matches(&b, "6.1", Field::Attribute, "", &s));
        assert!(member_matches(&a, "", Field::Any, "covered", &s));
        assert!(!member_matches(&b, "", Field::Any, "covered", &s));
        assert!(member_matches(&b, "", Field::Any, "mismatch", &s));
    }
}
