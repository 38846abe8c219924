//! The corpus INFs: CatalogFile, Provider, DriverVer, hardware IDs and services as the files say.

use drvsig::inf::parse_inf;
use drvsig::report::InfReport;

fn read(path: &str) -> Option<InfReport> {
    let dir = std::env::var_os("DRVSIG_CORPUS")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"));
    let Ok(bytes) = std::fs::read(dir.join(path)) else {
        eprintln!("notice: corpus not found at {} (set DRVSIG_CORPUS); skipping", dir.display());
        return None;
    };
    let report = parse_inf(&bytes).to_report();
    let full = drvsig::inspect(path, &bytes, &drvsig::Options::at(drvsig::UnixTime(1_700_000_000)));
    assert_eq!(full.kind, drvsig::FileKind::Inf, "{path}");
    assert_eq!(full.inf.as_ref(), Some(&report), "{path}");
    eprintln!("{path}: findings {:?}", report.findings);
    Some(report)
}

fn hwids(r: &InfReport, section: &str) -> Vec<String> {
    r.models.iter().filter(|m| m.section.eq_ignore_ascii_case(section)).flat_map(|m| m.hardware_ids.clone()).collect()
}

#[test]
fn arduino() {
    let Some(r) = read("drivers/arduino/arduino.inf") else { return };
    assert_eq!(r.encoding.name(), "utf-8");
    assert_eq!(r.signature.as_deref(), Some("$Windows NT$"));
    assert_eq!(r.class.as_deref(), Some("Ports"));
    assert_eq!(r.provider.as_deref(), Some("Arduino LLC (www.arduino.cc)"));
    assert_eq!((r.driver_date.as_deref(), r.driver_version.as_deref()), (Some("11/24/2015"), Some("1.2.3.0")));
    assert_eq!(r.catalog_files.len(), 1);
    assert_eq!((r.catalog_files[0].decoration.as_str(), r.catalog_files[0].file.as_str()), ("", "arduino.cat"));
    let amd64 = hwids(&r, "DeviceList.NTamd64");
    assert_eq!(amd64.len(), 31);
    assert_eq!(amd64.first().map(String::as_str), Some("USB\\VID_03EB&PID_6124"));
    assert!(amd64.iter().any(|h| h == "USB\\VID_2341&PID_0043"), "Uno R3");
    assert_eq!(hwids(&r, "DeviceList").len(), 31);
    assert_eq!(hwids(&r, "DeviceList.NTia64").len(), 31);
    assert!(r.models.iter().all(|m| m.install_section == "DriverInstall" && !m.description.contains('%')));
    assert_eq!(r.services.len(), 1);
    let s = &r.services[0];
    assert_eq!((s.name.as_str(), s.start_type, s.service_binary.as_deref()), ("usbser", Some(3), Some("%12%\\usbser.sys")));
    assert!(r.findings.iter().all(|f| f.check != "inf.version.missing" && f.check != "inf.catalog-file.missing"));
}

#[test]
fn cp210x() {
    let Some(r) = read("drivers/cp210x-6.7/slabvcp.inf") else { return };
    assert_eq!(r.signature.as_deref(), Some("$WINDOWS NT$"));
    assert_eq!(r.provider.as_deref(), Some("Silicon Laboratories"));
    assert_eq!((r.driver_date.as_deref(), r.driver_version.as_deref()), (Some("03/19/2014"), Some("6.7.0.0")));
    assert_eq!(r.catalog_files.iter().map(|c| c.file.as_str()).collect::<Vec<_>>(), ["slabvcp.cat"]);
    let ids = hwids(&r, "SiLabs.NTamd64");
    assert_eq!(
        ids,
        [
            "USB\\VID_10C4&PID_EA60",
            "USB\\VID_10C4&PID_EA70&Mi_00",
            "USB\\VID_10C4&PID_EA70&Mi_01",
            "USB\\VID_10C4&PID_EA71&Mi_00",
            "USB\\VID_10C4&PID_EA71&Mi_01",
            "USB\\VID_10C4&PID_EA71&Mi_02",
            "USB\\VID_10C4&PID_EA71&Mi_03"
        ]
    );
    let m = r.models.iter().find(|m| m.section == "SiLabs.NTamd64").unwrap();
    assert_eq!(m.description, "Silicon Labs CP210x USB to UART Bridge");
    let mut services: Vec<_> = r.services.iter().map(|s| (s.name.as_str(), s.start_type, s.service_binary.as_deref())).collect();
    services.sort();
    assert_eq!(services, [("silabenm", Some(3), Some("%12%\\silabenm.sys")), ("silabser", Some(3), Some("%12%\\silabser.sys"))]);
    // Source files from both [SourceDisksFiles] sections (merged), disks per platform.
    let files: Vec<_> = r.source_files.iter().map(|f| f.file.as_str()).collect();
    assert_eq!(files, ["silabser.sys", "silabenm.sys", "WdfCoinstaller01009.dll"]);
    let disks: Vec<_> = r.source_disks.iter().map(|d| (d.decoration.as_str(), d.path.as_deref())).collect();
    assert_eq!(disks, [("x86", Some("\\x86")), ("amd64", Some("\\x64"))]);
}

