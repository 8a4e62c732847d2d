"""Practice workbooks (Таблицы 3, 3.1, 5 of the Методика) as municipal staff fill them in.

`read_practice(paths)` finds the three tables among the sheets of one or more files
(.xlsx, or CSV), reads them by header text, cross-checks them and returns a
`PracticeWorkbook`; `store_practice` (in `ingest.practice.store`) keeps it for an
organisation and year.
"""

from ingest.practice.columns import PracticeFormatError
from ingest.practice.reader import read_practice
from ingest.practice.records import PracticeWorkbook, RegulationRecord, ServiceRecord, SummaryRecord

__all__ = ["PracticeFormatError", "PracticeWorkbook", "RegulationRecord", "ServiceRecord",
           "SummaryRecord", "read_practice"]
