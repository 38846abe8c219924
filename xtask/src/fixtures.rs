//! `cargo xtask fixtures`: regenerate the repository's own signed test fixtures in `tests/fixtures/`.
//!
//! Tiny PE files are built here byte by byte (no compiler), a throwaway test PKI is made with the
//! `openssl` CLI, the PEs are signed with `osslsigncode` (RFC 3161 timestamps from its built-in TSA,
//! so no server), negative variants are cut from the signed ones, and every file is recorded in
//! `expected.json` with its Authenticode digests (computed here from the spec's hash ranges, cross-
//! checked against osslsigncode) and the raw `osslsigncode verify` output under `oracle/`.
//! CI does not run this: the outputs are committed, provenance in `tests/fixtures/README.md`.

mod diff;

pub use diff::run as run_diff;

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Signing time of every signature (2025-01-15T12:00:00Z), passed as `osslsigncode -time`.
pub(crate) const SIGNING_TIME: u64 = 1_736_942_400;
/// Time the built-in TSA writes into every timestamp token (2025-01-15T12:00:30Z).
const TSA_TIME: u64 = 1_736_942_430;
/// Verification time given to `osslsigncode verify -time` (2025-06-01T00:00:00Z), so the oracle
/// outputs do not depend on the day they were made.
const VERIFY_TIME: u64 = 1_748_736_000;
/// Certificate validity (openssl ca -startdate / -enddate).
const NOT_BEFORE: &str = "20240101000000Z";
const NOT_AFTER: &str = "20491231235959Z";
/// COFF TimeDateStamp of the built PEs (2024-01-01T00:00:00Z).
const PE_TIMESTAMP: u32 = 1_704_067_200;

const PROGRAM_NAME: &str = "drvsig test driver";
const PROGRAM_URL: &str = "https://example.invalid/drvsig";
const SUBJECT_PREFIX: &str = "/O=drvsig test fixtures (TEST ONLY)";

pub fn run(root: &Path) -> Result<(), String> {
    let dir = root.join("tests").join("fixtures");
    let tools = check_tools()?;
    let mut ctx = Ctx::new(dir.clone())?;
    ctx.prepare_dirs()?;

    // 1. The unsigned PEs.
    let driver = build_pe(&PeSpec::driver_x64());
    let app = build_pe(&PeSpec::exe_x86());
    ctx.write("pe/driver-unsigned.sys", &driver)?;
    ctx.write("pe/app32-unsigned.exe", &app)?;

    // 2. The test PKI.
    make_pki(&mut ctx)?;

    // 3. Signed variants, then negative ones cut from them.
    let signed = sign_all(&mut ctx)?;
    make_negatives(&mut ctx)?;

    // 4. Oracle outputs and expected.json.
    let records = record_all(&mut ctx, &signed)?;
    let expected = expected_json(&tools, &records);
    ctx.write("expected.json", expected.as_bytes())?;
    ctx.write("README.md", readme(&tools, &ctx.log, &records).as_bytes())?;

    // 5. The page demo.
    let demo_dir = root.join("www").join("demo");
    fs::create_dir_all(&demo_dir).map_err(|e| format!("create {}: {e}", demo_dir.display()))?;
    let demo = fs::read(dir.join("pe").join(DEMO_SOURCE)).map_err(|e| format!("read demo source: {e}"))?;
    fs::write(demo_dir.join("demo-driver.sys"), &demo).map_err(|e| format!("write demo: {e}"))?;
    fs::write(demo_dir.join("README.md"), demo_readme(&records)).map_err(|e| format!("write demo README: {e}"))?;

    // 6. Driver packages (INF + catalog + driver) over the signed driver and the test PKI.
    make_packages(&mut ctx, root)?;

    // 7. Versions of a package for `drvsig diff`.
    diff::make_diff_pairs(&mut ctx)?;

    ctx.cleanup();
    let total: u64 = records.iter().map(|r| r.size).sum();
    println!("fixtures: {} files ({} bytes of PE) written to {}", records.len(), total, dir.display());
    Ok(())
}

/// The file copied to `www/demo/demo-driver.sys`.
const DEMO_SOURCE: &str = "driver-dual-ts.sys";

// ---------------------------------------------------------------------------------------------
// Tools

struct Tools {
    openssl: String,
    osslsigncode: String,
}

fn check_tools() -> Result<Tools, String> {
    let version = |program: &str, arg: &str| -> Result<String, String> {
        let out = Command::new(program).arg(arg).stdin(Stdio::null()).output().map_err(|e| {
            format!(
                "`{program}` is required by `cargo xtask fixtures` but could not be run ({e}); \
                 install it with: apt-get install osslsigncode openssl"
            )
        })?;
        let text = String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
        // "osslsigncode 2.9, using:" / "OpenSSL 3.0.13 ..." -> "osslsigncode 2.9, using: OpenSSL 3.0.13 ..."
        let text = text.lines().take(2).map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(" ");
        Ok(text)
    };
    let openssl = version("openssl", "version")?;
    let osslsigncode = version("osslsigncode", "--version")?;
    if !osslsigncode.starts_with("osslsigncode 2.") {
        return Err(format!(
            "osslsigncode 2.x is required (built-in TSA options), found: {osslsigncode}; \
             install it with: apt-get install osslsigncode openssl"
        ));
    }
    let help = Command::new("osslsigncode").args(["sign", "--help"]).output().map_err(|e| e.to_string())?;
    let help = String::from_utf8_lossy(&help.stdout).to_string() + &String::from_utf8_lossy(&help.stderr);
    for option in ["-TSA-certs", "-TSA-time", "-nest", "-ph"] {
        if !help.contains(option) {
            return Err(format!("this osslsigncode lacks `{option}` (need 2.6 or later): {osslsigncode}"));
        }
    }
    Ok(Tools { openssl, osslsigncode })
}

/// Runs commands inside `tests/fixtures/` and logs each one (the provenance in README.md).
struct Ctx {
    dir: PathBuf,
    log: Vec<String>,
}

/// Scratch directory (CSRs, the openssl ca database), removed at the end.
const WORK: &str = ".work";

impl Ctx {
    fn new(dir: PathBuf) -> Result<Self, String> {
        fs::create_dir_all(&dir).map_err(|e| format!("create {}: {e}", dir.display()))?;
        Ok(Ctx { dir, log: Vec::new() })
    }

    fn prepare_dirs(&self) -> Result<(), String> {
        // Generated outputs are replaced; pki/ keeps its keys (see make_pki) so that regenerating
        // gives the same certificates and the same RSA signatures.
        for sub in ["pe", "oracle", WORK] {
            let path = self.dir.join(sub);
            if path.exists() {
                fs::remove_dir_all(&path).map_err(|e| format!("remove {}: {e}", path.display()))?;
            }
        }
        for sub in ["pe", "oracle", "pki", WORK] {
            let path = self.dir.join(sub);
            fs::create_dir_all(&path).map_err(|e| format!("create {}: {e}", path.display()))?;
        }
        Ok(())
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.join(rel)
    }

    fn write(&self, rel: &str, bytes: &[u8]) -> Result<(), String> {
        fs::write(self.path(rel), bytes).map_err(|e| format!("write {rel}: {e}"))
    }

    fn read(&self, rel: &str) -> Result<Vec<u8>, String> {
        fs::read(self.path(rel)).map_err(|e| format!("read {rel}: {e}"))
    }

    /// Run a command in `tests/fixtures/`; fail with its output unless it exits 0.
    fn run(&mut self, program: &str, args: &[&str]) -> Result<String, String> {
        let (code, output) = self.run_any(program, args, true)?;
        if code != Some(0) {
            return Err(format!("`{}` failed ({code:?}):\n{output}", shell_line(program, args)));
        }
        Ok(output)
    }

    /// Run a command; return its exit code and stdout followed by stderr, whatever the outcome.
    fn run_any(&mut self, program: &str, args: &[&str], log: bool) -> Result<(Option<i32>, String), String> {
        if log {
            self.log.push(shell_line(program, args));
        }
        let out = Command::new(program)
            .args(args)
            .current_dir(&self.dir)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("cannot run `{program}`: {e}"))?;
        let mut text = String::from_utf8_lossy(&out.stdout).to_string();
        text.push_str(&String::from_utf8_lossy(&out.stderr));
        Ok((out.status.code(), text))
    }

    fn cleanup(&self) {
        let _ = fs::remove_dir_all(self.dir.join(WORK));
    }
}

fn shell_line(program: &str, args: &[&str]) -> String {
    let mut line = program.to_string();
    for arg in args {
        line.push(' ');
        if !arg.is_empty() && arg.chars().all(|c| c.is_ascii_alphanumeric() || "-_./:=,@+".contains(c)) {
            line.push_str(arg);
        } else {
            line.push('\'');
            line.push_str(&arg.replace('\'', "'\\''"));
            line.push('\'');
        }
    }
    line
}

// ---------------------------------------------------------------------------------------------
// PE builder

pub(crate) struct SectionSpec {
    pub(crate) name: &'static [u8],
    pub(crate) virtual_address: u32,
    pub(crate) data: Vec<u8>,
    pub(crate) characteristics: u32,
}

pub(crate) struct PeSpec {
    pe32_plus: bool,
    machine: u16,
    characteristics: u16,
    subsystem: u16,
    dll_characteristics: u16,
    image_base: u64,
    entry_point: u32,
    pub(crate) sections: Vec<SectionSpec>,
}

pub(crate) const SECTION_ALIGNMENT: u32 = 0x1000;
const FILE_ALIGNMENT: u32 = 0x200;
const E_LFANEW: u32 = 0x80;
const IMAGE_SCN_CNT_CODE: u32 = 0x0000_0020;
pub(crate) const IMAGE_SCN_CNT_INITIALIZED_DATA: u32 = 0x0000_0040;
const IMAGE_SCN_MEM_DISCARDABLE: u32 = 0x0200_0000;
const IMAGE_SCN_MEM_EXECUTE: u32 = 0x2000_0000;
pub(crate) const IMAGE_SCN_MEM_READ: u32 = 0x4000_0000;
const IMAGE_DLLCHARACTERISTICS_NX_COMPAT: u16 = 0x0100;

/// `xor eax, eax; ret` (returns 0 = STATUS_SUCCESS), then int3 padding.
fn code_bytes(extra: &[u8]) -> Vec<u8> {
    let mut code = vec![0x31, 0xc0, 0xc3];
    code.extend_from_slice(extra);
    while code.len() % 16 != 0 {
        code.push(0xcc);
    }
    code
}

