//! SiPolicy XML (App Control for Business / the driver block policy), namespace
//! `urn:schemas-microsoft-com:sipolicy`, read with roxmltree and compiled to the rules in force
//! for kernel drivers: SigningScenario `131`'s `FileRulesRef` (deny rules: `Hash`, `FileName` +
//! versions) and `DeniedSigners` (`CertRoot TBS`, `CertPublisher`, `CertOemID`, `FileAttribRef`).
//! Every attribute is optional where upstream leaves it out; errors name the file, line and element.

use std::collections::{HashMap, HashSet};

use roxmltree::{Document, Node};

use super::{normalise_hash, FileRule, HashRule, List, ListError, PolicyRules, Rules, SignerRule};
use crate::report::{FourPartVersion, ListCounts, ListInfo};

/// SigningScenario Value for kernel-mode drivers (12 is user mode).
pub const KERNEL_SCENARIO: &str = "131";

/// Parse `text` (the file `file`) into a [`List`]; `info` gives the kind and provenance, to which
/// the policy's own name, Id and VersionEx and the counts are added.
pub fn parse(file: &str, text: &str, mut info: ListInfo) -> Result<List, ListError> {
    let doc = Document::parse(text).map_err(|e| ListError {
        file: file.to_string(),
        line: Some(e.pos().row),
        element: None,
        message: e.to_string(),
    })?;
    let root = doc.root_element();
    let ctx = Ctx { file, doc: &doc };
    if root.tag_name().name() != "SiPolicy" {
        return Err(ctx.error(root, "the root element is not SiPolicy"));
    }
    let (file_refs, signer_refs) = kernel_scenario(&ctx, root)?;
    let attribs = file_attribs(&ctx, root)?;
    let mut rules = PolicyRules::default();
    for deny in children(root, "FileRules").flat_map(|n| children(n, "Deny")) {
        let id = ctx.attr(deny, "ID")?;
        if !file_refs.contains(id) {
            continue;
        }
        let name = deny.attribute("FriendlyName").filter(|s| !s.is_empty()).map(str::to_string);
        if let Some(hash) = deny.attribute("Hash") {
            let hash =
                normalise_hash(hash).ok_or_else(|| ctx.error(deny, &format!("Hash {hash:?} is not a SHA-1 / SHA-256 hex digest")))?;
            rules.hashes.push(HashRule { id: id.to_string(), name, hash });
        } else {
            rules.files.push(ctx.file_rule(deny)?);
        }
    }
    for signer in children(root, "Signers").flat_map(|n| children(n, "Signer")) {
        let id = ctx.attr(signer, "ID")?;
        if signer_refs.contains(id) {
            rules.signers.push(ctx.signer(signer, &attribs)?);
        }
    }
    info.counts = ListCounts {
        hash_rules: count(rules.hashes.len()),
        file_name_rules: count(rules.files.len()),
        signer_rules: count(rules.signers.len()),
        ..ListCounts::default()
    };
    let (name, id) = policy_info(root);
    if let Some(name) = name {
        if info.name.is_empty() || info.source == "user file" {
            info.name = if info.source == "user file" { format!("{} ({name})", info.name) } else { name };
        }
    }
    info.version_ex = children(root, "VersionEx").next().and_then(|n| n.text()).map(|t| t.trim().to_string());
    info.version = id.or_else(|| info.version_ex.clone()).unwrap_or_default();
    Ok(List { info, rules: Rules::SiPolicy(rules) })
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

struct Ctx<'a, 'input> {
    file: &'a str,
    doc: &'a Document<'input>,
}

impl Ctx<'_, '_> {
    fn error(&self, node: Node, message: &str) -> ListError {
        ListError {
            file: self.file.to_string(),
            line: Some(self.doc.text_pos_at(node.range().start).row),
            element: Some(node.tag_name().name().to_string()),
            message: message.to_string(),
        }
    }

    fn attr<'n>(&self, node: Node<'n, '_>, name: &str) -> Result<&'n str, ListError> {
        node.attribute(name).ok_or_else(|| self.error(node, &format!("the {name} attribute is missing")))
    }

    fn version(&self, node: Node, name: &str) -> Result<Option<FourPartVersion>, ListError> {
        match node.attribute(name) {
            None => Ok(None),
            Some(v) => {
                FourPartVersion::parse(v).map(Some).ok_or_else(|| self.error(node, &format!("{name} {v:?} is not a four-part version")))
            }
        }
    }

    fn file_rule(&self, node: Node) -> Result<FileRule, ListError> {
        let text = |name: &str| node.attribute(name).filter(|s| !s.is_empty()).map(str::to_string);
        Ok(FileRule {
            id: self.attr(node, "ID")?.to_string(),
            name: text("FriendlyName"),
            file_name: text("FileName"),
            product_name: text("ProductName"),
            min_version: self.version(node, "MinimumFileVersion")?,
            max_version: self.version(node, "MaximumFileVersion")?,
        })
    }

    fn signer(&self, node: Node, attribs: &HashMap<String, FileRule>) -> Result<SignerRule, ListError> {
        let root = children(node, "CertRoot").next().ok_or_else(|| self.error(node, "the signer has no CertRoot"))?;
        let kind = self.attr(root, "Type")?;
        let value = self.attr(root, "Value")?;
        if kind != "TBS" {
            return Err(self.error(root, &format!("CertRoot Type {kind:?} is not supported (only TBS)")));
        }
        let tbs = normalise_hash(value).ok_or_else(|| self.error(root, &format!("CertRoot Value {value:?} is not a TBS hash")))?;
        let value_of = |name: &'static str| children(node, name).next().and_then(|n| n.attribute("Value")).map(str::to_string);
        let mut file_attribs = Vec::new();
        for r in children(node, "FileAttribRef") {
            let id = self.attr(r, "RuleID")?;
            let rule = attribs.get(id).ok_or_else(|| self.error(r, &format!("FileAttribRef {id} names no FileAttrib")))?;
            file_attribs.push(rule.clone());
        }
        Ok(SignerRule {
            id: self.attr(node, "ID")?.to_string(),
            name: node.attribute("Name").filter(|s| !s.is_empty()).map(str::to_string),
            tbs,
            publisher: value_of("CertPublisher"),
            oem_id: value_of("CertOemID"),
            file_attribs,
        })
    }
}

/// The elements named `name` among `node`'s children.
fn children<'a, 'input: 'a>(node: Node<'a, 'input>, name: &'static str) -> impl Iterator<Item = Node<'a, 'input>> + 'a {
    node.children().filter(move |c| c.is_element() && c.tag_name().name() == name)
}

