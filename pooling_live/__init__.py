"""pooling_live: the live class's shared state — classes, students, the teacher's view,
questions, answers and the photos a teacher shares — in SQLite or PostgreSQL (no Streamlit here).

>>> import tempfile, pooling_live as pl
>>> with tempfile.TemporaryDirectory() as folder, pl.Store.open(data_dir=folder) as store:
...     code, key = store.create_class()
...     student = store.join(code, "Ada")
...     question = store.ask(code, key, {"ask": "shape"})
...     store.answer(code, student, question, "2×2").revision
1
"""

from .errors import (
    MESSAGES,
    AnswersClosed,
    BadInput,
    ClassEnded,
    ClassNotFound,
    LiveError,
    NotTeacher,
    RateLimited,
    SchemaError,
    StoreUnavailable,
    UnknownPhoto,
    UnknownQuestion,
    UnknownStudent,
)
from .store import (
    ANSWER_MAX,
    CODE_ALPHABET,
    CODE_LENGTH,
    NICKNAME_MAX,
    PHOTO_MAX_BYTES,
    SCHEMA_VERSION,
    Ack,
    Answer,
    ClassPhoto,
    NewClass,
    Poll,
    Question,
    Store,
    Student,
    clean_answer,
    clean_nickname,
    database_url,
    default_data_dir,
    normalise_code,
)

__all__ = [
    "ANSWER_MAX",
    "CODE_ALPHABET",
    "CODE_LENGTH",
    "MESSAGES",
    "NICKNAME_MAX",
    "PHOTO_MAX_BYTES",
    "SCHEMA_VERSION",
    "Ack",
    "Answer",
    "AnswersClosed",
    "BadInput",
    "ClassEnded",
    "ClassNotFound",
    "ClassPhoto",
    "LiveError",
    "NewClass",
    "NotTeacher",
    "Poll",
    "Question",
    "RateLimited",
    "SchemaError",
    "Store",
    "StoreUnavailable",
    "Student",
    "UnknownPhoto",
    "UnknownQuestion",
    "UnknownStudent",
    "clean_answer",
    "clean_nickname",
    "database_url",
    "default_data_dir",
    "normalise_code",
]