impl PeSpec {
    /// A PE32+ x64 kernel driver: subsystem native, NX compatible, `.text`, `.rdata` and `INIT`.
    pub(crate) fn driver_x64() -> Self {
        PeSpec {
            pe32_plus: true,
            machine: 0x8664,
            // IMAGE_FILE_EXECUTABLE_IMAGE | IMAGE_FILE_LARGE_ADDRESS_AWARE
            characteristics: 0x0022,
            subsystem: 1,
            dll_characteristics: IMAGE_DLLCHARACTERISTICS_NX_COMPAT,
            image_base: 0x1_4000_0000,
            entry_point: 0x3000,
            sections: vec![
                SectionSpec {
                    name: b".text",
                    virtual_address: 0x1000,
                    data: code_bytes(&[]),
                    characteristics: IMAGE_SCN_CNT_CODE | IMAGE_SCN_MEM_EXECUTE | IMAGE_SCN_MEM_READ,
                },
                SectionSpec {
                    name: b".rdata",
                    virtual_address: 0x2000,
                    data: b"drvsig test fixture: PE32+ x64 driver (TEST ONLY)\0".to_vec(),
                    characteristics: IMAGE_SCN_CNT_INITIALIZED_DATA | IMAGE_SCN_MEM_READ,
                },
                SectionSpec {
                    name: b"INIT",
                    virtual_address: 0x3000,
                    // DriverEntry: xor eax, eax; ret
                    data: code_bytes(&[]),
                    characteristics: IMAGE_SCN_CNT_CODE | IMAGE_SCN_MEM_EXECUTE | IMAGE_SCN_MEM_READ | IMAGE_SCN_MEM_DISCARDABLE,
                },
            ],
        }
    }

    /// A PE32 x86 console program with `.text` and `.rdata`.
    fn exe_x86() -> Self {
        PeSpec {
            pe32_plus: false,
            machine: 0x014c,
            // IMAGE_FILE_EXECUTABLE_IMAGE | IMAGE_FILE_32BIT_MACHINE
            characteristics: 0x0102,
            subsystem: 3,
            dll_characteristics: IMAGE_DLLCHARACTERISTICS_NX_COMPAT,
            image_base: 0x40_0000,
            entry_point: 0x1000,
            sections: vec![
                SectionSpec {
                    name: b".text",
                    virtual_address: 0x1000,
                    data: code_bytes(&[]),
                    characteristics: IMAGE_SCN_CNT_CODE | IMAGE_SCN_MEM_EXECUTE | IMAGE_SCN_MEM_READ,
                },
                SectionSpec {
                    name: b".rdata",
                    virtual_address: 0x2000,
                    data: b"drvsig test fixture: PE32 x86 program (TEST ONLY)\0".to_vec(),
                    characteristics: IMAGE_SCN_CNT_INITIALIZED_DATA | IMAGE_SCN_MEM_READ,
                },
            ],
        }
    }
}

fn align_up(value: u32, alignment: u32) -> u32 {
    value.div_ceil(alignment) * alignment
}

fn put_u16(buf: &mut Vec<u8>, v: u16) {
    buf.extend_from_slice(&v.to_le_bytes());
}
fn put_u32(buf: &mut Vec<u8>, v: u32) {
    buf.extend_from_slice(&v.to_le_bytes());
}
fn put_u64(buf: &mut Vec<u8>, v: u64) {
    buf.extend_from_slice(&v.to_le_bytes());
}

/// The MS-DOS header and the classic stub ("This program cannot be run in DOS mode."), 0x80 bytes.
fn dos_header() -> Vec<u8> {
    let mut h = Vec::with_capacity(E_LFANEW as usize);
    h.extend_from_slice(b"MZ");
    // e_cblp, e_cp, e_crlc, e_cparhdr, e_minalloc, e_maxalloc, e_ss, e_sp, e_csum, e_ip, e_cs, e_lfarlc, e_ovno
    for v in [0x90u16, 3, 0, 4, 0, 0xffff, 0, 0xb8, 0, 0, 0, 0x40, 0] {
        put_u16(&mut h, v);
    }
    h.resize(0x3c, 0); // e_res, e_oemid, e_oeminfo, e_res2
    put_u32(&mut h, E_LFANEW);
    // push cs; pop ds; mov dx, 0x0e; mov ah, 9; int 0x21; mov ax, 0x4c01; int 0x21
    h.extend_from_slice(&[0x0e, 0x1f, 0xba, 0x0e, 0x00, 0xb4, 0x09, 0xcd, 0x21, 0xb8, 0x01, 0x4c, 0xcd, 0x21]);
    h.extend_from_slice(b"This program cannot be run in DOS mode.\r\r\n$");
    h.resize(E_LFANEW as usize, 0);
    h
}

/// Build a complete PE image: headers, section table, section raw data, correct CheckSum.
pub(crate) fn build_pe(spec: &PeSpec) -> Vec<u8> {
    let optional_size: u16 = if spec.pe32_plus { 0xf0 } else { 0xe0 };
    let headers_end = E_LFANEW + 4 + 20 + u32::from(optional_size) + 40 * spec.sections.len() as u32;
    let size_of_headers = align_up(headers_end, FILE_ALIGNMENT);
    let size_of_image = spec
        .sections
        .iter()
        .map(|s| s.virtual_address + align_up(s.data.len() as u32, SECTION_ALIGNMENT))
        .max()
        .unwrap_or(SECTION_ALIGNMENT);
    let raw_size = |s: &SectionSpec| align_up(s.data.len() as u32, FILE_ALIGNMENT);
    let sum_of = |pred: &dyn Fn(&SectionSpec) -> bool| spec.sections.iter().filter(|s| pred(s)).map(raw_size).sum::<u32>();
    let size_of_code = sum_of(&|s| s.characteristics & IMAGE_SCN_CNT_CODE != 0);
    let size_of_data = sum_of(&|s| s.characteristics & IMAGE_SCN_CNT_INITIALIZED_DATA != 0);
    let base_of_code = spec.sections.iter().find(|s| s.characteristics & IMAGE_SCN_CNT_CODE != 0).map_or(0, |s| s.virtual_address);
    let base_of_data =
        spec.sections.iter().find(|s| s.characteristics & IMAGE_SCN_CNT_INITIALIZED_DATA != 0).map_or(0, |s| s.virtual_address);

    let mut pe = dos_header();
    pe.extend_from_slice(b"PE\0\0");
    // COFF file header
    put_u16(&mut pe, spec.machine);
    put_u16(&mut pe, spec.sections.len() as u16);
    put_u32(&mut pe, PE_TIMESTAMP);
    put_u32(&mut pe, 0); // PointerToSymbolTable
    put_u32(&mut pe, 0); // NumberOfSymbols
    put_u16(&mut pe, optional_size);
    put_u16(&mut pe, spec.characteristics);
    // Optional header, standard fields
    put_u16(&mut pe, if spec.pe32_plus { 0x20b } else { 0x10b });
    pe.push(14); // MajorLinkerVersion
    pe.push(38); // MinorLinkerVersion
    put_u32(&mut pe, size_of_code);
    put_u32(&mut pe, size_of_data);
    put_u32(&mut pe, 0); // SizeOfUninitializedData
    put_u32(&mut pe, spec.entry_point);
    put_u32(&mut pe, base_of_code);
    if spec.pe32_plus {
        put_u64(&mut pe, spec.image_base);
    } else {
        put_u32(&mut pe, base_of_data);
        put_u32(&mut pe, spec.image_base as u32);
    }
    // Windows-specific fields
    put_u32(&mut pe, SECTION_ALIGNMENT);
    put_u32(&mut pe, FILE_ALIGNMENT);
    for v in [10u16, 0, 10, 0, 10, 0] {
        // OS, image and subsystem versions
        put_u16(&mut pe, v);
    }
    put_u32(&mut pe, 0); // Win32VersionValue
    put_u32(&mut pe, size_of_image);
    put_u32(&mut pe, size_of_headers);
    let checksum_at = pe.len();
    put_u32(&mut pe, 0); // CheckSum, filled in below
    put_u16(&mut pe, spec.subsystem);
    put_u16(&mut pe, spec.dll_characteristics);
    let (stack_reserve, stack_commit, heap_reserve, heap_commit) = (0x4_0000u64, 0x1000u64, 0x10_0000u64, 0x1000u64);
    for v in [stack_reserve, stack_commit, heap_reserve, heap_commit] {
        if spec.pe32_plus {
            put_u64(&mut pe, v);
        } else {
            put_u32(&mut pe, v as u32);
        }
    }
    put_u32(&mut pe, 0); // LoaderFlags
    put_u32(&mut pe, 16); // NumberOfRvaAndSizes
    pe.resize(pe.len() + 16 * 8, 0); // data directories: none used
                                     // Section table
    let mut raw_pointer = size_of_headers;
    for s in &spec.sections {
        let mut name = [0u8; 8];
        name[..s.name.len()].copy_from_slice(s.name);
        pe.extend_from_slice(&name);
        put_u32(&mut pe, s.data.len() as u32); // VirtualSize
        put_u32(&mut pe, s.virtual_address);
        put_u32(&mut pe, raw_size(s));
        put_u32(&mut pe, raw_pointer);
        put_u32(&mut pe, 0); // PointerToRelocations
        put_u32(&mut pe, 0); // PointerToLinenumbers
        put_u16(&mut pe, 0);
        put_u16(&mut pe, 0);
        put_u32(&mut pe, s.characteristics);
        raw_pointer += raw_size(s);
    }
    assert_eq!(pe.len() as u32, headers_end);
    pe.resize(size_of_headers as usize, 0);
    for s in &spec.sections {
        let start = pe.len();
        pe.extend_from_slice(&s.data);
        pe.resize(start + raw_size(s) as usize, 0);
    }
    let checksum = pe_checksum(&pe, checksum_at);
    pe[checksum_at..checksum_at + 4].copy_from_slice(&checksum.to_le_bytes());
    pe
}

/// The optional-header CheckSum (imagehlp's CheckSumMappedFile): the one's-complement style 16-bit
/// sum of the file with the CheckSum field taken as zero, folded, plus the file length.
fn pe_checksum(bytes: &[u8], checksum_at: usize) -> u32 {
    let mut sum: u64 = 0;
    for (i, chunk) in bytes.chunks(2).enumerate() {
        let at = i * 2;
        if at >= checksum_at && at < checksum_at + 4 {
            continue;
        }
        let word = u64::from(chunk[0]) | (u64::from(*chunk.get(1).unwrap_or(&0)) << 8);
        sum += word;
        sum = (sum & 0xffff) + (sum >> 16);
    }
    sum = (sum & 0xffff) + (sum >> 16);
    (sum as u32).wrapping_add(bytes.len() as u32)
}

// ---------------------------------------------------------------------------------------------
// Test PKI (openssl)

/// The openssl configuration for `openssl req` and `openssl ca` (written to pki/openssl.cnf).
const OPENSSL_CNF: &str = "\
# drvsig TEST ONLY PKI: configuration used by `cargo xtask fixtures` (paths relative to tests/fixtures/).
[ca]
default_ca = ca_default

[ca_default]
database = .work/index.txt
new_certs_dir = .work
serial = .work/serial
default_md = sha256
policy = policy_any
unique_subject = no
copy_extensions = none
email_in_dn = no

[policy_any]
organizationName = optional
commonName = supplied

[req]
distinguished_name = req_dn
prompt = no

[req_dn]
CN = unused

[v3_root]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash

