"""Reading the spreadsheets people actually send: xlsx or CSV, whatever the extension says.

Files reach the importers from e-mail and USB sticks: CSV in UTF-8, UTF-8 with BOM or
cp1251, `;` or `,` separated, title rows above the header, blank rows and columns, dates as
text or as Excel serial numbers. This module turns any of them into plain rows with their
row numbers, and refuses what is not a table (an empty file, a binary, an xlsx renamed
.csv, a file too big) with a Russian message naming the file, before anything is parsed.
Parsers then match columns by header text, never by position.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import chain
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from vocabulary.dates import DEFAULT_TIMEZONE
from vocabulary.errors import UserError

MAX_BYTES = 100 * 1024 * 1024
# An xlsx is a zip: a 1 MB file can unpack to 300 MB of sheet XML and minutes of parsing.
# What it unpacks to is capped too, at this multiple of the file limit (checked from the
# zip's directory, before parsing).
UNPACKED_PER_BYTE_LIMIT = 2
# Excel holds at most 32,767 characters in a cell; a longer one is a broken export or an
# attack. Its row is quarantined (the rest of the file imports), the cell kept shortened.
MAX_CELL_CHARS = 32_767
# The csv module refuses fields over 128 KB with an exception that would lose the whole
# file; the cell limit above decides instead (a field can never exceed the file limit).
csv.field_size_limit(MAX_BYTES)
HEADER_SCAN_ROWS = 30
XLSX, CSV = "xlsx", "csv"
_CSV_SUFFIXES = {".csv", ".txt", ".tsv"}
_XLSX_SUFFIXES = {".xlsx", ".xlsm"}
_DELIMITERS = (";", ",", "\t")
_MAGIC = (
    (b"\xd0\xcf\x11\xe0", "книга Excel 97–2003 (.xls) — этот формат не поддерживается, "
                          "сохраните её как .xlsx или .csv"),
    (b"%PDF", "PDF-документ, а не таблица"),
    (b"\x89PNG", "изображение PNG, а не таблица"),
    (b"\xff\xd8\xff", "изображение JPEG, а не таблица"),
    (b"\x1f\x8b", "архив gzip, а не таблица"),
    (b"Rar!", "архив RAR, а не таблица"),
    (b"7z\xbc\xaf", "архив 7-Zip, а не таблица"),
)
EMPTY_MARKS = {"", "-", "—", "–", "н/д", "n/a", "#n/a", "null", "none"}


def file_error(path: Path, message: str) -> UserError:
    return UserError(f"Файл {path}: {message}")


# --- what kind of file is it -----------------------------------------------------------------

def sniff(path: Path, max_bytes: int = MAX_BYTES) -> str:
    """`xlsx` or `csv`, decided by content; raise a `UserError` for anything else.

    The size is checked before a single byte is read, so a 2 GB dump costs nothing.
    """
    if not path.exists():
        raise file_error(path, "файл не найден")
    if not path.is_file():
        raise file_error(path, "это не файл, а каталог")
    size = path.stat().st_size
    if size == 0:
        raise file_error(path, "файл пуст")
    if size > max_bytes:
        raise file_error(path, f"файл слишком большой ({_megabytes(size)}), предел — "
                               f"{_megabytes(max_bytes)}; разбейте выгрузку на части по периодам")
    with path.open("rb") as fh:
        head = fh.read(8)
    kind = _kind_of(path, head, max_bytes)
    suffix = path.suffix.lower()
    if kind == XLSX and suffix in _CSV_SUFFIXES:
        raise file_error(path, f"по расширению это {suffix}, а по содержимому — книга Excel (.xlsx); "
                               "переименуйте файл в .xlsx или выгрузите CSV заново")
    if kind == CSV and suffix in _XLSX_SUFFIXES:
        raise file_error(path, "по расширению это книга Excel, а по содержимому — нет (файл повреждён "
                               "или это переименованный текстовый файл)")
    return kind


def _thousands(n: int) -> str:
    return f"{n:,}".replace(",", "\u00a0")


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.0f} МБ"


def _kind_of(path: Path, head: bytes, max_bytes: int) -> str:
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(path, max_bytes * UNPACKED_PER_BYTE_LIMIT)
    for magic, what in _MAGIC:
        if head.startswith(magic):
            raise file_error(path, f"это {what}")
    return CSV


def _zip_kind(path: Path, max_unpacked: int) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise file_error(path, "повреждённый архив ZIP/xlsx: откройте и пересохраните файл") from None
    names = {e.filename for e in entries}
    unpacked = sum(e.file_size for e in entries)
    if unpacked > max_unpacked:
        raise file_error(path, f"в распакованном виде книга занимает {_megabytes(unpacked)}, предел — "
                               f"{_megabytes(max_unpacked)}; разбейте выгрузку на части по периодам")
    if "xl/workbook.xml" in names:
        return XLSX
    if "content.xml" in names:
        raise file_error(path, "это таблица OpenDocument (.ods): сохраните её как .xlsx или .csv")
    raise file_error(path, "это архив ZIP, а не таблица")


# --- text ------------------------------------------------------------------------------------

def decode(path: Path, data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, or cp1251 — what Russian Excel writes."""
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                          (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(encoding)
            except UnicodeDecodeError:
                message = f"файл помечен как {encoding.upper()}, но содержит недопустимые байты"
                raise file_error(path, message) from None
    if b"\x00" in data[:65536]:
        raise file_error(path, "двоичный файл, а не таблица CSV или xlsx")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1251")
        except UnicodeDecodeError:
            raise file_error(path, "не удалось определить кодировку (ожидается UTF-8 или Windows-1251)") \
                from None
    if _looks_binary(text):
        raise file_error(path, "двоичный файл, а не таблица CSV или xlsx")
    return text


def _looks_binary(text: str) -> bool:
    sample = text[:65536]
    control = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\r\n")
    return control > max(2, len(sample) // 200)


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the header into the most fields, ties broken by how
    consistently it splits the next rows (`;` from Russian Excel, `,` from Google)."""
    lines = [line for line in text.splitlines() if line.strip()][:20]
    if not lines:
        return ";"

    def score(delimiter: str) -> tuple[int, int]:
        rows = list(csv.reader(lines, delimiter=delimiter))
        header = len(rows[0])
        consistent = sum(1 for row in rows[1:] if len(row) == header)
        return header, consistent

    return max(_DELIMITERS, key=score)


# --- rows -------------------------------------------------------------------------------------

@dataclass(slots=True)
class Row:
    number: int
    cells: list[Any]
    problem: str | None = None  # why the row goes to quarantine whatever its values say


    def get(self, index: int | None) -> Any:
        if index is None or index >= len(self.cells):
            return None
        return self.cells[index]


def bounded(row: Row) -> Row:
    """The row with every over-long cell shortened and the reason noted in `problem`."""
    for i, cell in enumerate(row.cells):
        if isinstance(cell, str) and len(cell) > MAX_CELL_CHARS:
            row.cells[i] = f"{cell[:200]}… (обрезано)"
            row.problem = (f"ячейка в столбце {i + 1} длиннее {_thousands(MAX_CELL_CHARS)} символов "
                           f"({_thousands(len(cell))}): так много текста в ячейке не бывает, "
                           "строка не загружена")
    return row


@dataclass
class Table:
    """One sheet (or the CSV) as its non-blank rows, numbered as the user sees them."""

    path: Path
    sheet: str | None
    rows: Iterator[Row]
    _buffer: list[Row] = field(default_factory=list)

    def where(self, number: int) -> str:
        """`file, лист X, строка N`: how a quarantine entry points the user at the row."""
        sheet = f", лист «{self.sheet}»" if self.sheet else ""
        return f"{self.path.name}{sheet}, строка {number}"

    def head(self, n: int = HEADER_SCAN_ROWS) -> list[Row]:
        """The first n rows, kept so that iterating afterwards still yields them."""
        while len(self._buffer) < n:
            row = next(self.rows, None)
            if row is None:
                break
            self._buffer.append(row)
        return self._buffer[:n]

    def after(self, number: int) -> Iterator[Row]:
        """Rows below row `number` (the header)."""
        return (row for row in chain(self._buffer, self.rows) if row.number > number)


def read_tables(path: Path, max_bytes: int = MAX_BYTES) -> Iterator[Table]:
    """Every sheet of a workbook, or the one table of a CSV."""
    kind = sniff(path, max_bytes)
    if kind == XLSX:
        yield from _xlsx_tables(path)
    else:
        yield Table(path, None, _csv_rows(path, decode(path, path.read_bytes())))


_SEP_LINE = re.compile(r"^sep=(.)\r?\n", re.IGNORECASE)


def _csv_rows(path: Path, text: str) -> Iterator[Row]:
    """Rows of a CSV numbered by line; Excel's `sep=;` first line names the delimiter."""
    declared = _SEP_LINE.match(text)
    offset = 1 if declared else 0
    if declared:
        text = text[declared.end():]
    delimiter = declared.group(1) if declared else sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    start = 1
    try:
        for cells in reader:
            row = Row(start + offset, [cell.strip() for cell in cells])
            start = reader.line_num + 1
            if not is_blank(row.cells):
                yield bounded(row)
    except csv.Error as exc:
        raise file_error(path, f"строка {reader.line_num + offset}: испорченная строка CSV ({exc})") from None


def _xlsx_tables(path: Path) -> Iterator[Table]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for broken files
        raise file_error(path, f"не удалось открыть книгу Excel ({type(exc).__name__}): "
                               "откройте и пересохраните файл") from None
    try:
        for sheet in workbook.worksheets:
            if hasattr(sheet, "reset_dimensions"):
                sheet.reset_dimensions()  # some writers store a wrong used range
            yield Table(path, sheet.title, _sheet_rows(path, sheet))
    finally:
        workbook.close()


def _sheet_rows(path: Path, sheet: Any) -> Iterator[Row]:
    """Rows of a sheet, read lazily; broken sheet XML (found only while reading) is the same
    Russian error as a broken file, naming the sheet and the last good row."""
    number = 0
    try:
        for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
            values = [cell.strip() if isinstance(cell, str) else cell for cell in cells]
            if not is_blank(values):
                yield bounded(Row(number, values))
    except UserError:
        raise
    except Exception as exc:  # ParseError, KeyError, ValueError…: openpyxl's reading of bad XML
        raise file_error(path, f"лист «{sheet.title}», после строки {number}: повреждённые данные листа "
                               f"({type(exc).__name__}); откройте и пересохраните файл") from None


def is_blank(cells: Sequence[Any]) -> bool:
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells)


# --- headers ------------------------------------------------------------------------------------

_PUNCT = re.compile(r"[^\w\s]", re.UNICODE)
_NUMBERING = re.compile(r"^\s*\d+(\.\d+)*[.)]?\s+")


def norm(text: Any) -> str:
    """Header/label text for comparison: case, ё, punctuation, numbering and spacing ignored."""
    if text is None:
        return ""
    value = str(text).lower().replace("ё", "е").replace("\xa0", " ")
    value = _NUMBERING.sub("", value)
    value = _PUNCT.sub(" ", value)
    return " ".join(value.split())


@dataclass(frozen=True)
class Column:
    """A column known by its header: exact `names`, or headers that contain `contains`."""

    key: str
    names: tuple[str, ...] = ()
    contains: tuple[str, ...] = ()
    required: bool = False


def match_columns(headers: Sequence[Any], columns: Sequence[Column]) -> dict[str, int]:
    """Assign each column the index of its header; exact names win over substrings, and each
    header is claimed once (so `Номер` never takes `Номер ЕПГУ`)."""
    normal = [norm(h) for h in headers]
    found: dict[str, int] = {}
    taken: set[int] = set()
    for column in columns:
        names = {norm(n) for n in column.names}
        for i, header in enumerate(normal):
            if header and i not in taken and header in names:
                found[column.key] = i
                taken.add(i)
                break
    for column in columns:
        if column.key in found or not column.contains:
            continue
        parts = [norm(c) for c in column.contains]
        for i, header in enumerate(normal):
            if header and i not in taken and any(part in header for part in parts):
                found[column.key] = i
                taken.add(i)
                break
    return found


@dataclass
class Located:
    table: Table
    header: Row
    columns: dict[str, int]

    def rows(self) -> Iterator[Row]:
        return self.table.after(self.header.number)

    def raw(self, row: Row) -> dict[str, Any]:
        """The row as header → value (JSON-safe): the quarantine payload."""
        out: dict[str, Any] = {}
        for i, cell in enumerate(row.cells):
            if cell is None or (isinstance(cell, str) and not cell):
                continue
            name = str(self.header.get(i) or f"столбец {i + 1}")
            out[name] = jsonable_cell(cell)
        return out


def jsonable_cell(cell: Any) -> Any:
    if isinstance(cell, datetime | date | time):
        return cell.isoformat()
    if isinstance(cell, timedelta):
        return str(cell)
    return cell


def locate(path: Path, columns: Sequence[Column], what: str, max_bytes: int = MAX_BYTES) -> Located:
    """Find the first sheet whose header row (within the first rows: title rows above it are
    common) has every required column; the error lists what is missing."""
    best: tuple[int, Table | None, Row | None, dict[str, int]] = (-1, None, None, {})
    required = [c for c in columns if c.required]
    any_rows = False
    for table in read_tables(path, max_bytes):
        for row in table.head():
            any_rows = True
            found = match_columns(row.cells, columns)
            hits = sum(1 for c in required if c.key in found)
            if hits == len(required) and found:
                return Located(table, row, found)
            if hits > best[0]:
                best = (hits, table, row, found)
    if not any_rows:
        raise file_error(path, "в файле нет ни одной строки с данными")
    missing = [c for c in required if c.key not in best[3]]
    names = ", ".join(f"«{c.names[0] if c.names else c.contains[0]}»" for c in missing)
    raise file_error(path, f"это не похоже на {what}: не найдены столбцы {names}. "
                           "Проверьте, что в файле есть строка заголовков")


# --- values ------------------------------------------------------------------------------------

def text_value(cell: Any) -> str | None:
    """A cell as stripped text; `-` and the like are empty, as in the ПОС export."""
    if cell is None:
        return None
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    if isinstance(cell, datetime | date):
        return cell.isoformat()
    value = str(cell).strip()
    return None if value.lower() in EMPTY_MARKS else value


def id_value(cell: Any) -> str | None:
    """An identifier: 67240000041.0 from Excel is the number 67240000041."""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return text_value(cell)


_NUMBER = re.compile(r"^[+-]?\d+([.,]\d+)?$")


def number_value(cell: Any) -> float | None:
    """A number written as a number, or as text with a decimal comma (`4,35`)."""
    if cell is None or isinstance(cell, bool):
        return None
    if isinstance(cell, int | float):
        return float(cell)
    value = text_value(cell)
    if value is None:
        return None
    compact = value.replace(" ", "").replace("\xa0", "")
    if not _NUMBER.match(compact):
        raise ValueError(f"ожидается число, а не «{value}»")
    return float(compact.replace(",", "."))


_YES = {"да", "yes", "true", "1", "+", "истина"}
_NO = {"нет", "no", "false", "0", "ложь"}


def bool_value(cell: Any) -> bool | None:
    value = text_value(cell)
    if value is None:
        return None
    low = value.lower()
    if low in _YES:
        return True
    if low in _NO:
        return False
    return None


# --- dates --------------------------------------------------------------------------------------

_MONTHS = {"январ": 1, "феврал": 2, "март": 3, "апрел": 4, "ма": 5, "июн": 6, "июл": 7, "август": 8,
           "сентябр": 9, "октябр": 10, "ноябр": 11, "декабр": 12}
_FORMATS = ("%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%d.%m.%Y", "%d.%m.%y %H:%M", "%d.%m.%y",
            "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M",
            "%d/%m/%Y", "%Y.%m.%d")
_TEXT_DATE = re.compile(r"^(\d{1,2})\s+([а-я]+)\s+(\d{4})(?:\s*г\.?)?(?:\s+(\d{1,2}):(\d{2}))?$")
EXCEL_SERIAL_MIN, EXCEL_SERIAL_MAX = 20_000, 80_000  # 1954 … 2119


def datetime_value(cell: Any, tz: ZoneInfo, time_cell: Any = None) -> datetime | None:
    """A moment as UTC from what people put in a date column.

    A date with a time is local time of the region. A date without a time is kept as that
    calendar day at 00:00 UTC, so the day stays the same whether it is read in UTC or in any
    Russian zone (a region's period bounds always contain it). `time_cell` joins a separate
    «Время» column. Raises ValueError (Russian) for text that is not a date.
    """
    if cell is None or (isinstance(cell, str) and text_value(cell) is None):
        return None
    parsed = _parse_moment(cell)
    if parsed is None:
        raise ValueError(f"непонятная дата «{cell}»")
    moment, has_time = parsed
    clock = _time_of(time_cell)
    if clock is not None:
        moment, has_time = datetime.combine(moment.date(), clock), True
    if moment.tzinfo is not None:
        return moment.astimezone(UTC)
    if not has_time:
        return datetime.combine(moment.date(), time(), UTC)
    return moment.replace(tzinfo=tz).astimezone(UTC)


Parsed = tuple[datetime, bool]  # the moment and whether it carried a time of day


def _parse_moment(cell: Any) -> Parsed | None:
    if isinstance(cell, datetime):
        return cell, cell.tzinfo is not None or cell.time() != time()
    if isinstance(cell, date):
        return datetime.combine(cell, time()), False
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        return _from_serial(float(cell))
    value = str(cell).strip()
    if re.fullmatch(r"\d{5}([.,]\d+)?", value):
        return _from_serial(float(value.replace(",", ".")))
    return _from_text(value)


def _from_serial(serial: float) -> Parsed | None:
    """Excel's day count from 1899-12-30 (what a date cell becomes when pasted as a number)."""
    if not EXCEL_SERIAL_MIN <= serial <= EXCEL_SERIAL_MAX:
        return None
    moment = datetime(1899, 12, 30) + timedelta(seconds=round(serial * 86400))
    return moment, not serial.is_integer()


def _from_text(value: str) -> Parsed | None:
    text = value.replace("\xa0", " ").strip()
    for fmt in _FORMATS:
        try:
            return datetime.strptime(text, fmt), "%H" in fmt
        except ValueError:
            continue
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return _russian_date(text)
    return moment, "T" in text or ":" in text


def _russian_date(text: str) -> Parsed | None:
    """`5 марта 2025 г.` and `5 марта 2025 14:30`, as typed by hand."""
    match = _TEXT_DATE.match(text.lower())
    if not match:
        return None
    day, word, year, hour, minute = match.groups()
    month = next((n for stem, n in sorted(_MONTHS.items(), key=lambda kv: -len(kv[0]))
                  if word.startswith(stem)), None)
    if month is None:
        return None
    try:
        if hour is None:
            return datetime(int(year), month, int(day)), False
        return datetime(int(year), month, int(day), int(hour), int(minute)), True
    except ValueError:
        return None


def _time_of(cell: Any) -> time | None:
    if cell is None:
        return None
    if isinstance(cell, time):
        return cell
    if isinstance(cell, datetime):
        return cell.time()
    if isinstance(cell, int | float) and 0 <= cell < 1:  # Excel stores a time as a day fraction
        seconds = round(cell * 86400)
        return time(seconds // 3600, seconds // 60 % 60, seconds % 60)
    value = text_value(cell)
    if value is None:
        return None
    match = re.fullmatch(r"(\d{1,2})[:.](\d{2})(?::(\d{2}))?", value)
    if not match or int(match.group(1)) > 23:
        raise ValueError(f"непонятное время «{value}»")
    return time(int(match.group(1)), int(match.group(2)), int(match.group(3) or 0))


def zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or DEFAULT_TIMEZONE)
    except (KeyError, ValueError):
        raise UserError(f"неизвестный часовой пояс «{name}»") from None
