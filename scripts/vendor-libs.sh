#!/usr/bin/env bash
# Makes a set of ELF files relocatable: every shared library they load (ldd's closure) that is
# not part of Debian's base system is copied into VENDOR_DIR, and the RUNPATH of the files and of
# the copies is set relative to $ORIGIN so that they find each other wherever the tree is
# unpacked. Debug information is stripped from the files and the copies.
#   scripts/vendor-libs.sh PATCHELF VENDOR_DIR ELF...
# The base system (never copied): glibc's libraries and the dynamic loader, libstdc++ and
# libgcc_s (Debian 12's minbase has all of them: libc6, libstdc++6, libgcc-s1 are "required").
# Prints the vendored sonames, one a line.
set -euo pipefail
patchelf=${1:?usage: vendor-libs.sh PATCHELF VENDOR_DIR ELF...}
vendor=${2:?usage: vendor-libs.sh PATCHELF VENDOR_DIR ELF...}
shift 2
mkdir -p "$vendor"
vendor=$(cd "$vendor" && pwd)

base_re='^(linux-vdso\.so|ld-linux-x86-64\.so|libc\.so|libm\.so|libdl\.so|librt\.so|libpthread\.so|libresolv\.so|libutil\.so|libanl\.so|libnsl\.so|libmvec\.so|libstdc\+\+\.so|libgcc_s\.so)'

# ldd of a file: "soname path" for each library it loads; fails on "not found".
closure() {
  local out
  out=$(ldd "$1") || { echo "vendor-libs: ldd $1 failed" >&2; return 1; }
  if grep -q 'not found' <<<"$out"; then
    echo "vendor-libs: $1 needs libraries that are not installed:" >&2
    grep 'not found' <<<"$out" >&2
    return 1
  fi
  awk '$2 == "=>" && $3 ~ /^\// { print $1, $3 }' <<<"$out"
}

# relpath FROM_DIR TO_DIR, for $ORIGIN-relative RUNPATHs.
relpath() { python3 -c 'import os, sys; print(os.path.relpath(sys.argv[2], sys.argv[1]))' "$1" "$2"; }

declare -A vendored=()
for elf in "$@"; do
  while read -r soname path; do
    [[ $soname =~ $base_re ]] && continue
    if [[ -z ${vendored[$soname]:-} ]]; then
      cp -L "$path" "$vendor/$soname"
      chmod 0644 "$vendor/$soname"
      vendored[$soname]=1
    fi
  done < <(closure "$elf")
done

for lib in "$vendor"/*; do
  [[ -f $lib ]] || continue
  strip --strip-debug "$lib"
  "$patchelf" --set-rpath '$ORIGIN' "$lib"
done
for elf in "$@"; do
  strip --strip-debug "$elf"
  rel=$(relpath "$(dirname "$(realpath "$elf")")" "$vendor")
  "$patchelf" --set-rpath "\$ORIGIN/$rel" "$elf"
done
printf '%s\n' "${!vendored[@]}" | sort
