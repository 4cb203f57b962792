#!/usr/bin/env python3
"""Fails when a source file includes something its layer may not use (design.md section 2).

    check_layering.py ROOT        scan the tree at ROOT; exit 1 and name file:line and the rule
                                  of every forbidden include
    check_layering.py --self-test build a small tree with one violation per rule in a temporary
                                  directory and check that each rule, and only it, fires

Every `#include` (outside comments) of every C/C++ file under a layer's folder is resolved the
way a compiler would find it in this tree: relative to the including file, then in the
project's include roots (the including layer's first). What it resolves to has a kind: a
project file has the kind of the folder it lives in (framework/src is `framework internals`),
anything else is an external header, classified by its name (<caf/...> is CAF). RULES below
says which kinds each layer may not, or may only, use. tests/ has no rule: tests may use
everything.
"""

import fnmatch
import os
import re
import sys
import tempfile
from dataclasses import dataclass

# --- What an include can resolve to --------------------------------------------------------------

# Project folders, most specific first: a file's kind is that of the first prefix it starts with.
PROJECT_KINDS = [
    ("framework/include/", "framework"),
    ("framework/src/", "framework internals"),
    ("framework/", "framework internals"),
    ("plugins/include/", "plugin ABI"),
    ("plugins/host/include/", "plugin host"),
    ("plugins/host/", "plugin host internals"),
    ("actors/include/", "actors API"),
    ("actors/src/engine_impl.hpp", "engine internals"),
    ("actors/", "actors internals"),
    ("connectors/common/", "connectors/common"),
    ("connectors/", "connector"),  # connectors/<name>/: "own connector" from inside it
    ("app/", "app"),
    ("python/", "python"),
    ("examples/", "examples"),
    ("bench/", "bench"),
    ("tests/", "tests"),
]

# Where `#include "x"` / `<x>` finds project files (every target's include directories).
INCLUDE_ROOTS = [
    "framework/include", "framework/src", "plugins/include", "plugins/host/include",
    "plugins/host/src", "actors/include", "actors/src", "connectors/common", "app", "python/src",
    "tests", "tests/integration",
]

# External headers, by name.
EXTERNAL_KINDS = [
    (r"caf/", "CAF"),
    (r"asio(\.hpp|/)", "Asio"),
    (r"nlohmann/", "nlohmann-json"),
    (r"httplib\.h$", "cpp-httplib"),
    (r"toml\+\+/", "toml++"),
    (r"librdkafka/", "librdkafka"),
    (r"(zlib|zstd|snappy|lz4|lz4frame)\.h$", "compression codecs"),
    (r"nanobind/", "nanobind"),
    (r"Python\.h$", "Python C API"),
    (r"doctest/", "doctest"),
    (r"hiredis/", "hiredis"),
    (r"nats/", "libnats"),
    (r"[a-z_0-9]+$", "C++ standard library"),  # <vector>, <cstdint>: no extension, no folder
    (r"(assert|ctype|errno|float|inttypes|limits|locale|math|setjmp|signal|stdarg|stdbool|"
     r"stddef|stdint|stdio|stdlib|string|time|wchar|wctype)\.h$", "C standard library"),
    (r"(sys|netinet|arpa|net)/[a-z_0-9/]+\.h$|(unistd|fcntl|poll|dirent|dlfcn|pthread|netdb|"
     r"spawn|sched|termios|syslog|glob|fnmatch|libgen|pwd|grp|strings|semaphore)\.h$", "POSIX"),
    (r"(cpuid|[a-z]*intrin)\.h$", "compiler intrinsics"),
]

STANDARD = {"C++ standard library", "C standard library"}
SYSTEM = STANDARD | {"POSIX"}

# Connector folders and the third-party library each one links (connectors/CMakeLists.txt).
CONNECTOR_DEPENDENCIES = {"kafka_bridge": {"librdkafka"}}

# --- The rules -----------------------------------------------------------------------------------


@dataclass
class Rule:
    files: str  # the layer: files whose path matches this (fnmatch: `*` spans folders too)
    only: bool  # True: may use only `kinds`; False: may not use `kinds` (its own files always)
    kinds: set
    why: str  # what design.md says
    example: tuple  # (file, include): a violation --self-test plants

    def describe(self):
        text = f"{self.files} may {'only' if self.only else 'not'} use " + \
            ", ".join(sorted(self.kinds))
        if self.files.startswith("connectors/"):
            text += " and its own dependency (CONNECTOR_DEPENDENCIES)"
        return text


