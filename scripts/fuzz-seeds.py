#!/usr/bin/env python3
"""Regenerate the committed fuzz seeds (fuzz/seeds/<target>/) from our own fixtures.

Only tests/fixtures (ours) go into fuzz/seeds: the shared corpus is added at run time by
scripts/fuzz-smoke.sh (and never committed). Run from anywhere: python3 scripts/fuzz-seeds.py
"""
import os
import shutil
import struct
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "tests", "fixtures", "pe")
SEEDS = os.path.join(ROOT, "fuzz", "seeds")
# inspect: the first byte picks the name (0 .sys, 1 .cat, 2 .inf, 3 .zip).
NAME_BYTE = {"sys": 0, "exe": 0, "cat": 1, "inf": 2, "zip": 3}

# The PE fixtures that also seed `inspect` and `catalog` (the `pe` target gets them all).
INSPECT_PE = {"driver-dual-ts.sys", "driver-sha256-ph.sys", "app32-sha256.exe", "driver-ecdsa-p256.sys", "driver-unsigned.sys"}

INF_UTF8 = b"""; a small driver INF (seed)
[Version]
Signature="$WINDOWS NT$"
Class=Ports
ClassGuid={4D36E978-E325-11CE-BFC1-08002BE10318}
Provider=%Mfg%
CatalogFile=fuzz.cat
DriverVer=01/02/2024,1.2.3.4

[Manufacturer]
%Mfg%=Models,NTamd64,NTarm64.10.0...22000

[Models.NTamd64]
%Dev%=Install, USB\\VID_1234&PID_5678 ; comment
[Install.NT]
CopyFiles=Files
[Files]
fuzz.sys,,,0x4000
[SourceDisksFiles]
fuzz.sys=1,,
[Strings]
Mfg="Fuzz ""Inc"" Ltd"
Dev = "Fuzz device" \\
  continued
"""


def cert_payloads(data):
    """The PKCS_SIGNED_DATA payloads of a PE's certificate table (well-formed fixtures only)."""
    lfanew = struct.unpack_from("<I", data, 0x3C)[0]
    magic = struct.unpack_from("<H", data, lfanew + 24)[0]
    dirs = lfanew + 24 + (96 if magic == 0x10B else 112)
    off, size = struct.unpack_from("<II", data, dirs + 4 * 8)
    out, pos = [], off
    while off and pos + 8 <= min(off + size, len(data)):
        length, _rev, typ = struct.unpack_from("<IHH", data, pos)
        if length < 8 or pos + length > len(data):
            break
        if typ == 2:
            out.append(data[pos + 8 : pos + length])
        pos += (length + 7) & ~7
    return out


def main():
    if os.path.isdir(SEEDS):
        shutil.rmtree(SEEDS)
    for t in ("inspect", "pe", "signature", "catalog", "inf", "zip"):
        os.makedirs(os.path.join(SEEDS, t))

    def put(target, name, data):
        with open(os.path.join(SEEDS, target, name), "wb") as f:
            f.write(data)

    for name in sorted(os.listdir(FIXTURES)):
        data = open(os.path.join(FIXTURES, name), "rb").read()
        put("pe", name, data)
        if name in INSPECT_PE:
            put("inspect", name, bytes([NAME_BYTE["sys"]]) + data)
        for i, p7 in enumerate(cert_payloads(data)):
            stem = os.path.splitext(name)[0]
            put("signature", f"{stem}-{i}.p7", p7)
            # A catalog is a SignedData too: the parser's first steps are the same.
            if name in INSPECT_PE:
                put("catalog", f"{stem}-{i}.p7", p7)
    utf16 = b"\xff\xfe" + INF_UTF8.decode().encode("utf-16-le")
    put("inf", "seed-utf8.inf", INF_UTF8)
    put("inf", "seed-utf16.inf", utf16)
    put("inspect", "seed-utf8.inf", bytes([NAME_BYTE["inf"]]) + INF_UTF8)
    put("inspect", "seed-utf16.inf", bytes([NAME_BYTE["inf"]]) + utf16)
    # zip: an empty archive (end of central directory only) and one stored entry.
    put("zip", "empty.zip", b"PK\x05\x06" + b"\0" * 18)
    total = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(SEEDS) for f in fs)
    print(f"fuzz/seeds: {total} bytes")
    if total > 300_000:
        sys.exit("fuzz/seeds is over 300 KB: trim it")


if __name__ == "__main__":
    main()
