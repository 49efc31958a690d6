"""Versioned content: a course or quiz points at its current immutable version."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.models import UTCDateTime, percent_check, position_check
from app.core.time import utcnow
from app.extensions import db


class Quiz(db.Model):
    """A question bank, identified by its file name."""

    __tablename__ = "quizzes"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("quiz_versions.id", use_alter=True)
    )
    current_version: Mapped[QuizVersion | None] = relationship(
        foreign_keys=[current_version_id], post_update=True
    )


class QuizVersion(db.Model):
    """One immutable load of a question bank."""

    __tablename__ = "quiz_versions"
    __table_args__ = (UniqueConstraint("quiz_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quizzes.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    titles: Mapped[dict] = mapped_column(JSON, default=dict)
    draw_count: Mapped[int] = mapped_column(Integer)
    pass_mark: Mapped[int] = mapped_column(Integer)
    max_attempts: Mapped[int] = mapped_column(Integer, default=0)
    time_limit_minutes: Mapped[int | None] = mapped_column(Integer)
    shuffle_options: Mapped[bool] = mapped_column(Boolean, default=True)
    # when a learner may see right answers and explanations (content.questions.REVIEW_POLICIES)
    review: Mapped[str] = mapped_column(String(20), default="after_last_attempt", server_default="after_last_attempt")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # "files": loaded by `flask content sync` from quizzes/; "upload": imported in /admin/banks from a file
    # kept under instance/uploads/banks-kept (source_file), by the user uploaded_by_id
    origin: Mapped[str] = mapped_column(String(10), default="files", server_default="files")
    source_name: Mapped[str | None] = mapped_column(String(255))
    source_file: Mapped[str | None] = mapped_column(String(255))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    quiz: Mapped[Quiz] = relationship(foreign_keys=[quiz_id])
    questions: Mapped[list[Question]] = relationship(
        back_populates="quiz_version", order_by="Question.position"
    )


class Question(db.Model):
    """A question as it stood in one quiz version; ``key`` is the author's stable id."""

    __tablename__ = "questions"
    __table_args__ = (UniqueConstraint("quiz_version_id", "key"), position_check())

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_version_id: Mapped[int] = mapped_column(ForeignKey("quiz_versions.id"), index=True)
    key: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    stem: Mapped[dict] = mapped_column(JSON)
    options: Mapped[list] = mapped_column(JSON, default=list)
    answer: Mapped[list] = mapped_column(JSON)
    explanation: Mapped[dict] = mapped_column(JSON)
    tags: Mapped[list] = mapped_column(JSON, default=list)
    rule: Mapped[str] = mapped_column(String(300), default="")
    # public banks: slug of the reading module that teaches this point
    module: Mapped[str | None] = mapped_column(String(100))

    quiz_version: Mapped[QuizVersion] = relationship(back_populates="questions")


class Course(db.Model):
    """A course, identified by its folder name."""

    __tablename__ = "courses"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    published: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("course_versions.id", use_alter=True)
    )
    current_version: Mapped[CourseVersion | None] = relationship(
        foreign_keys=[current_version_id], post_update=True
    )


class CourseVersion(db.Model):
    """One immutable load of a course, with its lessons and the exam version it uses."""

    __tablename__ = "course_versions"
    __table_args__ = (UniqueConstraint("course_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    title: Mapped[dict] = mapped_column(JSON)
    summary: Mapped[dict] = mapped_column(JSON)
    audience: Mapped[str] = mapped_column(String(200), default="")
    minutes: Mapped[int] = mapped_column(Integer, default=0)
    exam_id: Mapped[int | None] = mapped_column(ForeignKey("quiz_versions.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    course: Mapped[Course] = relationship(foreign_keys=[course_id])
    exam: Mapped[QuizVersion | None] = relationship()
    lessons: Mapped[list[Lesson]] = relationship(
        back_populates="course_version", order_by="Lesson.position"
    )
    scenarios: Mapped[list[CourseScenario]] = relationship(order_by="CourseScenario.position")


class Lesson(db.Model):
    """A lesson or case study in one course version; bodies are stored as sanitised HTML."""

    __tablename__ = "lessons"
    __table_args__ = (UniqueConstraint("course_version_id", "slug"), position_check())

    id: Mapped[int] = mapped_column(primary_key=True)
    course_version_id: Mapped[int] = mapped_column(ForeignKey("course_versions.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    slug: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(10))
    title: Mapped[dict] = mapped_column(JSON)
    minutes: Mapped[int] = mapped_column(Integer, default=0)
    remember: Mapped[dict] = mapped_column(JSON, default=dict)
    body_html: Mapped[dict] = mapped_column(JSON)
    sections: Mapped[dict] = mapped_column(JSON, default=dict)

    course_version: Mapped[CourseVersion] = relationship(back_populates="lessons")


class Scenario(db.Model):
    """A role-play scenario, identified by its file name."""

    __tablename__ = "scenarios"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    published: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("scenario_versions.id", use_alter=True)
    )
    current_version: Mapped[ScenarioVersion | None] = relationship(
        foreign_keys=[current_version_id], post_update=True
    )


class ScenarioVersion(db.Model):
    """One immutable load of a scenario: its whole graph, texts in every language, and best path."""

    __tablename__ = "scenario_versions"
    __table_args__ = (UniqueConstraint("scenario_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scenario_id: Mapped[int] = mapped_column(ForeignKey("scenarios.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    title: Mapped[dict] = mapped_column(JSON)
    data: Mapped[dict] = mapped_column(JSON)
    best_path: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    scenario: Mapped[Scenario] = relationship(foreign_keys=[scenario_id])


class CourseScenario(db.Model):
    """A scenario a course version requires, with the score needed (the scenario's own when None)."""

    __tablename__ = "course_scenarios"
    __table_args__ = (UniqueConstraint("course_version_id", "scenario_version_id"), position_check(),
                      percent_check("min_score"))

    id: Mapped[int] = mapped_column(primary_key=True)
    course_version_id: Mapped[int] = mapped_column(ForeignKey("course_versions.id"), index=True)
    scenario_version_id: Mapped[int] = mapped_column(ForeignKey("scenario_versions.id"))
    position: Mapped[int] = mapped_column(Integer)
    min_score: Mapped[int | None] = mapped_column(Integer)

    scenario_version: Mapped[ScenarioVersion] = relationship()


class PublicModule(db.Model):
    """A public reading module (one fraud type or one right), identified by its file name."""

    __tablename__ = "public_modules"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    published: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("public_module_versions.id", use_alter=True)
    )
    current_version: Mapped[PublicModuleVersion | None] = relationship(
        foreign_keys=[current_version_id], post_update=True
    )


class PublicModuleVersion(db.Model):
    """One immutable load of a module: sanitised HTML per language and its practice questions."""

    __tablename__ = "public_module_versions"
    __table_args__ = (UniqueConstraint("module_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("public_modules.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    title: Mapped[dict] = mapped_column(JSON)
    summary: Mapped[dict] = mapped_column(JSON)
    minutes: Mapped[int] = mapped_column(Integer, default=3)
    icon: Mapped[str] = mapped_column(String(100))
    tags: Mapped[list] = mapped_column(JSON, default=list)
    body_html: Mapped[dict] = mapped_column(JSON)
    practice_id: Mapped[int] = mapped_column(ForeignKey("quiz_versions.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    module: Mapped[PublicModule] = relationship(foreign_keys=[module_id])
    practice: Mapped[QuizVersion] = relationship()