GRAPH = "framework <- plugins/host <- actors <- app; connectors -> plugins/include only"
ABOVE_PLUGINS = {"actors API", "actors internals", "engine internals", "connector", "connectors/common", "app",
                 "python", "examples", "bench", "tests"}
ABOVE_ACTORS = ABOVE_PLUGINS - {"actors API", "actors internals", "engine internals"}
INTERNALS = {"framework internals", "plugin host internals", "actors internals", "engine internals"}
NOT_PUBLIC = {"CAF", "Asio"} | INTERNALS | ABOVE_ACTORS  # what a program on the public API lacks

# The layering, one row per rule, with what design.md (section 2 unless said) gives as the reason.
RULES = [
    Rule("framework/*", False, {"CAF"},
         "framework/ is plain C++20, no CAF: unit-testable without actors",
         ("framework/src/model/x.cpp", "<caf/all.hpp>")),
    Rule("framework/*", False, {"Asio"},
         "network sessions are actors/ code; framework/ is the Kafka codec, no I/O of its own",
         ("framework/include/lkstream/kafka/x.hpp", "<asio.hpp>")),
    Rule("framework/*", False, {"plugin ABI", "plugin host", "plugin host internals"}
         | ABOVE_PLUGINS,
         f"framework/ is the bottom of the one-way graph {GRAPH}",
         ("framework/include/lkstream/partition/x.hpp", '"messages.hpp"')),
    Rule("plugins/include/*", True, {"plugin ABI"} | STANDARD,
         "plugins/include is the C ABI header and a header-only C++ SDK: all a connector sees, "
         "so it may hand on nothing else",
         ("plugins/include/lkstream/plugin/sdk.hpp", '"lkstream/base/result.hpp"')),
    Rule("plugins/include/*.h", True, {"plugin ABI", "C standard library"},
         "the connector ABI header is C only",
         ("plugins/include/lkstream/plugin/abi_extra.h", "<vector>")),
    Rule("plugins/host/*", False, {"CAF", "Asio"},
         "actors/ is the only CAF code; the plugin host is a plain library below it",
         ("plugins/host/src/x.cpp", "<caf/actor.hpp>")),
    Rule("plugins/host/*", False, ABOVE_PLUGINS,
         f"the plugin host sits between framework/ and actors/: {GRAPH}",
         ("plugins/host/src/y.cpp", '"lkstream/engine.hpp"')),
    Rule("actors/*", False, ABOVE_ACTORS,
         f"actors/ sits below app/ ({GRAPH}); connectors are loaded at run time, never built in",
         ("actors/src/x.cpp", '"test_util.hpp"')),
    Rule("actors/include/*", False, {"CAF", "Asio", "actors internals", "engine internals"},
         "actors/ is the only CAF code; its public embedded facade owns the actor_system, so a "
         "program linking lkstream (section 1) sees no CAF",
         ("actors/include/lkstream/x.hpp", "<caf/actor_system.hpp>")),
    # The engine's internals (its lifecycle, actor system ownership, file system) belong to the
    # engine's own parts; the components built on it see engine_services.hpp.
    Rule("actors/src/net/*", False, {"engine internals"},
         "the Kafka listener uses an engine through engine_services, not engine::impl",
         ("actors/src/net/x.cpp", '"engine_impl.hpp"')),
    Rule("actors/src/connector/*", False, {"engine internals"},
         "the connector host uses an engine through engine_services, not engine::impl",
         ("actors/src/connector/x.cpp", '"../engine_impl.hpp"')),
    Rule("actors/src/http/*", False, {"engine internals"},
         "the HTTP listener uses an engine through its public API and engine_services",
         ("actors/src/http/x.cpp", '"engine_impl.hpp"')),
    Rule("actors/src/pipeline/*", False, {"engine internals"},
         "the pipeline runtime uses an engine through engine_services, not engine::impl",
         ("actors/src/pipeline/x.cpp", '"engine_impl.hpp"')),
    Rule("connectors/*", True, {"own connector", "connectors/common", "plugin ABI"} | SYSTEM,
         "one folder per connector, each a MODULE library that sees only the ABI header (+ its "
         "own dependency, e.g. librdkafka). Never framework/, actors/ or CAF",
         ("connectors/file_sink/x.cpp", '"lkstream/base/result.hpp"')),
    Rule("app/*", False, NOT_PUBLIC - {"app"},
         "app/ is the composition root, thin: the public API of actors/ (the only CAF code), "
         "framework/ and the plugin host",
         ("app/x.cpp", '"engine_impl.hpp"')),
    Rule("python/*", False, NOT_PUBLIC - {"app", "python"},
         "the Python module is an embedded-library program over the public API (section 1), "
         "with app/'s CLI built in; actors/ is the only CAF code",
         ("python/src/x.cpp", "<caf/all.hpp>")),
    Rule("examples/*", False, NOT_PUBLIC - {"examples"},
         "examples/ show the public API, one scenario each; actors/ is the only CAF code",
         ("examples/x/main.cpp", '"messages.hpp"')),
    Rule("bench/*", False, NOT_PUBLIC - {"bench"},
         "bench/ measures what users run, through the public API; actors/ is the only CAF code",
         ("bench/x.cpp", '"../framework/src/storage/segment.hpp"')),
]

