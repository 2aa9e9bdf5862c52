"""The indexed scenario every index test starts from."""

from __future__ import annotations

import pytest

from tests.index.factory import Scenario, build_scenario


@pytest.fixture
def scenario(tmp_path) -> Scenario:
    return build_scenario(tmp_path)
