"""The German catalogue is complete and compiled: every string marked for translation in the code and templates
has a German translation that is not fuzzy, and the committed .mo is exactly what the .po compiles to.

The check runs `make messages` (the target developers run) on a copy of the tree, so it sees what the developer
would see, and compares the result with what is committed. It needs GNU gettext, as `make messages` does;
`make run` does not, since the compiled catalogues are committed.
"""

import gettext
import shutil
import subprocess
import sys
from importlib import import_module
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
# What `make messages` reads (the code and templates of every app) and writes (locale/).
TREE = ["Makefile", "manage.py", "recruitee", "calendars", "mailbox", "scheduling", "templates", "locale"]
TRANSLATED = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
TOOLS = ["make", "xgettext", "msgmerge", "msgattrib", "msgfmt"]
FIX = "Run `make messages`, translate what it lists in locale/{lang}/LC_MESSAGES/django.po, and run it again."


def catalogue(locale: Path, lang: str, suffix: str) -> Path:
    return locale / lang / "LC_MESSAGES" / f"django.{suffix}"


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory) -> Path:
    """locale/ as `make messages` leaves it in a copy of the tree made now."""
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        pytest.fail(f"{', '.join(missing)} missing: install Debian's gettext package (apt-get install gettext make).")
    copy = tmp_path_factory.mktemp("tree")
    for name in TREE:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, copy / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(source, copy / name)
    # The copy uses this interpreter (it has the project's packages); -o: never (re)install the virtualenv.
    result = subprocess.run(
        ["make", "--no-print-directory", "-o", ".venv/.requirements.lock.installed", "messages",
         f"VENV_PYTHON={sys.executable}"],
        cwd=copy, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, f"make messages failed:\n{result.stdout}\n{result.stderr}"
    return copy / "locale"


def entries_flagged(po: Path, option: str) -> list[str]:
    """The msgids that `msgattrib <option>` keeps (untranslated or fuzzy ones), the header left out."""
    kept = subprocess.run(["msgattrib", option, "--no-obsolete", "--no-wrap", str(po)],
                          capture_output=True, text=True, check=True).stdout
    return [line[len("msgid "):] for line in kept.splitlines() if line.startswith("msgid ") and line != 'msgid ""']


def compiled(mo: Path) -> dict:
    """msgid (or (msgid, plural index)) -> translation; without the header, whose dates change at every run."""
    with mo.open("rb") as file:
        return {key: value for key, value in gettext.GNUTranslations(file)._catalog.items() if key != ""}


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_marked_string_has_a_translation(regenerated, lang):
    po = catalogue(regenerated, lang, "po")
    untranslated = entries_flagged(po, "--untranslated")
    fuzzy = entries_flagged(po, "--only-fuzzy")
    assert not untranslated, f"Marked but not translated into {lang}:\n" + "\n".join(untranslated) + \
        "\n" + FIX.format(lang=lang)
    assert not fuzzy, f"Fuzzy (guessed by msgmerge, not checked) in {lang}:\n" + "\n".join(fuzzy) + \
        "\nCheck each translation, remove its fuzzy flag, then run `make messages` again."


# Every compiled catalogue that is committed, as a path inside locale/.
COMMITTED = sorted(str(mo.relative_to(ROOT / "locale")) for mo in (ROOT / "locale").rglob("django.mo"))


def test_each_translated_language_has_a_committed_catalogue():
    assert {catalogue(Path(), lang, "mo").as_posix() for lang in TRANSLATED} <= set(COMMITTED)


@pytest.mark.parametrize("mo", COMMITTED)
def test_the_committed_catalogue_is_up_to_date(regenerated, mo):
    committed, fresh = compiled(ROOT / "locale" / mo), compiled(regenerated / mo)
    stale = sorted(str(key) for key in committed.keys() - fresh.keys())
    absent = sorted(str(key) for key in fresh.keys() - committed.keys())
    changed = sorted(str(key) for key in committed.keys() & fresh.keys() if committed[key] != fresh[key])
    assert not (stale or absent or changed), (
        f"locale/{mo} is not what the code and its .po make of it.\n"
        f"No longer marked anywhere: {stale}\nNot in the committed .mo: {absent}\nTranslated differently: {changed}\n"
        "Run `make messages` (and translate what it lists as untranslated)."
    )


def test_the_sie_form_of_allauth_covers_only_allauths_own_messages():
    """locale/allauth/ is written by hand: an entry allauth no longer has (a new version reworded it) is found here,
    and the page falls back to allauth's "du" until it is updated."""
    allauth = Path(import_module("allauth").__file__).parent / "locale" / "de" / "LC_MESSAGES" / "django.mo"
    ours = compiled(ROOT / "locale" / "allauth" / "de" / "LC_MESSAGES" / "django.mo")
    theirs = compiled(allauth)
    assert ours, "locale/allauth/de has no messages"
    assert sorted(str(key) for key in ours.keys() - theirs.keys()) == []


def test_the_german_catalogue_names_its_language_and_plural_rule():
    """Without its header, a catalogue falls back to ASCII and to English plurals."""
    with catalogue(ROOT / "locale", "de", "mo").open("rb") as file:
        info = gettext.GNUTranslations(file).info()
    assert info["language"] == "de"
    assert info["content-type"] == "text/plain; charset=UTF-8"
    assert info["plural-forms"] == "nplurals=2; plural=(n != 1);"
