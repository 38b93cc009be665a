# Copyright (c) 2026, moat.nodered developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Tests for scripts/role-reference.py, and a check that docs/roles/ matches the roles' specs."""

from __future__ import annotations

import importlib.machinery
import importlib.util
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from ansible_collections.moat.nodered.tests.unit.hostile_inputs import HOSTILE_STRINGS

REPOSITORY_ROOT = Path(__file__).resolve().parents[2]
SCRIPT = REPOSITORY_ROOT / "scripts" / "role-reference.py"


def load_generator():
    loader = importlib.machinery.SourceFileLoader("moat_role_reference", str(SCRIPT))
    spec = importlib.util.spec_from_loader(loader.name, loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules[loader.name] = module
    loader.exec_module(module)
    return module


generator = load_generator()

# A role spec that uses every feature the generator prints. The option order is not
# alphabetical on purpose: the pages keep the order of the file.
DEMO_SPEC = textwrap.dedent(
    """\
    ---
    argument_specs:
      main:
        short_description: Run the demo service | behind a C(proxy)
        description:
          - First paragraph with C(demo_port) and O(demo_mode=fast).
          - Second paragraph.
        options:
          demo_port:
            type: int
            default: 8080
            description: TCP port.
          demo_mode:
            type: str
            default: slow
            choices: [slow, fast]
            description: Speed of the demo.
          demo_enabled:
            type: bool
            default: false
            description: Turn the demo on.
          demo_name:
            type: str
            default: ""
            description: Empty means the host name.
          demo_untyped:
            default: plain
            description: An option without a type.
          demo_computed:
            type: str
            description: Defaults to C(moat_domain) in defaults/main.yml.
          demo_token:
            type: str
            required: true
            no_log: true
            description: Secret token.
          demo_sizes:
            type: int
            default: 3072
            choices: [2048, 3072]
            description: Key size in bits.
          demo_tags:
            type: list
            elements: str
            default: []
            description: Extra tags.
          demo_labels:
            type: dict
            default: {}
            description: Extra labels.
          demo_users:
            type: list
            elements: dict
            required: true
            description: Users of the demo.
            options:
              username:
                type: str
                required: true
                description: Login name.
              profile:
                type: dict
                description: Profile of the user.
                options:
                  shell:
                    type: path
                    default: /bin/sh
                    description: Login shell.
    """
)


def write_role(roles_dir: Path, role: str, text: str) -> None:
    meta = roles_dir / role / "meta"
    meta.mkdir(parents=True)
    (meta / "argument_specs.yml").write_text(text, encoding="utf-8")


@pytest.fixture()
def demo_roles(tmp_path: Path) -> Path:
    roles_dir = tmp_path / "roles"
    write_role(roles_dir, "demo", DEMO_SPEC)
    return roles_dir


@pytest.fixture()
def demo_page(demo_roles: Path) -> str:
    return generator.build_reference(demo_roles)["demo.md"]


def option_section(page: str, path: str) -> list[str]:
    """Return the lines of one option's section, from its heading to the next heading."""
    lines = page.splitlines()
    heading = next(index for index, line in enumerate(lines) if line.lstrip("#").strip() == f"`{path}`")
    end = next((index for index in range(heading + 1, len(lines)) if lines[index].startswith("#")), len(lines))
    return lines[heading:end]


def run_generator(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *arguments],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


# The repository's own reference.


def test_repository_reference_is_current():
    expected = generator.build_reference(REPOSITORY_ROOT / "roles")
    problems = generator.find_stale(expected, REPOSITORY_ROOT / "docs" / "roles")
    assert problems == [], "run scripts/role-reference.py to regenerate docs/roles: " + "; ".join(problems)


def test_repository_check_command_passes():
    result = run_generator("--check")
    assert result.returncode == 0, f"scripts/role-reference.py --check failed:\n{result.stderr}"


def test_repository_has_page_per_role():
    roles = sorted(path.name for path in (REPOSITORY_ROOT / "roles").iterdir() if path.is_dir())
    pages = sorted(path.stem for path in (REPOSITORY_ROOT / "docs" / "roles").glob("*.md") if path.name != "README.md")
    assert pages == roles


# Rendering of single options.


@pytest.mark.parametrize(
    ("path", "line"),
    [
        ("demo_port", "- Type: `int`"),
        ("demo_port", "- Default: `8080`"),
        ("demo_port", "- Required: no"),
        ("demo_mode", "- Default: `slow`"),
        ("demo_mode", "- Choices: `slow`, `fast`"),
        ("demo_enabled", "- Type: `bool`"),
        ("demo_enabled", "- Default: `false`"),
        ("demo_name", '- Default: `""`'),
        ("demo_untyped", "- Type: `str` (not set in the spec, so Ansible takes `str`)"),
        ("demo_computed", "- Default: not set in the spec"),
        ("demo_token", "- Required: yes"),
        ("demo_token", "- Default: none, because the option is required"),
        ("demo_token", "- Hidden from logs (`no_log`): yes"),
        ("demo_sizes", "- Choices: `2048`, `3072`"),
        ("demo_tags", "- Type: `list`"),
        ("demo_tags", "- Elements: `str`"),
        ("demo_tags", "- Default: `[]`"),
        ("demo_labels", "- Type: `dict`"),
        ("demo_labels", "- Default: `{}`"),
        ("demo_users", "- Elements: `dict`"),
        ("demo_users", "Each element of `demo_users` takes these keys:"),
        ("demo_users.username", "- Required: yes"),
        ("demo_users.profile", "`demo_users.profile` takes these keys:"),
        ("demo_users.profile.shell", "- Type: `path`"),
        ("demo_users.profile.shell", "- Default: `/bin/sh`"),
    ],
)
def test_option_line(demo_page, path, line):
    assert line in option_section(demo_page, path)


@pytest.mark.parametrize(
    ("path", "absent"),
    [
        ("demo_port", "- Elements:"),
        ("demo_port", "- Choices:"),
        ("demo_port", "- Hidden from logs"),
        ("demo_mode", "- Required: yes"),
    ],
)
def test_option_leaves_out_unset_fields(demo_page, path, absent):
    assert not any(line.startswith(absent) for line in option_section(demo_page, path))


@pytest.mark.parametrize(
    ("path", "heading"),
    [
        ("demo_users", "### `demo_users`"),
        ("demo_users.username", "#### `demo_users.username`"),
        ("demo_users.profile.shell", "##### `demo_users.profile.shell`"),
    ],
)
def test_suboption_heading_depth(demo_page, path, heading):
    assert option_section(demo_page, path)[0] == heading


def test_option_description_paragraph(demo_page):
    assert option_section(demo_page, "demo_computed")[-2] == "Defaults to `moat_domain` in defaults/main.yml."


def test_options_keep_spec_order(demo_page):
    headings = [line.split("`")[1] for line in demo_page.splitlines() if line.startswith("### ")]
    assert headings == [
        "demo_port",
        "demo_mode",
        "demo_enabled",
        "demo_name",
        "demo_untyped",
        "demo_computed",
        "demo_token",
        "demo_sizes",
        "demo_tags",
        "demo_labels",
        "demo_users",
    ]


def test_page_header(demo_page):
    lines = demo_page.splitlines()
    assert lines[0].startswith("<!-- Generated by scripts/role-reference.py from roles/demo/meta/argument_specs.yml.")
    assert lines[2] == "# moat.nodered.demo"
    assert lines[4] == "Run the demo service \\| behind a `proxy`"


def test_description_list_becomes_paragraphs(demo_page):
    lines = demo_page.splitlines()
    first = lines.index("First paragraph with `demo_port` and `demo_mode=fast`.")
    assert lines[first + 1 : first + 3] == ["", "Second paragraph."]


def test_page_ends_with_one_newline(demo_page):
    assert demo_page.endswith("\n")
    assert not demo_page.endswith("\n\n")


# Values and markup.


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, "`null`"),
        (True, "`true`"),
        (0, "`0`"),
        (1.5, "`1.5`"),
        ("nginx", "`nginx`"),
        ("", '`""`'),
        ("*", '`"*"`'),
        ("yes", '`"yes"`'),
        ("0640", '`"0640"`'),
        ("1.0", '`"1.0"`'),
        ("4.1.15", "`4.1.15`"),
        (" padded ", '`" padded "`'),
        ("a # b", '`"a # b"`'),
        ("a`b", "``a`b``"),
        ("end`", "`` end` ``"),
        ("`start", "``\"`start\"``"),
        ("line\nbreak", '`"line\\nbreak"`'),
        ("Grüße", "`Grüße`"),
        ("admin\u202etxt", '`"admin\\u202etxt"`'),
        (["a", 1], '`["a", 1]`'),
        ({"date": "2026-01-01"}, '`{"date": "2026-01-01"}`'),
    ],
)
def test_format_value(value, expected):
    assert generator.format_value(value) == expected


