//! PE layout: format, machine, subsystem, CheckSum, and the attribute certificate table.
use crate::report::FileReport;
use crate::Options;
pub fn inspect_pe(_bytes: &[u8], _options: &Options, _report: &mut FileReport) {}
