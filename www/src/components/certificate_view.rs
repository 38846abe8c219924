//! One certificate's details: names, serial, validity on a small timeline (SVG) against the signing
//! and verification times, thumbprints, key, EKUs by name, key usage, basic constraints, key
//! identifiers; and the certificate itself as a .cer (DER) or .pem download (a Blob and an object
//! URL: nothing goes over the network).

use drvsig::report::CertificateSummary;
use yew::prelude::*;

use crate::text::Inert;

#[derive(Properties, PartialEq)]
pub struct CertificateViewProps {
    pub certificate: CertificateSummary,
    pub source: AttrValue,
    #[prop_or_default]
    pub signing_time: Option<String>,
    pub verified_at: AttrValue,
    pub validity_time: AttrValue,
    pub on_close: Callback<()>,
    /// Shows the Close button (a panel opened from a chain picture); a dropped certificate file's
    /// card shows its certificates without one.
    #[prop_or(true)]
    pub closable: bool,
}

/// Days since 1970-01-01 of an RFC 3339 UTC time (`YYYY-MM-DDTHH:MM:SSZ`), fractional.
pub fn days(time: &str) -> Option<f64> {
    let b = time.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<i64> { time.get(r)?.parse().ok() };
    if b.len() < 10 {
        return None;
    }
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    let (hh, mm, ss) = (num(11..13).unwrap_or(0), num(14..16).unwrap_or(0), num(17..19).unwrap_or(0));
    // Howard Hinnant's days_from_civil.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days as f64 + (hh * 3600 + mm * 60 + ss) as f64 / 86_400.0)
}

/// Standard base64 (padded) to bytes; `None` on anything else.
pub fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() / 4 * 3);
    let mut acc = 0u32;
    let mut bits = 0u32;
    for c in s.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' => break,
            b'\r' | b'\n' => continue,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// PEM text for a base64 DER certificate (64-character lines).
pub fn pem(der_base64: &str) -> String {
    let mut out = String::from("-----BEGIN CERTIFICATE-----\n");
    let chars: Vec<char> = der_base64.chars().collect();
    for line in chars.chunks(64) {
        out.extend(line);
        out.push('\n');
    }
    out.push_str("-----END CERTIFICATE-----\n");
    out
}

/// A safe download name from a certificate name: letters, digits, space, `.-_` only.
pub fn file_stem(name: &str) -> String {
    let stem: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() || matches!(c, ' ' | '.' | '-' | '_') { c } else { '_' }).take(60).collect();
    let stem = stem.trim_matches(|c: char| c == '.' || c == ' ').to_string();
    if stem.is_empty() {
        "certificate".to_string()
    } else {
        stem
    }
}

/// Hands `bytes` to the browser as a download (Blob + object URL + `<a download>`).
fn download(bytes: &[u8], name: &str, mime: &str) {
    use wasm_bindgen::JsCast;
    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
    let parts = js_sys::Array::new();
    parts.push(&js_sys::Uint8Array::from(bytes).into());
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let Ok(blob) = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options) else { return };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else { return };
    if let Some(a) = document.create_element("a").ok().and_then(|e| e.dyn_into::<web_sys::HtmlAnchorElement>().ok()) {
        a.set_href(&url);
        a.set_download(name);
        a.set_rel("noopener");
        a.click();
    }
    // Revoke once the browser has started the download.
    let revoke = wasm_bindgen::closure::Closure::once_into_js(move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    });
    if let Some(w) = web_sys::window() {
        let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(revoke.unchecked_ref(), 30_000);
    }
}

fn or_dash(s: &str) -> String {
    if s.is_empty() {
        "\u{2014}".to_string()
    } else {
        s.to_string()
    }
}