def span_content(span: str) -> str:
    """Return the text inside a code span as a Markdown reader shows it."""
    fence = len(span) - len(span.lstrip("`"))
    inner = span[fence:-fence]
    if inner.startswith(" ") and inner.endswith(" ") and inner.strip():
        inner = inner[1:-1]
    return inner


@pytest.mark.parametrize("value", list(HOSTILE_STRINGS.values()), ids=list(HOSTILE_STRINGS))
def test_hostile_default_reads_back(value):
    displayed_text = span_content(generator.format_value(value))
    assert "\n" not in displayed_text
    if displayed_text.startswith('"'):
        assert json.loads(displayed_text) == value
    else:
        assert yaml.safe_load(displayed_text) == value


@pytest.mark.parametrize("value", list(HOSTILE_STRINGS.values()), ids=list(HOSTILE_STRINGS))
def test_hostile_default_shows_visible_characters(value):
    displayed_text = span_content(generator.format_value(value))
    assert displayed_text.isprintable()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Set C(x=1).", "Set `x=1`."),
        ("See O(demo_port) and V(fast).", "See `demo_port` and `fast`."),
        ("Reads E(HOME) and RV(result).", "Reads `HOME` and `result`."),
        ("Uses M(ansible.builtin.copy).", "Uses `ansible.builtin.copy`."),
        ("An I(italic) and a B(bold) word.", "An *italic* and a **bold** word."),
        ("Go to U(https://example.com/).", "Go to <https://example.com/>."),
        ("Read L(the guide, https://example.com/guide).", "Read [the guide](https://example.com/guide)."),
        ("Code C(a`b) keeps backticks.", "Code ``a`b`` keeps backticks."),
        ("Plain *stars*, _under_scores_ and <tags>.", "Plain \\*stars\\*, \\_under\\_scores\\_ and \\<tags\\>."),
        ("ABC(x) is not markup.", "ABC(x) is not markup."),
    ],
)
def test_render_markup(text, expected):
    assert generator.render_markup(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("# not a heading", "\\# not a heading"),
        ("- not a list", "\\- not a list"),
        ("1. not a list", "\\1. not a list"),
        ("folded\n  across   lines", "folded across lines"),
    ],
)
def test_paragraph_start_is_escaped(text, expected):
    assert generator.paragraphs([text]) == [expected]


