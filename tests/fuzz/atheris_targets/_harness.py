"""What both atheris targets share: a seed corpus written at run time from the repository's real
files, a dictionary of YAML tokens, and the libFuzzer argument handling.

`python tests/fuzz/atheris_targets/TARGET.py [libFuzzer flags] [CORPUS_DIR]`: without a corpus
directory a temporary one is made; an empty one is seeded. Nothing here is committed corpus.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]

# libFuzzer mutates bytes; tokens of the format let it splice in syntax, not just noise.
YAML_TOKENS = [
    "---", "...", "- ", ": ", "{", "}", "[", "]", ",", "&a ", "*a", "!!str ", "!!binary ", "? ",
    "|", ">", "~", "null", "true", "false", ".inf", ".nan", "0x1F", "1e999", "'", '"', "#",
    "apiVersion: v1", "kind: List", "kind: Deployment", "kind: Pod", "metadata:", "name:",
    "namespace:", "labels:", "spec:", "template:", "containers:", "image:", "items:",
    "replicas:", "securityContext:", "privileged: true", "rules:", "subjects:", "roleRef:",
    "id:", "when:", "message:", "cases:", "pass:", "fail:", "params:", "default:", "resource:",
    "evidence:", "escalations:", "severity: high", "category: ha", "{{", "}}", "resource.",
    "params.", ".exists(c, ", "re.search(", "timestamp(", "duration(", "&&", "||", "==",
]  # fmt: skip


def _write_dictionary(folder: Path) -> Path:
    path = folder / "yaml.dict"
    lines = [f'"{token.replace(chr(92), chr(92) * 2).replace(chr(34), chr(92) + chr(34))}"'
             for token in YAML_TOKENS]  # fmt: skip
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def prepare_argv(argv: list[str], seeds: Callable[[], Iterable[tuple[str, bytes]]]) -> list[str]:
    """`argv` with a seeded corpus directory and the YAML dictionary added where missing."""
    work = scratch_dir()
    args = list(argv)
    corpora = [a for a in args[1:] if not a.startswith("-")]
    if not corpora:
        corpus = work / "corpus"
        corpus.mkdir()
        args.append(str(corpus))
        corpora = [str(corpus)]
    first = Path(corpora[0])
    first.mkdir(parents=True, exist_ok=True)
    if not any(first.iterdir()):
        for name, data in seeds():
            (first / name).write_bytes(data)
    if not any(a.startswith("-dict=") for a in args):
        args.insert(1, f"-dict={_write_dictionary(work)}")
    return args


def line_count(data: bytes) -> int:
    """Lines as a reader of the file sees them: \\r and \\r\\n break lines too (an upper bound:
    splitlines also breaks on a few characters YAML does not)."""
    return len(data.decode("utf-8-sig", errors="replace").splitlines())


@cache
def scratch_dir() -> Path:
    """This run's scratch folder (a few KB: the dictionary, the input file, a default corpus).
    Each input is written as a file, so the loaders run exactly as for a user."""
    return Path(tempfile.mkdtemp(prefix="auditor-fuzz-"))


def run(
    argv: list[str],
    test_one_input: Callable[[bytes], None],
    seeds: Callable[[], Iterable[tuple[str, bytes]]],
) -> None:
    """Start atheris over `test_one_input` with the prepared arguments."""
    import atheris

    atheris.Setup(prepare_argv(argv, seeds), test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":  # pragma: no cover
    sys.exit("run manifests.py or rules.py")
