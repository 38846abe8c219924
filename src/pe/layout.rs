//! The PE header facts the Authenticode layer needs, with the file offset of every field it skips.
//!
//! Read with goblin when goblin accepts the file; otherwise (and for the field offsets goblin does
//! not expose) read directly from the bytes, bounds-checked. Both readers produce the same
//! [`Layout`]; the integration tests check that they agree on every corpus file.

use super::PeError;

/// IMAGE_DOS_HEADER.e_lfanew.
const E_LFANEW: usize = 0x3c;
/// "PE\0\0" + IMAGE_FILE_HEADER.
const SIZEOF_PE_SIGNATURE_AND_COFF: usize = 4 + 20;
/// Optional header magic values.
pub const MAGIC_PE32: u16 = 0x10b;
pub const MAGIC_PE32_PLUS: u16 = 0x20b;
/// Optional header + 64: CheckSum (same place in PE32 and PE32+).
const OPT_CHECKSUM: usize = 64;
/// Optional header + 60: SizeOfHeaders.
const OPT_SIZE_OF_HEADERS: usize = 60;
/// Optional header + 68: Subsystem.
const OPT_SUBSYSTEM: usize = 68;
/// Optional header + 32: SectionAlignment (same place in PE32 and PE32+).
const OPT_SECTION_ALIGNMENT: usize = 32;
/// Optional header + 70: DllCharacteristics (same place in PE32 and PE32+).
const OPT_DLL_CHARACTERISTICS: usize = 70;
/// Optional header + 92 (PE32) / + 108 (PE32+): NumberOfRvaAndSizes; the data directories follow.
const OPT_NUMBER_OF_RVA_PE32: usize = 92;
const OPT_NUMBER_OF_RVA_PE32_PLUS: usize = 108;
/// IMAGE_DIRECTORY_ENTRY_SECURITY.
const SECURITY_DIRECTORY_INDEX: usize = 4;
/// IMAGE_DIRECTORY_ENTRY_IAT (the import address table).
const IAT_DIRECTORY_INDEX: usize = 12;
const SIZEOF_SECTION_HEADER: usize = 40;

/// One section header's raw-data extent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Section {
    /// Position in the section table.
    pub index: usize,
    pub name: String,
    pub pointer_to_raw_data: u32,
    pub size_of_raw_data: u32,
    /// VirtualAddress (RVA of the section in memory) and VirtualSize.
    pub virtual_address: u32,
    pub virtual_size: u32,
    /// IMAGE_SECTION_HEADER.Characteristics (IMAGE_SCN_MEM_EXECUTE 0x20000000, _WRITE 0x80000000, ...).
    pub characteristics: u32,
}

/// Where things are in one PE file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layout {
    /// File offset of the "PE\0\0" signature (e_lfanew).
    pub pe_offset: usize,
    /// Optional header magic: 0x10b (PE32) or 0x20b (PE32+).
    pub magic: u16,
    pub machine: u16,
    pub subsystem: u16,
    /// SectionAlignment (memory integrity wants a multiple of 0x1000).
    pub section_alignment: u32,
    /// DllCharacteristics (IMAGE_DLLCHARACTERISTICS_NX_COMPAT 0x100, ...).
    pub dll_characteristics: u16,
    /// File offset of the optional header.
    pub optional_header_offset: usize,
    /// File offset of the 4-byte CheckSum field.
    pub checksum_offset: usize,
    pub checksum: u32,
    /// File offset of the 8-byte security directory entry; `None` when NumberOfRvaAndSizes < 5
    /// or the optional header is too short to hold it.
    pub security_entry_offset: Option<usize>,
    /// The security directory: (file offset, size); (0, 0) when absent.
    pub security_directory: (u32, u32),
    /// The import address table directory (IMAGE_DIRECTORY_ENTRY_IAT): (RVA, size); (0, 0) when
    /// absent or when NumberOfRvaAndSizes / the optional header do not reach it.
    pub iat_directory: (u32, u32),
    pub size_of_headers: u32,
    /// File offset of the section table.
    pub section_table_offset: usize,
    /// Every section header, in table order.
    pub sections: Vec<Section>,
}