# Errors.


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (
            "argument_specs:\n  main:\n    options:\n      demo_port:\n        type: int\n",
            "roles/broken/meta/argument_specs.yml: option demo_port has no description. "
            "Add one, because the role reference prints it.",
        ),
        (
            "argument_specs:\n  main:\n    options:\n      demo_port:\n        type: int\n        description: []\n",
            "roles/broken/meta/argument_specs.yml: option demo_port has no description. "
            "Add one, because the role reference prints it.",
        ),
        (
            "argument_specs:\n  main:\n    options:\n      demo_users:\n        type: list\n"
            "        description: Users.\n        options:\n          name:\n            type: str\n",
            "roles/broken/meta/argument_specs.yml: option demo_users.name has no description. "
            "Add one, because the role reference prints it.",
        ),
        (
            "argument_specs:\n  main:\n    options:\n      demo_port: 8080\n",
            "roles/broken/meta/argument_specs.yml: option demo_port must be a mapping, got int",
        ),
        (
            "argument_specs:\n  main:\n    options: [demo_port]\n",
            "roles/broken/meta/argument_specs.yml: options of entry point main must be a mapping, got list",
        ),
        (
            "argument_specs: {}\n",
            "roles/broken/meta/argument_specs.yml has no argument_specs mapping with at least one entry point",
        ),
        (
            "options: {}\n",
            "roles/broken/meta/argument_specs.yml has no argument_specs mapping with at least one entry point",
        ),
    ],
)
def test_invalid_spec_message(tmp_path, spec, message):
    roles_dir = tmp_path / "roles"
    write_role(roles_dir, "broken", spec)
    with pytest.raises(generator.SpecError) as error:
        generator.build_reference(roles_dir)
    assert str(error.value) == message


