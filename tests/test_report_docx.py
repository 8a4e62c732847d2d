"""The DOCX report of п. 5.2: its six sections, the numbers against the scoring modules,
the Методика's tables 3, 3.1, 4 and 5, consecutive diagrams, masked quotes only, the
«справочная информация» of an office with fewer than 50 requests, recommendations."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from practice_fixtures import APPROVED, REGULATIONS, SERVICES, coefficient, summary_values
from report_fixtures import (
    BOOKING,
    ORGS,
    PHONE_CLEARED,
    QUEUE_BEST,
    QUEUE_PRAISE,
    RAW_NAME,
    RAW_PHONE,
    REGION,
    RUDE_MASKED,
    RUDE_RAW,
    THANKED,
    BuiltReport,
    archive_strings,
    built_report,
    find_tables,
    headings,
    section,
    table_rows,
)

from reports.recommendations import load_rules
from reports.text import integer, number, percent
from vocabulary.categories import CATEGORY_NAMES
from vocabulary.channels import CHANNEL_NAMES

__all__ = ["built_report"]

SECTION_STARTS = ["1. Введение", "2. Анализ обратной связи", "3. Анализ практики", "4. Анализ эффективности",
                  "5. Сравнение", "6. Рекомендации", "Справочная информация"]


def test_six_sections_of_p_5_2_then_the_reference_section(built_report: BuiltReport) -> None:
    found = headings(built_report.doc)
    assert len(found) == len(SECTION_STARTS)
    for heading, start in zip(found, SECTION_STARTS, strict=True):
        assert heading.startswith(start)


def test_title_names_the_region_and_the_period(built_report: BuiltReport) -> None:
    first = [p.text for p in built_report.doc.paragraphs[:4]]
    assert "ОТЧЕТ О РЕЗУЛЬТАТАХ" in first[0]
    assert REGION in first and "за 2025 год" in first


def test_yandex_kud_by_hand_and_overall_kud(built_report: BuiltReport) -> None:
    # ЗАГС, Yandex 2025: (1+2+2+3+5+2+1+4+4+4) / 10 = 2.8 → 56 %; 2024: 3.4 → 68 %.
    text = built_report.text()
    # 10 ratings: the figure is given, «мало данных» instead of a level (fewer than 30)
    assert "10 оценок, средняя 2,8 балла (56,00%) — мало данных для выводов (менее 30 оценок)" in text
    zags = built_report.scores["zags"]
    assert zags.previous.k_ud == pytest.approx(68.0)
    assert f"Куд = {percent(zags.current.k_ud)}" in text
    moved = f"Куд увеличился на {number(zags.current.k_ud - 68.0)} п. п. (с 68,00% до "
    assert moved in text.replace("\xa0", " ")


@pytest.mark.parametrize("code", ["zags", "szn"])
def test_channel_table_matches_the_scores(built_report: BuiltReport, code: str) -> None:
    (rows,) = find_tables(built_report.doc, "Орган", "Канал обратной связи")
    scores = built_report.scores[code]
    mine = {r[1]: r for r in rows if r[0] == ORGS[code]}
    for c in scores.current.channels:
        row = mine[CHANNEL_NAMES[c.channel]]
        assert row[2] == integer(c.n)
        assert row[4] == number(c.k_ud)
        assert row[5] == (f"мало данных (n = {c.n})" if c.n < 30 else c.level)
    total = mine["Итого: Куд органа (среднее по каналам)"]
    assert total[4] == number(scores.current.k_ud)


def test_table3_lists_the_services_as_stored(built_report: BuiltReport) -> None:
    (rows,) = find_tables(built_report.doc, "№ п/п", "Наименование муниципальной услуги",
                          "Количество муниципальных служащих, участвующих в предоставлении услуги")
    assert rows[1][4:7] == ["Рассмотрено в установленные сроки", "Рассмотрено с нарушением сроков",
                            "Количество отказов в приеме документов или в предоставлении услуги"]
    assert rows[2] == [str(i) for i in range(1, 14)]
    body = rows[3:3 + len(SERVICES)]
    for i, (row, svc) in enumerate(zip(body, SERVICES, strict=True), start=1):
        assert row[0] == str(i) and row[1] == svc.name
        assert row[3] == integer(svc.requests) and row[4] == integer(svc.on_time)
        assert row[7] == ("да" if svc.prebooking else "нет")
        assert row[10] == integer(svc.via_epgu) and row[12] == integer(svc.via_mfc)
    assert rows[-1][1] == "Итого" and rows[-1][3] == integer(sum(s.requests for s in SERVICES))


def test_table31_shows_the_summary(built_report: BuiltReport) -> None:
    (rows,) = find_tables(built_report.doc, "Показатель", "Значение")[:1]
    values = summary_values(SERVICES, APPROVED)
    keys = ("services", "electronic_services", "mfc_services", "prebooking_services", "staff", "requests",
            "via_epgu", "via_mfc", "on_time", "complaints", "regulations")
    assert [r[1] for r in rows[1:]] == [integer(values[k]) for k in keys]
    assert "за 2025 год" in rows[6][0]


def test_table4_indicators_and_kpr_from_scoring(built_report: BuiltReport) -> None:
    (rows,) = find_tables(built_report.doc, "№ п/п", "Показатель качества", "Индикаторы")
    r = built_report.scores["zags"].current.practice.result
    assert r is not None
    values = [row[3] for row in rows[1:]]
    assert values[:10] == [number(v) for v in (r.d_u, r.d_z, r.k_mnk, r.d_mu, r.d_pz, r.d_zh, r.u_s, r.d_ar,
                                                r.k_kach, r.u_ar)]
    assert values[10] == number(r.k_pr) == "68,14"  # the hand-computed example of test_scoring_practice
    assert rows[-1][2] == r.levels["k_pr"]


def test_table5_coefficients(built_report: BuiltReport) -> None:
    (rows,) = find_tables(built_report.doc, "Наименование муниципальной услуги",
                          "Соответствие административного регламента требованиям законодательства РФ")
    body = rows[2:2 + len(REGULATIONS)]
    assert [row[0] for row in body] == [r.name for r in REGULATIONS]
    assert [row[4] for row in body] == [number(coefficient(r)) for r in REGULATIONS]
    assert rows[-1][0] == "Итог:" and rows[-1][4] == number(sum(map(coefficient, REGULATIONS)) / 4)


def test_kef_and_levels(built_report: BuiltReport) -> None:
    (rows,) = find_tables(built_report.doc, "Орган", "Куд, %", "Кпр, %", "Кэф, %")
    zags = built_report.scores["zags"].current
    row = next(r for r in rows if r[0] == ORGS["zags"])
    assert row[1:] == [number(zags.k_ud), number(zags.k_pr), number(zags.k_ef), zags.levels()["k_ef"]]
    szn = next(r for r in rows if r[0] == ORGS["szn"])
    assert szn[2] == szn[3] == "—"


def test_diagrams_are_numbered_consecutively_under_each_picture(built_report: BuiltReport) -> None:
    captions = [p.text for p in built_report.doc.paragraphs if p.text.startswith("Диаграмма ")]
    numbers = [int(re.match(r"Диаграмма (\d+)\. «.+»$", c).group(1)) for c in captions]  # type: ignore[union-attr]
    assert numbers == list(range(1, len(captions) + 1))
    assert len(built_report.doc.inline_shapes) == len(captions) == built_report.built.figures
    assert any("Карта болей" in c for c in captions)


def test_pain_map_table_matches_the_pain_map(built_report: BuiltReport) -> None:
    (rows,) = find_tables(built_report.doc, "Категория жалоб")
    column = rows[0].index(ORGS["zags"])
    cells = built_report.pains["zags"].cells
    by_name = {row[0]: row[column] for row in rows[1:]}
    assert by_name[CATEGORY_NAMES["queue"]] == f"{number(cells['queue'].share)} ({cells['queue'].count})"
    assert by_name[CATEGORY_NAMES["queue"]] == "55,56 (5)"  # 5 of the 9 texts
    assert by_name[CATEGORY_NAMES["phone"]] == "—"  # the analyst removed the model's label
    assert ORGS["arch"] not in rows[0]  # not monitored: no feedback analysis


def test_quotes_are_masked_and_representative(built_report: BuiltReport) -> None:
    text = built_report.text()
    causes = section(text, "2.4.", "3. Анализ практики")
    assert f"«{RUDE_MASKED}»" in causes
    assert f"«{QUEUE_BEST}»" in causes  # the most certain clean complaint about queues
    assert f"«{BOOKING}»" in causes
    assert QUEUE_PRAISE not in text  # praise is never quoted as a complaint
    assert PHONE_CLEARED not in text  # the analyst's correction removed its pain
    assert "Очередь огромная." not in causes  # too short while longer ones exist
    for path in (built_report.built.docx, built_report.built.xlsx):
        package = archive_strings(path)
        for raw in (RAW_NAME, RAW_PHONE, "Иванова", "912 345", RUDE_RAW):
            assert raw not in package


def test_reference_section_for_an_office_below_50_requests(built_report: BuiltReport) -> None:
    text = built_report.text()
    reference = section(text, "Справочная информация о работе органов", None)
    assert ORGS["arch"] in reference
    assert "поступило 30 заявлений (менее 50, п. 4.4 Методики)" in reference
    (rows,) = find_tables(built_report.doc, "Показатель", "Значение")[-1:]
    values = dict(rows[1:])
    assert values["Количество заявлений, поступивших на предоставление муниципальных услуг"] == "30"
    assert values["Количество заявлений, рассмотренных в установленный срок"] == "29"
    practice = section(text, "3. Анализ практики", "4. Анализ эффективности")
    assert f"3.1. {ORGS['arch']}" not in practice and f"3.2. {ORGS['arch']}" not in practice
    assert ORGS["arch"] not in section(text, "4. Анализ эффективности", "6. Рекомендации")


def test_office_without_practice_data(built_report: BuiltReport) -> None:
    practice = section(built_report.text(), "3. Анализ практики", "4. Анализ эффективности")
    assert f"{ORGS['szn']}\nНет данных о практике за 2025 год" in practice


@pytest.mark.parametrize(("key", "org", "fires"), [
    ("phone", "szn", True),  # 3 of 3 texts
    ("queue", "zags", True),  # 5 of 9
    ("booking", "zags", True),  # 2 of 9: the e-queue terminal
    ("rudeness", "zags", False),  # a single text is not a pattern (min_count 2)
])
def test_recommendations_follow_the_pains(built_report: BuiltReport, key: str, org: str, fires: bool) -> None:
    rule = next(r for r in load_rules().pains if r.category == key)
    recs = section(built_report.text(), "6. Рекомендации", "Справочная информация")
    assert (rule.text in recs) is fires
    if fires:
        after = recs[recs.index(rule.text):]
        basis = after[:after.index("\n", after.index("Основание"))]
        assert ORGS[org] in basis and CATEGORY_NAMES[key] in basis


@pytest.mark.parametrize("key", ["k_ud", "k_mnk", "u_s", "u_ar"])
def test_recommendations_follow_weak_indicators(built_report: BuiltReport, key: str) -> None:
    rule = next(r for r in load_rules().indicators if r.indicator == key)
    zags = built_report.scores["zags"].current
    value = zags.k_ud if key == "k_ud" else getattr(zags.practice.result, key)
    recs = section(built_report.text(), "6. Рекомендации", "Справочная информация")
    assert (rule.text in recs) is (value < rule.below)


# --- print layout ------------------------------------------------------------------------------

def _captions(doc: Any) -> list[str]:
    return [p.text for p in doc.paragraphs if re.match(r"Таблица \d+\. ", p.text)]


def test_tables_are_numbered_once_in_order(built_report: BuiltReport) -> None:
    captions = _captions(built_report.doc)
    numbers = [int(re.match(r"Таблица (\d+)\.", c).group(1)) for c in captions]  # type: ignore[union-attr]
    assert numbers == list(range(1, len(built_report.doc.tables) + 1))
    assert any(c.endswith("(форма таблицы 3 Методики)") for c in captions)  # the Методика's form is named


def test_no_header_word_is_broken(built_report: BuiltReport) -> None:
    """Every header cell of one column is at least as wide as its longest word needs."""
    from reports.docx_writer import min_width_cm

    for table in built_report.doc.tables:
        header = table.rows[0]
        for cell in header.cells:
            props = cell._tc.tcPr
            if props is None or props.gridSpan not in (None, 1) or not cell.text.strip():
                continue
            size = cell.paragraphs[0].runs[0].font.size.pt
            width_cm = cell.width.cm
            assert width_cm + 0.01 >= min_width_cm(cell.text, size), (cell.text, width_cm)  # twips round


def test_rows_never_split_and_tables_end_with_three_rows_together(built_report: BuiltReport) -> None:
    from docx.oxml.ns import qn

    for table in built_report.doc.tables:
        rows = table.rows
        assert all(r._tr.trPr is not None and r._tr.trPr.find(qn("w:cantSplit")) is not None for r in rows)
        kept = [all(p.paragraph_format.keep_with_next for c in r.cells for p in c.paragraphs) for r in rows]
        assert not kept[-1]  # the table lets the text after it go its way
        assert all(kept[-4:-1]) if len(rows) >= 4 else all(kept[:-1])


def test_office_names_are_merged_not_repeated(built_report: BuiltReport) -> None:
    (rows,) = find_tables(built_report.doc, "Орган", "Канал обратной связи")
    table = next(t for t in built_report.doc.tables if table_rows(t) == rows)
    first = [r.cells[0]._tc for r in table.rows[1:]]
    assert len(set(map(id, first))) < len(first)  # merged: several rows share one cell
    assert len({id(tc) for tc in first}) == len(ORGS) - 1  # one cell per monitored office


def test_tiny_samples_are_marked_in_the_channel_table(built_report: BuiltReport) -> None:
    (rows,) = find_tables(built_report.doc, "Орган", "Канал обратной связи")
    for row in rows[1:]:
        if row[2].replace("\xa0", "").isdigit() and int(row[2].replace("\xa0", "")) < 30:
            assert row[5].startswith("мало данных"), row


def test_kaluga_diagrams_and_yandex_per_office(built_report: BuiltReport) -> None:
    text = built_report.text()
    assert "«Мнения заявителей о сотрудниках за 2025 год»" in text
    assert "«Сроки получения результата услуги за 2025 год»" in text
    assert "Результат услуги в установленный срок получен по" in text
    (rows,) = find_tables(built_report.doc, "Орган", "Отзывов за период")
    zags = next(r for r in rows if r[0] == ORGS["zags"])
    assert zags[1] == "10" and zags[2] == "2,80" and zags[3] == "—"  # 10 reviews: no Куд verdict


def test_staff_names_only_in_the_admin_edition(built_report: BuiltReport, tmp_path: Path) -> None:
    from docx import Document

    from reports.build import build_report
    from vocabulary.periods import parse_period

    public = built_report.text()
    assert THANKED not in public and "граждане благодарят по имени 1 сотрудника" in public
    admin = build_report(parse_period("2025"), tmp_path / "admin.docx", region=REGION, named=True)
    text = "\n".join(p.text for p in Document(str(admin.docx)).paragraphs)
    assert f"граждане благодарят сотрудников — {THANKED} (1)" in text
