"""Config loading: a valid file, and broken files reported with file, line and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from models.config import ConfigError, load_config

VALID = """
[region]
name = "Город N"

[schedule]
cron = "30 3 * * *"

[[organisations]]
code = "zags"
name = "Управление ЗАГС"
services = ["Регистрация брака"]

[[organisations.sources]]
name = "yandex"
kind = "yandex"
external_id = 1234567
max_pages = 5

[[organisations.sources]]
name = "pos"
kind = "pos"
path = "drop/pos/*.xlsx"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "painmap.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_valid_config(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, VALID))
    assert config.schedule.cron == "30 3 * * *"
    assert config.schedule.timezone == "Europe/Moscow"
    org = config.organisation("zags")
    assert org is not None and org.services == ["Регистрация брака"]
    yandex = org.sources[0]
    assert yandex.external_id == "1234567"
    assert yandex.settings() == {"max_pages": 5}
    assert config.resolve("drop/pos") == tmp_path.resolve() / "drop/pos"


@pytest.mark.parametrize(
    ("text", "line", "key", "words"),
    [
        (VALID.replace('kind = "pos"', 'kind = "poss"'), 21, "organisations[1].sources[2].kind",
         "недопустимое значение"),
        (VALID.replace('name = "Управление ЗАГС"\n', ""), 8, "organisations[1].name",
         "обязательный ключ"),
        (VALID.replace('cron = "30 3 * * *"', 'cron = "30 3 *"'), 6, "schedule.cron", "5 полей"),
        (VALID.replace("[schedule]", "[schedule]\nfrequency = 1"), 6, "schedule.frequency",
         "неизвестный ключ"),
        (VALID.replace('code = "zags"', 'code = "загс"'), 9, "organisations[1].code",
         "латинские"),
        (VALID + '\n[[organisations]]\ncode = "zags"\nname = "x"\n', 25, "organisations[2].code",
         "повторяется"),
        (VALID.replace('max_pages = 5', 'max_pages = '), 17, None, "синтаксическая ошибка"),
    ],
)
def test_broken_config_names_line_and_key(
    tmp_path: Path, text: str, line: int, key: str | None, words: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert err.value.line == line
    assert err.value.key == key
    assert words in str(err.value)
    assert str(path) in str(err.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="файл не найден"):
        load_config(tmp_path / "nope.toml")


def test_no_config_is_empty(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PAINMAP_CONFIG", raising=False)
    from models.settings import get_settings

    get_settings.cache_clear()
    assert load_config().organisations == []