def test_invalid_yaml_names_file(tmp_path):
    roles_dir = tmp_path / "roles"
    write_role(roles_dir, "broken", "argument_specs: [unclosed\n")
    with pytest.raises(generator.SpecError) as error:
        generator.build_reference(roles_dir)
    assert str(error.value).startswith(f"{roles_dir / 'broken' / 'meta' / 'argument_specs.yml'} is not valid YAML: ")


def test_role_without_spec_is_rejected(tmp_path):
    roles_dir = tmp_path / "roles"
    (roles_dir / "bare" / "tasks").mkdir(parents=True)
    with pytest.raises(generator.SpecError) as error:
        generator.build_reference(roles_dir)
    assert str(error.value) == (
        f"{roles_dir / 'bare' / 'meta' / 'argument_specs.yml'} is missing, but every role needs one for the role reference"
    )


# Several roles, entry points and the index.


def test_index_lists_roles_in_name_order(tmp_path):
    roles_dir = tmp_path / "roles"
    write_role(roles_dir, "zeta", DEMO_SPEC)
    write_role(roles_dir, "alpha", DEMO_SPEC)
    index = generator.build_reference(roles_dir)["README.md"]
    rows = [line for line in index.splitlines() if line.startswith("| [")]
    assert rows == [
        "| [`moat.nodered.alpha`](alpha.md) | Run the demo service \\| behind a `proxy` | 14 |",
        "| [`moat.nodered.zeta`](zeta.md) | Run the demo service \\| behind a `proxy` | 14 |",
    ]


def test_index_escapes_pipe_in_code_span(tmp_path):
    roles_dir = tmp_path / "roles"
    write_role(roles_dir, "pipes", "argument_specs:\n  main:\n    short_description: Join C(a|b)\n    options: {}\n")
    index = generator.build_reference(roles_dir)["README.md"]
    assert "| [`moat.nodered.pipes`](pipes.md) | Join `a\\|b` | 0 |" in index.splitlines()


def test_second_entry_point_gets_own_section(tmp_path):
    roles_dir = tmp_path / "roles"
    spec = DEMO_SPEC + textwrap.indent(
        "check:\n  short_description: Check the demo\n  options:\n    check_depth:\n"
        "      type: int\n      default: 1\n      description: How deep.\n",
        "  ",
    )
    write_role(roles_dir, "demo", spec)
    page = generator.build_reference(roles_dir)["demo.md"]
    lines = page.splitlines()
    assert lines.index("## Entry point `main`") < lines.index("## Entry point `check`")
    assert option_section(page, "check_depth")[0] == "#### `check_depth`"


def test_constraints_are_listed(tmp_path):
    roles_dir = tmp_path / "roles"
    spec = DEMO_SPEC + "    mutually_exclusive:\n      - [demo_tags, demo_labels]\n"
    write_role(roles_dir, "demo", spec)
    page = generator.build_reference(roles_dir)["demo.md"]
    assert '- `mutually_exclusive`: `["demo_tags", "demo_labels"]`' in page.splitlines()


