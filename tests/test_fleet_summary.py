"""What `painmap nightly` says about a night shared by workers."""

from __future__ import annotations

from typing import Any

import pytest

from flows.commands.nightly import fleet_lines


@pytest.mark.parametrize(("fleet", "expected"), [
    ({}, []),
    ({"workers": {"w1": 7}, "taken_over": []}, []),
    ({"workers": {"w1": 5, "w2": 3}, "taken_over": []}, ["Рабочие: w1 — задач 5, w2 — задач 3."]),
    ({"workers": {"w1": 6},
      "taken_over": [{"sources": ["o1/yandex", "o2/yandex"], "from": ["w2"], "by": "w1"}]},
     ["Рабочий w2 потерян; его источники o1/yandex, o2/yandex заново обработал w1."]),
])
def test_fleet_lines(fleet: dict[str, Any], expected: list[str]) -> None:
    assert fleet_lines(fleet) == expected
