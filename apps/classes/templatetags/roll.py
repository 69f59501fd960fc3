"""A roll's rows drawn in Python (``student_row``: the class and the homeroom roll, the tap's
answer): as a template include per row, with a dozen code radios each, they were most of the
page's time. Every value is escaped as a template would. The same radios save a tap (roll.js
posts the row when one changes) and the whole form without JavaScript."""

from __future__ import annotations

import html

from django import template
from django.template.defaultfilters import date
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext

register = template.Library()


_WORDS: dict[str | None, dict[str, str]] = {}


def _words() -> dict[str, str]:
    """The rows' words in the active language, translated and escaped once per process: a roll
    of 30 rows asked gettext for them hundreds of times. The ``%(...)s`` ones are filled in with
    escaped values, as ``blocktranslate`` does."""
    language = get_language()
    words = _WORDS.get(language)
    if words is None:
        said = {
            "other": gettext("Other mark"),
            "excused": gettext("Excused"),
            "apply_excused": gettext("Apply excused"),
            "from_homeroom": gettext("From homeroom"),
            "earlier": gettext("Earlier today"),
            "not_saved": gettext("Not saved yet"),
            "not_marked": gettext("Not marked"),
            "minutes_late": gettext("Minutes late"),
            "note": gettext("Note"),
            "share": gettext("Share with the family"),
            "clear": gettext("Clear mark"),
            "more": gettext("More"),
        }
        words = {key: escape(text) for key, text in said.items()}
        words.update(
            apply_excused_to=gettext("Apply excused to %(name)s"),
            pre_selected=gettext("%(abbreviation)s %(label)s, pre-selected"),
            earlier_in=gettext("%(abbreviation)s %(label)s in %(class_name)s, Period %(period)s"),
            saved=gettext("Saved: %(abbreviation)s %(label)s"),
            min_late=gettext("%(minutes)s min late"),
        )
        _WORDS[language] = words
    return words


def _parts(choice) -> tuple[str, str]:
    """What a code's radio looks like whatever the row (escaped once per choice)."""
    cached = getattr(choice, "_html_parts", None)
    if cached is None:
        code = choice.code
        tail = f"><b>{escape(code.abbreviation)}</b>{escape(code.label)}</label>"
        cached = (f' style="--code:{escape(code.colour)}"', f"{' data-late' if choice.is_late else ''}{tail}")
        object.__setattr__(choice, "_html_parts", cached)  # CodeChoice is frozen
    return cached


def _option(choice) -> tuple[int, str]:
    """A code's option in "Other mark" after its value (escaped once per choice); an option's end
    tag is optional: left out."""
    cached = getattr(choice, "_option_html", None)
    if cached is None:
        code = choice.code
        cached = (code.pk, f"{' data-late' if choice.is_late else ''}>{escape(code.abbreviation)} {escape(code.label)}")
        object.__setattr__(choice, "_option_html", cached)  # CodeChoice is frozen
    return cached


@register.simple_tag
def quick_colours(codes) -> str:
    """The quick codes' colours, once for the whole list: ``--q1`` for the first and so on
    (roll.css gives each row's nth quick code its colour)."""
    quick = [c for c in codes if c.quick]
    return ";".join(f"--q{n}:{escape(c.code.colour)}" for n, c in enumerate(quick, 1))


@register.simple_tag
def roll_more(row, codes) -> str:
    """The codes that are not quick, as one list to choose from (``s{id}-more``): light enough
    for a roll of 30, and roll.js turns it into buttons when "More" opens."""
    sid, checked = row.student.pk, row.checked_code_id
    options = [
        f'<option value="{pk}"{" selected" if pk == checked else ""}{text}'
        for pk, text in (_option(c) for c in codes if not c.quick)
    ]
    if not options:
        return ""
    other = _words()["other"]
    return mark_safe(  # noqa: S308 - every value above is escaped
        f'<label class="other">{other} <select name="s{sid}-more"><option>{"".join(options)}</select></label>'
    )


@register.simple_tag
def roll_codes(row, codes, quick: bool) -> str:
    """One radio per quick code (``quick``) or per other code, the saved one marked ``data-on``
    and a suggestion ``data-suggested``. Only the quick codes and the chosen one carry their
    colour: the page stays light."""
    sid, saved, checked = row.student.pk, row.saved_code_id, row.checked_code_id
    out = []
    for choice in codes:
        if choice.quick != quick:
            continue
        colour, tail = _parts(choice)
        pk = choice.code.pk
        state = ' data-on=""' if pk == saved else (' data-suggested=""' if pk == checked else "")
        colour = colour if state else ""  # the quick codes' colours come from the list (``quick_colours``)
        out.append(
            f'<label{colour}{state}><input type="radio" name="s{sid}-code" value="{pk}"'
            f"{' checked' if pk == checked else ''}" + tail
        )
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped


def _text(value) -> str:
    """A value as ``{{ value }}`` prints it (escaped unless safe). A plain string, most of them, is
    escaped as Django's ``escape`` does, without its check for lazy arguments."""
    if type(value) is str:
        return html.escape(value)
    return conditional_escape("" if value is None else value)