impl Layout {
    pub fn is_pe32_plus(&self) -> bool {
        self.magic == MAGIC_PE32_PLUS
    }

    /// End of the optional header's fixed part up to and including the security entry (for
    /// hashing: everything from here up to SizeOfHeaders is hashed).
    pub fn security_entry_end(&self) -> Option<usize> {
        self.security_entry_offset.and_then(|o| o.checked_add(8))
    }
}

fn u16_at(bytes: &[u8], offset: usize, what: &'static str) -> Result<u16, PeError> {
    offset
        .checked_add(2)
        .and_then(|end| bytes.get(offset..end))
        .and_then(|b| <[u8; 2]>::try_from(b).ok())
        .map(u16::from_le_bytes)
        .ok_or(PeError::Truncated { what, offset: offset as u64, len: bytes.len() as u64 })
}

pub(crate) fn u32_at(bytes: &[u8], offset: usize, what: &'static str) -> Result<u32, PeError> {
    offset
        .checked_add(4)
        .and_then(|end| bytes.get(offset..end))
        .and_then(|b| <[u8; 4]>::try_from(b).ok())
        .map(u32::from_le_bytes)
        .ok_or(PeError::Truncated { what, offset: offset as u64, len: bytes.len() as u64 })
}

fn add(a: usize, b: usize) -> Result<usize, PeError> {
    a.checked_add(b).ok_or(PeError::Overflow { offset: a as u64 })
}

/// Read the layout directly from the bytes (the fallback reader; also gives the field offsets).
pub fn read(bytes: &[u8]) -> Result<Layout, PeError> {
    if bytes.get(..2) != Some(b"MZ".as_slice()) {
        return Err(PeError::NotPe { offset: 0 });
    }
    let pe_offset = u32_at(bytes, E_LFANEW, "e_lfanew")? as usize;
    if bytes.get(pe_offset..add(pe_offset, 4)?) != Some(b"PE\0\0".as_slice()) {
        return Err(PeError::NotPe { offset: pe_offset as u64 });
    }
    let coff = add(pe_offset, 4)?;
    let machine = u16_at(bytes, coff, "COFF Machine")?;
    let number_of_sections = usize::from(u16_at(bytes, add(coff, 2)?, "COFF NumberOfSections")?);
    let size_of_optional_header = usize::from(u16_at(bytes, add(coff, 16)?, "COFF SizeOfOptionalHeader")?);
    let opt = add(pe_offset, SIZEOF_PE_SIGNATURE_AND_COFF)?;
    let magic = u16_at(bytes, opt, "optional header Magic")?;
    let rva_count_at = match magic {
        MAGIC_PE32 => OPT_NUMBER_OF_RVA_PE32,
        MAGIC_PE32_PLUS => OPT_NUMBER_OF_RVA_PE32_PLUS,
        other => return Err(PeError::BadMagic { offset: opt as u64, magic: other }),
    };
    let size_of_headers = u32_at(bytes, add(opt, OPT_SIZE_OF_HEADERS)?, "SizeOfHeaders")?;
    let checksum_offset = add(opt, OPT_CHECKSUM)?;
    let checksum = u32_at(bytes, checksum_offset, "CheckSum")?;
    let subsystem = u16_at(bytes, add(opt, OPT_SUBSYSTEM)?, "Subsystem")?;
    let section_alignment = u32_at(bytes, add(opt, OPT_SECTION_ALIGNMENT)?, "SectionAlignment")?;
    let dll_characteristics = u16_at(bytes, add(opt, OPT_DLL_CHARACTERISTICS)?, "DllCharacteristics")?;
    let rva_count = u32_at(bytes, add(opt, rva_count_at)?, "NumberOfRvaAndSizes")? as usize;
    let entry = add(add(opt, rva_count_at)?, 4 + 8 * SECURITY_DIRECTORY_INDEX)?;
    let entry_fits = rva_count > SECURITY_DIRECTORY_INDEX && add(entry, 8)? <= add(opt, size_of_optional_header)?;
    let (security_entry_offset, security_directory) = if entry_fits {
        (Some(entry), (u32_at(bytes, entry, "security directory")?, u32_at(bytes, add(entry, 4)?, "security directory")?))
    } else {
        (None, (0, 0))
    };
    let iat_entry = add(add(opt, rva_count_at)?, 4 + 8 * IAT_DIRECTORY_INDEX)?;
    let iat_fits = rva_count > IAT_DIRECTORY_INDEX && add(iat_entry, 8)? <= add(opt, size_of_optional_header)?;
    let iat_directory =
        if iat_fits { (u32_at(bytes, iat_entry, "IAT directory")?, u32_at(bytes, add(iat_entry, 4)?, "IAT directory")?) } else { (0, 0) };
    let section_table_offset = add(opt, size_of_optional_header)?;
    let mut sections = Vec::with_capacity(number_of_sections.min(96));
    for index in 0..number_of_sections {
        let at = add(
            section_table_offset,
            index.checked_mul(SIZEOF_SECTION_HEADER).ok_or(PeError::Overflow { offset: section_table_offset as u64 })?,
        )?;
        let header = bytes.get(at..add(at, SIZEOF_SECTION_HEADER)?).ok_or(PeError::Truncated {
            what: "section table",
            offset: at as u64,
            len: bytes.len() as u64,
        })?;
        let name = header.get(..8).map(section_name).unwrap_or_default();
        sections.push(Section {
            index,
            name,
            size_of_raw_data: u32_at(header, 16, "SizeOfRawData")?,
            pointer_to_raw_data: u32_at(header, 20, "PointerToRawData")?,
            virtual_size: u32_at(header, 8, "VirtualSize")?,
            virtual_address: u32_at(header, 12, "VirtualAddress")?,
            characteristics: u32_at(header, 36, "Characteristics")?,
        });
    }
    Ok(Layout {
        pe_offset,
        magic,
        machine,
        subsystem,
        section_alignment,
        dll_characteristics,
        optional_header_offset: opt,
        checksum_offset,
        checksum,
        security_entry_offset,
        security_directory,
        iat_directory,
        size_of_headers,
        section_table_offset,
        sections,
    })
}