# --- Scanning ------------------------------------------------------------------------------------

SOURCE_SUFFIXES = (".c", ".h", ".cc", ".cpp", ".hpp", ".hh", ".ipp", ".inl")
INCLUDE_RE = re.compile(r'^[ \t]*#[ \t]*include[ \t]*([<"])([^>"]+)[>"]', re.M)


def strip_comments(text):
    """The text with comments blanked (newlines kept, so line numbers stay right)."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append("\n" * text.count("\n", i, j))
            i = j
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            out.append(text[i:j + 1])
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def project_kind(rel):
    for prefix, kind in PROJECT_KINDS:
        if rel.startswith(prefix):
            return kind
    return None


def connector_of(rel):
    """`kafka_bridge` for connectors/kafka_bridge/..., None for connectors/common or elsewhere."""
    parts = rel.split("/")
    if len(parts) > 2 and parts[0] == "connectors" and parts[1] != "common":
        return parts[1]
    return None


def classify(root, including, delim, name):
    """The kind of what `#include <delim>name` in file `including` (relative to root) is."""
    candidates = []
    if delim == '"':
        candidates.append(os.path.join(os.path.dirname(including), name))
    layer = including.split("/")[0]
    own = [r for r in INCLUDE_ROOTS if r.split("/")[0] == layer]
    candidates += [os.path.join(r, name) for r in own + INCLUDE_ROOTS]
    for cand in candidates:
        rel = os.path.normpath(cand)
        if not rel.startswith("..") and os.path.isfile(os.path.join(root, rel)):
            kind = project_kind(rel)
            if kind == "connector" and connector_of(rel) == connector_of(including):
                return "own connector", rel
            return kind or "other project file", rel
    for pattern, kind in EXTERNAL_KINDS:
        if re.match(pattern, name):
            return kind, None
    return f"<{name}>", None  # a third-party header of its own kind


def allowed(rule, kind, including):
    if kind == project_kind(including) and kind != "connector":
        return True  # a layer's own files (another connector's are not the connector's own)
    if rule.only:
        extra = CONNECTOR_DEPENDENCIES.get(connector_of(including), set())
        return kind in rule.kinds or kind in extra
    return kind not in rule.kinds


def source_files(root):
    """The C/C++ files some rule applies to, relative to root, sorted."""
    files = set()
    for prefix in {r.files.split("*")[0] for r in RULES}:
        for dirpath, dirnames, filenames in os.walk(os.path.join(root, prefix)):
            dirnames[:] = [d for d in dirnames if not d.startswith(".")]
            files.update(os.path.relpath(os.path.join(dirpath, f), root)
                         for f in filenames if f.endswith(SOURCE_SUFFIXES))
    return sorted(files)


def check(root):
    """[(file, line, include text, kind, rule)] for every forbidden include under root."""
    violations = []
    for rel in source_files(root):
        with open(os.path.join(root, rel), encoding="utf-8", errors="replace") as f:
            text = strip_comments(f.read())
        for m in INCLUDE_RE.finditer(text):
            delim, name = m.group(1), m.group(2)
            kind, target = classify(root, rel, delim, name)
            line = text.count("\n", 0, m.start()) + 1
            shown = f"{delim}{name}{'>' if delim == '<' else delim}"
            for rule in RULES:
                if fnmatch.fnmatchcase(rel, rule.files) and not allowed(rule, kind, rel):
                    what = f"{kind} ({target})" if target else kind
                    violations.append((rel, line, shown, what, rule))
    return violations


def report(violations, out):
    for rel, line, shown, what, rule in violations:
        print(f"{rel}:{line}: forbidden include {shown}: {what}\n"
              f"    rule: {rule.describe()}\n"
              f"    why (design.md): {rule.why}", file=out)


def run(root):
    if not os.path.isdir(os.path.join(root, "framework")):
        print(f"check_layering: {root} is not an LKSTREAM source tree", file=sys.stderr)
        return 2
    violations = check(root)
    report(violations, sys.stderr)
    files = len(source_files(root))
    if violations:
        print(f"check_layering: {len(violations)} forbidden include(s) in {files} files",
              file=sys.stderr)
        return 1
    print(f"check_layering: {files} files, {len(RULES)} rules, no forbidden include")
    return 0


# --- Self-test: every rule can fail --------------------------------------------------------------

# Project files the planted includes resolve to.
FIXTURE_FILES = [
    "actors/src/messages.hpp", "actors/src/engine_impl.hpp", "actors/include/lkstream/engine.hpp",
    "framework/include/lkstream/base/result.hpp", "framework/src/storage/segment.hpp",
    "tests/test_util.hpp", "plugins/include/lkstream/plugin/connector_abi.h",
]

# Allowed includes: none of these may be reported.
FIXTURE_CLEAN = {
    "framework/src/clean.cpp": ['"lkstream/base/result.hpp"', "<toml++/toml.h>", "<vector>"],
    "plugins/host/src/clean.cpp": ['"lkstream/base/result.hpp"', "<dlfcn.h>"],
    "actors/src/clean.cpp": ["<caf/all.hpp>", "<asio.hpp>", '"messages.hpp"'],
    "connectors/kafka_bridge/clean.cpp": ['"lkstream/plugin/connector_abi.h"',
                                          "<librdkafka/rdkafka.h>", "<unistd.h>", '"clean.hpp"'],
    "connectors/kafka_bridge/clean.hpp": ["<string>"],
    "app/clean.cpp": ['"lkstream/engine.hpp"', "<nlohmann/json.hpp>"],
    "tests/clean.cpp": ["<caf/all.hpp>", '"engine_impl.hpp"',
                        '"../framework/src/storage/segment.hpp"'],
}

# Violations beyond each rule's own example: (file, include, the rule's `files`).
EXTRA_VIOLATIONS = [
    ("connectors/file_sink/y.cpp", "<librdkafka/rdkafka.h>", "connectors/*"),  # not its dependency
    ("connectors/file_sink/z.cpp", '"../kafka_bridge/clean.hpp"', "connectors/*"),  # another's
    ("framework/src/y.cpp", '"../../actors/src/engine_impl.hpp"', "framework/*"),
]


def self_test():
    failures = []
    with tempfile.TemporaryDirectory(prefix="lkstream-layering-") as root:

        def write(rel, includes):
            path = os.path.join(root, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "a", encoding="utf-8") as f:
                f.write("// a file of the self-test tree\n")
                f.writelines(f"#include {inc}\n" for inc in includes)

        for rel in FIXTURE_FILES:
            write(rel, [])
        for rel, includes in FIXTURE_CLEAN.items():
            write(rel, includes)
        # Commented-out includes are not includes.
        write("framework/src/comments.cpp", ["<vector>  // #include <caf/all.hpp>"])
        with open(os.path.join(root, "framework/src/comments.cpp"), "a", encoding="utf-8") as f:
            f.write("/*\n#include <caf/all.hpp>\n*/\n// #include <asio.hpp>\n")
        for v in check(root):
            failures.append(f"the clean tree fails: {v[0]}:{v[1]}: {v[2]} ({v[4].describe()})")

        planted = [(rule.example[0], rule.example[1], [rule]) for rule in RULES]
        planted += [(rel, inc, [r for r in RULES if r.files == prefix])
                    for rel, inc, prefix in EXTRA_VIOLATIONS]
        for rel, include, expected in planted:
            if rel in FIXTURE_FILES or rel in FIXTURE_CLEAN:
                failures.append(f"{rel}: a planted violation must not edit a fixture file")
                continue
            write(rel, [include])  # on line 2
            fired = [v[4] for v in check(root) if v[0] == rel and v[1] == 2]
            if len(fired) != 1 or not any(fired[0] is r for r in expected):
                failures.append(f"{rel}: #include {include} fired "
                                f"{[r.describe() for r in fired]}, expected one of "
                                f"{[r.describe() for r in expected]}")
            os.remove(os.path.join(root, rel))
    for f in failures:
        print("self-test: " + f, file=sys.stderr)
    if failures:
        return 1
    print(f"check_layering --self-test: each of the {len(RULES)} rules (and "
          f"{len(EXTRA_VIOLATIONS)} more cases) fires on its planted include, the clean tree "
          "passes")
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 2 and sys.argv[1] == "--self-test":
        sys.exit(self_test())
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(run(sys.argv[1]))