def test_output_is_deterministic(demo_roles):
    assert generator.build_reference(demo_roles) == generator.build_reference(demo_roles)


# Writing and the check mode, through the command line.


def test_check_reports_missing_files(demo_roles, tmp_path):
    output = tmp_path / "out"
    result = run_generator("--check", "--roles-dir", str(demo_roles), "--output-dir", str(output))
    assert result.returncode == 1
    assert f"{output / 'demo.md'} is missing" in result.stderr
    assert f"{output / 'README.md'} is missing" in result.stderr


def test_check_passes_after_writing(demo_roles, tmp_path):
    output = tmp_path / "out"
    written = run_generator("--roles-dir", str(demo_roles), "--output-dir", str(output))
    assert written.returncode == 0, written.stderr
    checked = run_generator("--check", "--roles-dir", str(demo_roles), "--output-dir", str(output))
    assert checked.returncode == 0, checked.stderr


def test_check_names_edited_page(demo_roles, tmp_path):
    output = tmp_path / "out"
    generator.write_reference(generator.build_reference(demo_roles), output)
    page = output / "demo.md"
    page.write_text(page.read_text(encoding="utf-8") + "Hand-written line.\n", encoding="utf-8")
    result = run_generator("--check", "--roles-dir", str(demo_roles), "--output-dir", str(output))
    assert result.returncode == 1
    assert f"{page} differs from what the specs produce" in result.stderr
    assert "README.md" not in result.stderr


def test_check_names_page_after_spec_change(demo_roles, tmp_path):
    output = tmp_path / "out"
    generator.write_reference(generator.build_reference(demo_roles), output)
    spec_file = demo_roles / "demo" / "meta" / "argument_specs.yml"
    spec_file.write_text(spec_file.read_text(encoding="utf-8").replace("default: 8080", "default: 8081"), encoding="utf-8")
    result = run_generator("--check", "--roles-dir", str(demo_roles), "--output-dir", str(output))
    assert result.returncode == 1
    assert f"{output / 'demo.md'} differs from what the specs produce" in result.stderr


def test_check_names_page_without_role(demo_roles, tmp_path):
    output = tmp_path / "out"
    generator.write_reference(generator.build_reference(demo_roles), output)
    (output / "removed.md").write_text("old page\n", encoding="utf-8")
    result = run_generator("--check", "--roles-dir", str(demo_roles), "--output-dir", str(output))
    assert result.returncode == 1
    assert f"{output / 'removed.md'} is not produced by any role's spec" in result.stderr


def test_check_writes_nothing(demo_roles, tmp_path):
    output = tmp_path / "out"
    run_generator("--check", "--roles-dir", str(demo_roles), "--output-dir", str(output))
    assert not output.exists()


def test_write_removes_page_without_role(demo_roles, tmp_path):
    output = tmp_path / "out"
    output.mkdir()
    (output / "removed.md").write_text("old page\n", encoding="utf-8")
    (output / "notes.txt").write_text("kept\n", encoding="utf-8")
    result = run_generator("--roles-dir", str(demo_roles), "--output-dir", str(output))
    assert result.returncode == 0, result.stderr
    assert sorted(path.name for path in output.iterdir()) == ["README.md", "demo.md", "notes.txt"]


def test_second_write_changes_nothing(demo_roles, tmp_path):
    output = tmp_path / "out"
    generator.write_reference(generator.build_reference(demo_roles), output)
    assert generator.write_reference(generator.build_reference(demo_roles), output) == []


def test_invalid_spec_exit_code(tmp_path):
    roles_dir = tmp_path / "roles"
    write_role(roles_dir, "broken", "argument_specs:\n  main:\n    options:\n      demo_port:\n        type: int\n")
    result = run_generator("--check", "--roles-dir", str(roles_dir), "--output-dir", str(tmp_path / "out"))
    assert result.returncode == 2
    assert "option demo_port has no description" in result.stderr
