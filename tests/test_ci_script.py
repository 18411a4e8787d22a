"""Static checks of the CI entry point `.ci/run` (it is exercised for real by CI itself)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

CI_RUN = Path(__file__).resolve().parent.parent / ".ci" / "run"


def test_ci_run_is_executable_bash() -> None:
    assert CI_RUN.is_file()
    assert os.access(CI_RUN, os.X_OK), ".ci/run must be executable (git mode 100755)"
    assert CI_RUN.read_text(encoding="utf-8").startswith("#!/usr/bin/env bash\n")
    subprocess.run(["bash", "-n", str(CI_RUN)], check=True)


def test_ci_run_defaults_to_make_test() -> None:
    text = CI_RUN.read_text(encoding="utf-8")
    assert "set -euo pipefail" in text
    assert '"${FINSAM_CI_TEST_COMMAND:-make test}"' in text
    assert "FINSAM_REQUIRE_POSTGRES=1" in text


@pytest.mark.skipif(shutil.which("shellcheck") is None, reason="shellcheck not installed")
def test_ci_run_passes_shellcheck() -> None:
    subprocess.run(["shellcheck", str(CI_RUN)], check=True)
