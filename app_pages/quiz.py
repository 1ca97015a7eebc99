"""Quiz: predict the output of a seeded question, check it, see the arithmetic of each mistake."""

from pooling_ui.classroom import quiz

quiz.quiz_page()