#[function_component(CertificateView)]
pub fn certificate_view(props: &CertificateViewProps) -> Html {
    let c = &props.certificate;
    let cn = c.subject_cn();
    let on_close = {
        let cb = props.on_close.clone();
        Callback::from(move |_: MouseEvent| cb.emit(()))
    };
    let der = base64_decode(&c.der_base64).filter(|d| !d.is_empty());
    let stem = file_stem(&cn);
    let on_cer = {
        let der = der.clone();
        let name = format!("{stem}.cer");
        Callback::from(move |_: MouseEvent| {
            if let Some(der) = &der {
                download(der, &name, "application/pkix-cert");
            }
        })
    };
    let on_pem = {
        let text = pem(&c.der_base64);
        let name = format!("{stem}.pem");
        Callback::from(move |_: MouseEvent| download(text.as_bytes(), &name, "application/x-pem-file"))
    };
    let key = match (c.key_algorithm.as_str(), c.key_bits) {
        ("", _) => "\u{2014}".to_string(),
        (alg, 0) => alg.to_ascii_uppercase(),
        (alg, bits) => format!("{} {bits} bits", alg.to_ascii_uppercase()),
    };
    let constraints = if c.is_ca {
        match c.path_len {
            Some(n) => format!("CA, path length up to {n}"),
            None => "CA".to_string(),
        }
    } else {
        "end entity (not a CA)".to_string()
    };
    let ekus: Vec<(String, String)> =
        c.ekus.iter().enumerate().map(|(i, oid)| (c.eku_names.get(i).cloned().unwrap_or_else(|| oid.clone()), oid.clone())).collect();
    html! {
        <div class="cert-view" role="region" aria-label={format!("Certificate details: {}", crate::text::plain_cut(&cn, 80))} data-sha256={c.sha256.clone()}>
            <div class="cert-view-head">
                <h6 class="cert-view-title"><Inert text={cn.clone()} max={200} /></h6>
                if props.closable {
                    <button type="button" class="button button-small" onclick={on_close} aria-label="Close certificate details">{ "Close" }</button>
                }
            </div>
            { timeline(c, props.signing_time.as_deref(), &props.verified_at) }
            <dl class="cert-facts">
                <div><dt>{ "Subject" }</dt><dd><Inert text={c.subject.clone()} /></dd></div>
                <div><dt>{ "Issuer" }</dt><dd><Inert text={c.issuer.clone()} /></dd></div>
                <div><dt>{ "Serial" }</dt><dd><code class="hash">{ or_dash(&c.serial) }</code></dd></div>
                <div><dt>{ "Valid" }</dt><dd>{ format!("{} to {}", c.not_before, c.not_after) }</dd></div>
                <div><dt>{ "Source" }</dt><dd>{ props.source.clone() }</dd></div>
                <div><dt>{ "SHA-1 thumbprint" }</dt><dd><code class="hash" data-field="cert-sha1">{ or_dash(&c.sha1) }</code></dd></div>
                <div><dt>{ "SHA-256 thumbprint" }</dt><dd><code class="hash">{ or_dash(&c.sha256) }</code></dd></div>
                <div><dt>{ "Key" }</dt><dd>{ key }</dd></div>
                <div>
                    <dt>{ "Extended key usage" }</dt>
                    <dd>
                        if ekus.is_empty() {
                            { "none listed (any purpose)" }
                        } else {
                            <ul class="cert-ekus">
                                { for ekus.into_iter().map(|(name, oid)| html! {
                                    <li><span>{ name.clone() }</span>
                                        if name != oid { { " " }<code class="muted">{ oid }</code> }
                                    </li>
                                }) }
                            </ul>
                        }
                    </dd>
                </div>
                <div><dt>{ "Key usage" }</dt><dd>{ if c.key_usage.is_empty() { "not restricted".to_string() } else { c.key_usage.join(", ") } }</dd></div>
                <div><dt>{ "Basic constraints" }</dt><dd>{ constraints }</dd></div>
                if let Some(ski) = &c.subject_key_id {
                    <div><dt>{ "Subject key ID" }</dt><dd><code class="hash">{ ski }</code></dd></div>
                }
                if let Some(aki) = &c.authority_key_id {
                    <div><dt>{ "Authority key ID" }</dt><dd><code class="hash">{ aki }</code></dd></div>
                }
            </dl>
            <div class="cert-downloads">
                if der.is_some() {
                    <button type="button" class="button button-small" onclick={on_cer}>{ "Download .cer" }</button>
                    <button type="button" class="button button-small" onclick={on_pem}>{ "Download .pem" }</button>
                } else {
                    <span class="muted">{ "The certificate's bytes are not in this report, so it cannot be downloaded." }</span>
                }
            </div>
        </div>
    }
}

