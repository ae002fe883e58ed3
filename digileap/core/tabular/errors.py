from dataclasses import asdict, dataclass

from django.utils.translation import gettext as _


class ImportFileError(Exception):
    """The file as a whole cannot be read: nothing was imported. Says what and where."""

    def __init__(self, message: str, *, filename: str = "", line: int | None = None, column: str = ""):
        self.message = str(message)
        self.filename = filename
        self.line = line
        self.column = column
        super().__init__(self.describe())

    def describe(self) -> str:
        where = [
            part
            for part in (
                self.filename,
                _("line %(line)s") % {"line": self.line} if self.line else "",
                self.column and _("column %(column)r") % {"column": self.column},
            )
            if part
        ]
        return f"{', '.join(where)}: {self.message}" if where else self.message


@dataclass(frozen=True)
class RowError:
    """Why one row was rejected."""

    line: int
    column: str
    message: str
    value: str = ""

    def as_dict(self) -> dict:
        return asdict(self)

    def describe(self) -> str:
        if self.column:
            return _("line %(line)s, column %(column)r: %(message)s") % {
                "line": self.line,
                "column": self.column,
                "message": self.message,
            }
        return _("line %(line)s: %(message)s") % {"line": self.line, "message": self.message}
