"""Template helpers that lists of hundreds of rows lean on: they give what the plain calls give."""

from __future__ import annotations

from datetime import date

import pytest
from flask import render_template_string, url_for
from flask_babel import force_locale

from app.core.urls import url_maker

AWKWARD = ["E00001", "b-07_x", "a b", "x/y", "50%", "a?b#c", "<tag>&'\"", "工号001", "!$&'()*+,;=:@", "~."]


def test_url_maker_builds_what_url_for_builds(app):
    with app.test_request_context("/hr/overdue?period=2026"):
        make = url_maker("reports.employee", "employee_no")
        for value in AWKWARD:
            assert make(value) == url_for("reports.employee", employee_no=value), value


def test_url_maker_keeps_the_script_root(app):
    with app.test_request_context("/hr/overdue", base_url="http://bank.example/academy"):
        assert url_maker("reports.employee", "employee_no")("E 1") == "/academy/hr/employees/E%201"


def test_url_maker_refuses_a_parameter_the_route_does_not_have(app):
    with app.test_request_context("/"), pytest.raises(ValueError):
        url_maker("reports.overdue", "employee_no")  # an unknown value becomes ?employee_no=…, not a path part


def test_the_date_filter_follows_the_language_of_each_page(app):
    day = date(2026, 6, 30)
    with app.test_request_context("/"):
        shown = {}
        for locale in ("en", "zh_Hans", "en", "zh_Hant"):
            with force_locale(locale):
                shown.setdefault(locale, set()).add(render_template_string("{{ day | date }}", day=day))
    assert shown["en"] == {"Jun 30, 2026"} and shown["zh_Hans"] == {"2026年6月30日"}
    assert all(len(texts) == 1 for texts in shown.values())


def test_templates_follow_the_language_in_and_out_of_force_locale(app):
    """Template strings are looked up once per request and language: an email rendered in the
    recipient's language inside a page's request gets that language, and the page its own after."""
    from flask import render_template_string
    from flask_babel import force_locale

    page = "{{ _('Sign in') }}"
    with app.test_request_context("/", headers={"Accept-Language": "zh-CN"}):
        assert render_template_string(page) == "登录"
        with force_locale("en"):
            assert render_template_string(page) == "Sign in"
        with force_locale("zh_Hant"):
            assert render_template_string(page) == "登錄"
        assert render_template_string(page) == "登录"
