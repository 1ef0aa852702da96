"""A mistake in a playbook's own template is a located error, never a traceback."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import VALID_DEAL, run_playbook, snapshot


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        (
            '{% extends "base.html" %}\n{% block main %}\n{{ oops( }}\n{% endblock %}\n',
            "templates/404.html:3: template error while making 404.html: "
            "unexpected '}', expected ')'",
        ),
        (
            '{% extends "base.html" %}\n{% block main %}\n\n{{ nothing.here }}\n{% endblock %}\n',
            "templates/404.html:4: template error while making 404.html: 'nothing' is undefined",
        ),
        (
            '{% extends "base.html" %}\n{% block main %}\n{{ 1 / 0 }}\n{% endblock %}\n',
            "templates/404.html:3: template error while making 404.html: "
            "ZeroDivisionError: division by zero",
        ),
        (
            '{% include "404.html" %}\n',
            "templates/404.html:1: template error while making 404.html: "
            "templates include or extend each other in a loop",
        ),
        (
            '{% extends "bsae.html" %}\n',
            "templates/404.html:1: template error while making 404.html: "
            "there is no template 'bsae.html'",
        ),
    ],
)
def test_broken_template_is_reported_with_file_and_line(
    make_playbook: Callable[..., Path], template: str, expected: str
) -> None:
    root = make_playbook({"content/deals/acme.md": VALID_DEAL, "templates/404.html": template})
    (root / "site").mkdir()
    (root / "site" / ".playbook-site").write_text("old\n")
    before = snapshot(root / "site")
    result = run_playbook("build", root)
    assert result.returncode == 1
    assert result.stderr == f"{expected}\nplaybook: 1 error; nothing was written\n"
    assert snapshot(root / "site") == before
