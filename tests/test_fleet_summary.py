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


def _chosen(yandex: int, files: int) -> list[Any]:
    from models.config import OrganisationConfig, SourceConfig

    orgs = []
    for i in range(yandex):
        src = SourceConfig(name="yandex", kind="yandex", external_id=str(i), base_url="replay")
        orgs.append((OrganisationConfig(code=f"o{i}", name=f"Орган {i}"), src))
    for i in range(files):
        src = SourceConfig(name="pos", kind="pos", path=f"drop/pos_{i}_*.xlsx")
        orgs.append((OrganisationConfig(code=f"f{i}", name=f"Орган {i}"), src))
    return orgs


@pytest.mark.parametrize(("yandex", "files", "size", "expected"), [
    (5, 0, None, [["o0/yandex", "o1/yandex", "o2/yandex", "o3/yandex", "o4/yandex"]]),
    (5, 0, 2, [["o0/yandex", "o1/yandex"], ["o2/yandex", "o3/yandex"], ["o4/yandex"]]),
    (2, 2, 5, [["o0/yandex", "o1/yandex"], ["f0/pos"], ["f1/pos"]]),
    (0, 1, None, [["f0/pos"]]),
    (0, 0, 3, []),
])
def test_sources_are_planned_in_batches_crawls_first(yandex: int, files: int, size: int | None,
                                                     expected: list[list[str]]) -> None:
    from flows.nightly import plan_sources

    tasks = plan_sources(_chosen(yandex, files), size)
    assert [payload["sources"] for _, payload in tasks] == expected
    assert {kind for kind, _ in tasks} <= {"sources"}