fn section_name(raw: &[u8]) -> String {
    let end = raw.iter().position(|&b| b == 0).unwrap_or(raw.len());
    String::from_utf8_lossy(raw.get(..end).unwrap_or_default()).into_owned()
}

/// Parse options for goblin: headers and sections only (the certificate table is walked by us).
fn goblin_options() -> goblin::pe::options::ParseOptions {
    let mut opts = goblin::pe::options::ParseOptions::default()
        .with_parse_mode(goblin::options::ParseMode::Permissive)
        .with_parse_imports(false)
        .with_parse_resources(false)
        .with_parse_tls_data(false);
    opts.resolve_rva = false;
    opts.parse_attribute_certificates = false;
    opts
}

/// Read the layout with goblin; field offsets come from the PE pointer goblin read.
pub fn read_with_goblin(bytes: &[u8]) -> Result<Layout, goblin::error::Error> {
    let pe = goblin::pe::PE::parse_with_opts(bytes, &goblin_options())?;
    let malformed = |what: &str| goblin::error::Error::Malformed(format!("goblin gave no {what}"));
    let opt_header = pe.header.optional_header.ok_or_else(|| malformed("optional header"))?;
    let pe_offset = pe.header.dos_header.pe_pointer as usize;
    let opt = pe_offset.checked_add(SIZEOF_PE_SIGNATURE_AND_COFF).ok_or_else(|| malformed("optional header offset"))?;
    let magic = opt_header.standard_fields.magic;
    let rva_count_at = if magic == MAGIC_PE32_PLUS { OPT_NUMBER_OF_RVA_PE32_PLUS } else { OPT_NUMBER_OF_RVA_PE32 };
    // Constants: the NumberOfRvaAndSizes field, then 8-byte directory entries up to index 4.
    const SECURITY_ENTRY_AFTER_RVA_COUNT: usize = 4 + 8 * SECURITY_DIRECTORY_INDEX;
    let entry = opt
        .checked_add(rva_count_at)
        .and_then(|o| o.checked_add(SECURITY_ENTRY_AFTER_RVA_COUNT))
        .ok_or_else(|| malformed("entry offset"))?;
    let size_of_optional_header = usize::from(pe.header.coff_header.size_of_optional_header);
    let rva_count = opt_header.windows_fields.number_of_rva_and_sizes as usize;
    let entry_fits = rva_count > SECURITY_DIRECTORY_INDEX
        && entry.checked_add(8).is_some_and(|end| opt.checked_add(size_of_optional_header).is_some_and(|oh_end| end <= oh_end));
    let security_directory = if entry_fits {
        opt_header.data_directories.get_certificate_table().map(|d| (d.virtual_address, d.size)).unwrap_or((0, 0))
    } else {
        (0, 0)
    };
    let iat_fits = rva_count > IAT_DIRECTORY_INDEX
        && entry
            .checked_add(8 * (IAT_DIRECTORY_INDEX - SECURITY_DIRECTORY_INDEX) + 8)
            .is_some_and(|end| opt.checked_add(size_of_optional_header).is_some_and(|oh_end| end <= oh_end));
    let iat_directory = if iat_fits {
        opt_header.data_directories.get_import_address_table().map(|d| (d.virtual_address, d.size)).unwrap_or((0, 0))
    } else {
        (0, 0)
    };
    let sections = pe
        .sections
        .iter()
        .enumerate()
        .map(|(index, s)| Section {
            index,
            name: section_name(&s.name),
            pointer_to_raw_data: s.pointer_to_raw_data,
            size_of_raw_data: s.size_of_raw_data,
            virtual_address: s.virtual_address,
            virtual_size: s.virtual_size,
            characteristics: s.characteristics,
        })
        .collect();
    Ok(Layout {
        pe_offset,
        magic,
        machine: pe.header.coff_header.machine,
        subsystem: opt_header.windows_fields.subsystem,
        section_alignment: opt_header.windows_fields.section_alignment,
        dll_characteristics: opt_header.windows_fields.dll_characteristics,
        optional_header_offset: opt,
        checksum_offset: opt.checked_add(OPT_CHECKSUM).ok_or_else(|| malformed("CheckSum offset"))?,
        checksum: opt_header.windows_fields.check_sum,
        security_entry_offset: entry_fits.then_some(entry),
        security_directory,
        iat_directory,
        size_of_headers: opt_header.windows_fields.size_of_headers,
        section_table_offset: opt.checked_add(size_of_optional_header).ok_or_else(|| malformed("section table offset"))?,
        sections,
    })
}

/// The report's machine names.
pub fn machine_name(machine: u16) -> String {
    match machine {
        0x014c => "x86".into(),
        0x8664 => "x64".into(),
        0xaa64 => "ARM64".into(),
        0x01c4 => "ARM".into(),
        0xa641 => "ARM64EC".into(),
        0x0200 => "IA64".into(),
        0x5064 => "RISCV64".into(),
        0x6264 => "LoongArch64".into(),
        0x0ebc => "EBC".into(),
        other => format!("0x{other:04x}"),
    }
}

/// The report's subsystem names.
pub fn subsystem_name(subsystem: u16) -> String {
    match subsystem {
        1 => "native".into(),
        2 => "windows-gui".into(),
        3 => "windows-cui".into(),
        9 => "windows-ce-gui".into(),
        10 => "efi-application".into(),
        11 => "efi-boot-service-driver".into(),
        12 => "efi-runtime-driver".into(),
        13 => "efi-rom".into(),
        16 => "windows-boot-application".into(),
        other => format!("{other}"),
    }
}
