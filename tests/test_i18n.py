"""Translations: Simplified Chinese is complete, compiled, and the default."""

import shutil
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

PO = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def _untranslated(po):
    return [e.msgid for e in po if not e.obsolete and (not e.translated() or e.fuzzy)]


def test_po_every_entry_translated_and_not_fuzzy():
    po = polib.pofile(str(PO))

    assert len(po) > 100
    assert _untranslated(po) == []


def test_mo_matches_po():
    po = {(e.msgctxt, e.msgid): (e.msgstr, e.msgstr_plural) for e in polib.pofile(str(PO))}
    mo = {(e.msgctxt, e.msgid): (e.msgstr, e.msgstr_plural) for e in polib.mofile(str(MO))}

    assert po == {key: value for key, value in mo.items() if key[1]}


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="gettext tools not installed")
def test_po_covers_every_marked_string(tmp_path, settings, monkeypatch):
    # makemessages writes into every locale/ directory it finds under the working
    # directory, so it runs on a copy of the sources.
    root = Path(settings.BASE_DIR)
    copy = tmp_path / "src"
    shutil.copytree(
        root,
        copy,
        ignore=shutil.ignore_patterns(".venv", "var", ".git", "tests", "static", "*.pyc"),
    )
    monkeypatch.chdir(copy)
    settings.LOCALE_PATHS = [copy / "locale"]

    call_command("makemessages", locale=["zh_Hans"], no_obsolete=True, verbosity=0)

    assert _untranslated(polib.pofile(str(copy / "locale/zh_Hans/LC_MESSAGES/django.po"))) == []


def test_login_page_defaults_to_chinese(client, db):
    content = client.get(reverse("login")).content.decode()

    assert "登录" in content
    assert 'lang="zh-hans"' in content


def test_language_switch_to_english(client, world):
    client.force_login(world.a.secretary)

    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    content = client.get(reverse("buildings:resident_list")).content.decode()

    assert "Residents" in content
    assert "Log out" in content
    assert "退出登录" not in content