/// The validity period as a bar, with the signing (timestamp) time and the verification time marked.
fn timeline(c: &CertificateSummary, signing: Option<&str>, verified: &str) -> Html {
    let (Some(nb), Some(na)) = (days(&c.not_before.to_rfc3339()), days(&c.not_after.to_rfc3339())) else { return html! {} };
    let mut marks: Vec<(&str, &str, f64, &str)> = Vec::new();
    if let Some(t) = signing.and_then(|s| days(s).map(|d| (s, d))) {
        marks.push(("signed", "mark-signed", t.1, t.0));
    }
    if let Some(d) = days(verified) {
        marks.push(("checked", "mark-verified", d, verified));
    }
    let lo = marks.iter().map(|m| m.2).fold(nb, f64::min);
    let hi = marks.iter().map(|m| m.2).fold(na, f64::max);
    let span = (hi - lo).max(1.0);
    let (x0, x1) = (20.0, 480.0);
    let x = |d: f64| x0 + (d - lo) / span * (x1 - x0);
    let year = |s: &str| s.get(..10).unwrap_or(s).to_string();
    let inside = |d: f64| d >= nb && d <= na;
    let description = {
        let mut parts = vec![format!("Valid from {} to {}", year(&c.not_before.to_rfc3339()), year(&c.not_after.to_rfc3339()))];
        for (label, _, d, s) in &marks {
            parts.push(format!("{label} {} ({})", year(s), if inside(*d) { "inside" } else { "outside" }));
        }
        parts.join("; ")
    };
    html! {
        <svg class="cert-timeline" viewBox="0 0 500 74" role="img" aria-label={description}>
            <line class="tl-axis" x1={x0.to_string()} y1="40" x2={x1.to_string()} y2="40" />
            <rect class="tl-valid" x={format!("{:.1}", x(nb))} y="32" width={format!("{:.1}", (x(na) - x(nb)).max(2.0))} height="16" rx="4" />
            <text class="tl-date" x={format!("{:.1}", x(nb))} y="68" text-anchor="start">{ year(&c.not_before.to_rfc3339()) }</text>
            <text class="tl-date" x={format!("{:.1}", x(na))} y="68" text-anchor="end">{ year(&c.not_after.to_rfc3339()) }</text>
            { for marks.iter().enumerate().map(|(i, (label, class, d, _))| {
                let mx = x(*d);
                let anchor = if mx > 400.0 { "end" } else if mx < 100.0 { "start" } else { "middle" };
                let ty = if i == 0 { 14 } else { 26 };
                html! {
                    <g class={classes!("tl-mark", *class, (!inside(*d)).then_some("is-outside"))}>
                        <line x1={format!("{mx:.1}")} y1={(ty + 3).to_string()} x2={format!("{mx:.1}")} y2="54" />
                        <text x={format!("{mx:.1}")} y={ty.to_string()} text-anchor={anchor}>
                            { format!("{}{label}", if inside(*d) { "" } else { "\u{26a0} " }) }
                        </text>
                    </g>
                }
            }) }
        </svg>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_since_epoch() {
        assert_eq!(days("1970-01-01T00:00:00Z"), Some(0.0));
        assert_eq!(days("2000-03-01T00:00:00Z"), Some(11_017.0));
        assert_eq!(days("2025-01-15T12:00:00Z"), Some(20_103.5));
        assert_eq!(days("garbage"), None);
        assert_eq!(days("2025-13-01"), None);
    }

    #[test]
    fn base64_round_trip() {
        assert_eq!(base64_decode("Zm9vYmFy").as_deref(), Some(&b"foobar"[..]));
        assert_eq!(base64_decode("Zm9vYg==").as_deref(), Some(&b"foob"[..]));
        assert_eq!(base64_decode("Zm9v\nYmE=").as_deref(), Some(&b"fooba"[..]));
        assert_eq!(base64_decode("Zm9v!"), None);
    }

    #[test]
    fn pem_lines_and_names() {
        let b64 = "A".repeat(70);
        assert_eq!(pem(&b64), format!("-----BEGIN CERTIFICATE-----\n{}\n{}\n-----END CERTIFICATE-----\n", "A".repeat(64), "A".repeat(6)));
        assert_eq!(file_stem("drvsig Test/CA <x>"), "drvsig Test_CA _x_");
        assert_eq!(file_stem("\u{202E}.."), "_");
        assert_eq!(file_stem(""), "certificate");
    }
}