/// The file rule IDs and signer IDs SigningScenario 131 puts in force (deny side).
fn kernel_scenario(ctx: &Ctx, root: Node) -> Result<(HashSet<String>, HashSet<String>), ListError> {
    let mut files = HashSet::new();
    let mut signers = HashSet::new();
    let scenarios = children(root, "SigningScenarios").flat_map(|n| children(n, "SigningScenario"));
    for scenario in scenarios.filter(|s| s.attribute("Value") == Some(KERNEL_SCENARIO)) {
        for product in children(scenario, "ProductSigners") {
            for r in children(product, "FileRulesRef").flat_map(|n| children(n, "FileRuleRef")) {
                files.insert(ctx.attr(r, "RuleID")?.to_string());
            }
            for d in children(product, "DeniedSigners").flat_map(|n| children(n, "DeniedSigner")) {
                signers.insert(ctx.attr(d, "SignerId")?.to_string());
            }
        }
    }
    Ok((files, signers))
}

/// Every `FileAttrib` by ID.
fn file_attribs(ctx: &Ctx, root: Node) -> Result<HashMap<String, FileRule>, ListError> {
    let mut out = HashMap::new();
    for node in children(root, "FileRules").flat_map(|n| children(n, "FileAttrib")) {
        let rule = ctx.file_rule(node)?;
        out.insert(rule.id.clone(), rule);
    }
    Ok(out)
}

/// `Settings/Setting[Provider=PolicyInfo]` Name and Id.
fn policy_info(root: Node) -> (Option<String>, Option<String>) {
    let mut name = None;
    let mut id = None;
    for setting in children(root, "Settings").flat_map(|n| children(n, "Setting")) {
        if setting.attribute("Provider") != Some("PolicyInfo") {
            continue;
        }
        let value = setting.descendants().find(|n| n.has_tag_name("String")).and_then(|n| n.text()).map(|t| t.trim().to_string());
        match setting.attribute("ValueName") {
            Some("Name") => name = value,
            Some("Id") => id = value,
            _ => {}
        }
    }
    (name, id)
}
