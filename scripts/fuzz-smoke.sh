#!/usr/bin/env bash
# Fuzz smoke run for CI (and by hand): build the cargo-fuzz targets in fuzz/ and run each for
# FUZZ_SECONDS (default 60), one after the other. Prints the executions per target; exits non-zero
# when a target finds a crash, a timeout or an out-of-memory (the reproducer is under
# fuzz/artifacts/<target>/). Skips, with a notice, only when the nightly toolchain is missing;
# installs cargo-fuzz when it is missing.
#
#   FUZZ_SECONDS=60              seconds per target
#   FUZZ_TARGETS="inspect pe"    which targets (default: all of them)
#   DRVSIG_CORPUS=/path/corpus   the shared reference corpus (default: <repo>/../shared/corpus)
#   FUZZ_SANITIZER=none          cargo-fuzz --sanitizer: none (default: the core is #![forbid(unsafe_code)],
#                                so panics, overflows, timeouts and OOMs are what we hunt; about 3x faster
#                                than ASan) or address
#   FUZZ_MAX_LEN=65536           libFuzzer -max_len
#
# The working corpus of each target is fuzz/corpus/<target>/ (not committed): fuzz/seeds/<target>/
# plus, when present, the matching files of the shared corpus (see docs/fuzzing.md).
set -u
cd "$(dirname "$0")/.."
ROOT=$(pwd)
SECONDS_PER_TARGET=${FUZZ_SECONDS:-60}
TARGETS=${FUZZ_TARGETS:-"inspect pe signature catalog inf zip"}
SANITIZER=${FUZZ_SANITIZER:-none}
MAX_LEN=${FUZZ_MAX_LEN:-65536}
CORPUS_SRC=${DRVSIG_CORPUS:-$ROOT/../shared/corpus}

if ! cargo +nightly --version >/dev/null 2>&1; then
    echo "fuzz-smoke: SKIPPED: the nightly Rust toolchain is not installed (cargo-fuzz needs it; 'rustup toolchain install nightly')."
    exit 0
fi
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
    echo "fuzz-smoke: installing cargo-fuzz from crates.io"
    cargo install cargo-fuzz --locked || cargo install cargo-fuzz || { echo "fuzz-smoke: FAILED: cannot install cargo-fuzz"; exit 1; }
fi

# Seed the working corpora (idempotent: same names overwrite).
seed() { # seed TARGET PREFIX_BYTE(or "") FILES...
    local t=$1 prefix=$2; shift 2
    local f
    for f in "$@"; do
        [ -f "$f" ] || continue
        [ "$(stat -c %s "$f")" -le 131072 ] || continue # big files only slow the fuzzer down (and ASan makes it slower)
        local dest="fuzz/corpus/$t/shared-$(basename "$f")"
        if [ -n "$prefix" ]; then { printf "\\x$prefix"; cat "$f"; } >"$dest"; else cp "$f" "$dest"; fi
    done
}
for t in $TARGETS; do
    mkdir -p "fuzz/corpus/$t"
    cp fuzz/seeds/"$t"/* "fuzz/corpus/$t/" 2>/dev/null || true
done
if [ -d "$CORPUS_SRC" ]; then
    mapfile -t pes < <(find "$CORPUS_SRC" -type f \( -iname '*.sys' -o -iname '*.exe' -o -iname '*.dll' -o -iname '*.efi' \) | sort)
    mapfile -t cats < <(find "$CORPUS_SRC" -type f -iname '*.cat' | sort)
    mapfile -t infs < <(find "$CORPUS_SRC" -type f -iname '*.inf' | sort)
    for t in $TARGETS; do
        case $t in
            pe) seed pe "" "${pes[@]}" ;;
            signature | catalog) seed "$t" "" "${cats[@]}" ;;
            inf) seed inf "" "${infs[@]}" ;;
            inspect) seed inspect 00 "${pes[@]}"; seed inspect 01 "${cats[@]}"; seed inspect 02 "${infs[@]}" ;;
        esac
    done
else
    echo "fuzz-smoke: note: no shared corpus at $CORPUS_SRC; seeding from fuzz/seeds only"
fi

echo "fuzz-smoke: building the fuzz targets (nightly, sanitizer $SANITIZER, debug assertions: overflow checks on)"
mkdir -p fuzz/artifacts
if ! (cd fuzz && cargo +nightly fuzz build --sanitizer "$SANITIZER") >fuzz/artifacts/build.log 2>&1; then
    tail -30 fuzz/artifacts/build.log
    echo "fuzz-smoke: FAILED: the fuzz targets do not build"
    exit 1
fi

status=0
summary=""
for t in $TARGETS; do
    log="fuzz/artifacts/$t.log"
    echo "fuzz-smoke: $t for ${SECONDS_PER_TARGET}s"
    (cd fuzz && cargo +nightly fuzz run --sanitizer "$SANITIZER" "$t" "corpus/$t" -- \
        -max_total_time="$SECONDS_PER_TARGET" -rss_limit_mb=2048 -timeout=10 -max_len="$MAX_LEN" \
        -dict=dict/drvsig.dict -print_final_stats=1) >"$log" 2>&1
    rc=$?
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | tail -1 | grep -o '[0-9]*$')
    if [ $rc -ne 0 ]; then
        status=1
        echo "fuzz-smoke: $t FAILED (exit $rc):"
        grep -E 'ERROR: libFuzzer|panicked at|Test unit written to|SUMMARY|==ERROR' "$log" | head -10
        summary+="$t: FAILED after ${execs:-?} executions (log: $log)"$'\n'
    else
        summary+="$t: ${execs:-?} executions in ${SECONDS_PER_TARGET}s, no crash"$'\n'
    fi
done
echo "fuzz-smoke: summary"
printf '%s' "$summary"
[ $status -eq 0 ] && echo "fuzz-smoke: passed" || echo "fuzz-smoke: FAILED"
exit $status
