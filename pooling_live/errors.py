"""The live class's errors: a stable code and fields for the app's catalogue, and an English text.

Like :class:`pooling_core.PoolingError`, every :class:`LiveError` carries a ``code`` (a key of
:data:`MESSAGES`) and the ``fields`` its message is made of, so that the app can say the same thing
in another language; each also subclasses the built-in exception a caller would expect
(:class:`PermissionError` for a wrong teacher key, :class:`LookupError` for an unknown code, …).
"""

from __future__ import annotations

MESSAGES: dict[str, str] = {
    "no_class": "There is no class with the code {class_code}: check the code, or the class may "
                "have expired.",
    "class_ended": "The class {class_code} has ended.",
    "not_teacher": "Only the teacher of class {class_code} can do this: the teacher key does not "
                   "match.",
    "no_student": "This student is not in class {class_code}: join the class again.",
    "no_question": "Class {class_code} has no question {question_id}.",
    "answers_closed": "The answer to question {question_id} has been revealed: answers are "
                      "closed.",
    "no_photo": "Class {class_code} has no such photo (the teacher may have shared another since, "
                "or ended the class).",
    "not_png": "The {what} must be a PNG image.",
    "rate_limited": "Too many attempts to join a class from here: try again in {retry_after} s.",
    "too_large": "The {what} is too large: {size} bytes, at most {limit}.",
    "not_json": "The {what} must be plain data (a dict of numbers, text, lists): {detail}.",
    "bad_ttl": "A class lasts from 1 minute to {limit} hours; got {value!r} hours.",
    "schema_newer": "The class database at {url} was written by a newer Pooling Lab (schema "
                    "{found}; this version reads schema {expected}): upgrade Pooling Lab, or set "
                    "PLAB_DATABASE_URL / PLAB_DATA_DIR to another database.",
    "schema_older": "The class database at {url} has schema {found}, and this Pooling Lab "
                    "(schema {expected}) has no migration from it: move the file away (its "
                    "classes are lost) or use another database.",
    "schema_unknown": "The database at {url} holds tables that are not a Pooling Lab class store "
                      "(no schema version recorded): use another database.",
    "unavailable": "The class database is not available ({detail}); tried {attempts} times. "
                   "Try again in a moment.",
}


class LiveError(Exception):
    """A live-class operation that cannot be done; :attr:`code` is a key of :data:`MESSAGES`.

    Examples
    --------
    >>> error = NotTeacher("not_teacher", class_code="K7QX2M")
    >>> isinstance(error, PermissionError), error.code, str(error)[:35]
    (True, 'not_teacher', 'Only the teacher of class K7QX2M ca')
    """

    def __init__(self, code: str, **fields):
        self.code = code
        self.fields = fields
        super().__init__(MESSAGES[code].format(**fields))

    def __reduce__(self):
        # keyword-only fields: pickling (a worker process reporting back) needs to be told how
        return _rebuild, (type(self), self.code, self.fields)


def _rebuild(cls, code: str, fields: dict) -> LiveError:
    return cls(code, **fields)


class ClassNotFound(LiveError, LookupError):
    """No class with this code (never created, mistyped, or expired)."""


class ClassEnded(LiveError):
    """The teacher ended the class: no joining or answering any more."""


class NotTeacher(LiveError, PermissionError):
    """A teacher operation with a wrong teacher key."""


class UnknownStudent(LiveError, LookupError):
    """A student id that is not in this class."""


class UnknownQuestion(LiveError, LookupError):
    """A question id that is not in this class."""


class UnknownPhoto(LiveError, LookupError):
    """A photo id that is not one of this class's shared photos."""


class AnswersClosed(LiveError):
    """An answer to a question whose answer has been revealed."""


class RateLimited(LiveError):
    """Too many join attempts from one client in the current window.

    ``fields["retry_after"]``: whole seconds until the window ends.
    """


class BadInput(LiveError, ValueError):
    """A view, question, photo or class length that cannot be stored."""


class SchemaError(LiveError):
    """The database's schema is one this version cannot use (newer, or older without a
    migration)."""


class StoreUnavailable(LiveError):
    """The database stayed locked or unreachable through every retry."""
