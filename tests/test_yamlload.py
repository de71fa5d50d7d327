"""The YAML loader: plain values, locations, and every way a file can be refused."""

from __future__ import annotations

import time

import pytest

from martechgate.sources.yamlload import MAX_BYTES, load_bytes, load_text


def test_values_and_locations() -> None:
    loaded = load_text("id: canva\nvendor:\n  name: Canva\n  country: NO\nlist: [a, 2, 2.5, true, null]\n")
    assert loaded.ok and not loaded.problems
    assert loaded.value == {
        "id": "canva",
        "vendor": {"name": "Canva", "country": "NO"},
        "list": ["a", 2, 2.5, True, None],
    }
    assert loaded.where(("vendor", "country")) == (4, 12)
    assert loaded.where_key(("vendor", "country")) == (4, 3)
    assert loaded.where(("list", 1)) == (5, 11)
    # a missing field is located at its nearest existing parent
    assert loaded.where(("vendor", "website")) == (3, 3)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("yes", "yes"),
        ("on", "on"),
        ("NO", "NO"),
        ("2026-06-30", "2026-06-30"),
        ("0x1F", 31),
        ("0o17", 15),
        ("1_000", "1_000"),
        ("12:30", "12:30"),
        ("~", None),
        ("True", True),
        (".inf", ".inf"),
        ("99999999999999999999", "99999999999999999999"),
        ("-3", -3),
        ("1e3", 1000.0),
    ],
)
def test_yaml_1_2_core_resolution(text: str, expected: object) -> None:
    assert load_text(f"v: {text}\n").value == {"v": expected}


def test_quoted_scalars_stay_text() -> None:
    assert load_text("a: \"true\"\nb: '12'\n").value == {"a": "true", "b": "12"}


def test_duplicate_key_reported_at_second_key_and_first_kept() -> None:
    loaded = load_text("security:\n  sso: none\n  sso: saml\n")
    [problem] = loaded.problems
    assert problem.rule == "duplicate-key"
    assert (problem.line, problem.column) == (3, 3)
    assert "first at line 2" in problem.message
    assert loaded.value == {"security": {"sso": "none"}}


@pytest.mark.parametrize(
    "text",
    [
        "a: !!python/object/apply:os.system ['echo hi']\n",
        "!!python/object:collections.OrderedDict {}\n",
        "a: !!binary aGVsbG8=\n",
        "a: !custom 1\n",
        "a: !!set {x, y}\n",
    ],
)
def test_object_building_tags_refused(text: str) -> None:
    loaded = load_text(text)
    assert not loaded.ok
    assert loaded.problems[0].rule == "yaml-syntax"
    assert "not allowed" in loaded.problems[0].message


def test_billion_laughs_refused_fast() -> None:
    lines = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i, name in enumerate("bcdefghij"):
        previous = "abcdefghij"[i]
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
    started = time.perf_counter()
    loaded = load_text("\n".join(lines))
    assert time.perf_counter() - started < 1.0
    assert "alias bomb" in loaded.problems[0].message
    assert loaded.problems[0].line is not None


def test_recursive_alias_and_undefined_alias() -> None:
    assert "loop" in load_text("a: &a [*a]\n").problems[0].message
    assert "no anchor" in load_text("a: *nowhere\n").problems[0].message


def test_deep_nesting_refused_without_recursion() -> None:
    loaded = load_text("[" * 200_000)
    assert "nests deeper" in loaded.problems[0].message


def test_several_documents_refused() -> None:
    loaded = load_text("id: a\n---\nid: b\n")
    assert "several YAML documents" in loaded.problems[0].message
    assert loaded.problems[0].line == 2


def test_syntax_error_located() -> None:
    loaded = load_text('id: canva\nname: "Canva\nx: 1\n')
    assert loaded.problems[0].rule == "yaml-syntax"
    assert loaded.problems[0].line is not None


def test_non_utf8_located() -> None:
    loaded = load_bytes(b"id: canva\nname: Caf\xe9\n")
    problem = loaded.problems[0]
    assert (problem.rule, problem.line, problem.column) == ("yaml-syntax", 2, 10)
    assert "UTF-8" in problem.message


def test_binary_refused() -> None:
    assert load_bytes(b"id: a\n\x00\x01").problems[0].rule == "file-refused"


def test_bom_and_crlf_accepted() -> None:
    assert load_bytes(b"\xef\xbb\xbfid: a\r\nname: B\r\n").value == {"id": "a", "name": "B"}


def test_size_limit() -> None:
    loaded = load_bytes(b"a: " + b"x" * (MAX_BYTES + 1))
    assert loaded.problems[0].rule == "file-refused"
    assert "over the limit" in loaded.problems[0].message


def test_empty_and_comment_only_are_null() -> None:
    for text in ("", "# nothing\n"):
        loaded = load_text(text)
        assert loaded.ok and loaded.value is None


def test_merge_keys() -> None:
    loaded = load_text("base: &b {sso: saml, mfa: enforced}\nsecurity:\n  <<: *b\n  mfa: none\n")
    assert loaded.value["security"] == {"sso": "saml", "mfa": "none"}
    assert not loaded.problems


def test_complex_key_refused() -> None:
    assert "plain text" in load_text("? [a, b]\n: 1\n").problems[0].message


def test_control_character_is_a_problem_not_a_crash() -> None:
    loaded = load_text("a: \x07bell\n")
    assert loaded.problems and loaded.problems[0].rule == "yaml-syntax"
