#!/usr/bin/env bash
# lkstream(1), generated from the program's own --help: the command list of `lkstream --help`,
# then each command's (and each subcommand's) `--help` text (prose filled, tables as printed).
# Written to stdout in roff.
#   scripts/make-manpage.sh LKSTREAM_BINARY VERSION > lkstream.1
# Fails when a --help does not answer with exit code 0, so a stale page is never packaged.
set -euo pipefail
bin=${1:?usage: make-manpage.sh LKSTREAM_BINARY VERSION}
version=${2:?usage: make-manpage.sh LKSTREAM_BINARY VERSION}

help_of() {
  local out
  if ! out=$("$bin" "$@" --help 2>&1 </dev/null); then
    echo "make-manpage: '$bin $* --help' failed: $out" >&2
    return 1
  fi
  printf '%s\n' "$out"
}
# The names listed under a "commands:" or "subcommands:" heading.
names_under() { awk -v h="$1" '$0 == h { on = 1; next } on && /^  [a-z]/ { print $1; next } on { on = 0 }'; }
# A --help text in roff: escape backslashes, protect lines starting with . or '. Prose (lines that
# start at column 0, other than "usage:" and headings ending in ":") is filled, so the program's
# 96-column wrapping does not break badly at man's width; usage lines and the indented flag and
# command tables stay as they are.
render() {
  sed -e 's/\\/\\e/g' -e "s/^\([.']\)/\\\\\&\1/" | awk '
    function mode(m) { if (m != cur) { print (m == "fill" ? ".fi" : ".nf"); cur = m } }
    BEGIN { cur = "" }
    /^$/ { print ""; next }
    /^usage:/ || /^ / || /:$/ { mode("nofill"); print; next }
    { mode("fill"); print }
    END { mode("fill") }'
}

top=$(help_of)
date=$(date -u -d "@${SOURCE_DATE_EPOCH:-$(date +%s)}" +%Y-%m-%d)
cat <<EOF
.TH LKSTREAM 1 "$date" "lkstream $version" "User Commands"
.SH NAME
lkstream \\- a lightweight Kafka-compatible event log: server, admin client and connector host
.SH SYNOPSIS
.B lkstream
.I command
.RI [ flags ]
.SH DESCRIPTION
.B lkstream serve
opens a data directory and serves it over the Kafka wire protocol, so Kafka clients work
unchanged; it also runs the connectors of its configuration file. The other commands talk to a
running server over the Kafka protocol. This page is generated from the program's
.B \\-\\-help
output.
.SH COMMANDS
EOF
render <<<"$top"
while read -r cmd; do
  text=$(help_of "$cmd")
  echo ".SS $cmd"
  render <<<"$text"
  while read -r sub; do
    [[ -n $sub ]] || continue
    echo ".SS $cmd $sub"
    help_of "$cmd" "$sub" | render
  done < <(names_under "subcommands:" <<<"$text")
done < <(names_under "commands:" <<<"$top")
cat <<'EOF'
.SH FILES
.TP
.I /etc/lkstream/lkstream.toml
The configuration the Debian package's lkstream.service starts with.
.TP
.I /var/lib/lkstream
Its data directory.
.SH EXIT STATUS
0 success; 1 configuration error, locked data directory, an address that cannot be bound or an
I/O failure; 2 usage error.
.SH SEE ALSO
.BR kcat (1);
docs/cli.md, docs/configuration.md and docs/install.md of the lkstream sources.
EOF