#[test]
fn vigembus() {
    let Some(r) = read("drivers/vigembus/ViGEmBus.inf") else { return };
    assert_eq!(r.class.as_deref(), Some("System"));
    assert_eq!(r.provider.as_deref(), Some("Nefarius Software Solutions e.U."));
    assert_eq!((r.driver_date.as_deref(), r.driver_version.as_deref()), (Some("12/14/2020"), Some("1.17.333.0")));
    assert_eq!(r.catalog_files.iter().map(|c| c.file.as_str()).collect::<Vec<_>>(), ["ViGEmBus.cat"]);
    assert_eq!(hwids(&r, "Standard.NTamd64"), ["Nefarius\\ViGEmBus\\Gen1"]);
    assert_eq!(hwids(&r, "Standard.NTx86"), ["Nefarius\\ViGEmBus\\Gen1"]);
    assert_eq!(r.services.len(), 1);
    let s = &r.services[0];
    assert_eq!(s.name, "ViGEmBus");
    assert_eq!((s.start_type, s.start_type_name.as_str(), s.service_type), (Some(1), "system", Some(1)));
    assert_eq!(s.display_name.as_deref(), Some("Nefarius Virtual Gamepad Emulation Service"));
    assert_eq!(s.service_binary.as_deref(), Some("%12%\\ViGEmBus.sys"));
    assert_eq!(r.source_files.len(), 1);
    assert!(r.findings.is_empty(), "{:?}", r.findings);
}

/// The hand-written cases through the public API (encodings, quoting, decorations, findings).
#[test]
fn hand_written() {
    // UTF-16LE with BOM, decorated catalog files, continuation, comments.
    let text = "[Version]\r\nSignature=\"$Windows NT$\" ; c\r\nProvider=%P%\r\nCatalogFile.NTx86=a.cat\r\nCatalogFile.NTamd64=b.cat\r\nDriverVer=01/02/2024,\\\r\n 1.2.3.4\r\n[Strings]\r\nP=\"Zürich; AG\"\r\n";
    let bytes: Vec<u8> = [0xff, 0xfe].into_iter().chain(text.encode_utf16().flat_map(u16::to_le_bytes)).collect();
    let r = parse_inf(&bytes).to_report();
    assert_eq!(r.encoding.name(), "utf-16le");
    assert_eq!(r.provider.as_deref(), Some("Zürich; AG"));
    assert_eq!(r.driver_version.as_deref(), Some("1.2.3.4"));
    let cats: Vec<_> = r.catalog_files.iter().map(|c| (c.decoration.as_str(), c.file.as_str(), c.line)).collect();
    assert_eq!(cats, [("NTx86", "a.cat", 4), ("NTamd64", "b.cat", 5)]);
    assert!(r.findings.is_empty(), "{:?}", r.findings);

    // ANSI bytes 0x80-0x9F per Windows-1252.
    let r = parse_inf(b"[Version]\nSignature=$Windows NT$\nProvider=\x93Acme\x94 \x96 \x85\nCatalogFile=x.cat\nDriverVer=1/1/2020,1\n")
        .to_report();
    assert_eq!(r.encoding.name(), "windows-1252");
    assert_eq!(r.provider.as_deref(), Some("\u{201c}Acme\u{201d} \u{2013} \u{2026}"));

    // Missing sections and keys, with lines.
    let r = parse_inf(b"; nothing\n[Manufacturer]\nM=Models,NTamd64\n").to_report();
    let checks: Vec<_> = r.findings.iter().map(|f| (f.check.as_str(), f.line)).collect();
    assert_eq!(checks, [("inf.version.missing", None), ("inf.models.missing", Some(3))]);
    let r = parse_inf(b"\n\n[version]\nsignature=\"$Windows NT$\"\nCatalogFile=dir\\x.cat\n").to_report();
    let checks: Vec<_> = r.findings.iter().map(|f| (f.check.as_str(), f.line)).collect();
    assert!(checks.contains(&("inf.catalog-file.name", Some(5))), "{checks:?}");
    assert!(checks.contains(&("inf.version.driver-ver-missing", Some(3))), "{checks:?}");
}
