"""The monitoring report of п. 5.2 of the Методика, as DOCX and XLSX."""
