//! The certification paths of decoded signatures: every timestamp authority's first, judged at
//! the timestamp's own time, then the signer's, judged at the first verified timestamp's time
//! (whose authority's path is intact) or at the verification time.
//!
//! Timestamp paths are built here, in `chain`, rather than in `signature` with the timestamp
//! check: a timestamp's cryptographic check (imprint, TSA signature) needs no trust anchor, and
//! the signer's path depends on the timestamps' paths, so both belong to the one layer that knows
//! anchors. `signature` stays below `chain`: it decodes and verifies, and keeps the decoded
//! certificates in [`Signature`] for this step. Imports `signature` (down) and the chain builder.

use super::{build, has_lifetime_signing, is_intact, Candidate, Context, Purpose, Request};
use crate::checks;
use crate::options::Options;
use crate::report::{ChainReport, Finding, Outcome};
use crate::signature::verify::TsaCertificates;
use crate::signature::{Signature, Timestamp};
use crate::time::UnixTime;
use crate::x509::Certificate;

/// Add the certification paths to signatures read from one SignedData (see
/// `signature::read_signed_data`); `source` labels their certificates in the chain reports
/// (`catalog` for a catalog's own signature, `signature` otherwise).
pub fn build_for(signatures: &mut [Signature], options: &Options, source: &str) {
    let mut ctx = Context::new(options);
    if source == "catalog" {
        ctx.pool_source = "catalog";
    }
    for sig in signatures {
        attach(&ctx, sig);
    }
}

/// Fill the `chain` of each timestamp and of one signature.
pub fn attach(ctx: &Context, sig: &mut Signature) {
    for ts in &mut sig.timestamps {
        ts.chain = timestamp_chain(ctx, &ts.certificates, &sig.certificates, ts.time);
    }
    if let Some(leaf) = sig.signer.and_then(|i| sig.certificates.get(i)) {
        sig.chain = Some(signer_chain(ctx, leaf, &sig.certificates, &sig.timestamps));
    }
}

/// The timestamp authority's path, judged at the timestamp's own time (the verification time
/// when the timestamp has none). A token's own certificates come first, then the enclosing
/// SignedData's (`outer`); a countersignature has only the enclosing SignedData's.
fn timestamp_chain(ctx: &Context, tsa: &TsaCertificates, outer: &[Certificate], time: Option<UnixTime>) -> Option<ChainReport> {
    let (own, outer): (&[Certificate], &[Certificate]) = match &tsa.own {
        Some(own) => (own, outer),
        None => (outer, &[]),
    };
    let leaf = tsa.signer.and_then(|i| own.get(i))?;
    let (time, basis) = match time {
        Some(t) => (t, crate::report::ValidityBasis::Timestamp),
        None => (ctx.time, crate::report::ValidityBasis::VerificationTime),
    };
    // A countersignature's certificates are the enclosing SignedData's; a token has its own.
    let own_source = if outer.is_empty() { ctx.pool_source } else { "timestamp" };
    let pool: Vec<Candidate<'_>> = own
        .iter()
        .map(|c| Candidate { cert: c, source: own_source })
        .chain(outer.iter().map(|c| Candidate { cert: c, source: ctx.pool_source }))
        .collect();
    let req = Request { leaf: Candidate { cert: leaf, source: own_source }, pool: &pool, purpose: Purpose::TimeStamping, time, basis };
    Some(build(ctx, &req))
}

/// The signer's path, judged at the first verified timestamp's time (whose TSA chain is
/// intact), else at the verification time; lifetime signing removes the timestamp's grace.
fn signer_chain(ctx: &Context, leaf: &Certificate, certs: &[Certificate], timestamps: &[Timestamp]) -> ChainReport {
    let verified = timestamps.iter().find_map(|t| {
        let time = t.time?;
        let ok = t.verdict == Outcome::Pass && t.chain.as_ref().is_some_and(is_intact);
        ok.then_some((time, t))
    });
    let lifetime = has_lifetime_signing(leaf);
    let (time, basis) = match verified {
        Some((time, _)) if !lifetime => (time, crate::report::ValidityBasis::Timestamp),
        Some(_) => (ctx.time, crate::report::ValidityBasis::LifetimeSigning),
        None => (ctx.time, crate::report::ValidityBasis::VerificationTime),
    };
    let pool: Vec<Candidate<'_>> = certs.iter().map(|c| Candidate { cert: c, source: ctx.pool_source }).collect();
    let req = Request { leaf: Candidate { cert: leaf, source: ctx.pool_source }, pool: &pool, purpose: Purpose::CodeSigning, time, basis };
    let mut report = build(ctx, &req);
    if let Some((_, ts)) = verified.filter(|_| !lifetime) {
        if let Some(tc) = ts.chain.as_ref().filter(|c| c.verdict == Outcome::Fail) {
            let top = tc.certificates.last().map(|c| c.certificate.subject.clone()).unwrap_or_default();
            report.findings.push(Finding::new(
                checks::CHAIN_TIMESTAMP_UNTRUSTED.id,
                Outcome::Warn,
                format!(
                    "validity is judged at the timestamp's time although the timestamp authority's path ends at {top}, which is not a trust anchor here (drvsig bundles Microsoft roots only; the links found and their dates are valid)"
                ),
            ));
            if report.verdict == Outcome::Pass {
                report.verdict = Outcome::Warn;
            }
        }
    } else if lifetime && verified.is_some() {
        report.findings.push(Finding::new(
            checks::CHAIN_LIFETIME_SIGNING.id,
            Outcome::Warn,
            "the signer certificate has the lifetime-signing EKU (1.3.6.1.4.1.311.10.3.13): the timestamp does not extend its validity",
        ));
    }
    report
}
