"""auditor.yaml under fuzzing: any text is a config or one ConfigError at the file's line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from auditor.config import AuditorConfig, load_config
from auditor.errors import ConfigError
from tests.fuzz.mutations import damaged_text, fuzz_settings, mutated
from tests.fuzz.seeds import config_documents, config_texts


@pytest.fixture(scope="module")
def config_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One scratch auditor.yaml, rewritten by every example."""
    return tmp_path_factory.mktemp("config") / "auditor.yaml"


def _load(path: Path, text: str) -> AuditorConfig | ConfigError:
    path.write_text(text, encoding="utf-8")
    try:
        return load_config(path, environ={})
    except ConfigError as exc:
        return exc


def assert_located(outcome: AuditorConfig | ConfigError, path: Path, text: str) -> None:
    """A ConfigError names the file and a line in it (PyYAML puts an error at the end of the
    text on the line after the last)."""
    if isinstance(outcome, AuditorConfig):
        return
    assert outcome.path == str(path), outcome
    assert outcome.line is not None, outcome
    assert 1 <= outcome.line <= len(text.splitlines()) + 1, outcome


def _dump(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


@fuzz_settings(60)
@given(document=mutated(config_documents()))
def test_mutated_config_is_a_config_or_a_located_error(config_file: Path, document: Any) -> None:
    """A real config with fields deleted, retyped or replaced never escapes as a traceback."""
    text = _dump(document)
    assert_located(_load(config_file, text), config_file, text)


@fuzz_settings(60)
@given(text=damaged_text(config_texts()))
def test_damaged_config_text_is_a_config_or_a_located_error(config_file: Path, text: str) -> None:
    """Dropped, repeated and re-indented lines give a config or an error at a real line."""
    assert_located(_load(config_file, text), config_file, text)


@fuzz_settings(50)
@given(text=st.text(max_size=200))
def test_random_text_is_a_config_or_a_located_error(config_file: Path, text: str) -> None:
    """Arbitrary text, control characters included, is never an unexpected exception."""
    assert_located(_load(config_file, text), config_file, text)


def _round_trip(config_file: Path, config: AuditorConfig) -> None:
    text = _dump(config.model_dump(mode="json", exclude_unset=True, serialize_as_any=True))
    again = _load(config_file, text)
    assert again == config, f"{again}\n---\n{text}"


@fuzz_settings(60)
@given(document=mutated(config_documents(), max_mutations=2))
def test_a_config_that_loads_reloads_identically(config_file: Path, document: Any) -> None:
    """Any config that loads, written back out, loads to the same config."""
    loaded = _load(config_file, _dump(document))
    if isinstance(loaded, AuditorConfig):
        _round_trip(config_file, loaded)


_names = st.from_regex(r"[a-z0-9][a-z0-9_-]{0,12}", fullmatch=True)
_free_text = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1)
_waivers = st.lists(
    st.fixed_dictionaries(
        {
            "rule": _names,
            "resource": _free_text,
            "reason": _free_text,
            "owner": _free_text,
            "expires": st.dates().map(lambda d: d.isoformat()),
        },
        optional={"container": _free_text},
    ),
    max_size=3,
    unique_by=lambda w: (w["rule"], w["resource"], w.get("container", "")),
)
valid_configs = st.fixed_dictionaries(
    {},
    optional={
        "rules": st.fixed_dictionaries(
            {},
            optional={
                "bundled": st.booleans(),
                "disabled": st.lists(_names, max_size=3),
                "params": st.dictionaries(
                    _names, st.dictionaries(_names, st.integers() | _free_text, max_size=2)
                ),
            },
        ),
        "scan": st.fixed_dictionaries(
            {},
            optional={
                "fail_on": st.sampled_from(["critical", "high", "medium", "low", "info", "none"]),
                "cluster": _names,
            },
        ),
        "waivers": _waivers,
        "logging": st.fixed_dictionaries(
            {"level": st.sampled_from(["debug", "info", "warning", "error"])}
        ),
        "daemon": st.fixed_dictionaries(
            {
                "port": st.integers(0, 65535),
                "retention_days": st.integers(1, 10_000),
                "jitter_seconds": st.floats(0, 1e6),
            }
        ),
    },
)


@fuzz_settings(60)
@given(document=valid_configs)
def test_generated_valid_config_loads_and_round_trips(config_file: Path, document: Any) -> None:
    """A config built from the schema's valid values loads, and reloads to itself."""
    loaded = _load(config_file, _dump(document))
    assert isinstance(loaded, AuditorConfig), loaded
    _round_trip(config_file, loaded)


_env_names = st.lists(
    st.sampled_from(
        ["SCAN", "FAIL_ON", "DAEMON", "PORT", "NOTIFICATIONS", "SLACK", "RULES", "PARAMS",
         "SOURCES", "0", "NAME", "LOGGING", "LEVEL", "WAIVERS", "", "X"]
    ),
    min_size=0,
    max_size=4,
).map(lambda parts: "AUDITOR_" + "__".join(parts))  # fmt: skip
_env_values = st.one_of(
    st.sampled_from(["critical", "[a, b]", "{a: 1}", "true", "9464", ".inf", "[", "~", ""]),
    st.text(max_size=20),
)


@fuzz_settings(60)
@given(
    document=mutated(config_documents(), max_mutations=1),
    environ=st.dictionaries(_env_names, _env_values, max_size=3),
)
def test_environment_overrides_give_a_config_or_a_config_error(
    config_file: Path, document: Any, environ: dict[str, str]
) -> None:
    """AUDITOR_* variables over a config file: a config, or a ConfigError that names the file
    or the variable — never another exception."""
    config_file.write_text(_dump(document), encoding="utf-8")
    try:
        load_config(config_file, environ=environ)
    except ConfigError as exc:
        assert exc.path == str(config_file) or "AUDITOR_" in str(exc), exc