[v3_intermediate]
basicConstraints = critical, CA:true, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
extendedKeyUsage = codeSigning
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[v3_code_signing]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = codeSigning
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[v3_timestamping]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = critical, timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
";

struct CertSpec {
    /// File stem under pki/.
    stem: &'static str,
    common_name: &'static str,
    /// `rsa` (2048) or `p256`.
    key: &'static str,
    extensions: &'static str,
    /// Issuer stem, `None` for the self-signed root.
    issuer: Option<&'static str>,
    serial: &'static str,
    what: &'static str,
}

const CERTS: &[CertSpec] = &[
    CertSpec {
        stem: "root-ca",
        common_name: "drvsig Test Root CA",
        key: "rsa",
        extensions: "v3_root",
        issuer: None,
        serial: "1000",
        what: "self-signed root (CA:true), the trust anchor of every fixture",
    },
    CertSpec {
        stem: "code-signing-ca",
        common_name: "drvsig Test Code Signing CA",
        key: "rsa",
        extensions: "v3_intermediate",
        issuer: Some("root-ca"),
        serial: "1001",
        what: "intermediate CA (CA:true, pathlen 0, EKU codeSigning) under the root",
    },
    CertSpec {
        stem: "publisher",
        common_name: "drvsig Test Driver Publisher",
        key: "rsa",
        extensions: "v3_code_signing",
        issuer: Some("code-signing-ca"),
        serial: "1002",
        what: "RSA 2048 leaf (digitalSignature, EKU codeSigning) under the intermediate",
    },
    CertSpec {
        stem: "publisher-ecdsa",
        common_name: "drvsig Test Driver Publisher ECDSA P-256",
        key: "p256",
        extensions: "v3_code_signing",
        issuer: Some("code-signing-ca"),
        serial: "1003",
        what: "ECDSA P-256 leaf (digitalSignature, EKU codeSigning) under the intermediate",
    },
    CertSpec {
        stem: "tsa",
        common_name: "drvsig Test Timestamp Authority",
        key: "rsa",
        extensions: "v3_timestamping",
        issuer: Some("root-ca"),
        serial: "1004",
        what: "RSA 2048 timestamping authority (EKU timeStamping, critical) under the root",
    },
];

fn issuer_cn(c: &CertSpec) -> &'static str {
    let issuer = c.issuer.unwrap_or(c.stem);
    CERTS.iter().find(|i| i.stem == issuer).map_or("", |i| i.common_name)
}

fn make_pki(ctx: &mut Ctx) -> Result<(), String> {
    ctx.write("pki/openssl.cnf", OPENSSL_CNF.as_bytes())?;
    ctx.write(&format!("{WORK}/index.txt"), b"")?;
    ctx.log.push(format!("mkdir -p {WORK} && : > {WORK}/index.txt"));
    for cert in CERTS {
        let key = format!("pki/{}.key", cert.stem);
        let keygen: &[&str] = match cert.key {
            "rsa" => &["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", &key],
            _ => &[
                "genpkey",
                "-algorithm",
                "EC",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-pkeyopt",
                "ec_param_enc:named_curve",
                "-out",
                &key,
            ],
        };
        // Keys are kept when present, so a regeneration reproduces the same certificates.
        ctx.log.push(format!("test -f {key} || {}", shell_line("openssl", keygen)));
        if !ctx.path(&key).exists() {
            ctx.run_any("openssl", keygen, false).and_then(|(code, out)| {
                if code == Some(0) {
                    Ok(())
                } else {
                    Err(format!("openssl genpkey failed: {out}"))
                }
            })?;
        }
        let csr = format!("{WORK}/{}.csr", cert.stem);
        let subject = format!("{SUBJECT_PREFIX}/CN={}", cert.common_name);
        ctx.run("openssl", &["req", "-new", "-config", "pki/openssl.cnf", "-key", &key, "-subj", &subject, "-out", &csr])?;
        ctx.write(&format!("{WORK}/serial"), format!("{}\n", cert.serial).as_bytes())?;
        ctx.log.push(format!("echo {} > {WORK}/serial", cert.serial));
        let pem = format!("pki/{}.pem", cert.stem);
        let mut args = vec![
            "ca",
            "-batch",
            "-config",
            "pki/openssl.cnf",
            "-extensions",
            cert.extensions,
            "-startdate",
            NOT_BEFORE,
            "-enddate",
            NOT_AFTER,
            "-notext",
            "-preserveDN",
        ];
        let (issuer_cert, issuer_key);
        match cert.issuer {
            None => args.extend(["-selfsign", "-keyfile", &key]),
            Some(issuer) => {
                issuer_cert = format!("pki/{issuer}.pem");
                issuer_key = format!("pki/{issuer}.key");
                args.extend(["-cert", &issuer_cert, "-keyfile", &issuer_key]);
            }
        }
        args.extend(["-in", &csr, "-out", &pem]);
        ctx.run("openssl", &args)?;
        let der = format!("pki/{}.der", cert.stem);
        ctx.run("openssl", &["x509", "-in", &pem, "-outform", "DER", "-out", &der])?;
    }
    // Signer chains as osslsigncode -certs wants them: leaf first, then the intermediate.
    for leaf in ["publisher", "publisher-ecdsa"] {
        let mut chain = ctx.read(&format!("pki/{leaf}.pem"))?;
        chain.extend(ctx.read("pki/code-signing-ca.pem")?);
        ctx.write(&format!("{WORK}/{leaf}-chain.pem"), &chain)?;
        ctx.log.push(format!("cat pki/{leaf}.pem pki/code-signing-ca.pem > {WORK}/{leaf}-chain.pem"));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Signing (osslsigncode)

struct SignStep {
    /// Output under pe/.
    out: &'static str,
    /// Input under pe/ (an unsigned PE, or a signed one for -nest).
    input: &'static str,
    hash: &'static str,
    /// `publisher` (RSA) or `publisher-ecdsa`.
    signer: &'static str,
    nest: bool,
    page_hashes: bool,
    timestamp: bool,
    name_and_url: bool,
}

const fn step(out: &'static str, input: &'static str, hash: &'static str) -> SignStep {
    SignStep { out, input, hash, signer: "publisher", nest: false, page_hashes: false, timestamp: false, name_and_url: false }
}

fn sign_steps() -> Vec<SignStep> {
    vec![
        SignStep { name_and_url: true, ..step("driver-sha256.sys", "driver-unsigned.sys", "sha256") },
        step("driver-sha1.sys", "driver-unsigned.sys", "sha1"),
        step("driver-dual.sys.tmp", "driver-unsigned.sys", "sha1"),
        SignStep { nest: true, ..step("driver-dual.sys", "driver-dual.sys.tmp", "sha256") },
        SignStep { page_hashes: true, ..step("driver-sha256-ph.sys", "driver-unsigned.sys", "sha256") },
        SignStep { timestamp: true, ..step("driver-sha256-ts.sys", "driver-unsigned.sys", "sha256") },
        SignStep { timestamp: true, name_and_url: true, ..step("driver-dual-ts.sys.tmp", "driver-unsigned.sys", "sha1") },
        SignStep { nest: true, timestamp: true, name_and_url: true, ..step("driver-dual-ts.sys", "driver-dual-ts.sys.tmp", "sha256") },
        SignStep { signer: "publisher-ecdsa", ..step("driver-ecdsa-p256.sys", "driver-unsigned.sys", "sha256") },
        SignStep { name_and_url: true, ..step("app32-sha256.exe", "app32-unsigned.exe", "sha256") },
    ]
}

/// Sign every variant; returns the osslsigncode command line of each kept output, by file name.
fn sign_all(ctx: &mut Ctx) -> Result<Vec<(String, String)>, String> {
    let signing_time = SIGNING_TIME.to_string();
    let tsa_time = TSA_TIME.to_string();
    let mut commands = Vec::new();
    let mut scratch = Vec::new();
    for s in sign_steps() {
        let chain = format!("{WORK}/{}-chain.pem", s.signer);
        let key = format!("pki/{}.key", s.signer);
        let input = format!("pe/{}", s.input);
        let out = format!("pe/{}", s.out);
        let mut args: Vec<&str> = vec!["sign"];
        if s.nest {
            args.push("-nest");
        }
        args.extend(["-certs", &chain, "-key", &key, "-h", s.hash]);
        if s.name_and_url {
            args.extend(["-n", PROGRAM_NAME, "-i", PROGRAM_URL]);
        }
        if s.page_hashes {
            args.push("-ph");
        }
        args.extend(["-time", &signing_time]);
        if s.timestamp {
            args.extend(["-TSA-certs", "pki/tsa.pem", "-TSA-key", "pki/tsa.key", "-TSA-time", &tsa_time]);
        }
        args.extend(["-in", &input, "-out", &out]);
        ctx.run("osslsigncode", &args)?;
        let line = shell_line("osslsigncode", &args);
        if s.out.ends_with(".tmp") {
            scratch.push(out.clone());
        }
        // A nested signature's file: its provenance is both steps.
        let line = match commands.iter().find(|(name, _): &&(String, String)| *name == s.input) {
            Some((_, previous)) => format!("{previous}\n{line}"),
            None => line,
        };
        commands.push((s.out.to_string(), line));
    }
    for path in scratch {
        fs::remove_file(ctx.path(&path)).map_err(|e| format!("remove {path}: {e}"))?;
        ctx.log.push(format!("rm {path}"));
    }
    commands.retain(|(name, _)| !name.ends_with(".tmp"));
    Ok(commands)
}

// ---------------------------------------------------------------------------------------------
// Negative variants, cut from driver-sha256.sys by this code

/// Where the certificate table directory entry (data directory 4) is, and what it says.
struct PeLayout {
    checksum_at: usize,
    cert_entry_at: usize,
    cert_offset: usize,
    cert_size: usize,
    size_of_headers: usize,
    /// (PointerToRawData, SizeOfRawData) of each section, in table order.
    sections: Vec<(usize, usize)>,
}

fn read_u16(b: &[u8], at: usize) -> Result<u16, String> {
    b.get(at..at + 2).map(|s| u16::from_le_bytes([s[0], s[1]])).ok_or_else(|| format!("u16 at {at:#x} past the end"))
}
fn read_u32(b: &[u8], at: usize) -> Result<u32, String> {
    b.get(at..at + 4).map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]])).ok_or_else(|| format!("u32 at {at:#x} past the end"))
}

fn pe_layout(b: &[u8]) -> Result<PeLayout, String> {
    let lfanew = read_u32(b, 0x3c)? as usize;
    if b.get(lfanew..lfanew + 4) != Some(b"PE\0\0") {
        return Err("no PE signature".into());
    }
    let sections_count = read_u16(b, lfanew + 6)? as usize;
    let optional_size = read_u16(b, lfanew + 20)? as usize;
    let optional = lfanew + 24;
    let directories = match read_u16(b, optional)? {
        0x10b => optional + 96,
        0x20b => optional + 112,
        m => return Err(format!("optional header magic {m:#x}")),
    };
    let cert_entry_at = directories + 4 * 8;
    let table = optional + optional_size;
    let mut sections = Vec::new();
    for i in 0..sections_count {
        let h = table + i * 40;
        sections.push((read_u32(b, h + 20)? as usize, read_u32(b, h + 16)? as usize));
    }
    Ok(PeLayout {
        checksum_at: optional + 64,
        cert_entry_at,
        cert_offset: read_u32(b, cert_entry_at)? as usize,
        cert_size: read_u32(b, cert_entry_at + 4)? as usize,
        size_of_headers: read_u32(b, optional + 60)? as usize,
        sections,
    })
}

