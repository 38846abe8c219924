//! The block lists in the verdicts (`src/blocklist/` matched them; this reads the matches).
//!
//! Microsoft's vulnerable driver blocklist ("Microsoft recommended driver block rules"): on by
//! default on Windows 11 22H2 and later, and enforced whenever memory integrity (HVCI), Smart App
//! Control or S mode is on. A driver it denies is `blocked` on a target that enforces it (the rule
//! id in the rule text); elsewhere the verdict gains the condition that the blocklist be off. A
//! target that names a Windows build is judged with that build's in-box list; the others with
//! the newest Microsoft list given. LOLDrivers is a community catalogue Windows does not enforce:
//! its matches change no verdict; they are findings (a failure for a malicious driver, a warning
//! for a vulnerable one) and the headline.

use super::target::Target;
use crate::checks;
use crate::report::{
    BlocklistMatch, BlocklistReport, Finding, FourPartVersion, ListKind, LoadVerdict, LolCategory, Outcome, TargetVerdict,
};

/// The Microsoft page the rule cites.
pub const BLOCK_RULES: &str = "Microsoft recommended driver block rules";

/// The phrase of the verdicts of targets that do not enforce the list.
pub const WHERE_ON: &str = "blocked where the vulnerable driver blocklist is on";

/// Whether Windows enforces the vulnerable driver blocklist on `target` with its defaults: see
/// [`Target::enforces_vulnerable_driver_blocklist`] (the Windows 11 24H2+ targets and S mode).
pub fn enforces_vulnerable_driver_blocklist(target: Target) -> bool {
    target.enforces_vulnerable_driver_blocklist()
}

/// The Windows build a target names (its in-box list is used), if any. None does: the targets
/// describe Windows as serviced today (Windows 11 24H2+ after the April 2026 update, ...), whose
/// in-box list is newer than every in-box snapshot we have (the newest, 10.0.26025.0, shipped with
/// build 10.0.26100.1, the 24H2 base): the newest Microsoft list we have (the recommended list) is
/// the closest to what such a PC enforces. Reports name every list they were judged against.
pub fn target_build(_target: Target) -> Option<&'static str> {
    None
}

/// The Microsoft-format matches that count for `target`: the matches of the in-box list its build
/// ships when it names one, else of the newest Microsoft list (by version), and of every user list.
pub fn microsoft_matches_for(report: &BlocklistReport, target: Target) -> Vec<&BlocklistMatch> {
    let builtin = report.lists.iter().filter(|l| matches!(l.kind, ListKind::MicrosoftInbox | ListKind::MicrosoftRecommended));
    let chosen = match target_build(target) {
        Some(build) => builtin.clone().find(|l| l.builds.iter().any(|b| b == build)),
        None => builtin.max_by_key(|l| FourPartVersion::parse(&l.version)),
    };
    report
        .matches
        .iter()
        .filter(|m| match m.list_kind {
            ListKind::UserSipolicy => true,
            ListKind::Loldrivers => false,
            _ => chosen.is_some_and(|l| l.name == m.list && l.version == m.list_version),
        })
        .collect()
}

fn rule_words(m: &BlocklistMatch) -> String {
    let name = m.rule_name.as_deref().map(|n| format!(" \"{n}\"")).unwrap_or_default();
    format!("{} {}{name} of {} {} ({})", rule_kind(m), m.rule_id, m.list, m.list_version, m.detail)
}

fn rule_kind(m: &BlocklistMatch) -> &'static str {
    if m.matched_by == crate::report::MatchedBy::Signer {
        "denied signer"
    } else {
        "deny rule"
    }
}

/// Apply the Microsoft matches to one target's verdict.
pub fn apply(target: Target, report: Option<&BlocklistReport>, verdict: &mut TargetVerdict) {
    let Some(report) = report else { return };
    let matches = microsoft_matches_for(report, target);
    let Some(first) = matches.first() else { return };
    if enforces_vulnerable_driver_blocklist(target) {
        verdict.verdict = LoadVerdict::Blocked;
        verdict.rule = format!("the vulnerable driver blocklist denies this driver: {}", rule_words(first));
        verdict.source = BLOCK_RULES.to_string();
        verdict.conditions.clear();
    } else if verdict.verdict != LoadVerdict::Blocked {
        verdict.verdict = LoadVerdict::LoadsWithConditions;
        verdict.conditions.push(format!("the vulnerable driver blocklist is off ({WHERE_ON}: {} {})", first.rule_id, first.list));
    }
}

/// The file-level findings of the matches: Microsoft lists (fail), LOLDrivers malicious (fail) or
/// vulnerable (warn).
pub fn findings(report: &BlocklistReport) -> Vec<Finding> {
    report.matches.iter().map(finding).collect()
}

fn finding(m: &BlocklistMatch) -> Finding {
    match (m.list_kind, m.category) {
        (ListKind::Loldrivers, category) => {
            let (outcome, what) = match category {
                Some(LolCategory::Malicious) => (Outcome::Fail, "a malicious driver"),
                _ => (Outcome::Warn, "a known vulnerable driver"),
            };
            let hvci = match m.loads_despite_hvci {
                Some(true) => "; LOLDrivers says it loads despite memory integrity",
                Some(false) => "; LOLDrivers says memory integrity stops it",
                None => "",
            };
            Finding::new(
                checks::BLOCKLIST_LOLDRIVERS.id,
                outcome,
                format!(
                    "LOLDrivers {} lists it as {what} (record {}; {}){hvci}. Windows does not enforce LOLDrivers.",
                    m.list_version, m.rule_id, m.detail
                ),
            )
        }
        _ => Finding::new(
            checks::BLOCKLIST_MICROSOFT.id,
            Outcome::Fail,
            format!("Microsoft's driver block rules deny it: {}; {WHERE_ON}.", rule_words(m)),
        ),
    }
}
