"""The error hierarchy.

Every error a person can cause (bad YAML, unknown station, unreadable audio,
missing ffmpeg) is a :class:`RadiomonError` whose message is one line that
names the file, key or value and says what to do next. The CLI turns these
into a clean exit; nothing else in the library prints.
"""


class RadiomonError(Exception):
    """Base class: a problem the user can fix; ``str(err)`` is the whole message."""


class ConfigError(RadiomonError):
    """radiomon.yml or keywords.yml is missing, unreadable or invalid."""


class ArchiveError(RadiomonError):
    """The SQLite archive cannot be opened, migrated or written."""


class QueryError(RadiomonError):
    """A search query or filter value cannot be understood."""


class InputFileError(RadiomonError):
    """A file given to ``radiomon import`` cannot be read or understood (per item)."""


class AudioError(RadiomonError):
    """An audio file is unreadable or ffmpeg/ffprobe failed on it (per item)."""


class ToolMissingError(RadiomonError):
    """A required external program (ffmpeg, ffprobe) is not installed (fatal)."""


class RecorderError(RadiomonError):
    """A station cannot be recorded (bad input, unreachable URL)."""


class TranscriptionError(RadiomonError):
    """A model cannot be loaded or an engine failed."""



class EditConflict(RadiomonError):
    """Someone else changed what this save was based on (an edition's item, keywords.yml).

    ``by``/``at_utc``: who made the other change and when, so the second
    editor can be told and shown it instead of silently overwriting it."""

    def __init__(self, message: str, *, by: str | None = None, at_utc: str | None = None, current=None):
        super().__init__(message)
        self.by, self.at_utc, self.current = by, at_utc, current
