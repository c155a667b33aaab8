"""Errors that accord reports to users as one clear line (exit status 2)."""

from __future__ import annotations


class AccordError(Exception):
    """Base class of every error accord reports to the user without a traceback."""

    exit_code = 2


class InputError(AccordError):
    """Malformed or invalid input, located by file, line and field where known."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.line = line
        self.field = field
        super().__init__(self.format())

    def format(self) -> str:
        """Render as ``file:line: field: message`` with the known parts only, always on one line
        (runs of white space, line breaks included, become one space)."""
        where = ""
        if self.file:
            where = str(self.file)
            if self.line is not None:
                where += f":{self.line}"
            where += ": "
        elif self.line is not None:
            where = f"line {self.line}: "
        what = f"{self.field}: " if self.field else ""
        return " ".join(f"{where}{what}{self.message}".split())

    def located(self, file: str | None = None, line: int | None = None) -> InputError:
        """Return a copy with the file (and line) filled in where still unknown."""
        return InputError(
            self.message,
            file=self.file or file,
            line=self.line if self.line is not None else line,
            field=self.field,
        )


class ModelError(AccordError):
    """A model was given parameters it cannot work with."""