struct Negative {
    out: &'static str,
    from: &'static str,
    how: &'static str,
}

const NEGATIVES: &[Negative] = &[
    Negative {
        out: "driver-tampered.sys",
        from: "driver-sha256.sys",
        how: "bit 0 of the first .text byte flipped (0x31 -> 0x30): the image no longer matches the signed digest; CheckSum recomputed",
    },
    Negative {
        out: "driver-appended.sys",
        from: "driver-sha256.sys",
        how:
            "16 bytes appended after the certificate table (directory unchanged): data outside the signature, MS12-024; CheckSum recomputed",
    },
    Negative {
        out: "driver-certdir-outside.sys",
        from: "driver-sha256.sys",
        how: "certificate table directory offset moved 0x1000 bytes past the end of the file (size unchanged); CheckSum recomputed",
    },
    Negative {
        out: "driver-truncated.sys",
        from: "driver-sha256.sys",
        how: "cut in the middle of the certificate table: the directory claims more bytes than the file has; CheckSum recomputed",
    },
];

fn make_negatives(ctx: &mut Ctx) -> Result<(), String> {
    for n in NEGATIVES {
        let mut b = ctx.read(&format!("pe/{}", n.from))?;
        let layout = pe_layout(&b)?;
        match n.out {
            "driver-tampered.sys" => {
                let text = layout.sections.first().ok_or("no sections")?.0;
                b[text] ^= 0x01;
            }
            "driver-appended.sys" => b.extend_from_slice(b"drvsig appended!"),
            "driver-certdir-outside.sys" => {
                let outside = (b.len() + 0x1000) as u32;
                b[layout.cert_entry_at..layout.cert_entry_at + 4].copy_from_slice(&outside.to_le_bytes());
            }
            "driver-truncated.sys" => b.truncate(layout.cert_offset + layout.cert_size / 2),
            other => return Err(format!("unknown negative {other}")),
        }
        // One defect per file: the CheckSum is made right again (it is not part of the image hash).
        let checksum = pe_checksum(&b, layout.checksum_at);
        b[layout.checksum_at..layout.checksum_at + 4].copy_from_slice(&checksum.to_le_bytes());
        ctx.write(&format!("pe/{}", n.out), &b)?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Authenticode digests, independently of osslsigncode and of the drvsig core

/// The Authenticode PE image hash ranges, following the numbered steps of "Windows Authenticode
/// Portable Executable Signature Format" (Authenticode_PE.docx), "Calculating the PE Image Hash".
/// Files where the steps are not well defined (certificate table not at the end of the file,
/// outside it, truncated) are refused with the reason.
fn authenticode_ranges(b: &[u8]) -> Result<Vec<(usize, usize)>, String> {
    let l = pe_layout(b)?;
    // Steps 3-7: headers, skipping the CheckSum field and the certificate table directory entry.
    let mut ranges = vec![(0, l.checksum_at), (l.checksum_at + 4, l.cert_entry_at), (l.cert_entry_at + 8, l.size_of_headers)];
    // Steps 8-13: sections with raw data, in order of PointerToRawData.
    let mut sections: Vec<(usize, usize)> = l.sections.iter().copied().filter(|&(_, size)| size != 0).collect();
    sections.sort();
    let mut sum_of_bytes_hashed = l.size_of_headers;
    for (start, size) in sections {
        let end = start + size;
        if end > b.len() {
            return Err(format!("section data {start:#x}..{end:#x} past the end of the file ({:#x})", b.len()));
        }
        ranges.push((start, end));
        sum_of_bytes_hashed = sum_of_bytes_hashed.max(end);
    }
    // Step 14: extra data after the sections, up to the certificate table (which must be last).
    if l.cert_size != 0 || l.cert_offset != 0 {
        let cert_end = l.cert_offset.checked_add(l.cert_size).ok_or("certificate table overflows")?;
        if cert_end != b.len() {
            return Err(format!(
                "certificate table {:#x}..{cert_end:#x} does not end at the end of the file ({:#x}): \
                 the image hash is not well defined",
                l.cert_offset,
                b.len()
            ));
        }
    }
    let end = b.len() - l.cert_size;
    if end > sum_of_bytes_hashed {
        ranges.push((sum_of_bytes_hashed, end));
    }
    if b.len() & 7 != 0 && l.cert_size == 0 {
        return Err("unsigned file not a multiple of 8 bytes: padding conventions differ between tools".into());
    }
    Ok(ranges)
}

/// md5 / sha1 / sha256 of the joined ranges, hashed by `openssl dgst` (only the hash primitive is
/// borrowed: the ranges are ours).
fn authenticode_digests(ctx: &mut Ctx, bytes: &[u8]) -> Result<Vec<(&'static str, String)>, String> {
    let ranges = authenticode_ranges(bytes)?;
    let mut joined = Vec::new();
    for (start, end) in ranges {
        joined.extend_from_slice(&bytes[start..end]);
    }
    let rel = format!("{WORK}/image-hash-input.bin");
    ctx.write(&rel, &joined)?;
    let mut out = Vec::new();
    for alg in ["md5", "sha1", "sha256"] {
        let (code, text) = ctx.run_any("openssl", &["dgst", &format!("-{alg}"), "-r", &rel], false)?;
        let hex = text.split_whitespace().next().unwrap_or_default().to_ascii_lowercase();
        if code != Some(0) || hex.is_empty() {
            return Err(format!("openssl dgst -{alg} failed: {text}"));
        }
        out.push((alg, hex));
    }
    Ok(out)
}

/// The digest osslsigncode puts in SpcIndirectDataContent for `alg` (`osslsigncode extract-data`):
/// the OCTET STRING after `OID alg, NULL` in the DigestInfo.
fn osslsigncode_extract_digest(ctx: &mut Ctx, file: &str, alg: &str) -> Result<String, String> {
    let out = format!("{WORK}/extract-{alg}.der");
    let _ = fs::remove_file(ctx.path(&out));
    let (code, text) = ctx.run_any("osslsigncode", &["extract-data", "-h", alg, "-in", file, "-out", &out], false)?;
    if code != Some(0) {
        return Err(format!("osslsigncode extract-data -h {alg} {file}: {text}"));
    }
    let der = ctx.read(&out)?;
    let oid: &[u8] = match alg {
        "md5" => &[0x06, 0x08, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x02, 0x05],
        "sha1" => &[0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a],
        _ => &[0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01],
    };
    let len = match alg {
        "md5" => 16,
        "sha1" => 20,
        _ => 32,
    };
    let mut pattern = oid.to_vec();
    pattern.extend_from_slice(&[0x05, 0x00, 0x04, len as u8]);
    let at = der
        .windows(pattern.len())
        .rposition(|w| w == pattern.as_slice())
        .ok_or_else(|| format!("no {alg} DigestInfo in extract-data output of {file}"))?;
    let digest = der.get(at + pattern.len()..at + pattern.len() + len).ok_or("DigestInfo truncated")?;
    Ok(hex(digest))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

fn sha256_file(ctx: &mut Ctx, rel: &str) -> Result<String, String> {
    let (code, text) = ctx.run_any("openssl", &["dgst", "-sha256", "-r", rel], false)?;
    let hex = text.split_whitespace().next().unwrap_or_default().to_ascii_lowercase();
    if code != Some(0) || hex.len() != 64 {
        return Err(format!("openssl dgst -sha256 {rel}: {text}"));
    }
    Ok(hex)
}

// ---------------------------------------------------------------------------------------------
// Recording: osslsigncode verify oracle, expected.json

/// Every fixture under pe/, in the order of expected.json, with what it is.
const FILES: &[(&str, &str)] = &[
    ("driver-unsigned.sys", "PE32+ x64 driver built by xtask/src/fixtures.rs: subsystem native, NX_COMPAT, sections .text / .rdata / INIT, correct CheckSum; unsigned"),
    ("driver-sha256.sys", "driver-unsigned.sys signed with SHA-256 by the RSA publisher; program name and URL set (SpcSpOpusInfo); no timestamp"),
    ("driver-sha1.sys", "driver-unsigned.sys signed with SHA-1 by the RSA publisher; no timestamp"),
    ("driver-dual.sys", "dual signature: SHA-1 primary + nested SHA-256 (osslsigncode -nest); no timestamps"),
    ("driver-sha256-ph.sys", "SHA-256 signature with SHA-256 page hashes (osslsigncode -ph); no timestamp"),
    ("driver-sha256-ts.sys", "SHA-256 signature with an RFC 3161 timestamp from osslsigncode's built-in TSA (-TSA-certs/-TSA-key/-TSA-time)"),
    ("driver-dual-ts.sys", "dual signature, both timestamped (RFC 3161): SHA-1 primary + nested SHA-256; program name and URL; the page demo"),
    ("driver-ecdsa-p256.sys", "SHA-256 signature by the ECDSA P-256 publisher; no timestamp"),
    ("app32-unsigned.exe", "PE32 x86 console program built by xtask/src/fixtures.rs (.text / .rdata, NX_COMPAT, correct CheckSum); unsigned"),
    ("app32-sha256.exe", "app32-unsigned.exe signed with SHA-256 by the RSA publisher; program name and URL; no timestamp"),
    ("driver-tampered.sys", NEGATIVES[0].how),
    ("driver-appended.sys", NEGATIVES[1].how),
    ("driver-certdir-outside.sys", NEGATIVES[2].how),
    ("driver-truncated.sys", NEGATIVES[3].how),
];

struct SigInfo {
    index: u32,
    digest_algorithm: String,
    current_digest: String,
    calculated_digest: String,
    signer_subject: String,
    signing_time: String,
    page_hashes: bool,
    timestamp_time: Option<String>,
    verification: String,
}

struct Verify {
    command: String,
    exit_code: Option<i32>,
    result: String,
    number_verified: Option<u32>,
    verdicts: Vec<String>,
    signatures: Vec<SigInfo>,
    oracle: String,
}

pub(crate) struct Record {
    file: String,
    what: String,
    kind: &'static str,
    size: u64,
    sha256: String,
    authenticode: Result<Vec<(&'static str, String)>, String>,
    signed_by: Option<String>,
    derived_from: Option<&'static str>,
    verify: Verify,
}

fn record_all(ctx: &mut Ctx, signed: &[(String, String)]) -> Result<Vec<Record>, String> {
    let mut records = Vec::new();
    for &(name, what) in FILES {
        let rel = format!("pe/{name}");
        let bytes = ctx.read(&rel)?;
        let kind = match pe_layout(&bytes).ok().and_then(|_| read_u32(&bytes, 0x3c).ok()) {
            Some(lfanew) => match read_u16(&bytes, lfanew as usize + 24)? {
                0x20b => "PE32+",
                _ => "PE32",
            },
            None => return Err(format!("{rel} is not a PE")),
        };
        let authenticode = authenticode_digests(ctx, &bytes);
        let verify = verify(ctx, name)?;
        // Cross-checks: the calculated digest osslsigncode prints, and extract-data for md5/sha1/sha256.
        if let Ok(digests) = &authenticode {
            for sig in &verify.signatures {
                let alg = sig.digest_algorithm.to_ascii_lowercase();
                if let Some((_, ours)) = digests.iter().find(|(a, _)| *a == alg) {
                    if !sig.calculated_digest.eq_ignore_ascii_case(ours) {
                        return Err(format!("{rel}: our {alg} image hash {ours} != osslsigncode's {}", sig.calculated_digest));
                    }
                }
            }
            for (alg, ours) in digests {
                let theirs = osslsigncode_extract_digest(ctx, &rel, alg)?;
                if &theirs != ours {
                    return Err(format!("{rel}: our {alg} image hash {ours} != osslsigncode extract-data {theirs}"));
                }
            }
        }
        records.push(Record {
            file: rel.clone(),
            what: what.to_string(),
            kind,
            size: bytes.len() as u64,
            sha256: sha256_file(ctx, &rel)?,
            authenticode,
            signed_by: signed.iter().find(|(n, _)| n == name).map(|(_, c)| c.clone()),
            derived_from: NEGATIVES.iter().find(|n| n.out == name).map(|n| n.from),
            verify,
        });
    }
    Ok(records)
}

fn verify(ctx: &mut Ctx, name: &str) -> Result<Verify, String> {
    let rel = format!("pe/{name}");
    let time = VERIFY_TIME.to_string();
    let args = ["verify", "-CAfile", "pki/root-ca.pem", "-TSA-CAfile", "pki/root-ca.pem", "-time", &time, "-in", &rel];
    let command = shell_line("osslsigncode", &args);
    // Through sh so that stdout and stderr keep their interleaving in the oracle file.
    let mut sh_args = vec!["-c", "exec \"$@\" 2>&1", "sh", "osslsigncode"];
    sh_args.extend(args);
    let (exit_code, output) = ctx.run_any("sh", &sh_args, false)?;
    let oracle = format!("oracle/{name}.osslsigncode-verify.txt");
    let text = format!("$ {command}\n{output}(exit status {})\n", exit_code.map_or("none".into(), |c| c.to_string()));
    ctx.write(&oracle, text.as_bytes())?;

    let lines: Vec<&str> = output.lines().collect();
    let value = |line: &str| line.split_once(':').map(|(_, v)| v.trim().to_string()).unwrap_or_default();
    // A digest line may carry a remark after the hex ("... mismatch!!!").
    let first = |line: &str| value(line).split_whitespace().next().unwrap_or_default().to_ascii_lowercase();
    let mut signatures = Vec::new();
    let mut current: Option<SigInfo> = None;
    let mut in_signer = false;
    for line in &lines {
        let t = line.trim();
        if let Some(rest) = t.strip_prefix("Signature Index:") {
            if let Some(sig) = current.take() {
                signatures.push(sig);
            }
            let index = rest.split_whitespace().next().and_then(|n| n.parse().ok()).unwrap_or(0);
            current = Some(SigInfo {
                index,
                digest_algorithm: String::new(),
                current_digest: String::new(),
                calculated_digest: String::new(),
                signer_subject: String::new(),
                signing_time: String::new(),
                page_hashes: false,
                timestamp_time: None,
                verification: String::new(),
            });
            continue;
        }
        let Some(sig) = current.as_mut() else { continue };
        if t.starts_with("Message digest algorithm  :") {
            sig.digest_algorithm = value(t);
        } else if t.starts_with("Current message digest") {
            sig.current_digest = first(t);
        } else if t.starts_with("Calculated message digest") {
            sig.calculated_digest = first(t);
        } else if t.starts_with("Page hash algorithm") {
            sig.page_hashes = true;
        } else if t.starts_with("Signer's certificate:") {
            in_signer = true;
        } else if in_signer && t.starts_with("Subject:") {
            sig.signer_subject = value(t);
            in_signer = false;
        } else if t.starts_with("Signing time:") && sig.signing_time.is_empty() {
            sig.signing_time = value(t);
        } else if t.starts_with("Timestamp time:") {
            sig.timestamp_time = Some(value(t));
        } else if t.starts_with("Signature verification:") {
            sig.verification = t.to_string();
        }
    }
    if let Some(sig) = current.take() {
        signatures.push(sig);
    }
    let verdicts = lines.iter().map(|l| l.trim()).filter(|l| l.starts_with("Signature verification:")).map(str::to_string).collect();
    let number_verified =
        lines.iter().find_map(|l| l.trim().strip_prefix("Number of verified signatures:")).and_then(|n| n.trim().parse().ok());
    let result = lines.iter().rev().map(|l| l.trim()).find(|l| !l.is_empty()).unwrap_or_default().to_string();
    Ok(Verify { command, exit_code, result, number_verified, verdicts, signatures, oracle })
}

/// "Jan 15 12:00:30 2025 GMT" (OpenSSL's ASN1_TIME_print) as RFC 3339.
fn openssl_time_to_rfc3339(text: &str) -> Option<String> {
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let mut parts = text.split_whitespace();
    let month_name = parts.next()?;
    let month = MONTHS.iter().position(|m| *m == month_name)? + 1;
    let day: u32 = parts.next()?.parse().ok()?;
    let clock = parts.next()?;
    let year: u32 = parts.next()?.parse().ok()?;
    if parts.next()? != "GMT" || clock.len() != 8 {
        return None;
    }
    Some(format!("{year:04}-{month:02}-{day:02}T{clock}Z"))
}

/// Unix seconds as RFC 3339 (UTC), for the README and expected.json.
fn unix_to_rfc3339(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem / 60 % 60, rem % 60)
}

// ---------------------------------------------------------------------------------------------
// A tiny JSON writer (ordered keys, no dependency)

enum Json {
    Null,
    Bool(bool),
    Num(u64),
    Str(String),
    Arr(Vec<Json>),
    Obj(Vec<(&'static str, Json)>),
}

impl Json {
    fn str(s: impl Into<String>) -> Json {
        Json::Str(s.into())
    }
    fn opt_str(s: Option<impl Into<String>>) -> Json {
        s.map_or(Json::Null, |s| Json::Str(s.into()))
    }

    fn write(&self, out: &mut String, indent: usize) {
        let pad = |n: usize| "  ".repeat(n);
        match self {
            Json::Null => out.push_str("null"),
            Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Json::Num(n) => out.push_str(&n.to_string()),
            Json::Str(s) => {
                out.push('"');
                for c in s.chars() {
                    match c {
                        '"' => out.push_str("\\\""),
                        '\\' => out.push_str("\\\\"),
                        '\n' => out.push_str("\\n"),
                        c if (c as u32) < 0x20 => {
                            let _ = write!(out, "\\u{:04x}", c as u32);
                        }
                        c => out.push(c),
                    }
                }
                out.push('"');
            }
            Json::Arr(items) if items.is_empty() => out.push_str("[]"),
            Json::Arr(items) => {
                out.push_str("[\n");
                for (i, item) in items.iter().enumerate() {
                    out.push_str(&pad(indent + 1));
                    item.write(out, indent + 1);
                    out.push_str(if i + 1 < items.len() { ",\n" } else { "\n" });
                }
                out.push_str(&pad(indent));
                out.push(']');
            }
            Json::Obj(fields) => {
                out.push_str("{\n");
                for (i, (key, value)) in fields.iter().enumerate() {
                    let _ = write!(out, "{}\"{key}\": ", pad(indent + 1));
                    value.write(out, indent + 1);
                    out.push_str(if i + 1 < fields.len() { ",\n" } else { "\n" });
                }
                out.push_str(&pad(indent));
                out.push('}');
            }
        }
    }
}

fn expected_json(tools: &Tools, records: &[Record]) -> String {
    let files = records
        .iter()
        .map(|r| {
            let v = &r.verify;
            let (authenticode, note) = match &r.authenticode {
                Ok(d) => (Json::Obj(d.iter().map(|(a, h)| (*a, Json::str(h.clone()))).collect()), Json::Null),
                Err(why) => (Json::Null, Json::str(why.clone())),
            };
            let signatures = v
                .signatures
                .iter()
                .map(|s| {
                    Json::Obj(vec![
                        ("index", Json::Num(u64::from(s.index))),
                        ("digest_algorithm", Json::str(s.digest_algorithm.to_ascii_lowercase())),
                        ("signed_digest", Json::str(s.current_digest.clone())),
                        ("calculated_digest", Json::str(s.calculated_digest.clone())),
                        ("signer_subject", Json::str(s.signer_subject.clone())),
                        ("signing_time", Json::opt_str(openssl_time_to_rfc3339(&s.signing_time))),
                        ("page_hashes", Json::Bool(s.page_hashes)),
                        ("timestamp_time", Json::opt_str(s.timestamp_time.as_deref().and_then(openssl_time_to_rfc3339))),
                        ("verification", Json::str(s.verification.clone())),
                    ])
                })
                .collect();
            Json::Obj(vec![
                ("file", Json::str(r.file.clone())),
                ("what", Json::str(r.what.clone())),
                ("kind", Json::str(r.kind)),
                ("size", Json::Num(r.size)),
                ("sha256", Json::str(r.sha256.clone())),
                ("authenticode", authenticode),
                ("authenticode_note", note),
                ("derived_from", Json::opt_str(r.derived_from.map(|f| format!("pe/{f}")))),
                ("signed_with", Json::opt_str(r.signed_by.clone())),
                ("signature_count", Json::Num(v.signatures.len() as u64)),
                (
                    "osslsigncode_verify",
                    Json::Obj(vec![
                        ("command", Json::str(v.command.clone())),
                        ("exit_code", v.exit_code.map_or(Json::Null, |c| Json::Num(c as u64))),
                        ("result", Json::str(v.result.clone())),
                        ("verdicts", Json::Arr(v.verdicts.iter().map(|l| Json::str(l.clone())).collect())),
                        ("verified_signatures", v.number_verified.map_or(Json::Null, |n| Json::Num(u64::from(n)))),
                        ("oracle", Json::str(v.oracle.clone())),
                    ]),
                ),
                ("signatures", Json::Arr(signatures)),
            ])
        })
        .collect();
    let top = Json::Obj(vec![
        ("generated_by", Json::str("cargo xtask fixtures (xtask/src/fixtures.rs)")),
        ("warning", Json::str("TEST ONLY: throwaway PKI, keys committed on purpose")),
        ("tools", Json::Obj(vec![("openssl", Json::str(tools.openssl.clone())), ("osslsigncode", Json::str(tools.osslsigncode.clone()))])),
        ("signing_time", Json::str(unix_to_rfc3339(SIGNING_TIME))),
        ("timestamp_time", Json::str(unix_to_rfc3339(TSA_TIME))),
        ("verify_time", Json::str(unix_to_rfc3339(VERIFY_TIME))),
        ("trust_anchor", Json::str("pki/root-ca.pem")),
        (
            "pki",
            Json::Arr(
                CERTS
                    .iter()
                    .map(|c| {
                        Json::Obj(vec![
                            ("certificate", Json::str(format!("pki/{}.pem", c.stem))),
                            ("subject", Json::str(format!("{SUBJECT_PREFIX}/CN={}", c.common_name))),
                            ("issuer", Json::str(format!("{SUBJECT_PREFIX}/CN={}", issuer_cn(c)))),
                            ("serial", Json::str(c.serial)),
                            ("key", Json::str(if c.key == "rsa" { "RSA 2048" } else { "ECDSA P-256" })),
                            ("not_before", Json::str("2024-01-01T00:00:00Z")),
                            ("not_after", Json::str("2049-12-31T23:59:59Z")),
                        ])
                    })
                    .collect(),
            ),
        ),
        ("files", Json::Arr(files)),
    ]);
    let mut out = String::new();
    top.write(&mut out, 0);
    out.push('\n');
    out
}

// ---------------------------------------------------------------------------------------------
// READMEs

fn today() -> String {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    unix_to_rfc3339(secs).chars().take(10).collect()
}

fn verdict_summary(v: &Verify) -> String {
    let verdicts = if v.verdicts.is_empty() { "no signature verified".to_string() } else { v.verdicts.join("; ") };
    format!("{} (exit {}, \"{}\")", verdicts, v.exit_code.map_or("none".into(), |c| c.to_string()), v.result)
}

fn readme(tools: &Tools, log: &[String], records: &[Record]) -> String {
    let mut r = String::new();
    let _ = writeln!(
        r,
        "# drvsig test fixtures (generated, TEST ONLY)

> **TEST ONLY.** Everything here was made by `cargo xtask fixtures` for drvsig's tests and the page
> demo. `pki/` is a throwaway test PKI whose **private keys are committed on purpose**: nothing signed
> by it means anything, never trust `pki/root-ca.pem` outside these tests.

Regenerate with `cargo xtask fixtures` (source: `xtask/src/fixtures.rs`). It needs the `openssl` and
`osslsigncode` (2.6 or later) command-line tools: `apt-get install osslsigncode openssl`. CI does not
run it; the outputs are committed. This file, `expected.json`, `oracle/` and `pe/` are rewritten on
every run; `www/demo/demo-driver.sys` is a copy of `pe/{DEMO_SOURCE}`.

Generated on {} with:
- {}
- {}

## Layout

| path | what |
|---|---|
| `pe/` | the PE fixtures (table below) |
| `pki/` | test PKI: `*.key` (private keys, PEM), `*.pem` / `*.der` (certificates), `openssl.cnf` (the signer chain given to `osslsigncode -certs` is leaf + intermediate, made in `.work/`) |
| `oracle/` | raw output of `osslsigncode verify` for every file in `pe/` (the command is the first line) |
| `expected.json` | per file: kind, size, SHA-256, Authenticode digests (md5 / sha1 / sha256), signing command, `osslsigncode verify` verdicts, per-signature digest algorithm, signer, signing and timestamp times |
| `diff/` | versions of a driver package for `drvsig diff` (provenance in `diff/README.md`) |

## Files
",
        today(),
        tools.openssl,
        tools.osslsigncode
    );
    r.push_str("| file | kind | size | what | Authenticode SHA-256 | `osslsigncode verify` |\n|---|---|---|---|---|---|\n");
    for rec in records {
        let digest = match &rec.authenticode {
            Ok(d) => d.iter().find(|(a, _)| *a == "sha256").map(|(_, h)| format!("`{h}`")).unwrap_or_default(),
            Err(_) => "not defined (see expected.json)".into(),
        };
        let _ =
            writeln!(r, "| `{}` | {} | {} | {} | {} | {} |", rec.file, rec.kind, rec.size, rec.what, digest, verdict_summary(&rec.verify));
    }
    r.push_str("\n## PKI (RSA 2048 / SHA-256 unless noted; valid 2024-01-01T00:00:00Z to 2049-12-31T23:59:59Z)\n\n");
    r.push_str("| certificate | subject CN | issuer | serial | what |\n|---|---|---|---|---|\n");
    for c in CERTS {
        let _ = writeln!(
            r,
            "| `pki/{}.pem` / `.der`, key `pki/{}.key` | {} | {} | 0x{} | {} |",
            c.stem,
            c.stem,
            c.common_name,
            c.issuer.unwrap_or("(self)"),
            c.serial,
            c.what
        );
    }
    let _ = writeln!(
        r,
        "
All subjects are `{SUBJECT_PREFIX}/CN=...`. Extensions: see `pki/openssl.cnf`.

## Times

- Signing time (`osslsigncode -time`, the signed attribute signingTime): {} ({SIGNING_TIME}).
- Timestamp time (built-in TSA, `-TSA-time`): {} ({TSA_TIME}).
- Verification time given to `osslsigncode verify -time`: {} ({VERIFY_TIME}); for timestamped
  signatures osslsigncode verifies at the timestamp time instead.

## How expected.json's digests were obtained

- `authenticode`: the Authenticode PE image hash, computed by `xtask/src/fixtures.rs` from the
  numbered steps of Authenticode_PE.docx (headers without CheckSum and the certificate-table entry,
  sections in file order, data after the sections up to the certificate table) and hashed with
  `openssl dgst`. Independently of the drvsig core.
- Cross-checked (the xtask fails on any mismatch): for every signature, the `Calculated message digest`
  of `osslsigncode verify`; for md5, sha1 and sha256, the digest `osslsigncode extract-data -h ALG`
  puts in SpcIndirectDataContent.
- `null` with an `authenticode_note` where the hash is not well defined (certificate table not at the
  end of the file, outside it, or truncated): a verifier should report these as findings.
- `signatures[].signed_digest` is the digest inside the signature; on `driver-tampered.sys` it differs
  from `calculated_digest` (and from `authenticode`).

## Reproducibility

- The PE files are built deterministically by our own code.
- Keys in `pki/` are kept when present (`test -f ... ||` below), so certificates (fixed serials and
  dates) and every RSA signature without a timestamp are byte-identical on regeneration. Delete
  `pki/*.key` to make new keys.
- Not byte-reproducible: ECDSA signatures (random nonce), and every RFC 3161 timestamp token:
  osslsigncode's built-in TSA puts a random serial number and a signingTime signed attribute with the
  wall-clock time into the token (the token's genTime is the fixed `-TSA-time`). The digests recorded
  in expected.json do not change; the files' SHA-256 does.

## osslsigncode notes

- Timestamps come from osslsigncode's built-in TSA (`-TSA-certs`, `-TSA-key`, `-TSA-time`), so no
  server is involved. Its token signingTime is the wall clock (see above).
- `osslsigncode verify` does not parse a certificate table that does not end at the end of the file:
  for `driver-appended.sys`, `driver-certdir-outside.sys` and `driver-truncated.sys` it prints
  \"Ignoring PE signature not at the end of the file\" and \"No signature found\" (exit 1), so its
  oracle says nothing about the signature inside; drvsig should report the layout defect itself.
- On `driver-tampered.sys` it prints \"Signature verification: failed\" and
  \"Calculated message digest ... MISMATCH!!!\" (exit 1).
- `-time` on `sign` sets the signingTime attribute; on `verify` it sets the verification time, but a
  timestamped signature is verified at its timestamp time.
- Nested signatures (`-nest`) are verified one by one (\"Signature Index: 0 / 1\").
- The signer chain passed with `-certs` is embedded as given (leaf + intermediate, no root); the TSA
  token carries the TSA certificate only.

## Exact commands

Run from `tests/fixtures/` by `cargo xtask fixtures`, in this order (`.work/` is a scratch directory
removed at the end; the negative variants are then cut from `pe/driver-sha256.sys` by the xtask
itself; the oracle commands are the first line of each `oracle/` file).

```sh",
        unix_to_rfc3339(SIGNING_TIME),
        unix_to_rfc3339(TSA_TIME),
        unix_to_rfc3339(VERIFY_TIME)
    );
    for line in log {
        r.push_str(line);
        r.push('\n');
    }
    r.push_str("```\n");
    r
}

fn demo_readme(records: &[Record]) -> String {
    let demo = records.iter().find(|r| r.file == format!("pe/{DEMO_SOURCE}"));
    let (sha256, digest, verdict) = demo.map_or_else(Default::default, |d| {
        let digest = d.authenticode.as_ref().ok().and_then(|v| v.iter().find(|(a, _)| *a == "sha256").map(|(_, h)| h.clone()));
        (d.sha256.clone(), digest.unwrap_or_default(), verdict_summary(&d.verify))
    });
    format!(
        "# Page demo sample (TEST ONLY)

`demo-driver.sys` is the sample the page offers to try without a file of your own. It is a copy of
`tests/fixtures/pe/{DEMO_SOURCE}`, generated by `cargo xtask fixtures` (see `xtask/src/fixtures.rs` and
`tests/fixtures/README.md` for the exact commands): a tiny PE32+ x64 driver built by our own code,
dual-signed (SHA-1 primary signature + nested SHA-256 signature) by the throwaway
\"drvsig Test Driver Publisher\" certificate, each signature with an RFC 3161 timestamp from
\"drvsig Test Timestamp Authority\". The chain ends at \"drvsig Test Root CA\", a TEST ONLY root
that no system trusts, so the page should say: intact, signed, but not by a trusted publisher, and
Windows would not load it.

- SHA-256 of the file: `{sha256}`
- Authenticode SHA-256 image hash: `{digest}`
- `osslsigncode verify -CAfile tests/fixtures/pki/root-ca.pem`: {verdict}

Regenerate with `cargo xtask fixtures`.
"
    )
}

// ---------------------------------------------------------------------------------------------
// Driver packages: INF + catalog + driver, in tests/fixtures/packages/ and www/demo/

/// The three packages: `good` (all covered), `tampered` (the .sys changed after the catalog was
/// made), `missing-file` (the INF and catalog list a second driver that is not in the package).
const PACKAGES: [&str; 3] = ["good", "tampered", "missing-file"];
/// The signed driver the packages ship (renamed `drvsigtest.sys`).
const PACKAGE_DRIVER: &str = "pe/driver-sha256.sys";
/// The file whose Authenticode hash stands for the absent second driver of `missing-file`.
const PACKAGE_ABSENT_DRIVER: &str = "pe/app32-unsigned.exe";
/// The catalog-level HWID1 of the packages.
const PACKAGE_HWID: &str = "root\\drvsigtest";
const PACKAGES_MARKER: &str = "<!-- driver packages: generated by make_packages, keep last -->";

/// `cargo xtask fixtures-packages`: regenerate only the driver packages (needs `pe/` and `pki/`).
pub fn run_packages(root: &Path) -> Result<(), String> {
    let dir = root.join("tests").join("fixtures");
    let mut ctx = Ctx::new(dir)?;
    fs::create_dir_all(ctx.path(WORK)).map_err(|e| format!("create {WORK}: {e}"))?;
    let result = make_packages(&mut ctx, root);
    ctx.cleanup();
    result
}

/// Build the packages, sign their catalogs with `openssl cms`, write them (and zips of them) and
/// splice their provenance into `tests/fixtures/README.md` and `www/demo/README.md`.
fn make_packages(ctx: &mut Ctx, root: &Path) -> Result<(), String> {
    let log_start = ctx.log.len();
    let pkg_dir = ctx.path("packages");
    if pkg_dir.exists() {
        fs::remove_dir_all(&pkg_dir).map_err(|e| format!("remove packages: {e}"))?;
    }
    let driver = ctx.read(PACKAGE_DRIVER)?;
    let driver_digest = sha256_of(authenticode_digests(ctx, &driver)?)?;
    let absent = ctx.read(PACKAGE_ABSENT_DRIVER)?;
    let absent_digest = sha256_of(authenticode_digests(ctx, &absent)?)?;
    let demo_dir = root.join("www").join("demo");
    fs::create_dir_all(&demo_dir).map_err(|e| format!("create {}: {e}", demo_dir.display()))?;
    let mut rows = Vec::new();
    for name in PACKAGES {
        fs::create_dir_all(ctx.path(&format!("packages/{name}"))).map_err(|e| format!("create packages/{name}: {e}"))?;
        let with_second = name == "missing-file";
        let inf = package_inf(with_second);
        ctx.write(&format!("packages/{name}/drvsigtest.inf"), inf.as_bytes())?;
        let inf_digest = sha256_file(ctx, &format!("packages/{name}/drvsigtest.inf"))?;
        let mut members = vec![
            CatMember { file: "drvsigtest.inf", digest: inf_digest.clone(), pe: false },
            CatMember { file: "drvsigtest.sys", digest: driver_digest.clone(), pe: true },
        ];
        if with_second {
            members.push(CatMember { file: "drvsigfilter.sys", digest: absent_digest.clone(), pe: true });
        }
        let ctl = catalog_ctl(name, &members, &[PACKAGE_HWID])?;
        let ctl_rel = format!("{WORK}/{name}.ctl.der");
        ctx.write(&ctl_rel, &ctl)?;
        let cat_rel = format!("packages/{name}/drvsigtest.cat");
        sign_catalog(ctx, &ctl_rel, &cat_rel)?;
        // The driver: as signed for good / missing-file; one .text byte flipped for tampered
        // (after the catalog was made from the original's digest), CheckSum made right again.
        let mut sys = driver.clone();
        let mut how = format!("copy of `tests/fixtures/{PACKAGE_DRIVER}`");
        if name == "tampered" {
            let text;
            (sys, text) = tamper(&driver)?;
            how = format!("`tests/fixtures/{PACKAGE_DRIVER}` with bit 0 of the first .text byte (offset {text:#x}) flipped after the catalog was made; CheckSum recomputed");
        }
        ctx.write(&format!("packages/{name}/drvsigtest.sys"), &sys)?;
        // The zip for the page's demos: `name/…` entries, stored (no compression).
        let mut entries = Vec::new();
        for file in ["drvsigtest.inf", "drvsigtest.cat", "drvsigtest.sys"] {
            entries.push((format!("{name}/{file}"), ctx.read(&format!("packages/{name}/{file}"))?));
        }
        let zip = stored_zip(&entries);
        fs::write(demo_dir.join(format!("{name}.zip")), &zip).map_err(|e| format!("write www/demo/{name}.zip: {e}"))?;
        rows.push(format!(
            "| `packages/{name}/` | `drvsigtest.inf` (flat SHA-256 `{inf_digest}`), `drvsigtest.cat` ({} members), `drvsigtest.sys`: {how} | {} |",
            members.len(),
            match name {
                "good" => "every file covered",
                "tampered" => "`drvsigtest.sys` is a mismatch (the catalog names it with the original's digest)",
                _ => "all present files covered; `drvsigfilter.sys` is listed by the INF and the catalog but absent",
            }
        ));
    }
    let commands: Vec<String> = ctx.log.get(log_start..).unwrap_or_default().to_vec();
    let section = format!(
        "{PACKAGES_MARKER}
## Driver packages (`packages/`, and `www/demo/*.zip`)

Made by `make_packages` in `xtask/src/fixtures.rs` (the last step of `cargo xtask fixtures`; rerun it
alone with `cargo xtask fixtures-packages`). Each package is an INF written here (`CatalogFile`,
`[SourceDisksFiles]`, one model with the hardware ID `Root\\DrvsigTest`, a kernel service with
`StartType = 3`), the driver, and a catalog whose CertificateTrustList is DER-encoded by hand in the
xtask (v2: subjectAlgorithm 1.3.6.1.4.1.311.12.1.3, SHA-256 members tagged with the UTF-16 uppercase
hex of their digest; each member has `File` and `OSAttr` CAT_NAMEVALUE attributes, CAT_MEMBERINFO and
an SPC_INDIRECT_DATA digest: Authenticode SHA-256 (`{PACKAGE_DRIVER}`: `{driver_digest}`) for the
.sys, flat SHA-256 for the .inf; catalog-level `OS`, `OSAttr` and `HWID1 = root\\drvsigtest`), signed
by the test publisher with `openssl cms` (the signing time is the time of the run, so the catalogs
change on every run). `missing-file` also lists `drvsigfilter.sys`, whose digest is the Authenticode
SHA-256 of `{PACKAGE_ABSENT_DRIVER}` (`{absent_digest}`). `www/demo/<name>.zip` holds `<name>/…` of each
package (stored entries).

| package | files | expected |
|---|---|---|
{}

Commands (run in `tests/fixtures/`):
```
{}
```
",
        rows.join("\n"),
        commands.join("\n")
    );
    splice_section(&ctx.path("README.md"), &section)?;
    splice_section(&demo_dir.join("README.md"), &section.replace("`packages/", "`tests/fixtures/packages/"))?;
    println!("fixtures: driver packages {} written to {}", PACKAGES.join(", "), pkg_dir.display());
    Ok(())
}

/// The driver with bit 0 of its first .text byte flipped and its CheckSum made right again; also
/// returns the byte's offset.
fn tamper(driver: &[u8]) -> Result<(Vec<u8>, usize), String> {
    let mut sys = driver.to_vec();
    let layout = pe_layout(&sys)?;
    let text = layout.sections.first().ok_or("no sections")?.0;
    let byte = sys.get_mut(text).ok_or("no .text byte")?;
    *byte ^= 0x01;
    let checksum = pe_checksum(&sys, layout.checksum_at);
    sys[layout.checksum_at..layout.checksum_at + 4].copy_from_slice(&checksum.to_le_bytes());
    Ok((sys, text))
}

/// Sign a CertificateTrustList into a catalog with `openssl cms` (the test publisher, SHA-256).
fn sign_catalog(ctx: &mut Ctx, ctl_rel: &str, cat_rel: &str) -> Result<(), String> {
    ctx.run(
        "openssl",
        &[
            "cms",
            "-sign",
            "-binary",
            "-nodetach",
            "-outform",
            "DER",
            "-econtent_type",
            "1.3.6.1.4.1.311.10.1",
            "-md",
            "sha256",
            "-nosmimecap",
            "-signer",
            "pki/publisher.pem",
            "-inkey",
            "pki/publisher.key",
            "-certfile",
            "pki/code-signing-ca.pem",
            "-in",
            ctl_rel,
            "-out",
            cat_rel,
        ],
    )?;
    Ok(())
}

/// Replace everything from the marker on (or append) with `section`.
fn splice_section(path: &Path, section: &str) -> Result<(), String> {
    let old = fs::read_to_string(path).unwrap_or_default();
    let head = old.split(PACKAGES_MARKER).next().unwrap_or_default().trim_end();
    let text = if head.is_empty() { section.to_string() } else { format!("{head}\n\n{section}") };
    fs::write(path, text).map_err(|e| format!("write {}: {e}", path.display()))
}

fn sha256_of(digests: Vec<(&'static str, String)>) -> Result<String, String> {
    digests.into_iter().find(|(a, _)| *a == "sha256").map(|(_, d)| d).ok_or_else(|| "no sha256 digest".to_string())
}

fn package_inf(with_second: bool) -> String {
    package_inf_with(&InfSpec { driver: "drvsigtest.sys", second: with_second, extra_device: None })
}

/// What varies between the INFs of the fixtures: the driver's file name, the absent second driver
/// of `missing-file`, and an extra device line (another hardware ID) for the diff fixtures.
struct InfSpec {
    driver: &'static str,
    second: bool,
    extra_device: Option<&'static str>,
}

fn package_inf_with(spec: &InfSpec) -> String {
    let driver = spec.driver;
    let (second_file, second_copy) = if spec.second { ("drvsigfilter.sys = 1,,\r\n", "drvsigfilter.sys\r\n") } else { ("", "") };
    let extra_device = spec.extra_device.map_or(String::new(), |hwid| format!("%DeviceDesc% = DrvsigTest_Install, {hwid}\r\n"));
    format!(
        "; drvsig test driver package (TEST ONLY), generated by cargo xtask fixtures\r
[Version]\r
Signature   = \"$WINDOWS NT$\"\r
Class       = System\r
ClassGuid   = {{4d36e97d-e325-11ce-bfc1-08002be10318}}\r
Provider    = %Provider%\r
DriverVer   = 01/15/2025,1.0.0.0\r
CatalogFile = drvsigtest.cat\r
PnpLockdown = 1\r
\r
[DestinationDirs]\r
DefaultDestDir = 13\r
\r
[SourceDisksNames]\r
1 = %DiskName%,,,\"\"\r
\r
[SourceDisksFiles]\r
{driver} = 1,,\r
{second_file}\r
[Manufacturer]\r
%Provider% = DrvsigTest, NTamd64\r
\r
[DrvsigTest.NTamd64]\r
%DeviceDesc% = DrvsigTest_Install, Root\\DrvsigTest\r
{extra_device}\r
[DrvsigTest_Install.NT]\r
CopyFiles = DrvsigTest_CopyFiles\r
\r
[DrvsigTest_CopyFiles]\r
{driver}\r
{second_copy}\r
[DrvsigTest_Install.NT.Services]\r
AddService = DrvsigTest, 0x00000002, DrvsigTest_Service\r
\r
[DrvsigTest_Service]\r
DisplayName   = %ServiceName%\r
ServiceType   = 1 ; SERVICE_KERNEL_DRIVER\r
StartType     = 3 ; SERVICE_DEMAND_START\r
ErrorControl  = 1\r
ServiceBinary = %13%\\{driver}\r
\r
[Strings]\r
Provider    = \"drvsig test fixtures (TEST ONLY)\"\r
DiskName    = \"drvsig test disk\"\r
DeviceDesc  = \"drvsig test device\"\r
ServiceName = \"drvsig test driver\"\r
"
    )
}

struct CatMember {
    file: &'static str,
    /// SHA-256, lowercase hex.
    digest: String,
    /// Authenticode PE image hash (else a flat file hash).
    pe: bool,
}

// DER, by hand: tag-length-value.
fn der(tag: u8, body: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = body.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes: Vec<u8> = len.to_be_bytes().into_iter().skip_while(|b| *b == 0).collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend_from_slice(&bytes);
    }
    out.extend_from_slice(body);
    out
}

fn der_seq(parts: &[Vec<u8>]) -> Vec<u8> {
    der(0x30, &parts.concat())
}

fn der_oid(dotted: &str) -> Vec<u8> {
    let arcs: Vec<u64> = dotted.split('.').map(|a| a.parse().unwrap_or(0)).collect();
    let mut body = vec![(arcs[0] * 40 + arcs[1]) as u8];
    for &arc in &arcs[2..] {
        let mut groups = vec![(arc & 0x7f) as u8];
        let mut rest = arc >> 7;
        while rest > 0 {
            groups.push(0x80 | (rest & 0x7f) as u8);
            rest >>= 7;
        }
        body.extend(groups.into_iter().rev());
    }
    der(0x06, &body)
}

fn der_int(v: u32) -> Vec<u8> {
    let mut bytes: Vec<u8> = v.to_be_bytes().into_iter().skip_while(|b| *b == 0).collect();
    if bytes.first().is_none_or(|b| b & 0x80 != 0) {
        bytes.insert(0, 0);
    }
    der(0x02, &bytes)
}

fn bmp(s: &str) -> Vec<u8> {
    der(0x1e, &s.encode_utf16().flat_map(u16::to_be_bytes).collect::<Vec<_>>())
}

fn utf16le_z(s: &str) -> Vec<u8> {
    s.encode_utf16().chain([0]).flat_map(u16::to_le_bytes).collect()
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len() / 2).map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap_or(0)).collect()
}

const OID_CAT_NAMEVALUE: &str = "1.3.6.1.4.1.311.12.2.1";
/// CRYPTCAT_ATTR_AUTHENTICATED | NAMEASCII | DATAASCII, as MakeCat writes for File / OSAttr.
const NAMEVALUE_FLAGS: u32 = 0x1001_0001;

/// CatNameValue ::= SEQUENCE { tag BMPString, flags INTEGER, value OCTET STRING (UTF-16LE, NUL-terminated) }
fn name_value(name: &str, value: &str) -> Vec<u8> {
    der_seq(&[bmp(name), der_int(NAMEVALUE_FLAGS), der(0x04, &utf16le_z(value))])
}

/// Attribute ::= SEQUENCE { type OBJECT IDENTIFIER, values SET OF ANY }
fn attribute(oid: &str, value: Vec<u8>) -> Vec<u8> {
    der_seq(&[der_oid(oid), der(0x31, &value)])
}

/// The CertificateTrustList (DOMAIN.md "Catalogs"; MS-CAESO), v2 (SHA-256 members).
fn catalog_ctl(name: &str, members: &[CatMember], hwids: &[&str]) -> Result<Vec<u8>, String> {
    // SpcLink ::= CHOICE { file [2] EXPLICIT SpcString }, SpcString ::= CHOICE { unicode [0] IMPLICIT BMPString }
    let obsolete: Vec<u8> = "<<<Obsolete>>>".encode_utf16().flat_map(u16::to_be_bytes).collect();
    let spc_link = der(0xa2, &der(0x80, &obsolete));
    let mut subjects = Vec::new();
    for m in members {
        let digest = unhex(&m.digest);
        if digest.len() != 32 {
            return Err(format!("{}: bad SHA-256 digest {}", m.file, m.digest));
        }
        // SpcIndirectDataContent ::= SEQUENCE { data SpcAttributeTypeAndOptionalValue, messageDigest DigestInfo }
        let data = if m.pe {
            // SpcPeImageData ::= SEQUENCE { flags BIT STRING, file [0] EXPLICIT SpcLink }
            der_seq(&[der_oid("1.3.6.1.4.1.311.2.1.15"), der_seq(&[vec![0x03, 0x01, 0x00], der(0xa0, &spc_link)])])
        } else {
            der_seq(&[der_oid("1.3.6.1.4.1.311.2.1.25"), spc_link.clone()])
        };
        let digest_info = der_seq(&[der_seq(&[der_oid("2.16.840.1.101.3.4.2.1"), vec![0x05, 0x00]]), der(0x04, &digest)]);
        let indirect = der_seq(&[data, digest_info]);
        let sip = if m.pe { "{C689AAB8-8E78-11D0-8C47-00C04FC295EE}" } else { "{DE351A42-8E59-11D0-8C47-00C04FC295EE}" };
        let attrs = [
            attribute(OID_CAT_NAMEVALUE, name_value("File", m.file)),
            attribute(OID_CAT_NAMEVALUE, name_value("OSAttr", "2:10.0")),
            attribute("1.3.6.1.4.1.311.12.2.2", der_seq(&[bmp(sip), der_int(512)])),
            attribute("1.3.6.1.4.1.311.2.1.4", indirect),
        ];
        // subjectIdentifier: the uppercase hex of the digest as UTF-16LE text, NUL-terminated (MakeCat's form).
        let tag = utf16le_z(&m.digest.to_ascii_uppercase());
        subjects.push(der_seq(&[der(0x04, &tag), der(0x31, &attrs.concat())]));
    }
    let extension = |n: &str, v: &str| der_seq(&[der_oid(OID_CAT_NAMEVALUE), der(0x04, &name_value(n, v))]);
    let mut extensions: Vec<Vec<u8>> = hwids.iter().enumerate().map(|(i, h)| extension(&format!("HWID{}", i + 1), h)).collect();
    extensions.extend([extension("OS", "_v100_X64"), extension("OSAttr", "2:10.0")]);
    let extensions = der_seq(&extensions);
    // listIdentifier: 16 bytes derived from the package name (stable across runs).
    let mut list_id = [0u8; 16];
    for (i, b) in format!("drvsig-{name}").bytes().cycle().take(16).enumerate() {
        list_id[i] = b;
    }
    Ok(der_seq(&[
        der_seq(&[der_oid("1.3.6.1.4.1.311.12.1.1")]),
        der(0x04, &list_id),
        der(0x17, b"250115120000Z"),
        der_seq(&[der_oid("1.3.6.1.4.1.311.12.1.3"), vec![0x05, 0x00]]),
        der_seq(&subjects),
        der(0xa0, &extensions),
    ]))
}

/// CRC-32 (IEEE), for the zip entries.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 { (crc >> 1) ^ 0xedb8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

/// A zip of stored (uncompressed) entries, dated 1980-01-01 (APPNOTE.TXT 4.3).
fn stored_zip(entries: &[(String, Vec<u8>)]) -> Vec<u8> {
    const DOS_DATE: u16 = (1 << 5) | 1;
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, data) in entries {
        let offset = out.len() as u32;
        let crc = crc32(data);
        let size = data.len() as u32;
        put_u32(&mut out, 0x0403_4b50);
        for v in [20u16, 0, 0, 0, DOS_DATE] {
            put_u16(&mut out, v);
        }
        for v in [crc, size, size] {
            put_u32(&mut out, v);
        }
        put_u16(&mut out, name.len() as u16);
        put_u16(&mut out, 0);
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(data);

        put_u32(&mut central, 0x0201_4b50);
        for v in [20u16, 20, 0, 0, 0, DOS_DATE] {
            put_u16(&mut central, v);
        }
        for v in [crc, size, size] {
            put_u32(&mut central, v);
        }
        for v in [name.len() as u16, 0, 0, 0, 0] {
            put_u16(&mut central, v);
        }
        put_u32(&mut central, 0);
        put_u32(&mut central, offset);
        central.extend_from_slice(name.as_bytes());
    }
    let cd_offset = out.len() as u32;
    let cd_size = central.len() as u32;
    out.extend_from_slice(&central);
    put_u32(&mut out, 0x0605_4b50);
    for v in [0u16, 0, entries.len() as u16, entries.len() as u16] {
        put_u16(&mut out, v);
    }
    put_u32(&mut out, cd_size);
    put_u32(&mut out, cd_offset);
    put_u16(&mut out, 0);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_pes_are_deterministic_with_a_correct_checksum() {
        for spec in [PeSpec::driver_x64(), PeSpec::exe_x86()] {
            let pe = build_pe(&spec);
            assert_eq!(pe, build_pe(&spec));
            assert_eq!(pe.len() % FILE_ALIGNMENT as usize, 0);
            let layout = pe_layout(&pe).expect("layout");
            let stored = read_u32(&pe, layout.checksum_at).expect("checksum");
            assert_ne!(stored, 0);
            assert_eq!(stored, pe_checksum(&pe, layout.checksum_at));
            assert_eq!(layout.sections.len(), spec.sections.len());
            assert_eq!((layout.cert_offset, layout.cert_size), (0, 0));
        }
    }

    #[test]
    fn unsigned_image_hash_skips_checksum_and_certificate_entry_only() {
        let pe = build_pe(&PeSpec::driver_x64());
        let layout = pe_layout(&pe).expect("layout");
        let ranges = authenticode_ranges(&pe).expect("ranges");
        let hashed: usize = ranges.iter().map(|(a, b)| b - a).sum();
        assert_eq!(hashed, pe.len() - 4 - 8);
        assert_eq!(ranges[0], (0, layout.checksum_at));
        // A file whose certificate table does not end the file has no well-defined image hash.
        let mut bad = pe.clone();
        bad[layout.cert_entry_at..layout.cert_entry_at + 4].copy_from_slice(&0x10u32.to_le_bytes());
        bad[layout.cert_entry_at + 4..layout.cert_entry_at + 8].copy_from_slice(&0x10u32.to_le_bytes());
        assert!(authenticode_ranges(&bad).is_err());
    }

    #[test]
    fn package_inf_is_the_committed_one() {
        let committed =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/packages/good/drvsigtest.inf")).expect("INF");
        assert_eq!(package_inf(false), committed);
    }

    #[test]
    fn times() {
        assert_eq!(unix_to_rfc3339(SIGNING_TIME), "2025-01-15T12:00:00Z");
        assert_eq!(unix_to_rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(unix_to_rfc3339(PE_TIMESTAMP.into()), "2024-01-01T00:00:00Z");
        assert_eq!(openssl_time_to_rfc3339("Jan 15 12:00:30 2025 GMT").as_deref(), Some("2025-01-15T12:00:30Z"));
        assert_eq!(openssl_time_to_rfc3339("Jun  1 00:00:00 2025 GMT").as_deref(), Some("2025-06-01T00:00:00Z"));
        assert_eq!(openssl_time_to_rfc3339("garbage"), None);
    }

    #[test]
    fn shell_quoting() {
        assert_eq!(shell_line("osslsigncode", &["-n", "a b", "-i", "https://x/y"]), "osslsigncode -n 'a b' -i https://x/y");
        assert_eq!(shell_line("x", &["it's"]), "x 'it'\\''s'");
    }
}