def _hints(row, sheet, read_only, sid: int, name: str, words: dict[str, str]) -> str:
    out = []
    excusal = row.excusal
    if excusal:
        start, end = excusal.start_date, excusal.end_date
        badge = words["excused"]
        text = f'<li class="hint excusal"><span class="badge">{badge}</span> {_text(date(start, "j M"))}'
        if end != start:
            text += f"–{_text(date(end, 'j M'))}"
        if excusal.comment:
            text += f": “{_text(excusal.comment)}”"
        excused = sheet.excused_code if sheet else None
        if excused and row.saved_code_id != excused.pk and not read_only:
            label = words["apply_excused_to"] % {"name": name}
            text += (
                f' <button type="submit" class="apply-excused" name="excuse" value="{sid}" hx-post="{_text(row.url)}"'
                f' hx-vals=\'{{"code": "{excused.pk}"}}\' aria-label="{label}">'
                f"{words['apply_excused']}</button>"
            )
        out.append(text + "</li>")
    if row.suggestion and not row.mark:
        code = row.suggestion
        said = words["pre_selected"] % {
            "abbreviation": _text(code.abbreviation),
            "label": _text(code.label),
        }
        out.append(f'<li class="hint homeroom"><span class="badge">{words["from_homeroom"]}</span> {said}</li>')
    if row.previous:
        previous = row.previous
        said = words["earlier_in"] % {
            "abbreviation": _text(previous.code.abbreviation),
            "label": _text(previous.code.label),
            "class_name": _text(previous.school_class.name),
            "period": _text(previous.period.label),
        }
        out.append(f'<li class="hint previous"><span class="badge">{words["earlier"]}</span> {said}</li>')
    return f'<ul class="hints">{"".join(out)}</ul>' if out else ""


@register.simple_tag(takes_context=True)
def student_row(context, row) -> str:
    """One student's row of a roll (class or homeroom), drawn in Python: a template of this
    row took most of a roll page's time. Every value is escaped as a template would."""
    sheet, read_only = context.get("sheet"), context.get("read_only")
    words = _words()
    codes = sheet.codes if sheet else []
    student, mark = row.student, row.mark
    sid, name = student.pk, _text(student.full_name)
    off = " disabled" if read_only else ""
    url = _text(row.url)
    head = (
        f'<li class="student{" is-marked" if mark else ""} k-{_text(row.mark_kind)}'
        f'{" has-errors" if row.errors else ""}" id="s{sid}"'
        + (f' style="--mark:{_text(row.shown.colour)}"' if mark else "")
        + (f' hx-post="{url}" hx-trigger="change"' if not read_only else "")
        + ">"
    )
    if row.photo_url:
        avatar = f'<img class="avatar" src="{_text(row.photo_url)}" alt="" width="40" height="40">'
    else:
        avatar = f'<span class="avatar" aria-hidden="true">{_text(student.initials)}</span>'
    if mark:
        shown = row.shown
        state = '<span class="saved">' + words["saved"] % {
            "abbreviation": _text(shown.abbreviation),
            "label": _text(shown.label),
        }
        if mark.minutes_late:
            state += ", " + words["min_late"] % {"minutes": _text(mark.minutes_late)}
        state += "</span>"
    else:
        state = words["not_saved"] if row.suggestion else words["not_marked"]
    line = (
        f'<div class="line">{avatar}<span class="who"><span class="name" id="name-{sid}">{name}</span>'
        f' <span class="state-line">{state}</span></span><fieldset class="codes" aria-labelledby="name-{sid}"{off}>'
        f"{roll_codes(row, codes, True)}</fieldset></div>"
    )
    minutes = row.minutes_late
    late = (
        '<span class="presets live-only"><button type="button" value="5">5</button>'
        '<button type="button" value="10">10</button><button type="button" value="15">15</button></span>'
        if row.is_late and not read_only
        else ""
    )
    minutes_html = (
        f'<p class="minutes"><label>{words["minutes_late"]} <input type="number" name="s{sid}-minutes"'
        + (f' value="{_text(minutes)}"' if minutes is not None else "")
        + f"{off}></label>{late}</p>"
    )
    note = row.note
    more = roll_more(row, codes)
    if read_only:
        more = f'<fieldset class="codes" disabled>{more}</fieldset>'
    extra = (
        f'<label class="note">{words["note"]} <input type="text" name="s{sid}-note" value="{_text(note)}"{off}></label>'
    )
    if note:
        extra += (
            f'<label class="share"><input type="checkbox" name="s{sid}-shared"{" checked" if row.shared else ""}{off}>'
            f" {words['share']}</label>"
        )
    if mark and not read_only:
        clear = words["clear"]
        extra += f' <button type="submit" class="clear" name="clear" value="{sid}">{clear}</button>'
    details = (
        f'<details class="more"{" open" if row.errors or note else ""}><summary>{words["more"]}</summary>'
        f'{more}<p class="extra">{extra}</p></details>'
    )
    tail = ""
    if mark:
        was = f"{mark.code_id}:{'' if mark.minutes_late is None else mark.minutes_late}:{mark.note}"
        tail += f'<input type="hidden" name="s{sid}-was" value="{_text(was)}">'
    if row.errors:
        messages = "".join(f"<li>{_text(m)}</li>" for m in row.error_messages)
        tail += f'<ul class="errorlist" role="alert">{messages}</ul>'
    hints = _hints(row, sheet, read_only, sid, name, words)
    return mark_safe(head + line + hints + minutes_html + details + tail + "</li>\n")  # noqa: S308 - all escaped
