"""Helpers for the tools that generate TypeScript data modules (ziggurat tables, glibc constants)."""

import os


def number_rows(values, fmt=repr):
    """The values one per line, indented by two, each followed by a comma (as `deno fmt` lays out
    a long array literal, so generated files are already formatted)."""
    return "\n".join(f"  {fmt(v)}," for v in values)


def write_atomically(path, text):
    """Writes `text` to `path` through a temporary file and a rename."""
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)
